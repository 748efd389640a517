// A bounds-checked cursor over one packet payload view (buf, start, end).
// Invariant: no method reads at or beyond `end`; every short read throws ProtocolError (never RangeError).
// Ownership: Buffers returned by bytes/lenencBytes/nulBytes/restBytes are views into `buf` (no copy);
// a caller that keeps one past the life of the packet must copy it.
// Integer layouts: dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_dt_integers.html

import { ProtocolError } from '../errors/catalogue.js';

const TWO_32 = 0x1_0000_0000;
/** High u32 of Number.MAX_SAFE_INTEGER (2^53 - 1). */
const MAX_SAFE_HIGH = 0x1f_ffff;

export class PacketReader {
  buf: Buffer;
  pos: number;
  end: number;

  constructor(buf: Buffer, start: number, end: number) {
    if (!(start >= 0 && start <= end && end <= buf.length)) {
      throw new ProtocolError(`bad packet view [${start}, ${end}) of a ${buf.length}-byte buffer`);
    }
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  remaining(): number {
    return this.end - this.pos;
  }

  /** Throws unless `n` more bytes are available; returns the position before them. */
  private take(n: number): number {
    const p = this.pos;
    if (!(n >= 0 && p + n <= this.end)) {
      throw new ProtocolError(`packet truncated: need ${n} byte(s) at offset ${p}, ${this.end - p} left`);
    }
    this.pos = p + n;
    return p;
  }

  u8(): number {
    return this.buf[this.take(1)] as number;
  }

  u16(): number {
    return this.buf.readUInt16LE(this.take(2));
  }

  u24(): number {
    const p = this.take(3);
    return this.buf.readUIntLE(p, 3);
  }

  u32(): number {
    return this.buf.readUInt32LE(this.take(4));
  }

  u48(): number {
    const p = this.take(6);
    return this.buf.readUIntLE(p, 6);
  }

  u64(): bigint {
    return this.buf.readBigUInt64LE(this.take(8));
  }

  /** Signed little-endian integers, for the binary protocol. */
  i8(): number {
    return this.buf.readInt8(this.take(1));
  }

  i16(): number {
    return this.buf.readInt16LE(this.take(2));
  }

  i32(): number {
    return this.buf.readInt32LE(this.take(4));
  }

  i64(): bigint {
    return this.buf.readBigInt64LE(this.take(8));
  }

  f32(): number {
    return this.buf.readFloatLE(this.take(4));
  }

  f64(): number {
    return this.buf.readDoubleLE(this.take(8));
  }

  /**
   * Length-encoded integer. 0xfb (the NULL marker) → null. 0xff is not a valid prefix → ProtocolError.
   * Values above Number.MAX_SAFE_INTEGER (2^53 - 1) throw ProtocolError; use lenencIntBig for those.
   */
  lenencInt(): number | null {
    const first = this.u8();
    if (first < 0xfb) return first;
    switch (first) {
      case 0xfb:
        return null;
      case 0xfc:
        return this.u16();
      case 0xfd:
        return this.u24();
      case 0xfe: {
        const lo = this.u32();
        const hi = this.u32();
        if (hi > MAX_SAFE_HIGH) throw new ProtocolError('length-encoded integer above 2^53 - 1');
        return hi * TWO_32 + lo;
      }
      default:
        throw new ProtocolError('invalid length-encoded integer prefix 0xff');
    }
  }

  /** Length-encoded integer as a bigint (full u64 range). 0xfb → null. */
  lenencIntBig(): bigint | null {
    const first = this.peek();
    if (first === 0xfe) {
      this.pos++;
      return this.u64();
    }
    const v = this.lenencInt();
    return v === null ? null : BigInt(v);
  }

  /** Length-encoded integer as a number when safe, else a bigint. 0xfb → ProtocolError. */
  lenencIntNumeric(): number | bigint {
    const first = this.peek();
    if (first === 0xfe) {
      this.pos++;
      const v = this.u64();
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    return this.lenencLengthValue();
  }

  /** A length prefix: a lenenc integer that may not be the NULL marker. */
  private lenencLengthValue(): number {
    const n = this.lenencInt();
    if (n === null) throw new ProtocolError('unexpected NULL marker (0xfb) where a length was expected');
    return n;
  }

  /** Length-encoded string bytes as a view. The NULL marker 0xfb → ProtocolError. */
  lenencBytes(): Buffer {
    return this.bytes(this.lenencLengthValue());
  }

  /** Length-encoded string bytes as a view, or null for the NULL marker 0xfb (text rows). */
  lenencBytesOrNull(): Buffer | null {
    const n = this.lenencInt();
    return n === null ? null : this.bytes(n);
  }

  lenencString(): string {
    const n = this.lenencLengthValue();
    const p = this.take(n);
    return this.buf.toString('utf8', p, p + n);
  }

  /** Bytes up to (not including) the next NUL; the NUL is consumed. Missing NUL → ProtocolError. */
  nulBytes(): Buffer {
    const nul = this.findNul();
    if (nul < 0) throw new ProtocolError(`missing NUL terminator after offset ${this.pos}`);
    const v = this.buf.subarray(this.pos, nul);
    this.pos = nul + 1;
    return v;
  }

  nulString(): string {
    const nul = this.findNul();
    if (nul < 0) throw new ProtocolError(`missing NUL terminator after offset ${this.pos}`);
    const s = this.buf.toString('utf8', this.pos, nul);
    this.pos = nul + 1;
    return s;
  }

  /**
   * A NUL-terminated string whose NUL may be missing when it is the last field of the packet
   * (servers accept this from some clients for the trailing plugin name / database).
   */
  nulStringOrRest(): string {
    const nul = this.findNul();
    const stop = nul < 0 ? this.end : nul;
    const s = this.buf.toString('utf8', this.pos, stop);
    this.pos = nul < 0 ? this.end : nul + 1;
    return s;
  }

  private findNul(): number {
    const { buf, end } = this;
    for (let i = this.pos; i < end; i++) if (buf[i] === 0) return i;
    return -1;
  }

  /** `n` bytes as a view (no copy). */
  bytes(n: number): Buffer {
    const p = this.take(n);
    return this.buf.subarray(p, p + n);
  }

  string(n: number): string {
    const p = this.take(n);
    return this.buf.toString('utf8', p, p + n);
  }

  restBytes(): Buffer {
    return this.bytes(this.end - this.pos);
  }

  restString(): string {
    return this.string(this.end - this.pos);
  }

  skip(n: number): void {
    this.take(n);
  }

  /** The next byte without consuming it; at end → ProtocolError. */
  peek(): number {
    if (this.pos >= this.end) throw new ProtocolError(`packet truncated at offset ${this.pos}`);
    return this.buf[this.pos] as number;
  }
}

/**
 * Size in bytes (1, 3, 4 or 9) of the length-encoded integer whose first byte is at `buf[pos]`;
 * 1 for the NULL marker 0xfb. 0xff or `pos` outside the buffer → ProtocolError. No allocation.
 */
export function lenencLength(buf: Buffer, pos: number): number {
  const first = buf[pos];
  if (first === undefined) throw new ProtocolError(`length-encoded integer expected at offset ${pos}`);
  if (first <= 0xfb) return 1;
  if (first === 0xfc) return 3;
  if (first === 0xfd) return 4;
  if (first === 0xfe) return 9;
  throw new ProtocolError('invalid length-encoded integer prefix 0xff');
}
