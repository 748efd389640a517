// The admin command interface and its registry (STYLE.md habit 10). A command is selected by its leading
// keywords; the longest registered keyword sequence that prefixes the statement wins, so `SHOW PROXYSESSION
// ATTRIBUTE` and `SHOW PROXYSESSION` can both be registered. Registering the same keywords twice throws.
import type { AdminContext, AdminResult } from './context.js';
import type { Cursor } from './cursor.js';
import type { Token } from './lexer.js';

/**
 * Who may run a command (spec §8):
 * - 'ping': everyone, inspector@proxysys included;
 * - 'user': every user but inspector@proxysys; what a non-admin sees is limited by the command (own sessions);
 * - 'admin': root@proxysys and root@sys only.
 */
export type Privilege = 'ping' | 'user' | 'admin';

export interface AdminCommand<A> {
  /** Leading keywords, upper case, e.g. ['SHOW', 'PROXYCONFIG']. */
  readonly keywords: readonly string[];
  /** The full syntax, for documentation and tests. */
  readonly syntax: string;
  readonly privilege: Privilege;
  /** Reads the rest of the statement (after the keywords) up to its end; throws AdminSyntaxError. Pure. */
  parse(c: Cursor): A;
  /** Runs the command against live state. Never called without the privilege. */
  run(args: A, ctx: AdminContext): AdminResult;
}

/** What the registry stores: a command whose argument type is its own business. */
export type AnyAdminCommand = AdminCommand<unknown>;

export class AdminRegistry {
  private readonly byKey = new Map<string, AnyAdminCommand>();
  private longest = 0;

  register<A>(cmd: AdminCommand<A>): void {
    const key = cmd.keywords.join(' ');
    if (cmd.keywords.length === 0 || cmd.keywords.some((k) => k !== k.toUpperCase() || k.includes(' '))) {
      throw new Error(`admin registry: bad keywords [${cmd.keywords.join(', ')}]`);
    }
    if (this.byKey.has(key)) throw new Error(`admin registry: '${key}' registered twice`);
    this.byKey.set(key, cmd as AnyAdminCommand);
    this.longest = Math.max(this.longest, cmd.keywords.length);
  }

  /** The command selected by the leading words of `tokens`, and the index of the first token after them. */
  lookup(tokens: readonly Token[]): { command: AnyAdminCommand; next: number } | undefined {
    const words: string[] = [];
    for (const t of tokens) {
      if (t.kind !== 'word' || words.length === this.longest) break;
      words.push(t.text.toUpperCase());
    }
    for (let n = words.length; n > 0; n--) {
      const command = this.byKey.get(words.slice(0, n).join(' '));
      if (command !== undefined) return { command, next: n };
    }
    return undefined;
  }

  commands(): Iterable<AnyAdminCommand> {
    return this.byKey.values();
  }
}
