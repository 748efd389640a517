// Text result sets: column count, Protocol::ColumnDefinition41, text rows.
// dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_text_resultset.html
// ColumnDefinition41: catalog schema table org_table name org_name (lenenc strings)
//   [MariaDB EXTENDED_TYPE_INFO: extended info (lenenc)] fixed_len(lenenc, 0x0c)
//   charset(2) column_length(4) type(1) flags(2) decimals(1) filler(2)
// Result set: count, defs, [EOF unless DEPRECATE_EOF], rows, EOF (or OK with header 0xfe under DEPRECATE_EOF).
// Writers here build the proxy's own answers (internal commands); forwarded result sets are never re-encoded.

import { ProtocolError } from '../errors/catalogue.js';
import { Charset, ColumnFlag, ColumnType, EOF_HEADER, MariadbCapability } from './constants.js';
import { writeEof } from './eof.js';
import { writeOk } from './ok.js';
import { PacketReader } from './reader.js';
import type { PacketWriter } from './writer.js';

export interface ColumnDef {
  catalog?: string;
  schema: string;
  table: string;
  orgTable: string;
  name: string;
  orgName: string;
  charset: number;
  length: number;
  type: number;
  flags: number;
  decimals: number;
}

const FIXED_FIELDS = 0x0c;
/** charset(2) + length(4) + type(1) + flags(2) + decimals(1). */
const FIXED_FIELDS_MIN = 10;

/**
 * Decodes a ColumnDefinition41. `mariadbCapabilities` (negotiated) tells whether MariaDB's extended type
 * info is present; it is skipped. Strings are copies; catalog is always set.
 */
export function decodeColumnDef(buf: Buffer, start: number, end: number, mariadbCapabilities = 0): ColumnDef {
  const r = new PacketReader(buf, start, end);
  const catalog = r.lenencString();
  const schema = r.lenencString();
  const table = r.lenencString();
  const orgTable = r.lenencString();
  const name = r.lenencString();
  const orgName = r.lenencString();
  if ((mariadbCapabilities & MariadbCapability.EXTENDED_TYPE_INFO) !== 0) r.lenencBytes();
  const fixedLen = r.lenencInt();
  if (fixedLen === null || fixedLen < FIXED_FIELDS_MIN) throw new ProtocolError(`bad column definition fixed length ${String(fixedLen)}`);
  const charset = r.u16();
  const length = r.u32();
  const type = r.u8();
  const flags = r.u16();
  const decimals = r.u8();
  r.skip(Math.min(fixedLen - FIXED_FIELDS_MIN, r.remaining()));
  return { catalog, schema, table, orgTable, name, orgName, charset, length, type, flags, decimals };
}

/** The packet that starts a result set: the column count as a lenenc integer. Returns the next sequence id. */
export function writeColumnCount(w: PacketWriter, n: number, seq: number): number {
  return w.begin(seq).lenencInt(n).end();
}

/**
 * `extendedTypeInfo`: MariaDB's MARIADB_CLIENT_EXTENDED_METADATA was negotiated, so an (empty here) lenenc
 * extended-type block follows org_name.
 */
export function writeColumnDef(w: PacketWriter, col: ColumnDef, seq: number, extendedTypeInfo = false): number {
  w.begin(seq)
    .lenencString(col.catalog ?? 'def')
    .lenencString(col.schema)
    .lenencString(col.table)
    .lenencString(col.orgTable)
    .lenencString(col.name)
    .lenencString(col.orgName);
  if (extendedTypeInfo) w.lenencInt(0);
  w.lenencInt(FIXED_FIELDS)
    .u16(col.charset)
    .u32(col.length)
    .u8(col.type)
    .u16(col.flags)
    .u8(col.decimals)
    .zeros(2);
  return w.end();
}

/** One text row: each value a lenenc string, NULL as 0xfb. Rows of >= 16 MiB are split by the writer. */
export function writeTextRow(w: PacketWriter, values: readonly (string | Buffer | null)[], seq: number): number {
  w.begin(seq);
  for (const v of values) {
    if (v === null) w.lenencNull();
    else w.lenencString(v);
  }
  return w.end();
}

export interface TextResultSetOptions {
  seq: number;
  /** Client and server negotiated DEPRECATE_EOF: no EOF after the definitions, a 0xfe OK at the end. */
  deprecateEof: boolean;
  /** Server status flags for the closing EOF/OK. */
  status: number;
  capabilities: number;
  /** Negotiated MariaDB extended capabilities (EXTENDED_TYPE_INFO changes the column definitions). */
  mariadbCapabilities?: number;
}

/**
 * Writes a whole text result set and returns the next sequence id. With no columns, writes an OK packet
 * instead (a result set needs at least one column).
 */
export function writeTextResultSet(
  w: PacketWriter,
  columns: readonly ColumnDef[],
  rows: readonly (readonly (string | Buffer | null)[])[],
  opts: TextResultSetOptions,
): number {
  if (columns.length === 0) return writeOk(w, { status: opts.status }, opts.seq, opts.capabilities);
  let seq = writeColumnCount(w, columns.length, opts.seq);
  const extended = ((opts.mariadbCapabilities ?? 0) & MariadbCapability.EXTENDED_TYPE_INFO) !== 0;
  for (const col of columns) seq = writeColumnDef(w, col, seq, extended);
  if (!opts.deprecateEof) seq = writeEof(w, 0, opts.status, seq);
  for (const row of rows) seq = writeTextRow(w, row, seq);
  if (opts.deprecateEof) return writeOk(w, { status: opts.status }, seq, opts.capabilities, EOF_HEADER);
  return writeEof(w, 0, opts.status, seq);
}

const NUMERIC_TYPES: ReadonlySet<number> = new Set([
  ColumnType.TINY,
  ColumnType.SHORT,
  ColumnType.LONG,
  ColumnType.INT24,
  ColumnType.LONGLONG,
  ColumnType.FLOAT,
  ColumnType.DOUBLE,
  ColumnType.DECIMAL,
  ColumnType.NEWDECIMAL,
  ColumnType.YEAR,
]);

/**
 * A column definition for the proxy's own result sets: utf8mb4 VAR_STRING by default; numeric types get
 * the binary charset and NUM|BINARY flags as servers send them.
 */
export function textColumn(name: string, type: number = ColumnType.VAR_STRING): ColumnDef {
  const numeric = NUMERIC_TYPES.has(type);
  return {
    catalog: 'def',
    schema: '',
    table: '',
    orgTable: '',
    name,
    orgName: name,
    charset: numeric ? Charset.binary : Charset.utf8mb4_general_ci,
    length: numeric ? 21 : 1024,
    type,
    flags: numeric ? ColumnFlag.NUM | ColumnFlag.BINARY : 0,
    decimals: type === ColumnType.FLOAT || type === ColumnType.DOUBLE ? 0x1f : 0,
  };
}
