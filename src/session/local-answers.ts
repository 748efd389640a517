// Requests a client session answers itself, or redirects, before routing: internal commands (any session) and
// everything on a proxysys session (spec §8); KILL and SHOW PROCESSLIST in proxy ids (spec §6.4, §6.5, kill.ts);
// SHOW TRACE (trace.ts); EXPLAIN ROUTE (explain-route.ts); a held BEGIN and the COMMIT/ROLLBACK that ends it without
// a server (spec §5.6). Also the server a DEALLOCATE PREPARE must go to.
//
// Contract: undefined/null means the request goes on to routing; anything else finished it, either as an answer the
// session writes (writeLocal's result is onPacket's) or as a request routed to the one server that must decide (a
// KILL naming no proxy session). Synchronous; no state beyond the session's own.

import { Command, commandName } from '../protocol/constants.js';
import { ServerStatusBits } from '../protocol/response.js';
import type { RouteParse } from '../route/sql/index.js';
import type { ErrorCode } from '../errors/catalogue.js';
import { explainRoute, type ExplainHost } from './explain-route.js';
import { answerKill, answerProcesslist, isProcesslist, killConnectionUser, killTarget, type KillHost } from './kill.js';
import { answerProxysysOther, runAdmin, writeAdminResult } from './local-query.js';
import type { SessionObserver } from './observer.js';
import type { Request, ServerPreparer } from './preparer.js';
import type { ServerSession, ServerSessionPool } from './server-session.js';
import type { SessionState } from './state.js';
import { holdableBegin } from './transact.js';

/** What local answers read and change in the client session. */
export interface LocalAnswerHost extends KillHost, ExplainHost {
  /** A proxysys session: everything is answered here. */
  readonly local: boolean;
  readonly sstate: SessionState;
  readonly pool: ServerSessionPool;
  readonly active: ServerSession | null;
  readonly preparer: ServerPreparer;
  readonly observer: SessionObserver;
  /** Text of the statement in flight. */
  readonly currentSql: string | null;
  /** Parse of the statement in flight (what the response teaches is learned from it). */
  currentParse: RouteParse | null;
  /** `KILL CONNECTION USER name` in flight on a multi-server session: whose sessions end when it succeeds. */
  killUser: string | null;
  heldBegin: string | null;
  errorPacket(code: ErrorCode, args: readonly (string | number)[], seq: number): Buffer;
}

/** Statements the proxy answers itself on a normal session; undefined when the statement goes to a server. */
export function answerStatementLocally(h: LocalAnswerHost, parse: RouteParse, req: Request): boolean | undefined {
  switch (parse.kind) {
    case 'KILL':
    case 'KILL_QUERY': {
      if (parse.killId === null || !/^\d+$/.test(parse.killId)) {
        h.killUser = h.multiServer ? killConnectionUser(h.currentSql ?? '') : null;
        return undefined;
      }
      const forward = (): boolean => h.preparer.route(req, 'result', parse, null, h.active!.key); // not a proxy id
      if (parse.kind === 'KILL') {
        const answer = answerKill(h, parse.killId, false);
        return answer === 'forward' ? forward() : h.writeLocal(answer);
      }
      const t = killTarget(h, parse.killId);
      if (t.kind === 'forward') return forward();
      if (t.kind === 'answer') return h.writeLocal(t.packet);
      // KILL QUERY <server thread id> on that server, through this client's own server session there.
      const sql = `KILL QUERY ${t.threadId}`;
      const payload = Buffer.concat([Buffer.from([Command.QUERY]), Buffer.from(sql)]);
      h.currentParse = null;
      return h.preparer.route({ buf: payload, start: 0, end: payload.length, framed: false, cmd: Command.QUERY }, 'result', null, null, t.key);
    }
    case 'SHOW':
      if (parse.objectType === 'trace') return h.writeLocal(answerShowTrace(h, req));
      return isProcesslist(parse) ? h.writeLocal(answerProcesslist(h, parse)) : undefined;
    case 'INTERNAL_CMD':
      return isProcesslist(parse) ? h.writeLocal(answerProcesslist(h, parse)) : undefined;
    case 'EXPLAIN_ROUTE':
      return explainRoute(h, h.preparer, parse, h.currentSql ?? '');
    case 'BEGIN':
    case 'START_TRANS':
      // Held (spec §5.6): the first statement of the transaction decides the server. Only when that choice exists.
      if (!h.multiServer || h.inTransaction || parse.multiStatement) return undefined;
      {
        const sql = req.buf.toString('utf8', req.start + 1, req.end);
        if (!holdableBegin(sql)) return undefined; // sent now; the server's IN_TRANS then keeps the session there
        h.heldBegin = sql;
      }
      return h.writeLocal(h.okPacket(h.status | ServerStatusBits.IN_TRANS));
    case 'COMMIT':
    case 'ROLLBACK':
      if (h.heldBegin === null || parse.multiStatement) return undefined;
      h.heldBegin = null; // nothing ran: there is nothing to commit or roll back
      return h.writeLocal(h.okPacket(h.status & ~ServerStatusBits.IN_TRANS));
    default:
      return undefined;
  }
}

/** SHOW TRACE: answered from this session's own request timings, never forwarded (trace.ts). */
function answerShowTrace(h: LocalAnswerHost, req: Request): Buffer {
  const status = h.heldBegin !== null ? h.status | ServerStatusBits.IN_TRANS : h.status;
  const r = h.observer.showTrace(req.buf.toString('utf8', req.start + 1, req.end));
  writeAdminResult(h.writer, r, { capabilities: h.capabilities, mariadbCapabilities: h.mariadbCapabilities, status });
  return h.writer.take();
}

/** Internal commands (any session) and everything on a proxysys session: the answer's bytes, or null. */
export function answerQueryLocally(h: LocalAnswerHost, sql: string): Buffer | null {
  const o = { capabilities: h.capabilities, mariadbCapabilities: h.mariadbCapabilities, status: h.status };
  if (runAdmin(h.writer, sql, h.ctx.adminContext(h.id), o)) return h.writer.take();
  if (!h.local) return null;
  answerProxysysOther(h.writer, sql, h.ctx.version, o);
  return h.writer.take();
}

/** Non-query commands on a proxysys session: COM_INIT_DB is acknowledged, the rest is not supported. */
export function answerLocalCommand(h: LocalAnswerHost, cmd: number, noReply: boolean): Buffer | null {
  if (noReply) return null;
  if (cmd === Command.INIT_DB) return h.okPacket(h.status);
  return h.errorPacket('NOT_SUPPORTED', [`${commandName(cmd)} on a proxysys session`], 1);
}

/**
 * DEALLOCATE PREPARE goes to a server session that has the statement (the current one first): re-preparing it
 * elsewhere just to drop it could fail (its table may be gone), and a server without it answers 1243.
 */
export function holderOfTextPs(h: LocalAnswerHost, name: string): ServerSession | null {
  const n = name.toLowerCase();
  // Not prepared as far as the client's statements go (never, deallocated, or its PREPARE failed): the current
  // server answers, as the one connection would (other servers may hold stale copies).
  if (!h.sstate.textPs.has(n)) return h.active;
  if (h.active !== null && h.active.applied.textPs.has(n)) return h.active;
  for (const ss of h.pool.values()) if (ss.applied.textPs.has(n)) return ss;
  return null;
}

/** The server-side name of a COM_STMT_* command in "Unknown prepared statement handler" errors. */
export function stmtCommandName(cmd: number): string {
  switch (cmd) {
    case Command.STMT_EXECUTE: return 'mysqld_stmt_execute';
    case Command.STMT_FETCH: return 'mysqld_stmt_fetch';
    case Command.STMT_RESET: return 'mysqld_stmt_reset';
    default: return 'mysqld_stmt_bulk_execute';
  }
}
