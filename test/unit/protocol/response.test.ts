import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PacketScanner } from '../../../src/protocol/framer.js';
import { ResponseTracker, type ResponseMode } from '../../../src/protocol/response.js';

// Independent builders for server responses (layouts from the MySQL protocol documentation).
function pkt(seq: number, ...parts: (number[] | Buffer)[]): Buffer {
  const payload = Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p))));
  const h = Buffer.from([payload.length & 0xff, (payload.length >> 8) & 0xff, payload.length >> 16, seq]);
  return Buffer.concat([h, payload]);
}
const u16 = (v: number): number[] => [v & 0xff, v >> 8];
const ok = (seq: number, status: number, header = 0x00): Buffer => pkt(seq, [header, 0, 0], u16(status), u16(0));
const eof = (seq: number, status: number): Buffer => pkt(seq, [0xfe], u16(0), u16(status));
const err = (seq: number, errno: number): Buffer => pkt(seq, [0xff], u16(errno), Buffer.from('#42S02no such table'));
const colDef = (seq: number): Buffer => pkt(seq, Buffer.from('\x03def\x00\x00\x00\x01a\x00\x0c\x21\x00\x0b\x00\x00\x00\xfd\x00\x00\x00\x00\x00', 'latin1'));
const textRow = (seq: number, v: string): Buffer => pkt(seq, [v.length], Buffer.from(v));

const MORE = 0x0008;
const AUTOCOMMIT = 0x0002;
const IN_TRANS = 0x0001;

/** Feeds `stream` to a tracker through a scanner in chunks of `step`; returns the tracker and where it stopped. */
function run(mode: ResponseMode, deprecateEof: boolean, stream: Buffer, step = stream.length, cursor = false): { t: ResponseTracker; consumed: number } {
  const t = new ResponseTracker();
  t.begin(mode, deprecateEof, cursor);
  const s = new PacketScanner(t);
  let pos = 0;
  while (pos < stream.length && !t.done && !t.infileRequested) {
    const chunk = stream.subarray(pos, Math.min(stream.length, pos + step));
    const stop = s.scan(chunk);
    pos += stop;
    if (stop < chunk.length) break;
  }
  return { t, consumed: pos };
}

function resultSet(first: number, deprecateEof: boolean, rows: number, status: number): Buffer[] {
  const out: Buffer[] = [pkt(first, [2])];
  let seq = first + 1;
  out.push(colDef(seq++), colDef(seq++));
  if (!deprecateEof) out.push(eof(seq++, AUTOCOMMIT));
  for (let i = 0; i < rows; i++) out.push(textRow(seq++ & 0xff, `row${i}`));
  out.push(deprecateEof ? ok(seq & 0xff, status, 0xfe) : eof(seq & 0xff, status));
  return out;
}

describe('ResponseTracker', () => {
  test('OK and ERR end a single response', () => {
    assert.equal(run('result', false, ok(1, AUTOCOMMIT | IN_TRANS)).t.status, AUTOCOMMIT | IN_TRANS);
    const e = run('result', false, err(1, 1146)).t;
    assert.equal(e.done, true);
    assert.equal(e.errno, 1146);
    assert.equal(e.sqlState, '42S02');
  });

  for (const deprecateEof of [false, true]) {
    test(`result set (deprecateEof=${deprecateEof}) ends exactly at its terminator, at every chunk size`, () => {
      const stream = Buffer.concat(resultSet(1, deprecateEof, 50, AUTOCOMMIT));
      const trailing = Buffer.concat([stream, Buffer.from('garbage after the end')]);
      for (const step of [1, 2, 3, 5, 7, 64, 4096]) {
        const { t, consumed } = run('result', deprecateEof, trailing, step);
        assert.equal(t.done, true, `step ${step}`);
        assert.equal(consumed, stream.length, `step ${step}`);
        assert.equal(t.rows, 50);
        assert.equal(t.resultSets, 1);
      }
    });

    test(`multi-statement results chain through MORE_RESULTS_EXISTS (deprecateEof=${deprecateEof})`, () => {
      const parts = [...resultSet(1, deprecateEof, 2, AUTOCOMMIT | MORE), ok(9, AUTOCOMMIT | MORE), ...resultSet(10, deprecateEof, 1, AUTOCOMMIT)];
      const { t } = run('result', deprecateEof, Buffer.concat(parts), 3);
      assert.equal(t.done, true);
      assert.equal(t.resultSets, 2);
      assert.equal(t.rows, 3);
    });
  }

  test('an ERR in the middle of a multi-statement response ends it', () => {
    const parts = [ok(1, AUTOCOMMIT | MORE), err(2, 1064)];
    const { t, consumed } = run('result', false, Buffer.concat([...parts, ok(3, AUTOCOMMIT)]));
    assert.equal(t.errno, 1064);
    assert.equal(consumed, Buffer.concat(parts).length);
  });

  test('a text row starting with 0xFE (>= 16 MiB string) is not taken for a terminator', () => {
    // The row's physical packet is 0xFFFFFF long; only its header and first bytes matter to the tracker.
    const big = Buffer.alloc(0xffffff + 20, 0x61);
    big[0] = 0xfe;
    const rowHead = Buffer.from([0xff, 0xff, 0xff, 4]);
    const rest = big.length - 0xffffff;
    const stream = Buffer.concat([pkt(1, [1]), colDef(2), rowHead, big.subarray(0, 0xffffff), Buffer.from([rest, 0, 0, 5]), big.subarray(0xffffff), ok(6, AUTOCOMMIT, 0xfe)]);
    const { t } = run('result', true, stream, 65536);
    assert.equal(t.done, true);
    assert.equal(t.rows, 1);
  });

  test('COM_STMT_PREPARE: params and columns each followed by EOF unless deprecated', () => {
    for (const deprecateEof of [false, true]) {
      const prepOk = pkt(1, [0x00, 7, 0, 0, 0], u16(2), u16(3), [0], u16(0));
      const parts = [prepOk, colDef(2), colDef(3), colDef(4)];
      if (!deprecateEof) parts.push(eof(5, AUTOCOMMIT));
      parts.push(colDef(6), colDef(7));
      if (!deprecateEof) parts.push(eof(8, AUTOCOMMIT));
      const stream = Buffer.concat(parts);
      const { t, consumed } = run('prepare', deprecateEof, Buffer.concat([stream, ok(9, 0)]), 5);
      assert.equal(t.done, true);
      assert.equal(consumed, stream.length, `deprecateEof=${deprecateEof}`);
      assert.deepEqual(t.prepare, { statementId: 7, numColumns: 2, numParams: 3 });
    }
  });

  test('COM_STMT_PREPARE with no params and no columns is a single packet', () => {
    const { t } = run('prepare', false, pkt(1, [0x00, 1, 0, 0, 0], u16(0), u16(0), [0], u16(0)));
    assert.equal(t.done, true);
  });

  test('LOCAL INFILE request stops the tracker; afterInfile expects the final OK', () => {
    const req = pkt(1, [0xfb], Buffer.from('/tmp/data.csv'));
    const { t, consumed } = run('result', false, Buffer.concat([req, ok(4, AUTOCOMMIT)]));
    assert.equal(t.infileRequested, true);
    assert.equal(t.infileName, '/tmp/data.csv');
    assert.equal(consumed, req.length);
    t.afterInfile();
    const s = new PacketScanner(t);
    s.scan(ok(4, AUTOCOMMIT));
    assert.equal(t.done, true);
  });

  test('cursor: EOF with CURSOR_EXISTS after the columns ends the execute response', () => {
    const stream = Buffer.concat([pkt(1, [1]), colDef(2), eof(3, AUTOCOMMIT | 0x0040)]);
    const { t, consumed } = run('result', false, Buffer.concat([stream, textRow(4, 'x')]), undefined, true);
    assert.equal(t.done, true);
    assert.equal(consumed, stream.length);
  });

  test('CURSOR_EXISTS on an ordinary result (a stored program holds a cursor) does not end it: rows follow', () => {
    // Server bytes of CALL p2() with an open cursor inside the procedure (conformance main.signal).
    const stream = Buffer.concat([pkt(1, [1]), colDef(2), eof(3, 0x00ea), textRow(4, 'nf'), eof(5, 0x00ea), ok(6, 0x0022)]);
    const { t, consumed } = run('result', false, stream);
    assert.equal(t.done, true);
    assert.equal(t.rows, 1);
    assert.equal(consumed, stream.length);
  });

  test('COM_STMT_FETCH and COM_FIELD_LIST', () => {
    const fetch = Buffer.concat([pkt(1, [0, 0, 1]), pkt(2, [0, 0, 2]), eof(3, 0x0040 | 0x0080)]);
    assert.equal(run('fetch', false, fetch).t.rows, 2);
    const fl = Buffer.concat([colDef(1), colDef(2), eof(3, AUTOCOMMIT)]);
    const r = run('field_list', false, Buffer.concat([fl, ok(4, 0)]));
    assert.equal(r.t.done, true);
    assert.equal(r.consumed, fl.length);
  });

  test('single-packet responses: statistics string, OK, EOF', () => {
    for (const p of [pkt(1, Buffer.from('Uptime: 5  Threads: 1')), ok(1, AUTOCOMMIT), eof(1, AUTOCOMMIT)]) {
      const { t, consumed } = run('single', false, Buffer.concat([p, ok(2, 0)]));
      assert.equal(t.done, true);
      assert.equal(consumed, p.length);
    }
  });

  test('property: random row counts, modes and chunkings always end exactly at the response end', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 30 }), fc.boolean(), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 3 }), (rows, dep, step, sets) => {
      const parts: Buffer[] = [];
      let seq = 1;
      for (let i = 0; i < sets; i++) {
        const rs = resultSet(seq, dep, rows, AUTOCOMMIT | (i < sets - 1 ? MORE : 0));
        parts.push(...rs);
        seq = (seq + rs.length) & 0xff;
      }
      const stream = Buffer.concat(parts);
      const { t, consumed } = run('result', dep, Buffer.concat([stream, ok(0, 0)]), step);
      assert.equal(t.done, true);
      assert.equal(consumed, stream.length);
      assert.equal(t.rows, rows * sets);
    }));
  });

  test('property: garbage never throws, and the tracker either finishes or waits', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 500 }), fc.constantFrom<ResponseMode>('result', 'prepare', 'fetch', 'field_list', 'single'), (g, mode) => {
      run(mode, false, Buffer.from(g), 7);
    }));
  });
});
