// Exact decimal parsing, rounding and the two OceanBase decimal encodings used for KEY hashing (spec §4.3):
//  - ObNumber (ObNumberType 15): hashed as the 1-byte `se` (sign bit 7, 7-bit exponent) followed by `len`
//    base-10^9 digits as uint32 LE. Zero = len 0, se 0x80. Positive: se = 0x80 | (0x40 + exp);
//    negative: se = 0x7f & ~(0x40 + exp), digits are magnitudes. The negative encoding is from memory of
//    ob_number_v2.h and is **uncertain** (the spec does not give it); the kernel vectors decide.
//  - ObDecimalIntType (50, OB >= 4.2 MySQL-mode DECIMAL): value * 10^scale as two's-complement uint32 LE
//    words, trimmed to the fewest words that still sign-extend to the value (obproxy
//    `ObPartDesc::decimal_int_murmur_hash`), then murmur over those bytes.

export interface Decimal {
  /** Unscaled value: the number is v / 10^scale. */
  readonly v: bigint;
  readonly scale: number;
}

const DEC_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Parses a decimal literal exactly ('1.50', '-2e3', '.5'); null when it is not a number. */
export function parseDecimal(text: string): Decimal | null {
  const m = DEC_RE.exec(text.trim());
  if (m === null) return null;
  const intPart = m[2] ?? '';
  const frac = m[3] ?? '';
  if (intPart.length === 0 && frac.length === 0) return null;
  let scale = frac.length;
  let v = BigInt((intPart || '0') + frac);
  const e = m[4] === undefined ? 0 : Number.parseInt(m[4], 10);
  if (!Number.isFinite(e) || Math.abs(e) > 400) return null;
  scale -= e;
  if (scale < 0) {
    v *= 10n ** BigInt(-scale);
    scale = 0;
  }
  if (m[1] === '-') v = -v;
  return { v, scale };
}

/** Rounds half away from zero to `scale` digits (MySQL DECIMAL rounding). */
export function rescale(d: Decimal, scale: number): Decimal {
  if (d.scale === scale) return d;
  if (d.scale < scale) return { v: d.v * 10n ** BigInt(scale - d.scale), scale };
  const div = 10n ** BigInt(d.scale - scale);
  const neg = d.v < 0n;
  const mag = neg ? -d.v : d.v;
  let q = mag / div;
  if ((mag % div) * 2n >= div) q += 1n;
  return { v: neg ? -q : q, scale };
}

/** Rounds half away from zero to an integer. */
export function decimalToInteger(d: Decimal): bigint {
  return rescale(d, 0).v;
}

export function compareDecimal(a: Decimal, b: Decimal): number {
  const s = Math.max(a.scale, b.scale);
  const x = rescale(a, s).v;
  const y = rescale(b, s).v;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Exact decimal of a finite double (shortest round-trip text). */
export function decimalFromDouble(n: number): Decimal | null {
  if (!Number.isFinite(n)) return null;
  return parseDecimal(String(n));
}

const BASE = 1000000000n;

/** ObNumber encoding: the `se` byte and base-10^9 digits (most significant first), for hashing. */
export function toObNumber(d: Decimal): { se: number; digits: number[] } {
  if (d.v === 0n) return { se: 0x80, digits: [] };
  const neg = d.v < 0n;
  let mag = neg ? -d.v : d.v;
  // Align the fraction to whole base-10^9 groups.
  let scale = d.scale;
  const pad = (9 - (scale % 9)) % 9;
  mag *= 10n ** BigInt(pad);
  scale += pad;
  const fracGroups = scale / 9;
  const groups: number[] = [];
  while (mag > 0n) {
    groups.push(Number(mag % BASE));
    mag /= BASE;
  }
  // groups is least significant first; position i has weight BASE^(i - fracGroups).
  let lo = 0;
  while (groups[lo] === 0) lo++;
  const hi = groups.length - 1;
  const exp = hi - fracGroups;
  const digits: number[] = [];
  for (let i = hi; i >= lo; i--) digits.push(groups[i]!);
  const e = (0x40 + exp) & 0x7f;
  const se = neg ? 0x7f & ~e : 0x80 | e;
  return { se, digits };
}

/** Bytes hashed for an ObNumber: se then digits as uint32 LE. */
export function obNumberBytes(d: Decimal): Uint8Array {
  const { se, digits } = toObNumber(d);
  const out = new Uint8Array(1 + digits.length * 4);
  out[0] = se;
  const view = new DataView(out.buffer);
  digits.forEach((g, i) => view.setUint32(1 + i * 4, g, true));
  return out;
}

/** Bytes hashed for a decimal int: minimal two's-complement uint32 LE words. */
export function decimalIntBytes(unscaled: bigint): Uint8Array {
  const words: number[] = [];
  let x = BigInt.asUintN(256, unscaled);
  for (let i = 0; i < 8; i++) {
    words.push(Number(x & 0xffffffffn));
    x >>= 32n;
  }
  let last = words.length - 1;
  if (words[last] === 0xffffffff) {
    while (last > 0 && words[last] === 0xffffffff && (words[last - 1]! & 0x80000000) !== 0) last--;
  } else if (words[last] === 0) {
    while (last > 0 && words[last] === 0 && (words[last - 1]! & 0x80000000) === 0) last--;
  }
  const out = new Uint8Array((last + 1) * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i <= last; i++) view.setUint32(i * 4, words[i]!, true);
  return out;
}

/** Number of digits of |v| (0 has 1). */
export function digitCount(v: bigint): number {
  return (v < 0n ? -v : v).toString().length;
}
