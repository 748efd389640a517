// Prepared statements: COM_STMT_PREPARE_OK, COM_STMT_EXECUTE and the statement id of the COM_STMT_* family.
// dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_prepare.html
// dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_execute.html
// mariadb.com/kb/en/com_stmt_execute/ (statement id 0xffffffff = the last prepared statement; same layout)
// PREPARE_OK: 0x00 stmt_id(4) num_columns(2) num_params(2) filler(1) warnings(2)
// EXECUTE:    0x17 stmt_id(4) flags(1) iteration_count(4)
//             [param_count(lenenc) if QUERY_ATTRIBUTES and (num_params > 0 or flags & PARAMETER_COUNT_AVAILABLE)]
//             if count > 0: null_bitmap((count + 7) / 8, bit i = param i) new_params_bound(1)
//                           [type(2) [name(lenenc) if QUERY_ATTRIBUTES] per param if new_params_bound]
//                           value per param that is neither NULL nor sent by COM_STMT_SEND_LONG_DATA

import { ProtocolError } from '../errors/catalogue.js';
import { Capability, Command, CursorType, OK_HEADER } from './constants.js';
import { readBinaryValue, writeBinaryValue, type ExecValue } from './binary-value.js';
import { PacketReader } from './reader.js';
import type { PacketWriter } from './writer.js';

export type { ExecValue } from './binary-value.js';

export interface PrepareOk {
  statementId: number;
  numColumns: number;
  numParams: number;
  warnings: number;
}

export function decodePrepareOk(buf: Buffer, start: number, end: number): PrepareOk {
  const r = new PacketReader(buf, start, end);
  const header = r.u8();
  if (header !== OK_HEADER) throw new ProtocolError(`not a COM_STMT_PREPARE OK packet (0x${header.toString(16)})`);
  const statementId = r.u32();
  const numColumns = r.u16();
  const numParams = r.u16();
  let warnings = 0;
  if (r.remaining() >= 3) {
    r.skip(1);
    warnings = r.u16();
  }
  return { statementId, numColumns, numParams, warnings };
}

/** Writes the PREPARE_OK packet only (the parameter and column definitions follow separately). */
export function writePrepareOk(w: PacketWriter, p: PrepareOk, seq: number): number {
  return w.begin(seq).u8(OK_HEADER).u32(p.statementId).u16(p.numColumns).u16(p.numParams).u8(0).u16(p.warnings).end();
}

/**
 * The statement id of COM_STMT_EXECUTE/CLOSE/RESET/FETCH/SEND_LONG_DATA (u32 at payload offset 1).
 * Hot path: no allocation. `end` defaults to the buffer's end.
 */
export function readStatementId(buf: Buffer, start: number, end: number = buf.length): number {
  if (start < 0 || start + 5 > end || end > buf.length) throw new ProtocolError('statement command too short for an id');
  return buf.readUInt32LE(start + 1);
}

/**
 * Whether a COM_STMT_EXECUTE payload at [start, end) asks for a cursor: its flags byte (after the command byte and
 * the id) has READ_ONLY, FOR_UPDATE or SCROLLABLE. PARAMETER_COUNT_AVAILABLE is not a cursor. A payload too short to
 * have flags asks for none.
 */
export function executeOpensCursor(buf: Buffer, start: number, end: number): boolean {
  return end - start > 5 && (buf[start + 5]! & (CursorType.READ_ONLY | CursorType.FOR_UPDATE | CursorType.SCROLLABLE)) !== 0;
}

/** Rewrites the statement id in place (client id → server id). */
export function writeStatementId(buf: Buffer, start: number, id: number): void {
  if (start < 0 || start + 5 > buf.length) throw new ProtocolError('statement command too short for an id');
  buf.writeUInt32LE(id >>> 0, start + 1);
}

export interface ExecuteDecodeOptions {
  /** Negotiated capabilities; only QUERY_ATTRIBUTES matters. Default 0. */
  capabilities?: number;
  /** Parameters whose value came by COM_STMT_SEND_LONG_DATA: absent from the packet, reported as null. */
  longDataParams?: ReadonlySet<number>;
}

export interface ExecuteRequest {
  statementId: number;
  flags: number;
  iterationCount: number;
  newParamsBound: boolean;
  /** 16-bit types (MYSQL_TYPE_* | UNSIGNED_PARAM); pass back as `prevTypes` for the next execute. */
  types: number[];
  /** See binary-value.ts for the JS type of each MySQL type. Buffers are views into the packet. */
  values: ExecValue[];
}

/**
 * Decodes COM_STMT_EXECUTE for a statement with `numParams` parameters. When the client does not re-send
 * types (new_params_bound = 0, also MariaDB's "params already bound"), `prevTypes` from the previous execute
 * are used; missing → ProtocolError. With QUERY_ATTRIBUTES the packet's own count (params + attributes)
 * wins and the attribute names are skipped.
 */
export function decodeExecute(
  buf: Buffer,
  start: number,
  end: number,
  numParams: number,
  prevTypes: readonly number[] | null,
  opts: ExecuteDecodeOptions = {},
): ExecuteRequest {
  const r = new PacketReader(buf, start, end);
  const cmd = r.u8();
  if (cmd !== Command.STMT_EXECUTE) throw new ProtocolError(`not a COM_STMT_EXECUTE (0x${cmd.toString(16)})`);
  const statementId = r.u32();
  const flags = r.u8();
  const iterationCount = r.u32();
  const withAttrs = ((opts.capabilities ?? 0) & Capability.QUERY_ATTRIBUTES) !== 0;
  let count = numParams;
  if (withAttrs && (numParams > 0 || (flags & CursorType.PARAMETER_COUNT_AVAILABLE) !== 0)) count = lengthOf(r);
  const out: ExecuteRequest = { statementId, flags, iterationCount, newParamsBound: false, types: [], values: [] };
  if (count === 0) return out;
  const bitmap = r.bytes((count + 7) >>> 3);
  out.newParamsBound = r.u8() !== 0;
  out.types = out.newParamsBound ? readTypes(r, count, withAttrs) : reuseTypes(prevTypes, count);
  const longData = opts.longDataParams;
  for (let i = 0; i < count; i++) {
    const isNull = ((bitmap[i >>> 3] as number) & (1 << (i & 7))) !== 0;
    out.values.push(isNull || longData?.has(i) === true ? null : readBinaryValue(r, out.types[i] as number));
  }
  return out;
}

function lengthOf(r: PacketReader): number {
  const n = r.lenencInt();
  if (n === null || n > 0xffff) throw new ProtocolError(`bad parameter count ${String(n)}`);
  return n;
}

function readTypes(r: PacketReader, count: number, withNames: boolean): number[] {
  // Each type takes at least 2 bytes: a count larger than the packet allows is rejected before allocating.
  if (count * 2 > r.remaining()) throw new ProtocolError('COM_STMT_EXECUTE truncated in parameter types');
  const types: number[] = [];
  for (let i = 0; i < count; i++) {
    types.push(r.u16());
    if (withNames) r.lenencBytes();
  }
  return types;
}

function reuseTypes(prevTypes: readonly number[] | null, count: number): number[] {
  if (prevTypes === null || prevTypes.length < count) {
    throw new ProtocolError('COM_STMT_EXECUTE without parameter types and none bound before');
  }
  return prevTypes.slice(0, count);
}

export interface ExecuteWriteRequest {
  statementId: number;
  flags?: number;
  iterationCount?: number;
  /** Default true: types are sent. */
  newParamsBound?: boolean;
  types: readonly number[];
  values: readonly ExecValue[];
}

/** Writes COM_STMT_EXECUTE without query attributes (the inverse of decodeExecute); returns the next seq. */
export function writeExecute(w: PacketWriter, e: ExecuteWriteRequest, seq = 0): number {
  const n = e.values.length;
  w.begin(seq).u8(Command.STMT_EXECUTE).u32(e.statementId).u8(e.flags ?? 0).u32(e.iterationCount ?? 1);
  if (n === 0) return w.end();
  const bitmap = Buffer.alloc((n + 7) >>> 3);
  for (let i = 0; i < n; i++) if (e.values[i] === null) bitmap[i >>> 3] = (bitmap[i >>> 3] as number) | (1 << (i & 7));
  const bound = e.newParamsBound ?? true;
  w.bytes(bitmap).u8(bound ? 1 : 0);
  if (bound) for (let i = 0; i < n; i++) w.u16(e.types[i] ?? 0);
  for (let i = 0; i < n; i++) {
    const v = e.values[i];
    if (v !== null && v !== undefined) writeBinaryValue(w, e.types[i] ?? 0, v);
  }
  return w.end();
}

/** COM_STMT_SEND_LONG_DATA: 0x18 stmt_id(4) param_id(2) data(EOF). `data` is a view. */
export function decodeSendLongData(buf: Buffer, start: number, end: number): { statementId: number; paramId: number; data: Buffer } {
  const r = new PacketReader(buf, start, end);
  const cmd = r.u8();
  if (cmd !== Command.STMT_SEND_LONG_DATA) throw new ProtocolError(`not a COM_STMT_SEND_LONG_DATA (0x${cmd.toString(16)})`);
  const statementId = r.u32();
  const paramId = r.u16();
  return { statementId, paramId, data: r.restBytes() };
}
