// Just enough SQL text handling to answer the proxy's metadata queries (spec §3.2–§3.4): comments and hints
// removed, the top-level select list, table aliases, and literal filters `col = 'x'` / `col = n` /
// `col IN (...)`. Not a SQL parser: the queries are the proxy's own, of known shapes. Pure.

/** Removes comments (hints included) and a trailing ';'; collapses whitespace. Quoted text is kept. */
export function stripComments(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      const end = quoteEnd(sql, i);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      out += ' ';
    } else if ((c === '-' && sql[i + 1] === '-' && /\s/.test(sql[i + 2] ?? ' ')) || c === '#') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
      out += ' ';
    } else {
      out += /\s/.test(c) ? ' ' : c;
      i++;
    }
  }
  return out.replace(/ +/g, ' ').trim().replace(/;$/, '').trim();
}

/** Index just past the quote that closes the one at `start` (doubled quotes and backslashes escape). */
function quoteEnd(s: string, start: number): number {
  const q = s[start]!;
  let i = start + 1;
  while (i < s.length) {
    if (s[i] === '\\' && q !== '`') i += 2;
    else if (s[i] === q && s[i + 1] === q) i += 2;
    else if (s[i] === q) return i + 1;
    else i++;
  }
  return s.length;
}

/** Calls `visit(i)` for each index outside quotes at parenthesis depth 0; stops when it returns true. */
function scanTopLevel(s: string, visit: (i: number) => boolean): void {
  let depth = 0;
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === "'" || c === '"' || c === '`') {
      i = quoteEnd(s, i);
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && visit(i)) return;
    i++;
  }
}

/** Splits at top-level occurrences of `sep`. */
export function splitTopLevel(s: string, sep: string): string[] {
  const parts: string[] = [];
  let from = 0;
  scanTopLevel(s, (i) => {
    if (s[i] === sep) {
      parts.push(s.slice(from, i).trim());
      from = i + 1;
    }
    return false;
  });
  parts.push(s.slice(from).trim());
  return parts.filter((p) => p !== '');
}

/** Index of the first top-level keyword `kw` (a whole word), or -1. */
export function findTopLevel(s: string, kw: string): number {
  const lower = s.toLowerCase();
  let found = -1;
  scanTopLevel(s, (i) => {
    if (lower.startsWith(kw, i) && !/\w/.test(lower[i - 1] ?? ' ') && !/\w/.test(lower[i + kw.length] ?? ' ')) {
      found = i;
      return true;
    }
    return false;
  });
  return found;
}

export interface SelectItem {
  /** Expression text as written. */
  readonly expr: string;
  /** `AS alias`, unquoted; null when absent. */
  readonly alias: string | null;
}

/** The top-level select list of a SELECT statement (after DISTINCT), or null when it is not a SELECT. */
export function selectItems(text: string): SelectItem[] | null {
  const m = /^select\s+(distinct\s+)?/i.exec(text);
  if (m === null) return null;
  const from = findTopLevel(text, 'from');
  const list = text.slice(m[0].length, from < 0 ? undefined : from);
  return splitTopLevel(list, ',').map((item) => {
    const a = /^([\s\S]*?)\s+as\s+`?([\w$]+)`?$/i.exec(item);
    return a === null ? { expr: item, alias: null } : { expr: a[1]!.trim(), alias: a[2]! };
  });
}

const NOT_ALIAS = new Set(['on', 'where', 'left', 'right', 'inner', 'outer', 'cross', 'join', 'order', 'group', 'limit', 'using', 'having', 'union']);

/** alias (lower-cased) -> source name (lower-cased, without the `oceanbase.` qualifier), from FROM/JOIN clauses. */
export function tableAliases(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /\b(?:from|join)\s+(?:`?oceanbase`?\.)?`?([\w$]+)`?(?:\s+(?:as\s+)?`?([\w$]+)`?)?/gi;
  for (const m of text.matchAll(re)) {
    const name = m[1]!.toLowerCase();
    const alias = m[2]?.toLowerCase();
    out.set(name, name);
    if (alias !== undefined && !NOT_ALIAS.has(alias)) out.set(alias, name);
  }
  return out;
}

/** Names qualified with `oceanbase.` (lower-cased). */
export function oceanbaseNames(text: string): string[] {
  return [...text.matchAll(/\boceanbase\s*\.\s*`?([\w$]+)`?/gi)].map((m) => m[1]!.toLowerCase());
}

const unescape = (s: string): string => s.replace(/''/g, "'").replace(/\\(.)/g, '$1');

/** Value of the first `[q.]col = 'text'` filter. */
export function strFilter(text: string, col: string): string | null {
  const m = new RegExp(`(?:^|[^\\w$])(?:\\w+\\.)?${col}\\s*=\\s*'((?:[^'\\\\]|''|\\\\.)*)'`, 'i').exec(text);
  return m === null ? null : unescape(m[1]!);
}

/** Values of the first `[q.]col = n` or `[q.]col IN (n, ...)` filter with integer literals. */
export function intFilter(text: string, col: string): number[] | null {
  const eq = new RegExp(`(?:^|[^\\w$.])(?:\\w+\\.)?${col}\\s*=\\s*(-?\\d+)(?!\\w)`, 'i').exec(text);
  if (eq !== null) return [Number(eq[1])];
  const inList = new RegExp(`(?:^|[^\\w$.])(?:\\w+\\.)?${col}\\s+in\\s*\\(([-\\d\\s,]+)\\)`, 'i').exec(text);
  if (inList === null) return null;
  return inList[1]!.split(',').map((v) => Number(v.trim())).filter((n) => Number.isFinite(n));
}

/** `LIMIT n` at the end of the statement (top level), or null. */
export function limitOf(text: string): number | null {
  const m = /\blimit\s+(\d+)\s*$/i.exec(text);
  return m === null ? null : Number(m[1]);
}
