// Which server runs the next statement (spec §5.6 transaction routing, §5.8 target_db_server). PURE: plain values in,
// a decision out; the session machine executes it. Server keys are 'ip:port' strings (formatAddress).
//
// Order of rules (first match wins):
//  1. a session that can reach one server only (pass-through login) stays there;
//  2. an open transaction, a session pin (temporary table, GET_LOCK, LOCK TABLES, untrackable state) or a one-statement
//     pin (SET TRANSACTION, insert_id, ...) and dependent functions (FOUND_ROWS(), LAST_INSERT_ID(), ...) go to the
//     last server session, which must still be alive;
//  3. a `target_db_server` hint in the statement, then the `target_db_server` parameter: the first priority group
//     (';'-separated) with a usable server, a random one of its ','-separated members;
//  4. `oceanbase` mode: the replica the route policy chose for the partition the statement touches (weak reads,
//     replicated tables: src/route/policy, spec §5.3–§5.4), else the partition leader (computed by the caller from
//     the location cache, spec §5.1), when it is usable; else, like `random` mode, any alive server of the tenant;
//  5. `random` mode: any alive server; `mysql` mode: the session's home server, or the first alive one when the home
//     is down (failover between statements).

import type { PolicyChoice } from '../route/policy/index.js';

export type RoutingMode = 'mysql' | 'random' | 'oceanbase';

export interface RouteInput {
  readonly multiServer: boolean;
  readonly inTransaction: boolean;
  readonly pinReason: string | null;
  readonly pinNext: boolean;
  readonly dependent: boolean;
  /** Server of the last statement (null before the first). */
  readonly current: string | null;
  readonly home: string | null;
  /** Configured servers believed up, in configured order. */
  readonly alive: readonly string[];
  /** Servers known to be down (targets naming them are skipped). */
  readonly down: ReadonlySet<string>;
  readonly mode: RoutingMode;
  readonly hintTargets: string | null;
  readonly configTargets: string | null;
  /** oceanbase mode: the partition leader of the statement's table, or null (no table, no key, not fetched). */
  readonly leader: string | null;
  /** Why there is no leader (diagnosis), or the partition routed to. */
  readonly leaderDetail: string | null;
  /** The route policy's choice among the partition's replicas; null: the leader (writes, strong reads). */
  readonly partition: PolicyChoice | null;
  /** [0, 1) */
  readonly random: () => number;
}

export type RouteReason =
  | 'single_server' | 'in_transaction' | 'session_pinned' | 'statement_pinned' | 'dependent_function'
  | 'target_db_server_hint' | 'target_db_server' | 'partition_leader' | 'partition_replica' | 'random' | 'home' | 'failover' | 'no_server';

export interface RouteDecision {
  /** null: no usable server (the caller answers NO_BACKEND). */
  readonly key: string | null;
  readonly reason: RouteReason;
  /** Detail for diagnosis (the pin's cause, the target list used). */
  readonly detail: string | null;
  /** partition_leader / partition_replica chosen by the route policy: its answer (ROUTE_POLICY diagnosis). */
  readonly policy?: PolicyChoice;
}

export function decideServer(r: RouteInput): RouteDecision {
  const last = r.current ?? r.home;
  if (!r.multiServer) return { key: last, reason: 'single_server', detail: null };
  if (last !== null) {
    if (r.inTransaction) return { key: last, reason: 'in_transaction', detail: null };
    if (r.pinReason !== null) return { key: last, reason: 'session_pinned', detail: r.pinReason };
    if (r.pinNext) return { key: last, reason: 'statement_pinned', detail: null };
    if (r.dependent) return { key: last, reason: 'dependent_function', detail: null };
  }
  if (r.hintTargets !== null) {
    const k = pickTarget(r.hintTargets, r.down, r.random);
    if (k !== null) return { key: k, reason: 'target_db_server_hint', detail: r.hintTargets };
  }
  if (r.configTargets !== null && r.configTargets !== '') {
    const k = pickTarget(r.configTargets, r.down, r.random);
    if (k !== null) return { key: k, reason: 'target_db_server', detail: r.configTargets };
  }
  const p = r.partition;
  if (p !== null && p.server !== null && !r.down.has(p.server)) {
    return { key: p.server, reason: p.leader ? 'partition_leader' : 'partition_replica', detail: r.leaderDetail, policy: p };
  }
  if (r.leader !== null && !r.down.has(r.leader)) return { key: r.leader, reason: 'partition_leader', detail: r.leaderDetail };
  if (r.alive.length === 0) return { key: null, reason: 'no_server', detail: null };
  if (r.mode === 'random' || r.mode === 'oceanbase') return { key: r.alive[Math.floor(r.random() * r.alive.length)] ?? r.alive[0]!, reason: 'random', detail: r.leaderDetail };
  if (r.home !== null && !r.down.has(r.home)) return { key: r.home, reason: 'home', detail: null };
  return { key: r.alive[0]!, reason: 'failover', detail: r.home };
}

/**
 * `ip:port,ip:port;ip:port` (spec §5.8): groups in priority order, members of a group equal. Returns a random
 * member of the first group that has one not known to be down, or null. Malformed items are skipped.
 */
export function pickTarget(list: string, down: ReadonlySet<string>, random: () => number): string | null {
  for (const group of list.split(';')) {
    const members: string[] = [];
    for (const raw of group.split(',')) {
      const key = normaliseTarget(raw);
      if (key !== null && !down.has(key)) members.push(key);
    }
    if (members.length > 0) return members[Math.floor(random() * members.length)] ?? members[0]!;
  }
  return null;
}

/** 'ip:port' with optional quotes and spaces removed; null when it is not an address. */
export function normaliseTarget(raw: string): string | null {
  const s = raw.trim().replace(/^['"]|['"]$/g, '').trim();
  const m = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(s);
  if (m === null) return null;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? `${m[1]!}:${port}` : null;
}

/**
 * The transaction starts the proxy may hold until the first statement (spec §5.6): only forms whose effect does not
 * depend on when they run and that certainly succeed: BEGIN [WORK], START TRANSACTION [READ ONLY | READ WRITE].
 * `WITH CONSISTENT SNAPSHOT` takes its snapshot at once (holding it would let later commits in), and anything else
 * (combinations the server rejects, comments) is sent as it is, so the server's answer is the client's answer.
 */
const HOLDABLE_BEGIN = /^\s*(?:begin(?:\s+work)?|start\s+transaction(?:\s+read\s+(?:only|write))?)\s*;?\s*$/i;

export function holdableBegin(sql: string): boolean {
  return sql.length <= 64 && HOLDABLE_BEGIN.test(sql);
}
