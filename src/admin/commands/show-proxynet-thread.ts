// SHOW PROXYNET THREAD (spec §8): one row per net thread. A worker process is one event loop, so there is one
// row, net_thread_id 0. Connection counts are computed from the live sessions (each client connection plus its
// server connections); the per-thread I/O counters are read from ctx.stats() as `net_<column>` and are 0 until
// the session layer counts them.
import type { AdminContext, AdminResult } from '../context.js';
import type { Cursor } from '../cursor.js';
import { str } from '../common.js';
import type { AdminCommand } from '../registry.js';
import { rows } from '../results.js';

export const NET_THREAD_COLUMNS = [
  'net_thread_id', 'current_connection_count', 'current_client_connection_count', 'global_current_client_connection_count',
  'global_current_connection_count', 'global_current_do_accept_count', 'total_epoll_wait', 'last_epoll_size',
  'total_cop_lock_failure', 'total_lru_timeout_count', 'total_lru_timeout_time-sec', 'total_set_default_inactive',
  'total_calls_read_from_net', 'total_calls_read', 'total_calls_read_nodata', 'total_read_bytes', 'total_calls_write_to_net',
  'total_calls_write', 'total_calls_write_nodata', 'total_write_bytes', 'protected_queue_al_size', 'protected_queue_local_size',
  'priority_queue_size',
] as const;

/** The columns computed here; every other column after them is a counter from ctx.stats(). */
const COMPUTED = 6;

export const showProxyNetThread: AdminCommand<null> = {
  keywords: ['SHOW', 'PROXYNET', 'THREAD'],
  syntax: 'SHOW PROXYNET THREAD',
  privilege: 'admin',
  parse(c: Cursor): null {
    c.end();
    return null;
  },
  run(_args: null, ctx: AdminContext): AdminResult {
    let clients = 0;
    let servers = 0;
    for (const s of ctx.sessions()) {
      clients++;
      servers += s.serverSessionCount;
    }
    const stats = ctx.stats();
    const counters = NET_THREAD_COLUMNS.slice(COMPUTED).map((col) => str(stats.get(`net_${col}`) ?? 0));
    const accept = str(stats.get('global_current_do_accept_count') ?? 0);
    const all = str(clients + servers);
    return rows(NET_THREAD_COLUMNS, [['0', all, str(clients), str(clients), all, accept, ...counters]]);
  },
};
