// SHOW PROXYSESSION (spec §8): one row per client session the user may see (all for root@proxysys/root@sys;
// otherwise the sessions of the same user, tenant and cluster). tid and pid are both the process id: a worker
// process is one event loop, ODP's work thread.
import type { AdminContext, AdminResult, AdminSessionView } from '../context.js';
import type { Cursor } from '../cursor.js';
import { flag, odpState, str, visibleSessions } from '../common.js';
import type { AdminCommand } from '../registry.js';
import { rows } from '../results.js';
import type { Row } from '../results.js';

export const PROXYSESSION_COLUMNS = [
  'proxy_sessid', 'Id', 'Cluster', 'Tenant', 'User', 'Host', 'db', 'trans_count', 'svr_session_count', 'state', 'tid', 'pid', 'using_ssl',
] as const;

function row(s: AdminSessionView, pid: number): Row {
  return [s.proxySessId, str(s.id), s.cluster, s.tenant, s.user, s.host, s.db, str(s.transCount), str(s.serverSessionCount),
    odpState(s), str(pid), str(pid), flag(s.usingSsl)];
}

export const showProxySession: AdminCommand<null> = {
  keywords: ['SHOW', 'PROXYSESSION'],
  syntax: 'SHOW PROXYSESSION',
  privilege: 'user',
  parse(c: Cursor): null {
    c.end();
    return null;
  },
  run(_args: null, ctx: AdminContext): AdminResult {
    return rows(PROXYSESSION_COLUMNS, visibleSessions(ctx).map((s) => row(s, ctx.pid)));
  },
};
