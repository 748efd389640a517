// Read consistency of one statement (spec §5.2). PURE and allocation-free. Only a single SELECT that locks nothing
// may read from a follower; the hint READ_CONSISTENCY(...) beats the session's ob_read_consistency, which beats the
// VIP default (obproxy_read_consistency = 1), which beats STRONG. Read/write split is a later rule (not here).

import type { RouteParse } from '../sql/index.js';

export type Consistency = 'STRONG' | 'WEAK';

/**
 * A single SELECT (also under EXPLAIN / EXPLAIN ROUTE) that locks nothing (no FOR UPDATE, FOR SHARE or LOCK IN
 * SHARE MODE, spec §4.1): it may run on any replica that holds its data. Multi-statements are not: a later statement
 * may write.
 */
export function isRead(parse: RouteParse): boolean {
  const kind = parse.kind === 'EXPLAIN' || parse.kind === 'EXPLAIN_ROUTE' ? parse.innerKind : parse.kind;
  return kind === 'SELECT' && !parse.hasForUpdate && !parse.multiStatement;
}

/**
 * WEAK when the statement is a read and the hint, else the session variable (`sessionWeak`), else the VIP default
 * (`defaultWeak`) asks for it (spec §5.2). FROZEN reads stay STRONG here (leader), the conservative choice.
 */
export function readConsistency(parse: RouteParse, sessionWeak: boolean, defaultWeak: boolean): Consistency {
  if (!isRead(parse)) return 'STRONG';
  const hint = parse.hints.readConsistency;
  if (hint !== null) return hint === 'WEAK' ? 'WEAK' : 'STRONG';
  return sessionWeak || defaultWeak ? 'WEAK' : 'STRONG';
}

/**
 * Whether a value of the `ob_read_consistency` system variable, as SQL text (`'WEAK'`, `"weak"`, `2`), means WEAK
 * (OceanBase's enum: 1 FROZEN, 2 WEAK, 3 STRONG).
 */
export function isWeakSetting(sql: string | undefined): boolean {
  if (sql === undefined) return false;
  const v = unquote(sql);
  return v === '2' || v.toUpperCase() === 'WEAK';
}

/** A session's SQL literal without quotes, introducer and COLLATE (`'x'`, `_utf8mb4 'x' COLLATE c` -> x). */
export function unquote(sql: string): string {
  const s = sql.trim();
  const m = /^(?:_\w+\s*)?(['"])(.*)\1(?:\s+COLLATE\s+\w+)?$/is.exec(s);
  return m === null ? s : m[2]!;
}
