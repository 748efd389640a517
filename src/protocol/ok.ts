// OK_Packet (header 0x00, or 0xfe when it ends a result set under DEPRECATE_EOF) and its session state.
// dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_ok_packet.html
// Layout: header(1) affected_rows(lenenc) last_insert_id(lenenc)
//         [status(2) warnings(2) if PROTOCOL_41 | status(2) if TRANSACTIONS]
//         SESSION_TRACK: [info(lenenc) [session_state(lenenc) if status & SESSION_STATE_CHANGED]]
//                        (MySQL omits both when info is empty and no state changed)
//         otherwise:     info(rest of packet)
// Session state: a sequence of type(1) data(lenenc) entries.

import { ProtocolError } from '../errors/catalogue.js';
import { Capability, EOF_HEADER, OK_HEADER, ServerStatus, SessionTrack } from './constants.js';
import { PacketReader } from './reader.js';
import { PacketWriter } from './writer.js';

export interface OkPacket {
  /** A number when <= 2^53 - 1, else a bigint. */
  affectedRows: number | bigint;
  lastInsertId: number | bigint;
  status: number;
  warnings: number;
  info: string;
  /** The raw session state entries (a copy), or null when none were sent. Parse with parseSessionTrack. */
  sessionState: Buffer | null;
}

/** Decodes an OK packet (header 0x00 or 0xfe). `capabilities` are the negotiated ones. */
export function decodeOk(buf: Buffer, start: number, end: number, capabilities: number): OkPacket {
  const r = new PacketReader(buf, start, end);
  const header = r.u8();
  if (header !== OK_HEADER && header !== EOF_HEADER) throw new ProtocolError(`not an OK packet (0x${header.toString(16)})`);
  const affectedRows = r.lenencIntNumeric();
  const lastInsertId = r.lenencIntNumeric();
  let status = 0;
  let warnings = 0;
  if ((capabilities & Capability.PROTOCOL_41) !== 0) {
    status = r.u16();
    warnings = r.u16();
  } else if ((capabilities & Capability.TRANSACTIONS) !== 0) {
    status = r.u16();
  }
  let info = '';
  let sessionState: Buffer | null = null;
  if ((capabilities & Capability.SESSION_TRACK) !== 0) {
    if (r.remaining() > 0) info = r.lenencString();
    if ((status & ServerStatus.SESSION_STATE_CHANGED) !== 0 && r.remaining() > 0) {
      sessionState = Buffer.from(r.lenencBytes());
    }
  } else {
    info = r.restString();
  }
  return { affectedRows, lastInsertId, status, warnings, info, sessionState };
}

/**
 * The status flags of an OK packet (PROTOCOL_41 layout), without decoding the rest. Hot path: no allocation
 * unless the packet is malformed (ProtocolError).
 */
export function okStatus(buf: Buffer, start: number, end: number): number {
  if (end > buf.length || start >= end) throw new ProtocolError('empty OK packet');
  const header = buf[start];
  if (header !== OK_HEADER && header !== EOF_HEADER) throw new ProtocolError('not an OK packet');
  let p = skipLenenc(buf, start + 1, end);
  p = skipLenenc(buf, p, end);
  if (p + 2 > end) throw new ProtocolError('OK packet truncated before its status flags');
  return (buf[p] as number) | ((buf[p + 1] as number) << 8);
}

function skipLenenc(buf: Buffer, p: number, end: number): number {
  if (p >= end) throw new ProtocolError('OK packet truncated');
  const first = buf[p] as number;
  if (first < 0xfb) return p + 1;
  if (first === 0xfc) return p + 3;
  if (first === 0xfd) return p + 4;
  if (first === 0xfe) return p + 9;
  throw new ProtocolError('invalid length-encoded integer in OK packet');
}

/**
 * Writes an OK packet; missing fields are 0 / '' / null. With SESSION_TRACK and a sessionState, the
 * SESSION_STATE_CHANGED status flag is set; without SESSION_TRACK the session state cannot be expressed and
 * is dropped. Returns the next sequence id.
 */
export function writeOk(
  w: PacketWriter,
  ok: Partial<OkPacket>,
  seq: number,
  capabilities: number,
  header: 0x00 | 0xfe = OK_HEADER,
): number {
  const track = (capabilities & Capability.SESSION_TRACK) !== 0;
  const info = ok.info ?? '';
  const state = track ? (ok.sessionState ?? null) : null;
  let status = ok.status ?? 0;
  if (state !== null) status |= ServerStatus.SESSION_STATE_CHANGED;
  w.begin(seq).u8(header).lenencInt(ok.affectedRows ?? 0).lenencInt(ok.lastInsertId ?? 0);
  if ((capabilities & Capability.PROTOCOL_41) !== 0) w.u16(status).u16(ok.warnings ?? 0);
  else if ((capabilities & Capability.TRANSACTIONS) !== 0) w.u16(status);
  if (track) {
    if (info.length > 0 || state !== null) w.lenencString(info);
    if (state !== null) w.lenencString(state);
  } else if (info.length > 0) {
    w.string(info);
  }
  return w.end();
}

export type SessionTrackItem =
  | { kind: 'system_variable'; name: string; value: string }
  | { kind: 'schema'; name: string }
  | { kind: 'state_change'; changed: boolean }
  /** data: the whole entry data (encoding specification byte 0, then the lenenc GTID text); a copy. */
  | { kind: 'gtids'; data: Buffer }
  | { kind: 'transaction_characteristics'; value: string }
  /** value: 8 characters, e.g. 'T_______' (MySQL's TRANSACTION_STATE tracker). */
  | { kind: 'transaction_state'; value: string }
  | { kind: 'unknown'; type: number; data: Buffer };

/**
 * Parses session state entries (the OkPacket.sessionState bytes, without their outer length).
 * A SYSTEM_VARIABLES entry holding several name/value pairs yields one item per pair.
 * Malformed input → ProtocolError. Returned Buffers are copies.
 */
export function parseSessionTrack(buf: Buffer): SessionTrackItem[] {
  const r = new PacketReader(buf, 0, buf.length);
  const items: SessionTrackItem[] = [];
  while (r.remaining() > 0) {
    const type = r.u8();
    const data = r.lenencBytes();
    parseEntry(type, data, items);
  }
  return items;
}

function parseEntry(type: number, data: Buffer, items: SessionTrackItem[]): void {
  const d = new PacketReader(data, 0, data.length);
  switch (type) {
    case SessionTrack.SYSTEM_VARIABLES:
      do {
        const name = d.lenencString();
        items.push({ kind: 'system_variable', name, value: d.lenencString() });
      } while (d.remaining() > 0);
      return;
    case SessionTrack.SCHEMA:
      items.push({ kind: 'schema', name: d.lenencString() });
      return;
    case SessionTrack.STATE_CHANGE:
      items.push({ kind: 'state_change', changed: d.lenencString() === '1' });
      return;
    case SessionTrack.GTIDS:
      items.push({ kind: 'gtids', data: Buffer.from(data) });
      return;
    case SessionTrack.TRANSACTION_CHARACTERISTICS:
      items.push({ kind: 'transaction_characteristics', value: d.lenencString() });
      return;
    case SessionTrack.TRANSACTION_STATE:
      items.push({ kind: 'transaction_state', value: d.lenencString() });
      return;
    default:
      items.push({ kind: 'unknown', type, data: Buffer.from(data) });
  }
}

/** Encodes session state entries (the inverse of parseSessionTrack); returns a new Buffer. */
export function writeSessionTrack(items: readonly SessionTrackItem[]): Buffer {
  const out = new PacketWriter(64);
  const entry = new PacketWriter(64);
  for (const item of items) {
    const type = writeEntryData(entry, item);
    out.u8(type).lenencString(entry.take());
  }
  return out.take();
}

function writeEntryData(d: PacketWriter, item: SessionTrackItem): number {
  switch (item.kind) {
    case 'system_variable':
      d.lenencString(item.name).lenencString(item.value);
      return SessionTrack.SYSTEM_VARIABLES;
    case 'schema':
      d.lenencString(item.name);
      return SessionTrack.SCHEMA;
    case 'state_change':
      d.lenencString(item.changed ? '1' : '0');
      return SessionTrack.STATE_CHANGE;
    case 'gtids':
      d.bytes(item.data);
      return SessionTrack.GTIDS;
    case 'transaction_characteristics':
      d.lenencString(item.value);
      return SessionTrack.TRANSACTION_CHARACTERISTICS;
    case 'transaction_state':
      d.lenencString(item.value);
      return SessionTrack.TRANSACTION_STATE;
    case 'unknown':
      d.bytes(item.data);
      return item.type & 0xff;
  }
}
