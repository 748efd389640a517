// KEY / HASH partition functions (spec §4.3) against the BigInt reference and hand-derived byte layouts.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { absMod, hashPartIndex, keyPartIndex } from '../../../src/route/partition/hash.js';
import { decimalIntBytes, obNumberBytes, parseDecimal, rescale } from '../../../src/route/partition/number.js';
import { ObjType, type PartKeyColumn, type Val } from '../../../src/route/partition/types.js';
import { le32, le64, refKeyIndex, refMurmur64A } from './reference.js';

function col(objType: number, collation = 63): PartKeyColumn {
  return { name: 'c', level: 1, idx: 0, objType, collation, length: -1, precision: -1, scale: -1, extra: '' };
}

describe('KEY partition index', () => {
  test('signed integers hash as int64 LE with seed 0', () => {
    for (const v of [0n, 1n, 123n, -1n, -123456789012n, 2n ** 63n - 1n, -(2n ** 63n)]) {
      for (const n of [1, 2, 3, 7, 16, 1000]) {
        const got = keyPartIndex([{ t: 'int', v }], [col(ObjType.Int)], n);
        assert.equal(got, refKeyIndex([[le64(v)]], n), `v=${v} n=${n}`);
      }
    }
  });

  test('unsigned integers hash as uint64 (same bytes as the int64 of the same bits)', () => {
    const v = 2n ** 64n - 1n;
    assert.equal(keyPartIndex([{ t: 'uint', v }], [col(ObjType.UInt64)], 13), refKeyIndex([[le64(-1n)]], 13));
  });

  test('multi-column keys chain the seed', () => {
    const got = keyPartIndex(
      [
        { t: 'int', v: 42n },
        { t: 'int', v: -7n },
      ],
      [col(ObjType.Int), col(ObjType.TinyInt)],
      11,
    );
    assert.equal(got, refKeyIndex([[le64(42n)], [le64(-7n)]], 11));
  });

  test('NULL hashes as the kernel 4-byte ObNullType (0)', () => {
    const got = keyPartIndex([{ t: 'null' }], [col(ObjType.Int)], 97);
    assert.equal(got, refKeyIndex([[le32(0)]], 97));
    assert.notEqual(refKeyIndex([[le32(0)]], 97), refKeyIndex([[le64(0n)]], 97), 'the test distinguishes 4 from 8 bytes');
  });

  test('double: value bits, -0 folded to +0; float widened to double', () => {
    const bits = (d: number): Uint8Array => new Uint8Array(Float64Array.of(d).buffer);
    assert.equal(keyPartIndex([{ t: 'double', v: 1.5 }], [col(ObjType.Double)], 7), refKeyIndex([[bits(1.5)]], 7));
    assert.equal(keyPartIndex([{ t: 'double', v: -0 }], [col(ObjType.Double)], 1000), refKeyIndex([[bits(0)]], 1000));
  });

  test('temporal stored integers hash as int64', () => {
    const v: Val = { t: 'time', objType: ObjType.Date, v: 19723n };
    assert.equal(keyPartIndex([v], [col(ObjType.Date)], 5), refKeyIndex([[le64(19723n)]], 5));
  });

  test('|INT64_MIN| is 2^63 as unsigned before the mod', () => {
    assert.equal(absMod(0x80000000, 0, 7), Number(2n ** 63n % 7n));
    assert.equal(absMod(0xffffffff, 0xffffffff, 7), 1); // -1 -> 1
    assert.equal(absMod(0x80000000, 0, 3_000_000), Number(2n ** 63n % 3_000_000n)); // BigInt branch
  });

  test('strings: binary keeps trailing spaces, utf8mb4_bin strips them', () => {
    const ab = Buffer.from('ab ');
    const bin = keyPartIndex([{ t: 'str', b: ab, coll: 63 }], [col(ObjType.Varchar, 63)], 1009);
    assert.equal(bin, refKeyIndex([[ab]], 1009));
    const mb = keyPartIndex([{ t: 'str', b: ab, coll: 46 }], [col(ObjType.Varchar, 46)], 1009);
    assert.equal(mb, refKeyIndex([[Buffer.from('ab')]], 1009));
  });

  test('utf8mb4_general_ci hashes 2-byte LE sort weights in 128-byte chained chunks', () => {
    // weights: a..z -> A..Z, é -> E, ß -> S, U+1F600 -> U+FFFD; 70 chars => chunks of 64 + 6 weights
    const text = 'abcdefghijklmnopqrstuvwxyz'.repeat(2) + 'éßABCDEFGHIJ' + '😀' + 'xyzé  ';
    const weights: number[] = [];
    for (const ch of text.replace(/ +$/, '')) {
      const cp = ch.codePointAt(0)!;
      weights.push(cp === 0xe9 ? 0x45 : cp === 0xdf ? 0x53 : cp > 0xffff ? 0xfffd : cp >= 0x61 && cp <= 0x7a ? cp - 32 : cp);
    }
    const bytes = weights.flatMap((w) => [w & 0xff, w >> 8]);
    let h = 0n;
    for (let i = 0; i < bytes.length; i += 128) h = refMurmur64A(Uint8Array.from(bytes.slice(i, i + 128)), h);
    let s = BigInt.asIntN(64, h);
    if (s < 0n) s = -s;
    const got = keyPartIndex([{ t: 'str', b: Buffer.from(text), coll: 45 }], [col(ObjType.Varchar, 45)], 4093);
    assert.equal(got, Number(s % 4093n));
    const upper = keyPartIndex([{ t: 'str', b: Buffer.from(text.replace(/[a-z]/g, (c) => c.toUpperCase()).replace(/é/g, 'É')), coll: 45 }], [col(ObjType.Varchar, 45)], 4093);
    assert.equal(upper, got, 'case-insensitive');
  });

  test('general_ci empty string leaves the seed unchanged', () => {
    const got = keyPartIndex(
      [
        { t: 'str', b: Buffer.from('   '), coll: 45 },
        { t: 'int', v: 5n },
      ],
      [col(ObjType.Varchar, 45), col(ObjType.Int)],
      101,
    );
    assert.equal(got, refKeyIndex([[], [le64(5n)]], 101));
  });
});

describe('decimal encodings', () => {
  test('decimal int: minimal two-complement 32-bit words', () => {
    assert.deepEqual([...decimalIntBytes(5n)], [5, 0, 0, 0]);
    assert.deepEqual([...decimalIntBytes(-1n)], [0xff, 0xff, 0xff, 0xff]);
    assert.deepEqual([...decimalIntBytes(2n ** 31n)], [0, 0, 0, 0x80, 0, 0, 0, 0]);
    assert.deepEqual([...decimalIntBytes(-(2n ** 31n))], [0, 0, 0, 0x80]);
    assert.deepEqual([...decimalIntBytes(2n ** 32n)], [0, 0, 0, 0, 1, 0, 0, 0]);
  });

  test('ObNumber: se byte and base-1e9 digits', () => {
    const nb = (s: string): number[] => [...obNumberBytes(parseDecimal(s)!)];
    assert.deepEqual(nb('0'), [0x80]);
    assert.deepEqual(nb('123'), [0xc0, ...le32(123)]);
    assert.deepEqual(nb('1.5'), [0xc0, ...le32(1), ...le32(500000000)]);
    assert.deepEqual(nb('0.5'), [0xbf, ...le32(500000000)]);
    assert.deepEqual(nb('1000000000'), [0xc1, ...le32(1)]);
    assert.deepEqual(nb('12.50'), nb('12.5'), 'trailing zeros are not digits');
  });

  test('rescale rounds half away from zero', () => {
    assert.equal(rescale(parseDecimal('1.005')!, 2).v, 101n);
    assert.equal(rescale(parseDecimal('-1.005')!, 2).v, -101n);
    assert.equal(rescale(parseDecimal('1.004')!, 2).v, 100n);
    assert.equal(rescale(parseDecimal('2e3')!, 0).v, 2000n);
  });
});

describe('MySQL HASH index', () => {
  test('|v| mod n, NULL -> 0, INT64_MIN -> INT64_MAX, uint reinterpreted', () => {
    assert.equal(hashPartIndex({ t: 'int', v: 10n }, 4), 2);
    assert.equal(hashPartIndex({ t: 'int', v: -10n }, 4), 2);
    assert.equal(hashPartIndex({ t: 'null' }, 4), 0);
    assert.equal(hashPartIndex({ t: 'int', v: -(2n ** 63n) }, 10), Number((2n ** 63n - 1n) % 10n));
    assert.equal(hashPartIndex({ t: 'uint', v: 2n ** 64n - 1n }, 10), 1);
    assert.equal(hashPartIndex({ t: 'time', objType: ObjType.Year, v: 124n }, 10), 4, 'YEAR hashes its stored byte');
    assert.equal(hashPartIndex({ t: 'double', v: 1.5 }, 10), null);
  });
});

