// One client connection: connection phase (handshake, login relay), then the command phase, where requests
// are forwarded and responses tunnelled back as raw bytes (ARCHITECTURE.md "The data path").
//
// Invariants:
//  - one request in flight: while a response (or a LOCAL INFILE upload) is in progress, later client bytes are
//    queued and the client socket is paused beyond one queued chunk (backpressure, STYLE.md habit 5);
//  - response bytes go to the client as they arrive; when the client's socket buffer is full the server socket
//    is paused until 'drain' — the proxy never buffers a result set;
//  - the per-packet path (scanner callbacks) is synchronous; promises only in the connection phase.

import type { Socket } from 'node:net';
import { OdpError, isOdpError, type ErrorCode } from '../errors/catalogue.js';
import { Capability, Command, commandName } from '../protocol/constants.js';
import { writeErr } from '../protocol/err.js';
import { PacketScanner, type PacketHandler } from '../protocol/framer.js';
import { writeOk } from '../protocol/ok.js';
import { PacketQueue } from '../protocol/packet-queue.js';
import { ResponseTracker, ServerStatusBits } from '../protocol/response.js';
import { PacketWriter } from '../protocol/writer.js';
import type { ServerConnection } from '../backend/server-connection.js';
import { commandAction } from './commands.js';
import { passthroughLogin, relayChangeUser, type LoginOutcome } from './auth/passthrough.js';
import type { SessionContext } from './context.js';
import { writeFramed } from './framing.js';

export type ClientState = 'handshake' | 'auth' | 'ready' | 'busy' | 'infile' | 'closed';

/** Queued client bytes beyond which the client socket is paused while a request is in flight. */
const PENDING_PAUSE_BYTES = 64 * 1024;
/** Largest request the proxy reassembles (COM_QUERY with a big BLOB, SEND_LONG_DATA). */
const MAX_REQUEST_BYTES = 1024 * 1024 * 1024;

export class ClientSession implements PacketHandler {
  readonly id: number;
  readonly socket: Socket;
  readonly ctx: SessionContext;
  readonly remote: string;
  readonly connectedAt = Date.now();
  state: ClientState = 'handshake';
  user = '';
  database: string | null = null;
  /** Capabilities in effect between client and server (format of responses depends on them). */
  capabilities = 0;
  /** Last server status flags (autocommit, in transaction) for locally built OK packets. */
  status = ServerStatusBits.AUTOCOMMIT as number;
  server: ServerConnection | null = null;
  currentCommand = -1;
  commandStartedAt = 0;
  requests = 0;

  private readonly requestScanner: PacketScanner;
  private readonly responseScanner: PacketScanner;
  private readonly tracker = new ResponseTracker();
  private readonly infileScanner: PacketScanner;
  private readonly writer = new PacketWriter(256);
  private authQueue: PacketQueue | null = new PacketQueue();
  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;
  private clientPaused = false;
  private serverPausedForClient = false;
  /** Response bytes already sent to the client for the current request (to know if an ERR can still be sent). */
  private responseBytes = 0;
  private lastResponseSeq = 0;

  constructor(id: number, socket: Socket, ctx: SessionContext) {
    this.id = id;
    this.socket = socket;
    this.ctx = ctx;
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    this.requestScanner = new PacketScanner(this, { maxCollect: MAX_REQUEST_BYTES });
    this.responseScanner = new PacketScanner(this.responseHandler(), { maxCollect: 64 * 1024 * 1024 });
    this.infileScanner = new PacketScanner(this.infileHandler());
    socket.setNoDelay(true);
    socket.setKeepAlive(true, ctx.settings.clientKeepAliveIdleMs);
    socket.on('data', (chunk: Buffer) => this.onClientData(chunk));
    socket.on('drain', () => this.onClientDrain());
    socket.on('error', (err) => this.close(`client socket error: ${err.message}`));
    socket.on('close', () => this.close(null));
  }

  /** Connection phase. Never throws: every failure ends in an ERR to the client (when possible) and a close. */
  async start(): Promise<void> {
    let outcome: LoginOutcome;
    try {
      outcome = await passthroughLogin(this, this.ctx);
    } catch (e) {
      this.failConnectionPhase(e);
      return;
    }
    if (this.state === 'closed') {
      outcome.server?.destroy();
      return;
    }
    if (!outcome.ok) {
      this.ctx.log.warn('PROXY', `login failed cs_id=${this.id} client=${this.remote} user=${outcome.user}: ${outcome.reason}`);
      this.close(null);
      return;
    }
    this.user = outcome.user;
    this.database = outcome.database;
    this.capabilities = outcome.capabilities;
    this.status = outcome.status;
    this.enterCommandPhase(outcome.server);
  }

  /** Used by the login relay to read the client's connection-phase packets. */
  readAuthPacket(): ReturnType<PacketQueue['next']> {
    const q = this.authQueue;
    if (q === null) return Promise.reject(new OdpError('INTERNAL', ['auth read outside the connection phase']));
    return q.next(this.ctx.settings.authTimeoutMs, () => new OdpError('NET_READ_TIMEOUT'));
  }

  write(bytes: Buffer): boolean {
    if (this.state === 'closed') return false;
    return this.socket.write(bytes);
  }

  sendError(code: ErrorCode, args: readonly (string | number)[], seq: number): void {
    const e = new OdpError(code, args);
    writeErr(this.writer, e.errno, e.sqlState, e.clientMessage, seq);
    this.write(this.writer.take());
  }

  private failConnectionPhase(e: unknown): void {
    const err = isOdpError(e) ? e : new OdpError('INTERNAL', [], e instanceof Error ? e.message : String(e));
    this.ctx.log.warn('PROXY', `connection phase failed cs_id=${this.id} client=${this.remote}: ${err.message}`);
    if (this.state !== 'closed') {
      // During the handshake the server side of the protocol may answer with an ERR in place of any packet.
      writeErr(this.writer, err.errno, err.sqlState, err.clientMessage, this.state === 'handshake' ? 0 : 2);
      this.write(this.writer.take());
    }
    this.close(null);
  }

  private enterCommandPhase(server: ServerConnection): void {
    this.server = server;
    this.state = 'ready';
    const rest = this.authQueue?.drainRemainder() ?? null;
    this.authQueue = null;
    server.attach((chunk) => this.onServerData(chunk), (err) => this.onServerClosed(err));
    server.socket.on('drain', () => this.onServerDrain());
    if (rest !== null) this.onClientData(rest);
  }

  // ---- client -> proxy -------------------------------------------------------------------------------------

  private onClientData(chunk: Buffer): void {
    switch (this.state) {
      case 'handshake':
      case 'auth':
        this.authQueue?.push(chunk);
        return;
      case 'ready':
        this.processRequests(chunk, 0);
        return;
      case 'infile':
        this.forwardInfile(chunk);
        return;
      case 'busy':
        this.queue(chunk);
        return;
      case 'closed':
        return;
    }
  }

  private queue(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes > PENDING_PAUSE_BYTES && !this.clientPaused) {
      this.clientPaused = true;
      this.socket.pause();
    }
  }

  private processRequests(chunk: Buffer, from: number): void {
    let stop: number;
    try {
      stop = this.requestScanner.scan(chunk, from);
    } catch (e) {
      this.protocolFailure(e);
      return;
    }
    if (stop < chunk.length && this.state !== 'closed') {
      // A request is in flight; keep the rest (a pipelined request) for later. No copy: a view of the chunk.
      this.pending.unshift(chunk.subarray(stop));
      this.pendingBytes += chunk.length - stop;
    }
  }

  /** Runs queued client bytes once the session is ready again. */
  private drainPending(): void {
    while (this.pending.length > 0 && (this.state === 'ready' || this.state === 'infile')) {
      const c = this.pending.shift()!;
      this.pendingBytes -= c.length;
      if (this.state === 'ready') this.processRequests(c, 0);
      else this.forwardInfile(c);
    }
    if (this.clientPaused && this.pendingBytes <= PENDING_PAUSE_BYTES && this.state !== 'closed') {
      this.clientPaused = false;
      this.socket.resume();
    }
  }

  // PacketHandler for client requests: whole requests, reassembled only when they span chunks.
  onHeader(): number {
    return Infinity;
  }

  onPacket(buf: Buffer, start: number, end: number, seq: number, framed: boolean): boolean {
    if (seq !== 0) {
      this.ctx.log.warn('PROXY', `packets out of order from client cs_id=${this.id} client=${this.remote}: seq=${seq}`);
      this.sendError('PACKETS_OUT_OF_ORDER', [], seq + 1);
      this.close(null);
      return false;
    }
    if (end === start) {
      this.sendError('MALFORMED_PACKET', [], 1);
      return true;
    }
    const cmd = buf[start]!;
    const action = commandAction(cmd);
    this.requests++;
    switch (action.kind) {
      case 'forward':
        this.forwardRequest(buf, start, end, framed);
        this.currentCommand = cmd;
        this.commandStartedAt = Date.now();
        this.responseBytes = 0;
        this.tracker.begin(action.mode, (this.capabilities & Capability.DEPRECATE_EOF) !== 0);
        this.tracker.status = this.status;
        this.state = 'busy';
        return false;
      case 'forward_no_reply':
        this.forwardRequest(buf, start, end, framed);
        return true;
      case 'ping':
        writeOk(this.writer, { status: this.status }, 1, this.capabilities);
        this.write(this.writer.take());
        return true;
      case 'quit':
        this.close(null);
        return false;
      case 'change_user':
        this.beginChangeUser(Buffer.from(buf.subarray(start, end)));
        return false;
      case 'unsupported':
        this.ctx.log.warn('PROXY', `unsupported command ${commandName(cmd)} from cs_id=${this.id}`);
        this.sendError('NOT_SUPPORTED', [action.what], 1);
        return true;
      case 'unknown':
        this.ctx.log.warn('PROXY', `unknown command byte 0x${cmd.toString(16)} from cs_id=${this.id} client=${this.remote}`);
        this.sendError('UNKNOWN_COMMAND', [], 1);
        return true;
    }
  }

  private forwardRequest(buf: Buffer, start: number, end: number, framed: boolean): void {
    const server = this.server;
    if (server === null || server.closed) return;
    const ok = framed ? server.write(buf.subarray(start - 4, end)) : writeFramed(server.socket, buf.subarray(start, end), 0);
    if (!ok && !this.clientPaused) {
      this.clientPaused = true;
      this.socket.pause();
    }
  }

  // ---- LOAD DATA LOCAL INFILE: the client streams the file to the server ------------------------------------

  private infileDone = false;

  private infileHandler(): PacketHandler {
    return {
      onHeader: () => 0,
      onPacket: () => true,
      // The upload ends with an empty packet: stop there, the server's answer follows.
      onPacketEnd: (_seq, total) => {
        if (total !== 0) return true;
        this.infileDone = true;
        return false;
      },
    };
  }

  private forwardInfile(chunk: Buffer): void {
    const server = this.server;
    if (server === null) return;
    const stop = this.infileScanner.scan(chunk);
    const part = stop < chunk.length ? chunk.subarray(0, stop) : chunk;
    if (!server.write(part) && !this.clientPaused) {
      this.clientPaused = true;
      this.socket.pause();
    }
    if (!this.infileDone) return;
    this.infileDone = false;
    this.tracker.afterInfile();
    this.state = 'busy';
    if (stop < chunk.length) {
      this.pending.unshift(chunk.subarray(stop));
      this.pendingBytes += chunk.length - stop;
    }
  }

  // ---- server -> client (tunnel) -----------------------------------------------------------------------------

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

  private onServerData(chunk: Buffer): void {
    if (this.state !== 'busy') {
      this.ctx.log.warn('PROXY', `unexpected ${chunk.length} bytes from server ${this.server?.name ?? '?'} while ${this.state}, cs_id=${this.id}`);
      return;
    }
    let stop: number;
    try {
      stop = this.responseScanner.scan(chunk);
    } catch (e) {
      this.ctx.log.error('PROXY', `bad response from ${this.server?.name ?? '?'}: ${(e as Error).message}`);
      this.close('server protocol error');
      return;
    }
    const out = stop < chunk.length ? chunk.subarray(0, stop) : chunk;
    this.responseBytes += out.length;
    if (!this.socket.write(out) && this.server !== null) {
      this.serverPausedForClient = true;
      this.server.pause();
    }
    if (this.tracker.done) {
      if (stop < chunk.length) {
        this.ctx.log.warn('PROXY', `server ${this.server?.name ?? '?'} sent ${chunk.length - stop} bytes past the end of a response; dropped`);
      }
      this.finishRequest();
    } else if (this.tracker.infileRequested) {
      this.state = 'infile';
      this.infileScanner.reset();
      this.drainPending();
    }
  }

  private finishRequest(): void {
    this.status = this.tracker.status;
    if (this.tracker.errno === -1) {
      this.close('malformed response from server');
      return;
    }
    if (this.currentCommand === Command.INIT_DB && this.tracker.errno === 0) this.database = null; // learned in issue 3
    this.state = 'ready';
    this.currentCommand = -1;
    this.drainPending();
  }

  private onClientDrain(): void {
    if (this.serverPausedForClient && this.server !== null) {
      this.serverPausedForClient = false;
      this.server.resume();
    }
  }

  private onServerDrain(): void {
    if (this.clientPaused && this.pendingBytes <= PENDING_PAUSE_BYTES && this.state !== 'closed') {
      this.clientPaused = false;
      this.socket.resume();
    }
  }

  private onServerClosed(err: Error | null): void {
    if (this.state === 'closed') return;
    const name = this.server?.name ?? '?';
    this.ctx.log.warn('PROXY', `server ${name} closed the connection of cs_id=${this.id} while ${this.state}${err ? `: ${err.message}` : ''}`);
    // A session bound to one server cannot move its state elsewhere: tell the client if a packet boundary allows.
    if ((this.state === 'busy' || this.state === 'infile') && this.responseScanner.atBoundary) {
      const seq = this.responseBytes === 0 ? 1 : this.lastResponseSeq + 1;
      this.sendError('BACKEND_LOST', [name], seq);
    }
    this.close(null);
  }

  // ---- COM_CHANGE_USER ---------------------------------------------------------------------------------------

  private beginChangeUser(packet: Buffer): void {
    const server = this.server;
    if (server === null) return;
    this.state = 'auth';
    this.authQueue = new PacketQueue();
    server.detach();
    void relayChangeUser(this, server, packet).then(
      (r) => {
        if (this.state === 'closed') return;
        if (!r.ok) {
          this.close(null);
          return;
        }
        this.user = r.user;
        this.status = r.status;
        this.enterCommandPhase(server);
        this.drainPending();
      },
      (e: unknown) => this.failConnectionPhase(e),
    );
  }

  // ---- teardown ----------------------------------------------------------------------------------------------

  private protocolFailure(e: unknown): void {
    const msg = e instanceof Error ? e.message : String(e);
    this.ctx.log.warn('PROXY', `malformed request from cs_id=${this.id} client=${this.remote}: ${msg}`);
    if (isOdpError(e)) this.sendError(e.code, [], 1);
    this.close(null);
  }

  /** Closes the client and its server connection. Idempotent. */
  close(reason: string | null): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (reason !== null) this.ctx.log.info('PROXY', `closing cs_id=${this.id} client=${this.remote}: ${reason}`);
    this.authQueue?.fail(new OdpError('NET_READ_ERROR'));
    this.server?.quit();
    this.socket.end();
    this.socket.destroySoon();
    this.ctx.onSessionClosed(this.id);
  }
}
