// A client session losing one of its server sessions: closed by the server (or the network), or dropped by the proxy
// because it did not answer within the response deadline (spec §6.1). Runs once per lost server session, never per
// packet.
//
// Invariants:
//  - the client gets an ERR for the request in flight only where a packet boundary allows one, numbered after the last
//    packet either side sent; a client still uploading a LOCAL INFILE gets a closed connection instead;
//  - the client session survives only when it can move to another server: a session's transaction or pinned state
//    never moves silently, so losing the server that holds it ends the client session.

import type { ErrorCode } from '../errors/catalogue.js';
import { commandName } from '../protocol/constants.js';
import type { RouteDiagnosis } from '../observe/route-diagnosis.js';
import { logConnectionDiagnosis, type ConnectionDiagnosisHost } from './connection-diagnose.js';
import type { ResponseDeadline } from './response-deadline.js';
import { diagResponseState, finishStatement } from './route-diagnose.js';
import type { ServerSession, ServerSessionPool } from './server-session.js';
import type { Tunnel } from './tunnel.js';

/** What server loss reads and changes in the client session. */
export interface ServerLossHost extends ConnectionDiagnosisHost {
  readonly state: string;
  readonly pool: ServerSessionPool;
  active: ServerSession | null;
  readonly multiServer: boolean;
  readonly inTransaction: boolean;
  readonly pinReason: string | null;
  /** The statement in flight runs inside a transaction. */
  readonly statementInTxn: boolean;
  readonly diag: RouteDiagnosis;
  readonly tunnel: Tunnel;
  readonly deadline: ResponseDeadline;
  sendError(code: ErrorCode, args: readonly (string | number)[], seq: number): void;
  close(reason: string | null): void;
  enterReadyAfterRequest(): void;
}

/** No (complete) response from `ss` within `limit` ms: that server connection is dropped and the loss handled. */
export function serverTimedOut(h: ServerLossHost, ss: ServerSession, limit: number): void {
  if (ss !== h.active || (h.state !== 'busy' && h.state !== 'infile')) return;
  h.ctx.log.warn('PROXY', `cs_id=${h.id}: server ${ss.key} did not answer ${commandName(h.currentCommand)} within ${limit} ms (statement timeout + observer_query_timeout_delta); dropping that server connection`);
  h.ctx.reportServerDown(ss.key, `no answer within ${limit} ms`);
  // destroy() is a deliberate close and does not call the close handler: answer the client here, exactly once.
  ss.conn.detach();
  ss.conn.destroy();
  serverClosed(h, ss, new Error(`no answer within ${limit} ms`), true);
}

/**
 * Server session `ss` closed (`timedOut`: dropped by serverTimedOut). The one running a statement: the client gets an
 * ERR (if a packet boundary allows); the client session survives when it can move to another server (no transaction,
 * no pin), else it is closed. An idle pooled one just leaves the pool, unless the session's transaction or pinned
 * state lived there.
 */
export function serverClosed(h: ServerLossHost, ss: ServerSession, err: Error | null, timedOut: boolean): void {
  if (h.state === 'closed') return;
  h.pool.remove(ss);
  const running = ss === h.active && (h.state === 'busy' || h.state === 'infile');
  const stateLost = ss === h.active && (h.inTransaction || h.pinReason !== null || h.statementInTxn);
  const survivable = h.multiServer && !stateLost;
  h.ctx.log.warn('PROXY', `server ${ss.key} closed the connection of cs_id=${h.id} while ${h.state}${err ? `: ${err.message}` : ''}${survivable ? '; the session continues on another server' : ''}`);
  if (running || (!survivable && ss === h.active)) {
    logConnectionDiagnosis(h, timedOut ? 'TIMEOUT_TRACE' : 'SERVER_VC_TRACE', timedOut ? 1159 : 2013, err?.message ?? `server ${ss.key} closed the connection`);
  }
  if (ss === h.active) h.active = null;
  if (running) h.deadline.clear();
  const lost: ErrorCode = timedOut ? 'BACKEND_TIMEOUT' : 'BACKEND_LOST';
  if (running && h.diag.level !== 0) {
    diagResponseState(h.diag, 'SERVER_SEND_REQUEST', lost === 'BACKEND_TIMEOUT' ? 'ACTIVE_TIMEOUT' : err !== null ? 'CONNECTION_ERROR' : 'CONNECTION_CLOSED', 0);
    finishStatement(h.diag, h.ctx);
  }
  const t = h.tunnel;
  // A client still uploading a LOCAL INFILE keeps numbering its packets: no ERR can carry a sequence id it will
  // accept, so it gets a closed connection (as from a server that dies mid-upload).
  const midUpload = running && h.state === 'infile' && !t.infileDone;
  if (running && !midUpload && t.atBoundary && t.collected === null) {
    h.sendError(lost, [ss.key], t.errorSeq());
  } else if (running && !midUpload && t.collected !== null) {
    h.sendError(lost, [ss.key], 1);
  }
  if (!survivable || midUpload || (running && !t.atBoundary)) {
    h.close(null);
    return;
  }
  if (running) {
    t.abandon();
    h.enterReadyAfterRequest();
  }
}
