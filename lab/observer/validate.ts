// Topology validation: references resolve, ids are unique, and every partitioned table's metadata rows (as
// the emulators will serve them) parse with the proxy's own partition module, so a route the proxy computes
// from the lab's metadata is the route the lab's partition_hit reports. Pure.

import { parsePartitionInfo, type PartitionInfo, type Row as PRow } from '../../src/route/partition/index.js';
import { findServer, findTenant, findZone, tabletsOf, type TableDef, type Topology } from './topology.js';
import { partitionInfoRows, partitionRows, subPartitionRows, type Cell, type Row } from './views.js';

/**
 * Metadata rows as the text protocol carries them (numbers as text, bytes as latin1), without the text
 * bound `high_bound_val`: the spec §3.4 query selects only `high_bound_val_bin`, so the binary bounds are
 * what the proxy decodes.
 */
function asText(rows: readonly Row[]): PRow[] {
  return rows.map((r) => {
    const out: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(r)) if (k !== 'high_bound_val') out[k] = textOf(v);
    return out;
  });
}

function textOf(v: Cell): string | null {
  if (v === null) return null;
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  return String(v);
}

/** The proxy's PartitionInfo for a partitioned lab table, parsed from the rows the emulators serve. */
export function partitionInfoOf(table: TableDef): PartitionInfo | string {
  if (table.level1 === null) return 'not partitioned';
  const parsed = parsePartitionInfo({
    partitionInfo: asText(partitionInfoRows(table)),
    partitions: asText(partitionRows(table)),
    subPartitions: asText(subPartitionRows(table)),
  });
  return parsed.ok ? parsed.info : parsed.reason;
}

function dupes(values: readonly (string | number)[]): (string | number)[] {
  const seen = new Set<string | number>();
  const out: (string | number)[] = [];
  for (const v of values) {
    if (seen.has(v)) out.push(v);
    seen.add(v);
  }
  return out;
}

function checkServers(t: Topology, errs: string[]): void {
  for (const d of dupes(t.zones.map((z) => z.name))) errs.push(`zone ${d} defined twice`);
  for (const d of dupes(t.servers.map((s) => s.name))) errs.push(`server ${d} defined twice`);
  for (const d of dupes(t.servers.map((s) => `${s.ip}:${s.sqlPort}`))) if (!String(d).endsWith(':0')) errs.push(`address ${d} used twice`);
  for (const s of t.servers) {
    if (!/^127\.\d+\.\d+\.\d+$/.test(s.ip)) errs.push(`server ${s.name}: ${s.ip} is not a loopback address`);
    if (findZone(t, s.zone) === undefined) errs.push(`server ${s.name}: unknown zone ${s.zone}`);
  }
}

function checkTenants(t: Topology, errs: string[]): void {
  for (const d of dupes(t.tenants.map((x) => x.name.toLowerCase()))) errs.push(`tenant ${d} defined twice`);
  for (const d of dupes(t.tenants.map((x) => x.id))) errs.push(`tenant id ${d} used twice`);
  if (findTenant(t, 'sys') === undefined) errs.push('no sys tenant');
  for (const tn of t.tenants) {
    if (tn.servers.length === 0) errs.push(`tenant ${tn.name} has no server`);
    for (const s of tn.servers) if (findServer(t, s) === undefined) errs.push(`tenant ${tn.name}: unknown server ${s}`);
    for (const d of dupes(tn.accounts.map((a) => a.user))) errs.push(`tenant ${tn.name}: account ${d} defined twice`);
  }
}

function checkTable(t: Topology, table: TableDef, errs: string[]): void {
  const where = `table ${table.tenant}.${table.database}.${table.name}`;
  const tenant = findTenant(t, table.tenant);
  if (tenant === undefined) return void errs.push(`${where}: unknown tenant`);
  if (!tenant.databases.includes(table.database)) errs.push(`${where}: database not in tenant ${tenant.name}`);
  const colNames = new Set(table.columns.map((c) => c.name.toLowerCase()));
  for (const k of [...(table.level1?.keys ?? []), ...(table.level2?.keys ?? []), ...table.primaryKey]) {
    if (!colNames.has(k.toLowerCase())) errs.push(`${where}: unknown column ${k}`);
  }
  const tablets = tabletsOf(table);
  if (tablets.length === 0) errs.push(`${where}: no tablet`);
  if (table.level1 === null && tablets.length !== 1) errs.push(`${where}: a non-partitioned table has exactly one tablet`);
  if ((table.level2 === null) !== table.parts.every((p) => p.subs === undefined)) errs.push(`${where}: sub-partitions need level2 and vice versa`);
  for (const p of tablets) {
    if (p.tabletId <= 0) errs.push(`${where}: tablet ${p.name} has no tablet id`);
    if (!tenant.servers.includes(p.leader)) errs.push(`${where}: leader ${p.leader} of ${p.name} holds no unit of ${tenant.name}`);
  }
  if (table.level1 !== null) {
    const info = partitionInfoOf(table);
    if (typeof info === 'string') errs.push(`${where}: the proxy cannot parse its partition metadata: ${info}`);
  }
}

/** Every problem found (empty: valid). */
export function validateTopology(t: Topology): string[] {
  const errs: string[] = [];
  if (t.clusterName === '') errs.push('empty cluster name');
  checkServers(t, errs);
  checkTenants(t, errs);
  for (const d of dupes(t.tables.map((x) => x.id))) errs.push(`table id ${d} used twice`);
  for (const d of dupes(t.tables.flatMap((x) => tabletsOf(x).map((p) => p.tabletId)))) errs.push(`tablet id ${d} used twice`);
  for (const table of t.tables) checkTable(t, table, errs);
  return errs;
}
