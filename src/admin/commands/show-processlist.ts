// SHOW PROCESSLIST, the proxy's view (spec §8, §6.5): ODP's ten columns, one row per visible client session.
// Whether a given user's SHOW PROCESSLIST is answered here or forwarded to the server is the session's decision.
import type { AdminContext, AdminResult, AdminSessionView } from '../context.js';
import type { Cursor } from '../cursor.js';
import { odpState, str, visibleSessions } from '../common.js';
import type { AdminCommand } from '../registry.js';
import { rows } from '../results.js';
import type { Row } from '../results.js';

export const PROCESSLIST_COLUMNS = ['Id', 'Tenant', 'User', 'Host', 'db', 'trans_count', 'svr_session_count', 'state', 'tid', 'pid'] as const;

function row(s: AdminSessionView, pid: number): Row {
  return [str(s.id), s.tenant, s.user, s.host, s.db, str(s.transCount), str(s.serverSessionCount), odpState(s), str(pid), str(pid)];
}

export const showProcesslist: AdminCommand<null> = {
  keywords: ['SHOW', 'PROCESSLIST'],
  syntax: 'SHOW PROCESSLIST',
  privilege: 'user',
  parse(c: Cursor): null {
    c.end();
    return null;
  },
  run(_args: null, ctx: AdminContext): AdminResult {
    return rows(PROCESSLIST_COLUMNS, visibleSessions(ctx).map((s) => row(s, ctx.pid)));
  },
};
