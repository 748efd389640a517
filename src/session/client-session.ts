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
import { login, relayChangeUser, type LoginOutcome } from './auth/login.js';
import type { SessionContext } from './context.js';
import { writeFramed } from './framing.js';
import { answerProxysysOther, queryMayBeAdmin, runAdmin } from './local-query.js';
import { parseUsername, type ParsedUsername } from '../protocol/username.js';

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
  mariadbCapabilities = 0;
  /** Last server status flags (autocommit, in transaction) for locally built OK packets. */
  status = ServerStatusBits.AUTOCOMMIT as number;
  server: ServerConnection | null = null;
  identity: ParsedUsername | null = null;
  /** A proxysys session: answered by the proxy, never reaches a backend. */
  local = false;
  currentCommand = -1;
  commandStartedAt = 0;
  requests = 0;
  transCount = 0;
  bytesFromClient = 0;
  bytesToClient = 0;
  lastActiveAt = Date.now();
  private pendingDatabase: string | null = null;

  private readonly requestScanner: PacketScanner;
  private readonly responseScanner: PacketScanner;
  private readonly tracker = new ResponseTracker();
  private readonly infileScanner: PacketScanner;
  private readonly writer = new PacketWriter(256);
  private authQueue: PacketQueue | null = new PacketQueue();
  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;
  private clientPaused = false;
  /** A locally built answer filled the client's socket buffer: stop reading requests until 'drain'. */
  private localWriteBlocked = false;
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
    socket.on('data', (chunk: Buffer) => this.guard(() => this.onClientData(chunk)));
    socket.on('drain', () => this.guard(() => this.onClientDrain()));
    // One log line per failed connection: in the connection phase the login's own failure is that line.
    socket.on('error', (err) => this.close(this.state === 'handshake' || this.state === 'auth' ? null : `client socket error: ${err.message}`));
    socket.on('close', () => this.close(this.closeReason()));
  }

  /** Connection phase. Never throws: every failure ends in an ERR to the client (when possible) and a close. */
  async start(): Promise<void> {
    let outcome: LoginOutcome;
    try {
      outcome = await login(this, this.ctx);
    } catch (e) {
      this.failConnectionPhase(e);
      return;
    }
    if (this.state === 'closed') {
      outcome.server?.destroy();
      return;
    }
    if (!outcome.ok) {
      outcome.server?.destroy();
      this.ctx.log.warn('PROXY', `login failed cs_id=${this.id} client=${this.remote} user=${outcome.user}: ${outcome.reason}`);
      this.close(null);
      return;
    }
    this.user = outcome.user;
    this.identity = outcome.identity;
    this.local = outcome.server === null;
    this.database = outcome.database;
    this.capabilities = outcome.capabilities;
    this.mariadbCapabilities = outcome.mariadbCapabilities;
    this.status = outcome.status;
    this.guard(() => this.enterCommandPhase(outcome.server));
  }

  /** Runs a socket callback; a bug that throws closes this session only, with the stack in the log. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.ctx.log.error('PROXY', `internal error in cs_id=${this.id}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      this.close('internal error');
    }
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

  /**
   * Writes an answer the proxy built itself. When the client's socket buffer is full, later requests wait (queued,
   * client paused) until 'drain': a client that never reads cannot make the proxy buffer answers without bound.
   * Returns what onPacket should return (false = stop scanning).
   */
  private writeLocal(bytes: Buffer): boolean {
    if (this.write(bytes) || this.state === 'closed') return this.state !== 'closed';
    this.localWriteBlocked = true;
    if (!this.clientPaused) {
      this.clientPaused = true;
      this.socket.pause();
    }
    return false;
  }

  sendError(code: ErrorCode, args: readonly (string | number)[], seq: number): void {
    this.write(this.errorPacket(code, args, seq));
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

  private enterCommandPhase(server: ServerConnection | null): void {
    this.server = server;
    if (server !== null) {
      server.attach(
        (chunk) => this.guard(() => this.onServerData(chunk)),
        (err) => this.guard(() => this.onServerClosed(err)),
        () => this.guard(() => this.onServerDrain()),
      );
    }
    this.state = 'ready';
    // Bytes that arrived behind the last auth packet (possibly a partial request) are newer than anything
    // already pending (requests pipelined behind COM_CHANGE_USER): they go last.
    const rest = this.authQueue?.drainRemainder() ?? null;
    this.authQueue = null;
    if (rest !== null) {
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
    this.drainPending();
  }

  // ---- client -> proxy -------------------------------------------------------------------------------------

  private onClientData(chunk: Buffer): void {
    this.bytesFromClient += chunk.length;
    this.lastActiveAt = Date.now();
    switch (this.state) {
      case 'handshake':
      case 'auth':
        this.authQueue?.push(chunk);
        return;
      case 'ready':
        if (this.localWriteBlocked) this.queue(chunk);
        else this.processRequests(chunk, 0);
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
    while (this.pending.length > 0 && ((this.state === 'ready' && !this.localWriteBlocked) || this.state === 'infile')) {
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
    if (end === start) return this.writeLocal(this.errorPacket('MALFORMED_PACKET', [], 1));
    const cmd = buf[start]!;
    const action = commandAction(cmd);
    this.requests++;
    if (cmd === Command.QUERY && (this.local || queryMayBeAdmin(buf, start + 1, end))) {
      const answer = this.answerQueryLocally(buf.toString('utf8', start + 1, end));
      if (answer !== null) return this.writeLocal(answer);
    }
    if (this.local && (action.kind === 'forward' || action.kind === 'forward_no_reply' || action.kind === 'change_user')) {
      const answer = this.answerLocalCommand(cmd, action.kind === 'forward_no_reply');
      return answer === null ? true : this.writeLocal(answer);
    }
    switch (action.kind) {
      case 'forward':
        if (cmd === Command.INIT_DB) this.pendingDatabase = buf.toString('utf8', start + 1, end);
        this.forwardRequest(buf, start, end, framed);
        this.currentCommand = cmd;
        this.commandStartedAt = Date.now();
        this.responseBytes = 0;
        this.tracker.begin(action.mode, (this.capabilities & Capability.DEPRECATE_EOF) !== 0);
        this.tracker.status = this.status;
        this.lastInfileSeq = -1;
        this.state = 'busy';
        return false;
      case 'forward_no_reply':
        this.forwardRequest(buf, start, end, framed);
        return true;
      case 'ping':
        writeOk(this.writer, { status: this.status }, 1, this.capabilities);
        return this.writeLocal(this.writer.take());
      case 'quit':
        this.close(null);
        return false;
      case 'change_user':
        this.beginChangeUser(Buffer.from(buf.subarray(start, end)));
        return false;
      case 'unsupported':
        this.ctx.log.warn('PROXY', `unsupported command ${commandName(cmd)} from cs_id=${this.id}`);
        return this.writeLocal(this.errorPacket('NOT_SUPPORTED', [action.what], 1));
      case 'unknown':
        this.ctx.log.warn('PROXY', `unknown command byte 0x${cmd.toString(16)} from cs_id=${this.id} client=${this.remote}`);
        return this.writeLocal(this.errorPacket('UNKNOWN_COMMAND', [], 1));
    }
  }

  /** Internal commands (any session) and everything on a proxysys session: the answer's bytes, or null. */
  private answerQueryLocally(sql: string): Buffer | null {
    const o = { capabilities: this.capabilities, mariadbCapabilities: this.mariadbCapabilities, status: this.status };
    if (runAdmin(this.writer, sql, this.ctx.adminContext(this.id), o)) return this.writer.take();
    if (!this.local) return null;
    answerProxysysOther(this.writer, sql, this.ctx.version, o);
    return this.writer.take();
  }

  /** Non-query commands on a proxysys session: COM_INIT_DB is acknowledged, the rest is not supported. */
  private answerLocalCommand(cmd: number, noReply: boolean): Buffer | null {
    if (noReply) return null;
    if (cmd === Command.INIT_DB) {
      writeOk(this.writer, { status: this.status }, 1, this.capabilities);
      return this.writer.take();
    }
    return this.errorPacket('NOT_SUPPORTED', [`${commandName(cmd)} on a proxysys session`], 1);
  }

  private errorPacket(code: ErrorCode, args: readonly (string | number)[], seq: number): Buffer {
    const e = new OdpError(code, args);
    writeErr(this.writer, e.errno, e.sqlState, e.clientMessage, seq);
    return this.writer.take();
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
  private lastInfileSeq = -1;

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
      // Unsolicited (an ERR before the server drops an idle or uploading connection): relay it as a direct
      // connection would show it; the close that follows ends the session.
      this.ctx.log.warn('PROXY', `unsolicited ${chunk.length} bytes from server ${this.server?.name ?? '?'} while ${this.state}, cs_id=${this.id}; relayed`);
      this.write(chunk);
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
    this.bytesToClient += out.length;
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
    if ((this.status & ServerStatusBits.IN_TRANS) !== 0 && (this.tracker.status & ServerStatusBits.IN_TRANS) === 0) this.transCount++;
    this.status = this.tracker.status;
    this.lastActiveAt = Date.now();
    if (this.currentCommand === Command.INIT_DB && this.tracker.errno === 0) this.database = this.pendingDatabase;
    this.pendingDatabase = null;
    if (this.tracker.errno === -1) {
      this.close('malformed response from server');
      return;
    }
    this.state = 'ready';
    this.currentCommand = -1;
    this.drainPending();
  }

  private onClientDrain(): void {
    if (this.localWriteBlocked) {
      this.localWriteBlocked = false;
      this.drainPending();
    }
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
      // Next sequence id after whatever the client saw or sent last (a LOCAL INFILE upload moves it on).
      const last = Math.max(this.responseBytes === 0 ? 0 : this.lastResponseSeq, this.lastInfileSeq);
      this.sendError('BACKEND_LOST', [name], (last + 1) & 0xff);
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
    void relayChangeUser(this, server, packet, this.ctx.settings.authTimeoutMs, this.capabilities).then(
      (r) => {
        if (this.state === 'closed') return;
        if (!r.ok) {
          this.close(null);
          return;
        }
        this.user = r.user;
        this.identity = parseUsername(r.user, this.ctx.usernameSeparators());
        this.database = r.database;
        this.status = r.status;
        this.guard(() => this.enterCommandPhase(server));
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

  /** Why the client's close matters, if it does: a half-sent request or a response cut short. */
  private closeReason(): string | null {
    if (this.state === 'ready' && !this.requestScanner.atBoundary) return 'client closed the connection in the middle of a request packet';
    if (this.state === 'busy' || this.state === 'infile') return `client closed the connection during ${commandName(this.currentCommand)}`;
    return null;
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
