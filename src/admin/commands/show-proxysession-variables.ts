// SHOW PROXYSESSION VARIABLES [ALL] [id] [LIKE 'pat'] (spec §8): a session's changed (ALL: all) system variables
// and its user variables. odp does not track session variables yet (spec §6.2 is future work), so the result has
// ODP's columns and no rows; the session and the privilege are still checked so errors match ODP's.
import type { AdminContext, AdminResult } from '../context.js';
import type { Cursor } from '../cursor.js';
import { targetSession } from '../common.js';
import type { AdminCommand } from '../registry.js';
import { rows, unknownSession } from '../results.js';
import { parseSessionArgs } from './session-args.js';
import type { SessionArgs } from './session-args.js';

export const VARIABLES_COLUMNS = ['variable_name', 'value', 'info', 'modified_type', 'sys_variable_flag'] as const;

interface Args extends SessionArgs { readonly all: boolean }

export const showProxySessionVariables: AdminCommand<Args> = {
  keywords: ['SHOW', 'PROXYSESSION', 'VARIABLES'],
  syntax: "SHOW PROXYSESSION VARIABLES [ALL] [id] [LIKE 'pattern']",
  privilege: 'user',
  parse(c: Cursor): Args {
    const all = c.accept('ALL');
    return { all, ...parseSessionArgs(c) };
  },
  run(args: Args, ctx: AdminContext): AdminResult {
    if (targetSession(ctx, args.id) === undefined) return unknownSession(args.id ?? ctx.currentSessionId);
    return rows(VARIABLES_COLUMNS, []);
  },
};
