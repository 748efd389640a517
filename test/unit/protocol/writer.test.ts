import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OdpError } from '../../../src/errors/catalogue.js';
import { PacketWriter, lenencIntSize } from '../../../src/protocol/writer.js';
import { hex } from './codec-helpers.js';

const M = 0xffffff;

void describe('PacketWriter headers', () => {
  void test('begin/end back-fills length and sequence id', () => {
    const w = new PacketWriter();
    const next = w.begin(3).u8(1).u16(0x0203).u24(0x040506).u32(0x0708090a).end();
    assert.equal(next, 4);
    assert.deepEqual(w.take(), hex('0a 00 00 03 | 01 | 03 02 | 06 05 04 | 0a 09 08 07'));
  });

  void test('an empty payload is a 4-byte packet', () => {
    const w = new PacketWriter();
    assert.equal(w.begin(0).end(), 1);
    assert.deepEqual(w.take(), hex('00 00 00 00'));
  });

  void test('sequence ids wrap at 256', () => {
    const w = new PacketWriter();
    assert.equal(w.begin(255).end(), 0);
    assert.equal(w.begin(256 + 7).end(), 8);
    assert.deepEqual(w.take(), hex('000000ff 00000007'));
  });

  void test('several packets before one take; take resets', () => {
    const w = new PacketWriter(16);
    w.begin(0).string('ab').end();
    w.begin(1).nulString('c').end();
    assert.equal(w.length, 12);
    assert.deepEqual(w.take(), hex('02000000 6162 | 02000001 6300'));
    assert.equal(w.length, 0);
    assert.deepEqual(w.take(), Buffer.alloc(0));
    w.begin(9).zeros(3).end();
    assert.deepEqual(w.take(), hex('03000009 000000'));
  });

  void test('misuse: end without begin, begin twice, take inside a packet', () => {
    const w = new PacketWriter();
    assert.throws(() => w.end(), OdpError);
    w.begin(0);
    assert.throws(() => w.begin(1), OdpError);
    assert.throws(() => w.take(), OdpError);
  });
});

void describe('PacketWriter fields', () => {
  void test('lenencInt sizes at the boundaries', () => {
    const cases: [number | bigint, string][] = [
      [0, '00'],
      [250, 'fa'],
      [251, 'fc fb 00'],
      [0xffff, 'fc ff ff'],
      [0x10000, 'fd 00 00 01'],
      [0xffffff, 'fd ff ff ff'],
      [0x1000000, 'fe 00 00 00 01 00 00 00 00'],
      [Number.MAX_SAFE_INTEGER, 'fe ff ff ff ff ff ff 1f 00'],
      [2n ** 64n - 1n, 'fe ff ff ff ff ff ff ff ff'],
      [250n, 'fa'],
    ];
    for (const [v, bytes] of cases) {
      assert.deepEqual(new PacketWriter().lenencInt(v).take(), hex(bytes), String(v));
      assert.equal(lenencIntSize(v), hex(bytes).length);
    }
  });

  void test('lenencInt rejects negative and fractional values', () => {
    assert.throws(() => new PacketWriter().lenencInt(-1), OdpError);
    assert.throws(() => new PacketWriter().lenencInt(1.5), OdpError);
    assert.throws(() => new PacketWriter().lenencInt(-1n), OdpError);
  });

  void test('strings are UTF-8; lenenc and NUL forms', () => {
    const b = new PacketWriter().lenencString('é').nulString('ab').lenencString(Buffer.from([0, 1])).string('x').lenencNull().take();
    assert.deepEqual(b, hex('02 c3a9 | 616200 | 02 0001 | 78 | fb'));
  });

  void test('u64 accepts numbers and bigints; negative values are two\'s complement', () => {
    const b = new PacketWriter().u64(0x0102030405060708n).u64(2 ** 40 + 5).u64(-1).u64(-2n).take();
    assert.deepEqual(b, hex('0807060504030201 0500000000010000 ffffffffffffffff feffffffffffffff'));
  });

  void test('growth from a tiny buffer keeps every byte', () => {
    const w = new PacketWriter(16);
    const data = Buffer.alloc(10_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
    w.begin(0);
    for (let i = 0; i < data.length; i += 100) w.bytes(data.subarray(i, i + 100));
    w.end();
    const out = w.take();
    assert.deepEqual(out.subarray(0, 4), hex('10270000'));
    assert.deepEqual(out.subarray(4), data);
  });

  void test('a taken buffer is never written again (ownership passes to the caller)', () => {
    const w = new PacketWriter(64);
    w.begin(0).string('first').end();
    const first = w.take();
    const copy = Buffer.from(first);
    w.begin(1).string('second packet, same backing buffer').end();
    const second = w.take();
    w.begin(2).bytes(Buffer.alloc(5000, 0x55)).end();
    w.take();
    assert.deepEqual(first, copy);
    assert.equal(second.subarray(4).toString(), 'second packet, same backing buffer');
  });
});

void describe('PacketWriter continuation packets (payload >= 0xFFFFFF)', () => {
  function pattern(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i += 4096) b.writeUInt32LE(i, i);
    for (let i = 0; i < n; i++) if (i % 4096 >= 4) b[i] = (i >>> 12) & 0xff;
    return b;
  }

  function header(b: Buffer, at: number): { len: number; seq: number } {
    return { len: b.readUIntLE(at, 3), seq: b[at + 3] as number };
  }

  /** Splits `out` into physical packets and checks them against the expected lengths and seqs. */
  function expectPackets(out: Buffer, at: number, lens: number[], firstSeq: number, payload: Buffer): number {
    let off = 0;
    for (let i = 0; i < lens.length; i++) {
      const h = header(out, at);
      assert.deepEqual(h, { len: lens[i], seq: (firstSeq + i) & 0xff }, `packet ${i}`);
      assert.ok(out.subarray(at + 4, at + 4 + h.len).equals(payload.subarray(off, off + h.len)), `payload of packet ${i}`);
      off += h.len;
      at += 4 + h.len;
    }
    assert.equal(off, payload.length);
    return at;
  }

  void test('0xFFFFFE bytes: one packet', () => {
    const p = pattern(M - 1);
    const w = new PacketWriter();
    assert.equal(w.begin(0).bytes(p).end(), 1);
    const out = w.take();
    assert.equal(expectPackets(out, 0, [M - 1], 0, p), out.length);
  });

  void test('exactly 0xFFFFFF bytes: a full packet then an empty one', () => {
    const p = pattern(M);
    const w = new PacketWriter();
    assert.equal(w.begin(7).bytes(p).end(), 9);
    const out = w.take();
    assert.equal(out.length, M + 8);
    assert.deepEqual(out.subarray(M + 4), hex('000000 08'));
    assert.equal(expectPackets(out, 0, [M, 0], 7, p), out.length);
  });

  void test('exactly 2 * 0xFFFFFF bytes: two full packets then an empty one, seq wrapping', () => {
    const p = pattern(2 * M);
    const w = new PacketWriter();
    assert.equal(w.begin(254).bytes(p).end(), 1);
    const out = w.take();
    assert.equal(out.length, 2 * M + 12);
    assert.equal(expectPackets(out, 0, [M, M, 0], 254, p), out.length);
  });

  void test('0xFFFFFF + 10 bytes between other packets in the same take', () => {
    const p = pattern(M + 10);
    const w = new PacketWriter();
    w.begin(0).string('pre').end();
    w.take();
    w.begin(0).string('abc').end();
    assert.equal(w.begin(1).bytes(p).end(), 3);
    w.begin(3).string('z').end();
    const out = w.take();
    assert.deepEqual(out.subarray(0, 7), hex('03000000 616263'));
    const at = expectPackets(out, 7, [M, 10], 1, p);
    assert.deepEqual(out.subarray(at), hex('01000003 7a'));
  });
});
