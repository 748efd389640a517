import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ProtocolError } from '../../../src/errors/catalogue.js';
import { ServerStatus } from '../../../src/protocol/constants.js';
import { decodeEof, isEofPacket, writeEof } from '../../../src/protocol/eof.js';
import { decodeErr, decodeProgressReport, isProgressReport, writeErr } from '../../../src/protocol/err.js';
import { PacketWriter } from '../../../src/protocol/writer.js';
import { asciiHex, framed, hex, payloadOf } from './codec-helpers.js';

void describe('ERR packet', () => {
  void test('documentation example: 1096 #HY000 No tables used', () => {
    const b = hex(`ff 48 04 23 ${asciiHex('HY000')} ${asciiHex('No tables used')}`);
    assert.deepEqual(decodeErr(b, 0, b.length), { errno: 1096, sqlState: 'HY000', message: 'No tables used' });
    assert.equal(isProgressReport(b, 0, b.length), false);
  });

  void test('without the # marker the SQLSTATE is empty', () => {
    const b = hex(`ff 10 04 ${asciiHex('Too many connections')}`);
    assert.deepEqual(decodeErr(b, 0, b.length), { errno: 1040, sqlState: '', message: 'Too many connections' });
    const short = hex(`ff 10 04 23 ${asciiHex('HY0')}`);
    assert.deepEqual(decodeErr(short, 0, short.length), { errno: 1040, sqlState: '', message: '#HY0' });
  });

  void test('writeErr matches hand-built bytes; a bad SQLSTATE becomes HY000', () => {
    const w = new PacketWriter();
    assert.equal(writeErr(w, 1045, '28000', 'Access denied', 2), 3);
    assert.deepEqual(w.take(), framed(hex(`ff 15 04 23 ${asciiHex('28000')} ${asciiHex('Access denied')}`), 2));
    writeErr(w, 1, 'bad', 'm', 0);
    assert.deepEqual(payloadOf(w.take()), hex(`ff 01 00 23 ${asciiHex('HY000')} 6d`));
  });

  void test('round trip (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xfffe }), fc.stringMatching(/^[0-9A-Z]{5}$/), fc.string({ maxLength: 200 }), (errno, state, msg) => {
        const w = new PacketWriter();
        writeErr(w, errno, state, msg, 1);
        const p = payloadOf(w.take());
        assert.deepEqual(decodeErr(p, 0, p.length), { errno, sqlState: state, message: msg });
      }),
    );
  });

  void test('MariaDB progress report is distinguishable and decodable', () => {
    // ff ffff | 01 | stage 2 | max_stage 3 | progress 12345 (0x003039) | info 'copy to tmp table'
    const b = hex(`ff ff ff 01 02 03 39 30 00 11 ${asciiHex('copy to tmp table')}`);
    assert.equal(isProgressReport(b, 0, b.length), true);
    assert.throws(() => decodeErr(b, 0, b.length), ProtocolError);
    assert.deepEqual(decodeProgressReport(b, 0, b.length), { stage: 2, maxStage: 3, progress: 12345, info: 'copy to tmp table' });
    assert.throws(() => decodeProgressReport(b, 0, 8), ProtocolError);
    assert.equal(isProgressReport(b, 0, 2), false);
  });

  void test('malformed → ProtocolError', () => {
    for (const h of ['', 'ff', 'ff 01', '00 01 02']) assert.throws(() => decodeErr(hex(h), 0, hex(h).length), ProtocolError, h);
  });
});

void describe('EOF packet', () => {
  void test('documentation example: fe 00 00 02 00', () => {
    const b = hex('fe 00 00 02 00');
    assert.equal(isEofPacket(b, 0, b.length), true);
    assert.deepEqual(decodeEof(b, 0, b.length), { warnings: 0, status: ServerStatus.AUTOCOMMIT });
  });

  void test('warnings and status, pre-4.1 single byte', () => {
    const b = hex('fe 03 00 0a 40');
    assert.deepEqual(decodeEof(b, 0, b.length), { warnings: 3, status: 0x400a });
    assert.deepEqual(decodeEof(hex('fe'), 0, 1), { warnings: 0, status: 0 });
  });

  void test('isEofPacket: 0xfe and payload length < 9 only', () => {
    assert.equal(isEofPacket(hex('fe 00 00 02 00 00 00 00'), 0, 8), true);
    assert.equal(isEofPacket(hex('fe 00 00 02 00 00 00 00 00'), 0, 9), false);
    assert.equal(isEofPacket(hex('00 00 00 02 00'), 0, 5), false);
    assert.equal(isEofPacket(hex(''), 0, 0), false);
    assert.throws(() => decodeEof(hex('fe 00 00 02 00 00 00 00 00'), 0, 9), ProtocolError);
    assert.throws(() => decodeEof(hex('fe 00 00'), 0, 3), ProtocolError);
  });

  void test('writeEof matches hand-built bytes', () => {
    const w = new PacketWriter();
    assert.equal(writeEof(w, 1, 0x22, 5), 6);
    assert.deepEqual(w.take(), hex('05000005 fe 0100 2200'));
  });
});
