// Statements the PROXY runs on a server connection in queue mode (detached: no data handler attached; the owner
// detaches/attaches around the call): saved-login bootstrap, auth-source loads, session-state replay.
// Not the per-packet path: async and whole-packet copies are fine here (each QueuedPacket payload is an owned copy,
// so returned row values are views into those copies and stay valid).
// Response grammar: dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response.html,
// .../page_protocol_com_stmt_prepare.html#sect_protocol_com_stmt_prepare_response, .../page_protocol_com_init_db.html
//
// Contract: one exchange at a time per connection (PacketQueue refuses concurrent reads). The timeout bounds the
// whole exchange, not each packet. After a rejection (timeout, connection loss, malformed bytes, too many rows)
// the connection is out of sync and the caller must destroy it; a resolved ERR result leaves it usable.

import { OdpError, ProtocolError, isOdpError } from '../errors/catalogue.js';
import { Capability, Command, EOF_HEADER, ERR_HEADER, LOCAL_INFILE_HEADER, MAX_PAYLOAD, OK_HEADER, ServerStatus } from '../protocol/constants.js';
import { isEofPacket } from '../protocol/eof.js';
import { decodeErr, isProgressReport } from '../protocol/err.js';
import { decodeOk, okStatus } from '../protocol/ok.js';
import type { QueuedPacket } from '../protocol/packet-queue.js';
import { PacketReader } from '../protocol/reader.js';
import { decodePrepareOk } from '../protocol/stmt.js';
import { PacketWriter } from '../protocol/writer.js';
import type { ServerConnection } from './server-connection.js';

export interface QueryColumn {
  readonly name: string;
  readonly type: number;
  readonly charset: number;
  readonly flags: number;
}

export type QueryResult =
  | { readonly kind: 'ok'; readonly affectedRows: number; readonly lastInsertId: bigint; readonly status: number; readonly warnings: number }
  | { readonly kind: 'rows'; readonly columns: readonly QueryColumn[]; readonly rows: readonly (readonly (Buffer | null)[])[]; readonly status: number }
  | { readonly kind: 'err'; readonly errno: number; readonly sqlState: string; readonly message: string };

export type ErrResult = Extract<QueryResult, { kind: 'err' }>;
type DataResult = Exclude<QueryResult, ErrResult>;

export type PrepareResult = { kind: 'prepared'; statementId: number; numParams: number; numColumns: number } | ErrResult;

export interface InternalQueryOptions {
  readonly timeoutMs: number;
  /** CLIENT_DEPRECATE_EOF was negotiated on this connection. */
  readonly deprecateEof: boolean;
  /** Rows kept from the first result set; more → rejection. Default DEFAULT_MAX_ROWS. */
  readonly maxRows?: number;
}

export const DEFAULT_MAX_ROWS = 10_000;

/** Reads the packets of one exchange against a single deadline; every failure becomes an OdpError. */
export class ExchangeReader {
  readonly conn: ServerConnection;
  private readonly deadline: number;

  constructor(conn: ServerConnection, timeoutMs: number) {
    this.conn = conn;
    this.deadline = Date.now() + Math.max(1, timeoutMs);
  }

  async next(): Promise<QueuedPacket> {
    const left = this.deadline - Date.now();
    if (left <= 0) throw new OdpError('BACKEND_TIMEOUT', [this.conn.name]);
    try {
      return await this.conn.readPacket(left);
    } catch (e) {
      throw asOdpError(e, this.conn);
    }
  }

  /** Next packet, skipping MariaDB progress reports (only sent when PROGRESS was negotiated). */
  async nextNonProgress(): Promise<QueuedPacket> {
    for (;;) {
      const p = await this.next();
      if (!isProgressReport(p.payload, 0, p.payload.length)) return p;
    }
  }
}

/** Socket errors (ECONNRESET...) reach the queue as plain Errors: they are a lost backend. */
export function asOdpError(e: unknown, conn: ServerConnection): OdpError {
  if (isOdpError(e)) return e;
  return new OdpError('BACKEND_LOST', [conn.name], e instanceof Error ? e.message : String(e));
}

/** Writes one command packet (sequence id 0). Backpressure is ignored: one small packet on an idle connection. */
function sendCommand(conn: ServerConnection, cmd: number, text: string): void {
  if (conn.closed) throw new OdpError('BACKEND_LOST', [conn.name], 'connection already closed');
  const w = new PacketWriter(16 + Buffer.byteLength(text, 'utf8'));
  w.begin(0).u8(cmd).string(text).end();
  conn.write(w.take());
}

function errResult(p: QueuedPacket): ErrResult {
  const e = decodeErr(p.payload, 0, p.payload.length);
  return { kind: 'err', errno: e.errno, sqlState: e.sqlState, message: e.message };
}

/**
 * COM_QUERY; reads the whole response including every further result (SERVER_MORE_RESULTS_EXISTS). Resolves with
 * the first ERR if any result is one (an ERR ends a multi-result response), else the first result, whose `status`
 * is replaced by the status of the LAST result (the server's state after the whole statement list). Rows of later
 * results are read and dropped.
 */
export async function internalQuery(conn: ServerConnection, sql: string, opts: InternalQueryOptions): Promise<QueryResult> {
  sendCommand(conn, Command.QUERY, sql);
  const rd = new ExchangeReader(conn, opts.timeoutMs);
  const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
  let first: DataResult | null = null;
  for (;;) {
    const r = await readOneResult(rd, opts.deprecateEof, first === null ? maxRows : -1);
    if (r.kind === 'err') return r;
    first ??= r;
    if ((r.status & ServerStatus.MORE_RESULTS_EXISTS) === 0) return { ...first, status: r.status };
  }
}

/** COM_INIT_DB: the answer is one OK or ERR packet. */
export async function internalInitDb(conn: ServerConnection, db: string, opts: { readonly timeoutMs: number }): Promise<QueryResult> {
  sendCommand(conn, Command.INIT_DB, db);
  const p = await new ExchangeReader(conn, opts.timeoutMs).nextNonProgress();
  const head = p.payload[0];
  if (head === ERR_HEADER) return errResult(p);
  if (head === OK_HEADER) return okResult(p);
  throw new ProtocolError(`unexpected COM_INIT_DB response (0x${(head ?? 0).toString(16)}) from ${conn.name}`);
}

/** COM_STMT_PREPARE: PREPARE_OK, parameter definitions [EOF], column definitions [EOF]; or ERR. */
export async function internalPrepare(conn: ServerConnection, sql: string, opts: { readonly timeoutMs: number; readonly deprecateEof: boolean }): Promise<PrepareResult> {
  sendCommand(conn, Command.STMT_PREPARE, sql);
  const rd = new ExchangeReader(conn, opts.timeoutMs);
  const p = await rd.nextNonProgress();
  if (p.payload[0] === ERR_HEADER) return errResult(p);
  const ok = decodePrepareOk(p.payload, 0, p.payload.length);
  await skipDefinitions(rd, ok.numParams, opts.deprecateEof);
  await skipDefinitions(rd, ok.numColumns, opts.deprecateEof);
  return { kind: 'prepared', statementId: ok.statementId, numParams: ok.numParams, numColumns: ok.numColumns };
}

async function skipDefinitions(rd: ExchangeReader, n: number, deprecateEof: boolean): Promise<void> {
  if (n === 0) return;
  for (let i = 0; i < n; i++) await rd.next();
  if (!deprecateEof) expectEof(await rd.next(), rd.conn);
}

function expectEof(p: QueuedPacket, conn: ServerConnection): void {
  if (!isEofPacket(p.payload, 0, p.payload.length)) {
    throw new ProtocolError(`expected an EOF packet after definitions from ${conn.name} (0x${(p.payload[0] ?? 0).toString(16)})`);
  }
}

function okResult(p: QueuedPacket): QueryResult {
  // PROTOCOL_41 layout only: the info / session-state tail is not needed here.
  const ok = decodeOk(p.payload, 0, p.payload.length, Capability.PROTOCOL_41);
  return { kind: 'ok', affectedRows: Number(ok.affectedRows), lastInsertId: BigInt(ok.lastInsertId), status: ok.status, warnings: ok.warnings };
}

/**
 * One result of a COM_QUERY response. `maxRows` < 0: rows are read and dropped. A LOCAL INFILE request (only
 * possible when LOCAL_FILES was negotiated) is declined with an empty packet; the server then answers OK or ERR.
 */
async function readOneResult(rd: ExchangeReader, deprecateEof: boolean, maxRows: number): Promise<QueryResult> {
  for (;;) {
    const p = await rd.nextNonProgress();
    const head = p.payload[0];
    if (head === undefined) throw new ProtocolError(`empty response packet from ${rd.conn.name}`);
    if (head === ERR_HEADER) return errResult(p);
    if (head === OK_HEADER) return okResult(p);
    if (head === LOCAL_INFILE_HEADER) {
      rd.conn.write(Buffer.from([0, 0, 0, (p.seq + 1) & 0xff]));
      continue;
    }
    return readResultSet(rd, p, deprecateEof, maxRows);
  }
}

async function readResultSet(rd: ExchangeReader, countPacket: QueuedPacket, deprecateEof: boolean, maxRows: number): Promise<QueryResult> {
  const n = new PacketReader(countPacket.payload, 0, countPacket.payload.length).lenencInt();
  if (n === null || n === 0 || n > 0xffff) throw new ProtocolError(`bad column count ${String(n)} from ${rd.conn.name}`);
  const keep = maxRows >= 0;
  const columns: QueryColumn[] = [];
  for (let i = 0; i < n; i++) {
    const p = await rd.next();
    if (keep) columns.push(decodeColumn(p.payload));
  }
  if (!deprecateEof) expectEof(await rd.next(), rd.conn);
  const rows: (Buffer | null)[][] = [];
  for (;;) {
    const p = await rd.nextNonProgress();
    const len = p.payload.length;
    const head = p.payload[0];
    if (head === ERR_HEADER) return errResult(p);
    if (head === EOF_HEADER && (deprecateEof ? len < MAX_PAYLOAD : len < 9)) {
      return { kind: 'rows', columns, rows, status: terminatorStatus(p.payload, deprecateEof) };
    }
    if (!keep) continue;
    if (rows.length >= maxRows) {
      throw new OdpError('INTERNAL', [`internal query on ${rd.conn.name} returned more than ${maxRows} rows`]);
    }
    rows.push(decodeRow(p.payload, n));
  }
}

function terminatorStatus(payload: Buffer, deprecateEof: boolean): number {
  if (deprecateEof) return okStatus(payload, 0, payload.length);
  return payload.length >= 5 ? payload.readUInt16LE(3) : 0;
}

/** catalog schema table org_table name org_name (lenenc), then 0x0c and the 12-byte fixed block. */
const FIXED_BLOCK = 13;

/**
 * Name, type, charset and flags of a ColumnDefinition41. MariaDB's extended type info (a lenenc block before the
 * fixed part, present when EXTENDED_TYPE_INFO was negotiated) is detected from the size of what follows org_name:
 * without it exactly FIXED_BLOCK bytes remain, with it at least one more.
 */
function decodeColumn(payload: Buffer): QueryColumn {
  const r = new PacketReader(payload, 0, payload.length);
  for (let i = 0; i < 4; i++) r.lenencBytes();
  const name = r.lenencString();
  r.lenencBytes();
  if (r.remaining() !== FIXED_BLOCK) r.lenencBytes();
  const fixed = r.lenencInt();
  if (fixed === null || fixed < 10) throw new ProtocolError(`bad column definition fixed length ${String(fixed)}`);
  const charset = r.u16();
  r.skip(4);
  const type = r.u8();
  const flags = r.u16();
  return { name, type, charset, flags };
}

/** A text row: `n` lenenc strings, 0xfb = NULL. Values are views into the packet copy. */
function decodeRow(payload: Buffer, n: number): (Buffer | null)[] {
  const r = new PacketReader(payload, 0, payload.length);
  const row: (Buffer | null)[] = [];
  for (let i = 0; i < n; i++) row.push(r.lenencBytesOrNull());
  if (r.remaining() !== 0) throw new ProtocolError(`text row with ${r.remaining()} trailing byte(s)`);
  return row;
}
