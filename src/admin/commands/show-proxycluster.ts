// SHOW PROXYCLUSTER [LIKE 'cluster'] (spec §8, §3.1): one row per server of each cluster's server list. odp
// serves one cluster without a config server: rootservice_cluster_name with the -r servers (ctx.backends);
// cluster_id is 0 (no cluster id is known for it), rs_url is obproxy_config_server_url, and role and
// replica_type are NULL because plain servers report neither.
import type { AdminContext, AdminResult } from '../context.js';
import type { Cursor } from '../cursor.js';
import { configuredCluster } from '../common.js';
import { filterLike } from '../like.js';
import type { LikePattern } from '../like.js';
import type { AdminCommand } from '../registry.js';
import { rows } from '../results.js';
import type { Row } from '../results.js';

export const CLUSTER_COLUMNS = ['cluster_name', 'cluster_id', 'rs_url', 'root_addr', 'role', 'replica_type'] as const;

export const showProxyCluster: AdminCommand<LikePattern | undefined> = {
  keywords: ['SHOW', 'PROXYCLUSTER'],
  syntax: "SHOW PROXYCLUSTER [LIKE 'cluster_pattern']",
  privilege: 'admin',
  parse(c: Cursor): LikePattern | undefined {
    const like = c.optionalLike();
    c.end();
    return like;
  },
  run(like: LikePattern | undefined, ctx: AdminContext): AdminResult {
    const cluster = configuredCluster(ctx);
    if (filterLike([cluster], like, (n) => n).length === 0) return rows(CLUSTER_COLUMNS, []);
    const url = ctx.config.get('obproxy_config_server_url');
    return rows(CLUSTER_COLUMNS, ctx.backends.map((b): Row => [cluster, '0', url, b.address, null, null]));
  },
};
