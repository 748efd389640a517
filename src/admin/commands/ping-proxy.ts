// PING PROXY (spec §8): an OK packet if the proxy is alive. Anyone may run it, inspector@proxysys included.
import type { AdminContext, AdminResult } from '../context.js';
import type { Cursor } from '../cursor.js';
import type { AdminCommand } from '../registry.js';
import { ok } from '../results.js';

export const pingProxy: AdminCommand<null> = {
  keywords: ['PING', 'PROXY'],
  syntax: 'PING PROXY',
  privilege: 'ping',
  parse(c: Cursor): null {
    c.end();
    return null;
  },
  run(_args: null, _ctx: AdminContext): AdminResult {
    return ok();
  },
};
