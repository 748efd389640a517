// Replica choice for a statement routed by partition (spec §5.3, §5.4). PURE: plain values in, a choice out, so the
// session machine executes it and unit tests need no sockets.
//
// Rules:
//  - writes and strong reads -> the tablet's leader (ROUTE_TYPE_LEADER, route_policy MERGE_IDC_ORDER);
//  - strong reads of a replicated (duplicate) table -> DUP_REPLICA_FIRST: the session's current server when it holds
//    a dup replica (no server switch), else the nearest dup replica (same IDC, same region, other region), else the
//    leader;
//  - weak reads -> the weak-read policy: proxy_route_policy / @proxy_route_policy (FOLLOWER_FIRST,
//    UNMERGE_FOLLOWER_FIRST, FOLLOWER_ONLY), default MERGE_IDC_ORDER (no read-only zone, spec §5.3 rule 4).
// Within the best class the current server wins, else `seed` picks one (stable per session, spread over sessions;
// ODP shuffles instead). Servers in `down` and replicas that hold no data (LOGONLY, BACKUP) are never chosen.
// Not modelled: merge state (every replica counts as not merging, N), read-only zones (R/W), and tenant servers
// without the partition (T): candidates are the tablet's replicas only.
// Cost: one pass over the replicas (3 on a usual cluster), no allocation on the leader path.

import type { ReplicaLocation } from '../location/types.js';
import type { Consistency } from './consistency.js';
import { idcTypeOf, type IdcMap, type IdcType } from './ldc.js';

export type RoutePolicyName = 'MERGE_IDC_ORDER' | 'FOLLOWER_FIRST' | 'UNMERGE_FOLLOWER_FIRST' | 'FOLLOWER_ONLY' | 'DUP_REPLICA_FIRST';

export interface PolicyInput {
  /** The tablet's replicas, leader first (location cache order). */
  readonly replicas: readonly ReplicaLocation[];
  /** The table is replicated (entry.duplicate, spec §5.4). */
  readonly duplicate: boolean;
  /** A single SELECT without FOR UPDATE (consistency.ts isRead). */
  readonly read: boolean;
  readonly consistency: Consistency;
  /** Weak-read policy as configured ('' = default); case-insensitive, quotes allowed. */
  readonly weakPolicy: string;
  readonly idc: IdcMap;
  /** The session's current server, null before its first statement. */
  readonly current: string | null;
  readonly down: ReadonlySet<string>;
  /** Non-negative integer; picks among equally good replicas. */
  readonly seed: number;
}

export interface PolicyChoice {
  /** 'ip:port', null when no replica qualifies (FOLLOWER_ONLY without a usable follower, leader down). */
  readonly server: string | null;
  /** The chosen replica is the leader (partition-miss feedback then refreshes the location). */
  readonly leader: boolean;
  /** route_policy of the ROUTE_POLICY diagnosis point. */
  readonly policy: RoutePolicyName;
  /** chosen_route_type (OceanBase ObRouteType name). */
  readonly routeType: string;
  readonly replica: ReplicaLocation | null;
  readonly idcType: IdcType | null;
  readonly consistency: Consistency;
}

/** proxy_route_policy values (spec §5.3, case-insensitive); anything else is the default. */
export function weakPolicyOf(text: string): RoutePolicyName {
  switch (text.trim().replace(/^['"]|['"]$/g, '').toLowerCase()) {
    case 'follower_first':
      return 'FOLLOWER_FIRST';
    case 'unmerge_follower_first':
      return 'UNMERGE_FOLLOWER_FIRST';
    case 'follower_only':
      return 'FOLLOWER_ONLY';
    default:
      return 'MERGE_IDC_ORDER';
  }
}

export function chooseReplica(p: PolicyInput): PolicyChoice {
  if (p.read && p.consistency === 'WEAK') return best(p, weakPolicyOf(p.weakPolicy), false);
  if (p.read && p.duplicate) return best(p, 'DUP_REPLICA_FIRST', true);
  for (const r of p.replicas) {
    if (r.role === 'leader') return { server: r.server, leader: true, policy: 'MERGE_IDC_ORDER', routeType: 'ROUTE_TYPE_LEADER', replica: r, idcType: null, consistency: p.consistency };
  }
  return { server: null, leader: false, policy: 'MERGE_IDC_ORDER', routeType: 'ROUTE_TYPE_LEADER', replica: null, idcType: null, consistency: p.consistency };
}

const IDC_RANK: Readonly<Record<IdcType, number>> = { SAME_IDC: 0, SAME_REGION: 1, OTHER_REGION: 2 };

/** Replica types that hold no readable data. */
const NO_DATA = new Set(['LOGONLY', 'ENCRYPTION_LOGONLY', 'BACKUP']);

/** Class rank of a replica under `policy` (lower is better), -1 when the policy never chooses it (spec §5.3 orders). */
function rank(policy: RoutePolicyName, r: ReplicaLocation, idc: IdcType): number {
  const c = IDC_RANK[idc];
  const follower = r.role === 'follower';
  switch (policy) {
    case 'MERGE_IDC_ORDER':
      return c; // A, B, C: any role
    case 'FOLLOWER_FIRST':
    case 'UNMERGE_FOLLOWER_FIRST':
      // AF, BF, AL, BL, CF, CL
      return c === 2 ? (follower ? 4 : 5) : follower ? c : c + 2;
    case 'FOLLOWER_ONLY':
      return follower ? c : -1;
    case 'DUP_REPLICA_FIRST':
      // dup replicas nearest first, then the leader; plain followers cannot serve strong reads
      return r.dup ? c : r.role === 'leader' ? 3 : -1;
  }
}

/**
 * The best-ranked usable replica; among equals the current server, else the seed's pick. `sticky`: the current
 * server wins whatever its rank (DUP_REPLICA_FIRST: staying costs no server switch).
 */
function best(p: PolicyInput, policy: RoutePolicyName, sticky: boolean): PolicyChoice {
  let top = Infinity;
  let count = 0;
  let current: ReplicaLocation | null = null;
  for (const r of p.replicas) {
    if (p.down.has(r.server) || NO_DATA.has(r.replicaType)) continue;
    const k = rank(policy, r, idcTypeOf(p.idc, r.server));
    if (k < 0) continue;
    if (sticky && r.server === p.current) {
      current = r;
      break;
    }
    if (k < top) {
      top = k;
      count = 0;
      current = null;
    }
    if (k === top) {
      count++;
      if (r.server === p.current) current = r;
    }
  }
  let chosen = current;
  if (chosen === null && count > 0) {
    let n = p.seed % count;
    for (const r of p.replicas) {
      if (p.down.has(r.server) || NO_DATA.has(r.replicaType) || rank(policy, r, idcTypeOf(p.idc, r.server)) !== top) continue;
      if (n-- === 0) {
        chosen = r;
        break;
      }
    }
  }
  if (chosen === null) return { server: null, leader: false, policy, routeType: 'ROUTE_TYPE_MAX', replica: null, idcType: null, consistency: p.consistency };
  const idc = idcTypeOf(p.idc, chosen.server);
  return { server: chosen.server, leader: chosen.role === 'leader', policy, routeType: routeTypeOf(policy, chosen, idc), replica: chosen, idcType: idc, consistency: p.consistency };
}

const WHERE: Readonly<Record<IdcType, string>> = { SAME_IDC: 'LOCAL', SAME_REGION: 'REGION', OTHER_REGION: 'REMOTE' };

/** ObRouteType name of the class the replica was chosen from (merge state unknown: UNMERGE). */
function routeTypeOf(policy: RoutePolicyName, r: ReplicaLocation, idc: IdcType): string {
  const role = policy === 'MERGE_IDC_ORDER' || policy === 'DUP_REPLICA_FIRST' ? '' : r.role === 'leader' ? 'LEADER_' : 'FOLLOWER_';
  return `ROUTE_TYPE_${role}PARTITION_UNMERGE_${WHERE[idc]}`;
}
