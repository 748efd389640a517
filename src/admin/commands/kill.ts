// KILL [CONNECTION | QUERY] id (spec §6.5). KILL [CONNECTION] closes client session `id`: any user may close
// their own sessions (same user, tenant, cluster), root@proxysys and root@sys any session. KILL QUERY needs the
// server-side rewrite of §6.5 (kill the statement on the session's server), which odp does not do yet.
import type { AdminContext, AdminResult } from '../context.js';
import type { Cursor } from '../cursor.js';
import { canSee } from '../common.js';
import type { AdminCommand } from '../registry.js';
import { notOwner, notSupported, ok, unknownSession } from '../results.js';

interface Args { readonly query: boolean; readonly id: number }

export const kill: AdminCommand<Args> = {
  keywords: ['KILL'],
  syntax: 'KILL [CONNECTION | QUERY] id',
  privilege: 'user',
  parse(c: Cursor): Args {
    const query = c.accept('QUERY');
    if (!query) c.accept('CONNECTION');
    const id = c.expectInt('a connection id');
    c.end();
    return { query, id };
  },
  run(args: Args, ctx: AdminContext): AdminResult {
    if (args.query) return notSupported('KILL QUERY');
    const target = ctx.session(args.id);
    if (target === undefined) return unknownSession(args.id);
    if (!canSee(ctx.currentUser, target)) return notOwner(args.id);
    return ctx.killSession(args.id) ? ok() : unknownSession(args.id);
  },
};
