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

import type { Socket } from 'node:net';
import { OdpError, isOdpError, type ErrorCode } from '../errors/catalogue.js';
import { Capability, Command, commandName } from '../protocol/constants.js';
import { writeErr } from '../protocol/err.js';
import { PacketScanner, type PacketHandler } from '../protocol/framer.js';
import { writeOk } from '../protocol/ok.js';
import { PacketQueue } from '../protocol/packet-queue.js';
import { ResponseTracker, ServerStatusBits } from '../protocol/response.js';
import { PacketWriter } from '../protocol/writer.js';
import type { RouteParse } from '../route/sql/index.js';
import type { ServerConnection } from '../backend/server-connection.js';
import type { SavedCredentials } from '../backend/saved-login.js';
import { commandAction } from './commands.js';
import { login, relayChangeUser } from './auth/login.js';
import { proxyScrambleChangeUser } from './auth/change-user.js';
import type { LoginOutcome } from './auth/types.js';
import type { PeerSession, SessionContext } from './context.js';
import { statementEffects, type StatementEffects } from './effects.js';
import { learnFailedStatement, learnServerError, learnState } from './learn.js';
import { answerProxysysOther, queryMayBeAdmin, runAdmin, writeAdminResult } from './local-query.js';
import { answerKill, answerProcesslist, closeSessionsOfUser, isProcesslist, killConnectionUser, killTarget } from './kill.js';
import { parseUsername, type ParsedUsername } from '../protocol/username.js';
import { PreparedStatements, type PreparedStatement } from './prepared.js';
import { ServerSession, ServerSessionPool } from './server-session.js';
import { SessionState, markApplied } from './state.js';
import { ServerPreparer, ReplyError, type Request } from './preparer.js';
import { holdableBegin, type RouteDecision } from './transact.js';
import { SessionObserver } from './observer.js';
import { RouteDiagnosis } from '../observe/route-diagnosis.js';
import { beginStatement, diagnosable, diagResponse, diagResponseState, finishStatement } from './route-diagnose.js';
import { explainRoute } from './explain-route.js';
import { logConnectionDiagnosis } from './connection-diagnose.js';

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
  /** The proxy's greeting scramble (proxy-scramble logins): COM_CHANGE_USER tokens are computed against it. */
  private scramble: Buffer | null = null;
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
  private readonly responseScanner: PacketScanner;
  readonly tracker = new ResponseTracker();
  private readonly infileScanner: PacketScanner;
  readonly writer = new PacketWriter(256);
  private authQueue: PacketQueue | null = new PacketQueue();
  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;
  private clientPaused = false;
  private localWriteBlocked = false;
  private serverPausedForClient = false;
  private responseBytes = 0;
  private lastResponseSeq = 0;
  private pendingDatabase: string | null = null;
  /** Effects on session state of the COM_QUERY in flight (applied when it succeeds). */
  private effects: StatementEffects | null = null;
  private currentParse: RouteParse | null = null;
  /** COM_STMT_PREPARE in flight: its text, and the response collected to rewrite the statement id. */
  private preparing: { sql: string; parse: RouteParse } | null = null;
  private collected: Buffer[] | null = null;
  /** The statement in flight runs inside a transaction (a server lost now ends the client session). */
  private statementInTxn = false;
  private readonly preparer: ServerPreparer;
  private readonly observer: SessionObserver;
  /** performance.now() when the request arrived and when it was sent to a server (ms, fractional). */
  private arrivedAt = 0;
  private sentAt = 0;
  /** performance.now() after the route parse, after the routing decision (set by the preparer), at the first
   *  response byte: SHOW TRACE's phase boundaries (trace.ts). A value older than arrivedAt was not taken this time. */
  private parsedAt = 0;
  routedAt = 0;
  private firstByteAt = 0;

  constructor(id: number, socket: Socket, ctx: SessionContext) {
    this.id = id;
    this.socket = socket;
    this.ctx = ctx;
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    this.requestScanner = new PacketScanner(this, { maxCollect: MAX_REQUEST_BYTES });
    this.responseScanner = new PacketScanner(this.responseHandler(), { maxCollect: 64 * 1024 * 1024 });
    this.infileScanner = new PacketScanner(this.infileHandler());
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

  /**
   * DEALLOCATE PREPARE goes to a server session that has the statement (the current one first): re-preparing it
   * elsewhere just to drop it could fail (its table may be gone), and a server without it answers 1243.
   */
  private holderOfTextPs(name: string): ServerSession | null {
    const n = name.toLowerCase();
    // Not prepared as far as the client's statements go (never, deallocated, or its PREPARE failed): the current
    // server answers, as the one connection would (other servers may hold stale copies).
    if (!this.sstate.textPs.has(n)) return this.active;
    if (this.active !== null && this.active.applied.textPs.has(n)) return this.active;
    for (const ss of this.pool.values()) if (ss.applied.textPs.has(n)) return ss;
    return null;
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
      logConnectionDiagnosis(this, 'LOGIN_TRACE', 0, outcome.reason, outcome.user);
      this.close(null);
      return;
    }
    this.user = outcome.user;
    this.identity = outcome.identity;
    this.local = outcome.server === null;
    this.sstate.setDatabase(outcome.database);
    this.capabilities = outcome.capabilities;
    this.mariadbCapabilities = outcome.mariadbCapabilities;
    this.status = outcome.status;
    this.credentials = outcome.credentials;
    this.scramble = outcome.scramble;
    this.openScope();
    this.guard(() => this.enterCommandPhase(outcome.server));
  }

  private openScope(): void {
    this.observer.open(this.identity, this.sstate.database, this.socket.localAddress ?? '');
  }

  private observeRequest(ss: ServerSession | null): void {
    this.observer.done(this.tracker, this.currentCommand, this.currentParse, this.currentSql, this.sstate.database, ss, this.arrivedAt, this.sentAt, this.parsedAt, this.routedAt, this.firstByteAt);
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

  private failConnectionPhase(e: unknown): void {
    const err = isOdpError(e) ? e : new OdpError('INTERNAL', [], e instanceof Error ? e.message : String(e));
    // A connect-and-close without a byte (port probes, load-balancer health checks) is not worth a warning.
    const probe = err.code === 'NET_READ_ERROR' && this.bytesFromClient === 0;
    this.ctx.log[probe ? 'debug' : 'warn']('PROXY', `connection phase failed cs_id=${this.id} client=${this.remote}: ${err.message}`);
    if (this.state !== 'closed') {
      // During the handshake the server side of the protocol may answer with an ERR in place of any packet.
      writeErr(this.writer, err.errno, err.sqlState, err.clientMessage, this.state === 'handshake' ? 0 : 2);
      this.write(this.writer.take());
    }
    this.close(null);
  }

  private enterCommandPhase(server: ServerConnection | null): void {
    if (server !== null) {
      const ss = new ServerSession(server, this.sstate.database, (this.capabilities & Capability.DEPRECATE_EOF) !== 0);
      markApplied(ss.applied, this.sstate);
      this.adopt(ss);
      this.active = ss;
      this.home = ss.key;
    }
    this.enterReady();
  }

  /** Back to the command phase after the connection phase or a COM_CHANGE_USER relay. */
  private enterReady(): void {
    this.state = 'ready';
    // Bytes that arrived behind the last auth packet (possibly a partial request) are newer than anything already
    // pending (requests pipelined behind COM_CHANGE_USER): they go last.
    const rest = this.authQueue?.drainRemainder() ?? null;
    this.authQueue = null;
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
      (err) => this.guard(() => this.onServerClosed(ss, err)),
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
    this.arrivedAt = performance.now();
    if (cmd === Command.QUERY && (this.local || queryMayBeAdmin(buf, start + 1, end))) {
      const answer = this.answerQueryLocally(buf.toString('utf8', start + 1, end));
      if (answer !== null) return this.writeLocal(answer);
    }
    if (this.local && (action.kind === 'forward' || action.kind === 'forward_no_reply' || action.kind === 'change_user')) {
      const answer = this.answerLocalCommand(cmd, action.kind === 'forward_no_reply');
      return answer === null ? true : this.writeLocal(answer);
    }
    const req: Request = { buf, start, end, framed, cmd };
    switch (action.kind) {
      case 'forward':
        return this.onForwardCommand(req, action.mode);
      case 'forward_no_reply':
        return this.preparer.noReplyCommand(req);
      case 'ping':
        return this.writeLocal(this.okPacket(this.status));
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

  /** A command with a response: local answers first (KILL, SHOW PROCESSLIST, held transaction control), then routing. */
  private onForwardCommand(req: Request, mode: Parameters<ResponseTracker['begin']>[0]): boolean {
    const { buf, start, end, cmd } = req;
    let parse: RouteParse | null = null;
    let ps: PreparedStatement | null = null;
    this.effects = null;
    this.killUser = null;
    this.currentSql = null;
    this.preparing = null;
    if (cmd === Command.QUERY || cmd === Command.STMT_PREPARE) {
      const limit = this.ctx.settings.parseBytes;
      const cut = end - start - 1 > limit;
      const sql = buf.toString('utf8', start + 1, cut ? start + 1 + limit : end);
      parse = this.ctx.routeCache.get(sql, cut);
      this.currentSql = sql;
      if (cmd === Command.STMT_PREPARE) {
        this.preparing = { sql: cut ? buf.toString('utf8', start + 1, end) : sql, parse };
      } else {
        const local = this.answerStatementLocally(parse, req);
        if (local !== undefined) return local;
        this.effects = statementEffects(parse, parse.kind === 'PREPARE' ? buf.toString('utf8', start + 1, end) : sql);
      }
    } else if (cmd === Command.PROCESS_KILL) {
      const answer = answerKill(this, end - start >= 5 ? String(buf.readUInt32LE(start + 1)) : '', false);
      if (answer !== 'forward') return this.writeLocal(answer);
      return this.preparer.route(req, mode, null, null, this.active!.key); // not a proxy id: that server decides
    } else if (cmd === Command.INIT_DB) {
      this.pendingDatabase = buf.toString('utf8', start + 1, end);
    } else if (cmd === Command.STMT_EXECUTE || cmd === Command.STMT_FETCH || cmd === Command.STMT_RESET || cmd === Command.STMT_BULK_EXECUTE) {
      ps = end - start >= 5 ? this.prepared.get(buf.readUInt32LE(start + 1)) ?? null : null;
      if (ps === null) {
        const id = end - start >= 5 ? String(buf.readUInt32LE(start + 1)) : '?';
        return this.writeLocal(this.errorPacket('UNKNOWN_STMT_HANDLER', [id, stmtCommandName(cmd)], 1));
      }
      if (cmd === Command.STMT_RESET && ps.lastServer === null && ps.longDataServer === null) {
        return this.writeLocal(this.okPacket(this.status)); // nothing bound or open anywhere: nothing to reset
      }
      parse = ps.parse;
      // --ps-protocol clients run KILL ... USER as a prepared statement too.
      if (cmd === Command.STMT_EXECUTE && parse.kind === 'KILL' && parse.killId === null && this.multiServer) this.killUser = killConnectionUser(ps.sql);
    }
    this.currentParse = parse;
    this.parsedAt = performance.now();
    let forced: ServerSession | null = null;
    if (ps !== null) {
      // A cursor lives where the statement ran; long data waits where it was sent.
      forced = cmd === Command.STMT_FETCH ? ps.lastServer : cmd === Command.STMT_RESET ? ps.longDataServer ?? ps.lastServer : ps.longDataServer;
    } else if (parse !== null && parse.kind === 'DEALLOCATE' && parse.textPs !== null && this.multiServer && !this.inTransaction) {
      forced = this.holderOfTextPs(parse.textPs.name);
    }
    // A statement's diagnosis line is written after a partition miss, or always at level 4 (finishStatement). Only
    // oceanbase mode routes by partition and gets hit feedback: below level 4 a mysql-mode recording could never be
    // written, so none is made (EXPLAIN ROUTE records on its own).
    let level = this.ctx.monitor?.diagnosisLevel ?? 0;
    if (level < 4 && !this.ctx.obMode()) level = 0;
    if (level === 0 || !diagnosable(cmd)) this.diag.level = 0;
    else beginStatement(this.diag, level, false, cmd, this.currentSql ?? ps?.sql ?? '', parse, this.inTransaction);
    return this.preparer.route(req, mode, parse, ps, forced?.key ?? null);
  }

  /** Statements the proxy answers itself on a normal session; undefined when the statement goes to a server. */
  private answerStatementLocally(parse: RouteParse, req: Request): boolean | undefined {
    switch (parse.kind) {
      case 'KILL':
      case 'KILL_QUERY': {
        if (parse.killId === null || !/^\d+$/.test(parse.killId)) {
          this.killUser = this.multiServer ? killConnectionUser(this.currentSql ?? '') : null;
          return undefined;
        }
        const forward = (): boolean => this.preparer.route(req, 'result', parse, null, this.active!.key); // not a proxy id
        if (parse.kind === 'KILL') {
          const answer = answerKill(this, parse.killId, false);
          return answer === 'forward' ? forward() : this.writeLocal(answer);
        }
        const t = killTarget(this, parse.killId);
        if (t.kind === 'forward') return forward();
        if (t.kind === 'answer') return this.writeLocal(t.packet);
        // KILL QUERY <server thread id> on that server, through this client's own server session there.
        const sql = `KILL QUERY ${t.threadId}`;
        const payload = Buffer.concat([Buffer.from([Command.QUERY]), Buffer.from(sql)]);
        this.currentParse = null;
        return this.preparer.route({ buf: payload, start: 0, end: payload.length, framed: false, cmd: Command.QUERY }, 'result', null, null, t.key);
      }
      case 'SHOW':
        if (parse.objectType === 'trace') return this.writeLocal(this.answerShowTrace(req));
        return isProcesslist(parse) ? this.writeLocal(answerProcesslist(this, parse)) : undefined;
      case 'INTERNAL_CMD':
        return isProcesslist(parse) ? this.writeLocal(answerProcesslist(this, parse)) : undefined;
      case 'EXPLAIN_ROUTE':
        return explainRoute(this, this.preparer, parse, this.currentSql ?? '');
      case 'BEGIN':
      case 'START_TRANS':
        // Held (spec §5.6): the first statement of the transaction decides the server. Only when that choice exists.
        if (!this.multiServer || this.inTransaction || parse.multiStatement) return undefined;
        {
          const sql = req.buf.toString('utf8', req.start + 1, req.end);
          if (!holdableBegin(sql)) return undefined; // sent now; the server's IN_TRANS then keeps the session there
          this.heldBegin = sql;
        }
        return this.writeLocal(this.okPacket(this.status | ServerStatusBits.IN_TRANS));
      case 'COMMIT':
      case 'ROLLBACK':
        if (this.heldBegin === null || parse.multiStatement) return undefined;
        this.heldBegin = null; // nothing ran: there is nothing to commit or roll back
        return this.writeLocal(this.okPacket(this.status & ~ServerStatusBits.IN_TRANS));
      default:
        return undefined;
    }
  }

  /** SHOW TRACE: answered from this session's own request timings, never forwarded (trace.ts). */
  private answerShowTrace(req: Request): Buffer {
    const status = this.heldBegin !== null ? this.status | ServerStatusBits.IN_TRANS : this.status;
    const r = this.observer.showTrace(req.buf.toString('utf8', req.start + 1, req.end));
    writeAdminResult(this.writer, r, { capabilities: this.capabilities, mariadbCapabilities: this.mariadbCapabilities, status });
    return this.writer.take();
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
    if (cmd === Command.INIT_DB) return this.okPacket(this.status);
    return this.errorPacket('NOT_SUPPORTED', [`${commandName(cmd)} on a proxysys session`], 1);
  }

  /** Called by the preparer once the request's bytes are on their way to `ss`. */
  onRequestSent(ss: ServerSession, mode: Parameters<ResponseTracker['begin']>[0], inTxn: boolean, cursor: boolean): void {
    this.active = ss;
    this.sentAt = performance.now();
    this.currentCommand = this.preparerCommand;
    this.commandStartedAt = Date.now();
    this.responseBytes = 0;
    this.statementInTxn = inTxn;
    this.collected = this.currentCommand === Command.STMT_PREPARE ? [] : null;
    this.tracker.begin(mode, (this.capabilities & Capability.DEPRECATE_EOF) !== 0, cursor);
    this.tracker.status = this.status;
    this.lastInfileSeq = -1;
    this.state = 'busy';
    const limit = this.responseTimeoutMs();
    if (limit > 0) this.armResponseTimer(ss, limit);
  }

  /**
   * The response deadline of the request just sent. The timer is lazy: one armed by an earlier request stays when it
   * fires no later than this deadline; on firing it re-arms for what is left of the request then running. A request
   * therefore costs no timer create/clear, only a timer per `limit` ms of busy time.
   */
  private armResponseTimer(ss: ServerSession, limit: number): void {
    this.responseServer = ss;
    this.responseLimit = limit;
    this.responseDeadline = this.sentAt + limit;
    if (this.responseTimer !== null) {
      if (this.timerDueAt <= this.responseDeadline) return;
      clearTimeout(this.responseTimer);
    }
    this.startResponseTimer(limit);
  }

  private startResponseTimer(ms: number): void {
    this.timerDueAt = performance.now() + ms;
    this.responseTimer = setTimeout(() => this.guard(() => this.onResponseTimer()), ms);
  }

  private onResponseTimer(): void {
    this.responseTimer = null;
    const ss = this.responseServer;
    if (this.responseDeadline === 0 || ss === null) return; // no request waiting: the next one arms a timer
    const left = this.responseDeadline - performance.now();
    if (left > 0) this.startResponseTimer(left);
    else this.onResponseTimeout(ss, this.responseLimit);
  }

  /**
   * How long the proxy waits for a server's response (spec §6.1): the session's statement timeout (ob_query_timeout
   * in µs; MariaDB max_statement_time in s; MySQL max_execution_time in ms; OceanBase's default 10 s in oceanbase
   * mode) plus observer_query_timeout_delta. 0: no timeout (mysql mode without a statement timeout). Cached per state
   * version: no map lookups per request.
   */
  private responseTimeoutMs(): number {
    const st = this.sstate;
    if (st.version === this.timeoutVersion) return this.timeoutMs;
    const num = (name: string, scale: number): number => {
      const v = Number.parseFloat((st.sysVars.get(name) ?? '').replace(/'/g, ''));
      return Number.isFinite(v) && v > 0 ? v * scale : 0;
    };
    let base = num('ob_query_timeout', 1 / 1000) || num('max_statement_time', 1000) || num('max_execution_time', 1);
    if (base === 0 && this.ctx.obMode()) base = 10_000;
    this.timeoutVersion = st.version;
    this.timeoutMs = base > 0 ? Math.ceil(base + this.ctx.settings.queryTimeoutDeltaMs) : 0;
    return this.timeoutMs;
  }

  private timeoutVersion = -1;
  private timeoutMs = 0;
  private responseTimer: NodeJS.Timeout | null = null;
  /** performance.now() ms when responseTimer fires. */
  private timerDueAt = 0;
  /** performance.now() ms by which the request in flight must be answered; 0 = none waiting. */
  private responseDeadline = 0;
  private responseLimit = 0;
  private responseServer: ServerSession | null = null;
  /** The server session dropped because it did not answer in time (its close is reported as a timeout). */
  private timedOut: ServerSession | null = null;

  /** The request in flight was answered (or failed): nothing waits. The lazy timer stays armed (armResponseTimer). */
  private clearResponseTimer(): void {
    this.responseDeadline = 0;
    this.responseServer = null;
  }

  /** No (complete) response in time: the server connection is dropped; onServerClosed answers the client. */
  private onResponseTimeout(ss: ServerSession, limit: number): void {
    this.responseDeadline = 0;
    this.responseServer = null;
    if (ss !== this.active || (this.state !== 'busy' && this.state !== 'infile')) return;
    this.ctx.log.warn('PROXY', `cs_id=${this.id}: server ${ss.key} did not answer ${commandName(this.currentCommand)} within ${limit} ms (statement timeout + observer_query_timeout_delta); dropping that server connection`);
    this.timedOut = ss;
    this.ctx.reportServerDown(ss.key, `no answer within ${limit} ms`);
    // destroy() is a deliberate close and does not call the close handler: answer the client here, exactly once.
    ss.conn.detach();
    ss.conn.destroy();
    this.onServerClosed(ss, new Error(`no answer within ${limit} ms`));
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
    const server = this.active?.conn ?? null;
    if (server === null) return;
    const stop = this.infileScanner.scan(chunk);
    const part = stop < chunk.length ? chunk.subarray(0, stop) : chunk;
    if (!server.write(part)) this.pauseClient();
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
      stop = this.responseScanner.scan(chunk);
    } catch (e) {
      this.ctx.log.error('PROXY', `bad response from ${ss.key}: ${(e as Error).message}`);
      this.close('server protocol error');
      return;
    }
    const out = stop < chunk.length ? chunk.subarray(0, stop) : chunk;
    if (this.responseBytes === 0) this.firstByteAt = performance.now();
    this.responseBytes += out.length;
    if (this.collected !== null) this.collected.push(out);
    else this.toClient(out, ss);
    if (this.tracker.done) {
      if (stop < chunk.length) {
        this.ctx.log.warn('PROXY', `server ${ss.key} sent ${chunk.length - stop} bytes past the end of a response; dropped`);
      }
      this.finishRequest(ss);
    } else if (this.tracker.infileRequested) {
      this.state = 'infile';
      this.infileScanner.reset();
      this.drainPending();
    }
  }

  private toClient(out: Buffer, ss: ServerSession): void {
    this.bytesToClient += out.length;
    if (!this.socket.write(out)) {
      this.serverPausedForClient = true;
      ss.conn.pause();
    }
  }

  /** `KILL CONNECTION USER name` in flight on a multi-server session: the user whose sessions end when it succeeds. */
  private killUser: string | null = null;

  private finishRequest(ss: ServerSession): void {
    this.clearResponseTimer();
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
    const parts = this.collected ?? [];
    this.collected = null;
    const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
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
    this.toClient(bytes, ss);
  }

  private onClientDrain(): void {
    if (this.localWriteBlocked) {
      this.localWriteBlocked = false;
      this.drainPending();
    }
    if (this.serverPausedForClient) {
      this.serverPausedForClient = false;
      this.active?.conn.resume();
    }
  }

  private onServerDrain(): void {
    if (this.clientPaused && this.pendingBytes <= PENDING_PAUSE_BYTES && this.state !== 'closed' && !this.localWriteBlocked) {
      this.clientPaused = false;
      this.socket.resume();
    }
  }

  /**
   * A server session closed. The one running a statement: the client gets an ERR (if a packet boundary allows); the
   * client session survives when it can move to another server (no transaction, no pin), else it is closed — a
   * session's transaction or pinned state never moves silently. An idle pooled one just leaves the pool, unless the
   * session's transaction or pinned state lived there.
   */
  private onServerClosed(ss: ServerSession, err: Error | null): void {
    if (this.state === 'closed') return;
    this.pool.remove(ss);
    const running = ss === this.active && (this.state === 'busy' || this.state === 'infile');
    const stateLost = ss === this.active && (this.inTransaction || this.pinReason !== null || this.statementInTxn);
    const survivable = this.multiServer && !stateLost;
    this.ctx.log.warn('PROXY', `server ${ss.key} closed the connection of cs_id=${this.id} while ${this.state}${err ? `: ${err.message}` : ''}${survivable ? '; the session continues on another server' : ''}`);
    if (running || (!survivable && ss === this.active)) {
      const timeout = this.timedOut === ss;
      logConnectionDiagnosis(this, timeout ? 'TIMEOUT_TRACE' : 'SERVER_VC_TRACE', timeout ? 1159 : 2013, err?.message ?? `server ${ss.key} closed the connection`);
    }
    if (ss === this.active) this.active = null;
    if (running) this.clearResponseTimer();
    const lost: ErrorCode = this.timedOut === ss ? 'BACKEND_TIMEOUT' : 'BACKEND_LOST';
    if (running && this.diag.level !== 0) {
      diagResponseState(this.diag, 'SERVER_SEND_REQUEST', lost === 'BACKEND_TIMEOUT' ? 'ACTIVE_TIMEOUT' : err !== null ? 'CONNECTION_ERROR' : 'CONNECTION_CLOSED', 0);
      finishStatement(this.diag, this.ctx);
    }
    if (this.timedOut === ss) this.timedOut = null;
    // A client still uploading a LOCAL INFILE keeps numbering its packets: no ERR can carry a sequence id it will
    // accept, so it gets a closed connection (as from a server that dies mid-upload).
    const midUpload = running && this.state === 'infile' && !this.infileDone;
    if (running && !midUpload && this.responseScanner.atBoundary && this.collected === null) {
      // Next sequence id after whatever the client saw or sent last (a LOCAL INFILE upload moves it on).
      const last = Math.max(this.responseBytes === 0 ? 0 : this.lastResponseSeq, this.lastInfileSeq);
      this.sendError(lost, [ss.key], (last + 1) & 0xff);
    } else if (running && !midUpload && this.collected !== null) {
      this.sendError(lost, [ss.key], 1);
    }
    if (!survivable || midUpload || (running && !this.responseScanner.atBoundary)) {
      this.close(null);
      return;
    }
    if (running) {
      this.responseScanner.reset();
      this.collected = null;
      this.enterReadyAfterRequest();
    }
  }

  // ---- COM_CHANGE_USER ---------------------------------------------------------------------------------------

  private beginChangeUser(packet: Buffer): void {
    const ss = this.active;
    if (ss === null || ss.closed) {
      this.writeLocal(this.errorPacket('NO_BACKEND', ['the session has no server connection'], 1));
      return;
    }
    if (this.multiServer) {
      this.changeUserWithScramble(packet);
      return;
    }
    const server = ss.conn;
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
        this.openScope();
        // The server reset the session: variables, temporary tables and prepared statements are gone.
        this.sstate.reset();
        this.sstate.setDatabase(r.database);
        this.prepared.clear();
        ss.statements.clear();
        ss.boundTypes.clear();
        ss.applied.reset(r.database);
        markApplied(ss.applied, this.sstate);
        this.pinReason = null;
        this.status = r.status;
        this.attach(ss);
        this.guard(() => this.enterReady());
      },
      (e: unknown) => this.failConnectionPhase(e),
    );
  }

  /** COM_CHANGE_USER on a proxy-scramble session: verified by the proxy, then a fresh server session for the new user. */
  private changeUserWithScramble(packet: Buffer): void {
    const source = this.ctx.authSource();
    const old = this.credentials;
    if (source === null || old === null || this.scramble === null) return;
    this.state = 'auth';
    this.authQueue = new PacketQueue();
    this.pool.closeAllBut(null);
    this.active = null;
    void proxyScrambleChangeUser(this, this.ctx, source, packet, this.scramble, old).then(
      (r) => this.guard(() => {
        if (this.state === 'closed') return;
        if (!r.ok) {
          this.ctx.log.warn('PROXY', `COM_CHANGE_USER failed cs_id=${this.id}: ${r.reason}`);
          this.close(null);
          return;
        }
        this.user = r.credentials.user;
        this.identity = parseUsername(r.credentials.user, this.ctx.usernameSeparators());
        this.credentials = r.credentials;
        this.openScope();
        this.sstate.reset();
        this.sstate.setDatabase(r.credentials.database);
        this.prepared.clear();
        this.pinReason = null;
        this.pinNext = false;
        this.heldBegin = null;
        this.status = r.status;
        this.enterCommandPhase(r.server);
      }),
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

  /** Closes the client and all its server sessions. Idempotent. */
  close(reason: string | null): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.clearResponseTimer();
    if (this.responseTimer !== null) {
      clearTimeout(this.responseTimer);
      this.responseTimer = null;
    }
    if (reason !== null) this.ctx.log.info('PROXY', `closing cs_id=${this.id} client=${this.remote}: ${reason}`);
    this.authQueue?.fail(new OdpError('NET_READ_ERROR'));
    this.pool.closeAllBut(null);
    this.active?.conn.quit();
    this.socket.end();
    this.socket.destroySoon();
    this.observer.close();
    this.ctx.onSessionClosed(this.id);
  }
}

function stmtCommandName(cmd: number): string {
  switch (cmd) {
    case Command.STMT_EXECUTE: return 'mysqld_stmt_execute';
    case Command.STMT_FETCH: return 'mysqld_stmt_fetch';
    case Command.STMT_RESET: return 'mysqld_stmt_reset';
    default: return 'mysqld_stmt_bulk_execute';
  }
}

export { ReplyError };
