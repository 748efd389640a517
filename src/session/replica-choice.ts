// The session's inputs to the route policy (spec §5.2–§5.4, §3.6): read consistency from the statement's hint, the
// session's ob_read_consistency and obproxy_read_consistency; the weak-read policy and proxy IDC from the user
// variables @proxy_route_policy / @proxy_idc_name, else the parameters. The choice itself is src/route/policy.
// Cost: writes and strong reads of ordinary tables return null after one kind check (the leader, no allocation).

import { chooseReplica, isRead, isWeakSetting, readConsistency, unquote, type PolicyChoice } from '../route/policy/index.js';
import type { RouteParse } from '../route/sql/index.js';
import type { LocateResult, SessionContext } from './context.js';
import type { SessionState } from './state.js';

export interface ReplicaChoiceHost {
  readonly id: number;
  readonly ctx: SessionContext;
  readonly sstate: SessionState;
}

/**
 * The replica for a statement whose partition the location cache found (`loc`), or null when the leader is the
 * answer without a choice (not a read; a strong read of a table that is not replicated; replicas unknown).
 */
export function choosePartitionReplica(
  h: ReplicaChoiceHost, parse: RouteParse, loc: Extract<LocateResult, { kind: 'leader' }>, current: string | null, down: ReadonlySet<string>,
): PolicyChoice | null {
  const replicas = loc.replicas;
  if (replicas === undefined || replicas.length < 2 || !isRead(parse)) return null;
  const settings = h.ctx.routePolicy();
  const st = h.sstate;
  const consistency = readConsistency(parse, isWeakSetting(st.sysVars.get('ob_read_consistency')), settings.weakByDefault);
  const duplicate = loc.duplicate === true;
  if (consistency === 'STRONG' && !duplicate) return null;
  return chooseReplica({
    replicas,
    duplicate,
    read: true,
    consistency,
    weakPolicy: userVar(st, 'proxy_route_policy') ?? settings.weakPolicy,
    idc: settings.idc(userVar(st, 'proxy_idc_name') ?? settings.proxyIdc),
    current,
    down,
    seed: h.id >>> 0,
  });
}

/** A user variable's text value; null when unset, NULL or empty (the parameter applies). */
function userVar(st: SessionState, name: string): string | null {
  const sql = st.userVars.get(name);
  if (sql === undefined) return null;
  const v = unquote(sql);
  return v === '' || v.toUpperCase() === 'NULL' ? null : v;
}
