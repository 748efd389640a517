// EOF_Packet: 0xfe warnings(2) status(2) (PROTOCOL_41); a 1-byte 0xfe payload before 4.1.
// dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_eof_packet.html
// A payload that starts with 0xfe and is 9 bytes or longer is not an EOF: it is an OK packet with the
// 0xfe header (DEPRECATE_EOF), an AuthSwitchRequest, or a row starting with a 0xfe lenenc length.

import { ProtocolError } from '../errors/catalogue.js';
import { EOF_HEADER } from './constants.js';
import type { PacketWriter } from './writer.js';

const EOF_MAX_PAYLOAD = 8;

/** 0xfe header and a payload shorter than 9 bytes. No allocation. */
export function isEofPacket(buf: Buffer, start: number, end: number): boolean {
  const len = end - start;
  return len >= 1 && len <= EOF_MAX_PAYLOAD && end <= buf.length && buf[start] === EOF_HEADER;
}

export function decodeEof(buf: Buffer, start: number, end: number): { warnings: number; status: number } {
  if (!isEofPacket(buf, start, end)) throw new ProtocolError('not an EOF packet');
  if (end - start === 1) return { warnings: 0, status: 0 };
  if (end - start < 5) throw new ProtocolError('EOF packet truncated');
  return { warnings: buf.readUInt16LE(start + 1), status: buf.readUInt16LE(start + 3) };
}

export function writeEof(w: PacketWriter, warnings: number, status: number, seq: number): number {
  return w.begin(seq).u8(EOF_HEADER).u16(warnings).u16(status).end();
}
