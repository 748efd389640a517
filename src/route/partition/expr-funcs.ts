// MySQL-semantics functions and arithmetic for partition expressions (see expr.ts). Integers are bigint
// (int64 overflow is an error, as MySQL raises ER_DATA_OUT_OF_RANGE), doubles are number, decimals exact.
// Strings in numeric context convert as numbers (a non-numeric string is an error: strict mode); temporal
// values in numeric context become YYYYMMDD[HHMMSS].

import { formatDecimal, isDec, isTemporal, litToDecimal, litToText, type DecLit, type Lit } from './cast.js';
import {
  addMicros,
  civilFromDays,
  daysFromCivil,
  fromMicros,
  parseDateTime,
  parseTime,
  toMicros,
  type Temporal,
} from './datetime.js';
import { compareDecimal, rescale, type Decimal } from './number.js';

export type EvalResult = { readonly v: Lit } | { readonly err: string };

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

function ok(v: Lit): EvalResult {
  return { v };
}

function fail(err: string): EvalResult {
  return { err };
}

function intRes(v: bigint): EvalResult {
  return v < I64_MIN || v > I64_MAX ? fail('BIGINT value is out of range') : ok(v);
}

type Num = { k: 'int'; v: bigint } | { k: 'dbl'; v: number } | { k: 'dec'; v: Decimal };

function toNum(x: Exclude<Lit, null>): Num | null {
  if (typeof x === 'bigint') return { k: 'int', v: x };
  if (typeof x === 'number') return { k: 'dbl', v: x };
  if (isDec(x)) return { k: 'dec', v: x };
  const d = litToDecimal(x);
  if (d === null) return null;
  if (typeof x === 'string' || x instanceof Uint8Array) return { k: 'dbl', v: Number(formatDecimal(d)) };
  return d.scale === 0 ? { k: 'int', v: d.v } : { k: 'dec', v: d };
}

function asDouble(n: Num): number {
  return n.k === 'dbl' ? n.v : n.k === 'int' ? Number(n.v) : Number(formatDecimal(n.v));
}

function asDec(n: Num): Decimal {
  return n.k === 'dec' ? n.v : n.k === 'int' ? { v: n.v, scale: 0 } : (litToDecimal(n.v) ?? { v: 0n, scale: 0 });
}

function dec(d: Decimal): DecLit {
  return { kind: 'decimal', v: d.v, scale: d.scale };
}

function truncDiv(a: bigint, b: bigint): bigint {
  return a / b; // bigint division truncates toward zero, like MySQL DIV
}

/** Binary arithmetic: + - * / div mod. */
export function arith(op: string, a: Lit, b: Lit): EvalResult {
  if (a === null || b === null) return ok(null);
  const x = toNum(a);
  const y = toNum(b);
  if (x === null || y === null) return fail('non-numeric operand');
  if (op === '/') {
    if (x.k === 'dbl' || y.k === 'dbl') return asDouble(y) === 0 ? ok(null) : ok(asDouble(x) / asDouble(y));
    const dx = asDec(x);
    const dy = asDec(y);
    if (dy.v === 0n) return ok(null);
    const scale = dx.scale + 4; // div_precision_increment = 4
    const num = dx.v * 10n ** BigInt(scale - dx.scale + dy.scale + 1);
    return ok(dec(rescale({ v: num / dy.v, scale: scale + 1 }, scale)));
  }
  if (x.k === 'int' && y.k === 'int') {
    switch (op) {
      case '+':
        return intRes(x.v + y.v);
      case '-':
        return intRes(x.v - y.v);
      case '*':
        return intRes(x.v * y.v);
      case 'div':
        return y.v === 0n ? ok(null) : intRes(truncDiv(x.v, y.v));
      case 'mod':
        return y.v === 0n ? ok(null) : ok(x.v % y.v);
      default:
        return fail(`operator ${op}`);
    }
  }
  if (x.k === 'dbl' || y.k === 'dbl') {
    const p = asDouble(x);
    const q = asDouble(y);
    switch (op) {
      case '+':
        return ok(p + q);
      case '-':
        return ok(p - q);
      case '*':
        return ok(p * q);
      case 'div':
        return q === 0 ? ok(null) : intRes(BigInt(Math.trunc(p / q)));
      case 'mod':
        return q === 0 ? ok(null) : ok(p % q);
      default:
        return fail(`operator ${op}`);
    }
  }
  const p = asDec(x);
  const q = asDec(y);
  const s = Math.max(p.scale, q.scale);
  const pv = rescale(p, s).v;
  const qv = rescale(q, s).v;
  switch (op) {
    case '+':
      return ok(dec({ v: pv + qv, scale: s }));
    case '-':
      return ok(dec({ v: pv - qv, scale: s }));
    case '*':
      return ok(dec({ v: p.v * q.v, scale: p.scale + q.scale }));
    case 'div':
      return qv === 0n ? ok(null) : intRes(truncDiv(pv, qv));
    case 'mod':
      return qv === 0n ? ok(null) : ok(dec({ v: pv % qv, scale: s }));
    default:
      return fail(`operator ${op}`);
  }
}

/** Temporal value of a literal (strings and YYYYMMDD numbers parse as dates). */
export function temporalOf(x: Exclude<Lit, null>): Temporal | null {
  if (isTemporal(x)) return x;
  const s = litToText(x);
  return parseDateTime(s) ?? parseTime(s);
}

function str(x: Exclude<Lit, null>): string {
  return litToText(x);
}

function chars(s: string): string[] {
  return Array.from(s);
}

function substr(args: Exclude<Lit, null>[]): EvalResult {
  const s = chars(str(args[0]!));
  const pos = toNum(args[1]!);
  if (pos === null) return fail('substr position is not a number');
  let p = Number(pos.k === 'int' ? pos.v : BigInt(Math.round(asDouble(pos))));
  let len = s.length;
  if (args.length > 2) {
    const l = toNum(args[2]!);
    if (l === null) return fail('substr length is not a number');
    len = Number(l.k === 'int' ? l.v : BigInt(Math.round(asDouble(l))));
  }
  if (p === 0 || len <= 0) return ok('');
  if (p < 0) p = s.length + p + 1;
  if (p < 1 || p > s.length) return ok('');
  return ok(s.slice(p - 1, p - 1 + len).join(''));
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

function weekday(t: Temporal): number {
  return (((daysFromCivil(t.y, t.mo, t.d) + 3) % 7) + 7) % 7; // 0 = Monday (1970-01-01 was a Thursday)
}

function p2(n: number): string {
  return String(n).padStart(2, '0');
}

function dateFormat(t: Temporal, fmt: string): string {
  let out = '';
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '%' || i + 1 >= fmt.length) {
      out += c;
      continue;
    }
    const f = fmt[++i]!;
    const h12 = t.h % 12 === 0 ? 12 : t.h % 12;
    const doy = daysFromCivil(t.y, t.mo, t.d) - daysFromCivil(t.y, 1, 1) + 1;
    const map: Record<string, string> = {
      Y: String(t.y).padStart(4, '0'),
      y: p2(t.y % 100),
      m: p2(t.mo),
      c: String(t.mo),
      d: p2(t.d),
      e: String(t.d),
      H: p2(t.h),
      k: String(t.h),
      h: p2(h12),
      I: p2(h12),
      l: String(h12),
      i: p2(t.mi),
      s: p2(t.s),
      S: p2(t.s),
      f: String(t.us).padStart(6, '0'),
      p: t.h < 12 ? 'AM' : 'PM',
      M: MONTHS[t.mo - 1] ?? '',
      b: (MONTHS[t.mo - 1] ?? '').slice(0, 3),
      W: DAYS[weekday(t)] ?? '',
      a: (DAYS[weekday(t)] ?? '').slice(0, 3),
      j: String(doy).padStart(3, '0'),
      w: String((weekday(t) + 1) % 7),
      T: `${p2(t.h)}:${p2(t.mi)}:${p2(t.s)}`,
      r: `${p2(h12)}:${p2(t.mi)}:${p2(t.s)} ${t.h < 12 ? 'AM' : 'PM'}`,
      '%': '%',
    };
    out += map[f] ?? f;
  }
  return out;
}

/** Parses `s` with a format of MySQL (%Y...) or Oracle (YYYY...) tokens into a datetime. */
function parseWithFormat(s: string, fmt: string): Temporal | null {
  const f = { y: 1, mo: 1, d: 1, h: 0, mi: 0, s: 0, us: 0, pm: false, h12: false };
  let i = 0;
  let rx = '';
  const setters: ((v: string) => void)[] = [];
  const push = (re: string, set: (v: string) => void): void => {
    rx += `(${re})`;
    setters.push(set);
  };
  const up = fmt.toUpperCase();
  while (i < fmt.length) {
    const rest = up.slice(i);
    if (fmt[i] === '%' && i + 1 < fmt.length) {
      const c = fmt[i + 1]!;
      i += 2;
      if (c === 'Y') push('\\d{4}', (v) => (f.y = Number(v)));
      else if (c === 'y') push('\\d{2}', (v) => (f.y = Number(v) < 70 ? 2000 + Number(v) : 1900 + Number(v)));
      else if (c === 'm' || c === 'c') push('\\d{1,2}', (v) => (f.mo = Number(v)));
      else if (c === 'd' || c === 'e') push('\\d{1,2}', (v) => (f.d = Number(v)));
      else if (c === 'H' || c === 'k') push('\\d{1,2}', (v) => (f.h = Number(v)));
      else if (c === 'h' || c === 'I' || c === 'l') push('\\d{1,2}', (v) => ((f.h = Number(v)), (f.h12 = true)));
      else if (c === 'i') push('\\d{1,2}', (v) => (f.mi = Number(v)));
      else if (c === 's' || c === 'S') push('\\d{1,2}', (v) => (f.s = Number(v)));
      else if (c === 'f') push('\\d{1,6}', (v) => (f.us = Number(v.padEnd(6, '0'))));
      else if (c === 'p') push('AM|PM|am|pm', (v) => (f.pm = v.toUpperCase() === 'PM'));
      else rx += escapeRe(c);
    } else if (rest.startsWith('YYYY')) {
      push('\\d{4}', (v) => (f.y = Number(v)));
      i += 4;
    } else if (rest.startsWith('HH24')) {
      push('\\d{1,2}', (v) => (f.h = Number(v)));
      i += 4;
    } else if (rest.startsWith('HH12') || rest.startsWith('HH')) {
      push('\\d{1,2}', (v) => ((f.h = Number(v)), (f.h12 = true)));
      i += rest.startsWith('HH12') ? 4 : 2;
    } else if (/^FF[1-9]?/.test(rest)) {
      push('\\d{1,9}', (v) => (f.us = Number(v.padEnd(6, '0').slice(0, 6))));
      i += /^FF[1-9]/.test(rest) ? 3 : 2;
    } else if (rest.startsWith('YY')) {
      push('\\d{2}', (v) => (f.y = 2000 + Number(v)));
      i += 2;
    } else if (rest.startsWith('MM') || rest.startsWith('DD') || rest.startsWith('MI') || rest.startsWith('SS')) {
      const k = rest.slice(0, 2);
      push('\\d{1,2}', (v) => {
        if (k === 'MM') f.mo = Number(v);
        else if (k === 'DD') f.d = Number(v);
        else if (k === 'MI') f.mi = Number(v);
        else f.s = Number(v);
      });
      i += 2;
    } else if (rest.startsWith('AM') || rest.startsWith('PM')) {
      push('AM|PM|am|pm', (v) => (f.pm = v.toUpperCase() === 'PM'));
      i += 2;
    } else {
      rx += /[\s\-/:.,]/.test(fmt[i]!) ? '[\\s\\-/:.,]?' : escapeRe(fmt[i]!);
      i++;
    }
  }
  const m = new RegExp(`^\\s*${rx}\\s*$`).exec(s);
  if (m === null) return null;
  setters.forEach((set, k) => set(m[k + 1] ?? ''));
  if (f.h12) f.h = (f.h % 12) + (f.pm ? 12 : 0);
  const t = parseDateTime(`${String(f.y).padStart(4, '0')}-${f.mo}-${f.d} ${f.h}:${f.mi}:${f.s}`);
  return t === null ? null : { ...t, us: f.us };
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function roundNum(n: Num, digits: number, trunc: boolean): Lit {
  if (n.k === 'dbl') {
    const f = 10 ** digits;
    const r = (trunc ? Math.trunc : (v: number): number => Math.sign(v) * Math.round(Math.abs(v)))(n.v * f) / f;
    return r;
  }
  const d = asDec(n);
  if (digits >= d.scale) return n.k === 'int' ? n.v : dec(d);
  const r = trunc ? { v: d.v / 10n ** BigInt(d.scale - Math.max(digits, 0)), scale: Math.max(digits, 0) } : rescale(d, Math.max(digits, 0));
  return n.k === 'int' || r.scale === 0 ? r.v : dec(r);
}

type Fn = (a: Exclude<Lit, null>[], tz: number) => EvalResult;

function dateFn(get: (t: Temporal) => number | bigint): Fn {
  return (a) => {
    const t = temporalOf(a[0]!);
    if (t === null) return fail('not a date');
    const v = get(t);
    return ok(typeof v === 'bigint' ? v : BigInt(v));
  };
}

const FUNCS: Record<string, Fn> = {
  abs: (a) => {
    const n = toNum(a[0]!);
    if (n === null) return fail('abs of a non-number');
    if (n.k === 'int') return intRes(n.v < 0n ? -n.v : n.v);
    if (n.k === 'dbl') return ok(Math.abs(n.v));
    return ok(dec({ v: n.v.v < 0n ? -n.v.v : n.v.v, scale: n.v.scale }));
  },
  ceil: (a) => ceilFloor(a[0]!, true),
  ceiling: (a) => ceilFloor(a[0]!, true),
  floor: (a) => ceilFloor(a[0]!, false),
  mod: (a) => arith('mod', a[0]!, a[1]!),
  round: (a) => roundFn(a, false),
  truncate: (a) => roundFn(a, true),
  year: dateFn((t) => t.y),
  month: dateFn((t) => t.mo),
  day: dateFn((t) => t.d),
  dayofmonth: dateFn((t) => t.d),
  hour: dateFn((t) => t.h),
  minute: dateFn((t) => t.mi),
  second: dateFn((t) => t.s),
  microsecond: dateFn((t) => t.us),
  quarter: dateFn((t) => Math.floor((t.mo + 2) / 3)),
  dayofyear: dateFn((t) => daysFromCivil(t.y, t.mo, t.d) - daysFromCivil(t.y, 1, 1) + 1),
  dayofweek: dateFn((t) => ((weekday(t) + 1) % 7) + 1),
  weekday: dateFn((t) => weekday(t)),
  to_days: dateFn((t) => daysFromCivil(t.y, t.mo, t.d) + 719528),
  to_seconds: dateFn((t) => (BigInt(daysFromCivil(t.y, t.mo, t.d) + 719528) * 86400n) + BigInt(t.h * 3600 + t.mi * 60 + t.s)),
  time_to_sec: dateFn((t) => (t.neg ? -1 : 1) * (t.h * 3600 + t.mi * 60 + t.s)),
  unix_timestamp: (a, tz) => {
    const t = temporalOf(a[0]!);
    if (t === null) return fail('not a date');
    const us = toMicros(t.kind === 'time' ? fromMicros(0n, 'datetime') : t) - BigInt(tz) * 1_000_000n;
    if (us < 0n) return ok(0n);
    return t.us === 0 ? ok(us / 1_000_000n) : ok(dec({ v: us, scale: 6 }));
  },
  datediff: (a) => {
    const x = temporalOf(a[0]!);
    const y = temporalOf(a[1]!);
    if (x === null || y === null) return fail('not a date');
    return ok(BigInt(daysFromCivil(x.y, x.mo, x.d) - daysFromCivil(y.y, y.mo, y.d)));
  },
  from_days: (a) => {
    const n = toNum(a[0]!);
    if (n === null) return fail('not a number');
    const { y, m, d } = civilFromDays(Number(asDec(n).v) - 719528);
    return ok({ kind: 'date', neg: false, y, mo: m, d, h: 0, mi: 0, s: 0, us: 0 });
  },
  substr: (a) => substr(a),
  substring: (a) => substr(a),
  mid: (a) => substr(a),
  left: (a) => ok(chars(str(a[0]!)).slice(0, Math.max(0, Number(toNum(a[1]!) === null ? 0 : asDouble(toNum(a[1]!)!)))).join('')),
  right: (a) => {
    const s = chars(str(a[0]!));
    const n = toNum(a[1]!);
    const k = n === null ? 0 : Math.max(0, Math.trunc(asDouble(n)));
    return ok(k === 0 ? '' : s.slice(-k).join(''));
  },
  concat: (a) => ok(a.map(str).join('')),
  lower: (a) => ok(str(a[0]!).toLowerCase()),
  upper: (a) => ok(str(a[0]!).toUpperCase()),
  length: (a) => ok(BigInt(Buffer.byteLength(str(a[0]!), 'utf8'))),
  char_length: (a) => ok(BigInt(chars(str(a[0]!)).length)),
  trim: (a) => ok(str(a[0]!).replace(/^ +| +$/g, '')),
  ltrim: (a) => ok(str(a[0]!).replace(/^ +/, '')),
  rtrim: (a) => ok(str(a[0]!).replace(/ +$/, '')),
  replace: (a) => ok(str(a[0]!).split(str(a[1]!)).join(str(a[2]!))),
  date_format: (a) => {
    const t = temporalOf(a[0]!);
    return t === null ? fail('not a date') : ok(dateFormat(t, str(a[1]!)));
  },
  str_to_date: (a) => {
    const t = parseWithFormat(str(a[0]!), str(a[1]!));
    return t === null ? ok(null) : ok(t);
  },
  to_date: (a) => toDate(a),
  to_timestamp: (a) => toDate(a),
  date: (a) => {
    const t = temporalOf(a[0]!);
    return t === null ? fail('not a date') : ok({ ...t, kind: 'date', h: 0, mi: 0, s: 0, us: 0 });
  },
  date_add_days: (a) => {
    const t = temporalOf(a[0]!);
    const n = toNum(a[1]!);
    return t === null || n === null ? fail('bad date_add') : ok(addMicros(t, BigInt(asDouble(n)) * 86_400_000_000n));
  },
};

function toDate(a: Exclude<Lit, null>[]): EvalResult {
  const s = str(a[0]!);
  const t = a.length > 1 ? parseWithFormat(s, str(a[1]!)) : parseDateTime(s);
  if (t === null) return fail(`cannot convert '${s}' to a date`);
  return ok(t.kind === 'date' ? { ...t, kind: 'datetime' } : t);
}

function ceilFloor(x: Exclude<Lit, null>, ceil: boolean): EvalResult {
  const n = toNum(x);
  if (n === null) return fail('not a number');
  if (n.k === 'int') return ok(n.v);
  if (n.k === 'dbl') return ok(ceil ? Math.ceil(n.v) : Math.floor(n.v));
  const d = n.v;
  const div = 10n ** BigInt(d.scale);
  let q = d.v / div;
  const r = d.v % div;
  if (r !== 0n && ceil && d.v > 0n) q += 1n;
  if (r !== 0n && !ceil && d.v < 0n) q -= 1n;
  return intRes(q);
}

function roundFn(a: Exclude<Lit, null>[], trunc: boolean): EvalResult {
  const n = toNum(a[0]!);
  if (n === null) return fail('not a number');
  const dn = a.length > 1 ? toNum(a[1]!) : { k: 'int' as const, v: 0n };
  if (dn === null) return fail('not a number');
  return ok(roundNum(n, Number(asDec(dn).v), trunc));
}

export const FUNCTION_NAMES: ReadonlySet<string> = new Set([...Object.keys(FUNCS), 'ifnull', 'nvl', 'coalesce']);

/** Calls a function by lower-case name. NULL in, NULL out (except the null-handling functions). */
export function callFunction(fn: string, args: Lit[], tz: number): EvalResult {
  if (fn === 'ifnull' || fn === 'nvl' || fn === 'coalesce') return ok(args.find((x) => x !== null) ?? null);
  const f = FUNCS[fn];
  if (f === undefined) return fail(`function ${fn}() is not supported`);
  if (args.some((x) => x === null)) return ok(null);
  const min = fn === 'concat' ? 1 : fn.startsWith('sub') || fn === 'mid' ? 2 : ['mod', 'datediff', 'left', 'right', 'date_format', 'str_to_date', 'replace'].includes(fn) ? 2 : 1;
  if (args.length < min) return fail(`${fn}() needs ${min} arguments`);
  return f(args as Exclude<Lit, null>[], tz);
}

/** Compares two decimals (re-exported for the range code). */
export { compareDecimal };
