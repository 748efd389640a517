// SHOW PROXYCLUSTER IDC [LIKE 'cluster'] (spec §8, §3.6): the IDC list of each cluster (from a config server).
// odp has no config server client yet, so no cluster has an IDC list: ODP's columns, no rows.
import type { AdminContext, AdminResult } from '../context.js';
import type { Cursor } from '../cursor.js';
import type { AdminCommand } from '../registry.js';
import { rows } from '../results.js';

export const CLUSTER_IDC_COLUMNS = ['cluster_name', 'cluster_id', 'idc_url', 'idc', 'region'] as const;

export const showProxyClusterIdc: AdminCommand<null> = {
  keywords: ['SHOW', 'PROXYCLUSTER', 'IDC'],
  syntax: "SHOW PROXYCLUSTER IDC [LIKE 'cluster_pattern']",
  privilege: 'admin',
  parse(c: Cursor): null {
    c.optionalLike();
    c.end();
    return null;
  },
  run(_args: null, _ctx: AdminContext): AdminResult {
    return rows(CLUSTER_IDC_COLUMNS, []);
  },
};
