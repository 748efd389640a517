// The lab cluster's description: one OceanBase 4.x cluster as plain data (spec §3.2–§3.6). Zones carry region
// and IDC (LDC, §3.6); servers listen on distinct loopback addresses; tenants own units on a subset of the
// servers; tables carry their partitions, each partition one tablet with a leader (followers are the other
// servers of the tenant: full replication, one replica per server).
//
// Ownership: a Topology is shared by every emulator of a cluster and mutated in place only by the control
// interface (move-leader) and the cluster start (actual SQL ports). Everything else reads it.

export type PartType = 'HASH' | 'KEY' | 'RANGE' | 'RANGE_COLUMNS' | 'LIST' | 'LIST_COLUMNS';

/** One value of a range high bound or list row. */
export type BoundCell =
  | { readonly kind: 'int'; readonly v: bigint }
  | { readonly kind: 'str'; readonly v: string }
  | { readonly kind: 'null' }
  | { readonly kind: 'max' };

export interface ZoneDef {
  readonly name: string;
  readonly region: string;
  readonly idc: string;
  /** DBA_OB_ZONES.type (spare5 in the §3.2 queries). */
  readonly type: 'ReadWrite' | 'ReadOnly';
}

export interface ServerDef {
  /** Lab name used by the control interface, e.g. 'obs1'. */
  readonly name: string;
  readonly ip: string;
  /** SQL port; 0 = any free port, replaced by the bound port when the cluster starts. */
  sqlPort: number;
  /** RPC port as DBA_OB_SERVERS.svr_port reports it (nothing listens there). */
  readonly rpcPort: number;
  readonly zone: string;
}

export interface AccountDef {
  readonly user: string;
  readonly password: string;
}

export interface TenantDef {
  readonly name: string;
  readonly id: number;
  /** Server names holding a unit of this tenant; a login elsewhere gets OB_TENANT_NOT_IN_SERVER. */
  readonly servers: readonly string[];
  readonly primaryZone: string;
  readonly accounts: readonly AccountDef[];
  /** Databases of the tenant; each maps 1:1 to a database of the shared MariaDB. */
  readonly databases: readonly string[];
}

/** A table column: MariaDB DDL text plus the OceanBase type facts the partition metadata reports. */
export interface ColumnDef {
  readonly name: string;
  /** Column definition for the shared MariaDB, e.g. 'bigint NOT NULL'. */
  readonly sql: string;
  /** ObObjType id (part_key_type). */
  readonly obType: number;
  /** ObCollationType id (part_key_collation_type): 63 binary for numbers. */
  readonly collation: number;
  readonly length: number;
  readonly precision: number;
  readonly scale: number;
}

export interface LevelDef {
  readonly type: PartType;
  /** part_expr / sub_part_expr as the kernel reports it (back-quotes stripped). */
  readonly expr: string;
  /** Key column names in expression order. */
  readonly keys: readonly string[];
}

export interface PartDef {
  /** Partition name (sub-partitions: the full name, e.g. 'p0sp1', as the kernel names them). */
  readonly name: string;
  /** part_id, or sub_part_id for a sub-partition. */
  readonly id: number;
  /** The tablet; 0 for a first-level partition of a two-level table (its sub-partitions hold the data). */
  readonly tabletId: number;
  /** Server name of the leader replica (0-tablet partitions: unused). Mutable: move-leader. */
  leader: string;
  /** RANGE / RANGE_COLUMNS: the exclusive high bound, one cell per bound column. */
  readonly high?: readonly BoundCell[];
  /** LIST / LIST_COLUMNS: member rows, or 'DEFAULT'. */
  readonly list?: readonly (readonly BoundCell[])[] | 'DEFAULT';
  /** Two-level tables: this partition's sub-partitions in position order. */
  readonly subs?: readonly PartDef[];
}

export interface TableDef {
  readonly tenant: string;
  readonly database: string;
  readonly name: string;
  readonly id: number;
  readonly columns: readonly ColumnDef[];
  readonly primaryKey: readonly string[];
  /** null: not partitioned (one tablet, `parts[0]`). */
  readonly level1: LevelDef | null;
  readonly level2: LevelDef | null;
  readonly parts: readonly PartDef[];
  /**
   * A replicated (duplicate) table (spec §5.4): every replica is a dup replica (dup_replica_type 1), so a strong
   * read may run on any server holding one; writes still go to the leader.
   */
  readonly duplicate?: boolean;
}

export interface Topology {
  readonly clusterName: string;
  readonly clusterId: number;
  /** ob_version(), e.g. '4.3.5.3'. */
  readonly obVersion: string;
  /** Handshake server version, e.g. '5.7.25-OceanBase_CE-v4.3.5.3'. */
  readonly serverVersion: string;
  readonly schemaVersion: number;
  readonly zones: readonly ZoneDef[];
  readonly servers: readonly ServerDef[];
  readonly tenants: readonly TenantDef[];
  readonly tables: readonly TableDef[];
}

const lower = (s: string): string => s.toLowerCase();

export function findTenant(t: Topology, name: string): TenantDef | undefined {
  return t.tenants.find((x) => lower(x.name) === lower(name));
}

/** By lab name, IP, or 'ip:port'. */
export function findServer(t: Topology, key: string): ServerDef | undefined {
  return t.servers.find((s) => s.name === key || s.ip === key || `${s.ip}:${s.sqlPort}` === key);
}

export function findZone(t: Topology, name: string): ZoneDef | undefined {
  return t.zones.find((z) => z.name === name);
}

/** Table names compare case-insensitively, as with OceanBase's default lower_case_table_names=1. */
export function findTable(t: Topology, tenant: string, db: string, table: string): TableDef | undefined {
  return t.tables.find((x) => lower(x.tenant) === lower(tenant) && lower(x.database) === lower(db) && lower(x.name) === lower(table));
}

/** Tablets of a table (leaf partitions: sub-partitions of two-level tables), in position order. */
export function tabletsOf(table: TableDef): PartDef[] {
  const out: PartDef[] = [];
  for (const p of table.parts) {
    if (p.subs !== undefined && p.subs.length > 0) out.push(...p.subs);
    else out.push(p);
  }
  return out;
}

export function tabletById(table: TableDef, tabletId: number): PartDef | undefined {
  return tabletsOf(table).find((p) => p.tabletId === tabletId);
}

/** Replica servers of a tablet: leader first, then the tenant's other servers in topology order. */
export function replicasOf(t: Topology, table: TableDef, part: PartDef): { leader: ServerDef; followers: ServerDef[] } | null {
  const tenant = findTenant(t, table.tenant);
  const leader = findServer(t, part.leader);
  if (tenant === undefined || leader === undefined) return null;
  const followers = tenant.servers.filter((n) => n !== leader.name).map((n) => findServer(t, n)).filter((s): s is ServerDef => s !== undefined);
  return { leader, followers };
}

/** 'tenant.db.table', 'db.table' or 'table' when that names exactly one table; else an error text. */
export function resolveTableRef(t: Topology, ref: string): TableDef | string {
  const parts = ref.split('.');
  const matches = t.tables.filter((x) => {
    if (parts.length === 3) return lower(x.tenant) === lower(parts[0]!) && lower(x.database) === lower(parts[1]!) && lower(x.name) === lower(parts[2]!);
    if (parts.length === 2) return lower(x.database) === lower(parts[0]!) && lower(x.name) === lower(parts[1]!);
    return lower(x.name) === lower(ref);
  });
  if (matches.length === 1) return matches[0]!;
  return matches.length === 0 ? `no table '${ref}' in the topology` : `table '${ref}' is ambiguous: name it tenant.db.table`;
}

/**
 * Moves the leader of one tablet ('p1', 'p0sp1'; any name for a non-partitioned table) to `server`, which
 * must hold a unit of the table's tenant. Returns null on success or an error text.
 */
export function moveLeader(t: Topology, tableRef: string, partName: string, server: string): string | null {
  const table = resolveTableRef(t, tableRef);
  if (typeof table === 'string') return table;
  const target = findServer(t, server);
  if (target === undefined) return `no server '${server}'`;
  const tenant = findTenant(t, table.tenant);
  if (tenant === undefined || !tenant.servers.includes(target.name)) return `server ${target.name} holds no unit of tenant ${table.tenant}`;
  const tablets = tabletsOf(table);
  const part = table.level1 === null ? tablets[0] : tablets.find((p) => lower(p.name) === lower(partName));
  if (part === undefined) return `table ${table.name} has no tablet '${partName}' (tablets: ${tablets.map((p) => p.name).join(', ')})`;
  part.leader = target.name;
  return null;
}
