// ALTER PROXYCONFIG SET <name> = <value> (spec §8, §11.3). The value is an identifier, a quoted string (empty
// allowed) or an integer. ProxyConfig.alter validates it, applies it, persists it to the state file and rolls back
// on any failure, so a refused value leaves the old one in force. Password items take plaintext and store its
// SHA1 stage-1 hash; their values are never echoed back.
import { findParam, unknownParamMessage } from '../../config/params.js';
import type { AdminContext, AdminResult } from '../context.js';
import type { Cursor } from '../cursor.js';
import type { AdminCommand } from '../registry.js';
import { ok, readOnlyParameter, unknownParameter, wrongValue, writeFailed } from '../results.js';

interface Args { readonly name: string; readonly value: string }

function parseValue(c: Cursor): string {
  const t = c.peek();
  if (t.kind === 'punct' && (t.text === '-' || t.text === '+')) {
    c.acceptPunct(t.text);
    const n = c.expectInt('an integer');
    return t.text === '-' ? `-${n}` : String(n);
  }
  if (t.kind === 'number') return String(c.expectInt('an integer'));
  return c.expectName('a value: an identifier, a quoted string or an integer');
}

function okInfo(name: string, shown: string, needReboot: boolean, works: boolean): string | undefined {
  if (needReboot) return `${name} = ${shown} saved; it takes effect after a restart (need_reboot)`;
  if (!works) return `${name} = ${shown} saved; odp does not implement this parameter yet, so it has no effect`;
  return undefined;
}

export const alterProxyConfig: AdminCommand<Args> = {
  keywords: ['ALTER', 'PROXYCONFIG'],
  syntax: 'ALTER PROXYCONFIG SET <name> = <value>',
  privilege: 'admin',
  parse(c: Cursor): Args {
    c.expect('SET');
    const name = c.expectName('a parameter name');
    c.expectPunct('=');
    const value = parseValue(c);
    c.end();
    return { name, value };
  },
  run(args: Args, ctx: AdminContext): AdminResult {
    const def = findParam(args.name.trim().toLowerCase());
    if (def === undefined) return unknownParameter(unknownParamMessage(args.name));
    if (def.name === 'app_name') return readOnlyParameter('app_name cannot be changed while running; restart with -n');
    const result = ctx.config.alter(def.name, args.value);
    if (!result.ok) {
      return result.error.startsWith('cannot save') ? writeFailed(result.error) : wrongValue(result.error);
    }
    const shown = def.format === 'password' ? '(password)' : `'${args.value}'`;
    const text = okInfo(def.name, shown, result.needReboot, def.status === 'works');
    return ok(text, 0);
  },
};
