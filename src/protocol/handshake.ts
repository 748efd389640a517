// Protocol::HandshakeV10, the server's first packet.
// dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_v10.html
// mariadb.com/kb/en/connection/#initial-handshake-packet (extended capabilities in the reserved bytes).
// Layout: version(1) server_version(NUL) connection_id(4) scramble_1(8) filler(1) caps_lo(2)
//         [charset(1) status(2) caps_hi(2) auth_data_len(1) reserved(10: MariaDB = 6 zero + ext caps(4))
//          [scramble_2(max(13, auth_data_len - 8)) when SECURE_CONNECTION]
//          [auth_plugin_name(NUL) when PLUGIN_AUTH]]

import { ProtocolError } from '../errors/catalogue.js';
import { Capability, ERR_HEADER } from './constants.js';
import { PacketReader } from './reader.js';
import type { PacketWriter } from './writer.js';

export interface HandshakeV10 {
  protocolVersion: number;
  serverVersion: string;
  connectionId: number;
  /** part1(8) + part2 without its trailing NUL: 20 bytes from MySQL/MariaDB/OceanBase. */
  scramble: Buffer;
  capabilities: number;
  charset: number;
  status: number;
  authPluginName: string;
  /** MariaDB extended capabilities; 0 unless Capability.LONG_PASSWORD is clear. */
  mariadbCapabilities: number;
}

const SCRAMBLE_1 = 8;
const SCRAMBLE_2_MIN = 13;
const RESERVED = 10;

/**
 * Decodes a HandshakeV10 payload. An ERR packet (0xff: "Host blocked", "Too many connections") throws
 * ProtocolError: callers check `buf[start] === ERR_HEADER` first and decode it with decodeErr.
 * The returned scramble is a copy (it outlives the packet); strings are copies too.
 */
export function decodeHandshake(buf: Buffer, start: number, end: number): HandshakeV10 {
  const r = new PacketReader(buf, start, end);
  const protocolVersion = r.u8();
  if (protocolVersion === ERR_HEADER) throw new ProtocolError('server sent an ERR packet instead of a handshake');
  if (protocolVersion !== 10) throw new ProtocolError(`unsupported handshake protocol version ${protocolVersion}`);
  const serverVersion = r.nulString();
  const connectionId = r.u32();
  const part1 = r.bytes(SCRAMBLE_1);
  r.skip(1);
  let capabilities = r.u16();
  let charset = 0;
  let status = 0;
  let authDataLen = 0;
  let mariadbCapabilities = 0;
  // A pre-4.1 server may end the packet after the low capability bytes; otherwise the rest is mandatory.
  const extended = r.remaining() > 0;
  if (extended) {
    charset = r.u8();
    status = r.u16();
    capabilities = (capabilities | (r.u16() << 16)) >>> 0;
    authDataLen = r.u8();
    r.skip(RESERVED - 4);
    const ext = r.u32();
    if ((capabilities & Capability.LONG_PASSWORD) === 0) mariadbCapabilities = ext;
  }
  let part2: Buffer = Buffer.alloc(0);
  if ((capabilities & Capability.SECURE_CONNECTION) !== 0 && extended) {
    part2 = r.bytes(Math.max(SCRAMBLE_2_MIN, authDataLen - SCRAMBLE_1));
    if (part2.length > 0 && part2[part2.length - 1] === 0) part2 = part2.subarray(0, part2.length - 1);
  }
  let authPluginName = '';
  if ((capabilities & Capability.PLUGIN_AUTH) !== 0 && r.remaining() > 0) authPluginName = r.nulStringOrRest();
  return {
    protocolVersion,
    serverVersion,
    connectionId,
    scramble: Buffer.concat([part1, part2]),
    capabilities,
    charset,
    status,
    authPluginName,
    mariadbCapabilities,
  };
}

/**
 * Writes a HandshakeV10 packet (sequence id `seq`, default 0) and returns the next sequence id.
 * The scramble's second part is NUL-terminated and padded to 13 bytes, as MySQL servers send it.
 */
export function writeHandshake(w: PacketWriter, hs: HandshakeV10, seq = 0): number {
  const caps = hs.capabilities >>> 0;
  const scramble = hs.scramble;
  w.begin(seq)
    .u8(hs.protocolVersion)
    .nulString(hs.serverVersion)
    .u32(hs.connectionId)
    .bytes(padTo(scramble.subarray(0, SCRAMBLE_1), SCRAMBLE_1))
    .u8(0)
    .u16(caps & 0xffff)
    .u8(hs.charset)
    .u16(hs.status)
    .u16(caps >>> 16)
    .u8((caps & Capability.PLUGIN_AUTH) !== 0 ? scramble.length + 1 : 0)
    .zeros(RESERVED - 4)
    .u32((caps & Capability.LONG_PASSWORD) === 0 ? hs.mariadbCapabilities : 0);
  if ((caps & Capability.SECURE_CONNECTION) !== 0) {
    const part2 = scramble.subarray(SCRAMBLE_1);
    w.bytes(part2).zeros(Math.max(1, SCRAMBLE_2_MIN - part2.length));
  }
  if ((caps & Capability.PLUGIN_AUTH) !== 0) w.nulString(hs.authPluginName);
  return w.end();
}

function padTo(b: Buffer, n: number): Buffer {
  if (b.length >= n) return b;
  const out = Buffer.alloc(n);
  b.copy(out);
  return out;
}
