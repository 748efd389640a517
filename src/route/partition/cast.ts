// Cast of a key value to its partition column's type, collation and accuracy before any partition function
// runs (spec §4.3 "Common"): what MySQL strict mode would store for an INSERT of that value. A value that
// does not fit (overflow, bad number, bad date, too long, invalid UTF-8) has no partition: the caller gets a
// reason string instead of a Val, and routing falls back (spec §4.4).

import { charCount, collationKind, isValidUtf8 } from './collation.js';
import {
  formatTemporal,
  parseDateTime,
  parseTime,
  roundFraction,
  storedTemporal,
  type Temporal,
} from './datetime.js';
import { decimalToInteger, digitCount, parseDecimal, rescale, type Decimal } from './number.js';
import { ObjType, type PartKeyColumn, type Val } from './types.js';

/** A decimal produced by a literal or an expression (exact). */
export interface DecLit {
  readonly kind: 'decimal';
  readonly v: bigint;
  readonly scale: number;
}

/** A value before the cast: caller input or an expression result. */
export type Lit = null | bigint | number | string | Uint8Array | Temporal | DecLit;

export const NULL_VAL: Val = { t: 'null' };

const INT_RANGE: Record<number, readonly [bigint, bigint]> = {
  [ObjType.TinyInt]: [-128n, 127n],
  [ObjType.SmallInt]: [-32768n, 32767n],
  [ObjType.MediumInt]: [-8388608n, 8388607n],
  [ObjType.Int32]: [-2147483648n, 2147483647n],
  [ObjType.Int]: [-(2n ** 63n), 2n ** 63n - 1n],
  [ObjType.UTinyInt]: [0n, 255n],
  [ObjType.USmallInt]: [0n, 65535n],
  [ObjType.UMediumInt]: [0n, 16777215n],
  [ObjType.UInt32]: [0n, 4294967295n],
  [ObjType.UInt64]: [0n, 2n ** 64n - 1n],
};

export function isTemporal(x: Lit): x is Temporal {
  return typeof x === 'object' && x !== null && !(x instanceof Uint8Array) && x.kind !== 'decimal';
}

export function isDec(x: Lit): x is DecLit {
  return typeof x === 'object' && x !== null && !(x instanceof Uint8Array) && x.kind === 'decimal';
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Text form of a literal as MySQL would print it (used for string casts and numeric parsing). */
export function litToText(x: Exclude<Lit, null>): string {
  if (typeof x === 'string') return x;
  if (typeof x === 'bigint') return x.toString();
  if (typeof x === 'number') return Number.isInteger(x) && Number.isSafeInteger(x) ? String(x) : String(x);
  if (x instanceof Uint8Array) return utf8.decode(x);
  if (isDec(x)) return formatDecimal(x);
  return formatTemporal(x);
}

export function formatDecimal(d: Decimal): string {
  const neg = d.v < 0n;
  const s = (neg ? -d.v : d.v).toString().padStart(d.scale + 1, '0');
  const body = d.scale === 0 ? s : `${s.slice(0, s.length - d.scale)}.${s.slice(s.length - d.scale)}`;
  return neg ? '-' + body : body;
}

/** Exact decimal of a literal, or null when it is not numeric. */
export function litToDecimal(x: Exclude<Lit, null>): Decimal | null {
  if (typeof x === 'bigint') return { v: x, scale: 0 };
  if (typeof x === 'number') return Number.isFinite(x) ? parseDecimal(String(x)) : null;
  if (isDec(x)) return x;
  if (isTemporal(x)) return parseDecimal(temporalDigits(x));
  return parseDecimal(litToText(x));
}

function temporalDigits(t: Temporal): string {
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const time = `${p2(t.h)}${p2(t.mi)}${p2(t.s)}${t.us === 0 ? '' : '.' + String(t.us).padStart(6, '0')}`;
  if (t.kind === 'time') return (t.neg ? '-' : '') + time;
  const date = `${String(t.y).padStart(4, '0')}${p2(t.mo)}${p2(t.d)}`;
  return t.kind === 'date' ? date : date + time;
}

/** Integer value of a literal, rounding half away from zero; null when not numeric. */
export function litToInteger(x: Exclude<Lit, null>): bigint | null {
  if (typeof x === 'bigint') return x;
  if (typeof x === 'number' && Number.isSafeInteger(x)) return BigInt(x);
  const d = litToDecimal(x);
  return d === null ? null : decimalToInteger(d);
}

/** Casts a literal to the column's type. Returns the Val, or a reason string when the value has no route. */
export function castToColumn(x: Lit, col: PartKeyColumn, tzOffsetSec: number): Val | string {
  if (x === null) return NULL_VAL;
  const t = col.objType;
  const range = INT_RANGE[t];
  if (range !== undefined) return castInt(x, range, t >= ObjType.UTinyInt, col.name);
  switch (t) {
    case ObjType.Float:
    case ObjType.Double:
    case ObjType.UFloat:
    case ObjType.UDouble:
      return castReal(x, col);
    case ObjType.Number:
    case ObjType.UNumber:
    case ObjType.DecimalInt:
      return castDecimal(x, col);
    case ObjType.Varchar:
    case ObjType.Char:
      return castString(x, col);
    case ObjType.Date:
    case ObjType.DateTime:
    case ObjType.Timestamp:
    case ObjType.Time:
    case ObjType.MySQLDate:
    case ObjType.MySQLDateTime:
      return castTemporal(x, col, tzOffsetSec);
    case ObjType.Year:
      return castYear(x, col.name);
    case ObjType.Bit:
      return castBit(x, col);
    default:
      return `column ${col.name}: partition key type ${t} is not supported`;
  }
}

function castInt(x: Exclude<Lit, null>, range: readonly [bigint, bigint], unsigned: boolean, name: string): Val | string {
  const v = litToInteger(x);
  if (v === null) return `column ${name}: '${litToText(x)}' is not an integer`;
  if (v < range[0] || v > range[1]) return `column ${name}: ${v} is out of range`;
  return unsigned ? { t: 'uint', v } : { t: 'int', v };
}

function castReal(x: Exclude<Lit, null>, col: PartKeyColumn): Val | string {
  let n: number;
  if (typeof x === 'number') n = x;
  else if (typeof x === 'bigint') n = Number(x);
  else {
    const d = litToDecimal(x);
    if (d === null) return `column ${col.name}: '${litToText(x)}' is not a number`;
    n = Number(formatDecimal(d));
  }
  if (!Number.isFinite(n)) return `column ${col.name}: not a finite number`;
  if ((col.objType === ObjType.UFloat || col.objType === ObjType.UDouble) && n < 0) {
    return `column ${col.name}: negative value for unsigned column`;
  }
  if (col.scale >= 0 && col.precision > 0) {
    const d = parseDecimal(String(n));
    if (d === null) return `column ${col.name}: not a number`;
    const r = rescale(d, col.scale);
    if (digitCount(r.v) > col.precision) return `column ${col.name}: out of range for (${col.precision},${col.scale})`;
    n = Number(formatDecimal(r));
  }
  const isFloat = col.objType === ObjType.Float || col.objType === ObjType.UFloat;
  if (isFloat) {
    n = Math.fround(n);
    if (!Number.isFinite(n)) return `column ${col.name}: out of FLOAT range`;
  }
  return { t: 'double', v: n };
}

function castDecimal(x: Exclude<Lit, null>, col: PartKeyColumn): Val | string {
  const d = litToDecimal(x);
  if (d === null) return `column ${col.name}: '${litToText(x)}' is not a decimal`;
  const scale = col.scale >= 0 ? col.scale : 0;
  const precision = col.precision > 0 ? col.precision : 10;
  const r = rescale(d, scale);
  if (r.v !== 0n && digitCount(r.v) > precision) {
    return `column ${col.name}: ${formatDecimal(d)} is out of range for DECIMAL(${precision},${scale})`;
  }
  if (col.objType === ObjType.UNumber && r.v < 0n) return `column ${col.name}: negative value for unsigned column`;
  return { t: 'decimal', v: r.v, scale };
}

function castString(x: Exclude<Lit, null>, col: PartKeyColumn): Val | string {
  const kind = collationKind(col.collation);
  if (kind === null) return `column ${col.name}: collation ${col.collation} is not supported`;
  let b: Uint8Array = x instanceof Uint8Array ? x : Buffer.from(litToText(x), 'utf8');
  if (kind !== 'binary' && !isValidUtf8(b)) return `column ${col.name}: invalid utf8mb4 string`;
  if (col.length > 0) {
    const n = kind === 'binary' ? b.length : charCount(b);
    if (n > col.length) {
      // Excess trailing spaces are cut silently (a note, not a strict-mode error); anything else is too long.
      let end = b.length;
      while (end > 0 && b[end - 1] === 0x20) end--;
      const kept = kind === 'binary' ? end : charCount(b.subarray(0, end));
      if (kept > col.length) return `column ${col.name}: value too long for length ${col.length}`;
      b = b.subarray(0, kind === 'binary' ? col.length : byteLengthOfChars(b, col.length));
    }
    if (col.objType === ObjType.Char && kind === 'binary' && b.length < col.length) {
      const padded = new Uint8Array(col.length);
      padded.set(b);
      b = padded; // BINARY(n) stores 0x00 padding, which is hashed
    }
  }
  return { t: 'str', b, coll: col.collation };
}

function byteLengthOfChars(b: Uint8Array, chars: number): number {
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    if ((b[i]! & 0xc0) !== 0x80) {
      if (n === chars) return i;
      n++;
    }
  }
  return b.length;
}

function castTemporal(x: Exclude<Lit, null>, col: PartKeyColumn, tz: number): Val | string {
  const isTime = col.objType === ObjType.Time;
  let tv: Temporal | null;
  if (isTemporal(x)) tv = x;
  else {
    const text = litToText(x);
    tv = isTime ? parseTime(text) : parseDateTime(text);
  }
  if (tv === null) return `column ${col.name}: '${litToText(x)}' is not a valid ${isTime ? 'time' : 'date/datetime'}`;
  if (isTime && tv.kind !== 'time') tv = { ...tv, kind: 'time', neg: false, y: 0, mo: 0, d: 0 };
  if (!isTime && tv.kind === 'time') return `column ${col.name}: a time is not a date`;
  const dateOnly = col.objType === ObjType.Date || col.objType === ObjType.MySQLDate;
  if (dateOnly) tv = { ...tv, kind: 'date', h: 0, mi: 0, s: 0, us: 0 };
  else {
    tv = roundFraction(tv.kind === 'date' ? { ...tv, kind: 'datetime' } : tv, col.scale);
    if (tv === null) return `column ${col.name}: datetime out of range`;
  }
  const v = storedTemporal(tv, col.objType, tz);
  if (v === null) return `column ${col.name}: ${formatTemporal(tv)} is out of range`;
  return { t: 'time', objType: col.objType, v };
}

function castYear(x: Exclude<Lit, null>, name: string): Val | string {
  let y: bigint | null;
  if (typeof x === 'string' || x instanceof Uint8Array) {
    const s = litToText(x).trim();
    if (/^0{1,3}$/.test(s)) y = 2000n; // '0', '00', '000' mean 2000; '0000' means 0000
    else if (s === '0000') y = 0n;
    else y = litToInteger(s);
  } else {
    y = litToInteger(x);
  }
  if (y === null) return `column ${name}: not a year`;
  let year = Number(y);
  if (year >= 1 && year <= 69) year += 2000;
  else if (year >= 70 && year <= 99) year += 1900;
  if (year !== 0 && (year < 1901 || year > 2155)) return `column ${name}: year ${year} is out of range`;
  return { t: 'time', objType: ObjType.Year, v: BigInt(year === 0 ? 0 : year - 1900) };
}

function castBit(x: Exclude<Lit, null>, col: PartKeyColumn): Val | string {
  const v = litToInteger(x);
  const bits = col.precision > 0 ? col.precision : col.length > 0 ? col.length : 1;
  if (v === null || v < 0n || v >= 1n << BigInt(bits)) return `column ${col.name}: out of range for BIT(${bits})`;
  return { t: 'uint', v };
}
