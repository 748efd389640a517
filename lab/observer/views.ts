// Rows of the OceanBase 4.x views the proxy reads (spec §3.2–§3.4), built from the topology. Pure.
// Column lists and fill rules of the __all_virtual_proxy_* views follow OceanBase's virtual table
// iterators (ob_all_virtual_proxy_schema.h, _partition.h, _sub_partition.h, _partition_info.cpp); the
// DBA_OB_* column lists follow OceanBase 4.x. Values the emulator cannot know (times, build version)
// are fixed plausible constants.

import { PartFuncCode } from '../../src/route/partition/index.js';
import { encodeListBound, encodeRangeBound, listBoundText, rangeBoundText } from './bounds.js';
import {
  findServer, replicasOf, tabletsOf,
  type ColumnDef, type LevelDef, type PartDef, type ServerDef, type TableDef, type TenantDef, type Topology, type ZoneDef,
} from './topology.js';

/** A cell: numbers are integer columns, strings/Buffers text columns, null SQL NULL. */
export type Cell = string | number | bigint | Buffer | null;
export type Row = Record<string, Cell>;

const spares = (): Row => ({ spare1: 0, spare2: 0, spare3: 0, spare4: '', spare5: '', spare6: '' });

/** Full column lists in view order (for `*` / `A.*`). */
export const VIEW_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  __all_virtual_proxy_schema: [
    'tenant_name', 'database_name', 'table_name', 'tablet_id', 'svr_ip', 'sql_port', 'table_id', 'role', 'part_num',
    'replica_num', 'table_type', 'schema_version', 'replica_type', 'dup_replica_type', 'memstore_percent',
    'spare1', 'spare2', 'spare3', 'spare4', 'spare5', 'spare6', 'complex_table_type', 'level1_decoded_db_name',
    'level1_decoded_table_name', 'level2_decoded_db_name', 'level2_decoded_table_name',
  ],
  __all_virtual_proxy_partition_info: [
    'tenant_name', 'table_id', 'part_level', 'all_part_num', 'template_num', 'part_id_rule_ver', 'part_type', 'part_num',
    'is_column_type', 'part_space', 'part_expr', 'part_expr_bin', 'part_range_type', 'part_interval', 'part_interval_bin',
    'interval_start', 'interval_start_bin', 'sub_part_type', 'sub_part_num', 'is_sub_column_type', 'sub_part_space',
    'sub_part_expr', 'sub_part_expr_bin', 'sub_part_range_type', 'def_sub_part_interval', 'def_sub_part_interval_bin',
    'def_sub_interval_start', 'def_sub_interval_start_bin', 'part_key_num', 'part_key_name', 'part_key_type',
    'part_key_idx', 'part_key_level', 'part_key_extra', 'part_key_collation_type', 'part_key_rowkey_idx',
    'part_key_expr', 'part_key_length', 'part_key_precision', 'part_key_scale',
    'spare1', 'spare2', 'spare3', 'spare4', 'spare5', 'spare6', 'part_key_default_value',
  ],
  __all_virtual_proxy_partition: [
    'tenant_name', 'table_id', 'part_id', 'part_name', 'status', 'low_bound_val', 'low_bound_val_bin', 'high_bound_val',
    'high_bound_val_bin', 'part_position', 'tablet_id', 'sub_part_num', 'sub_part_space', 'sub_part_interval',
    'sub_part_interval_bin', 'sub_interval_start', 'sub_interval_start_bin', 'spare1', 'spare2', 'spare3', 'spare4', 'spare5', 'spare6',
  ],
  __all_virtual_proxy_sub_partition: [
    'tenant_name', 'table_id', 'part_id', 'sub_part_id', 'part_name', 'status', 'low_bound_val', 'low_bound_val_bin',
    'high_bound_val', 'high_bound_val_bin', 'sub_part_position', 'tablet_id', 'spare1', 'spare2', 'spare3', 'spare4', 'spare5', 'spare6',
  ],
  __all_virtual_proxy_routine: [
    'tenant_name', 'database_name', 'package_name', 'routine_name', 'routine_id', 'routine_type', 'schema_version',
    'routine_sql', 'spare1', 'spare2', 'spare3', 'spare4', 'spare5', 'spare6',
  ],
  dba_ob_servers: [
    'svr_ip', 'svr_port', 'id', 'zone', 'sql_port', 'with_rootservice', 'status', 'start_service_time', 'stop_time',
    'block_migrate_in_time', 'create_time', 'modify_time', 'build_version', 'last_offline_time',
  ],
  dba_ob_zones: ['zone', 'create_time', 'modify_time', 'status', 'idc', 'region', 'type'],
  dba_ob_tenants: [
    'tenant_id', 'tenant_name', 'tenant_type', 'create_time', 'modify_time', 'primary_zone', 'locality',
    'previous_locality', 'compatibility_mode', 'status', 'in_recyclebin', 'locked', 'tenant_role',
  ],
  v$ob_parameters: ['svr_ip', 'svr_port', 'zone', 'scope', 'tenant_id', 'name', 'data_type', 'value', 'info', 'section', 'edit_level'],
  v$ob_cluster: ['cluster_id', 'cluster_name', 'cluster_role', 'cluster_status', 'primary_cluster_id'],
  __all_virtual_proxy_sys_variable: ['name', 'data_type', 'value', 'modified_time', 'flags'],
};

const FIXED_TIME = '2025-01-01 00:00:00.000000';
/** USER_TABLE in ObTableType; replica type FULL; role ids of spec §3.3. */
const USER_TABLE = 3;
const ROLE_LEADER = 1;
const ROLE_FOLLOWER = 2;
/** One log stream per tenant in the lab (ls_id is kept by ODP for OBKV only). */
const LAB_LS_ID = 1001;

export function serverRow(s: ServerDef, alive: boolean, index: number): Row {
  return {
    svr_ip: s.ip, svr_port: s.rpcPort, id: index + 1, zone: s.zone, sql_port: s.sqlPort,
    with_rootservice: index === 0 ? 'YES' : 'NO', status: alive ? 'ACTIVE' : 'INACTIVE',
    start_service_time: FIXED_TIME, stop_time: null, block_migrate_in_time: null, create_time: FIXED_TIME,
    modify_time: FIXED_TIME, build_version: 'lab-observer-emulator', last_offline_time: null,
  };
}

export function zoneRow(z: ZoneDef): Row {
  return { zone: z.name, create_time: FIXED_TIME, modify_time: FIXED_TIME, status: 'ACTIVE', idc: z.idc, region: z.region, type: z.type };
}

export function tenantRow(t: Topology, tn: TenantDef): Row {
  const zones = [...new Set(tn.servers.map((n) => findServer(t, n)?.zone).filter((z): z is string => z !== undefined))];
  return {
    tenant_id: tn.id, tenant_name: tn.name, tenant_type: tn.id === 1 ? 'SYS' : 'USER', create_time: FIXED_TIME,
    modify_time: FIXED_TIME, primary_zone: tn.primaryZone, locality: zones.map((z) => `FULL{1}@${z}`).join(', '),
    previous_locality: null, compatibility_mode: 'MYSQL', status: 'NORMAL', in_recyclebin: 'NO', locked: 'NO', tenant_role: 'PRIMARY',
  };
}

export function parameterRow(self: ServerDef, name: string, value: string): Row {
  return { svr_ip: self.ip, svr_port: self.rpcPort, zone: self.zone, scope: 'CLUSTER', tenant_id: null, name, data_type: 'STRING', value, info: '', section: 'OBSERVER', edit_level: 'STATIC_EFFECTIVE' };
}

export function clusterRow(t: Topology): Row {
  return { cluster_id: t.clusterId, cluster_name: t.clusterName, cluster_role: 'PRIMARY', cluster_status: 'VALID', primary_cluster_id: t.clusterId };
}

function schemaRow(t: Topology, table: TableDef, tabletId: number, s: ServerDef, role: number, replicas: number): Row {
  return {
    tenant_name: table.tenant, database_name: table.database, table_name: table.name, tablet_id: tabletId, svr_ip: s.ip,
    sql_port: s.sqlPort, table_id: table.id, role, part_num: table.level1 === null ? 1 : tabletsOf(table).length,
    replica_num: replicas, table_type: USER_TABLE, schema_version: t.schemaVersion, replica_type: 0, dup_replica_type: table.duplicate === true ? 1 : 0,
    memstore_percent: 100, ...spares(), complex_table_type: 0, level1_decoded_db_name: '', level1_decoded_table_name: '',
    level2_decoded_db_name: '', level2_decoded_table_name: '',
  };
}

/**
 * __all_virtual_proxy_schema rows of one table for the given tablet ids: one row per replica, leader first.
 * Tablet id 0 stands for the table's first tablet (the kernel's rule for an invalid tablet id), reported
 * under its real id. Unknown tablet ids give no rows.
 */
export function proxySchemaRows(t: Topology, table: TableDef, tabletIds: readonly number[]): Row[] {
  const tablets = tabletsOf(table);
  const rows: Row[] = [];
  for (const id of tabletIds) {
    const part = id === 0 ? tablets[0] : tablets.find((p) => p.tabletId === id);
    if (part === undefined) continue;
    const reps = replicasOf(t, table, part);
    if (reps === null) continue;
    const n = 1 + reps.followers.length;
    rows.push(schemaRow(t, table, part.tabletId, reps.leader, ROLE_LEADER, n));
    for (const f of reps.followers) rows.push(schemaRow(t, table, part.tabletId, f, ROLE_FOLLOWER, n));
  }
  return rows;
}

/**
 * The tenant's server list as the `__all_dummy` table entry (spec §3.3): every server with a unit of the
 * tenant, virtual tablet 0; the first server of the first zone in zone order is the leader, the rest followers
 * (the kernel picks the first zone at random; the lab is deterministic).
 */
export function dummyRows(t: Topology, tenant: TenantDef): Row[] {
  const servers = tenant.servers.map((n) => findServer(t, n)).filter((s): s is ServerDef => s !== undefined);
  servers.sort((a, b) => a.zone.localeCompare(b.zone));
  const table: TableDef = { tenant: tenant.name, database: 'oceanbase', name: '__all_dummy', id: 1, columns: [], primaryKey: [], level1: null, level2: null, parts: [] };
  return servers.map((s, i) => schemaRow(t, table, 0, s, i === 0 ? ROLE_LEADER : ROLE_FOLLOWER, servers.length));
}

function keyColumns(table: TableDef, level: LevelDef): ColumnDef[] {
  return level.keys.map((k) => table.columns.find((c) => c.name.toLowerCase() === k.toLowerCase())).filter((c): c is ColumnDef => c !== undefined);
}

/** __all_virtual_proxy_partition_info: one row per key column, first level then second; none if not partitioned. */
export function partitionInfoRows(table: TableDef): Row[] {
  const l1 = table.level1;
  if (l1 === null) return [];
  const l2 = table.level2;
  const keys = [...keyColumns(table, l1).map((c) => ({ c, level: 1 })), ...(l2 === null ? [] : keyColumns(table, l2).map((c) => ({ c, level: 2 })))];
  return keys.map(({ c, level }) => ({
    tenant_name: table.tenant, table_id: table.id, part_level: l2 === null ? 1 : 2, all_part_num: tabletsOf(table).length,
    template_num: 0, part_id_rule_ver: 0, part_type: PartFuncCode[l1.type], part_num: table.parts.length, is_column_type: 0,
    part_space: 0, part_expr: l1.expr, part_expr_bin: '', part_range_type: '', part_interval: '', part_interval_bin: '',
    interval_start: '', interval_start_bin: '', sub_part_type: l2 === null ? 0 : PartFuncCode[l2.type], sub_part_num: 0,
    is_sub_column_type: 0, sub_part_space: 0, sub_part_expr: l2?.expr ?? '', sub_part_expr_bin: '', sub_part_range_type: '',
    def_sub_part_interval: '', def_sub_part_interval_bin: '', def_sub_interval_start: '', def_sub_interval_start_bin: '',
    part_key_num: keys.length, part_key_name: c.name, part_key_type: c.obType,
    part_key_idx: table.columns.indexOf(c), part_key_level: level, part_key_extra: '', part_key_collation_type: c.collation,
    part_key_rowkey_idx: table.primaryKey.indexOf(c.name), part_key_expr: '', part_key_length: c.length,
    part_key_precision: c.precision, part_key_scale: c.scale, ...spares(), part_key_default_value: null,
  }));
}

const isHashLike = (l: LevelDef): boolean => l.type === 'HASH' || l.type === 'KEY';

function bounds(table: TableDef, level: LevelDef, p: PartDef): { text: Cell; bin: Cell } {
  const cols = level.type === 'RANGE_COLUMNS' || level.type === 'LIST_COLUMNS' ? keyColumns(table, level) : keyColumns(table, level).slice(0, 1);
  if (p.high !== undefined) return { text: rangeBoundText(p.high), bin: encodeRangeBound(p.high, cols) };
  if (p.list !== undefined) return { text: listBoundText(p.list), bin: encodeListBound(p.list, cols) };
  return { text: null, bin: null };
}

/** __all_virtual_proxy_partition rows (plus `ls_id`, the §3.4 query's sub-select). */
export function partitionRows(table: TableDef): Row[] {
  const l1 = table.level1;
  if (l1 === null) return [];
  return table.parts.map((p, idx) => {
    const b = bounds(table, l1, p);
    return {
      tenant_name: table.tenant, table_id: table.id, part_id: p.id, part_name: p.name, status: 0, low_bound_val: '',
      low_bound_val_bin: '', high_bound_val: b.text, high_bound_val_bin: b.bin, part_position: isHashLike(l1) ? idx : 0,
      tablet_id: p.tabletId, sub_part_num: p.subs?.length ?? 0, sub_part_space: 0, sub_part_interval: '', sub_part_interval_bin: '',
      sub_interval_start: '', sub_interval_start_bin: '', ...spares(), ls_id: p.tabletId === 0 ? -1 : LAB_LS_ID,
    };
  });
}

/** __all_virtual_proxy_sub_partition rows (plus `ls_id`). */
export function subPartitionRows(table: TableDef): Row[] {
  const l2 = table.level2;
  if (l2 === null) return [];
  return table.parts.flatMap((p) => (p.subs ?? []).map((s, idx) => {
    const b = bounds(table, l2, s);
    return {
      tenant_name: table.tenant, table_id: table.id, part_id: p.id, sub_part_id: s.id, part_name: s.name, status: 0,
      low_bound_val: '', low_bound_val_bin: '', high_bound_val: b.text, high_bound_val_bin: b.bin,
      sub_part_position: isHashLike(l2) ? idx : null, tablet_id: s.tabletId, ...spares(), ls_id: LAB_LS_ID,
    };
  }));
}

/** A few session variables with plausible OceanBase types (ObObjType ids) for __all_virtual_proxy_sys_variable. */
export function sysVariableRows(): Row[] {
  const v = (name: string, dataType: number, value: string, flags: number): Row => ({ name, data_type: dataType, value, modified_time: 0, flags });
  return [
    v('autocommit', 5, '1', 3), v('character_set_client', 5, '45', 3), v('collation_connection', 5, '45', 3),
    v('ob_proxy_partition_hit', 5, '1', 2), v('ob_query_timeout', 5, '10000000', 3), v('ob_read_consistency', 5, '3', 3),
    v('ob_trx_timeout', 5, '86400000000', 3), v('sql_mode', 10, '4194304', 3), v('time_zone', 22, '+8:00', 3),
    v('tx_isolation', 22, 'READ-COMMITTED', 3),
  ];
}
