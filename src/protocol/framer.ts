// Streaming MySQL packet scanner: finds packet boundaries in a byte stream without copying, and hands each
// logical packet's wanted prefix to a handler. Protocol framing:
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_packets.html
//
// Ownership and copies (STYLE.md habit 2): a wanted packet that lies inside one chunk is delivered as a view of
// that chunk, valid only during the callback. A wanted packet that spans chunks (or a logical packet made of
// several 0xFFFFFF physical packets) is reassembled into a buffer the scanner owns: that is the one copy, and the
// buffer grows by doubling from at most 64 KiB, so a header that announces 16 MiB and then closes costs nothing.
// A reassembled buffer is handed over to the handler for good (never reused by the scanner).
// Unwanted bytes are never copied. The scanner itself is synchronous and allocation-free per packet.

import { ProtocolError } from '../errors/catalogue.js';

export const MAX_PHYSICAL_PAYLOAD = 0xffffff;

export interface PacketHandler {
  /**
   * A logical packet starts. `len` is its first physical packet's payload length (0xFFFFFF: more physical packets
   * follow), `firstByte` its first payload byte or -1 when `len` is 0. Returns how many leading payload bytes to
   * deliver through `onPacket`: 0 for none, `Infinity` for the whole logical packet.
   */
  onHeader(len: number, seq: number, firstByte: number): number;
  /**
   * The wanted bytes: buf[start, end), with `end - start` = min(wanted, logical length). `framed` is true when
   * buf[start - 4, start) holds this packet's own 4-byte header and the packet is one whole physical packet, so
   * buf[start - 4, end) can be forwarded as is. Return false to stop scanning after this logical packet.
   */
  onPacket(buf: Buffer, start: number, end: number, seq: number, framed: boolean): boolean;
  /** Every logical packet ends here, wanted or not, after its `onPacket`. Return false to stop scanning. */
  onPacketEnd?(seq: number, totalLen: number): boolean;
}

const INITIAL_COLLECT = 64 * 1024;

export class PacketScanner {
  private readonly handler: PacketHandler;
  private readonly maxCollect: number;
  /** Partial header: up to 4 header bytes plus the first payload byte. */
  private readonly head = Buffer.alloc(5);
  private headLen = 0;
  /** Payload bytes of the current physical packet still to consume. */
  private left = 0;
  private inPacket = false;
  /** The current physical packet is 0xFFFFFF long: the logical packet continues. */
  private continues = false;
  private firstSeq = 0;
  private logicalLen = 0;
  /** Bytes still wanted from the current logical packet; 0 when not collecting. */
  private want = 0;
  private delivered = false;
  private stopAfter = false;
  private collect: Buffer | null = null;
  private collectLen = 0;
  private viewMode = false;
  private viewBuf: Buffer | null = null;
  private viewStart = 0;
  private viewFramed = false;

  constructor(handler: PacketHandler, opts: { maxCollect?: number } = {}) {
    this.handler = handler;
    this.maxCollect = opts.maxCollect ?? 1024 * 1024 * 1024;
  }

  /** True between packets (no partial header or payload pending). */
  get atBoundary(): boolean {
    return !this.inPacket && this.headLen === 0;
  }

  /** Drops any partial state (used when a connection changes phase). */
  reset(): void {
    this.headLen = 0;
    this.left = 0;
    this.inPacket = false;
    this.continues = false;
    this.want = 0;
    this.delivered = false;
    this.stopAfter = false;
    this.collect = null;
    this.collectLen = 0;
    this.viewMode = false;
    this.viewBuf = null;
  }

  /**
   * Scans chunk[from, chunk.length). Returns the offset just past the logical packet after which a handler asked
   * to stop, or chunk.length when everything was consumed. Throws ProtocolError only when a wanted packet is
   * larger than maxCollect.
   */
  scan(chunk: Buffer, from = 0): number {
    let pos = from;
    const n = chunk.length;
    while (pos < n) {
      if (!this.inPacket) {
        pos = this.readHeader(chunk, pos, n);
        if (!this.inPacket) return n; // header incomplete: wait for more bytes
        if (this.left === 0 && this.finishPhysical()) return pos;
        continue;
      }
      const take = Math.min(this.left, n - pos);
      if (this.want > 0) this.gather(chunk, pos, take);
      pos += take;
      this.left -= take;
      if (this.left === 0 && this.finishPhysical()) return pos;
    }
    return n;
  }

  /** Consumes header bytes; on a complete header sets up the packet. Returns the new position. */
  private readHeader(chunk: Buffer, pos: number, n: number): number {
    // Fast path: whole header (and first byte) inside this chunk, nothing pending.
    if (this.headLen === 0 && pos + 4 <= n) {
      const len = chunk[pos]! | (chunk[pos + 1]! << 8) | (chunk[pos + 2]! << 16);
      if (len === 0 || pos + 5 <= n) {
        this.startPhysical(len, chunk[pos + 3]!, len === 0 ? -1 : chunk[pos + 4]!, chunk, pos + 4);
        return pos + 4;
      }
    }
    while (pos < n && this.headLen < 5) {
      this.head[this.headLen++] = chunk[pos++]!;
      if (this.headLen === 4 && (this.head[0]! | this.head[1]! | this.head[2]!) === 0) break;
    }
    if (this.headLen < 4) return pos;
    const len = this.head[0]! | (this.head[1]! << 8) | (this.head[2]! << 16);
    if (len > 0 && this.headLen < 5) return pos;
    const first = len > 0 ? this.head[4]! : -1;
    this.headLen = 0;
    // The first payload byte was consumed into `head`: replay it into the collector.
    this.startPhysical(len, this.head[3]!, first, null, 0);
    if (len > 0) {
      if (this.want > 0) this.gather(this.head, 4, 1);
      this.left -= 1;
    }
    return pos;
  }

  private startPhysical(len: number, seq: number, firstByte: number, chunk: Buffer | null, payloadStart: number): void {
    this.inPacket = true;
    this.left = len;
    const isContinuation = this.continues;
    this.continues = len === MAX_PHYSICAL_PAYLOAD;
    if (isContinuation) {
      this.logicalLen += len;
      return;
    }
    this.firstSeq = seq;
    this.logicalLen = len;
    this.delivered = false;
    this.stopAfter = false;
    this.collectLen = 0;
    const want = this.handler.onHeader(len, seq, firstByte);
    this.want = want > 0 ? want : 0;
    if (this.want === 0) {
      this.viewMode = false;
      return;
    }
    // Zero-copy when the wanted bytes of a single physical packet are all inside this chunk.
    const need = Math.min(this.want, len);
    this.viewMode = chunk !== null && !this.continues && payloadStart + need <= chunk.length;
    if (this.viewMode) {
      this.viewBuf = chunk;
      this.viewStart = payloadStart;
      this.viewFramed = need === len;
    }
  }

  /** Appends wanted bytes (or notes them, in view mode); delivers when the wanted prefix is complete. */
  private gather(src: Buffer, pos: number, count: number): void {
    const take = Math.min(count, this.want);
    if (take <= 0) return;
    if (!this.viewMode) {
      const needed = 4 + this.collectLen + take;
      if (needed - 4 > this.maxCollect) {
        throw new ProtocolError(`packet larger than ${this.maxCollect} bytes`);
      }
      if (this.collect === null || this.collect.length < needed) this.grow(needed);
      src.copy(this.collect!, 4 + this.collectLen, pos, pos + take);
    }
    this.collectLen += take;
    this.want -= take;
    if (this.want === 0) this.deliver();
  }

  private grow(needed: number): void {
    let size = this.collect === null ? Math.min(INITIAL_COLLECT, Math.max(needed, 64)) : this.collect.length;
    while (size < needed) size *= 2;
    const next = Buffer.allocUnsafe(size);
    if (this.collect !== null) this.collect.copy(next, 0, 0, 4 + this.collectLen);
    this.collect = next;
  }

  private deliver(): void {
    if (this.delivered) return;
    this.delivered = true;
    this.want = 0;
    let keepGoing: boolean;
    if (this.viewMode) {
      const buf = this.viewBuf!;
      this.viewBuf = null;
      keepGoing = this.handler.onPacket(buf, this.viewStart, this.viewStart + this.collectLen, this.firstSeq, this.viewFramed);
    } else {
      if (this.collect === null) this.grow(4);
      const buf = this.collect!;
      // Reassembled single physical packet: write its header so the caller can forward buf[0, end) as is.
      const framed = this.collectLen === this.logicalLen && !this.continues && this.logicalLen < MAX_PHYSICAL_PAYLOAD;
      if (framed) {
        buf[0] = this.logicalLen & 0xff;
        buf[1] = (this.logicalLen >> 8) & 0xff;
        buf[2] = (this.logicalLen >> 16) & 0xff;
        buf[3] = this.firstSeq;
      }
      // Ownership of a reassembled buffer passes to the handler (it may still sit in a socket's write queue).
      this.collect = null;
      keepGoing = this.handler.onPacket(buf, 4, 4 + this.collectLen, this.firstSeq, framed);
    }
    if (!keepGoing) this.stopAfter = true;
  }

  /** A physical packet ended. Returns true when scanning must stop here. */
  private finishPhysical(): boolean {
    this.inPacket = false;
    if (this.continues) return false;
    // Logical packet complete. A wanted packet shorter than its wanted size (or empty) is delivered now.
    if (this.want > 0) this.deliver();
    const total = this.logicalLen;
    let stop = this.stopAfter;
    this.stopAfter = false;
    if (this.handler.onPacketEnd !== undefined && !this.handler.onPacketEnd(this.firstSeq, total)) stop = true;
    return stop;
  }
}
