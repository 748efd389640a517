// MurmurHash64A (Austin Appleby, 64-bit, little-endian reads) as OceanBase uses it for KEY partitioning
// (spec §4.3, `murmurhash64A` in src/lib/hash_func/murmur_hash.cpp). 64-bit arithmetic is done on two
// unsigned 32-bit halves with Math.imul: no BigInt and no allocation per call. Results and the multiply
// scratch live in Uint32Arrays (a uint32 kept in a module variable would be boxed as a heap number on every
// store). Read HASH_OUT right after the call; the next call overwrites it. Cost: ~12 Math.imul per block.

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;

/** [high, low] unsigned 32-bit halves of the last hash computed. */
export const HASH_OUT = new Uint32Array(2);

// [high, low] of the last mul64 product, and the running h of a hash in progress.
const MUL = new Uint32Array(2);
const H = new Uint32Array(2);

/** (aHi:aLo) * (bHi:bLo) mod 2^64 into MUL. */
function mul64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const a0 = aLo & 0xffff;
  const a1 = aLo >>> 16;
  const b0 = bLo & 0xffff;
  const b1 = bLo >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  MUL[1] = ((mid & 0xffff) << 16) | (p00 & 0xffff);
  MUL[0] = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(aHi, bLo) + Math.imul(aLo, bHi);
}

function init(len: number, seedHi: number, seedLo: number): void {
  // h = seed ^ (len * m), len promoted to uint64
  mul64(0, len >>> 0, M_HI, M_LO);
  H[0] = seedHi ^ MUL[0]!;
  H[1] = seedLo ^ MUL[1]!;
}

function mixBlock(kHi: number, kLo: number): void {
  mul64(kHi, kLo, M_HI, M_LO);
  // k ^= k >> 47: the high word shifted right by 15 lands in the low word
  const xHi = MUL[0]!;
  const xLo = MUL[1]! ^ (xHi >>> 15);
  mul64(xHi, xLo, M_HI, M_LO);
  mul64(H[0]! ^ MUL[0]!, H[1]! ^ MUL[1]!, M_HI, M_LO);
  H[0] = MUL[0]!;
  H[1] = MUL[1]!;
}

function finish(): void {
  const hHi = H[0]!;
  mul64(hHi, H[1]! ^ (hHi >>> 15), M_HI, M_LO);
  const rHi = MUL[0]!;
  HASH_OUT[0] = rHi;
  HASH_OUT[1] = MUL[1]! ^ (rHi >>> 15);
}

/** Hash of exactly 8 bytes given as two LE 32-bit words (an int64/uint64/double in memory). */
export function murmur8(wordHi: number, wordLo: number, seedHi: number, seedLo: number): void {
  init(8, seedHi, seedLo);
  mixBlock(wordHi, wordLo);
  finish();
}

/** Hash of bytes[start, end) with a 64-bit seed. */
export function murmurBytes(bytes: Uint8Array, start: number, end: number, seedHi: number, seedLo: number): void {
  const len = end - start;
  init(len, seedHi, seedLo);
  let p = start;
  const blockEnd = start + (len & ~7);
  while (p < blockEnd) {
    const lo = bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24);
    const hi = bytes[p + 4]! | (bytes[p + 5]! << 8) | (bytes[p + 6]! << 16) | (bytes[p + 7]! << 24);
    mixBlock(hi, lo);
    p += 8;
  }
  const tail = len & 7;
  if (tail > 0) {
    let tLo = 0;
    let tHi = 0;
    for (let i = 0; i < tail; i++) {
      const b = bytes[p + i]!;
      if (i < 4) tLo |= b << (8 * i);
      else tHi |= b << (8 * (i - 4));
    }
    mul64(H[0]! ^ tHi, H[1]! ^ tLo, M_HI, M_LO);
    H[0] = MUL[0]!;
    H[1] = MUL[1]!;
  }
  finish();
}

// 8 * M mod 2^64: the initial h for an 8-byte key and seed 0.
const H8_HI = 0x3525_3c9a >>> 0;
const H8_LO = 0xde8f_4ca8 >>> 0;

/**
 * KEY partition index of one int64 column given as a safe-integer JS number: murmur of its 8 LE bytes with
 * seed 0, |int64| as unsigned, mod n (n <= 2^20). The hot path: one function, every 64-bit product inlined,
 * so no uint32 crosses a call boundary (V8 would box it) and nothing is allocated.
 */
export function keyIndexSafeInt(v: number, n: number): number {
  const fh = Math.floor(v / 4294967296);
  let kh = fh >>> 0;
  let kl = (v - fh * 4294967296) >>> 0;
  let a0: number, a1: number, p00: number, p01: number, p10: number, mid: number, rl: number, rh: number;
  // k *= M
  a0 = kl & 0xffff; a1 = kl >>> 16; p00 = a0 * 0xe995; p01 = a0 * 0x5bd1; p10 = a1 * 0xe995;
  mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  rl = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  rh = (a1 * 0x5bd1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(kh, M_LO) + Math.imul(kl, M_HI)) >>> 0;
  // k ^= k >> 47; k *= M
  kh = rh;
  kl = (rl ^ (rh >>> 15)) >>> 0;
  a0 = kl & 0xffff; a1 = kl >>> 16; p00 = a0 * 0xe995; p01 = a0 * 0x5bd1; p10 = a1 * 0xe995;
  mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  rl = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  rh = (a1 * 0x5bd1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(kh, M_LO) + Math.imul(kl, M_HI)) >>> 0;
  // h ^= k; h *= M
  kh = (H8_HI ^ rh) >>> 0;
  kl = (H8_LO ^ rl) >>> 0;
  a0 = kl & 0xffff; a1 = kl >>> 16; p00 = a0 * 0xe995; p01 = a0 * 0x5bd1; p10 = a1 * 0xe995;
  mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  rl = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  rh = (a1 * 0x5bd1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(kh, M_LO) + Math.imul(kl, M_HI)) >>> 0;
  // h ^= h >> 47; h *= M; h ^= h >> 47
  kh = rh;
  kl = (rl ^ (rh >>> 15)) >>> 0;
  a0 = kl & 0xffff; a1 = kl >>> 16; p00 = a0 * 0xe995; p01 = a0 * 0x5bd1; p10 = a1 * 0xe995;
  mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  rl = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  rh = (a1 * 0x5bd1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(kh, M_LO) + Math.imul(kl, M_HI)) >>> 0;
  let hh = rh;
  let hl = (rl ^ (rh >>> 15)) >>> 0;
  // |int64| as unsigned, then mod n
  if (hh >= 0x80000000) {
    hl = (~hl + 1) >>> 0;
    hh = (~hh + (hl === 0 ? 1 : 0)) >>> 0;
  }
  return ((hh % n) * 4294967296 + hl) % n;
}

/** Convenience (allocates): the hash as an unsigned bigint. For tests and cold paths only. */
export function murmur64A(bytes: Uint8Array, seed: bigint = 0n): bigint {
  const s = BigInt.asUintN(64, seed);
  murmurBytes(bytes, 0, bytes.length, Number(s >> 32n), Number(s & 0xffffffffn));
  return (BigInt(HASH_OUT[0]!) << 32n) | BigInt(HASH_OUT[1]!);
}
