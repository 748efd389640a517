// Runs the proxy's metadata SQL (spec §3.2–§3.4) against seekdb and returns the raw text-protocol rows.
// seekdb 1.4 (OceanBase 4.3.5.3 kernel, single tenant) has none of the __all_virtual_proxy_* views nor
// DBA_OB_SERVERS/ZONES/TENANTS, so each failing query is recorded with its exact error and followed by the
// closest variant over the base schema tables the proxy views are built from (__all_table, __all_column,
// __all_part, __all_sub_part, __all_def_sub_part, __all_tablet_to_table). Variant columns carry the
// proxy view's name only where the base column is the same datum; other base columns keep their own names.
import type mysql from 'mysql2/promise';

export type TextRow = Record<string, string | null>;

const INT64_MAX = '9223372036854775807';
/** ODP's bound on partition key columns in the part-info query (obproxy OB_MAX_PART_KEY_NUM, assumed 64). */
const MAX_PART_KEY_NUM = 64;
const INVALID_LS_ID = -1;

/** Every value as the text the text protocol carried; bytes that are not UTF-8 become `0x<hex>`. */
function asText(b: Buffer | null): string | null {
  if (b === null) return null;
  const s = b.toString('utf8');
  return Buffer.from(s, 'utf8').equals(b) ? s : '0x' + b.toString('hex');
}

export async function textQuery(conn: mysql.Connection, sql: string): Promise<TextRow[]> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>({ sql, typeCast: (field) => asText(field.buffer()) });
  return rows.map((r) => ({ ...(r as TextRow) }));
}

export interface QueryRecord {
  readonly sql: string;
  readonly rows: TextRow[] | null;
  readonly error: string | null;
}

export async function record(conn: mysql.Connection, sql: string): Promise<QueryRecord> {
  try {
    return { sql, rows: await textQuery(conn, sql), error: null };
  } catch (e) {
    const err = e as { errno?: number; sqlState?: string; message?: string };
    return { sql, rows: null, error: `ERROR ${err.errno ?? '?'} (${err.sqlState ?? '?'}): ${err.message ?? String(e)}` };
  }
}

const q = (s: string): string => s.replace(/\\/g, '\\\\').replace(/'/g, "''");

/** Spec §3.3 table entry (table-level row, tablet_id = 0), §3.4 part info, first-level and sub partitions. */
export function specTableSql(tenant: string, db: string, table: string, tableId: string): Record<MetaKey, string> {
  const t = q(tenant);
  const lsId = (alias: string): string => `IFNULL((SELECT B.ls_id FROM oceanbase.__all_virtual_tablet_to_ls B WHERE ${alias}.tablet_id = B.tablet_id AND B.table_id = ${tableId} AND B.tenant_id = (SELECT tenant_id FROM oceanbase.DBA_OB_TENANTS WHERE tenant_name = '${t}' LIMIT 1) LIMIT 1), ${INVALID_LS_ID}) as ls_id`;
  return {
    schema: `SELECT /*+READ_CONSISTENCY(WEAK)*/ A.*, B.svr_port as svr_port FROM oceanbase.__all_virtual_proxy_schema A inner join oceanbase.DBA_OB_SERVERS B ON A.svr_ip = B.svr_ip and A.sql_port = B.sql_port WHERE A.tenant_name = '${t}' AND A.database_name = '${q(db)}' AND A.table_name = '${q(table)}' AND A.tablet_id = 0 ORDER BY A.role ASC LIMIT ${INT64_MAX}`,
    partitionInfo: `SELECT /*+READ_CONSISTENCY(WEAK)*/ * FROM oceanbase.__all_virtual_proxy_partition_info WHERE table_id = ${tableId} and tenant_name = '${t}' order by part_key_idx LIMIT ${MAX_PART_KEY_NUM};`,
    partitions: `SELECT /*+READ_CONSISTENCY(WEAK)*/ A.tablet_id as tablet_id, ${lsId('A')}, A.part_id as part_id, A.part_name as part_name, A.high_bound_val_bin as high_bound_val_bin, A.sub_part_num AS sub_part_num FROM oceanbase.__all_virtual_proxy_partition A WHERE A.table_id = ${tableId} AND A.tenant_name = '${t}'LIMIT ${INT64_MAX};`,
    subPartitions: `SELECT /*+READ_CONSISTENCY(WEAK)*/ A.tablet_id as tablet_id, ${lsId('A')}, A.part_id as part_id, A.sub_part_id as sub_part_id, A.part_name as part_name, A.high_bound_val_bin as high_bound_val_bin FROM oceanbase.__all_virtual_proxy_sub_partition A WHERE A.table_id = ${tableId} AND A.tenant_name = '${t}'LIMIT ${INT64_MAX};`,
  };
}

export type MetaKey = 'schema' | 'partitionInfo' | 'partitions' | 'subPartitions';

/** The closest working variants over seekdb's base schema tables. */
export function variantTableSql(db: string, table: string, tableId: string): Record<MetaKey, string> {
  const level1 = `(c.partition_key_position & 255)`;
  const level2 = `(c.partition_key_position >> 8)`;
  const keyCols = (level: 1 | 2): string => {
    const pos = level === 1 ? level1 : level2;
    const idx = level === 1 ? `${pos} - 1` : `(SELECT count(*) FROM oceanbase.__all_column c1 WHERE c1.table_id = ${tableId} AND (c1.partition_key_position & 255) > 0) + ${pos} - 1`;
    return `SELECT c.table_id, ${level} AS part_key_level, ${idx} AS part_key_idx, c.column_name AS part_key_name, c.data_type AS part_key_type, c.collation_type AS part_key_collation_type, c.data_length AS part_key_length, c.data_precision AS part_key_precision, c.data_scale AS part_key_scale, c.rowkey_position, c.column_flags, c.cur_default_value, c.orig_default_value_v2 FROM oceanbase.__all_column c WHERE c.table_id = ${tableId} AND ${pos} > 0`;
  };
  return {
    schema: `SELECT /*+READ_CONSISTENCY(WEAK)*/ d.database_name, t.table_name, t.table_id, t.table_type, t.part_level, t.part_num, t.schema_version, t.tablet_id AS table_tablet_id, tt.tablet_id FROM oceanbase.__all_table t JOIN oceanbase.__all_database d ON d.database_id = t.database_id LEFT JOIN oceanbase.__all_tablet_to_table tt ON tt.table_id = t.table_id WHERE d.database_name = '${q(db)}' AND t.table_name = '${q(table)}' ORDER BY tt.tablet_id`,
    partitionInfo: `SELECT /*+READ_CONSISTENCY(WEAK)*/ t.table_id, t.part_level, IF(t.part_level = 2, (SELECT count(*) FROM oceanbase.__all_sub_part s WHERE s.table_id = t.table_id), t.part_num) AS all_part_num, IF(t.sub_part_template_flags > 0, 1, 0) AS template_num, t.sub_part_template_flags, t.part_func_type AS part_type, t.part_num, t.part_func_expr AS part_expr, t.sub_part_func_type AS sub_part_type, t.sub_part_num, t.sub_part_func_expr AS sub_part_expr, (SELECT count(*) FROM oceanbase.__all_column c2 WHERE c2.table_id = t.table_id AND c2.partition_key_position > 0) AS part_key_num, k.part_key_level, k.part_key_idx, k.part_key_name, k.part_key_type, k.part_key_collation_type, k.part_key_length, k.part_key_precision, k.part_key_scale, k.rowkey_position, k.column_flags, k.cur_default_value, k.orig_default_value_v2 FROM oceanbase.__all_table t JOIN (${keyCols(1)} UNION ALL ${keyCols(2)}) k ON k.table_id = t.table_id WHERE t.table_id = ${tableId} ORDER BY k.part_key_idx LIMIT ${MAX_PART_KEY_NUM}`,
    partitions: `SELECT /*+READ_CONSISTENCY(WEAK)*/ A.tablet_id AS tablet_id, A.part_id AS part_id, A.part_idx, A.part_name AS part_name, A.b_high_bound_val AS high_bound_val_bin, A.b_list_val AS list_val_bin, A.high_bound_val, A.list_val, A.sub_part_num AS sub_part_num, A.partition_type FROM oceanbase.__all_part A WHERE A.table_id = ${tableId} ORDER BY A.part_idx LIMIT ${INT64_MAX}`,
    subPartitions: `SELECT /*+READ_CONSISTENCY(WEAK)*/ A.tablet_id AS tablet_id, A.part_id AS part_id, A.sub_part_id AS sub_part_id, P.part_idx, A.sub_part_idx, P.part_name AS part_name, A.sub_part_name, A.b_high_bound_val AS high_bound_val_bin, A.b_list_val AS list_val_bin, A.high_bound_val, A.list_val, A.partition_type FROM oceanbase.__all_sub_part A JOIN oceanbase.__all_part P ON P.table_id = A.table_id AND P.part_id = A.part_id WHERE A.table_id = ${tableId} ORDER BY P.part_idx, A.sub_part_idx LIMIT ${INT64_MAX}`,
  };
}

export function defSubPartSql(tableId: string): string {
  return `SELECT table_id, sub_part_id, sub_part_idx, sub_part_name, b_high_bound_val AS high_bound_val_bin, b_list_val AS list_val_bin, high_bound_val, list_val FROM oceanbase.__all_def_sub_part WHERE table_id = ${tableId} ORDER BY sub_part_idx`;
}

export interface TableMetadata {
  metadata: Record<MetaKey, TextRow[]>;
  /** Exact error of each spec query that failed (absent when all worked). */
  metadataErrors: Partial<Record<MetaKey, string>>;
  /** The SQL whose rows are in `metadata` (the spec SQL, or the variant when the spec SQL failed). */
  metadataSql: Record<MetaKey, string>;
  /** Template sub-partition definitions (__all_def_sub_part); empty for non-template tables. */
  defSubPartitions: TextRow[];
}

const META_KEYS: readonly MetaKey[] = ['schema', 'partitionInfo', 'partitions', 'subPartitions'];

export async function tableMetadata(conn: mysql.Connection, tenant: string, db: string, table: string, tableId: string): Promise<TableMetadata> {
  const spec = specTableSql(tenant, db, table, tableId);
  const variant = variantTableSql(db, table, tableId);
  const out: TableMetadata = {
    metadata: { schema: [], partitionInfo: [], partitions: [], subPartitions: [] },
    metadataErrors: {}, metadataSql: { ...spec }, defSubPartitions: [],
  };
  for (const k of META_KEYS) {
    let r = await record(conn, spec[k]);
    if (r.error !== null) {
      out.metadataErrors[k] = r.error;
      r = await record(conn, variant[k]);
      out.metadataSql[k] = variant[k];
      if (r.error !== null) throw new Error(`seekdb: variant ${k} query failed: ${r.error}\n${variant[k]}`);
    }
    out.metadata[k] = r.rows ?? [];
  }
  out.defSubPartitions = await textQuery(conn, defSubPartSql(tableId));
  return out;
}

/** Spec §3.2 bootstrap queries (version, cluster role, servers+zones, zones, servers, tenants, sys variables). */
export function bootstrapSql(): Record<string, string> {
  return {
    version: 'SELECT ob_version() AS cluster_version',
    clusterRole: 'SELECT /*+READ_CONSISTENCY(WEAK)*/ cluster_role, cluster_status FROM oceanbase.v$ob_cluster LIMIT 1',
    serverZoneInit: `SELECT /*READ_CONSISTENCY(WEAK)*/ parameters.value as cluster, zs.zone AS zone, zs.status AS zone_status, ss.status AS server_status, zs.region AS region, zs.idc AS spare4, zs.type AS spare5, ss.svr_ip AS svr_ip, ss.sql_port AS svr_port, ss.svr_port AS rpc_port, ss.start_service_time is not null AS start_service_time, ss.stop_time is not null as stop_time FROM oceanbase.DBA_OB_SERVERS ss left join oceanbase.DBA_OB_ZONES zs ON zs.zone = ss.zone join V$OB_PARAMETERS parameters WHERE ss.svr_port > 0 and parameters.name = 'cluster' ORDER BY ss.zone LIMIT ${INT64_MAX};`,
    zones: `SELECT /*+READ_CONSISTENCY(WEAK)*/ zone, status, 0 AS is_merging, region, idc AS spare4, type AS spare5 FROM oceanbase.DBA_OB_ZONES LIMIT ${INT64_MAX}`,
    servers: `SELECT /*+READ_CONSISTENCY(WEAK)*/ svr_ip, svr_port AS rpc_port, sql_port AS svr_port, zone, status, start_service_time is not null AS start_service_time, stop_time is not null as stop_time FROM oceanbase.DBA_OB_SERVERS WHERE svr_port > 0 ORDER BY zone LIMIT ${INT64_MAX}`,
    tenants: 'SELECT /*+READ_CONSISTENCY(WEAK)*/ tenant_name, tenant_id, locality, previous_locality, primary_zone, status FROM oceanbase.DBA_OB_TENANTS where previous_locality is null and tenant_id != 1',
    sysVariables: `SELECT /*+READ_CONSISTENCY(WEAK)*/ name, data_type, value, modified_time, flags FROM __all_virtual_proxy_sys_variable LIMIT ${INT64_MAX}`,
    detect: "select 'detect server' from dual",
    dummyEntry: `SELECT /*+READ_CONSISTENCY(WEAK)*/ A.*, B.svr_port as svr_port FROM oceanbase.__all_virtual_proxy_schema A inner join oceanbase.DBA_OB_SERVERS B ON A.svr_ip = B.svr_ip and A.sql_port = B.sql_port WHERE A.tenant_name = 'sys' AND A.database_name = 'oceanbase' AND A.table_name = '__all_dummy' AND A.sql_port > 0 ORDER BY A.tablet_id ASC, role ASC LIMIT ${INT64_MAX}`,
  };
}

/** What seekdb offers instead of the missing §3.2 views (single server, single tenant). */
export function bootstrapVariantSql(): Record<string, string> {
  return {
    versionComment: 'SELECT @@version AS version, @@version_comment AS version_comment, ob_version() AS ob_version',
    parameters: "SELECT * FROM oceanbase.V$OB_PARAMETERS WHERE name IN ('cluster', 'cluster_id', 'zone', 'mysql_port', 'rpc_port', 'memory_limit', 'log_disk_size', 'datafile_size', 'cpu_count')",
    serverStat: 'SELECT * FROM oceanbase.V$OB_SERVER_STAT',
    sysVariables: `SELECT name, data_type, value, flags FROM oceanbase.__all_sys_variable ORDER BY name LIMIT ${INT64_MAX}`,
  };
}
