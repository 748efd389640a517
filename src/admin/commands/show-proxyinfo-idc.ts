// SHOW PROXYINFO IDC [LIKE 'cluster'] (spec §8, §3.6): the proxy's IDC (proxy_idc_name) against each cluster.
// odp serves one cluster without a config server (rootservice_cluster_name) and knows no zones or regions of it
// yet (LDC, §5.3, is not built), so its row says MATCHED_BY_NONE with empty zone lists, in ODP's '[a, b]' form.
import type { AdminContext, AdminResult } from '../context.js';
import type { Cursor } from '../cursor.js';
import { configuredCluster } from '../common.js';
import { filterLike } from '../like.js';
import type { LikePattern } from '../like.js';
import type { AdminCommand } from '../registry.js';
import { rows } from '../results.js';

export const INFO_IDC_COLUMNS = ['global_idc_name', 'cluster_name', 'match_type', 'regions_name', 'same_idc', 'same_region', 'other_region'] as const;

export const showProxyInfoIdc: AdminCommand<LikePattern | undefined> = {
  keywords: ['SHOW', 'PROXYINFO', 'IDC'],
  syntax: "SHOW PROXYINFO IDC [LIKE 'cluster_pattern']",
  privilege: 'admin',
  parse(c: Cursor): LikePattern | undefined {
    const like = c.optionalLike();
    c.end();
    return like;
  },
  run(like: LikePattern | undefined, ctx: AdminContext): AdminResult {
    const idc = ctx.config.get('proxy_idc_name');
    const clusters = filterLike([configuredCluster(ctx)], like, (name) => name);
    return rows(INFO_IDC_COLUMNS, clusters.map((name) => [idc, name, 'MATCHED_BY_NONE', '[]', '[]', '[]', '[]']));
  },
};
