// Ordering of cast key values for RANGE / LIST partitions (OceanBase ObObj compare, MySQL mode):
// NULL sorts before every value (so NULL lands in the first RANGE partition), MAXVALUE after every value,
// numbers compare by value across int/uint/decimal/double, strings with their collation (PAD SPACE for
// *_bin and *_general_ci), temporal values by their stored integer.

import { collationKind, compareStrings } from './collation.js';
import { compareDecimal } from './number.js';
import type { Val } from './types.js';

function rank(v: Val): number {
  return v.t === 'min' ? 0 : v.t === 'null' ? 1 : v.t === 'max' ? 3 : 2;
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

function numericCompare(a: Val, b: Val): number | null {
  const da = a.t === 'int' || a.t === 'uint' ? { v: a.v, scale: 0 } : a.t === 'decimal' ? a : null;
  const db = b.t === 'int' || b.t === 'uint' ? { v: b.v, scale: 0 } : b.t === 'decimal' ? b : null;
  if (da !== null && db !== null) return compareDecimal(da, db);
  const fa = a.t === 'double' ? a.v : da === null ? null : Number(da.v) / 10 ** da.scale;
  const fb = b.t === 'double' ? b.v : db === null ? null : Number(db.v) / 10 ** db.scale;
  if (fa === null || fb === null) return null;
  return sign(fa - fb);
}

/** Negative / 0 / positive; null when the two values are not comparable. */
export function compareVal(a: Val, b: Val): number | null {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== 2 || rb !== 2) return ra - rb;
  if (a.t === 'str' && b.t === 'str') {
    const kind = collationKind(a.coll);
    return kind === null ? null : sign(compareStrings(a.b, b.b, kind));
  }
  if (a.t === 'time' && b.t === 'time') return a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
  return numericCompare(a, b);
}

/** Lexicographic row compare; a MAXVALUE column decides the row. */
export function compareRow(key: readonly Val[], bound: readonly Val[]): number | null {
  const n = Math.min(key.length, bound.length);
  for (let i = 0; i < n; i++) {
    const c = compareVal(key[i]!, bound[i]!);
    if (c === null) return null;
    if (c !== 0) return c;
  }
  return key.length - bound.length;
}

/** LIST membership: equal in every column (NULL matches NULL). */
export function rowEquals(key: readonly Val[], row: readonly Val[]): boolean {
  if (key.length !== row.length) return false;
  for (let i = 0; i < key.length; i++) if (compareVal(key[i]!, row[i]!) !== 0) return false;
  return true;
}
