// MurmurHash64A against an independent BigInt reference (written from Appleby's description, not from
// murmur.ts) and against SMHasher's published verification value for MurmurHash64A (0x1F0D3804).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { murmur64A, murmur8, HASH_OUT } from '../../../src/route/partition/murmur.js';
import { refMurmur64A, le64 } from './reference.js';

describe('MurmurHash64A', () => {
  test('SMHasher verification value 0x1F0D3804', () => {
    const key = new Uint8Array(256);
    const hashes = new Uint8Array(256 * 8);
    for (let i = 0; i < 256; i++) {
      key[i] = i;
      const h = murmur64A(key.subarray(0, i), BigInt(256 - i));
      hashes.set(le64(h), i * 8);
    }
    const fin = murmur64A(hashes, 0n);
    assert.equal(Number(fin & 0xffffffffn), 0x1f0d3804);
  });

  test('empty input with seed 0 hashes to 0', () => {
    assert.equal(murmur64A(new Uint8Array(0), 0n), 0n);
  });

  test('agrees with the BigInt reference for every length 0..70 and several seeds', () => {
    for (let len = 0; len <= 70; len++) {
      const b = new Uint8Array(len);
      for (let i = 0; i < len; i++) b[i] = (i * 131 + len * 7 + 3) & 0xff;
      for (const seed of [0n, 1n, 0xffffffffffffffffn, 0x8000000000000000n, 0x0123456789abcdefn]) {
        assert.equal(murmur64A(b, seed), refMurmur64A(b, seed), `len ${len} seed ${seed}`);
      }
    }
  });

  test('murmur8 (two 32-bit words) equals hashing the 8 LE bytes', () => {
    for (const v of [0n, 1n, 123n, -1n, -(2n ** 63n), 2n ** 63n - 1n, 0x1234567890n]) {
      const u = BigInt.asUintN(64, v);
      murmur8(Number(u >> 32n), Number(u & 0xffffffffn), 0, 0);
      const got = (BigInt(HASH_OUT[0]!) << 32n) | BigInt(HASH_OUT[1]!);
      assert.equal(got, refMurmur64A(le64(v), 0n), `value ${v}`);
    }
  });
});
