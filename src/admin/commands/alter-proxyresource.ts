// ALTER PROXYRESOURCE DELETE 'cluster' (spec §8): drops a cluster resource so it is rebuilt on next use. odp keeps
// no cluster resources yet (SHOW PROXYRESOURCE is empty), so there is never anything to drop: OK, 0 rows affected,
// and the info text says so.
import type { AdminContext, AdminResult } from '../context.js';
import type { Cursor } from '../cursor.js';
import type { AdminCommand } from '../registry.js';
import { ok } from '../results.js';

export const alterProxyResource: AdminCommand<string> = {
  keywords: ['ALTER', 'PROXYRESOURCE'],
  syntax: "ALTER PROXYRESOURCE DELETE 'cluster_name'",
  privilege: 'admin',
  parse(c: Cursor): string {
    c.expect('DELETE');
    const cluster = c.expectName('a cluster name');
    c.end();
    return cluster;
  },
  run(cluster: string, _ctx: AdminContext): AdminResult {
    return ok(`no cluster resource '${cluster}' to delete: odp keeps no cluster resources yet`, 0);
  },
};
