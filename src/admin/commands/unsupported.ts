// ODP internal commands odp does not implement yet (spec §8's auxiliary commands). They are recognized so that a
// root user gets ER_NOT_SUPPORTED_YET naming the command instead of having the statement sent to a server.
import type { AdminContext, AdminResult } from '../context.js';
import type { Cursor } from '../cursor.js';
import type { AdminCommand } from '../registry.js';
import { notSupported } from '../results.js';

function unsupported(keywords: readonly string[], syntax: string): AdminCommand<null> {
  return {
    keywords,
    syntax,
    privilege: 'admin',
    parse(c: Cursor): null {
      c.skipRest();
      return null;
    },
    run(_args: null, _ctx: AdminContext): AdminResult {
      return notSupported(keywords.join(' '));
    },
  };
}

export const UNSUPPORTED: readonly AdminCommand<null>[] = [
  unsupported(['SHOW', 'PROXYSESSION', 'READ_STALE'], "SHOW PROXYSESSION READ_STALE [LIKE 'pattern']"),
  unsupported(['SHOW', 'PROXYINFO', 'UPGRADE'], 'SHOW PROXYINFO UPGRADE'),
  unsupported(['SHOW', 'PROXYMEMORY', 'OBJPOOL'], 'SHOW PROXYMEMORY OBJPOOL [id]'),
  unsupported(['SHOW', 'PROXYVIP'], 'SHOW PROXYVIP [name]'),
  unsupported(['SHOW', 'SQLAUDIT'], 'SHOW SQLAUDIT ...'),
  unsupported(['SHOW', 'WARNLOG'], 'SHOW WARNLOG ...'),
  unsupported(['SHOW', 'PROXYTRACE'], 'SHOW PROXYTRACE ...'),
  unsupported(['SHOW', 'GLOBALSESSION'], "SHOW GLOBALSESSION [ATTRIBUTE [ALL | 'dbkey']]"),
  unsupported(['KILL', 'GLOBALSESSION'], 'KILL GLOBALSESSION dbkey [id]'),
];
