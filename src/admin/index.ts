// Entry points of the admin commands (spec §8) for the session layer: a cheap pre-check for every COM_QUERY, and
// parse-check-run for statements that are internal commands. Commands are in ./commands, one file each.
import { buildRegistry } from './commands/index.js';
import type { AdminContext, AdminResult, AdminUser } from './context.js';
import { Cursor, isAdminSyntaxError } from './cursor.js';
import { skipBlank, tokenize, wordEnd } from './lexer.js';
import type { Privilege } from './registry.js';
import { accessDenied, internalError, resultTooLarge, syntaxError } from './results.js';
import { isPrivileged } from './common.js';

export type { AdminContext, AdminResult, AdminSessionView, AdminUser } from './context.js';
export type { Privilege } from './registry.js';

const registry = buildRegistry();

/** Case-insensitive comparison of sql[start, end) with an upper-case ASCII word, without allocating. */
function wordIs(sql: string, start: number, end: number, upper: string): boolean {
  if (end - start !== upper.length) return false;
  for (let i = 0; i < upper.length; i++) {
    if ((sql.charCodeAt(start + i) & 0xdf) !== upper.charCodeAt(i) && sql.charCodeAt(start + i) !== upper.charCodeAt(i)) return false;
  }
  return true;
}

/** Whether sql[start, end) begins with the upper-case ASCII `prefix`, case-insensitively. */
function wordStarts(sql: string, start: number, end: number, prefix: string): boolean {
  return end - start >= prefix.length && wordIs(sql, start, start + prefix.length, prefix);
}

/** Start and end of the word after offset `end` (skipping blanks and comments); empty at an unterminated comment. */
function nextWord(sql: string, end: number): { start: number; end: number } {
  const blank = skipBlank(sql, end);
  const start = blank < 0 ? sql.length : blank;
  return { start, end: wordEnd(sql, start) };
}

/** `INSERT INTO proxy_config`, `REPLACE INTO proxy_config`, `DELETE FROM proxy_config` (spec §11.3): three words. */
function isConfigTableWrite(sql: string, a: number, aEnd: number, b: number, bEnd: number): boolean {
  const into = (wordIs(sql, a, aEnd, 'INSERT') || wordIs(sql, a, aEnd, 'REPLACE')) && wordIs(sql, b, bEnd, 'INTO');
  if (!into && !(wordIs(sql, a, aEnd, 'DELETE') && wordIs(sql, b, bEnd, 'FROM'))) return false;
  const c = nextWord(sql, bEnd);
  return wordIs(sql, c.start, c.end, 'PROXY_CONFIG');
}

/**
 * Quick test on the first two words (three for the proxy_config table): could this be an internal command?
 * O(leading blanks + three words), no allocation; meant for every COM_QUERY. False positives are fine (executeAdmin
 * then returns null); a false negative would send an internal command to a server, so every registered command
 * passes it (tested).
 */
export function mayBeAdminCommand(sql: string): boolean {
  const a = skipBlank(sql, 0);
  if (a < 0) return false;
  const first = sql.charCodeAt(a) | 0x20; // lower-cased if a letter
  // s(how|elect) a(lter) k(ill) p(ing) i(nsert) r(eplace) d(elete)
  if (first !== 0x73 && first !== 0x61 && first !== 0x6b && first !== 0x70 && first !== 0x69 && first !== 0x72 && first !== 0x64) {
    return false;
  }
  const aEnd = wordEnd(sql, a);
  if (aEnd - a < 4 || aEnd - a > 7) return false;
  const { start: b, end: bEnd } = nextWord(sql, aEnd);
  if (wordIs(sql, a, aEnd, 'KILL')) return true;
  if (isConfigTableWrite(sql, a, aEnd, b, bEnd)) return true;
  if (wordIs(sql, a, aEnd, 'SHOW')) {
    return wordStarts(sql, b, bEnd, 'PROXY') || wordIs(sql, b, bEnd, 'PROCESSLIST') || wordIs(sql, b, bEnd, 'SQLAUDIT') ||
      wordIs(sql, b, bEnd, 'WARNLOG') || wordIs(sql, b, bEnd, 'GLOBALSESSION');
  }
  if (wordIs(sql, a, aEnd, 'ALTER')) return wordStarts(sql, b, bEnd, 'PROXY');
  if (wordIs(sql, a, aEnd, 'PING')) return wordIs(sql, b, bEnd, 'PROXY');
  if (wordIs(sql, a, aEnd, 'SELECT')) return wordIs(sql, b, bEnd, 'PROXY_VERSION');
  return false;
}

function allowed(p: Privilege, u: AdminUser): boolean {
  switch (p) {
    case 'ping': return true;
    case 'user': return !u.isInspector || isPrivileged(u);
    case 'admin': return isPrivileged(u);
  }
}

/** UTF-8 size of a result's cells, checked against internal_cmd_mem_limited (0 = unlimited). */
function oversize(result: AdminResult, ctx: AdminContext, name: string): AdminResult | undefined {
  if (result.kind !== 'rows') return undefined;
  const limit = ctx.config.getBytes('internal_cmd_mem_limited');
  if (limit === 0) return undefined;
  let bytes = 0;
  for (const row of result.rows) for (const cell of row) bytes += cell === null ? 1 : Buffer.byteLength(cell) + 1;
  return bytes > limit ? resultTooLarge(name, bytes, limit) : undefined;
}

/** The internal command a statement names (its keywords, e.g. 'SHOW PROXYCONFIG'), or null. Does not parse the rest. */
export function adminCommandOf(sql: string): string | null {
  if (!mayBeAdminCommand(sql)) return null;
  return registry.lookup(tokenize(sql))?.command.keywords.join(' ') ?? null;
}

/** Every registered command: keywords, syntax and who may run it (docs and tests). */
export function adminCommands(): { keywords: readonly string[]; syntax: string; privilege: Privilege }[] {
  return [...registry.commands()].map((c) => ({ keywords: c.keywords, syntax: c.syntax, privilege: c.privilege }));
}

/**
 * Parses and runs; returns null when the text is not an admin command at all. Never throws: a syntax error is
 * ER_PARSE_ERROR naming the token, a missing privilege ER_SPECIFIC_ACCESS_DENIED_ERROR (checked after parsing,
 * before anything runs), an unexpected exception ER_INTERNAL_ERROR with its message.
 */
export function executeAdmin(sql: string, ctx: AdminContext): AdminResult | null {
  let name = 'admin command';
  try {
    const tokens = tokenize(sql);
    const hit = registry.lookup(tokens);
    if (hit === undefined) return null;
    name = hit.command.keywords.join(' ');
    let args: unknown;
    try {
      args = hit.command.parse(new Cursor(sql, tokens, hit.next));
    } catch (e) {
      if (isAdminSyntaxError(e)) return syntaxError(e.near, e.line, e.message);
      throw e;
    }
    if (!allowed(hit.command.privilege, ctx.currentUser)) return accessDenied();
    const result = hit.command.run(args, ctx);
    return oversize(result, ctx, name) ?? result;
  } catch (e) {
    return internalError(`${name} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
