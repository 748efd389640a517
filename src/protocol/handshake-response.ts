// Protocol::HandshakeResponse41 and Protocol::SSLRequest (client → server).
// dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_response.html
// mariadb.com/kb/en/connection/#handshake-response-packet (extended capabilities in the filler).
// Layout: caps(4) max_packet(4) charset(1) filler(23: MariaDB = 19 zero + ext caps(4)) user(NUL)
//         auth_response: lenenc if PLUGIN_AUTH_LENENC_CLIENT_DATA, else len(1) if SECURE_CONNECTION, else NUL
//         [database(NUL) if CONNECT_WITH_DB] [plugin(NUL) if PLUGIN_AUTH]
//         [attrs: lenenc total, then (lenenc key, lenenc value)* if CONNECT_ATTRS]
// An SSLRequest is the first 32 bytes alone.

import { OdpError, ProtocolError } from '../errors/catalogue.js';
import { Capability } from './constants.js';
import { PacketReader } from './reader.js';
import { lenencIntSize, type PacketWriter } from './writer.js';

export interface HandshakeResponse {
  capabilities: number;
  maxPacketSize: number;
  charset: number;
  user: string;
  authResponse: Buffer;
  database: string | null;
  authPluginName: string | null;
  attributes: Map<string, string>;
  /** MariaDB extended capabilities; 0 unless Capability.LONG_PASSWORD is clear. */
  mariadbCapabilities: number;
}

const SSL_REQUEST_SIZE = 32;
const FILLER = 23;

/** True when the payload is an SSLRequest: exactly 32 bytes with the SSL capability. No allocation. */
export function isSslRequest(buf: Buffer, start: number, end: number): boolean {
  if (end - start !== SSL_REQUEST_SIZE || end > buf.length || start < 0) return false;
  return (buf.readUInt32LE(start) & Capability.SSL) !== 0;
}

/**
 * Decodes a HandshakeResponse41. Trailing NUL-terminated strings (database, plugin name) may lack their
 * NUL at the end of the packet, as servers tolerate. A packet without PROTOCOL_41 (HandshakeResponse320)
 * is rejected with ProtocolError. authResponse is a copy; the result owns all its data.
 */
export function decodeHandshakeResponse(buf: Buffer, start: number, end: number): HandshakeResponse {
  const r = new PacketReader(buf, start, end);
  const capabilities = r.u32();
  if ((capabilities & Capability.PROTOCOL_41) === 0) {
    throw new ProtocolError('HandshakeResponse320 (no CLIENT_PROTOCOL_41) is not supported');
  }
  const maxPacketSize = r.u32();
  const charset = r.u8();
  r.skip(FILLER - 4);
  const ext = r.u32();
  const mariadbCapabilities = (capabilities & Capability.LONG_PASSWORD) === 0 ? ext : 0;
  const user = r.nulString();
  const authResponse = Buffer.from(readAuthResponse(r, capabilities));
  let database: string | null = null;
  if ((capabilities & Capability.CONNECT_WITH_DB) !== 0 && r.remaining() > 0) database = r.nulStringOrRest();
  let authPluginName: string | null = null;
  if ((capabilities & Capability.PLUGIN_AUTH) !== 0 && r.remaining() > 0) authPluginName = r.nulStringOrRest();
  const attributes = new Map<string, string>();
  if ((capabilities & Capability.CONNECT_ATTRS) !== 0 && r.remaining() > 0) readAttributes(r, attributes);
  return { capabilities, maxPacketSize, charset, user, authResponse, database, authPluginName, attributes, mariadbCapabilities };
}

function readAuthResponse(r: PacketReader, caps: number): Buffer {
  if ((caps & Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA) !== 0) return r.lenencBytes();
  if ((caps & Capability.SECURE_CONNECTION) !== 0) return r.bytes(r.u8());
  return r.nulBytes();
}

function readAttributes(r: PacketReader, into: Map<string, string>): void {
  const block = r.lenencBytes();
  const a = new PacketReader(block, 0, block.length);
  while (a.remaining() > 0) {
    const key = a.lenencString();
    into.set(key, a.lenencString());
  }
}

/**
 * Writes a HandshakeResponse41 laid out by `r.capabilities`; returns the next sequence id.
 * With SECURE_CONNECTION and no PLUGIN_AUTH_LENENC_CLIENT_DATA, authResponse must be <= 255 bytes.
 */
export function writeHandshakeResponse(w: PacketWriter, r: HandshakeResponse, seq: number): number {
  const caps = r.capabilities >>> 0;
  w.begin(seq);
  writeFixedPart(w, caps, r.maxPacketSize, r.charset, r.mariadbCapabilities);
  w.nulString(r.user);
  if ((caps & Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA) !== 0) {
    w.lenencString(r.authResponse);
  } else if ((caps & Capability.SECURE_CONNECTION) !== 0) {
    if (r.authResponse.length > 0xff) throw new OdpError('INTERNAL', ['auth response longer than 255 bytes needs LENENC_CLIENT_DATA']);
    w.u8(r.authResponse.length).bytes(r.authResponse);
  } else {
    w.nulString(r.authResponse);
  }
  if ((caps & Capability.CONNECT_WITH_DB) !== 0) w.nulString(r.database ?? '');
  if ((caps & Capability.PLUGIN_AUTH) !== 0) w.nulString(r.authPluginName ?? '');
  if ((caps & Capability.CONNECT_ATTRS) !== 0) writeAttributes(w, r.attributes);
  return w.end();
}

function writeAttributes(w: PacketWriter, attrs: ReadonlyMap<string, string>): void {
  let total = 0;
  for (const [k, v] of attrs) total += lenencStringSize(k) + lenencStringSize(v);
  w.lenencInt(total);
  for (const [k, v] of attrs) w.lenencString(k).lenencString(v);
}

function lenencStringSize(s: string): number {
  const n = Buffer.byteLength(s, 'utf8');
  return lenencIntSize(n) + n;
}

function writeFixedPart(w: PacketWriter, caps: number, maxPacketSize: number, charset: number, mariadbCaps: number): void {
  w.u32(caps).u32(maxPacketSize).u8(charset).zeros(FILLER - 4);
  w.u32((caps & Capability.LONG_PASSWORD) === 0 ? mariadbCaps : 0);
}

/** Writes a 32-byte SSLRequest (the SSL capability is forced on); returns the next sequence id. */
export function writeSslRequest(
  w: PacketWriter,
  capabilities: number,
  maxPacketSize: number,
  charset: number,
  seq: number,
  mariadbCapabilities = 0,
): number {
  w.begin(seq);
  writeFixedPart(w, (capabilities | Capability.SSL) >>> 0, maxPacketSize, charset, mariadbCapabilities);
  return w.end();
}
