// Partition hashing (spec §4.3), as the OceanBase 4.x kernel places rows:
//  KEY:  h = 0; for each key column h = murmur(value bytes, seed = h); r = |int64(h)| (INT64_MIN stays
//        2^63 as unsigned); idx = r mod part_num. Value bytes by column type: int -> int64 LE, uint -> uint64
//        LE, float/double -> the value as double (-0 -> 0, NaN canonical), DECIMAL -> ObNumber or decimal-int
//        bytes (number.ts), strings -> collation hash (collation.ts), temporal -> stored int widened to int64.
//        SQL NULL hashes as the 4-byte int ObNullType (= 0): the kernel's datum null_hash. (ODP 4.3.1 hashes
//        NULL as an 8-byte int 0 instead, which disagrees with where the kernel stores the row.)
//  HASH (MySQL mode): v = int64 of the (single) expression value, uint reinterpreted as int64, YEAR as its
//        stored byte; NULL -> 0; v = |v| (INT64_MIN -> INT64_MAX); idx = v mod part_num. No hash function.

import { collationKind, hashString } from './collation.js';
import { HASH_OUT, murmur8, murmurBytes } from './murmur.js';
import { decimalIntBytes, obNumberBytes } from './number.js';
import { ObjType, type PartKeyColumn, type Val } from './types.js';

const ZERO4 = new Uint8Array(4);
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function hashInt64(v: bigint, seedHi: number, seedLo: number): void {
  const u = BigInt.asUintN(64, v);
  murmur8(Number(u >> 32n), Number(u & 0xffffffffn), seedHi, seedLo);
}

/** Hashes one cast key value, chaining from seed; result in HASH_OUT. False when unhashable. */
export function hashVal(val: Val, col: PartKeyColumn, seedHi: number, seedLo: number): boolean {
  switch (val.t) {
    case 'null':
      if (col.objType === ObjType.DecimalInt) {
        // decimal-int columns hash NULL as "no bytes": the seed passes through (kernel vectors)
        HASH_OUT[0] = seedHi;
        HASH_OUT[1] = seedLo;
        return true;
      }
      murmurBytes(ZERO4, 0, 4, seedHi, seedLo);
      break;
    case 'int':
    case 'uint':
    case 'time':
      hashInt64(val.v, seedHi, seedLo);
      break;
    case 'double': {
      let d = val.v;
      if (d === 0) d = 0;
      else if (Number.isNaN(d)) d = NaN;
      f64[0] = d;
      // Little-endian host assumed (x86/ARM): u32[0] is the low word.
      murmur8(u32[1]!, u32[0]!, seedHi, seedLo);
      break;
    }
    case 'decimal': {
      const bytes = col.objType === ObjType.DecimalInt ? decimalIntBytes(val.v) : obNumberBytes({ v: val.v, scale: val.scale });
      murmurBytes(bytes, 0, bytes.length, seedHi, seedLo);
      break;
    }
    case 'str': {
      const kind = collationKind(val.coll);
      if (kind === null) return false;
      hashString(val.b, kind, seedHi, seedLo);
      break;
    }
    case 'max':
    case 'min':
      return false;
  }
  return true;
}

/** |int64(hi:lo)| as unsigned, mod n (n >= 1). */
export function absMod(hi: number, lo: number, n: number): number {
  let h = hi >>> 0;
  let l = lo >>> 0;
  if (h & 0x80000000) {
    l = (~l + 1) >>> 0;
    h = (~h + (l === 0 ? 1 : 0)) >>> 0;
  }
  if (n <= 0x100000) return ((h % n) * 4294967296 + l) % n;
  return Number(((BigInt(h) << 32n) | BigInt(l)) % BigInt(n));
}

/** KEY partition index of cast values (all key columns in order). Null when a value is unhashable. */
export function keyPartIndex(vals: readonly Val[], cols: readonly PartKeyColumn[], n: number): number | null {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < vals.length; i++) {
    if (!hashVal(vals[i]!, cols[i]!, hi, lo)) return null;
    hi = HASH_OUT[0]!;
    lo = HASH_OUT[1]!;
  }
  return absMod(hi, lo, n);
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** MySQL-mode HASH index of the expression value; null when the value is not integer-class. */
export function hashPartIndex(val: Val, n: number): number | null {
  let v: bigint;
  switch (val.t) {
    case 'null':
      return 0;
    case 'int':
    case 'uint':
      v = BigInt.asIntN(64, val.v);
      break;
    case 'time':
      if (val.objType !== ObjType.Year) return null;
      v = val.v;
      break;
    case 'double':
    case 'decimal':
    case 'str':
    case 'max':
    case 'min':
      return null;
  }
  if (v === INT64_MIN) v = INT64_MAX;
  else if (v < 0n) v = -v;
  return Number(v % BigInt(n));
}
