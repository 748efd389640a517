// SHOW PROXYSESSION STAT [id] [LIKE 'pat'] (spec §8): per-session counters, under ODP's stat names for the
// counters odp keeps per session.
import type { AdminContext, AdminResult, AdminSessionView } from '../context.js';
import { str, targetSession } from '../common.js';
import { filterLike } from '../like.js';
import type { AdminCommand } from '../registry.js';
import { rows, unknownSession } from '../results.js';
import type { Row } from '../results.js';
import { parseSessionArgs } from './session-args.js';
import type { SessionArgs } from './session-args.js';

export const SESSION_STAT_COLUMNS = ['stat_name', 'value'] as const;

function stats(s: AdminSessionView): Row[] {
  return [
    ['total_transaction_count', str(s.transCount)],
    ['client_requests', str(s.requests)],
    ['client_request_total_size', str(s.bytesFromClient)],
    ['client_response_total_size', str(s.bytesToClient)],
    ['current_server_connections', str(s.serverSessionCount)],
  ];
}

export const showProxySessionStat: AdminCommand<SessionArgs> = {
  keywords: ['SHOW', 'PROXYSESSION', 'STAT'],
  syntax: "SHOW PROXYSESSION STAT [id] [LIKE 'pattern']",
  privilege: 'user',
  parse: parseSessionArgs,
  run(args: SessionArgs, ctx: AdminContext): AdminResult {
    const s = targetSession(ctx, args.id);
    if (s === undefined) return unknownSession(args.id ?? ctx.currentSessionId);
    return rows(SESSION_STAT_COLUMNS, filterLike(stats(s), args.like, (r) => r[0] ?? ''));
  },
};
