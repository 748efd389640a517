// What a finished request taught the proxy about the session (spec §6.2): the database, variables, last_insert_id,
// text prepared statements and pins, from the statement's effects, the OK packet and session-track data. The server
// that ran the request already has the new state, so it is marked applied there.

import { Command } from '../protocol/constants.js';
import { decodeOk, parseSessionTrack, type SessionTrackItem } from '../protocol/ok.js';
import type { ResponseTracker } from '../protocol/response.js';
import type { RouteParse } from '../route/sql/index.js';
import type { SessionContext } from './context.js';
import { applySessionTrack, type StatementEffects } from './effects.js';
import type { PreparedStatements } from './prepared.js';
import type { ServerSession, ServerSessionPool } from './server-session.js';
import { markApplied, markTextPsApplied, type SessionState } from './state.js';
import type { RouteDecision } from './transact.js';
import type { RouteDiagnosis } from '../observe/route-diagnosis.js';

/** The part of the client session state learning reads and updates. */
export interface LearnHost {
  readonly id: number;
  readonly ctx: SessionContext;
  readonly sstate: SessionState;
  readonly tracker: ResponseTracker;
  readonly capabilities: number;
  readonly multiServer: boolean;
  readonly prepared: PreparedStatements;
  readonly pool: ServerSessionPool;
  readonly active: ServerSession | null;
  pinReason: string | null;
  pinNext: boolean;
  heldBegin: string | null;
  readonly tenant: string | null;
  readonly lastRoute: RouteDecision | null;
  readonly diag: RouteDiagnosis;
}

/**
 * Applies what a successful request changed in the session state (spec §6.2). The server that ran it already has
 * the new state, so it is marked applied. Returns the items to read back from that server, or null.
 */
export function learnState(
h: LearnHost, ss: ServerSession, cmd: number, fx: StatementEffects | null, parse: RouteParse | null, pendingDatabase: string | null,
): StatementEffects['readBack'] | null {
  const st = h.sstate;
  const before = st.version;
  const wasInSync = ss.applied.version === before;
  if (cmd === Command.INIT_DB && pendingDatabase !== null) st.setDatabase(pendingDatabase);
  if (cmd === Command.RESET_CONNECTION) afterResetConnection(h, ss);
  const t = h.tracker;
  if (t.lastInsertId > 0) st.setLastInsertId(BigInt(t.lastInsertId));
  if (t.lastSessionOk !== null) learnSessionTrack(h, t.lastSessionOk, parse);
      h.pinNext = false;
  if (fx !== null) {
    if (fx.useDb !== null) st.setDatabase(fx.useDb);
    for (const d of fx.direct) {
      if (d.kind === 'sys') st.setSysVar(d.name, d.sql);
      else st.setUserVar(d.name, d.sql);
    }
    if (fx.textPs !== null) learnTextPs(h, ss, fx.textPs);
    if (fx.pinNext) h.pinNext = true;
    if (fx.pinSession !== null && h.pinReason === null && h.multiServer) {
      h.pinReason = fx.pinSession;
      h.ctx.log.info('PROXY', `cs_id=${h.id} pinned to server ${ss.key}: ${fx.pinSession}`);
    }
  }
  if (parse !== null) afterTransactionControl(h, parse);
  // Only when something changed: the common statement changes nothing and costs no copy.
  if (wasInSync && st.version !== before) markApplied(ss.applied, st);
  // The server that ran PREPARE / DEALLOCATE has that text PS as the session now wants it: no replay there.
  if (fx !== null && fx.textPs !== null) markTextPsApplied(ss.applied, st, fx.textPs.name);
  return fx !== null && fx.readBack.length > 0 ? fx.readBack : null;
}

/**
 * A PREPARE or DEALLOCATE that succeeded. `PREPARE s FROM @v` is kept as the text @v held then (a later SET @v does not
 * change s on a direct connection, but a verbatim replay on another server would read the new value). A value that is
 * not a string literal the PREPARE grammar takes keeps the session on this server instead.
 */
function learnTextPs(h: LearnHost, ss: ServerSession, tp: StatementEffects['textPs'] & object): void {
  let sql = tp.prepareSql;
  if (sql !== null && tp.fromVar !== null) {
    const text = prepareText(h.sstate.userVars.get(tp.fromVar));
    if (text !== null) sql = `PREPARE \`${tp.name.replace(/`/g, '``')}\` FROM ${text}`;
    else if (h.pinReason === null && h.multiServer) {
      h.pinReason = `PREPARE ${tp.name} FROM @${tp.fromVar}: the variable's text is not known to the proxy`;
      h.ctx.log.info('PROXY', `cs_id=${h.id} pinned to server ${ss.key}: ${h.pinReason}`);
    }
  }
  h.sstate.setTextPs(tp.name, sql);
}

/**
 * A tracked user-variable value (vars.ts forms: `'..'`, `_cs '..' COLLATE c`, `_cs X'..' COLLATE c`, `_binary X'..'`,
 * numbers) as the string literal every `PREPARE ... FROM` grammar takes (MySQL's: a text literal, no expression):
 * `'..'` or `_cs '..'`. Hex text in an ASCII-compatible charset is spelled out when it has no backslash or control
 * character (quotes doubled). The collation does not change how the statement text parses: dropped. Null for
 * anything else (numbers, NULL, binary or unknown values).
 */
export function prepareText(value: string | undefined): string | null {
  if (value === undefined) return null;
  const m = /^(?:_([a-z0-9]+) )?(?:('(?:[^'\\]|'')*')|X'([0-9a-fA-F]*)')(?: COLLATE [a-z0-9_]+)?$/.exec(value);
  if (m === null) return null;
  const cs = m[1];
  if (m[2] !== undefined) return cs !== undefined ? `_${cs} ${m[2]}` : m[2];
  const encoding = cs === undefined || cs === 'utf8' || cs === 'utf8mb3' || cs === 'utf8mb4' ? 'utf8' : cs === 'latin1' || cs === 'ascii' ? 'latin1' : null;
  if (encoding === null || m[3]!.length % 2 !== 0) return null;
  const bytes = Buffer.from(m[3]!, 'hex');
  const text = bytes.toString(encoding);
  if (encoding === 'utf8' && !Buffer.from(text, 'utf8').equals(bytes)) return null; // not valid UTF-8
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\\]/.test(text)) return null;
  const quoted = `'${text.replace(/'/g, "''")}'`;
  return cs !== undefined ? `_${cs} ${quoted}` : quoted;
}

/** Session-track data of the last OK (the client negotiated CLIENT_SESSION_TRACK): variables the server reports. */
function learnSessionTrack(h: LearnHost, ok: Buffer, parse: RouteParse | null): void {
  try {
    const state = decodeOk(ok, 0, ok.length, h.capabilities).sessionState;
    const items = state !== null ? parseSessionTrack(state) : [];
    const pin = applySessionTrack(h.sstate, items);
    partitionFeedback(h, items, parse);
    if (pin !== null && h.pinReason === null && h.multiServer) {
      h.pinReason = pin;
      h.ctx.log.info('PROXY', `cs_id=${h.id} pinned to server ${h.active?.key ?? '?'}: ${pin}`);
    }
  } catch (e) {
    h.ctx.log.warn('PROXY', `cs_id=${h.id}: ignored malformed session-track data: ${(e as Error).message}`);
  }
}

/**
 * OceanBase's partition-hit feedback (spec §3.7, §6.2): `ob_proxy_partition_hit=0` after a statement the proxy routed
 * by partition means the location it used is stale: that table's entry is refreshed before it is trusted again.
 */
function partitionFeedback(h: LearnHost, items: readonly SessionTrackItem[], parse: RouteParse | null): void {
  for (const it of items) {
    if (it.kind !== 'system_variable' || it.name !== 'ob_proxy_partition_hit' || it.value !== '0') continue;
    h.diag.partitionHit = false; // route diagnosis: this statement is a partition miss whatever routed it
    if (parse === null || parse.tableName === null || h.lastRoute?.reason !== 'partition_leader') continue;
    const db = parse.dbName ?? h.sstate.database;
    if (db !== null) h.ctx.invalidateLocation(h.tenant ?? h.ctx.defaultTenant(), db, parse.tableName, `partition miss on ${h.active?.key ?? '?'}`);
  }
}

/** XA transactions pin until they end; UNLOCK TABLES / RELEASE_ALL_LOCKS end their pins. */
function afterTransactionControl(h: LearnHost, parse: RouteParse): void {
  if (parse.kind === 'XA_START' && h.pinReason === null && h.multiServer) h.pinReason = 'XA transaction';
  else if ((parse.kind === 'XA_COMMIT' || parse.kind === 'XA_ROLLBACK') && h.pinReason === 'XA transaction') h.pinReason = null;
  else if (parse.kind === 'UNLOCK_TABLES' && h.pinReason === 'LOCK TABLES') h.pinReason = null;
}

function afterResetConnection(h: LearnHost, ss: ServerSession): void {
  const db = h.sstate.database;
  h.sstate.reset();
  h.sstate.setDatabase(db);
  h.prepared.clear();
  ss.statements.clear();
  ss.boundTypes.clear();
  h.pinReason = null;
  h.pinNext = false;
  h.heldBegin = null;
  // Other servers still hold the old variables, temporary tables and statements: let them go.
  h.pool.closeAllBut(ss);
  ss.applied.reset(db);
}

/**
 * A failed PREPARE deallocates a statement of the same name on the server (MySQL semantics): the session no longer has
 * it, here or on any server, so a later EXECUTE fails as on a direct connection instead of being replayed.
 */
export function learnFailedStatement(h: LearnHost, ss: ServerSession, fx: StatementEffects | null): void {
  if (fx === null || fx.textPs === null || fx.textPs.prepareSql === null) return;
  h.sstate.setTextPs(fx.textPs.name, null);
  markTextPsApplied(ss.applied, h.sstate, fx.textPs.name);
}

/** OceanBase errors (MySQL-mode errno = -ob_errno) that say the location used for a statement is stale (spec §3.7). */
const STALE_LOCATION_ERRORS = new Map<number, string>([
  [4038, 'OB_NOT_MASTER'],
  [5150, 'OB_TENANT_NOT_IN_SERVER'],
]);

/**
 * A statement on a table failed because the server does not lead that table's partition (any more): the entry is
 * refreshed. The error itself still goes to the client: OB_NOT_MASTER is not retried by ODP (spec §7.4), the next
 * statement routes with the new location.
 */
export function learnServerError(h: LearnHost, errno: number, parse: RouteParse | null): void {
  const name = STALE_LOCATION_ERRORS.get(errno);
  if (name === undefined || parse === null || parse.tableName === null || !h.ctx.obMode()) return;
  const db = parse.dbName ?? h.sstate.database;
  if (db !== null) h.ctx.invalidateLocation(h.tenant ?? h.ctx.defaultTenant(), db, parse.tableName, `${name} from ${h.active?.key ?? '?'}`);
}
