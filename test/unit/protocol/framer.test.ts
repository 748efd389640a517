import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PacketScanner, type PacketHandler } from '../../../src/protocol/framer.js';

// Independent oracle: frames logical payloads the way the protocol documentation describes, with its own code.
function frame(payload: Buffer, seq: number): { bytes: Buffer; nextSeq: number } {
  const parts: Buffer[] = [];
  let off = 0;
  for (;;) {
    const len = Math.min(0xffffff, payload.length - off);
    const h = Buffer.from([len & 0xff, (len >> 8) & 0xff, (len >> 16) & 0xff, seq & 0xff]);
    parts.push(h, payload.subarray(off, off + len));
    seq = (seq + 1) & 0xff;
    off += len;
    if (len < 0xffffff) break;
  }
  return { bytes: Buffer.concat(parts), nextSeq: seq };
}

interface Seen { first: number; len: number; seq: number; data: string; framed: boolean; frameOk: boolean }

function collector(want: (len: number, first: number) => number, stopAfter = -1): { handler: PacketHandler; seen: Seen[]; ends: number[] } {
  const seen: Seen[] = [];
  const ends: number[] = [];
  let pendingFirst = -1;
  let pendingLen = 0;
  const handler: PacketHandler = {
    onHeader(len, _seq, first) {
      pendingFirst = first;
      pendingLen = len;
      return want(len, first);
    },
    onPacket(buf, start, end, seq, framed) {
      let frameOk = true;
      if (framed) {
        const l = buf[start - 4]! | (buf[start - 3]! << 8) | (buf[start - 2]! << 16);
        frameOk = l === end - start && buf[start - 1] === seq;
      }
      seen.push({ first: pendingFirst, len: pendingLen, seq, data: buf.subarray(start, end).toString('hex'), framed, frameOk });
      return seen.length - 1 !== stopAfter;
    },
    onPacketEnd(_seq, total) {
      ends.push(total);
      return true;
    },
  };
  return { handler, seen, ends };
}

const payloads = [Buffer.from('03' + Buffer.from('select 1').toString('hex'), 'hex'), Buffer.alloc(0), Buffer.from([0xfe, 0, 0, 2, 0]), Buffer.from('x'.repeat(300))];

describe('PacketScanner', () => {
  test('every split position of a stream of packets yields the same packets', () => {
    const stream = Buffer.concat(payloads.map((p, i) => frame(p, i).bytes));
    for (let cut1 = 0; cut1 <= stream.length; cut1++) {
      for (const cut2 of [cut1, Math.min(stream.length, cut1 + 1), Math.min(stream.length, cut1 + 5)]) {
        const c = collector(() => Infinity);
        const s = new PacketScanner(c.handler);
        for (const piece of [stream.subarray(0, cut1), stream.subarray(cut1, cut2), stream.subarray(cut2)]) {
          assert.equal(s.scan(piece), piece.length);
        }
        assert.deepEqual(c.seen.map((x) => x.data), payloads.map((p) => p.toString('hex')), `cut ${cut1}/${cut2}`);
        assert.deepEqual(c.seen.map((x) => x.seq), [0, 1, 2, 3]);
        assert.deepEqual(c.seen.map((x) => x.first), [3, -1, 0xfe, 0x78]);
        assert.ok(c.seen.every((x) => x.frameOk), 'framed packets carry their own header');
        assert.ok(s.atBoundary);
      }
    }
  });

  test('prefix wanted: delivers only the first bytes, skips the rest, still ends each packet', () => {
    const big = Buffer.alloc(100_000, 7);
    big[0] = 1;
    const stream = Buffer.concat([frame(big, 5).bytes, frame(Buffer.from([0, 0, 0, 2, 0, 0, 0]), 6).bytes]);
    const c = collector(() => 3);
    const s = new PacketScanner(c.handler);
    for (let i = 0; i < stream.length; i += 1000) s.scan(stream.subarray(i, Math.min(stream.length, i + 1000)));
    assert.deepEqual(c.seen.map((x) => x.data), ['010707', '000000']);
    assert.deepEqual(c.seen.map((x) => x.framed), [false, false]);
    assert.deepEqual(c.ends, [100_000, 7]);
  });

  test('exactly-0xFFFFFF payload is followed by an empty continuation packet and reassembled', () => {
    const p = Buffer.alloc(0xffffff, 0xab);
    const { bytes } = frame(p, 0);
    assert.equal(bytes.length, 0xffffff + 8); // two headers: full packet + empty continuation
    const c = collector(() => Infinity);
    const s = new PacketScanner(c.handler);
    for (let i = 0; i < bytes.length; i += 65536) s.scan(bytes.subarray(i, Math.min(bytes.length, i + 65536)));
    assert.equal(c.seen.length, 1);
    assert.equal(c.seen[0]!.data.length, 0xffffff * 2);
    assert.equal(c.seen[0]!.framed, false);
    assert.deepEqual(c.ends, [0xffffff]);
  });

  test('a 20 MiB logical packet (two physical packets) arrives whole; an unwanted one is skipped with no copy', () => {
    const p = Buffer.alloc(20 * 1024 * 1024);
    for (let i = 0; i < p.length; i += 4096) p[i] = i & 0xff;
    const { bytes } = frame(p, 9);
    const c = collector(() => Infinity);
    const s = new PacketScanner(c.handler);
    for (let i = 0; i < bytes.length; i += 60000) s.scan(bytes.subarray(i, Math.min(bytes.length, i + 60000)));
    assert.equal(c.seen.length, 1);
    assert.ok(Buffer.from(c.seen[0]!.data, 'hex').equals(p));
    const skip = collector(() => 0);
    const s2 = new PacketScanner(skip.handler);
    s2.scan(bytes);
    assert.equal(skip.seen.length, 0);
    assert.deepEqual(skip.ends, [20 * 1024 * 1024]);
  });

  test('stop after a packet returns the offset of the next packet; the rest can be scanned later', () => {
    const stream = Buffer.concat([frame(Buffer.from('a'), 0).bytes, frame(Buffer.from('bb'), 0).bytes, frame(Buffer.from('ccc'), 0).bytes]);
    const c = collector(() => Infinity, 0);
    const s = new PacketScanner(c.handler);
    const stop = s.scan(stream);
    assert.equal(stop, 5);
    assert.equal(s.scan(stream, stop), stream.length);
    assert.deepEqual(c.seen.map((x) => Buffer.from(x.data, 'hex').toString()), ['a', 'bb', 'ccc']);
  });

  test('a header announcing 16 MiB followed by nothing allocates lazily and stays pending', () => {
    const c = collector(() => Infinity);
    const s = new PacketScanner(c.handler, { maxCollect: 1 << 20 });
    const hdr = Buffer.from([0xff, 0xff, 0xff, 0, 1, 2, 3]);
    assert.equal(s.scan(hdr), hdr.length);
    assert.equal(c.seen.length, 0);
    assert.equal(s.atBoundary, false);
  });

  test('a wanted packet larger than maxCollect throws ProtocolError', () => {
    const c = collector(() => Infinity);
    const s = new PacketScanner(c.handler, { maxCollect: 1000 });
    const { bytes } = frame(Buffer.alloc(5000), 0);
    assert.throws(() => {
      for (let i = 0; i < bytes.length; i += 100) s.scan(bytes.subarray(i, i + 100));
    }, (e: unknown) => (e as { code?: string }).code === 'MALFORMED_PACKET');
  });

  test('property: any payloads, any chunking, any wanted size -> exact prefixes in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 800 }),
        (raw, cuts, want) => {
          const ps = raw.map((r) => Buffer.from(r));
          const stream = Buffer.concat(ps.map((p, i) => frame(p, i).bytes));
          const c = collector(() => (want === 0 ? 0 : want));
          const s = new PacketScanner(c.handler);
          let pos = 0;
          let k = 0;
          while (pos < stream.length) {
            const len = cuts[k++ % cuts.length]!;
            assert.equal(s.scan(stream.subarray(pos, pos + len)), Math.min(len, stream.length - pos));
            pos += len;
          }
          const expected = want === 0 ? [] : ps.map((p) => p.subarray(0, want).toString('hex'));
          assert.deepEqual(c.seen.map((x) => x.data), expected);
          assert.deepEqual(c.ends, ps.map((p) => p.length));
          assert.ok(c.seen.every((x) => x.frameOk));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('property: arbitrary garbage never throws when nothing is collected', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (g) => {
        const s = new PacketScanner(collector(() => 0).handler);
        assert.equal(s.scan(Buffer.from(g)), g.length);
      }),
    );
  });
});
