// Builds MySQL packets into one growable buffer.
// Usage: begin(seq) reserves the 4-byte header, field writers append the payload, end() back-fills the
// header (splitting payloads of >= MAX_PAYLOAD bytes into continuation packets) and returns the next
// sequence id. Any number of begin/end pairs may precede one take().
// Ownership: take() returns a VIEW (no copy) of the bytes written since the previous take(); the writer
// never writes into a region it has handed out, so the caller owns it (e.g. may pass it to socket.write).
// Cost: growth doubles the live region (amortised O(1) per byte); a payload of >= 16 MiB costs one
// memmove of the payload in end() to open room for the continuation headers.
// Field writers truncate numbers to the field width (as C would); lengths must be non-negative.
// Packet layout: dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_packets.html

import { OdpError } from '../errors/catalogue.js';
import { HEADER_SIZE, MAX_PAYLOAD } from './constants.js';

const TWO_32 = 0x1_0000_0000;
/** After take(), a buffer larger than this is dropped so one huge packet does not pin memory forever. */
const SHRINK_ABOVE = 1 << 20;

/** Bytes needed to length-encode `v`. */
export function lenencIntSize(v: number | bigint): number {
  if (v < 251) return 1;
  if (v < 0x1_0000) return 3;
  if (v < 0x100_0000) return 4;
  return 9;
}

export class PacketWriter {
  private buf: Buffer;
  /** Next write position. */
  private pos: number;
  /** Start of the region not yet handed out by take(). */
  private base: number;
  /** Position of the open packet's header, or -1 between end() and begin(). */
  private header: number;
  private seq: number;
  private readonly initialSize: number;

  constructor(initialSize = 1024) {
    this.initialSize = Math.max(16, initialSize | 0);
    this.buf = Buffer.allocUnsafe(this.initialSize);
    this.pos = 0;
    this.base = 0;
    this.header = -1;
    this.seq = 0;
  }

  /** Bytes written since the last take(). */
  get length(): number {
    return this.pos - this.base;
  }

  /** Opens a packet with sequence id `seq` (mod 256) and reserves its header. */
  begin(seq: number): this {
    if (this.header >= 0) throw new OdpError('INTERNAL', ['PacketWriter.begin() while a packet is open']);
    this.ensure(HEADER_SIZE);
    this.header = this.pos;
    this.seq = seq & 0xff;
    this.pos += HEADER_SIZE;
    return this;
  }

  /**
   * Closes the open packet and returns the next sequence id. A payload of n >= MAX_PAYLOAD bytes becomes
   * floor(n / MAX_PAYLOAD) full packets plus a final shorter one (empty when n is an exact multiple).
   */
  end(): number {
    if (this.header < 0) throw new OdpError('INTERNAL', ['PacketWriter.end() without begin()']);
    const len = this.pos - this.header - HEADER_SIZE;
    if (len < MAX_PAYLOAD) {
      this.writeHeader(this.header, len, this.seq);
      this.header = -1;
      return (this.seq + 1) & 0xff;
    }
    return this.endSplit(len);
  }

  private endSplit(len: number): number {
    const full = Math.floor(len / MAX_PAYLOAD);
    const last = len - full * MAX_PAYLOAD;
    this.ensure(full * HEADER_SIZE);
    const payload = this.header + HEADER_SIZE;
    // Chunk i moves right by i headers; going from the last chunk down never clobbers an unmoved one.
    for (let i = full; i >= 1; i--) {
      const src = payload + i * MAX_PAYLOAD;
      this.buf.copyWithin(src + i * HEADER_SIZE, src, src + (i === full ? last : MAX_PAYLOAD));
    }
    for (let i = 0; i <= full; i++) {
      const at = this.header + i * (MAX_PAYLOAD + HEADER_SIZE);
      this.writeHeader(at, i === full ? last : MAX_PAYLOAD, (this.seq + i) & 0xff);
    }
    this.pos += full * HEADER_SIZE;
    this.header = -1;
    return (this.seq + full + 1) & 0xff;
  }

  private writeHeader(at: number, len: number, seq: number): void {
    const b = this.buf;
    b[at] = len & 0xff;
    b[at + 1] = (len >>> 8) & 0xff;
    b[at + 2] = (len >>> 16) & 0xff;
    b[at + 3] = seq;
  }

  /** Hands out every byte written since the last take() as a view; see the ownership note above. */
  take(): Buffer {
    if (this.header >= 0) throw new OdpError('INTERNAL', ['PacketWriter.take() while a packet is open']);
    const out = this.buf.subarray(this.base, this.pos);
    if (this.buf.length > SHRINK_ABOVE) {
      this.buf = Buffer.allocUnsafe(this.initialSize);
      this.pos = 0;
    }
    this.base = this.pos;
    return out;
  }

  /** Makes room for `n` more bytes; moves the live region [base, pos) to a new buffer if needed. */
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const live = this.pos - this.base;
    let size = Math.max(this.initialSize, this.buf.length);
    while (size < live + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, this.base, this.pos);
    if (this.header >= 0) this.header -= this.base;
    this.buf = next;
    this.pos = live;
    this.base = 0;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.pos = this.buf.writeUInt16LE(v & 0xffff, this.pos);
    return this;
  }

  u24(v: number): this {
    this.ensure(3);
    const b = this.buf;
    const p = this.pos;
    b[p] = v & 0xff;
    b[p + 1] = (v >>> 8) & 0xff;
    b[p + 2] = (v >>> 16) & 0xff;
    this.pos = p + 3;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.pos = this.buf.writeUInt32LE(v >>> 0, this.pos);
    return this;
  }

  /** 8 bytes LE; negative values are written in two's complement. */
  u64(v: bigint | number): this {
    this.ensure(8);
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) {
      this.buf.writeUInt32LE(v % TWO_32, this.pos);
      this.buf.writeUInt32LE(Math.floor(v / TWO_32), this.pos + 4);
      this.pos += 8;
      return this;
    }
    const big = typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
    this.pos = this.buf.writeBigUInt64LE(BigInt.asUintN(64, big), this.pos);
    return this;
  }

  f32(v: number): this {
    this.ensure(4);
    this.pos = this.buf.writeFloatLE(v, this.pos);
    return this;
  }

  f64(v: number): this {
    this.ensure(8);
    this.pos = this.buf.writeDoubleLE(v, this.pos);
    return this;
  }

  /** Length-encoded integer (1, 3, 4 or 9 bytes). Negative or non-integer → OdpError INTERNAL. */
  lenencInt(v: number | bigint): this {
    if (typeof v === 'number' ? !(Number.isInteger(v) && v >= 0) : v < 0n) {
      throw new OdpError('INTERNAL', [`cannot length-encode ${String(v)}`]);
    }
    if (v < 251) return this.u8(Number(v));
    if (v < 0x1_0000) return this.u8(0xfc).u16(Number(v));
    if (v < 0x100_0000) return this.u8(0xfd).u24(Number(v));
    return this.u8(0xfe).u64(v);
  }

  /** The NULL marker of text rows (0xfb). */
  lenencNull(): this {
    return this.u8(0xfb);
  }

  /** Length-encoded string; a JS string is written as UTF-8. */
  lenencString(v: string | Buffer): this {
    if (typeof v !== 'string') return this.lenencInt(v.length).bytes(v);
    const n = Buffer.byteLength(v, 'utf8');
    this.lenencInt(n);
    return this.utf8(v, n);
  }

  /** Bytes followed by a NUL. The value itself must not contain a NUL (not checked). */
  nulString(v: string | Buffer): this {
    if (typeof v === 'string') this.string(v);
    else this.bytes(v);
    return this.u8(0);
  }

  bytes(v: Buffer): this {
    this.ensure(v.length);
    this.pos += v.copy(this.buf, this.pos);
    return this;
  }

  /** UTF-8 bytes of `v`, no length, no terminator. */
  string(v: string): this {
    return this.utf8(v, Buffer.byteLength(v, 'utf8'));
  }

  private utf8(v: string, n: number): this {
    this.ensure(n);
    this.pos += this.buf.write(v, this.pos, n, 'utf8');
    return this;
  }

  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }
}
