// Authentication exchange packets after the handshake response.
// AuthSwitchRequest: 0xfe plugin_name(NUL) plugin_data(EOF) — servers append a NUL to the data.
//   dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_auth_switch_request.html
// AuthMoreData: 0x01 data(EOF) (caching_sha2_password fast-auth result 0x03/0x04, RSA public key).
//   dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_auth_more_data.html
// AuthSwitchResponse and other client auth data: the raw bytes, no header.

import { ProtocolError } from '../errors/catalogue.js';
import { AUTH_MORE_DATA_HEADER, AUTH_SWITCH_HEADER } from './constants.js';
import { PacketReader } from './reader.js';
import type { PacketWriter } from './writer.js';

export interface AuthSwitchRequest {
  pluginName: string;
  /** A view into the packet (no copy): usually the 20-byte scramble for the new plugin. */
  data: Buffer;
}

/**
 * Decodes an AuthSwitchRequest; one trailing NUL of the data is stripped. The 1-byte payload 0xfe
 * (pre-4.1 "Old Authentication Method Switch") decodes as plugin 'mysql_old_password' with no data.
 */
export function decodeAuthSwitchRequest(buf: Buffer, start: number, end: number): AuthSwitchRequest {
  const r = new PacketReader(buf, start, end);
  const header = r.u8();
  if (header !== AUTH_SWITCH_HEADER) throw new ProtocolError(`not an AuthSwitchRequest (0x${header.toString(16)})`);
  if (r.remaining() === 0) return { pluginName: 'mysql_old_password', data: buf.subarray(end, end) };
  const pluginName = r.nulStringOrRest();
  let data = r.restBytes();
  if (data.length > 0 && data[data.length - 1] === 0) data = data.subarray(0, data.length - 1);
  return { pluginName, data };
}

/** Writes an AuthSwitchRequest (data followed by a NUL, as servers send it); returns the next sequence id. */
export function writeAuthSwitchRequest(w: PacketWriter, pluginName: string, data: Buffer, seq: number): number {
  return w.begin(seq).u8(AUTH_SWITCH_HEADER).nulString(pluginName).bytes(data).u8(0).end();
}

/** Decodes AuthMoreData and returns its data as a view (no copy). */
export function decodeAuthMoreData(buf: Buffer, start: number, end: number): Buffer {
  const r = new PacketReader(buf, start, end);
  const header = r.u8();
  if (header !== AUTH_MORE_DATA_HEADER) throw new ProtocolError(`not an AuthMoreData packet (0x${header.toString(16)})`);
  return r.restBytes();
}

export function writeAuthMoreData(w: PacketWriter, data: Buffer, seq: number): number {
  return w.begin(seq).u8(AUTH_MORE_DATA_HEADER).bytes(data).end();
}

/** A packet whose payload is exactly `data` (AuthSwitchResponse, client auth data). */
export function writeRawPayload(w: PacketWriter, data: Buffer, seq: number): number {
  return w.begin(seq).bytes(data).end();
}
