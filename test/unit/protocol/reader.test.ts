import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ProtocolError } from '../../../src/errors/catalogue.js';
import { PacketReader, lenencLength } from '../../../src/protocol/reader.js';
import { PacketWriter } from '../../../src/protocol/writer.js';
import { hex } from './codec-helpers.js';

const reader = (h: string): PacketReader => {
  const b = hex(h);
  return new PacketReader(b, 0, b.length);
};

void describe('PacketReader fixed-width integers (little-endian, protocol basic data types)', () => {
  void test('u8 u16 u24 u32 u48 u64 from hand-built bytes', () => {
    const r = reader('7f | 34 12 | 56 34 12 | 78 56 34 12 | 06 05 04 03 02 01 | 08 07 06 05 04 03 02 81');
    assert.equal(r.u8(), 0x7f);
    assert.equal(r.u16(), 0x1234);
    assert.equal(r.u24(), 0x123456);
    assert.equal(r.u32(), 0x12345678);
    assert.equal(r.u48(), 0x010203040506);
    assert.equal(r.u64(), 0x8102030405060708n);
    assert.equal(r.remaining(), 0);
  });

  void test('u32 is unsigned', () => {
    assert.equal(reader('ff ff ff ff').u32(), 0xffffffff);
  });
});

void describe('PacketReader length-encoded integers', () => {
  const cases: [string, number | null][] = [
    ['00', 0],
    ['fa', 250],
    ['fb', null],
    ['fc fb 00', 251],
    ['fc ff ff', 0xffff],
    ['fd 00 00 01', 0x10000],
    ['fd ff ff ff', 0xffffff],
    ['fe 00 00 00 01 00 00 00 00', 0x1000000],
    ['fe ff ff ff ff ff ff 1f 00', Number.MAX_SAFE_INTEGER],
  ];
  for (const [bytes, want] of cases) {
    void test(`${bytes} → ${String(want)}`, () => {
      const r = reader(bytes);
      assert.equal(r.lenencInt(), want);
      assert.equal(r.remaining(), 0);
      assert.equal(lenencLength(hex(bytes), 0), hex(bytes).length);
    });
  }

  void test('above 2^53 - 1: lenencInt throws ProtocolError, lenencIntBig returns the exact value', () => {
    assert.throws(() => reader('fe 00 00 00 00 00 00 20 00').lenencInt(), ProtocolError);
    assert.equal(reader('fe 00 00 00 00 00 00 20 00').lenencIntBig(), 2n ** 53n);
    assert.equal(reader('fe ff ff ff ff ff ff ff ff').lenencIntBig(), 2n ** 64n - 1n);
    assert.equal(reader('fe ff ff ff ff ff ff ff ff').lenencIntNumeric(), 2n ** 64n - 1n);
    assert.equal(reader('fc 01 02').lenencIntNumeric(), 0x0201);
    assert.equal(reader('fb').lenencIntBig(), null);
  });

  void test('0xff is not a length prefix', () => {
    assert.throws(() => reader('ff 00 00').lenencInt(), ProtocolError);
    assert.throws(() => lenencLength(hex('ff'), 0), ProtocolError);
    assert.throws(() => lenencLength(hex('00'), 1), ProtocolError);
  });

  void test('NULL marker where a length is required', () => {
    assert.throws(() => reader('fb').lenencBytes(), ProtocolError);
    assert.throws(() => reader('fb').lenencString(), ProtocolError);
    assert.equal(reader('fb').lenencBytesOrNull(), null);
    assert.throws(() => reader('fb').lenencIntNumeric(), ProtocolError);
  });
});

void describe('PacketReader strings', () => {
  void test('lenenc, NUL-terminated, fixed and rest strings', () => {
    const r = reader('03 616263 | 78797a 00 | 00 | c3a9 | 7265 7374');
    assert.equal(r.lenencString(), 'abc');
    assert.equal(r.nulString(), 'xyz');
    assert.equal(r.nulString(), '');
    assert.equal(r.string(2), 'é');
    assert.equal(r.restString(), 'rest');
    assert.equal(r.restString(), '');
  });

  void test('bytes are views into the packet buffer (no copy)', () => {
    const b = hex('02 aabb cc');
    const v = new PacketReader(b, 0, b.length).lenencBytes();
    b[1] = 0x11;
    assert.equal(v[0], 0x11);
  });

  void test('nulStringOrRest accepts a missing terminator at the end', () => {
    const r = reader('616263');
    assert.equal(r.nulStringOrRest(), 'abc');
    assert.equal(r.remaining(), 0);
  });
});

void describe('PacketReader bounds', () => {
  void test('a read past `end` throws ProtocolError even when the buffer continues', () => {
    const b = hex('01 02 03 04 05 06 07 08 00');
    const r = new PacketReader(b, 1, 3);
    assert.throws(() => r.u32(), ProtocolError);
    assert.equal(r.pos, 1, 'a failed read does not move the cursor');
    assert.throws(() => new PacketReader(b, 0, 2).nulString(), ProtocolError, 'the NUL at index 8 is outside the view');
    assert.throws(() => new PacketReader(b, 0, 3).bytes(4), ProtocolError);
    assert.throws(() => new PacketReader(b, 0, 1).skip(2), ProtocolError);
    assert.throws(() => new PacketReader(b, 2, 2).peek(), ProtocolError);
    assert.throws(() => new PacketReader(b, 0, 1).bytes(-1), ProtocolError);
  });

  void test('every method throws ProtocolError on an empty view', () => {
    const r = new PacketReader(hex('ffffffffffffffffff'), 3, 3);
    const calls: (() => unknown)[] = [
      () => r.u8(), () => r.u16(), () => r.u24(), () => r.u32(), () => r.u48(), () => r.u64(),
      () => r.i8(), () => r.i16(), () => r.i32(), () => r.i64(), () => r.f32(), () => r.f64(),
      () => r.lenencInt(), () => r.lenencIntBig(), () => r.lenencIntNumeric(), () => r.lenencBytes(),
      () => r.lenencBytesOrNull(), () => r.lenencString(), () => r.nulBytes(), () => r.nulString(),
      () => r.bytes(1), () => r.string(1), () => r.skip(1), () => r.peek(),
    ];
    for (const call of calls) assert.throws(call, ProtocolError);
    assert.equal(r.restBytes().length, 0);
  });

  void test('a view outside the buffer is rejected at construction', () => {
    assert.throws(() => new PacketReader(Buffer.alloc(4), 0, 5), ProtocolError);
    assert.throws(() => new PacketReader(Buffer.alloc(4), 3, 2), ProtocolError);
    assert.throws(() => new PacketReader(Buffer.alloc(4), -1, 2), ProtocolError);
  });

  void test('a lenenc length larger than the rest of the packet throws', () => {
    assert.throws(() => reader('05 6162').lenencString(), ProtocolError);
    assert.throws(() => reader('fe ff ff ff ff ff ff 1f 00').lenencBytes(), ProtocolError);
  });
});

void describe('PacketWriter → PacketReader round trips (property)', () => {
  const boundaries = [0, 1, 250, 251, 252, 0xfffe, 0xffff, 0x10000, 0xfffffe, 0xffffff, 0x1000000, 2 ** 32 - 1, 2 ** 32,
    Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER];
  const lenencNumber = fc.oneof(
    fc.constantFrom(...boundaries),
    fc.integer({ min: 0, max: 0xffffff }),
    fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  );

  void test('lenencInt numbers round-trip at every boundary, with the documented encoded size', () => {
    fc.assert(
      fc.property(fc.array(lenencNumber, { maxLength: 20 }), (values) => {
        const w = new PacketWriter(8);
        for (const v of values) w.lenencInt(v);
        const b = w.take();
        const r = new PacketReader(b, 0, b.length);
        for (const v of values) {
          const size = lenencLength(b, r.pos);
          assert.equal(size, v < 251 ? 1 : v < 2 ** 16 ? 3 : v < 2 ** 24 ? 4 : 9);
          assert.equal(r.lenencInt(), v);
        }
        assert.equal(r.remaining(), 0);
      }),
    );
  });

  void test('lenencInt bigints round-trip over the full u64 range', () => {
    const big = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.constantFrom(2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 64n - 1n));
    fc.assert(
      fc.property(big, (v) => {
        const b = new PacketWriter().lenencInt(v).take();
        const r = new PacketReader(b, 0, b.length);
        assert.equal(r.lenencIntBig(), v);
        const n = new PacketReader(b, 0, b.length);
        if (v <= BigInt(Number.MAX_SAFE_INTEGER)) assert.equal(n.lenencInt(), Number(v));
        else assert.throws(() => n.lenencInt(), ProtocolError);
      }),
    );
  });

  void test('mixed fields round-trip (strings, unicode, fixed ints, u64)', () => {
    const field = fc.oneof(
      fc.record({ k: fc.constant('u8' as const), v: fc.integer({ min: 0, max: 0xff }) }),
      fc.record({ k: fc.constant('u16' as const), v: fc.integer({ min: 0, max: 0xffff }) }),
      fc.record({ k: fc.constant('u24' as const), v: fc.integer({ min: 0, max: 0xffffff }) }),
      fc.record({ k: fc.constant('u32' as const), v: fc.integer({ min: 0, max: 0xffffffff }) }),
      fc.record({ k: fc.constant('u64' as const), v: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
      fc.record({ k: fc.constant('lenencString' as const), v: fc.string({ unit: 'grapheme', maxLength: 300 }) }),
      fc.record({ k: fc.constant('nulString' as const), v: fc.string({ maxLength: 40 }).map((s) => s.replace(/\0/g, '')) }),
    );
    fc.assert(
      fc.property(fc.array(field, { maxLength: 12 }), (fields) => {
        const w = new PacketWriter(4);
        for (const f of fields) {
          if (f.k === 'u64') w.u64(f.v);
          else if (f.k === 'lenencString' || f.k === 'nulString') w[f.k](f.v);
          else w[f.k](f.v);
        }
        const b = w.take();
        const r = new PacketReader(b, 0, b.length);
        for (const f of fields) {
          const got = f.k === 'u64' ? r.u64() : r[f.k]();
          assert.equal(got, f.v);
        }
        assert.equal(r.remaining(), 0);
      }),
    );
  });
});
