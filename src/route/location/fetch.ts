// One table-entry fetch (spec §3.3, §3.4; ODP's LOOKUP_TABLE_ENTRY -> LOOKUP_PART_INFO -> LOOKUP_FIRST_PART
// -> LOOKUP_SUB_PART, then the tablets' locations): at most 4 + ceil(tablets / LOCATION_BATCH) statements,
// run one after another on the caller's MetaQuery. A refetch with an unchanged schema version reuses the
// previous partition description and only re-reads the table row and the locations.

import { parsePartitionInfo, type PartitionInfo, type Row } from '../partition/index.js';
import { addReplicas, cell, MetaError, parseSchemaRows, resultRows, type SchemaInfo } from './entry.js';
import { partitionInfoSql, partitionsSql, subPartitionsSql, tableEntrySql, tabletLocationsSql } from './meta-sql.js';
import type { MetaQuery, ReplicaLocation, TableEntry } from './types.js';

/** Tablet ids per batch location statement (ODP's rpc_async_pull_batch_* analogue). */
export const LOCATION_BATCH = 200;

export interface FetchOptions {
  /** Add FORCE_REFRESH_LOCATION_CACHE to the location statements (refetch after a miss or an error). */
  readonly force: boolean;
  /** The entry being refreshed, if any (its partition description may be reused). */
  readonly previous: TableEntry | null;
  /** Date.now() at the start of the fetch. */
  readonly now: number;
}

async function run(query: MetaQuery, sql: string, what: string): Promise<Row[]> {
  let r;
  try {
    r = await query(sql);
  } catch (e) {
    throw new MetaError(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return resultRows(r, what);
}

interface PartResult {
  readonly info: PartitionInfo | null;
  readonly error: string | null;
}

async function readPartInfo(query: MetaQuery, tenant: string, tableId: number): Promise<PartResult> {
  const infoRows = await run(query, partitionInfoSql(tableId, tenant), 'partition info');
  const first = infoRows[0];
  if (first === undefined) return { info: null, error: 'partition information does not exist' };
  const partitions = await run(query, partitionsSql(tableId, tenant), 'first-level partitions');
  const twoLevel = cell(first, 'part_level') === '2';
  const subPartitions = twoLevel ? await run(query, subPartitionsSql(tableId, tenant), 'sub-partitions') : [];
  const parsed = parsePartitionInfo({ partitionInfo: infoRows, partitions, subPartitions });
  return parsed.ok ? { info: parsed.info, error: null } : { info: null, error: `partition information: ${parsed.reason}` };
}

/** Tablet ids holding data: first-level partitions, or every sub-partition of a two-level table. */
export function leafTablets(info: PartitionInfo): number[] {
  const out: number[] = [];
  for (const p of info.partitions) {
    if (p.subs !== null && p.subs.length > 0) for (const s of p.subs) out.push(s.tabletId);
    else out.push(p.tabletId);
  }
  return out;
}

function reusable(prev: TableEntry | null, schema: SchemaInfo): PartResult | null {
  if (prev === null || prev.partInfo === null || prev.tableId !== schema.tableId) return null;
  if (prev.schemaVersion === null || prev.schemaVersion !== schema.schemaVersion) return null;
  return { info: prev.partInfo, error: null };
}

async function readLocations(
  query: MetaQuery, tenant: string, db: string, table: string, ids: readonly number[], force: boolean,
): Promise<Map<number, ReplicaLocation[]>> {
  const out = new Map<number, ReplicaLocation[]>();
  for (let i = 0; i < ids.length; i += LOCATION_BATCH) {
    const batch = ids.slice(i, i + LOCATION_BATCH);
    addReplicas(await run(query, tabletLocationsSql(tenant, db, table, batch, force), 'tablet locations'), out);
  }
  return out;
}

/** Reads one table entry; null when the table does not exist. Rejects with a one-line MetaError. */
export async function fetchTableEntry(
  tenant: string, db: string, table: string, query: MetaQuery, opts: FetchOptions,
): Promise<TableEntry | null> {
  const schema = parseSchemaRows(await run(query, tableEntrySql(tenant, db, table, opts.force), 'table entry'));
  if (schema === null) return null;
  const partitioned = schema.partNum > 1;
  let part: PartResult = { info: null, error: null };
  let tablets: ReadonlyMap<number, readonly ReplicaLocation[]> = schema.replicas;
  if (partitioned) {
    part = reusable(opts.previous, schema) ?? (await readPartInfo(query, tenant, schema.tableId));
    tablets = part.info === null ? new Map() : await readLocations(query, tenant, db, table, leafTablets(part.info), opts.force);
  }
  let duplicate = schema.duplicate;
  for (const list of tablets.values()) if (list.some((r) => r.dup)) duplicate = true;
  return {
    tenant, db, table,
    tableId: schema.tableId,
    tableType: schema.tableType,
    partitioned,
    partNum: schema.partNum,
    duplicate,
    partInfo: part.info,
    partInfoError: part.error,
    tablets,
    state: 'avail',
    fetchedAt: opts.now,
    schemaVersion: schema.schemaVersion,
  };
}
