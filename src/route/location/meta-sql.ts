// The metadata SQL of an OceanBase 4.x table entry (spec §3.3, §3.4), run as proxyro on a server of the
// tenant. Pure string builders; names are escaped as ODP does ('' for a quote, \\ for a backslash), so a
// table name can never break out of its literal.

/** LIMIT <INT64_MAX>: ODP's "no limit" on metadata queries. */
const NO_LIMIT = '9223372036854775807';
/** ObLSID::INVALID_LS_ID, the §3.4 default when a tablet has no log stream row. */
const INVALID_LS_ID = -1;
/** Rows of __all_virtual_proxy_partition_info read per table: one per key column of both levels. */
export const MAX_PART_KEY_NUM = 64;

/** Escapes a name for a single-quoted SQL literal (spec §3.3). */
export function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** The §3.3 hint; FORCE_REFRESH_LOCATION_CACHE asks the server to renew its own location cache first. */
function hint(force: boolean): string {
  return force ? '/*+READ_CONSISTENCY(WEAK), FORCE_REFRESH_LOCATION_CACHE*/' : '/*+READ_CONSISTENCY(WEAK)*/';
}

function schemaSelect(tenant: string, db: string, table: string, force: boolean): string {
  return `SELECT ${hint(force)} A.*, B.svr_port as svr_port`
    + ' FROM oceanbase.__all_virtual_proxy_schema A inner join oceanbase.DBA_OB_SERVERS B'
    + ' ON A.svr_ip = B.svr_ip and A.sql_port = B.sql_port'
    + ` WHERE A.tenant_name = ${sqlString(tenant)} AND A.database_name = ${sqlString(db)} AND A.table_name = ${sqlString(table)}`;
}

/** §3.3 table entry: the table-level row set (tablet_id = 0), one row per replica, leader first. */
export function tableEntrySql(tenant: string, db: string, table: string, force: boolean): string {
  return `${schemaSelect(tenant, db, table, force)} AND A.tablet_id = 0 ORDER BY A.role ASC LIMIT ${NO_LIMIT}`;
}

/** §3.3 batch variant: the replicas of the given tablets, by tablet then leader first. */
export function tabletLocationsSql(tenant: string, db: string, table: string, tabletIds: readonly number[], force: boolean): string {
  return `${schemaSelect(tenant, db, table, force)} AND A.tablet_id IN (${tabletIds.join(', ')})`
    + ` ORDER BY A.tablet_id, A.role ASC LIMIT ${NO_LIMIT}`;
}

/** §3.4 part info: one row per partition key column. */
export function partitionInfoSql(tableId: number, tenant: string): string {
  return 'SELECT /*+READ_CONSISTENCY(WEAK)*/ * FROM oceanbase.__all_virtual_proxy_partition_info'
    + ` WHERE table_id = ${tableId} and tenant_name = ${sqlString(tenant)} order by part_key_idx LIMIT ${MAX_PART_KEY_NUM}`;
}

function lsIdSelect(tableId: number, tenant: string): string {
  return 'IFNULL((SELECT B.ls_id FROM oceanbase.__all_virtual_tablet_to_ls B WHERE A.tablet_id = B.tablet_id'
    + ` AND B.table_id = ${tableId} AND B.tenant_id = (SELECT tenant_id FROM oceanbase.DBA_OB_TENANTS`
    + ` WHERE tenant_name = ${sqlString(tenant)} LIMIT 1) LIMIT 1), ${INVALID_LS_ID}) as ls_id`;
}

/** §3.4 first-level partitions. */
export function partitionsSql(tableId: number, tenant: string): string {
  return `SELECT /*+READ_CONSISTENCY(WEAK)*/ A.tablet_id as tablet_id, ${lsIdSelect(tableId, tenant)},`
    + ' A.part_id as part_id, A.part_name as part_name, A.high_bound_val_bin as high_bound_val_bin,'
    + ' A.sub_part_num AS sub_part_num FROM oceanbase.__all_virtual_proxy_partition A'
    + ` WHERE A.table_id = ${tableId} AND A.tenant_name = ${sqlString(tenant)} LIMIT ${NO_LIMIT}`;
}

/** §3.4 second-level partitions (every first-level partition's own, template or not). */
export function subPartitionsSql(tableId: number, tenant: string): string {
  return `SELECT /*+READ_CONSISTENCY(WEAK)*/ A.tablet_id as tablet_id, ${lsIdSelect(tableId, tenant)},`
    + ' A.part_id as part_id, A.sub_part_id as sub_part_id, A.part_name as part_name,'
    + ' A.high_bound_val_bin as high_bound_val_bin FROM oceanbase.__all_virtual_proxy_sub_partition A'
    + ` WHERE A.table_id = ${tableId} AND A.tenant_name = ${sqlString(tenant)} LIMIT ${NO_LIMIT}`;
}
