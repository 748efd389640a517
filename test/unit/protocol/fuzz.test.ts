// Every byte-reading function on random and mutated input: it returns or throws ProtocolError, nothing else,
// and its result does not depend on bytes outside the view (checkDecoder). Inputs that ever broke a decoder
// live in test/fixtures/protocol/crashers/<decoder>.<label>.hex and are replayed here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { decodeAuthMoreData, decodeAuthSwitchRequest } from '../../../src/protocol/auth-switch.js';
import { Capability, ColumnType, MariadbCapability } from '../../../src/protocol/constants.js';
import { decodeEof, isEofPacket } from '../../../src/protocol/eof.js';
import { decodeErr, decodeProgressReport, isProgressReport } from '../../../src/protocol/err.js';
import { decodeHandshakeResponse, isSslRequest, writeHandshakeResponse } from '../../../src/protocol/handshake-response.js';
import { decodeHandshake, writeHandshake } from '../../../src/protocol/handshake.js';
import { decodeOk, okStatus, parseSessionTrack, writeOk, writeSessionTrack } from '../../../src/protocol/ok.js';
import { PacketReader } from '../../../src/protocol/reader.js';
import { decodeColumnDef, textColumn, writeColumnDef } from '../../../src/protocol/resultset.js';
import { decodeExecute, decodePrepareOk, decodeSendLongData, readStatementId, writeExecute } from '../../../src/protocol/stmt.js';
import { PacketWriter } from '../../../src/protocol/writer.js';
import { checkDecoder, hex, repoRoot } from './codec-helpers.js';

type Decoder = (buf: Buffer, start: number, end: number) => unknown;

const ALL_CAPS = 0xffffffff;
const P41 = Capability.PROTOCOL_41;

/** Reads every field kind in turn until the view is exhausted or a read fails. */
function readerWalk(buf: Buffer, start: number, end: number): unknown[] {
  const r = new PacketReader(buf, start, end);
  const out: unknown[] = [];
  const ops = [
    () => r.lenencInt(), () => r.nulString(), () => r.u16(), () => r.lenencBytes(), () => r.u64(), () => r.lenencIntBig(),
    () => r.u24(), () => r.lenencIntNumeric(), () => r.nulStringOrRest(), () => r.u48(), () => r.lenencBytesOrNull(),
    () => r.f64(), () => r.string(3), () => r.i8(), () => r.peek() + r.u8(),
  ];
  for (let i = 0; r.remaining() > 0; i++) out.push((ops[i % ops.length] as () => unknown)());
  return out;
}

const DECODERS: Record<string, Decoder> = {
  handshake: decodeHandshake,
  handshakeResponse: decodeHandshakeResponse,
  isSslRequest,
  authSwitch: decodeAuthSwitchRequest,
  authMoreData: decodeAuthMoreData,
  okP41: (b, s, e) => decodeOk(b, s, e, P41),
  okAll: (b, s, e) => decodeOk(b, s, e, ALL_CAPS),
  okOld: (b, s, e) => decodeOk(b, s, e, 0),
  okStatus,
  sessionTrack: (b, s, e) => parseSessionTrack(Buffer.from(b.subarray(s, e))),
  err: decodeErr,
  isProgressReport,
  progressReport: decodeProgressReport,
  eof: decodeEof,
  isEof: isEofPacket,
  columnDef: decodeColumnDef,
  columnDefMariadb: (b, s, e) => decodeColumnDef(b, s, e, MariadbCapability.EXTENDED_TYPE_INFO),
  prepareOk: decodePrepareOk,
  statementId: readStatementId,
  sendLongData: decodeSendLongData,
  execute0: (b, s, e) => decodeExecute(b, s, e, 0, null),
  execute3: (b, s, e) => decodeExecute(b, s, e, 3, null),
  execute3Bound: (b, s, e) => decodeExecute(b, s, e, 3, [ColumnType.DATETIME, ColumnType.TIME, ColumnType.NEWDECIMAL]),
  execute5Attrs: (b, s, e) => decodeExecute(b, s, e, 5, null, { capabilities: Capability.QUERY_ATTRIBUTES, longDataParams: new Set([1]) }),
  reader: readerWalk,
};

/** Valid payloads to mutate, so random changes reach deep into each decoder. */
function seeds(): Buffer[] {
  const w = new PacketWriter();
  const payloads: Buffer[] = [];
  const add = (write: () => unknown): void => {
    write();
    payloads.push(w.take().subarray(4));
  };
  add(() => writeHandshake(w, {
    protocolVersion: 10, serverVersion: '8.0.36', connectionId: 9, scramble: Buffer.alloc(20, 0x41), capabilities: 0xfffff7fe,
    charset: 45, status: 2, authPluginName: 'caching_sha2_password', mariadbCapabilities: 0x1f,
  }));
  add(() => writeHandshakeResponse(w, {
    capabilities: 0x003fa20f, maxPacketSize: 1 << 24, charset: 45, user: 'root@sys#c:1', authResponse: Buffer.alloc(20, 7),
    database: 'db', authPluginName: 'mysql_native_password', attributes: new Map([['_os', 'linux'], ['k', 'v']]), mariadbCapabilities: 0,
  }, 1));
  add(() => writeOk(w, { affectedRows: 300, lastInsertId: 70000, status: 0x4002, info: 'i',
    sessionState: writeSessionTrack([{ kind: 'system_variable', name: 'a', value: 'b' }, { kind: 'schema', name: 'db' }]) }, 1, ALL_CAPS));
  add(() => writeColumnDef(w, textColumn('name'), 2));
  add(() => writeExecute(w, {
    statementId: 1,
    types: [ColumnType.DATETIME, ColumnType.TIME, ColumnType.NEWDECIMAL],
    values: ['2024-01-02 03:04:05.000006', '-100:00:01.5', '12.5'],
  }));
  payloads.push(hex('ff 48 04 23 4859303030 4e6f'), hex('fe 00 00 02 00'), hex('ff ff ff 01 02 03 39 30 00 02 6869'));
  payloads.push(hex('00 01000000 0100 0200 00 0000'), hex('fe 6d7973716c00 0102 00'), hex('18 01000000 0000 61'));
  return payloads;
}

const mutated = fc
  .tuple(
    fc.constantFrom(...seeds()),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    fc.nat(),
    fc.boolean(),
  )
  .map(([seed, flips, cut, truncate]) => {
    const b = Buffer.from(seed);
    for (const [at, v] of flips) if (b.length > 0) b[at % b.length] = v;
    return truncate && b.length > 0 ? b.subarray(0, cut % b.length) : b;
  });

const input = fc.oneof(
  fc.uint8Array({ maxLength: 120 }).map((a) => Buffer.from(a)),
  fc.tuple(fc.constantFrom(0x00, 0x01, 0x0a, 0x17, 0x18, 0xfb, 0xfc, 0xfd, 0xfe, 0xff), fc.uint8Array({ maxLength: 80 }))
    .map(([first, rest]) => Buffer.concat([Buffer.from([first]), rest])),
  mutated,
);

void describe('decoders on random and mutated input (property)', () => {
  for (const [name, decode] of Object.entries(DECODERS)) {
    void test(name, () => {
      fc.assert(fc.property(input, (payload) => void checkDecoder(payload, decode)), { numRuns: 400 });
    });
  }
});

void describe('crasher fixtures', () => {
  const dir = join(repoRoot(), 'test', 'fixtures', 'protocol', 'crashers');
  const files = readdirSync(dir).filter((f) => f.endsWith('.hex'));

  void test('the fixture directory names only known decoders', () => {
    for (const f of files) assert.ok(f.split('.')[0]! in DECODERS, `${f}: unknown decoder prefix`);
  });

  for (const f of files) {
    void test(f, () => {
      const decode = DECODERS[f.split('.')[0]!] as Decoder;
      checkDecoder(hex(readFileSync(join(dir, f), 'utf8')), decode);
    });
  }
});
