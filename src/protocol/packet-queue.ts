// Packet queue for the connection phase (handshake, auth, change-user): whole packets, one promise each.
// Never used on the command-phase hot path, where the scanner feeds handlers synchronously (STYLE.md habit 6).
// Payloads are copied here: they outlive the chunk they came in (ownership boundary).

import { ProtocolError } from '../errors/catalogue.js';
import { PacketScanner, type PacketHandler } from './framer.js';

export interface QueuedPacket {
  readonly payload: Buffer;
  readonly seq: number;
}

type Waiter = { resolve: (p: QueuedPacket) => void; reject: (e: Error) => void; timer: NodeJS.Timeout | null };

export class PacketQueue implements PacketHandler {
  private readonly scanner: PacketScanner;
  private readonly packets: QueuedPacket[] = [];
  private waiter: Waiter | null = null;
  private failure: Error | null = null;
  /**
   * Raw bytes after the last complete packet (owned copy; tiny in the connection phase), so drainRemainder can
   * hand over a packet the client started right behind its last auth packet. Connection-phase packets are below
   * 16 MiB, so each complete packet is payload + 4 bytes on the wire.
   */
  private tail: Buffer = Buffer.alloc(0);
  private completedInChunk = 0;

  constructor(maxPacket = 16 * 1024 * 1024) {
    this.scanner = new PacketScanner(this, { maxCollect: maxPacket });
  }

  onHeader(): number {
    return Infinity;
  }

  onPacketEnd(_seq: number, totalLen: number): boolean {
    this.completedInChunk += totalLen + 4;
    return true;
  }

  onPacket(buf: Buffer, start: number, end: number, seq: number): boolean {
    const p = { payload: Buffer.from(buf.subarray(start, end)), seq };
    const w = this.waiter;
    if (w !== null) {
      this.waiter = null;
      if (w.timer !== null) clearTimeout(w.timer);
      w.resolve(p);
    } else {
      this.packets.push(p);
    }
    return true;
  }

  /** Feeds bytes from the socket. A malformed stream fails the pending and all later reads. */
  push(chunk: Buffer): void {
    try {
      // `tail` starts at a packet boundary, so the packets completed by this chunk are a prefix of tail + chunk.
      const stream = this.tail.length === 0 ? chunk : Buffer.concat([this.tail, chunk]);
      this.completedInChunk = 0;
      this.scanner.scan(chunk);
      this.tail = Buffer.from(stream.subarray(Math.min(stream.length, this.completedInChunk)));
    } catch (e) {
      this.fail(e instanceof Error ? e : new ProtocolError(String(e)));
    }
  }

  /** The peer closed or errored: pending and later reads reject with `err`. */
  fail(err: Error): void {
    if (this.failure === null) this.failure = err;
    const w = this.waiter;
    if (w !== null) {
      this.waiter = null;
      if (w.timer !== null) clearTimeout(w.timer);
      w.reject(err);
    }
  }

  /** The next whole packet; rejects on failure or after `timeoutMs` (0 = no timeout) with `onTimeout()`. */
  next(timeoutMs = 0, onTimeout?: () => Error): Promise<QueuedPacket> {
    const p = this.packets.shift();
    if (p !== undefined) return Promise.resolve(p);
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.waiter !== null) return Promise.reject(new Error('PacketQueue: concurrent next()'));
    return new Promise((resolve, reject) => {
      const timer = timeoutMs > 0
        ? setTimeout(() => {
            this.waiter = null;
            reject(onTimeout !== undefined ? onTimeout() : new Error(`no packet within ${timeoutMs} ms`));
          }, timeoutMs)
        : null;
      this.waiter = { resolve, reject, timer };
    });
  }

  /**
   * Hands over what arrived after the connection phase: the queued whole packets re-framed as wire bytes, then
   * the raw bytes of a packet still incomplete (normally nothing; a client may pipeline its first command right
   * behind its last auth packet, even split across reads).
   */
  drainRemainder(): Buffer | null {
    const parts: Buffer[] = [];
    for (const p of this.packets.splice(0)) parts.push(frameHeader(p.payload.length, p.seq), p.payload);
    if (!this.scanner.atBoundary) parts.push(this.tail);
    this.tail = Buffer.alloc(0);
    this.scanner.reset();
    return parts.length === 0 ? null : Buffer.concat(parts);
  }
}

/** A 4-byte header for a payload below 16 MiB. */
export function frameHeader(len: number, seq: number): Buffer {
  const h = Buffer.allocUnsafe(4);
  h[0] = len & 0xff;
  h[1] = (len >> 8) & 0xff;
  h[2] = (len >> 16) & 0xff;
  h[3] = seq & 0xff;
  return h;
}
