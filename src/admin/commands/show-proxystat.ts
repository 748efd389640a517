// SHOW PROXYSTAT [REFRESH] [LIKE 'pat'] (spec §8): the proxy's counters from ctx.stats(), in their order.
// REFRESH first calls ctx.refreshStats(). persist_type is ODP's: PERSISTENT for the counters ODP registers as
// persistent (the names below), NULL for the others.
import type { AdminContext, AdminResult } from '../context.js';
import type { Cursor } from '../cursor.js';
import { filterLike } from '../like.js';
import type { LikePattern } from '../like.js';
import type { AdminCommand } from '../registry.js';
import { rows } from '../results.js';
import type { Row } from '../results.js';

export const PROXYSTAT_COLUMNS = ['stat_name', 'value', 'persist_type'] as const;

/** Stats ODP registers with RECP_PERSISTENT (obproxy stat/ob_mysql_stats.cpp). */
const PERSISTENT: ReadonlySet<string> = new Set([
  'total_transaction_count', 'total_user_transaction_count', 'total_query_count', 'total_client_request_reread_count',
  'total_server_response_reread_count', 'current_client_connections', 'current_client_transactions',
  'current_server_transactions', 'dummy_entry_expired_count', 'total_internal_client_connections',
  'current_server_connections', 'vip_to_tenant_cache_hit', 'vip_to_tenant_cache_miss', 'local_session_state_requests',
  'broken_server_connections', 'send_saved_login_requests', 'send_last_insert_id_requests', 'total_transactions_time',
]);

interface Args { readonly refresh: boolean; readonly like: LikePattern | undefined }

export const showProxyStat: AdminCommand<Args> = {
  keywords: ['SHOW', 'PROXYSTAT'],
  syntax: "SHOW PROXYSTAT [REFRESH] [LIKE 'pattern']",
  privilege: 'admin',
  parse(c: Cursor): Args {
    const refresh = c.accept('REFRESH');
    const like = c.optionalLike();
    c.end();
    return { refresh, like };
  },
  run(args: Args, ctx: AdminContext): AdminResult {
    if (args.refresh) ctx.refreshStats();
    const list = filterLike(ctx.stats(), args.like, ([name]) => name);
    return rows(PROXYSTAT_COLUMNS, list.map(([name, value]): Row => [name, String(value), PERSISTENT.has(name) ? 'PERSISTENT' : 'NULL']));
  },
};
