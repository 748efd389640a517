// SHOW PROXYRESOURCE [LIKE 'cluster'] (spec §8, §3.1): the cluster resources (per-cluster metadata built from a
// config server or rslist). odp builds none yet: in mysql mode the -r list is used directly. ODP's columns, no rows.
import type { AdminContext, AdminResult } from '../context.js';
import type { Cursor } from '../cursor.js';
import type { AdminCommand } from '../registry.js';
import { rows } from '../results.js';

export const RESOURCE_COLUMNS = [
  'cluster_name', 'cluster_id', 'state', 'version', 'ref_count', 'last_access_time_ns', 'last_access_time',
  'deleting_completed_thread_num', 'fetch_rs_list_task_count', 'last_fetch_rs_list_time_ns', 'last_fetch_rs_list_time',
  'fetch_idc_list_task_count', 'last_fetch_idc_list_time_ns', 'last_fetch_idc_list_time',
] as const;

export const showProxyResource: AdminCommand<null> = {
  keywords: ['SHOW', 'PROXYRESOURCE'],
  syntax: "SHOW PROXYRESOURCE [LIKE 'cluster_pattern']",
  privilege: 'admin',
  parse(c: Cursor): null {
    c.optionalLike();
    c.end();
    return null;
  },
  run(_args: null, _ctx: AdminContext): AdminResult {
    return rows(RESOURCE_COLUMNS, []);
  },
};
