// Binary protocol values (COM_STMT_EXECUTE parameters, binary result rows).
// dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_binary_resultset.html#sect_protocol_binary_resultset_row_value
// A parameter type is 16 bits: the MYSQL_TYPE_* in the low byte, 0x80 in the high byte for unsigned.
// Decoded values:
//   TINY/SHORT/YEAR/LONG/INT24 → number (signed unless the unsigned flag is set)
//   LONGLONG → number when within ±(2^53 - 1), else bigint
//   FLOAT/DOUBLE → number; DECIMAL/NEWDECIMAL → string (exact text)
//   DATE → 'YYYY-MM-DD' (time appended if the value carries one); DATETIME/TIMESTAMP →
//     'YYYY-MM-DD HH:MM:SS[.ffffff]' (fraction present iff sent, always 6 digits); length 0 → all zeros
//   TIME → '[-]HH:MM:SS[.ffffff]' with HH = days * 24 + hours (may exceed 2 digits)
//   every string/blob/enum/set/bit/json/geometry type → Buffer VIEW into the packet: the execute packet
//     carries no collation, so text is not decoded here; copy a Buffer to keep it past the packet.

import { OdpError, ProtocolError } from '../errors/catalogue.js';
import { ColumnType } from './constants.js';
import type { PacketReader } from './reader.js';
import type { PacketWriter } from './writer.js';

export type ExecValue = null | number | bigint | string | Buffer;

/** High-byte flag of a parameter type: the integer is unsigned. */
export const UNSIGNED_PARAM = 0x8000;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function readBinaryValue(r: PacketReader, type: number): ExecValue {
  const unsigned = (type & UNSIGNED_PARAM) !== 0;
  const base = type & 0xff;
  switch (base) {
    case ColumnType.NULL:
      return null;
    case ColumnType.TINY:
      return unsigned ? r.u8() : r.i8();
    case ColumnType.SHORT:
    case ColumnType.YEAR:
      return unsigned ? r.u16() : r.i16();
    case ColumnType.LONG:
    case ColumnType.INT24:
      return unsigned ? r.u32() : r.i32();
    case ColumnType.LONGLONG: {
      const v = unsigned ? r.u64() : r.i64();
      return v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : v;
    }
    case ColumnType.FLOAT:
      return r.f32();
    case ColumnType.DOUBLE:
      return r.f64();
    case ColumnType.DECIMAL:
    case ColumnType.NEWDECIMAL:
      return r.lenencString();
    case ColumnType.DATE:
    case ColumnType.DATETIME:
    case ColumnType.TIMESTAMP:
      return readDateTime(r, base === ColumnType.DATE);
    case ColumnType.TIME:
      return readTime(r);
    default:
      if (isBytesType(base)) return r.lenencBytes();
      throw new ProtocolError(`unsupported binary parameter type ${base}`);
  }
}

function isBytesType(base: number): boolean {
  return (
    base === ColumnType.VARCHAR ||
    base === ColumnType.BIT ||
    base === ColumnType.JSON ||
    base === ColumnType.VECTOR ||
    (base >= ColumnType.ENUM && base <= ColumnType.GEOMETRY)
  );
}

const p2 = (n: number): string => String(n).padStart(2, '0');
const p4 = (n: number): string => String(n).padStart(4, '0');
const p6 = (n: number): string => String(n).padStart(6, '0');

function readDateTime(r: PacketReader, dateOnly: boolean): string {
  const len = r.u8();
  if (len !== 0 && len !== 4 && len !== 7 && len !== 11) throw new ProtocolError(`bad date/time length ${len}`);
  const year = len >= 4 ? r.u16() : 0;
  const month = len >= 4 ? r.u8() : 0;
  const day = len >= 4 ? r.u8() : 0;
  const date = `${p4(year)}-${p2(month)}-${p2(day)}`;
  if (dateOnly && len <= 4) return date;
  const h = len >= 7 ? r.u8() : 0;
  const m = len >= 7 ? r.u8() : 0;
  const s = len >= 7 ? r.u8() : 0;
  const time = `${date} ${p2(h)}:${p2(m)}:${p2(s)}`;
  return len === 11 ? `${time}.${p6(r.u32())}` : time;
}

function readTime(r: PacketReader): string {
  const len = r.u8();
  if (len === 0) return '00:00:00';
  if (len !== 8 && len !== 12) throw new ProtocolError(`bad time length ${len}`);
  const negative = r.u8() !== 0;
  const days = r.u32();
  const hours = days * 24 + r.u8();
  const m = r.u8();
  const s = r.u8();
  const time = `${negative ? '-' : ''}${p2(hours)}:${p2(m)}:${p2(s)}`;
  return len === 12 ? `${time}.${p6(r.u32())}` : time;
}

const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?$/;
const TIME_RE = /^(-)?(\d+):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/**
 * Writes one non-null value as `type` (the inverse of readBinaryValue, for tests, the lab and replays).
 * A value of the wrong JS type for `type` → OdpError INTERNAL.
 */
export function writeBinaryValue(w: PacketWriter, type: number, v: Exclude<ExecValue, null>): void {
  const base = type & 0xff;
  switch (base) {
    case ColumnType.NULL:
      return;
    case ColumnType.TINY:
      w.u8(Number(intOf(v)));
      return;
    case ColumnType.SHORT:
    case ColumnType.YEAR:
      w.u16(Number(intOf(v)));
      return;
    case ColumnType.LONG:
    case ColumnType.INT24:
      w.u32(Number(intOf(v)));
      return;
    case ColumnType.LONGLONG:
      w.u64(intOf(v));
      return;
    case ColumnType.FLOAT:
      w.f32(Number(intOrFloat(v)));
      return;
    case ColumnType.DOUBLE:
      w.f64(Number(intOrFloat(v)));
      return;
    case ColumnType.DATE:
    case ColumnType.DATETIME:
    case ColumnType.TIMESTAMP:
      writeDateTime(w, textOf(v));
      return;
    case ColumnType.TIME:
      writeTime(w, textOf(v));
      return;
    default:
      if (base === ColumnType.DECIMAL || base === ColumnType.NEWDECIMAL || isBytesType(base)) {
        w.lenencString(typeof v === 'string' || Buffer.isBuffer(v) ? v : String(v));
        return;
      }
      throw new OdpError('INTERNAL', [`cannot write binary parameter type ${base}`]);
  }
}

function intOf(v: Exclude<ExecValue, null>): number | bigint {
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) return v;
  throw new OdpError('INTERNAL', [`integer parameter expected, got ${typeof v}`]);
}

function intOrFloat(v: Exclude<ExecValue, null>): number | bigint {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  throw new OdpError('INTERNAL', [`numeric parameter expected, got ${typeof v}`]);
}

function textOf(v: Exclude<ExecValue, null>): string {
  if (typeof v === 'string') return v;
  throw new OdpError('INTERNAL', [`date/time parameter must be a string, got ${typeof v}`]);
}

function writeDateTime(w: PacketWriter, s: string): void {
  const m = DATETIME_RE.exec(s);
  if (m === null) throw new OdpError('INTERNAL', [`bad date/time literal '${s}'`]);
  const [, y, mo, d, h, mi, sec, frac] = m;
  if (frac === undefined && /^[0 :-]*$/.test(s)) {
    w.u8(0); // the zero date/time travels as length 0, as clients send it
    return;
  }
  const len = frac !== undefined ? 11 : h !== undefined ? 7 : 4;
  w.u8(len).u16(Number(y)).u8(Number(mo)).u8(Number(d));
  if (len >= 7) w.u8(Number(h)).u8(Number(mi)).u8(Number(sec));
  if (len === 11) w.u32(Number((frac ?? '').padEnd(6, '0')));
}

function writeTime(w: PacketWriter, s: string): void {
  const m = TIME_RE.exec(s);
  if (m === null) throw new OdpError('INTERNAL', [`bad time literal '${s}'`]);
  const [, neg, hours, mi, sec, frac] = m;
  if (neg === undefined && frac === undefined && /^[0:]*$/.test(s)) {
    w.u8(0);
    return;
  }
  const totalHours = Number(hours);
  w.u8(frac !== undefined ? 12 : 8)
    .u8(neg !== undefined ? 1 : 0)
    .u32(Math.floor(totalHours / 24))
    .u8(totalHours % 24)
    .u8(Number(mi))
    .u8(Number(sec));
  if (frac !== undefined) w.u32(Number(frac.padEnd(6, '0')));
}
