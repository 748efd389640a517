// SELECT proxy_version() (spec §8): one row, one column named as the expression, the odp version.
import type { AdminContext, AdminResult } from '../context.js';
import type { Cursor } from '../cursor.js';
import type { AdminCommand } from '../registry.js';
import { rows } from '../results.js';

export const selectProxyVersion: AdminCommand<null> = {
  keywords: ['SELECT', 'PROXY_VERSION'],
  syntax: 'SELECT proxy_version()',
  privilege: 'user',
  parse(c: Cursor): null {
    c.expectPunct('(');
    c.expectPunct(')');
    c.end();
    return null;
  },
  run(_args: null, ctx: AdminContext): AdminResult {
    return rows(['proxy_version()'], [[ctx.version]]);
  },
};
