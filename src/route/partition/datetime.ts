// MySQL-mode temporal literals and OceanBase's stored integer forms (spec §4.3 "datetime/timestamp/date/
// time/year: the stored int value widened to int64"):
//   DATE (19)        int32 days since 1970-01-01
//   DATETIME (17)    int64 µs since 1970-01-01 00:00:00, wall clock (no time zone)
//   TIMESTAMP (18)   int64 µs since the Unix epoch, UTC: the literal is read in the session time zone
//   TIME (20)        int64 µs, signed
//   YEAR (21)        uint8: 0 for 0000, else year - 1900
//   MySQL DATE (52)  int32 packed: day | month << 5 | year << 9            (OB 4.3 mysql-compatible dates)
//   MySQL DATETIME   int64 packed: µs | s << 24 | min << 30 | h << 36 | day << 41 | (year*13+month) << 46
// Parsing follows MySQL's rules for the common forms (delimited and all-digit, 2-digit years); zero dates
// and out-of-range fields are rejected (strict mode would reject the INSERT too).

import { ObjType } from './types.js';

export interface Temporal {
  readonly kind: 'date' | 'datetime' | 'time';
  readonly neg: boolean;
  readonly y: number;
  readonly mo: number;
  readonly d: number;
  readonly h: number;
  readonly mi: number;
  readonly s: number;
  readonly us: number;
}

const US_PER_DAY = 86_400_000_000n;

export function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  return [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0;
}

/** Days since 1970-01-01 of a proleptic Gregorian date. */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of daysFromCivil. */
export function civilFromDays(z0: number): { y: number; m: number; d: number } {
  const z = z0 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

function twoDigitYear(y: number): number {
  return y < 70 ? 2000 + y : 1900 + y;
}

function mk(kind: Temporal['kind'], y: number, mo: number, d: number, h = 0, mi = 0, s = 0, us = 0): Temporal | null {
  if (kind !== 'time') {
    if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  }
  if (h > 23 || mi > 59 || s > 59 || us > 999999) return null;
  return { kind, neg: false, y, mo, d, h, mi, s, us };
}

function fracToUs(frac: string): number {
  return Number((frac + '000000').slice(0, 6)) + (frac.length > 6 && Number(frac[6]) >= 5 ? 1 : 0);
}

/** Parses a date/datetime literal ('2024-01-02', '2024-01-02 03:04:05.6', '20240102', '240102030405'). */
export function parseDateTime(text: string): Temporal | null {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return parseDigitDateTime(t);
  const m = /^(\d{1,4})[^\d](\d{1,2})[^\d](\d{1,2})(?:(?:[T ]+|[^\d])(\d{1,2})[^\d](\d{1,2})[^\d](\d{1,2})(?:\.(\d*))?)?$/.exec(t);
  if (m === null) return null;
  let y = Number(m[1]);
  if (m[1]!.length <= 2) y = twoDigitYear(y);
  if (m[4] === undefined) return mk('date', y, Number(m[2]), Number(m[3]));
  const us = m[7] === undefined ? 0 : fracToUs(m[7]);
  return carryUs(mk('datetime', y, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), Math.min(us, 999999)), us);
}

function carryUs(t: Temporal | null, us: number): Temporal | null {
  if (t === null || us <= 999999) return t;
  return addMicros(t, 1n); // a 7th fractional digit rounded 999999 up
}

function parseDigitDateTime(t: string): Temporal | null {
  const [digits, frac] = t.split('.') as [string, string | undefined];
  const us = frac === undefined ? 0 : fracToUs(frac);
  const n = digits.length;
  const f = (a: number, b: number): number => Number(digits.slice(a, b));
  if (n === 8) return mk('date', f(0, 4), f(4, 6), f(6, 8));
  if (n === 6) return mk('date', twoDigitYear(f(0, 2)), f(2, 4), f(4, 6));
  if (n === 14) return carryUs(mk('datetime', f(0, 4), f(4, 6), f(6, 8), f(8, 10), f(10, 12), f(12, 14), Math.min(us, 999999)), us);
  if (n === 12) {
    return carryUs(mk('datetime', twoDigitYear(f(0, 2)), f(2, 4), f(4, 6), f(6, 8), f(8, 10), f(10, 12), Math.min(us, 999999)), us);
  }
  return null;
}

/** Parses a TIME literal ('-12:34:56.5', '1 02:03:04', '123456', '12:34'). */
export function parseTime(text: string): Temporal | null {
  let t = text.trim();
  let neg = false;
  if (t.startsWith('-')) {
    neg = true;
    t = t.slice(1);
  }
  let h: number;
  let mi: number;
  let s: number;
  let frac: string | undefined;
  let m = /^(?:(\d+) )?(\d+):(\d{1,2})(?::(\d{1,2}))?(?:\.(\d*))?$/.exec(t);
  if (m !== null) {
    h = Number(m[2]) + (m[1] === undefined ? 0 : Number(m[1]) * 24);
    mi = Number(m[3]);
    s = m[4] === undefined ? 0 : Number(m[4]);
    frac = m[5];
  } else {
    m = /^(\d+)(?:\.(\d*))?$/.exec(t);
    if (m === null) return null;
    const v = Number(m[1]);
    h = Math.floor(v / 10000);
    mi = Math.floor(v / 100) % 100;
    s = v % 100;
    frac = m[2];
  }
  if (mi > 59 || s > 59 || h > 838) return null;
  const us = frac === undefined ? 0 : Math.min(fracToUs(frac), 999999);
  return { kind: 'time', neg, y: 0, mo: 0, d: 0, h, mi, s, us };
}

/** Wall-clock µs since 1970-01-01 for date/datetime; signed µs for time. */
export function toMicros(t: Temporal): bigint {
  const tod = ((BigInt(t.h) * 60n + BigInt(t.mi)) * 60n + BigInt(t.s)) * 1_000_000n + BigInt(t.us);
  if (t.kind === 'time') return t.neg ? -tod : tod;
  return BigInt(daysFromCivil(t.y, t.mo, t.d)) * US_PER_DAY + tod;
}

export function fromMicros(us: bigint, kind: 'date' | 'datetime'): Temporal {
  let days = us / US_PER_DAY;
  let rem = us % US_PER_DAY;
  if (rem < 0n) {
    rem += US_PER_DAY;
    days -= 1n;
  }
  const { y, m, d } = civilFromDays(Number(days));
  const r = Number(rem);
  const sec = Math.floor(r / 1e6);
  return { kind, neg: false, y, mo: m, d, h: Math.floor(sec / 3600), mi: Math.floor(sec / 60) % 60, s: sec % 60, us: r % 1e6 };
}

export function addMicros(t: Temporal, delta: bigint): Temporal {
  return fromMicros(toMicros(t) + delta, t.kind === 'date' ? 'datetime' : t.kind === 'time' ? 'datetime' : t.kind);
}

/** Rounds fractional seconds half up to `scale` digits (0..6). */
export function roundFraction(t: Temporal, scale: number): Temporal | null {
  const sc = scale < 0 ? 0 : Math.min(scale, 6);
  const unit = 10 ** (6 - sc);
  if (t.us % unit === 0) return t;
  const up = Math.round(t.us / unit) * unit - t.us;
  if (t.kind === 'time') {
    const total = toMicros({ ...t, neg: false }) + BigInt(up);
    const sec = Number(total / 1_000_000n);
    return { ...t, h: Math.floor(sec / 3600), mi: Math.floor(sec / 60) % 60, s: sec % 60, us: Number(total % 1_000_000n) };
  }
  const r = fromMicros(toMicros(t) + BigInt(up), 'datetime');
  return r.y > 9999 ? null : { ...r, kind: t.kind };
}

/** OceanBase's stored integer for a temporal column type; null when the value does not fit. */
export function storedTemporal(t: Temporal, objType: number, tzOffsetSec: number): bigint | null {
  switch (objType) {
    case ObjType.Date:
      return BigInt(daysFromCivil(t.y, t.mo, t.d));
    case ObjType.DateTime:
      return toMicros(t);
    case ObjType.Timestamp: {
      const v = toMicros(t) - BigInt(tzOffsetSec) * 1_000_000n;
      // MySQL TIMESTAMP range: 1970-01-01 00:00:01 .. 2038-01-19 03:14:07.999999 UTC
      if (v < 1_000_000n || v > 2_147_483_647_999_999n) return null;
      return v;
    }
    case ObjType.Time:
      return toMicros(t);
    case ObjType.MySQLDate:
      return BigInt(t.d | (t.mo << 5) | (t.y << 9));
    case ObjType.MySQLDateTime: {
      const ym = BigInt(t.y * 13 + t.mo);
      return (
        BigInt(t.us) | (BigInt(t.s) << 24n) | (BigInt(t.mi) << 30n) | (BigInt(t.h) << 36n) | (BigInt(t.d) << 41n) | (ym << 46n)
      );
    }
    default:
      return null;
  }
}

/** Temporal value of a stored integer (inverse of storedTemporal for DATE/DATETIME/TIMESTAMP/TIME). */
export function temporalFromStored(v: bigint, objType: number, tzOffsetSec: number): Temporal | null {
  switch (objType) {
    case ObjType.Date:
      return { ...fromMicros(v * US_PER_DAY, 'date'), kind: 'date' };
    case ObjType.DateTime:
      return fromMicros(v, 'datetime');
    case ObjType.Timestamp:
      return fromMicros(v + BigInt(tzOffsetSec) * 1_000_000n, 'datetime');
    case ObjType.MySQLDate: {
      const n = Number(v);
      return { kind: 'date', neg: false, y: n >>> 9, mo: (n >>> 5) & 0xf, d: n & 0x1f, h: 0, mi: 0, s: 0, us: 0 };
    }
    case ObjType.MySQLDateTime: {
      const ym = Number(v >> 46n);
      return {
        kind: 'datetime',
        neg: false,
        y: Math.floor(ym / 13),
        mo: ym % 13,
        d: Number((v >> 41n) & 0x1fn),
        h: Number((v >> 36n) & 0x1fn),
        mi: Number((v >> 30n) & 0x3fn),
        s: Number((v >> 24n) & 0x3fn),
        us: Number(v & 0xffffffn),
      };
    }
    case ObjType.Time: {
      const neg = v < 0n;
      const a = neg ? -v : v;
      const sec = Number(a / 1_000_000n);
      return { kind: 'time', neg, y: 0, mo: 0, d: 0, h: Math.floor(sec / 3600), mi: Math.floor(sec / 60) % 60, s: sec % 60, us: Number(a % 1_000_000n) };
    }
    default:
      return null;
  }
}

function p2(n: number): string {
  return String(n).padStart(2, '0');
}

/** 'YYYY-MM-DD[ HH:MM:SS[.ffffff]]' / '[-]HH:MM:SS[.ffffff]' (fraction only when non-zero). */
export function formatTemporal(t: Temporal): string {
  const frac = t.us === 0 ? '' : '.' + String(t.us).padStart(6, '0');
  const time = `${p2(t.h)}:${p2(t.mi)}:${p2(t.s)}${frac}`;
  if (t.kind === 'time') return (t.neg ? '-' : '') + time;
  const date = `${String(t.y).padStart(4, '0')}-${p2(t.mo)}-${p2(t.d)}`;
  return t.kind === 'date' ? date : `${date} ${time}`;
}
