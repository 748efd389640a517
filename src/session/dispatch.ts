// A client request in the command phase, before any server sees it: its command byte decides what happens
// (commands.ts); the proxy's own answers come first (local-answers.ts); a command with a response gets its route
// parse, the effects it will have on the session state, the server it must go to (a cursor, long data, a text PS's
// holder) and its diagnosis recording, then goes to the preparer (preparer.ts).
//
// Invariants:
//  - runs synchronously on the request scanner's callback, once per request; the request bytes are not copied here
//    (COM_CHANGE_USER's payload is: the asynchronous exchange keeps it);
//  - returns what PacketHandler.onPacket returns: false stops scanning (the request is in flight, the session
//    closed, or the client's buffer is full); the session then queues what follows.

import type { ErrorCode } from '../errors/catalogue.js';
import { Command, commandName } from '../protocol/constants.js';
import type { ResponseMode } from '../protocol/response.js';
import type { RouteParse } from '../route/sql/index.js';
import { commandAction } from './commands.js';
import { statementEffects, type StatementEffects } from './effects.js';
import { answerKill, killConnectionUser } from './kill.js';
import { answerLocalCommand, answerQueryLocally, answerStatementLocally, holderOfTextPs, stmtCommandName, type LocalAnswerHost } from './local-answers.js';
import { queryMayBeAdmin } from './local-query.js';
import type { PreparedStatement, PreparedStatements } from './prepared.js';
import type { Request } from './preparer.js';
import { beginStatement, diagnosable } from './route-diagnose.js';
import type { ServerSession } from './server-session.js';

/** What dispatch reads and sets in the client session. */
export interface DispatchHost extends LocalAnswerHost {
  readonly prepared: PreparedStatements;
  /** COM_CHANGE_USER goes to authentication (auth/session-auth.ts). */
  readonly auth: { changeUser(packet: Buffer): void };
  requests: number;
  /** performance.now() when the request arrived and after its route parse (SHOW TRACE). */
  arrivedAt: number;
  parsedAt: number;
  currentSql: string | null;
  /** Effects on session state of the COM_QUERY in flight (applied when it succeeds). */
  effects: StatementEffects | null;
  /** COM_STMT_PREPARE in flight: its text and parse. */
  preparing: { sql: string; parse: RouteParse } | null;
  /** COM_INIT_DB in flight: the database it selects. */
  pendingDatabase: string | null;
  sendError(code: ErrorCode, args: readonly (string | number)[], seq: number): void;
  close(reason: string | null): void;
}

/** One whole client request (payload buf[start, end), sequence id `seq`). */
export function dispatchRequest(h: DispatchHost, buf: Buffer, start: number, end: number, seq: number, framed: boolean): boolean {
  if (seq !== 0) {
    h.ctx.log.warn('PROXY', `packets out of order from client cs_id=${h.id} client=${h.remote}: seq=${seq}`);
    h.sendError('PACKETS_OUT_OF_ORDER', [], seq + 1);
    h.close(null);
    return false;
  }
  if (end === start) return h.writeLocal(h.errorPacket('MALFORMED_PACKET', [], 1));
  const cmd = buf[start]!;
  const action = commandAction(cmd);
  h.requests++;
  h.arrivedAt = performance.now();
  if (cmd === Command.QUERY && (h.local || queryMayBeAdmin(buf, start + 1, end))) {
    const answer = answerQueryLocally(h, buf.toString('utf8', start + 1, end));
    if (answer !== null) return h.writeLocal(answer);
  }
  if (h.local && (action.kind === 'forward' || action.kind === 'forward_no_reply' || action.kind === 'change_user')) {
    const answer = answerLocalCommand(h, cmd, action.kind === 'forward_no_reply');
    return answer === null ? true : h.writeLocal(answer);
  }
  const req: Request = { buf, start, end, framed, cmd };
  switch (action.kind) {
    case 'forward':
      return forwardCommand(h, req, action.mode);
    case 'forward_no_reply':
      return h.preparer.noReplyCommand(req);
    case 'ping':
      return h.writeLocal(h.okPacket(h.status));
    case 'quit':
      h.close(null);
      return false;
    case 'change_user':
      h.auth.changeUser(Buffer.from(buf.subarray(start, end)));
      return false;
    case 'unsupported':
      h.ctx.log.warn('PROXY', `unsupported command ${commandName(cmd)} from cs_id=${h.id}`);
      return h.writeLocal(h.errorPacket('NOT_SUPPORTED', [action.what], 1));
    case 'unknown':
      h.ctx.log.warn('PROXY', `unknown command byte 0x${cmd.toString(16)} from cs_id=${h.id} client=${h.remote}`);
      return h.writeLocal(h.errorPacket('UNKNOWN_COMMAND', [], 1));
  }
}

/** A command with a response: local answers first (KILL, SHOW PROCESSLIST, held transaction control), then routing. */
function forwardCommand(h: DispatchHost, req: Request, mode: ResponseMode): boolean {
  const { buf, start, end, cmd } = req;
  let parse: RouteParse | null = null;
  let ps: PreparedStatement | null = null;
  h.effects = null;
  h.killUser = null;
  h.currentSql = null;
  h.preparing = null;
  if (cmd === Command.QUERY || cmd === Command.STMT_PREPARE) {
    const limit = h.ctx.settings.parseBytes;
    const cut = end - start - 1 > limit;
    const sql = buf.toString('utf8', start + 1, cut ? start + 1 + limit : end);
    parse = h.ctx.routeCache.get(sql, cut);
    h.currentSql = sql;
    if (cmd === Command.STMT_PREPARE) {
      h.preparing = { sql: cut ? buf.toString('utf8', start + 1, end) : sql, parse };
    } else {
      const local = answerStatementLocally(h, parse, req);
      if (local !== undefined) return local;
      h.effects = statementEffects(parse, parse.kind === 'PREPARE' ? buf.toString('utf8', start + 1, end) : sql);
    }
  } else if (cmd === Command.PROCESS_KILL) {
    const answer = answerKill(h, end - start >= 5 ? String(buf.readUInt32LE(start + 1)) : '', false);
    if (answer !== 'forward') return h.writeLocal(answer);
    return h.preparer.route(req, mode, null, null, h.active!.key); // not a proxy id: that server decides
  } else if (cmd === Command.INIT_DB) {
    h.pendingDatabase = buf.toString('utf8', start + 1, end);
  } else if (cmd === Command.STMT_EXECUTE || cmd === Command.STMT_FETCH || cmd === Command.STMT_RESET || cmd === Command.STMT_BULK_EXECUTE) {
    ps = end - start >= 5 ? h.prepared.get(buf.readUInt32LE(start + 1)) ?? null : null;
    if (ps === null) {
      const id = end - start >= 5 ? String(buf.readUInt32LE(start + 1)) : '?';
      return h.writeLocal(h.errorPacket('UNKNOWN_STMT_HANDLER', [id, stmtCommandName(cmd)], 1));
    }
    if (cmd === Command.STMT_RESET && ps.lastServer === null && ps.longDataServer === null) {
      return h.writeLocal(h.okPacket(h.status)); // nothing bound or open anywhere: nothing to reset
    }
    parse = ps.parse;
    // --ps-protocol clients run KILL ... USER as a prepared statement too.
    if (cmd === Command.STMT_EXECUTE && parse.kind === 'KILL' && parse.killId === null && h.multiServer) h.killUser = killConnectionUser(ps.sql);
  }
  h.currentParse = parse;
  h.parsedAt = performance.now();
  let forced: ServerSession | null = null;
  if (ps !== null) {
    // A cursor lives where the statement ran; long data waits where it was sent.
    forced = cmd === Command.STMT_FETCH ? ps.lastServer : cmd === Command.STMT_RESET ? ps.longDataServer ?? ps.lastServer : ps.longDataServer;
  } else if (parse !== null && parse.kind === 'DEALLOCATE' && parse.textPs !== null && h.multiServer && !h.inTransaction) {
    forced = holderOfTextPs(h, parse.textPs.name);
  }
  // A statement's diagnosis line is written after a partition miss, or always at level 4 (finishStatement). Only
  // oceanbase mode routes by partition and gets hit feedback: below level 4 a mysql-mode recording could never be
  // written, so none is made (EXPLAIN ROUTE records on its own).
  let level = h.ctx.monitor?.diagnosisLevel ?? 0;
  if (level < 4 && !h.ctx.obMode()) level = 0;
  if (level === 0 || !diagnosable(cmd)) h.diag.level = 0;
  else beginStatement(h.diag, level, false, cmd, h.currentSql ?? ps?.sql ?? '', parse, h.inTransaction);
  return h.preparer.route(req, mode, parse, ps, forced?.key ?? null);
}
