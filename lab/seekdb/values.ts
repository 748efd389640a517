// Key values for the partition vector catalogue: edge values per column type plus deterministic
// pseudo-random fill. Values are SQL text (null = SQL NULL); numeric types are inserted unquoted,
// every other type as a quoted string literal (see literal()).

/** mulberry32: small deterministic PRNG so regenerated vectors are identical run to run. */
export function prng(seedText: string): () => number {
  let a = 0x9e3779b9;
  for (let i = 0; i < seedText.length; i++) a = Math.imul(a ^ seedText.charCodeAt(i), 0x85ebca6b) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;

const INT_BITS = { tinyint: 8, smallint: 16, mediumint: 24, int: 32, bigint: 64 } as const;
export type IntKind = keyof typeof INT_BITS;

export function intRange(kind: IntKind, unsigned: boolean): { min: bigint; max: bigint } {
  const bits = BigInt(INT_BITS[kind]);
  return unsigned ? { min: 0n, max: (1n << bits) - 1n } : { min: -(1n << (bits - 1n)), max: (1n << (bits - 1n)) - 1n };
}

function randBig(rand: Rand, min: bigint, max: bigint): bigint {
  const span = max - min + 1n;
  let r = 0n;
  for (let i = 0; i < 3; i++) r = (r << 32n) | BigInt(Math.floor(rand() * 4294967296));
  return min + (r % span);
}

/** Edge values (min, max, ±1, 0, small) and `n` random values, mixed small and full-range. */
export function intValues(kind: IntKind, unsigned: boolean, rand: Rand, n: number): string[] {
  const { min, max } = intRange(kind, unsigned);
  const edge = [min, min + 1n, max - 1n, max, 0n, 1n, 2n, 3n, 7n, 100n, 127n, 128n, 255n, 256n, 65535n, 65536n,
    2147483647n, 2147483648n, 4294967295n, 4294967296n, 9223372036854775807n, 9223372036854775808n];
  const neg = unsigned ? [] : [-1n, -2n, -3n, -7n, -100n, -128n, -129n, -32768n, -2147483648n, -2147483649n, -9223372036854775808n];
  const out = new Set<string>();
  for (const v of [...edge, ...neg]) if (v >= min && v <= max) out.add(v.toString());
  for (let i = 0; i < n; i++) {
    const small = i % 2 === 0;
    const lo = small ? (unsigned ? 0n : -1000n) : min;
    const hi = small ? 1000n : max;
    out.add(randBig(rand, lo > min ? lo : min, hi < max ? hi : max).toString());
  }
  return [...out];
}

/** Decimal values for DECIMAL(p, s), all within range. */
export function decimalValues(p: number, s: number, rand: Rand, n: number): string[] {
  const intDigits = p - s;
  const nines = (k: number): string => (k > 0 ? '9'.repeat(k) : '0');
  const frac = (k: number): string => (s > 0 ? '.' + k.toString().padStart(s, '0').slice(0, s) : '');
  const out = new Set<string>(['0', '1', '-1', '0.5', '-0.5', '10', '100', '1.0', '-0', '123.45', '-123.45']);
  out.add(nines(intDigits) + (s > 0 ? '.' + '9'.repeat(s) : ''));
  out.add('-' + nines(intDigits) + (s > 0 ? '.' + '9'.repeat(s) : ''));
  if (s > 0) out.add('0.' + '0'.repeat(s - 1) + '1');
  for (let i = 0; i < n; i++) {
    const digits = 1 + Math.floor(rand() * Math.min(intDigits, 18));
    const ip = Math.floor(rand() * 10 ** digits).toString();
    const sign = rand() < 0.4 ? '-' : '';
    out.add(sign + ip + frac(Math.floor(rand() * 1e9)));
  }
  return [...out];
}

export function floatValues(isDouble: boolean, rand: Rand, n: number): string[] {
  const out = new Set<string>(['0', '-0', '1', '-1', '0.5', '-0.5', '1.5', '3.25', '100', '1e10', '-1e10', '123456.75']);
  out.add(isDouble ? '1.7976931348623157e308' : '3.4e38');
  out.add(isDouble ? '-2.2250738585072014e-308' : '-1.17549435e-38');
  for (let i = 0; i < n; i++) {
    const v = (rand() - 0.5) * 10 ** Math.floor(rand() * 12);
    // Values exactly representable in float32 so FLOAT and DOUBLE columns store what was written.
    out.add(Math.fround(v).toString());
  }
  return [...out];
}

const STRING_EDGES = ['', ' ', '  ', 'a', 'A', 'a ', 'A  ', 'b', 'abc', 'ABC', 'Abc', 'abc ', 'abc  ', ' abc', 'z', 'Z',
  '0', '1', '10', '9', 'ß', 'ss', 'SS', 'é', 'e', 'E', 'É', 'ä', 'Ä', 'ÿ', 'ǅ', 'ǆ', 'Ω', 'ω', '中', '中文', '中文 ', '日本語',
  '😀', 'a😀', '𝄞', 'ﬀ', 'Ａ', 'ａ', 'a\tb', 'x_y', "o'k", 'back\\slash', 'p%q', '-', 'zzzz', 'ZZZZ', 'hello world', 'HELLO WORLD'];
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-éÉüÜßçÇ中文字😀';

/** Strings of at most `maxChars` code points: case/accent/space variants, multi-byte, and random ones. */
export function stringValues(maxChars: number, rand: Rand, n: number): string[] {
  const alpha = [...ALPHABET];
  const out = new Set<string>(STRING_EDGES.filter((s) => [...s].length <= maxChars));
  for (let i = 0; i < n; i++) {
    const len = 1 + Math.floor(rand() * Math.min(maxChars, 12));
    let s = '';
    for (let j = 0; j < len; j++) s += alpha[Math.floor(rand() * alpha.length)] ?? 'x';
    out.add(s);
  }
  return [...out];
}

const pad2 = (v: number): string => v.toString().padStart(2, '0');

function randDate(rand: Rand, y0: number, y1: number): string {
  const y = y0 + Math.floor(rand() * (y1 - y0 + 1));
  return `${y.toString().padStart(4, '0')}-${pad2(1 + Math.floor(rand() * 12))}-${pad2(1 + Math.floor(rand() * 28))}`;
}

function randTime(rand: Rand): string {
  return `${pad2(Math.floor(rand() * 24))}:${pad2(Math.floor(rand() * 60))}:${pad2(Math.floor(rand() * 60))}`;
}

export function dateValues(rand: Rand, n: number): string[] {
  const out = new Set<string>(['1000-01-01', '9999-12-31', '1970-01-01', '1969-12-31', '2000-01-01', '1999-12-31',
    '2000-02-29', '2024-02-29', '2038-01-19', '2038-01-20', '2010-01-01', '2009-12-31', '2020-01-01', '2019-12-31', '0001-01-01']);
  for (let i = 0; i < n; i++) out.add(randDate(rand, 1900, 2100));
  return [...out];
}

export function datetimeValues(rand: Rand, n: number, fsp: number): string[] {
  const frac = fsp > 0 ? '.' + '123456'.slice(0, fsp) : '';
  const out = new Set<string>(['1000-01-01 00:00:00', '9999-12-31 23:59:59', '1970-01-01 00:00:00', '1970-01-01 00:00:01',
    '2000-01-01 00:00:00', '1999-12-31 23:59:59', '2038-01-19 03:14:07', '2038-01-19 03:14:08', '2020-01-01 00:00:00',
    `2021-06-15 12:30:45${frac}`]);
  for (let i = 0; i < n; i++) out.add(`${randDate(rand, 1900, 2100)} ${randTime(rand)}${fsp > 0 && i % 2 === 0 ? frac : ''}`);
  return [...out];
}

/** TIMESTAMP range is 1970-01-01 00:00:01 .. 2038-01-19 03:14:07 UTC; the session time zone is +00:00. */
export function timestampValues(rand: Rand, n: number): string[] {
  const out = new Set<string>(['1970-01-01 00:00:01', '2038-01-19 03:14:07', '2000-01-01 00:00:00', '1999-12-31 23:59:59',
    '2020-01-01 00:00:00', '2001-09-09 01:46:40']);
  for (let i = 0; i < n; i++) out.add(`${randDate(rand, 1971, 2037)} ${randTime(rand)}`);
  return [...out];
}

export function yearValues(rand: Rand, n: number): string[] {
  const out = new Set<string>(['1901', '2155', '0', '1970', '1969', '2000', '1999', '69', '70', '99', '1', '2024']);
  for (let i = 0; i < n; i++) out.add((1901 + Math.floor(rand() * 255)).toString());
  return [...out];
}

export function timeValues(rand: Rand, n: number): string[] {
  const out = new Set<string>(['00:00:00', '-838:59:59', '838:59:59', '23:59:59', '-00:00:01', '12:00:00', '100:00:00']);
  for (let i = 0; i < n; i++) out.add((rand() < 0.2 ? '-' : '') + randTime(rand));
  return [...out];
}

/** SQL literal for a value of a column whose declared type is `sqlType`. */
export function literal(sqlType: string, v: string | null): string {
  if (v === null) return 'NULL';
  if (/^(tinyint|smallint|mediumint|int|bigint|decimal|float|double|year)\b/i.test(sqlType)) return v;
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}
