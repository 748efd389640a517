// SHOW PROXYCONGESTION [ALL] [cluster] (spec §8, §7.1). Congestion control (§7) is not built yet: the rows are
// the backends odp knows (mysql mode: the -r servers) with their live up/down state; a server that is down counts
// as dead-congested. Without ALL only congested servers are listed, as in ODP. Failure counters are 0 and their
// times NULL until congestion tracking exists; zone/region columns are NULL (plain MySQL servers have none).
import type { AdminContext, AdminResult } from '../context.js';
import type { Cursor } from '../cursor.js';
import { configuredCluster } from '../common.js';
import type { AdminCommand } from '../registry.js';
import { rows } from '../results.js';
import type { Row } from '../results.js';

export const CONGESTION_COLUMNS = [
  'cluster_name', 'zone_name', 'region_name', 'zone_state', 'server_ip', 'cr_version', 'server_state', 'alive_congested',
  'last_alive_congested', 'dead_congested', 'last_dead_congested', 'stat_alive_failures', 'stat_conn_failures',
  'conn_last_fail_time', 'conn_failure_events', 'alive_last_fail_time', 'alive_failure_events', 'ref_count',
  'detect_congested', 'last_detect_congested',
] as const;

interface Args { readonly all: boolean; readonly cluster: string | undefined }

function row(cluster: string, b: { address: string; up: boolean }): Row {
  return [cluster, null, null, null, b.address, null, b.up ? 'ACTIVE' : 'INACTIVE', '0', null, b.up ? '0' : '1', null,
    '0', '0', null, '0', null, '0', '0', '0', null];
}

export const showProxyCongestion: AdminCommand<Args> = {
  keywords: ['SHOW', 'PROXYCONGESTION'],
  syntax: 'SHOW PROXYCONGESTION [ALL] [cluster_name]',
  privilege: 'admin',
  parse(c: Cursor): Args {
    const all = c.accept('ALL');
    const cluster = c.optionalName();
    c.end();
    return { all, cluster };
  },
  run(args: Args, ctx: AdminContext): AdminResult {
    const cluster = configuredCluster(ctx);
    if (args.cluster !== undefined && args.cluster !== cluster) return rows(CONGESTION_COLUMNS, []);
    const list = ctx.backends.filter((b) => args.all || !b.up);
    return rows(CONGESTION_COLUMNS, list.map((b) => row(cluster, b)));
  },
};
