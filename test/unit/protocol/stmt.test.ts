import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ProtocolError } from '../../../src/errors/catalogue.js';
import { Capability, ColumnType as T, CursorType } from '../../../src/protocol/constants.js';
import { UNSIGNED_PARAM } from '../../../src/protocol/binary-value.js';
import {
  decodeExecute,
  decodePrepareOk,
  decodeSendLongData,
  executeOpensCursor,
  readStatementId,
  writeExecute,
  writePrepareOk,
  writeStatementId,
  type ExecValue,
} from '../../../src/protocol/stmt.js';
import { PacketWriter } from '../../../src/protocol/writer.js';
import { asciiHex, checkDecoder, framed, hex, payloadOf } from './codec-helpers.js';

void describe('COM_STMT_PREPARE OK', () => {
  void test('documentation example: statement 1, 1 column, 2 params', () => {
    const b = hex('00 01000000 0100 0200 00 0000');
    assert.deepEqual(decodePrepareOk(b, 0, b.length), { statementId: 1, numColumns: 1, numParams: 2, warnings: 0 });
    const w = new PacketWriter();
    assert.equal(writePrepareOk(w, { statementId: 1, numColumns: 1, numParams: 2, warnings: 0 }, 1), 2);
    assert.deepEqual(w.take(), framed(b, 1));
  });

  void test('warnings; short packet without them; bad header', () => {
    const b = hex('00 ffffffff 0000 0300 00 0700');
    assert.deepEqual(decodePrepareOk(b, 0, b.length), { statementId: 0xffffffff, numColumns: 0, numParams: 3, warnings: 7 });
    assert.equal(decodePrepareOk(b, 0, 9).warnings, 0);
    assert.throws(() => decodePrepareOk(b, 0, 8), ProtocolError);
    assert.throws(() => decodePrepareOk(hex('ff 01000000 0100 0200'), 0, 9), ProtocolError);
  });
});

void describe('statement id access (hot path)', () => {
  void test('reads and rewrites the u32 at payload offset 1', () => {
    const b = hex('aa 19 78563412 bb');
    assert.equal(readStatementId(b, 1), 0x12345678);
    assert.equal(readStatementId(b, 1, 6), 0x12345678);
    writeStatementId(b, 1, 0xfffffffe);
    assert.deepEqual(b, hex('aa 19 feffffff bb'));
    assert.throws(() => readStatementId(b, 1, 5), ProtocolError);
    assert.throws(() => readStatementId(b, 3), ProtocolError);
    assert.throws(() => writeStatementId(b, 3, 1), ProtocolError);
  });

  void test('COM_STMT_SEND_LONG_DATA', () => {
    const b = hex(`18 05000000 0200 ${asciiHex('chunk')}`);
    const d = decodeSendLongData(b, 0, b.length);
    assert.equal(d.statementId, 5);
    assert.equal(d.paramId, 2);
    assert.equal(d.data.toString(), 'chunk');
  });
});

void describe('COM_STMT_EXECUTE', () => {
  void test('documentation example: one VARCHAR parameter "foo"', () => {
    const b = hex('17 01000000 00 01000000 00 01 0f00 03 666f6f');
    const e = decodeExecute(b, 0, b.length, 1, null);
    assert.equal(e.statementId, 1);
    assert.equal(e.flags, 0);
    assert.equal(e.iterationCount, 1);
    assert.equal(e.newParamsBound, true);
    assert.deepEqual(e.types, [T.VARCHAR]);
    assert.deepEqual(e.values, [Buffer.from('foo')]);
  });

  // 16 parameters, hand-built. Param 6 (bit 6) is NULL: bitmap 40 00.
  const TYPES = '0100 0180 0200 0300 0880 0600 0800 0800 0400 0500 f600 0c00 0a00 0b00 0700 fc00';
  const VALUES = [
    'ff',                       // 0 TINY signed -1
    'ff',                       // 1 TINY unsigned 255
    'feff',                     // 2 SHORT -2
    '78563412',                 // 3 LONG 0x12345678
    'ffffffffffffffff',         // 4 LONGLONG unsigned 2^64-1
    //                             5 NULL type: no value
    //                             6 NULL by bitmap (type LONGLONG): no value
    'feffffffffffffff',         // 7 LONGLONG signed -2
    '0000c03f',                 // 8 FLOAT 1.5
    '00000000000002c0',         // 9 DOUBLE -2.25
    '04 332e3134',              // 10 NEWDECIMAL '3.14'
    '0b e807 02 1d 0d 05 09 7b000000', // 11 DATETIME 2024-02-29 13:05:09.000123
    '04 e807 0c 1f',            // 12 DATE 2024-12-31
    '0c 01 01000000 02 03 04 40e20100', // 13 TIME -26:03:04.123456
    '00',                       // 14 TIMESTAMP zero length
    '02 00ff',                  // 15 BLOB
  ];
  const MULTI = hex(`17 07000000 00 01000000 | 40 00 | 01 | ${TYPES} | ${VALUES.join(' ')}`);
  const EXPECTED: ExecValue[] = [
    -1, 255, -2, 0x12345678, 2n ** 64n - 1n, null, null, -2, 1.5, -2.25, '3.14',
    '2024-02-29 13:05:09.000123', '2024-12-31', '-26:03:04.123456', '0000-00-00 00:00:00', hex('00ff'),
  ];

  void test('every binary type, hand-built', () => {
    const e = decodeExecute(MULTI, 0, MULTI.length, 16, null);
    assert.equal(e.statementId, 7);
    assert.equal(e.types[1], T.TINY | UNSIGNED_PARAM);
    assert.equal(e.types[4], T.LONGLONG | UNSIGNED_PARAM);
    assert.deepEqual(e.values, EXPECTED);
  });

  void test('parameters already bound (new_params_bound = 0) reuse the previous types', () => {
    const first = decodeExecute(MULTI, 0, MULTI.length, 16, null);
    const again = hex(`17 07000000 00 01000000 | 40 00 | 00 | ${VALUES.join(' ')}`);
    const e = decodeExecute(again, 0, again.length, 16, first.types);
    assert.equal(e.newParamsBound, false);
    assert.deepEqual(e.values, EXPECTED);
    assert.throws(() => decodeExecute(again, 0, again.length, 16, null), ProtocolError);
    assert.throws(() => decodeExecute(again, 0, again.length, 16, first.types.slice(0, 3)), ProtocolError);
  });

  void test('no parameters: the packet ends after the iteration count', () => {
    const b = hex('17 02000000 01 01000000');
    assert.deepEqual(decodeExecute(b, 0, b.length, 0, null), {
      statementId: 2, flags: CursorType.READ_ONLY, iterationCount: 1, newParamsBound: false, types: [], values: [],
    });
  });

  void test('long-data parameters carry no value in the packet', () => {
    const b = hex('17 01000000 00 01000000 00 01 fc00 0300 | 2a000000');
    const e = decodeExecute(b, 0, b.length, 2, null, { longDataParams: new Set([0]) });
    assert.deepEqual(e.values, [null, 42]);
  });

  void test('QUERY_ATTRIBUTES: a parameter count and a name per type', () => {
    const b = hex(`17 01000000 08 01000000 | 02 | 00 | 01 | 0300 00 | fe00 01 ${asciiHex('a')} | 05000000 | 01 ${asciiHex('x')}`);
    const e = decodeExecute(b, 0, b.length, 1, null, { capabilities: Capability.QUERY_ATTRIBUTES });
    assert.deepEqual(e.types, [T.LONG, T.STRING]);
    assert.deepEqual(e.values, [5, Buffer.from('x')]);
  });

  void test('truncation anywhere → ProtocolError, never another error', () => {
    for (let n = 0; n < MULTI.length; n++) {
      const o = checkDecoder(MULTI.subarray(0, n), (buf, s, e) => decodeExecute(buf, s, e, 16, null));
      assert.equal(o.ok, false, `cut at ${n}`);
    }
  });

  void test('bad date/time lengths and unknown types → ProtocolError', () => {
    const badLen = hex('17 01000000 00 01000000 00 01 0c00 05 e8070101 00');
    assert.throws(() => decodeExecute(badLen, 0, badLen.length, 1, null), ProtocolError);
    const badType = hex('17 01000000 00 01000000 00 01 1400 00');
    assert.throws(() => decodeExecute(badType, 0, badType.length, 1, null), ProtocolError);
    const notExec = hex('16 01000000 00 01000000');
    assert.throws(() => decodeExecute(notExec, 0, notExec.length, 0, null), ProtocolError);
  });

  void test('writeExecute reproduces the hand-built packet', () => {
    const types = decodeExecute(MULTI, 0, MULTI.length, 16, null).types;
    const w = new PacketWriter();
    writeExecute(w, { statementId: 7, types, values: EXPECTED }, 0);
    const want = Buffer.from(MULTI);
    want[10] = 0x60; // the writer also flags param 5 (NULL type, null value) in the bitmap
    assert.deepEqual(payloadOf(w.take()), want);
  });

  void test('writeExecute → decodeExecute round trip (property)', () => {
    const s = fc.string({ maxLength: 50 });
    const param: fc.Arbitrary<[number, ExecValue]> = fc.oneof(
      fc.integer({ min: -128, max: 127 }).map((v) => P(T.TINY, v)),
      fc.integer({ min: 0, max: 255 }).map((v) => P(T.TINY | UNSIGNED_PARAM, v)),
      fc.integer({ min: -32768, max: 32767 }).map((v) => P(T.SHORT, v)),
      fc.integer({ min: 0, max: 0xffff }).map((v) => P(T.YEAR | UNSIGNED_PARAM, v)),
      fc.integer().map((v) => P(T.LONG, v)),
      fc.integer({ min: 0, max: 0xffffffff }).map((v) => P(T.LONG | UNSIGNED_PARAM, v)),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v) => P(T.LONGLONG, norm(v))),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((v) => P(T.LONGLONG | UNSIGNED_PARAM, norm(v))),
      fc.float({ noNaN: true }).map((v) => P(T.FLOAT, v)),
      fc.double({ noNaN: true }).map((v) => P(T.DOUBLE, v)),
      fc.stringMatching(/^-?[0-9]{1,30}(\.[0-9]{1,30})?$/).map((v) => P(T.NEWDECIMAL, v)),
      fc.date({ min: new Date(Date.UTC(1, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }).map((d) => P(T.DATETIME, dt(d))),
      fc.date({ min: new Date(Date.UTC(1, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }).map((d) => P(T.DATE, dt(d).slice(0, 10))),
      fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 838 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 999999 }))
        .map(([neg, h, m, sec, us]) => P(T.TIME, `${neg ? '-' : ''}${p2(h)}:${p2(m)}:${p2(sec)}.${String(us).padStart(6, '0')}`)),
      s.map((v) => P(T.VAR_STRING, Buffer.from(v))),
      fc.uint8Array({ maxLength: 300 }).map((v) => P(T.BLOB, Buffer.from(v))),
      fc.constantFrom(T.LONG, T.VAR_STRING, T.NULL).map((t) => P(t, null)),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.array(param, { maxLength: 20 }), (id, params) => {
        const types = params.map(([t]) => t);
        const values = params.map(([, v]) => v);
        const w = new PacketWriter();
        writeExecute(w, { statementId: id, types, values }, 0);
        const p = payloadOf(w.take());
        const e = decodeExecute(p, 0, p.length, params.length, null);
        assert.equal(e.statementId, id);
        assert.deepEqual(e.types, params.length > 0 ? types : []);
        assert.deepEqual(e.values, values);
      }),
    );
  });
});

function P(type: number, v: ExecValue): [number, ExecValue] {
  return [type, v];
}

function norm(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function p2(n: number): string {
  return String(n).padStart(2, '0');
}

function dt(d: Date): string {
  const us = String(d.getUTCMilliseconds() * 1000).padStart(6, '0');
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${us}`;
}

void describe('COM_STMT_EXECUTE cursor flags', () => {
  void test('READ_ONLY, FOR_UPDATE and SCROLLABLE open a cursor; PARAMETER_COUNT_AVAILABLE and no flags do not', () => {
    // Payload bytes (protocol docs "COM_STMT_EXECUTE"): 0x17, statement id u32, flags u8, iteration count u32.
    const exec = (flags: number): Buffer => Buffer.from([0x17, 1, 0, 0, 0, flags, 1, 0, 0, 0]);
    assert.equal(executeOpensCursor(exec(0x00), 0, 10), false);
    assert.equal(executeOpensCursor(exec(0x01), 0, 10), true);
    assert.equal(executeOpensCursor(exec(0x02), 0, 10), true);
    assert.equal(executeOpensCursor(exec(0x04), 0, 10), true);
    assert.equal(executeOpensCursor(exec(0x08), 0, 10), false);
    assert.equal(executeOpensCursor(exec(0x09), 0, 10), true);
    assert.equal(executeOpensCursor(exec(0x01), 0, 5), false, 'too short to carry flags');
  });
});
