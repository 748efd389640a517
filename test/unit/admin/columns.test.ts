// Every SHOW command's columns against spec §8's table. The expected lists are copied here from the spec text
// (not imported from the code under test); ROUTINE's "routine_num (type)" is read as the column routine_type and
// the abbreviated time columns are spelled out.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeContext, rowsOf } from './helpers.js';

const TIMES = ['create_time', 'last_valid_time', 'last_access_time', 'last_update_time', 'expire_time', 'relative_expire_time'];

const SPEC: readonly (readonly [sql: string, columns: readonly string[]])[] = [
  ['SHOW PROXYCONFIG', ['name', 'value', 'info', 'need_reboot', 'visible_level', 'range', 'config_level']],
  ["SHOW PROXYCONFIG LIKE 'listen%'", ['name', 'value', 'info', 'need_reboot', 'visible_level', 'range', 'config_level']],
  ['SHOW PROXYCONFIG DIFF', ['name', 'value', 'info', 'need_reboot', 'visible_level', 'range', 'config_level']],
  ['SHOW PROXYCONFIG DIFF USER', ['name', 'value', 'info', 'need_reboot', 'visible_level', 'range', 'config_level']],
  ['SHOW PROXYCONFIG ALL', ['vid', 'vip', 'vport', 'tenant_name', 'cluster_name', 'name', 'value', 'config_level']],
  ['SHOW PROCESSLIST', ['Id', 'Tenant', 'User', 'Host', 'db', 'trans_count', 'svr_session_count', 'state', 'tid', 'pid']],
  ['SHOW PROXYSESSION', ['proxy_sessid', 'Id', 'Cluster', 'Tenant', 'User', 'Host', 'db', 'trans_count', 'svr_session_count',
    'state', 'tid', 'pid', 'using_ssl']],
  ['SHOW PROXYSESSION ATTRIBUTE', ['attribute_name', 'value', 'info']],
  ['SHOW PROXYSESSION VARIABLES', ['variable_name', 'value', 'info', 'modified_type', 'sys_variable_flag']],
  ['SHOW PROXYSESSION VARIABLES ALL', ['variable_name', 'value', 'info', 'modified_type', 'sys_variable_flag']],
  ['SHOW PROXYSESSION STAT', ['stat_name', 'value']],
  ['SHOW PROXYSM', ['sm_id', 'ss_id', 'server_sessid', 'server_host', 'cs_id', 'proxy_sessid', 'cluster_name', 'sm_info']],
  ['SHOW PROXYNET THREAD', ['net_thread_id', 'current_connection_count', 'current_client_connection_count',
    'global_current_client_connection_count', 'global_current_connection_count', 'global_current_do_accept_count',
    'total_epoll_wait', 'last_epoll_size', 'total_cop_lock_failure', 'total_lru_timeout_count', 'total_lru_timeout_time-sec',
    'total_set_default_inactive', 'total_calls_read_from_net', 'total_calls_read', 'total_calls_read_nodata', 'total_read_bytes',
    'total_calls_write_to_net', 'total_calls_write', 'total_calls_write_nodata', 'total_write_bytes', 'protected_queue_al_size',
    'protected_queue_local_size', 'priority_queue_size']],
  ['SHOW PROXYNET CONNECTION', ['thread_id', 'connect_id', 'socket_fd', 'type', 'src_ip', 'src_port', 'dst_ip', 'dst_port',
    'virtual_ip', 'virtual_port', 'virtual_vid', 'bind_style', 'read_enabled', 'read_nbytes', 'read_ndone', 'write_enabled',
    'write_nbyte', 'write_ndone', 'alive_time(sec)', 'activity_timeout_in(sec)', 'inactivity_timeout_in(sec)',
    'timeout_close_in(sec)', 'last_error_no', 'shutdown', 'comments']],
  ['SHOW PROXYSTAT', ['stat_name', 'value', 'persist_type']],
  ['SHOW PROXYSTAT REFRESH', ['stat_name', 'value', 'persist_type']],
  ['SHOW PROXYCONGESTION', ['cluster_name', 'zone_name', 'region_name', 'zone_state', 'server_ip', 'cr_version', 'server_state',
    'alive_congested', 'last_alive_congested', 'dead_congested', 'last_dead_congested', 'stat_alive_failures',
    'stat_conn_failures', 'conn_last_fail_time', 'conn_failure_events', 'alive_last_fail_time', 'alive_failure_events',
    'ref_count', 'detect_congested', 'last_detect_congested']],
  ['SHOW PROXYROUTE', ['cluster_name', 'tenant_name', 'database_name', 'table_name', 'state', 'partition_num', 'replica_num',
    'table_id', 'cluster_version', 'schema_version', 'from_rslist', ...TIMES, 'server']],
  ['SHOW PROXYROUTE PARTITION', ['table_id', 'partition_id', 'state', 'cluster_version', 'schema_version', ...TIMES, 'server']],
  ['SHOW PROXYROUTE ROUTINE', ['cluster_name', 'tenant_name', 'database_name', 'package_name', 'routine_name', 'state',
    'routine_type', 'routine_id', 'cluster_version', 'schema_version', ...TIMES, 'route_sql']],
  ['SHOW PROXYROUTE GLOBALINDEX', ['table_id', 'data_table_id', 'index_table_name', 'state', 'cluster_version', 'schema_version',
    ...TIMES]],
  ['SHOW PROXYINFO BINARY', ['name', 'info']],
  ['SHOW PROXYINFO IDC', ['global_idc_name', 'cluster_name', 'match_type', 'regions_name', 'same_idc', 'same_region', 'other_region']],
  ['SHOW PROXYCLUSTER IDC', ['cluster_name', 'cluster_id', 'idc_url', 'idc', 'region']],
  ['SHOW PROXYCLUSTER', ['cluster_name', 'cluster_id', 'rs_url', 'root_addr', 'role', 'replica_type']],
  ['SHOW PROXYRESOURCE', ['cluster_name', 'cluster_id', 'state', 'version', 'ref_count', 'last_access_time_ns',
    'last_access_time', 'deleting_completed_thread_num', 'fetch_rs_list_task_count', 'last_fetch_rs_list_time_ns',
    'last_fetch_rs_list_time', 'fetch_idc_list_task_count', 'last_fetch_idc_list_time_ns', 'last_fetch_idc_list_time']],
  ['SHOW PROXYMEMORY', ['mod_name', 'mod_type', 'hold', 'used', 'count', 'avg_used']],
  ['SELECT proxy_version()', ['proxy_version()']],
];

void describe('columns are exactly those of spec §8', () => {
  for (const [sql, columns] of SPEC) {
    void test(sql, () => {
      const r = rowsOf(fakeContext(), sql);
      assert.deepEqual(r.columns, columns);
      for (const row of r.rows) assert.equal(row.length, columns.length, `row width of ${sql}`);
    });
  }
});
