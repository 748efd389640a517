// Which tablet, and which server, one statement needs (spec §4.4, §5.1 USE_PARTITION_LOCATION_LOOKUP).
// PURE and synchronous: (table entry, route parse, parameters) -> the leader of the statement's tablet, or
// 'any server of the tenant' with the reason (the §4.4 fallbacks; the caller applies the route policy and
// records the reason for diagnosis). Strong reads and writes go to the leader, also for replicated tables
// (§5.4: writes to the leader; weak reads and DUP_REPLICA_FIRST belong to src/route/policy).
// Cost: one Map lookup for a non-partitioned table; key extraction plus computePartition otherwise.

import { computePartition, type PartitionDef, type PartitionInfo } from './partition/index.js';
import { extractKeys, type KeyParams } from './location/keys.js';
import type { TableEntry } from './location/types.js';
import type { RouteParse, StmtKind } from './sql/index.js';
import type { RouteDiagnosis } from '../observe/route-diagnosis.js';
import { diagKeys, diagLeader, diagPartition } from './location/diagnose.js';

export interface RouteTarget {
  readonly kind: 'leader';
  /** 'ip:sql_port' of the leader replica. */
  readonly server: string;
  readonly tabletId: number;
  /** V4: partition id == tablet id (spec §4.4). */
  readonly partitionId: number;
  /** Partition (or sub-partition) name, null for a non-partitioned table. */
  readonly partName: string | null;
}

export interface AnyServer {
  readonly kind: 'any';
  /** Why no partition leader could be chosen (diagnosis, §9). */
  readonly reason: string;
}

export type RouteResult = RouteTarget | AnyServer;

export type RouteParams = KeyParams;

const PARTITION_ROUTED: ReadonlySet<StmtKind> = new Set<StmtKind>(['SELECT', 'INSERT', 'REPLACE', 'UPDATE', 'DELETE', 'MERGE']);

function any(reason: string): AnyServer {
  return { kind: 'any', reason };
}

function leaderTarget(entry: TableEntry, tabletId: number, partName: string | null): RouteResult {
  const replicas = entry.tablets.get(tabletId);
  if (replicas === undefined || replicas.length === 0) return any(`tablet ${tabletId} has no location in the cached entry`);
  for (const r of replicas) {
    if (r.role === 'leader') return { kind: 'leader', server: r.server, tabletId, partitionId: tabletId, partName };
  }
  return any(`tablet ${tabletId} has no leader in the cached entry`);
}

const eqName = (a: string, b: string): boolean => a === b || a.toLowerCase() === b.toLowerCase();

/** The statement's first table, checked against the entry; a string is the reason it does not match. */
function checkTable(entry: TableEntry, parse: RouteParse): string | null {
  const kind = parse.kind === 'EXPLAIN' || parse.kind === 'EXPLAIN_ROUTE' ? parse.innerKind : parse.kind;
  if (kind === null || !PARTITION_ROUTED.has(kind)) return `${kind ?? parse.kind} statements are not routed by partition`;
  const t = parse.tables[0];
  if (t === undefined) return 'the statement names no table';
  if (t.dblink !== null) return `table ${t.name}@${t.dblink} is behind a dblink`;
  if (!eqName(t.name, entry.table) || (t.db !== null && !eqName(t.db, entry.db))) {
    return `the entry is for ${entry.db}.${entry.table}, the statement's first table is ${t.db === null ? '' : `${t.db}.`}${t.name}`;
  }
  return null;
}

/** A tablet named by `PARTITION (name, ...)`: the first name when it is a leaf (tablet-holding) partition. */
function explicitTablet(info: PartitionInfo, names: readonly string[]): PartitionDef | null {
  const name = names[0];
  if (name === undefined) return null;
  for (const p of info.partitions) {
    if (p.subs !== null && p.subs.length > 0) {
      for (const s of p.subs) if (eqName(s.name, name)) return s;
    } else if (eqName(p.name, name)) return p;
  }
  return null;
}

/**
 * The leader of the tablet `parse` touches in `entry`'s table, or any server with the reason. `dg` (diagnosis
 * recording, spec §9) gets the key, partition and leader points; null costs nothing.
 */
export function routeByPartition(entry: TableEntry, parse: RouteParse, params: RouteParams, dg: RouteDiagnosis | null = null): RouteResult {
  const mismatch = checkTable(entry, parse);
  if (mismatch !== null) return any(mismatch);
  if (!entry.partitioned) {
    const first = entry.tablets.keys().next();
    if (first.done === true) return traced(dg, entry, any('the table has no location (0.0.0.0:0)'));
    return traced(dg, entry, leaderTarget(entry, first.value, null));
  }
  const info = entry.partInfo;
  if (info === null) return failed(dg, 1, any(`partition information unavailable: ${entry.partInfoError ?? 'not fetched'}`));
  if (parse.explicitPartition !== null) {
    const p = explicitTablet(info, parse.explicitPartition);
    if (p !== null) {
      if (dg !== null) diagPartition(dg, info.level, p.tabletId, p.name, null);
      return traced(dg, entry, leaderTarget(entry, p.tabletId, p.name));
    }
  }
  const keys = extractKeys(info, parse, params);
  if (dg !== null) diagKeys(dg, info, parse, keys.ok ? keys.input : null, keys.ok ? null : keys.reason);
  if (!keys.ok) return failed(dg, info.level, any(keys.reason));
  const opts = params.timeZoneOffsetSec === undefined ? undefined : { timeZoneOffsetSec: params.timeZoneOffsetSec };
  const res = computePartition(info, keys.input, opts);
  if (!res.ok) return failed(dg, info.level, any(`partition calculation: ${res.reason}`));
  if (dg !== null) diagPartition(dg, info.level, res.partitionId, res.partName ?? null, null);
  return traced(dg, entry, leaderTarget(entry, res.tabletId, res.partName ?? null));
}

/** PARTITION_ENTRY_LOOKUP_DONE for a result. */
function traced(dg: RouteDiagnosis | null, entry: TableEntry, r: RouteResult): RouteResult {
  if (dg !== null) diagLeader(dg, entry, r.kind === 'leader' ? r.server : null, dg.fromRemote);
  return r;
}

/** PARTITION_ID_CALC_DONE without a partition (OceanBase's invalid partition id, -1). */
function failed(dg: RouteDiagnosis | null, level: 1 | 2, r: AnyServer): AnyServer {
  if (dg !== null) diagPartition(dg, level, -1, null, r.reason);
  return r;
}
