// The session side of route diagnosis (spec §9): which points a routing decision, a connect failure, a retry and a
// response leave in the session's RouteDiagnosis, and the obproxy_diagnosis.log line after a partition miss (or every
// statement at level 4). Every function here runs only while the recorder records (level != 0): the caller guards.

import { Command, commandName } from '../protocol/constants.js';
import { ServerStatusBits, type ResponseTracker } from '../protocol/response.js';
import type { RouteParse } from '../route/sql/index.js';
import { diagnosisLogBody, type ResponseState, type RouteDiagnosis } from '../observe/route-diagnosis.js';
import type { LocateResult, RoutingSettings, SessionContext } from './context.js';
import type { RouteDecision, RouteReason } from './transact.js';
import type { PolicyChoice } from '../route/policy/index.js';

/** Commands route diagnosis follows (spec §9; COM_STMT_EXECUTE as the binary form of a routed statement). */
export function diagnosable(cmd: number): boolean {
  return cmd === Command.QUERY || cmd === Command.STMT_EXECUTE || cmd === Command.STMT_PREPARE || cmd === Command.STMT_FETCH;
}

/** Starts recording a statement and writes SQL_PARSE. `truncated`: the text was cut at the parse limit. */
export function beginStatement(dg: RouteDiagnosis, level: number, explain: boolean, cmd: number, sql: string, parse: RouteParse | null, inTxn: boolean): void {
  dg.begin(level, explain, sql, inTxn);
  if (!dg.point('SQL_PARSE')) return;
  dg.f('cmd', commandName(cmd)).f('table', parse?.tableName ?? '');
  if (parse?.truncated === true) dg.prompt(true, 'the statement is longer than the routing parse limit (request_buffer_length): keys after it are not seen');
  else if (parse === null || parse.tableName === null) dg.prompt(false, 'the statement names no table: it is routed by the route policy over the tenant\'s servers');
}

/** ROUTE_INFO route_info_type of a decision (spec §5.1 names). */
function routeInfoType(reason: RouteReason, cmd: number, looked: boolean): string {
  switch (reason) {
    case 'single_server':
    case 'in_transaction':
    case 'session_pinned':
    case 'statement_pinned':
    case 'dependent_function':
      return cmd === Command.STMT_FETCH ? 'USE_CURSOR' : 'USE_LAST_SESSION';
    case 'target_db_server_hint':
      return 'USE_COMMENT_TARGET_DB';
    case 'target_db_server':
      return 'USE_CONFIG_TARGET_DB';
    case 'partition_leader':
    case 'partition_replica':
      return 'USE_PARTITION_LOCATION_LOOKUP';
    case 'random':
      return looked ? 'USE_PARTITION_LOCATION_LOOKUP' : 'USE_ROUTE_POLICY';
    case 'home':
    case 'failover':
      return 'USE_ROUTE_POLICY';
    case 'no_server':
      return 'INVALID';
  }
}

/** The retry_type of a decision whose server could not be used (spec §7.4). */
export function retryType(reason: RouteReason): string {
  switch (reason) {
    case 'target_db_server_hint':
      return 'CMNT_TARGET_DB_SERVER';
    case 'target_db_server':
      return 'CONF_TARGET_DB_SERVER';
    case 'partition_leader':
    case 'partition_replica':
    case 'random':
    case 'home':
    case 'failover':
      return 'PARTITION_LOCATION_LOOKUP';
    case 'single_server':
    case 'in_transaction':
    case 'session_pinned':
    case 'statement_pinned':
    case 'dependent_function':
    case 'no_server':
      return 'NOT_RETRY';
  }
}

/** LOCATION_CACHE_LOOKUP: whether this statement looks up a partition location at all. */
export function diagLookup(dg: RouteDiagnosis, mode: string, needed: boolean): void {
  if (!dg.point('LOCATION_CACHE_LOOKUP')) return;
  dg.f('mode', mode);
  if (!needed) dg.f('need_partition_location_lookup', false);
}

/**
 * ROUTE_INFO (filled into the slot reserved at `routeInfoAt`), ROUTE_POLICY and CONGESTION_CONTROL of a decision.
 * A partition leader skipped because it is marked down (dead congested within min_keep_congestion_interval, spec
 * §7.1) shows as its own CONGESTION_CONTROL, a DEAD_CONGESTED response and the RETRY that chose `d.key`.
 */
export function diagDecision(
  dg: RouteDiagnosis, routeInfoAt: number, d: RouteDecision, cmd: number, loc: LocateResult | null, r: RoutingSettings | null,
  inTxn: boolean, trans: boolean,
): void {
  dg.reopen(routeInfoAt);
  const pinned = routeInfoType(d.reason, cmd, false) === 'USE_LAST_SESSION' || d.reason === 'statement_pinned';
  dg.f('route_info_type', routeInfoType(d.reason, cmd, loc !== null));
  if (d.key !== null && (pinned || d.reason === 'target_db_server' || d.reason === 'target_db_server_hint')) dg.f('svr_addr', d.key);
  if (inTxn) dg.f('in_transaction', true);
  if (d.reason === 'dependent_function') dg.f('depent_func', true);
  if (trans) dg.f('trans_specified', true);
  if (d.reason === 'session_pinned' && d.detail !== null) dg.prompt(false, `the session is pinned to its server: ${d.detail}`);
  else if (d.reason === 'in_transaction') dg.prompt(false, 'inside a transaction: the statement goes to the server of the transaction');
  if (d.reason === 'no_server') {
    if (dg.point('ROUTE_POLICY')) dg.f('chosen_server', 'Invalid').prompt(true, 'no server of the tenant is usable');
    return;
  }
  if (d.key === null) return;
  const leader = loc !== null && loc.kind === 'leader' ? loc.key : null;
  if (d.policy !== undefined) {
    if (dg.point('ROUTE_POLICY')) diagPolicy(dg, d.policy);
  } else if (d.reason === 'partition_leader') {
    if (dg.point('ROUTE_POLICY')) dg.f('route_policy', 'MERGE_IDC_ORDER').f('chosen_route_type', 'ROUTE_TYPE_LEADER');
  } else if (d.reason === 'random' || d.reason === 'home' || d.reason === 'failover') {
    if (dg.point('ROUTE_POLICY')) dg.f('replica', d.key).f('is_partition_server', false);
  }
  if (pinned) {
    if (dg.point('CONGESTION_CONTROL')) dg.f('svr_addr', d.key).f('need_congestion_lookup', false);
    return;
  }
  if (leader !== null && leader !== d.key && d.reason !== 'partition_replica' && r !== null && r.down.has(leader)) {
    if (dg.point('CONGESTION_CONTROL')) dg.f('svr_addr', leader).f('dead_congested', true).prompt(true, `the partition leader ${leader} is marked down (dead congested): the statement goes to ${d.key}`);
    diagResponseState(dg, 'SERVER_SEND_NONE', 'DEAD_CONGESTED', 0);
    diagRetry(dg, 'FOUND_EXISTING_ADDR', 'PARTITION_LOCATION_LOOKUP', d.key, 1);
  }
  if (dg.point('CONGESTION_CONTROL')) dg.f('svr_addr', d.key);
}

/** ROUTE_POLICY fields of the route policy's answer (spec §9: only the informative ones). */
function diagPolicy(dg: RouteDiagnosis, p: PolicyChoice): void {
  dg.f('route_policy', p.policy);
  const r = p.replica;
  if (r === null) {
    dg.f('chosen_server', 'Invalid').prompt(true, `route policy ${p.policy} found no usable replica: the partition leader is used`);
    return;
  }
  dg.f('replica', r.server);
  if (p.idcType !== null) dg.f('idc_type', p.idcType);
  dg.f('role', r.role === 'leader' ? 'LEADER' : 'FOLLOWER').f('type', r.replicaType);
  if (r.dup) dg.f('is_dup_replica', true);
  dg.f('chosen_route_type', p.routeType).f('trans_consistency', p.consistency);
  if (!p.leader) dg.prompt(false, `${p.consistency === 'WEAK' ? 'weak read' : 'read of a replicated table'}: route policy ${p.policy} chose the ${r.role} ${r.server}`);
}

/** HANDLE_RESPONSE without a server response (connect failure, congestion, internal error). */
export function diagResponseState(dg: RouteDiagnosis, sendAction: string, state: ResponseState, error: number): void {
  if (!dg.point('HANDLE_RESPONSE')) return;
  dg.f('is_parititon_hit', dg.partitionHit).f('send_action', sendAction).f('state', state);
  if (error !== 0) dg.f('error', error);
}

export function diagRetry(dg: RouteDiagnosis, status: 'FOUND_EXISTING_ADDR' | 'NOT_FOUND_EXISTING_ADDR' | 'NO_NEED_RETRY', type: string, addr: string | null, attempts: number): void {
  if (!dg.point('RETRY')) return;
  dg.f('retry_status', status).f('retry_type', type);
  if (addr !== null) dg.f('retry_addr', addr);
  dg.f('attempts', attempts);
  if (addr !== null) dg.prompt(false, `retried on ${addr} (attempt ${attempts + 1})`);
}

/** HANDLE_RESPONSE of a complete server response: hit feedback, OK/ERR, whether the transaction ended. */
export function diagResponse(dg: RouteDiagnosis, t: ResponseTracker): void {
  if (!dg.point('HANDLE_RESPONSE')) return;
  dg.f('is_parititon_hit', dg.partitionHit).f('send_action', 'SERVER_SEND_REQUEST');
  if (t.errno === -1) dg.f('state', 'ANALYZE_ERROR');
  else if (t.errno !== 0) dg.f('state', 'RESPONSE_ERROR').f('error', t.errno);
  else dg.f('state', (t.status & ServerStatusBits.IN_TRANS) !== 0 ? 'CMD_COMPLETE' : 'TRANSACTION_COMPLETE');
  if (!dg.partitionHit) dg.prompt(true, 'the server reported a partition miss (ob_proxy_partition_hit=0): the location of the table is refreshed');
  else if (t.errno > 0) dg.prompt(true, `the server answered error ${t.errno}`);
}

/**
 * Ends the statement's recording; writes its obproxy_diagnosis.log line after a partition miss, or for every
 * statement at level 4 (spec §9). EXPLAIN ROUTE is never logged.
 */
export function finishStatement(dg: RouteDiagnosis, ctx: SessionContext): void {
  if (!dg.explain && (!dg.partitionHit || dg.level >= 4)) ctx.monitor?.diagnosis('ROUTE', diagnosisLogBody(dg.format()));
  dg.end();
}
