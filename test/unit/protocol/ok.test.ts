import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ProtocolError } from '../../../src/errors/catalogue.js';
import { Capability, ServerStatus } from '../../../src/protocol/constants.js';
import {
  decodeOk,
  okStatus,
  parseSessionTrack,
  writeOk,
  writeSessionTrack,
  type OkPacket,
  type SessionTrackItem,
} from '../../../src/protocol/ok.js';
import { PacketWriter } from '../../../src/protocol/writer.js';
import { asciiHex, framed, hex, payloadOf } from './codec-helpers.js';

const P41 = Capability.PROTOCOL_41 | Capability.TRANSACTIONS;
const TRACK = P41 | Capability.SESSION_TRACK;

// Session state, hand-built: autocommit=OFF, schema 'test', state change '1'. 0x1c bytes.
const STATE = `00 0f 0a ${asciiHex('autocommit')} 03 ${asciiHex('OFF')} | 01 05 04 ${asciiHex('test')} | 02 02 01 31`;

void describe('decodeOk', () => {
  void test('documentation example: 00 00 00 02 00 00 00', () => {
    const b = hex('00 00 00 02 00 00 00');
    assert.deepEqual(decodeOk(b, 0, b.length, P41), {
      affectedRows: 0, lastInsertId: 0, status: ServerStatus.AUTOCOMMIT, warnings: 0, info: '', sessionState: null,
    });
    assert.equal(okStatus(b, 0, b.length), 2);
  });

  void test('lenenc counts, info as rest of packet without SESSION_TRACK', () => {
    const b = hex(`00 fc e8 03 fd 00 00 01 | 03 00 | 05 00 | ${asciiHex('Rows matched: 1000')}`);
    const ok = decodeOk(b, 0, b.length, P41);
    assert.equal(ok.affectedRows, 1000);
    assert.equal(ok.lastInsertId, 0x10000);
    assert.equal(ok.status, 3);
    assert.equal(ok.warnings, 5);
    assert.equal(ok.info, 'Rows matched: 1000');
    assert.equal(okStatus(b, 0, b.length), 3);
  });

  void test('a 64-bit affected-row count stays exact as a bigint', () => {
    const b = hex('00 fe ffffffffffffffff 01 0200 0000');
    const ok = decodeOk(b, 0, b.length, P41);
    assert.equal(ok.affectedRows, 2n ** 64n - 1n);
    assert.equal(ok.lastInsertId, 1);
    assert.equal(okStatus(b, 0, b.length), 2);
  });

  void test('SESSION_TRACK: lenenc info and session state', () => {
    const b = hex(`00 00 00 | 02 40 | 00 00 | 00 | 1c ${STATE}`);
    const ok = decodeOk(b, 0, b.length, TRACK);
    assert.equal(ok.status, ServerStatus.AUTOCOMMIT | ServerStatus.SESSION_STATE_CHANGED);
    assert.equal(ok.info, '');
    assert.deepEqual(ok.sessionState, hex(STATE));
    assert.deepEqual(parseSessionTrack(ok.sessionState!), [
      { kind: 'system_variable', name: 'autocommit', value: 'OFF' },
      { kind: 'schema', name: 'test' },
      { kind: 'state_change', changed: true },
    ]);
  });

  void test('SESSION_TRACK with nothing after the warnings (MySQL omits empty info)', () => {
    const b = hex('00 01 00 02 00 00 00');
    assert.equal(decodeOk(b, 0, b.length, TRACK).info, '');
    assert.equal(decodeOk(b, 0, b.length, TRACK).affectedRows, 1);
  });

  void test('the 0xfe-header OK that ends a result set under DEPRECATE_EOF', () => {
    const b = hex('fe 00 00 22 00 00 00');
    assert.equal(decodeOk(b, 0, b.length, TRACK).status, 0x22);
    assert.equal(okStatus(b, 0, b.length), 0x22);
  });

  void test('malformed input → ProtocolError', () => {
    for (const h of ['', 'ff 00 00', '00', '00 00', '00 00 00 02', '00 ff 00 02 00', '00 fe 00 00', '00 fb 00 02 00 00 00']) {
      const b = hex(h);
      assert.throws(() => decodeOk(b, 0, b.length, P41), ProtocolError, h);
      if (h !== '00 fb 00 02 00 00 00') assert.throws(() => okStatus(b, 0, b.length), ProtocolError, h);
    }
    const longLen = hex('00 00 00 02 40 00 00 00 05 0001');
    assert.throws(() => decodeOk(longLen, 0, longLen.length, TRACK), ProtocolError);
  });

  void test('okStatus never looks past `end`', () => {
    const b = hex('00 00 00 02 00 | 99 99');
    assert.throws(() => okStatus(b, 0, 4), ProtocolError);
    assert.equal(okStatus(b, 0, 5), 2);
  });
});

void describe('writeOk', () => {
  void test('matches hand-built bytes', () => {
    const w = new PacketWriter();
    assert.equal(writeOk(w, { affectedRows: 1000, lastInsertId: 7, status: 2, warnings: 1 }, 1, P41), 2);
    assert.deepEqual(w.take(), framed(hex('00 fc e803 07 0200 0100'), 1));
    writeOk(w, { status: 2, sessionState: hex(STATE) }, 3, TRACK, 0xfe);
    assert.deepEqual(payloadOf(w.take()), hex(`fe 00 00 0240 0000 00 1c ${STATE}`));
    writeOk(w, { info: 'hi' }, 0, P41);
    assert.deepEqual(payloadOf(w.take()), hex(`00 00 00 0000 0000 ${asciiHex('hi')}`));
  });

  void test('round trip (property)', () => {
    const num = fc.oneof(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }));
    const arb = fc.record({
      affectedRows: num,
      lastInsertId: num,
      status: fc.integer({ min: 0, max: 0xffff }).map((s) => s & ~ServerStatus.SESSION_STATE_CHANGED),
      warnings: fc.integer({ min: 0, max: 0xffff }),
      info: fc.string({ maxLength: 100 }),
      sessionState: fc.option(fc.uint8Array({ minLength: 1, maxLength: 300 }).map((a) => Buffer.from(a))),
    });
    fc.assert(
      fc.property(arb, fc.boolean(), (ok: OkPacket, track) => {
        const caps = track ? TRACK : P41;
        const w = new PacketWriter();
        writeOk(w, ok, 0, caps);
        const p = payloadOf(w.take());
        const got = decodeOk(p, 0, p.length, caps);
        const state = track ? ok.sessionState : null;
        const status = state !== null ? ok.status | ServerStatus.SESSION_STATE_CHANGED : ok.status;
        assert.deepEqual(got, { ...ok, status, sessionState: state });
        assert.equal(okStatus(p, 0, p.length), status);
      }),
    );
  });
});

void describe('session state tracking', () => {
  void test('every entry kind, hand-built', () => {
    const gtid = `00 ${'2a'} ${asciiHex('3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5'.padEnd(42, ' '))}`;
    const b = hex(`
      04 0e 0d ${asciiHex('SET TX ONLY;')} 20     // transaction_characteristics
      05 09 08 ${asciiHex('T_______')}            // transaction_state
      03 2c ${gtid}                              // gtids: spec byte + lenenc text
      00 0c 01 ${asciiHex('a')} 01 ${asciiHex('1')} 01 ${asciiHex('b')} 05 ${asciiHex('hello')}
      02 02 01 30
      07 02 abcd`);
    assert.deepEqual(parseSessionTrack(b), [
      { kind: 'transaction_characteristics', value: 'SET TX ONLY; ' },
      { kind: 'transaction_state', value: 'T_______' },
      { kind: 'gtids', data: hex(gtid) },
      { kind: 'system_variable', name: 'a', value: '1' },
      { kind: 'system_variable', name: 'b', value: 'hello' },
      { kind: 'state_change', changed: false },
      { kind: 'unknown', type: 7, data: hex('abcd') },
    ]);
  });

  void test('malformed entries → ProtocolError', () => {
    for (const h of ['00', '00 05 01 61', '01 01 05', '00 00', '01 02 05 61']) {
      assert.throws(() => parseSessionTrack(hex(h)), ProtocolError, h);
    }
  });

  void test('writeSessionTrack is the inverse of parseSessionTrack (property)', () => {
    const s = fc.string({ maxLength: 300 });
    const item: fc.Arbitrary<SessionTrackItem> = fc.oneof(
      fc.record({ kind: fc.constant('system_variable' as const), name: s, value: s }),
      fc.record({ kind: fc.constant('schema' as const), name: s }),
      fc.record({ kind: fc.constant('state_change' as const), changed: fc.boolean() }),
      fc.record({ kind: fc.constant('gtids' as const), data: fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a)) }),
      fc.record({ kind: fc.constant('transaction_characteristics' as const), value: s }),
      fc.record({ kind: fc.constant('transaction_state' as const), value: s }),
      fc.record({
        kind: fc.constant('unknown' as const),
        type: fc.integer({ min: 6, max: 255 }),
        data: fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a)),
      }),
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 8 }), (items) => {
        assert.deepEqual(parseSessionTrack(writeSessionTrack(items)), items.map((i) => ({ ...i })));
      }),
    );
  });
});
