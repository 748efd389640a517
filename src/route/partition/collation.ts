// Collation-aware hashing and comparison of string key values (spec §4.3 "varchar/char/text").
// Hash = ObCharset::hash(cs, bytes, seed, calc_end_space=false, murmurhash64A), MySQL mode:
//   binary (63)            raw bytes, nothing stripped (ob_hash_sort_bin);
//   utf8mb4_bin / utf8_bin  trailing 0x20 stripped, then raw bytes (ob_hash_sort_mb_bin);
//   *_general_ci           trailing 0x20 stripped, each code point replaced by its sort weight (U+FFFD above
//                          U+FFFF), weights written 2 bytes LE into a 128-byte buffer that is hashed and chained
//                          (seed = previous hash) each time it fills (ob_hash_sort_utf8mb4).
// Compare = strnncollsp (PAD SPACE for *_bin/*_general_ci, plain memcmp for binary).
// The general_ci weight table comes from data/general-ci-weights.ts (generated from a real server).

import { Collation } from './types.js';
import { GENERAL_CI_RUNS } from './data/general-ci-weights.js';
import { HASH_OUT, murmurBytes } from './murmur.js';

const HASH_BUFFER_LENGTH = 128;

let weights: Uint16Array | null = null;

function weightTable(): Uint16Array {
  if (weights !== null) return weights;
  const w = new Uint16Array(0x10000);
  for (let i = 0; i < w.length; i++) w[i] = i;
  for (const run of GENERAL_CI_RUNS.split(';')) {
    const [startHex, count, stride, delta] = run.split(',');
    const start = Number.parseInt(startHex ?? '', 16);
    const n = Number(count);
    const s = Number(stride);
    const d = Number(delta);
    for (let i = 0; i < n; i++) {
      const cp = start + i * s;
      w[cp] = cp + d;
    }
  }
  weights = w;
  return w;
}

/** Sort weight of a code point under utf8mb4_general_ci. */
export function generalCiWeight(cp: number): number {
  return cp > 0xffff ? 0xfffd : weightTable()[cp]!;
}

export type CollKind = 'binary' | 'mb_bin' | 'general_ci';

export function collationKind(coll: number): CollKind | null {
  switch (coll) {
    case Collation.Binary:
      return 'binary';
    case Collation.Utf8mb4Bin:
    case Collation.Utf8Bin:
      return 'mb_bin';
    case Collation.Utf8mb4GeneralCi:
    case Collation.Utf8GeneralCi:
      return 'general_ci';
    default:
      return null;
  }
}

// Decoder state: code point and byte length of the last decodeAt() (length <= 0: invalid / truncated).
let dcp = 0;
let dlen = 0;

/** Decodes one UTF-8 (utf8mb4) code point at b[i] (end exclusive) into dcp/dlen. */
function decodeAt(b: Uint8Array, i: number, end: number): void {
  const c = b[i]!;
  dlen = 0;
  if (c < 0x80) {
    dcp = c;
    dlen = 1;
    return;
  }
  let need: number;
  let cp: number;
  if (c >= 0xc2 && c <= 0xdf) {
    need = 1;
    cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    need = 2;
    cp = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    need = 3;
    cp = c & 0x07;
  } else {
    return;
  }
  if (i + need >= end) return;
  for (let k = 1; k <= need; k++) {
    const cc = b[i + k]!;
    if ((cc & 0xc0) !== 0x80) return;
    cp = (cp << 6) | (cc & 0x3f);
  }
  if ((need === 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (need === 3 && (cp < 0x10000 || cp > 0x10ffff))) {
    return;
  }
  dcp = cp;
  dlen = need + 1;
}

/** True when b is well-formed utf8mb4. */
export function isValidUtf8(b: Uint8Array): boolean {
  let i = 0;
  while (i < b.length) {
    decodeAt(b, i, b.length);
    if (dlen <= 0) return false;
    i += dlen;
  }
  return true;
}

/** Number of characters of well-formed UTF-8 bytes. */
export function charCount(b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < b.length; i++) if ((b[i]! & 0xc0) !== 0x80) n++;
  return n;
}

function trimEndSpaces(b: Uint8Array): number {
  let end = b.length;
  while (end > 0 && b[end - 1] === 0x20) end--;
  return end;
}

const chunk = new Uint8Array(HASH_BUFFER_LENGTH + 2);

/** Hashes a string value into HASH_OUT, chaining from (seedHi, seedLo). */
export function hashString(b: Uint8Array, kind: CollKind, seedHi: number, seedLo: number): void {
  if (kind === 'binary') {
    murmurBytes(b, 0, b.length, seedHi, seedLo);
  } else if (kind === 'mb_bin') {
    murmurBytes(b, 0, trimEndSpaces(b), seedHi, seedLo);
  } else {
    hashGeneralCi(b, seedHi, seedLo);
  }
}

function hashGeneralCi(b: Uint8Array, seedHi: number, seedLo: number): void {
  const end = trimEndSpaces(b);
  const w = weightTable();
  // With no character to hash the server makes no hash call: the seed passes through unchanged.
  HASH_OUT[0] = seedHi;
  HASH_OUT[1] = seedLo;
  let length = 0;
  let i = 0;
  while (i < end) {
    decodeAt(b, i, end);
    if (dlen <= 0) break;
    i += dlen;
    const wc = dcp > 0xffff ? 0xfffd : w[dcp]!;
    if (length > HASH_BUFFER_LENGTH - 2) {
      murmurBytes(chunk, 0, length, HASH_OUT[0]!, HASH_OUT[1]!);
      length = 0;
    }
    chunk[length++] = wc & 0xff;
    chunk[length++] = wc >>> 8;
  }
  if (length > 0) {
    murmurBytes(chunk, 0, length, HASH_OUT[0]!, HASH_OUT[1]!);
  }
}

/** strnncollsp: negative / 0 / positive. Both sides share the collation. */
export function compareStrings(a: Uint8Array, b: Uint8Array, kind: CollKind): number {
  if (kind === 'binary') {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  }
  if (kind === 'mb_bin') {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return padCompare(a, b, n, n);
  }
  const w = weightTable();
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    decodeAt(a, i, a.length);
    const la = dlen;
    const ca = dcp;
    decodeAt(b, j, b.length);
    const lb = dlen;
    const cb = dcp;
    if (la <= 0 || lb <= 0) return a[i]! - b[j]!; // malformed: fall back to bytes, as the server does
    const wa = ca > 0xffff ? 0xfffd : w[ca]!;
    const wb = cb > 0xffff ? 0xfffd : w[cb]!;
    if (wa !== wb) return wa - wb;
    i += la;
    j += lb;
  }
  return padCompare(a, b, i, j);
}

/** After a common prefix, the longer side's remaining characters are compared against spaces. */
function padCompare(a: Uint8Array, b: Uint8Array, i: number, j: number): number {
  if (i < a.length) {
    for (let k = i; k < a.length; k++) if (a[k] !== 0x20) return a[k]! < 0x20 ? -1 : 1;
    return 0;
  }
  for (let k = j; k < b.length; k++) if (b[k] !== 0x20) return b[k]! < 0x20 ? 1 : -1;
  return 0;
}
