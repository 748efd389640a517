// The bytes of a client session's request in flight (ARCHITECTURE.md "session/tunnel"): the server's response goes to
// the client as it arrives, scanned only for packet boundaries and what ResponseTracker decodes (OK/ERR/EOF, status
// flags, session-track data); a LOAD DATA LOCAL INFILE upload (protocol docs "LOCAL INFILE Request") goes the other
// way, scanned only for the empty packet that ends it. The session decides what happens when either ends.
//
// Invariants:
//  - the proxy never buffers a result set: when the client's socket buffer is full the server socket is paused until
//    the client's 'drain'. A COM_STMT_PREPARE answer, whose statement id is rewritten, is the one exception: it is
//    collected whole (small);
//  - response bytes are passed on as views of the server's chunks, never copied;
//  - the last sequence id seen on either leg is kept, so an ERR sent in place of the rest of a response follows it.

import type { Socket } from 'node:net';
import { PacketScanner, type PacketHandler } from '../protocol/framer.js';
import type { ResponseMode, ResponseTracker } from '../protocol/response.js';
import type { ServerSession } from './server-session.js';

/** What the tunnel needs of its client session. */
export interface TunnelHost {
  readonly socket: Socket;
  /** Bytes written to the client (admin views, stats); the tunnel adds what it relays. */
  bytesToClient: number;
}

/** Largest response packet the scanner reassembles (the tracker reads whole OK/ERR/EOF packets). */
const MAX_RESPONSE_PACKET = 64 * 1024 * 1024;

export class Tunnel {
  readonly tracker: ResponseTracker;
  /** Bytes of the current response relayed (or collected) so far. */
  responseBytes = 0;
  /** performance.now() at the current response's first byte (SHOW TRACE's phase boundary). */
  firstByteAt = 0;
  /** The COM_STMT_PREPARE answer being collected whole; null: the response is relayed as it arrives. */
  collected: Buffer[] | null = null;
  /** The upload's terminating empty packet was seen; the server's answer follows. */
  infileDone = false;
  private readonly host: TunnelHost;
  private readonly responseScanner: PacketScanner;
  private readonly infileScanner: PacketScanner;
  private lastResponseSeq = 0;
  /** Sequence id of the client's last upload packet; -1: no upload in this request. */
  private lastInfileSeq = -1;
  /** A server socket was paused because the client's socket buffer was full. */
  private serverPaused = false;

  constructor(host: TunnelHost, tracker: ResponseTracker) {
    this.host = host;
    this.tracker = tracker;
    this.responseScanner = new PacketScanner(this.responseHandler(), { maxCollect: MAX_RESPONSE_PACKET });
    this.infileScanner = new PacketScanner(this.infileHandler());
  }

  /** A request went to a server: its response starts. `collect`: a COM_STMT_PREPARE answer, kept whole. */
  begin(mode: ResponseMode, deprecateEof: boolean, cursor: boolean, status: number, collect: boolean): void {
    this.responseBytes = 0;
    this.collected = collect ? [] : null;
    this.tracker.begin(mode, deprecateEof, cursor);
    this.tracker.status = status;
    this.lastInfileSeq = -1;
  }

  /** Where the response ends in `chunk` (chunk.length: not in it). Throws ProtocolError on a malformed response. */
  scanResponse(chunk: Buffer): number {
    return this.responseScanner.scan(chunk);
  }

  /** Passes on (or collects) response bytes `out` from `ss`. */
  relay(out: Buffer, ss: ServerSession): void {
    if (this.responseBytes === 0) this.firstByteAt = performance.now();
    this.responseBytes += out.length;
    if (this.collected !== null) this.collected.push(out);
    else this.toClient(out, ss);
  }

  /** Writes response bytes to the client; a full client buffer pauses `ss` until the client drains. */
  toClient(out: Buffer, ss: ServerSession): void {
    this.host.bytesToClient += out.length;
    if (!this.host.socket.write(out)) {
      this.serverPaused = true;
      ss.conn.pause();
    }
  }

  /** The collected COM_STMT_PREPARE answer in one buffer; collecting ends. */
  takeCollected(): Buffer {
    const parts = this.collected ?? [];
    this.collected = null;
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** The client's socket drained: the server paused for it reads again. */
  onClientDrain(active: ServerSession | null): void {
    if (!this.serverPaused) return;
    this.serverPaused = false;
    active?.conn.resume();
  }

  /** Between response packets: an ERR may stand in for the rest of the response. */
  get atBoundary(): boolean {
    return this.responseScanner.atBoundary;
  }

  /** Sequence id of an ERR sent now: next after whatever the client saw or sent last (an upload moves it on). */
  errorSeq(): number {
    const last = Math.max(this.responseBytes === 0 ? 0 : this.lastResponseSeq, this.lastInfileSeq);
    return (last + 1) & 0xff;
  }

  /** The response will not be completed (its server is gone). */
  abandon(): void {
    this.responseScanner.reset();
    this.collected = null;
  }

  /** The server asked for a LOCAL INFILE: the client's upload packets follow. */
  startInfile(): void {
    this.infileScanner.reset();
  }

  /** Where the upload ends in `chunk` (chunk.length: not in it); sets infileDone at its empty packet. */
  scanInfile(chunk: Buffer): number {
    return this.infileScanner.scan(chunk);
  }

  /** The upload ended: the server's answer to it is next. */
  endInfile(): void {
    this.infileDone = false;
    this.tracker.afterInfile();
  }

  private responseHandler(): PacketHandler {
    const t = this.tracker;
    return {
      onHeader: (len, seq, first) => {
        this.lastResponseSeq = seq;
        return t.onHeader(len, seq, first);
      },
      onPacket: (buf, start, end) => t.onPacket(buf, start, end),
      onPacketEnd: () => t.onPacketEnd(),
    };
  }

  private infileHandler(): PacketHandler {
    return {
      onHeader: (_len, seq) => {
        this.lastInfileSeq = seq;
        return 0;
      },
      onPacket: () => true,
      // The upload ends with an empty packet: stop there, the server's answer follows.
      onPacketEnd: (_seq, total) => {
        if (total !== 0) return true;
        this.infileDone = true;
        return false;
      },
    };
  }
}
