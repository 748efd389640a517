// ERR_Packet: 0xff errno(2) ['#' sql_state(5)] message(EOF).
// dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_err_packet.html
// MariaDB progress report (MariadbCapability.PROGRESS): 0xff 0xffff then
// unused(1) stage(1) max_stage(1) progress(3, thousandths of a percent) info(lenenc). It is NOT an error:
// check isProgressReport before decodeErr (mariadb.com/kb/en/err_packet/, progress reporting).

import { ProtocolError } from '../errors/catalogue.js';
import { ERR_HEADER } from './constants.js';
import { PacketReader } from './reader.js';
import type { PacketWriter } from './writer.js';

export interface ErrPacket {
  errno: number;
  /** 5 characters, or '' when the packet has no '#' marker (pre-4.1 or some handshake-phase errors). */
  sqlState: string;
  message: string;
}

export interface ProgressReport {
  stage: number;
  maxStage: number;
  /** Progress within the stage, in thousandths of a percent (0..100000). */
  progress: number;
  info: string;
}

const PROGRESS_ERRNO = 0xffff;
const SQLSTATE_MARKER = 0x23; // '#'

/** True for a MariaDB progress report (0xff 0xff 0xff ...). No allocation. */
export function isProgressReport(buf: Buffer, start: number, end: number): boolean {
  return end - start >= 3 && end <= buf.length && buf[start] === ERR_HEADER && buf[start + 1] === 0xff && buf[start + 2] === 0xff;
}

/** Decodes an ERR packet. A progress report is not an ERR packet and throws ProtocolError. */
export function decodeErr(buf: Buffer, start: number, end: number): ErrPacket {
  const r = new PacketReader(buf, start, end);
  const header = r.u8();
  if (header !== ERR_HEADER) throw new ProtocolError(`not an ERR packet (0x${header.toString(16)})`);
  const errno = r.u16();
  if (errno === PROGRESS_ERRNO) throw new ProtocolError('a progress report is not an ERR packet');
  let sqlState = '';
  if (r.remaining() >= 6 && r.peek() === SQLSTATE_MARKER) {
    r.skip(1);
    sqlState = r.string(5);
  }
  return { errno, sqlState, message: r.restString() };
}

export function decodeProgressReport(buf: Buffer, start: number, end: number): ProgressReport {
  if (!isProgressReport(buf, start, end)) throw new ProtocolError('not a progress report');
  const r = new PacketReader(buf, start + 3, end);
  r.skip(1);
  const stage = r.u8();
  const maxStage = r.u8();
  const progress = r.u24();
  return { stage, maxStage, progress, info: r.lenencString() };
}

/**
 * Writes an ERR packet with the '#' SQLSTATE marker (PROTOCOL_41 layout); an sqlState that is not exactly
 * 5 characters is replaced by 'HY000'. Returns the next sequence id.
 */
export function writeErr(w: PacketWriter, errno: number, sqlState: string, message: string, seq: number): number {
  const state = Buffer.byteLength(sqlState, 'utf8') === 5 ? sqlState : 'HY000';
  return w.begin(seq).u8(ERR_HEADER).u16(errno).u8(SQLSTATE_MARKER).string(state).string(message).end();
}
