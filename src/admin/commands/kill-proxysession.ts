// KILL PROXYSESSION cs_id [ss_id] (spec §8): closes a client session. Closing only one of its server sessions
// (the ss_id form) needs server-session ids, which odp does not assign yet: that form is refused as not supported.
import type { AdminContext, AdminResult } from '../context.js';
import type { Cursor } from '../cursor.js';
import type { AdminCommand } from '../registry.js';
import { notSupported, ok, unknownSession } from '../results.js';

interface Args { readonly csId: number; readonly ssId: number | undefined }

export const killProxySession: AdminCommand<Args> = {
  keywords: ['KILL', 'PROXYSESSION'],
  syntax: 'KILL PROXYSESSION cs_id [ss_id]',
  privilege: 'admin',
  parse(c: Cursor): Args {
    const csId = c.expectInt('a client session id');
    const ssId = c.optionalInt();
    c.end();
    return { csId, ssId };
  },
  run(args: Args, ctx: AdminContext): AdminResult {
    if (args.ssId !== undefined) return notSupported('KILL PROXYSESSION cs_id ss_id');
    return ctx.killSession(args.csId) ? ok() : unknownSession(args.csId);
  },
};
