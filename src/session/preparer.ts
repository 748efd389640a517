// Executes routing decisions for one client session (ARCHITECTURE.md: transact decides, the session machine does):
// picks the server (transact.ts), gets its server session from the pool or opens one with the saved login (spec §6.3),
// replays what that server is missing (database, variables, text and binary prepared statements, a held BEGIN) and
// sends the request. The common case — same server, state in sync — is synchronous; only preparation is async.

import { OdpError, isOdpError } from '../errors/catalogue.js';
import { Capability, Command } from '../protocol/constants.js';
import { writeErr } from '../protocol/err.js';
import { decodeExecute, executeOpensCursor } from '../protocol/stmt.js';
import { ServerStatusBits, type ResponseMode } from '../protocol/response.js';
import type { PacketWriter } from '../protocol/writer.js';
import type { RouteParse } from '../route/sql/index.js';
import { internalInitDb, internalPrepare, internalQuery, type QueryResult } from '../backend/internal-query.js';
import type { SavedCredentials } from '../backend/saved-login.js';
import type { LocateParams, LocateResult, SessionContext } from './context.js';
import { applyReadBack, readBackQuery, type VarItem } from './effects.js';
import { writeFramed } from './framing.js';
import { boundFlagAt, withTypes, type PreparedStatement, type PreparedStatements } from './prepared.js';
import { openSavedSession } from './server-open.js';
import { ServerSession, type ServerSessionPool } from './server-session.js';
import { markApplied, markTextPsApplied, planSync, planTextPs, type SessionState } from './state.js';
import { decideServer, type RouteDecision } from './transact.js';
import { choosePartitionReplica } from './replica-choice.js';
import type { RouteDiagnosis } from '../observe/route-diagnosis.js';
import { diagDecision, diagLookup, diagResponseState, diagRetry, finishStatement, retryType } from './route-diagnose.js';

export interface Request {
  readonly buf: Buffer;
  readonly start: number;
  readonly end: number;
  /** The payload is framed in `buf` (its 4-byte header precedes `start`), so it can be forwarded as one view. */
  readonly framed: boolean;
  readonly cmd: number;
}

/** A server's ERR (or the proxy's) to answer the request with; the session goes on. */
export class ReplyError extends Error {
  constructor(readonly errno: number, readonly sqlState: string, message: string) {
    super(message);
  }
}

/** The part of the client session the preparer drives. */
export interface PreparerHost {
  readonly id: number;
  readonly ctx: SessionContext;
  readonly pool: ServerSessionPool;
  readonly sstate: SessionState;
  readonly prepared: PreparedStatements;
  readonly writer: PacketWriter;
  readonly credentials: SavedCredentials | null;
  readonly multiServer: boolean;
  readonly inTransaction: boolean;
  readonly capabilities: number;
  /** Tenant of the session (oceanbase mode routing). */
  readonly tenant: string | null;
  state: string;
  status: number;
  active: ServerSession | null;
  home: string | null;
  heldBegin: string | null;
  pinReason: string | null;
  pinNext: boolean;
  lastRoute: RouteDecision | null;
  /** performance.now() when the routing decision was made (SHOW TRACE, trace.ts). */
  routedAt: number;
  preparerCommand: number;
  /** Route diagnosis of the statement in flight (spec §9); records only while its level is non-zero. */
  readonly diag: RouteDiagnosis;
  adopt(ss: ServerSession): void;
  attach(ss: ServerSession): void;
  writeLocal(bytes: Buffer): boolean;
  onRequestSent(ss: ServerSession, mode: ResponseMode, inTxn: boolean, cursor: boolean): void;
  serverWriteBlocked(): void;
  failRequest(packet: Buffer | null, fatal: string | null): void;
  enterReadyAfterRequest(): void;
  guard(fn: () => void): void;
}

/**
 * Reasons under which a statement may go to another server when the chosen one cannot be reached (spec §7.4:
 * connection-level failures move to the next replica outside a transaction; a partition leader is only chosen outside
 * one, or for the first statement of a held BEGIN).
 */
const FLEXIBLE = new Set(['home', 'failover', 'random', 'target_db_server', 'target_db_server_hint', 'partition_leader', 'partition_replica']);

export class ServerPreparer {
  /** Diagnosis points recorded before routing started (a second pass after a fetch records again from here). */
  private diagMark = 0;
  /** The decision of a single-server session, reused while its server stays the same (decisions are immutable). */
  private single: RouteDecision | null = null;

  constructor(private readonly host: PreparerHost) {}

  /** Routes and sends a request that has a response. Returns what onPacket returns (false: stop scanning). */
  route(req: Request, mode: ResponseMode, parse: RouteParse | null, ps: PreparedStatement | null, forcedKey: string | null, afterFetch = false): boolean {
    const h = this.host;
    const ri = h.diag.level !== 0 ? this.diagStart(afterFetch, forcedKey === null) : -1;
    const loc = forcedKey === null ? this.locate(parse, ps, req, !afterFetch) : null;
    if (loc !== null && loc.kind === 'fetch') {
      // The table's location is not known yet: wait for the one fetch of it, then route (spec §3.7 'building').
      h.state = 'busy';
      h.preparerCommand = req.cmd;
      loc.wait.then(
        () => h.guard(() => {
          if (h.state === 'closed') return;
          h.state = 'ready';
          this.route(req, mode, parse, ps, null, true);
        }),
        (e: unknown) => h.guard(() => this.fail(e, true)),
      );
      return false;
    }
    const d = forcedKey !== null ? { key: forcedKey, reason: 'statement_pinned' as const, detail: 'prepared statement state' } : this.decide(parse, loc);
    h.lastRoute = d;
    if (ri >= 0) this.diagRoute(ri, d, req.cmd, loc);
    h.routedAt = performance.now();
    if (d.key === null) {
      if (h.diag.level !== 0) finishStatement(h.diag, h.ctx);
      return h.writeLocal(errPacket(h.writer, new OdpError('NO_BACKEND', ['every server is down'])));
    }
    const ss = h.pool.get(d.key);
    if (ss !== undefined && this.inSync(ss, parse, ps)) {
      this.send(ss, req, mode, ps, h.inTransaction);
      return false;
    }
    h.state = 'busy';
    h.preparerCommand = req.cmd;
    this.prepareAndSend(d, req, mode, parse, ps).catch((e: unknown) => h.guard(() => this.fail(e, true)));
    return false;
  }

  /**
   * EXPLAIN ROUTE (spec §9): the routing path of `parse` without sending anything (a table's location may be
   * fetched). `done` runs once the route is recorded; returns true when that happened before returning.
   */
  explain(parse: RouteParse, done: () => void, afterFetch = false): boolean {
    const h = this.host;
    const ri = this.diagStart(afterFetch, true);
    const loc = this.locate(parse, null, null, !afterFetch);
    if (loc !== null && loc.kind === 'fetch') {
      h.state = 'busy';
      const again = (): void => h.guard(() => {
        if (h.state === 'closed') return;
        this.explain(parse, done, true);
      });
      loc.wait.then(again, again);
      return false;
    }
    this.diagRoute(ri, this.decide(parse, loc), Command.QUERY, loc);
    done();
    return true;
  }

  /** Reserves ROUTE_INFO (filled once the decision is known, printed before the lookup as ODP orders it). */
  private diagStart(afterFetch: boolean, lookup: boolean): number {
    const dg = this.host.diag;
    if (afterFetch) dg.truncate(this.diagMark);
    else this.diagMark = dg.size;
    const ri = dg.point('ROUTE_INFO') ? dg.lastIndex() : -1;
    if (!lookup) diagLookup(dg, this.host.ctx.obMode() ? 'oceanbase' : this.host.ctx.routing().mode, false);
    return ri;
  }

  private diagRoute(ri: number, d: RouteDecision, cmd: number, loc: LocateResult | null): void {
    const h = this.host;
    const r = h.multiServer ? h.ctx.routing(h.tenant) : null;
    diagDecision(h.diag, ri, d, cmd, loc, r, h.inTransaction, h.pinNext);
  }

  /** COM_STMT_CLOSE and COM_STMT_SEND_LONG_DATA: the server never answers. */
  noReplyCommand(req: Request): boolean {
    const h = this.host;
    const ps = req.end - req.start >= 5 ? h.prepared.get(req.buf.readUInt32LE(req.start + 1)) : undefined;
    if (ps === undefined) return true; // as a server does: unknown ids are ignored here, the execute reports them
    if (req.cmd === Command.STMT_CLOSE) {
      for (const ss of h.pool.values()) {
        const sid = ss.statements.get(ps.id);
        if (sid === undefined) continue;
        const p = Buffer.from([5, 0, 0, 0, Command.STMT_CLOSE, 0, 0, 0, 0]);
        p.writeUInt32LE(sid, 5);
        ss.conn.write(p);
        ss.statements.delete(ps.id);
        ss.boundTypes.delete(ps.id);
      }
      h.prepared.delete(ps.id);
      return true;
    }
    const target = ps.longDataServer ?? (h.pool.get(this.decide(ps.parse).key ?? '') ?? null);
    if (target !== null && !target.closed && target.statements.has(ps.id)) {
      this.sendLongData(target, req, ps);
      return true;
    }
    const d = target !== null ? { key: target.key, reason: 'statement_pinned' as const, detail: null } : this.decide(ps.parse);
    if (d.key === null) return true;
    h.state = 'busy';
    void this.prepareServer(d, null, ps).then(
      (ss) => h.guard(() => {
        if (h.state === 'closed') return;
        this.sendLongData(ss, req, ps);
        h.enterReadyAfterRequest();
      }),
      (e: unknown) => h.guard(() => this.fail(e, false)),
    );
    return false;
  }

  /** Reads back variables a statement assigned from expressions (spec §6.2), then the session is ready again. */
  readBack(ss: ServerSession, items: readonly VarItem[]): void {
    const h = this.host;
    ss.conn.detach();
    void internalQuery(ss.conn, readBackQuery(items, ss.naming), this.queryOpts(ss)).then(
      (r) => h.guard(() => {
        const wasInSync = ss.applied.version === h.sstate.version;
        if (r.kind === 'rows' && r.rows.length === 1) {
          applyReadBack(h.sstate, items, r.columns, r.rows[0]!);
          if (wasInSync) markApplied(ss.applied, h.sstate);
        } else {
          this.pin(ss, `could not read back ${items.map((i) => i.name).join(', ')}`);
        }
        this.reattach(ss);
        h.enterReadyAfterRequest();
      }),
      (e: unknown) => h.guard(() => {
        this.reattach(ss);
        this.fail(e, false);
      }),
    );
  }

  private pin(ss: ServerSession, why: string): void {
    const h = this.host;
    if (h.pinReason !== null || !h.multiServer) return;
    h.pinReason = why;
    h.ctx.log.warn('PROXY', `cs_id=${h.id} pinned to server ${ss.key}: ${why}`);
  }

  private decide(parse: RouteParse | null, leader: LocateResult | null = null): RouteDecision {
    const h = this.host;
    const current = h.active !== null && !h.active.closed ? h.active.key : null;
    if (!h.multiServer) {
      const key = current ?? h.home;
      if (this.single?.key !== key) this.single = { key, reason: 'single_server', detail: null };
      return this.single;
    }
    const r = h.ctx.routing(h.tenant);
    return decideServer({
      multiServer: true,
      inTransaction: (h.status & ServerStatusBits.IN_TRANS) !== 0,
      pinReason: h.pinReason,
      pinNext: h.pinNext,
      dependent: parse !== null && (parse.hasDependentFunction || parse.hasLastInsertId || parse.kind === 'LOAD_DATA'),
      current,
      home: h.home,
      alive: r.alive,
      down: r.down,
      mode: r.mode,
      hintTargets: parse?.hints.targetDbServer ?? null,
      configTargets: r.targetDbServer === '' ? null : r.targetDbServer,
      leader: leader !== null && leader.kind === 'leader' ? leader.key : null,
      leaderDetail: leader === null || leader.kind === 'fetch' ? null : leader.detail,
      partition: leader !== null && leader.kind === 'leader' && parse !== null ? choosePartitionReplica(h, parse, leader, current, r.down) : null,
      random: Math.random,
    });
  }

  /**
   * oceanbase mode: the leader for a statement that names a table and may choose its server (not pinned, not inside a
   * transaction): the location cache answers, or says to wait for its fetch.
   */
  private locate(parse: RouteParse | null, ps: PreparedStatement | null, req: Request | null, allowFetch: boolean): LocateResult | null {
    const h = this.host;
    const dg = h.diag.level !== 0 ? h.diag : null;
    const ob = h.ctx.obMode();
    const needed = h.multiServer && parse !== null && parse.tableName !== null && ob &&
      (h.status & ServerStatusBits.IN_TRANS) === 0 && h.pinReason === null && !h.pinNext;
    if (dg !== null) diagLookup(dg, ob ? 'oceanbase' : h.ctx.routing().mode, needed);
    if (!needed) return null;
    const params = ps !== null && req !== null && req.cmd === Command.STMT_EXECUTE ? { placeholders: executeParams(req, ps), userVars: null } : NO_PARAMS;
    return h.ctx.locate(h.tenant ?? h.ctx.defaultTenant(), h.sstate.database, parse, params, allowFetch, dg);
  }

  private inSync(ss: ServerSession, parse: RouteParse | null, ps: PreparedStatement | null): boolean {
    const h = this.host;
    if (ss.applied.version !== h.sstate.version || h.heldBegin !== null) return false;
    if (ps !== null && !ss.statements.has(ps.id)) return false;
    if (parse !== null && parse.kind === 'EXECUTE' && parse.textPs !== null) return planTextPs(h.sstate, ss.applied, parse.textPs.name) === null;
    return true;
  }

  private async prepareAndSend(d: RouteDecision, req: Request, mode: ResponseMode, parse: RouteParse | null, ps: PreparedStatement | null): Promise<void> {
    const h = this.host;
    const inTxn = h.inTransaction;
    const ss = await this.prepareServer(d, parse, ps);
    if (h.state === 'closed') return;
    h.guard(() => this.send(ss, req, mode, ps, inTxn));
  }

  /** The server session for decision `d`, logged in, in sync with the session state, with `ps` prepared. */
  private async prepareServer(d: RouteDecision, parse: RouteParse | null, ps: PreparedStatement | null): Promise<ServerSession> {
    const h = this.host;
    let ss = h.pool.get(d.key!);
    if (ss === undefined) ss = await this.open(d);
    if (h.state === 'closed') return ss;
    await this.sync(ss, parse, ps);
    return ss;
  }

  /** Opens a server session with the saved login; a flexible decision moves on to another server on connect failure. */
  private async open(d: RouteDecision): Promise<ServerSession> {
    const h = this.host;
    const cred = h.credentials;
    if (cred === null) throw new ReplyError(2013, 'HY000', `Lost connection to MySQL server ${d.key ?? '?'}: this session logged in pass-through and cannot open another server connection`);
    const tried = new Set<string>();
    let key = d.key!;
    for (;;) {
      tried.add(key);
      const r = await openSavedSession(h.ctx, key, cred);
      if (r.kind === 'ok') {
        const ss = new ServerSession(r.conn, cred.database, (h.capabilities & Capability.DEPRECATE_EOF) !== 0);
        if (h.state === 'closed') {
          r.conn.quit();
          return ss;
        }
        h.adopt(ss);
        if (d.reason === 'home' || d.reason === 'failover' || h.home === null) h.home = key;
        return ss;
      }
      const dg = h.diag;
      if (r.kind === 'server_error') {
        if (dg.level !== 0) diagResponseState(dg, 'SERVER_SEND_SAVED_LOGIN', 'RESPONSE_ERROR', r.errno);
        throw new ReplyError(r.errno, r.sqlState, r.message);
      }
      // spec §7.4: each usable server of the tenant once, at most max(connect_observer_max_retries, 2 x replicas + 1)
      // attempts; with every replica on a distinct server that bound is never below the server count.
      const next = FLEXIBLE.has(d.reason) ? h.ctx.routing(h.tenant).alive.find((k) => !tried.has(k)) : undefined;
      if (dg.level !== 0) {
        diagResponseState(dg, 'SERVER_SEND_HANDSHAKE', 'CONNECT_ERROR', 0);
        diagRetry(dg, next === undefined ? 'NO_NEED_RETRY' : 'FOUND_EXISTING_ADDR', FLEXIBLE.has(d.reason) ? retryType(d.reason) : 'NOT_RETRY', next ?? null, tried.size);
        if (next !== undefined && dg.point('CONGESTION_CONTROL')) dg.f('svr_addr', next);
      }
      if (next === undefined) throw new ReplyError(2003, 'HY000', `Can't connect to MySQL server on '${key}' (${r.message})`);
      h.ctx.log.warn('PROXY', `cs_id=${h.id}: server ${key} unreachable (${r.message}); trying ${next}`);
      key = next;
    }
  }

  /** Replays what `ss` is missing: COM_INIT_DB, one SET, the text PS, the binary PS, the held BEGIN (spec §6.2, §5.6). */
  private async sync(ss: ServerSession, parse: RouteParse | null, ps: PreparedStatement | null): Promise<void> {
    const h = this.host;
    const want = h.sstate;
    const plan = planSync(want, ss.applied, ss.naming);
    const textPsName = parse !== null && parse.kind === 'EXECUTE' && parse.textPs !== null ? parse.textPs.name : null;
    const textPs = textPsName !== null ? planTextPs(want, ss.applied, textPsName) : null;
    const needPs = ps !== null && !ss.statements.has(ps.id);
    if (plan.initDb === null && plan.setSql === null && textPs === null && !needPs && h.heldBegin === null) {
      markApplied(ss.applied, want);
      return;
    }
    const conn = ss.conn;
    const opts = this.queryOpts(ss);
    conn.detach();
    let action = 'SERVER_SEND_USE_DATABASE';
    try {
      if (plan.initDb !== null) check(await internalInitDb(conn, plan.initDb, opts));
      action = 'SERVER_SEND_SESSION_VARS';
      if (plan.setSql !== null) check(await internalQuery(conn, plan.setSql, opts));
      markApplied(ss.applied, want);
      action = 'SERVER_SEND_TEXT_PS_PREPARE';
      if (textPs !== null && textPsName !== null) {
        check(await internalQuery(conn, textPs, opts));
        markTextPsApplied(ss.applied, want, textPsName);
      }
      action = 'SERVER_SEND_PREPARE';
      if (needPs && ps !== null) {
        const r = await internalPrepare(conn, ps.sql, opts);
        if (r.kind === 'err') throw new ReplyError(r.errno, r.sqlState, r.message);
        if (r.numParams !== ps.numParams) {
          throw new ReplyError(1210, 'HY000', `Incorrect arguments: statement ${ps.id} has ${r.numParams} parameters on ${ss.key}, ${ps.numParams} where it was prepared`);
        }
        ss.statements.set(ps.id, r.statementId);
      }
      action = 'SERVER_SEND_START_TRANS';
      const begin = h.heldBegin;
      if (begin !== null) {
        check(await internalQuery(conn, begin, opts));
        h.heldBegin = null;
        h.status |= ServerStatusBits.IN_TRANS;
      }
    } catch (e) {
      if (h.diag.level !== 0) {
        diagResponseState(h.diag, action, e instanceof ReplyError ? 'RESPONSE_ERROR' : 'CONNECTION_ERROR', e instanceof ReplyError ? e.errno : 0);
      }
      // A server error leaves the connection usable; a timeout or a lost connection does not: drop it.
      if (!(e instanceof ReplyError)) {
        h.pool.remove(ss);
        ss.conn.destroy();
        h.ctx.reportServerDown(ss.key, e instanceof Error ? e.message : String(e));
      }
      throw e;
    } finally {
      this.reattach(ss);
    }
  }

  private reattach(ss: ServerSession): void {
    if (!ss.conn.closed && this.host.state !== 'closed') this.host.attach(ss);
  }

  /** Internal statements (replay, re-prepare, read-back) are tiny: short_async_task_timeout bounds them. */
  private queryOpts(ss: ServerSession): { timeoutMs: number; deprecateEof: boolean } {
    return { timeoutMs: this.host.ctx.settings.connectTimeoutMs, deprecateEof: ss.deprecateEof };
  }

  /** Puts the request on the wire: statement ids mapped to the server's, parameter types added when it lacks them. */
  private send(ss: ServerSession, req: Request, mode: ResponseMode, ps: PreparedStatement | null, inTxn: boolean): void {
    const h = this.host;
    let payload: Buffer | null = null;
    if (ps !== null) {
      payload = this.mapStatement(ss, req, ps);
      if (req.cmd === Command.STMT_EXECUTE || req.cmd === Command.STMT_BULK_EXECUTE) ps.lastServer = ss;
      if (req.cmd === Command.STMT_RESET) ps.longDataServer = null;
      if (req.cmd === Command.STMT_EXECUTE) ps.longDataServer = null;
    }
    h.pinNext = false;
    h.preparerCommand = req.cmd;
    const cursor = req.cmd === Command.STMT_EXECUTE && executeOpensCursor(req.buf, req.start, req.end);
    h.onRequestSent(ss, mode, inTxn, cursor);
    ss.requests++;
    const ok = payload !== null
      ? writeFramed(ss.conn.socket, payload, 0)
      : req.framed ? ss.conn.write(req.buf.subarray(req.start - 4, req.end)) : writeFramed(ss.conn.socket, req.buf.subarray(req.start, req.end), 0);
    if (!ok) h.serverWriteBlocked();
  }

  /** Rewrites the statement id in place; returns a new payload only when parameter types must be added. */
  private mapStatement(ss: ServerSession, req: Request, ps: PreparedStatement): Buffer | null {
    const sid = ss.statements.get(ps.id)!;
    req.buf.writeUInt32LE(sid, req.start + 1);
    if (req.cmd !== Command.STMT_EXECUTE) return null;
    const at = boundFlagAt(req.start, req.end, ps.numParams);
    if (at < 0) return null;
    if (req.buf[at] === 1) {
      const types = Buffer.from(req.buf.subarray(at + 1, Math.min(req.end, at + 1 + 2 * ps.numParams)));
      ps.types = types;
      ss.boundTypes.set(ps.id, types);
      return null;
    }
    if (ps.types === null || ss.boundTypes.get(ps.id) === ps.types) return null;
    ss.boundTypes.set(ps.id, ps.types);
    return withTypes(req.buf, req.start, req.end, ps.numParams, ps.types);
  }

  private sendLongData(ss: ServerSession, req: Request, ps: PreparedStatement): void {
    req.buf.writeUInt32LE(ss.statements.get(ps.id)!, req.start + 1);
    ps.longDataServer = ss;
    const ok = req.framed ? ss.conn.write(req.buf.subarray(req.start - 4, req.end)) : writeFramed(ss.conn.socket, req.buf.subarray(req.start, req.end), 0);
    if (!ok) this.host.serverWriteBlocked();
  }

  /** A request could not be prepared: the client gets the reason; a lost transaction ends the session. */
  private fail(e: unknown, hasReply: boolean): void {
    const h = this.host;
    if (h.state === 'closed') return;
    let packet: Buffer;
    if (e instanceof ReplyError) {
      writeErr(h.writer, e.errno, e.sqlState, e.message, 1);
      packet = h.writer.take();
    } else {
      const err = isOdpError(e) ? e : new OdpError('INTERNAL', [], e instanceof Error ? e.message : String(e));
      if (h.diag.level !== 0 && !isOdpError(e)) diagResponseState(h.diag, 'SERVER_SEND_NONE', 'INTERNAL_ERROR', 0);
      packet = errPacket(h.writer, err);
      h.ctx.log.warn('PROXY', `cs_id=${h.id}: preparing a server session failed: ${err.message}`);
    }
    const fatal = (h.status & ServerStatusBits.IN_TRANS) !== 0 && !(e instanceof ReplyError) ? 'the server of the open transaction was lost' : null;
    h.failRequest(hasReply ? packet : null, fatal);
  }
}

const NO_PARAMS: LocateParams = { placeholders: null, userVars: null };

/** The parameter values of a COM_STMT_EXECUTE, for partition keys; null when they cannot be decoded. */
function executeParams(req: Request, ps: PreparedStatement): readonly unknown[] | null {
  if (ps.numParams === 0) return null;
  const t = ps.types;
  const prev = t === null ? null : Array.from({ length: t.length >> 1 }, (_, i) => t.readUInt16LE(2 * i));
  try {
    return decodeExecute(req.buf, req.start, req.end, ps.numParams, prev).values;
  } catch {
    return null;
  }
}

function check(r: QueryResult): void {
  if (r.kind === 'err') throw new ReplyError(r.errno, r.sqlState, r.message);
}

function errPacket(w: PacketWriter, e: OdpError): Buffer {
  writeErr(w, e.errno, e.sqlState, e.clientMessage, 1);
  return w.take();
}
