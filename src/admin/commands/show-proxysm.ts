// SHOW PROXYSM [sm_id] (spec §8). In odp each client session drives its requests itself (no separate state
// machine object), so a session is its own SM: sm_id = cs_id. ss_id is NULL: odp does not number server
// sessions yet. Admin only.
import type { AdminContext, AdminResult, AdminSessionView } from '../context.js';
import type { Cursor } from '../cursor.js';
import { configuredCluster, str } from '../common.js';
import type { AdminCommand } from '../registry.js';
import { rows } from '../results.js';
import type { Row } from '../results.js';

export const PROXYSM_COLUMNS = ['sm_id', 'ss_id', 'server_sessid', 'server_host', 'cs_id', 'proxy_sessid', 'cluster_name', 'sm_info'] as const;

function smInfo(s: AdminSessionView): string {
  const cmd = s.currentCommand === null ? '' : ` command=${s.currentCommand}`;
  return `state=${s.state}${cmd} in_trans=${s.inTransaction ? 'true' : 'false'}`;
}

function row(s: AdminSessionView, cluster: string): Row {
  return [str(s.id), null, s.serverConnectionId === null ? null : str(s.serverConnectionId), s.serverAddress, str(s.id),
    s.proxySessId, s.cluster ?? cluster, smInfo(s)];
}

export const showProxySm: AdminCommand<number | undefined> = {
  keywords: ['SHOW', 'PROXYSM'],
  syntax: 'SHOW PROXYSM [sm_id]',
  privilege: 'admin',
  parse(c: Cursor): number | undefined {
    const id = c.optionalInt();
    c.end();
    return id;
  },
  run(id: number | undefined, ctx: AdminContext): AdminResult {
    const cluster = configuredCluster(ctx);
    const list = [...ctx.sessions()].filter((s) => id === undefined || s.id === id).sort((a, b) => a.id - b.id);
    return rows(PROXYSM_COLUMNS, list.map((s) => row(s, cluster)));
  },
};
