// One client connection: connection phase (login), then the command phase, where each request is routed to a server
// session of this client's pool, the state that server is missing is replayed first, and the response is tunnelled
// back as raw bytes (ARCHITECTURE.md "The data path", spec §5.6, §6).
//
// Invariants:
//  - one request in flight: while a response, a LOCAL INFILE upload or a server session's preparation (connect, saved
//    login, state replay) is in progress, later client bytes are queued and the client socket is paused beyond one
//    queued chunk (backpressure, STYLE.md habit 5);
//  - response bytes go to the client as they arrive; when the client's socket buffer is full the server socket is
//    paused until 'drain' — the proxy never buffers a result set (a COM_STMT_PREPARE answer, whose statement id is
//    rewritten, is the one small exception);
//  - the per-packet path is synchronous; promises only in the connection phase and while preparing a server session;
//  - a statement never runs on a server session whose state is behind the client's (SessionState versions), and an
//    open transaction never spans two servers.
//
// This file owns the session's state, the client byte intake (queue, pause, resume) and the request lifecycle (sent,
// finished, failed). The parts with a narrow host interface live beside it: auth/session-auth.ts (connection phase,
// COM_CHANGE_USER), dispatch.ts and local-answers.ts (a request before routing), tunnel.ts (response and LOCAL INFILE
// bytes), response-deadline.ts (the response timer), server-loss.ts (a server session closed or timed out).

import type { Socket } from 'node:net';
import { OdpError, isOdpError, type ErrorCode } from '../errors/catalogue.js';
import { Capability, Command, commandName } from '../protocol/constants.js';
import { writeErr } from '../protocol/err.js';
import { PacketScanner, type PacketHandler } from '../protocol/framer.js';
import { writeOk } from '../protocol/ok.js';
import type { QueuedPacket } from '../protocol/packet-queue.js';
import { ResponseTracker, ServerStatusBits, type ResponseMode } from '../protocol/response.js';
import { PacketWriter } from '../protocol/writer.js';
import type { RouteParse } from '../route/sql/index.js';
import type { ServerConnection } from '../backend/server-connection.js';
import type { SavedCredentials } from '../backend/saved-login.js';
import { SessionAuth } from './auth/session-auth.js';
import type { PeerSession, SessionContext } from './context.js';
import type { StatementEffects } from './effects.js';
import { learnFailedStatement, learnServerError, learnState } from './learn.js';
import { closeSessionsOfUser } from './kill.js';
import { dispatchRequest } from './dispatch.js';
import type { ParsedUsername } from '../protocol/username.js';
import { PreparedStatements } from './prepared.js';
import { ServerSessionPool, type ServerSession } from './server-session.js';
import { SessionState } from './state.js';
import { ServerPreparer, ReplyError } from './preparer.js';
import type { RouteDecision } from './transact.js';
import { SessionObserver } from './observer.js';
import { RouteDiagnosis } from '../observe/route-diagnosis.js';
import { diagResponse, finishStatement } from './route-diagnose.js';
import { logConnectionDiagnosis } from './connection-diagnose.js';
import { ResponseDeadline } from './response-deadline.js';
import { serverClosed, serverTimedOut } from './server-loss.js';
import { Tunnel } from './tunnel.js';

export type ClientState = 'handshake' | 'auth' | 'ready' | 'busy' | 'infile' | 'closed';

/** Queued client bytes beyond which the client socket is paused while a request is in flight. */
const PENDING_PAUSE_BYTES = 64 * 1024;
/** Largest request the proxy reassembles (COM_QUERY with a big BLOB, SEND_LONG_DATA). */
const MAX_REQUEST_BYTES = 1024 * 1024 * 1024;

export class ClientSession implements PacketHandler, PeerSession {
  readonly id: number;
  readonly socket: Socket;
  readonly ctx: SessionContext;
  readonly remote: string;
  readonly connectedAt = Date.now();
  state: ClientState = 'handshake';
  user = '';
  /** Capabilities in effect between client and server (format of responses depends on them). */
  capabilities = 0;
  mariadbCapabilities = 0;
  /** Last server status flags (autocommit, in transaction) for locally built OK packets. */
  status = ServerStatusBits.AUTOCOMMIT as number;
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

  // ---- connection management ----
  readonly pool = new ServerSessionPool();
  /** The client's authoritative session state (spec §6.2). */
  readonly sstate = new SessionState();
  readonly prepared = new PreparedStatements();
  /** Server session of the request in flight, or of the last one. */
  active: ServerSession | null = null;
  /** Saved login for more servers; null: bound to the one server of the login (pass-through). */
  credentials: SavedCredentials | null = null;
  home: string | null = null;
  /** BEGIN / START TRANSACTION held by the proxy until the first real statement picks the server (spec §5.6). */
  heldBegin: string | null = null;
  /** Why this session may not leave its server any more (temporary table, GET_LOCK, ...), or null. */
  pinReason: string | null = null;
  /** The next statement must run where the last one did (SET TRANSACTION, one-shot variables). */
  pinNext = false;
  lastRoute: RouteDecision | null = null;
  /** Text of the statement in flight (SHOW PROCESSLIST), bounded. */
  currentSql: string | null = null;
  /** Route diagnosis of the statement in flight (spec §9), reused; level 0 = not recording. */
  readonly diag = new RouteDiagnosis();

  private readonly requestScanner: PacketScanner;
  readonly tracker = new ResponseTracker();
  /** Response and LOCAL INFILE bytes of the request in flight. */
  readonly tunnel: Tunnel;
  readonly deadline: ResponseDeadline;
  readonly auth: SessionAuth;
  readonly writer = new PacketWriter(256);
  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;
  private clientPaused = false;
  private localWriteBlocked = false;
  /** COM_INIT_DB in flight: the database it selects. */
  pendingDatabase: string | null = null;
  /** Effects on session state of the COM_QUERY in flight (applied when it succeeds). */
  effects: StatementEffects | null = null;
  /** Route parse of the request in flight; null when it has none. */
  currentParse: RouteParse | null = null;
  /** COM_STMT_PREPARE in flight: its text (its response is collected to rewrite the statement id). */
  preparing: { sql: string; parse: RouteParse } | null = null;
  /** `KILL CONNECTION USER name` in flight on a multi-server session: the user whose sessions end when it succeeds. */
  killUser: string | null = null;
  /** The statement in flight runs inside a transaction (a server lost now ends the client session). */
  statementInTxn = false;
  readonly preparer: ServerPreparer;
  readonly observer: SessionObserver;
  /** performance.now() when the request arrived and when it was sent to a server (ms, fractional). */
  arrivedAt = 0;
  private sentAt = 0;
  /** performance.now() after the route parse and after the routing decision (set by the preparer); with the tunnel's
   *  first response byte, SHOW TRACE's phase boundaries (trace.ts). A value older than arrivedAt was not taken. */
  parsedAt = 0;
  routedAt = 0;

  constructor(id: number, socket: Socket, ctx: SessionContext) {
    this.id = id;
    this.socket = socket;
    this.ctx = ctx;
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    this.requestScanner = new PacketScanner(this, { maxCollect: MAX_REQUEST_BYTES });
    this.tunnel = new Tunnel(this, this.tracker);
    this.deadline = new ResponseDeadline(this);
    this.auth = new SessionAuth(this);
    this.preparer = new ServerPreparer(this);
    this.observer = new SessionObserver(ctx, this.remote);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, ctx.settings.clientKeepAliveIdleMs);
    socket.on('data', (chunk: Buffer) => this.guard(() => this.onClientData(chunk)));
    socket.on('drain', () => this.guard(() => this.onClientDrain()));
    // One log line per failed connection: in the connection phase the login's own failure is that line.
    socket.on('error', (err) => this.close(this.state === 'handshake' || this.state === 'auth' ? null : `client socket error: ${err.message}`));
    socket.on('close', () => {
      const why = this.closeReason();
      if (why !== null) logConnectionDiagnosis(this, 'CLIENT_VC_TRACE', 0, why);
      this.close(why);
    });
  }

  // ---- PeerSession --------------------------------------------------------------------------------------------

  get database(): string | null {
    return this.sstate.database;
  }

  get tenant(): string | null {
    return this.identity?.tenant ?? null;
  }

  /** The server connection of the last statement (admin views). */
  get server(): ServerConnection | null {
    return this.active?.conn ?? null;
  }

  processCommand(): string {
    if (this.state === 'handshake' || this.state === 'auth') return 'Connect';
    if (this.state !== 'busy' && this.state !== 'infile') return 'Sleep';
    return this.currentCommand === Command.STMT_EXECUTE ? 'Execute' : this.currentCommand === Command.QUERY ? 'Query' : commandName(this.currentCommand);
  }

  processTime(): number {
    const since = this.state === 'busy' || this.state === 'infile' ? this.commandStartedAt : this.lastActiveAt;
    return Math.max(0, Math.floor((Date.now() - since) / 1000));
  }

  processInfo(): string | null {
    return this.state === 'busy' || this.state === 'infile' ? this.currentSql : null;
  }

  runningOn(): { key: string; threadId: number } | null {
    if ((this.state !== 'busy' && this.state !== 'infile') || this.active === null) return null;
    return { key: this.active.key, threadId: this.active.threadId };
  }

  serverThread(key: string): number | null {
    const ss = this.active?.key === key ? this.active : this.pool.get(key);
    return ss?.threadId ?? null;
  }

  get multiServer(): boolean {
    return this.credentials !== null;
  }

  get inTransaction(): boolean {
    return (this.status & ServerStatusBits.IN_TRANS) !== 0 || this.heldBegin !== null;
  }

  // ---- connection phase ------------------------------------------------------------------------------------------

  /** Connection phase (auth/session-auth.ts). Never throws: every failure ends in an ERR (when possible) and a close. */
  start(): Promise<void> {
    return this.auth.start();
  }

  openScope(): void {
    this.observer.open(this.identity, this.sstate.database, this.socket.localAddress ?? '');
  }

  private observeRequest(ss: ServerSession | null): void {
    this.observer.done(this.tracker, this.currentCommand, this.currentParse, this.currentSql, this.sstate.database, ss, this.arrivedAt, this.sentAt, this.parsedAt, this.routedAt, this.tunnel.firstByteAt);
  }

  /** Runs a socket callback; a bug that throws closes this session only, with the stack in the log. */
  guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.ctx.log.error('PROXY', `internal error in cs_id=${this.id}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      logConnectionDiagnosis(this, 'PROXY_INTERNAL_TRACE', 1815, e instanceof Error ? e.message : String(e));
      this.close('internal error');
    }
  }

  /** Used by the login relay to read the client's connection-phase packets. */
  readAuthPacket(): Promise<QueuedPacket> {
    return this.auth.next();
  }

  write(bytes: Buffer): boolean {
    if (this.state === 'closed') return false;
    return this.socket.write(bytes);
  }

  /**
   * Writes an answer the proxy built itself. When the client's socket buffer is full, later requests wait (queued,
   * client paused) until 'drain'. Returns what onPacket should return (false = stop scanning).
   */
  writeLocal(bytes: Buffer): boolean {
    if (this.write(bytes) || this.state === 'closed') return this.state !== 'closed';
    this.localWriteBlocked = true;
    this.pauseClient();
    return false;
  }

  sendError(code: ErrorCode, args: readonly (string | number)[], seq: number): void {
    this.write(this.errorPacket(code, args, seq));
  }

  errorPacket(code: ErrorCode, args: readonly (string | number)[], seq: number): Buffer {
    const e = new OdpError(code, args);
    writeErr(this.writer, e.errno, e.sqlState, e.clientMessage, seq);
    return this.writer.take();
  }

  okPacket(status: number): Buffer {
    writeOk(this.writer, { status }, 1, this.capabilities);
    return this.writer.take();
  }

  /** Back to the command phase after the connection phase or a COM_CHANGE_USER relay. */
  enterReady(): void {
    this.state = 'ready';
    // Bytes that arrived behind the last auth packet (possibly a partial request) are newer than anything already
    // pending (requests pipelined behind COM_CHANGE_USER): they go last.
    const rest = this.auth.endExchange();
    if (rest !== null) {
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
    this.drainPending();
  }

  /** Puts a logged-in server session into the pool with this session's handlers. */
  adopt(ss: ServerSession): void {
    this.pool.add(ss);
    this.attach(ss);
  }

  attach(ss: ServerSession): void {
    ss.conn.attach(
      (chunk) => this.guard(() => this.onServerData(ss, chunk)),
      (err) => this.guard(() => serverClosed(this, ss, err, false)),
      () => this.guard(() => this.onServerDrain()),
    );
  }

  // ---- client -> proxy -------------------------------------------------------------------------------------

  private onClientData(chunk: Buffer): void {
    this.bytesFromClient += chunk.length;
    this.lastActiveAt = Date.now();
    switch (this.state) {
      case 'handshake':
      case 'auth':
        this.auth.push(chunk);
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
    if (this.pendingBytes > PENDING_PAUSE_BYTES) this.pauseClient();
  }

  private pauseClient(): void {
    if (this.clientPaused) return;
    this.clientPaused = true;
    this.socket.pause();
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
  drainPending(): void {
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
    return dispatchRequest(this, buf, start, end, seq, framed);
  }

  /** Called by the preparer once the request's bytes are on their way to `ss`. */
  onRequestSent(ss: ServerSession, mode: ResponseMode, inTxn: boolean, cursor: boolean): void {
    this.active = ss;
    this.sentAt = performance.now();
    this.currentCommand = this.preparerCommand;
    this.commandStartedAt = Date.now();
    this.statementInTxn = inTxn;
    const deprecateEof = (this.capabilities & Capability.DEPRECATE_EOF) !== 0;
    this.tunnel.begin(mode, deprecateEof, cursor, this.status, this.currentCommand === Command.STMT_PREPARE);
    this.state = 'busy';
    this.deadline.start(ss, this.sentAt);
  }

  /** The response deadline passed (response-deadline.ts): that server connection is dropped (server-loss.ts). */
  onResponseTimeout(ss: ServerSession, limit: number): void {
    serverTimedOut(this, ss, limit);
  }

  /** Command byte of the request the preparer is sending (set by the preparer). */
  preparerCommand = -1;

  /** Pauses reading requests while a server's socket buffer is full. */
  serverWriteBlocked(): void {
    this.pauseClient();
  }

  /** A request could not be sent: answer it with `packet` and go on with the next one. */
  failRequest(packet: Buffer | null, fatal: string | null): void {
    if (this.state === 'closed') return;
    if (this.diag.level !== 0) finishStatement(this.diag, this.ctx);
    if (packet !== null) this.write(packet);
    if (fatal !== null) {
      this.close(fatal);
      return;
    }
    this.state = 'ready';
    this.currentCommand = -1;
    this.drainPending();
  }

  // ---- LOAD DATA LOCAL INFILE: the client streams the file to the server ------------------------------------

  private forwardInfile(chunk: Buffer): void {
    const server = this.active?.conn ?? null;
    if (server === null) return;
    const stop = this.tunnel.scanInfile(chunk);
    const part = stop < chunk.length ? chunk.subarray(0, stop) : chunk;
    if (!server.write(part)) this.pauseClient();
    if (!this.tunnel.infileDone) return;
    this.tunnel.endInfile();
    this.state = 'busy';
    if (stop < chunk.length) {
      this.pending.unshift(chunk.subarray(stop));
      this.pendingBytes += chunk.length - stop;
    }
  }

  // ---- server -> client (tunnel) -----------------------------------------------------------------------------

  private onServerData(ss: ServerSession, chunk: Buffer): void {
    if (ss !== this.active || this.state !== 'busy') {
      // Unsolicited (an ERR before the server drops an idle connection). For the session's current server it is
      // relayed as a direct connection would show it; an idle pooled server session's is only logged.
      this.ctx.log.warn('PROXY', `unsolicited ${chunk.length} bytes from server ${ss.key} while ${this.state}, cs_id=${this.id}${ss === this.active ? '; relayed' : ''}`);
      if (ss === this.active && !this.multiServer) this.write(chunk);
      return;
    }
    let stop: number;
    try {
      stop = this.tunnel.scanResponse(chunk);
    } catch (e) {
      this.ctx.log.error('PROXY', `bad response from ${ss.key}: ${(e as Error).message}`);
      this.close('server protocol error');
      return;
    }
    this.tunnel.relay(stop < chunk.length ? chunk.subarray(0, stop) : chunk, ss);
    if (this.tracker.done) {
      if (stop < chunk.length) {
        this.ctx.log.warn('PROXY', `server ${ss.key} sent ${chunk.length - stop} bytes past the end of a response; dropped`);
      }
      this.finishRequest(ss);
    } else if (this.tracker.infileRequested) {
      this.state = 'infile';
      this.tunnel.startInfile();
      this.drainPending();
    }
  }

  private finishRequest(ss: ServerSession): void {
    this.deadline.clear();
    const t = this.tracker;
    if ((this.status & ServerStatusBits.IN_TRANS) !== 0 && (t.status & ServerStatusBits.IN_TRANS) === 0) this.transCount++;
    this.status = t.status;
    this.lastActiveAt = Date.now();
    ss.lastUsedAt = this.lastActiveAt;
    const cmd = this.currentCommand;
    if (t.errno === -1) {
      if (this.diag.level !== 0) this.diagDone();
      this.close('malformed response from server');
      return;
    }
    if (cmd === Command.STMT_PREPARE) this.finishPrepare(ss);
    this.observeRequest(ss);
    const readBack = t.errno === 0 ? learnState(this, ss, cmd, this.effects, this.currentParse, this.pendingDatabase) : null;
    if (t.errno !== 0) {
      learnFailedStatement(this, ss, this.effects);
      learnServerError(this, t.errno, this.currentParse);
    } else if (this.killUser !== null) {
      closeSessionsOfUser(this, this.killUser);
    }
    this.killUser = null;
    if (this.diag.level !== 0) this.diagDone();
    this.pendingDatabase = null;
    this.effects = null;
    if (readBack !== null) {
      this.preparer.readBack(ss, readBack);
      return;
    }
    this.enterReadyAfterRequest();
  }

  /** HANDLE_RESPONSE of the response just finished, then the diagnosis log line if it is due (spec §9). */
  private diagDone(): void {
    diagResponse(this.diag, this.tracker);
    finishStatement(this.diag, this.ctx);
  }

  enterReadyAfterRequest(): void {
    if (this.state === 'closed') return;
    this.state = 'ready';
    this.currentCommand = -1;
    if (this.ctx.draining && this.pendingBytes === 0 && !this.inTransaction) {
      // Draining: close at the first idle moment, not at the drain loop's next look (a busy client may never be idle
      // then). Pipelined requests still run; the loop catches the session after them.
      this.close('proxy is shutting down');
      return;
    }
    this.drainPending();
  }

  /** The prepare answer was collected whole: register the statement and hand the client the proxy's id. */
  private finishPrepare(ss: ServerSession): void {
    const bytes = this.tunnel.takeCollected();
    const info = this.tracker.prepare;
    const p = this.preparing;
    this.preparing = null;
    if (this.tracker.errno === 0 && info !== null && p !== null && bytes.length >= 9 && bytes[4] === 0x00) {
      const ps = this.prepared.add(p.sql, info.numParams, info.numColumns, p.parse);
      ss.statements.set(ps.id, info.statementId);
      ps.lastServer = null;
      // The statement id sits right after the OK byte of the first packet. `bytes` is ours: rewrite in place.
      bytes.writeUInt32LE(ps.id, 5);
    }
    this.tunnel.toClient(bytes, ss);
  }

  private onClientDrain(): void {
    if (this.localWriteBlocked) {
      this.localWriteBlocked = false;
      this.drainPending();
    }
    this.tunnel.onClientDrain(this.active);
  }

  private onServerDrain(): void {
    if (this.clientPaused && this.pendingBytes <= PENDING_PAUSE_BYTES && this.state !== 'closed' && !this.localWriteBlocked) {
      this.clientPaused = false;
      this.socket.resume();
    }
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

  /** Closes the client and all its server sessions. Idempotent. */
  close(reason: string | null): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.deadline.dispose();
    if (reason !== null) this.ctx.log.info('PROXY', `closing cs_id=${this.id} client=${this.remote}: ${reason}`);
    this.auth.abort();
    this.pool.closeAllBut(null);
    this.active?.conn.quit();
    this.socket.end();
    this.socket.destroySoon();
    this.observer.close();
    this.ctx.onSessionClosed(this.id);
  }
}

export { ReplyError };
