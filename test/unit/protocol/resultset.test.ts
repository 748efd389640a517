import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ProtocolError } from '../../../src/errors/catalogue.js';
import { Capability, Charset, ColumnFlag, ColumnType, MariadbCapability } from '../../../src/protocol/constants.js';
import {
  decodeColumnDef,
  textColumn,
  writeColumnCount,
  writeColumnDef,
  writeTextResultSet,
  writeTextRow,
  type ColumnDef,
} from '../../../src/protocol/resultset.js';
import { PacketWriter } from '../../../src/protocol/writer.js';
import { asciiHex, hex } from './codec-helpers.js';

// Documentation example: column definition of SELECT @@version_comment.
const VERSION_COMMENT = hex(`03 ${asciiHex('def')} 00 00 00 11 ${asciiHex('@@version_comment')} 00
  0c 08 00 1c 00 00 00 fd 00 00 1f 00 00`);

/** Splits framed packets with independent code: [seq, payload hex]. */
function split(b: Buffer): [number, string][] {
  const out: [number, string][] = [];
  for (let at = 0; at < b.length; ) {
    const len = b.readUIntLE(at, 3);
    out.push([b[at + 3] as number, b.subarray(at + 4, at + 4 + len).toString('hex')]);
    at += 4 + len;
  }
  return out;
}

void describe('column definitions', () => {
  void test('documentation example', () => {
    assert.deepEqual(decodeColumnDef(VERSION_COMMENT, 0, VERSION_COMMENT.length), {
      catalog: 'def', schema: '', table: '', orgTable: '', name: '@@version_comment', orgName: '',
      charset: 8, length: 0x1c, type: ColumnType.VAR_STRING, flags: 0, decimals: 0x1f,
    });
  });

  void test('writeColumnDef reproduces it', () => {
    const w = new PacketWriter();
    assert.equal(writeColumnDef(w, decodeColumnDef(VERSION_COMMENT, 0, VERSION_COMMENT.length), 2), 3);
    assert.deepEqual(split(w.take()), [[2, VERSION_COMMENT.toString('hex')]]);
  });

  void test('MariaDB extended type info is skipped when negotiated', () => {
    const b = hex(`03 ${asciiHex('def')} 02 ${asciiHex('db')} 01 74 01 74 01 63 01 63 | 06 00 04 ${asciiHex('uuid')}
      0c 2d 00 ff 00 00 00 fe 81 00 00 00 00`);
    const col = decodeColumnDef(b, 0, b.length, MariadbCapability.EXTENDED_TYPE_INFO);
    assert.equal(col.schema, 'db');
    assert.equal(col.charset, 45);
    assert.equal(col.length, 255);
    assert.equal(col.type, ColumnType.STRING);
    assert.equal(col.flags, ColumnFlag.BINARY | ColumnFlag.NOT_NULL);
    assert.throws(() => decodeColumnDef(b, 0, b.length), ProtocolError, 'without the capability the extra field is misread');
  });

  void test('truncated or bad fixed-length → ProtocolError', () => {
    for (let n = 0; n < VERSION_COMMENT.length - 2; n++) {
      assert.throws(() => decodeColumnDef(VERSION_COMMENT, 0, n), ProtocolError, `cut at ${n}`);
    }
    const bad = Buffer.from(VERSION_COMMENT);
    bad[bad.indexOf(0x0c)] = 0x09;
    assert.throws(() => decodeColumnDef(bad, 0, bad.length), ProtocolError);
  });

  void test('round trip (property)', () => {
    const s = fc.string({ maxLength: 64 });
    const arb = fc.record({
      catalog: fc.constant('def'), schema: s, table: s, orgTable: s, name: s, orgName: s,
      charset: fc.integer({ min: 0, max: 0xffff }), length: fc.integer({ min: 0, max: 0xffffffff }),
      type: fc.integer({ min: 0, max: 255 }), flags: fc.integer({ min: 0, max: 0xffff }), decimals: fc.integer({ min: 0, max: 255 }),
    });
    fc.assert(
      fc.property(arb, (col: ColumnDef) => {
        const w = new PacketWriter();
        writeColumnDef(w, col, 0);
        const b = w.take();
        assert.deepEqual(decodeColumnDef(b, 4, b.length), { ...col });
      }),
    );
  });
});

void describe('text rows and result sets', () => {
  void test('text row: lenenc values and 0xfb for NULL', () => {
    const w = new PacketWriter();
    assert.equal(writeTextRow(w, ['1', null, Buffer.from([0xff]), ''], 4), 5);
    assert.deepEqual(split(w.take()), [[4, '0131fb01ff00']]);
  });

  void test('column count', () => {
    const w = new PacketWriter();
    writeColumnCount(w, 300, 1);
    assert.deepEqual(split(w.take()), [[1, 'fc2c01']]);
  });

  void test('textColumn defaults', () => {
    const c = textColumn('Variable_name');
    assert.equal(c.type, ColumnType.VAR_STRING);
    assert.equal(c.charset, Charset.utf8mb4_general_ci);
    assert.equal(c.orgName, 'Variable_name');
    const n = textColumn('n', ColumnType.LONGLONG);
    assert.equal(n.charset, Charset.binary);
    assert.ok((n.flags & ColumnFlag.NUM) !== 0);
  });

  const col = textColumn('a');
  const colHex = `03${asciiHex('def')}000000 01${asciiHex('a')} 01${asciiHex('a')} 0c 2d00 00040000 fd 0000 00 0000`.replace(/ /g, '');

  void test('classic result set: count, defs, EOF, rows, EOF with sequence ids', () => {
    const w = new PacketWriter();
    const next = writeTextResultSet(w, [col], [['x'], [null]], {
      seq: 1, deprecateEof: false, status: 2, capabilities: Capability.PROTOCOL_41,
    });
    assert.equal(next, 7);
    assert.deepEqual(split(w.take()), [
      [1, '01'], [2, colHex], [3, 'fe00000200'], [4, '0178'], [5, 'fb'], [6, 'fe00000200'],
    ]);
  });

  void test('DEPRECATE_EOF result set: no middle EOF, ends with a 0xfe OK', () => {
    const w = new PacketWriter();
    const caps = Capability.PROTOCOL_41 | Capability.DEPRECATE_EOF | Capability.SESSION_TRACK;
    const next = writeTextResultSet(w, [col], [['x']], { seq: 1, deprecateEof: true, status: 0x22, capabilities: caps });
    assert.equal(next, 5);
    assert.deepEqual(split(w.take()), [[1, '01'], [2, colHex], [3, '0178'], [4, 'fe000022000000']]);
  });

  void test('no columns → a plain OK', () => {
    const w = new PacketWriter();
    writeTextResultSet(w, [], [], { seq: 1, deprecateEof: false, status: 2, capabilities: Capability.PROTOCOL_41 });
    assert.deepEqual(split(w.take()), [[1, '00000002000000']]);
  });
});
