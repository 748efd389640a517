// The metadata SQL ODP sends to an OceanBase 4.x cluster for its cluster resource (spec §3.2, §3.3). The text is an
// interface fact and is reproduced exactly as the spec gives it (hint spelling included: the server/zone bootstrap
// query carries `/*READ_CONSISTENCY(WEAK)*/` without '+', as ODP sends it). `<INT64_MAX>` is 2^63-1. Pure.

const INT64_MAX = '9223372036854775807';

/** Version check (spec §3.2): one row, column cluster_version, e.g. '4.3.5.3'. */
export const VERSION_SQL = 'SELECT ob_version() AS cluster_version';

/** Initial server + zone list, V4 (spec §3.2). One row per server, joined with its zone and the cluster name. */
export const SERVER_ZONE_INIT_SQL =
  'SELECT /*READ_CONSISTENCY(WEAK)*/ parameters.value as cluster, zs.zone AS zone, zs.status AS zone_status, ' +
  'ss.status AS server_status, zs.region AS region, zs.idc AS spare4, zs.type AS spare5, ' +
  'ss.svr_ip AS svr_ip, ss.sql_port AS svr_port, ss.svr_port AS rpc_port, ' +
  'ss.start_service_time is not null AS start_service_time, ss.stop_time is not null as stop_time ' +
  'FROM oceanbase.DBA_OB_SERVERS ss left join oceanbase.DBA_OB_ZONES zs ON zs.zone = ss.zone ' +
  'join V$OB_PARAMETERS parameters ' +
  `WHERE ss.svr_port > 0 and parameters.name = 'cluster' ORDER BY ss.zone LIMIT ${INT64_MAX};`;

/** Periodic zone refresh, V4 (spec §3.2): spare4 = IDC, spare5 = zone type. */
export const ZONES_SQL =
  'SELECT /*+READ_CONSISTENCY(WEAK)*/ zone, status, 0 AS is_merging, region, idc AS spare4, type AS spare5 ' +
  `FROM oceanbase.DBA_OB_ZONES LIMIT ${INT64_MAX}`;

/** Periodic server refresh, V4 (spec §3.2): svr_port is the SQL port, rpc_port the RPC port. */
export const SERVERS_SQL =
  'SELECT /*+READ_CONSISTENCY(WEAK)*/ svr_ip, svr_port AS rpc_port, sql_port AS svr_port, zone, status, ' +
  'start_service_time is not null AS start_service_time, stop_time is not null as stop_time ' +
  `FROM oceanbase.DBA_OB_SERVERS WHERE svr_port > 0 ORDER BY zone LIMIT ${INT64_MAX}`;

/**
 * Tenant list (spec §3.2). Leaves out the sys tenant (tenant_id 1) and tenants whose locality is changing
 * (previous_locality not null): a tenant missing from this list is not necessarily gone.
 */
export const TENANTS_SQL =
  'SELECT /*+READ_CONSISTENCY(WEAK)*/ tenant_name, tenant_id, locality, previous_locality, primary_zone, status ' +
  'FROM oceanbase.DBA_OB_TENANTS where previous_locality is null and tenant_id != 1';

/**
 * The cluster id. Not in the spec (ODP takes it from the config server or the login name); OceanBase 4.x has a
 * `cluster_id` parameter. Optional: a failure leaves the id unknown.
 */
export const CLUSTER_ID_SQL = "SELECT value AS cluster_id FROM oceanbase.V$OB_PARAMETERS WHERE name = 'cluster_id' LIMIT 1";

/** A tenant name inside '...' (spec §3.3: `'` -> `''`, `\` -> `\\`). */
export function escapeTenant(name: string): string {
  return name.replace(/\\/g, '\\\\').replace(/'/g, "''");
}

/** The tenant's server list: the table entry of `oceanbase.__all_dummy`, V4 (spec §3.3). */
export function dummyEntrySql(tenant: string): string {
  return 'SELECT /*+READ_CONSISTENCY(WEAK)*/ A.*, B.svr_port as svr_port ' +
    'FROM oceanbase.__all_virtual_proxy_schema A inner join oceanbase.DBA_OB_SERVERS B ' +
    'ON A.svr_ip = B.svr_ip and A.sql_port = B.sql_port ' +
    `WHERE A.tenant_name = '${escapeTenant(tenant)}' AND A.database_name = 'oceanbase' AND A.table_name = '__all_dummy' ` +
    `AND A.sql_port > 0 ORDER BY A.tablet_id ASC, role ASC LIMIT ${INT64_MAX}`;
}
