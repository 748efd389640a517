// ob_proxy_partition_hit (spec §6.2, §3.7): whether the statement's partition has its leader on the server
// that runs it. The partition is computed the way the proxy computes it: src/route/sql parseRoute for the
// table and key values, src/route/partition over the very metadata rows the emulators serve. Rules:
//   - no table, or a table not in the topology (DDL, system tables): hit (nothing can be missed);
//   - a non-partitioned table: its one tablet;
//   - a partitioned table whose key values give a partition: that tablet;
//   - otherwise (no key, a range, an expression): hit only when this server leads every tablet of the table
//     (the statement could then run locally), else miss;
//   - a read (single SELECT without FOR UPDATE) hinted READ_CONSISTENCY(WEAK), or any such read of a replicated
//     (duplicate) table, on a server holding a replica of the table (every server of its tenant): hit, as an
//     observer serves those from its local replica (spec §5.2, §5.4).
// Pure; the PartitionInfo of a table is cached per TableDef (partition layout never changes at run time,
// leaders are read from the topology on every call).

import type { ExecValue } from '../../src/protocol/binary-value.js';
import { computePartition, type KeyValue, type PartitionInfo } from '../../src/route/partition/index.js';
import { parseRoute, type RouteParse, type ValueRef } from '../../src/route/sql/index.js';
import { findTable, findTenant, tabletById, tabletsOf, type TableDef, type Topology } from './topology.js';
import { partitionInfoOf } from './validate.js';

export interface HitDecision {
  /** 'db.table' of the statement's first table, null when it names none. */
  readonly table: string | null;
  readonly tabletId: number | null;
  readonly leader: string | null;
  readonly hit: boolean;
  readonly reason: string;
}

const infos = new WeakMap<TableDef, PartitionInfo | string>();

function infoOf(table: TableDef): PartitionInfo | string {
  let info = infos.get(table);
  if (info === undefined) infos.set(table, (info = partitionInfoOf(table)));
  return info;
}

/** A route value as the partition layer takes it; undefined when the proxy could not know it. */
function keyValue(v: ValueRef, params: readonly ExecValue[] | null): KeyValue | undefined {
  switch (v.kind) {
    case 'literal':
      switch (v.type) {
        case 'int':
          return BigInt(v.text);
        case 'bool':
          return BigInt(v.text);
        case 'null':
          return null;
        case 'hex':
          return Buffer.from(v.text, 'hex');
        case 'bit':
          return undefined;
        case 'decimal':
        case 'float':
        case 'string':
        case 'date':
        case 'time':
        case 'timestamp':
          return v.text;
      }
      return undefined;
    case 'placeholder': {
      const p = params?.[v.index];
      if (p === undefined) return undefined;
      return typeof p === 'number' && Number.isInteger(p) ? BigInt(p) : typeof p === 'number' ? String(p) : p;
    }
    case 'user_var':
    case 'sys_var':
    case 'func':
    case 'default':
    case 'expr':
      return undefined;
  }
}

/** Key values from INSERT values (by column list or table column order) and from `=` / `IN` conditions. */
function keyInput(r: RouteParse, table: TableDef, params: readonly ExecValue[] | null): Record<string, KeyValue> {
  const out: Record<string, KeyValue> = {};
  if (r.insertValues !== null) {
    const names = r.insertColumns ?? table.columns.map((c) => c.name.toLowerCase());
    r.insertValues.forEach((v, i) => {
      const k = keyValue(v, params);
      const name = names[i];
      if (k !== undefined && name !== undefined) out[name] = k;
    });
  }
  for (const c of r.conditions) {
    if (c.tableIndex > 0 || (c.op !== '=' && c.op !== '<=>' && c.op !== 'IN') || c.values[0] === undefined) continue;
    const k = keyValue(c.values[0], params);
    if (k !== undefined && !(c.column in out)) out[c.column] = k;
  }
  return out;
}

function decideTable(table: TableDef, r: RouteParse, self: string, params: readonly ExecValue[] | null): HitDecision {
  const name = `${table.database}.${table.name}`;
  const tablets = tabletsOf(table);
  if (table.level1 === null) {
    const p = tablets[0]!;
    return { table: name, tabletId: p.tabletId, leader: p.leader, hit: p.leader === self, reason: 'non-partitioned table' };
  }
  const info = infoOf(table);
  const res = typeof info === 'string' ? null : computePartition(info, keyInput(r, table, params));
  const part = res?.ok === true ? tabletById(table, res.tabletId) : undefined;
  if (part !== undefined) return { table: name, tabletId: part.tabletId, leader: part.leader, hit: part.leader === self, reason: `partition ${part.name}` };
  const local = tablets.every((p) => p.leader === self);
  const why = typeof info === 'string' ? info : res?.ok === false ? res.reason : 'no partition';
  return { table: name, tabletId: null, leader: null, hit: local, reason: `no partition computed (${why}); ${local ? 'all' : 'not all'} leaders here` };
}

/**
 * The partition-hit decision for one statement run by server `self` for a session of `tenant` whose
 * current database is `sessionDb`; `params` are a COM_STMT_EXECUTE's parameter values.
 */
export function decideHit(
  t: Topology, tenant: string, sessionDb: string | null, sql: string, self: string, params: readonly ExecValue[] | null = null,
): HitDecision {
  const r = parseRoute(sql, { maxLength: Infinity });
  const inner = r.tables[0];
  if (r.tableName === null || inner === undefined) return { table: null, tabletId: null, leader: null, hit: true, reason: 'no table' };
  const db = r.dbName ?? sessionDb;
  const table = db === null ? undefined : findTable(t, tenant, db, r.tableName);
  if (table === undefined) return { table: `${db ?? ''}.${r.tableName}`, tabletId: null, leader: null, hit: true, reason: 'not a topology table' };
  const d = decideTable(table, r, self, params);
  if (d.hit || !localRead(t, table, r, self)) return d;
  return { ...d, hit: true, reason: `${d.reason}; ${table.duplicate === true ? 'read of a replicated table' : 'weak read'} on a local replica` };
}

/** A read this server may serve from its own replica: weak, or of a replicated table, and `self` holds a replica. */
function localRead(t: Topology, table: TableDef, r: RouteParse, self: string): boolean {
  const kind = r.kind === 'EXPLAIN' ? r.innerKind : r.kind;
  if (kind !== 'SELECT' || r.hasForUpdate || r.multiStatement) return false;
  if (r.hints.readConsistency !== 'WEAK' && table.duplicate !== true) return false;
  return findTenant(t, table.tenant)?.servers.includes(self) === true;
}
