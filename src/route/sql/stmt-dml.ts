// SELECT / INSERT / REPLACE / UPDATE / DELETE / MERGE (spec §4.1 table extraction, §4.2 key extraction).
// Each parser receives the index of its verb token and fills c.r. Only the outer statement is inspected:
// parenthesised groups (subqueries, derived tables) are skipped via the lexer's paren-match table.

import * as conditions from './conditions.js';
import type { Ctx } from './ctx.js';
import { K } from './keywords.js';
import { O, S, T } from './tokens.js';
import * as result from './result.js';
import * as tables from './tables.js';
import type { ColumnValue, ValueRef } from './types.js';
import * as values from './values.js';

// Imported functions and tables are re-bound to module consts: see "Bindings" in parse.ts.
const { clauseEnd, parseClause, parseClauseIn } = conditions;
const { EMPTY_CONDITIONS, noKey } = result;
const { parseTableRefs, partition, tableName } = tables;
const { literal, loneValue, parseValueExact } = values;

export const parseSelect = (c: Ctx, i: number): void => {
  c.r.kind = 'SELECT';
  c.hintPos = i + 1;
  if (isProxyVersion(c, i + 1)) {
    c.r.kind = 'INTERNAL_CMD';
    c.r.internalCmd = 'SELECT PROXY_VERSION';
    return;
  }
  let fromSeen = false;
  let j = i + 1;
  while (j < c.n) {
    const v = c.tk[j << S.SHIFT]!; // inlined c.kw(j): this loop visits every top-level token of the statement
    const kw = (v & 31) === T.WORD ? v >> 5 : 0;
    if (kw === K.FROM && !fromSeen) {
      fromSeen = true;
      j = parseTableRefs(c, j + 1);
    } else if (kw === K.WHERE) {
      j = parseClause(c, j + 1);
    } else if (kw === K.UNION || kw === K.EXCEPT || kw === K.INTERSECT || kw === K.MINUS) {
      c.r.conditions = EMPTY_CONDITIONS;
      noKey(c.r, 'set operation (UNION/EXCEPT/INTERSECT)');
      flagLockingReads(c, j + 1); // a lock on a later part locks the whole statement
      return;
    } else if ((kw === K.FOR || kw === K.LOCK) && lockingClause(c, j) > 0) {
      c.r.hasForUpdate = true;
      j += lockingClause(c, j);
    } else if (v === ((O.LPAREN << 5) | T.OP)) {
      const m = c.close(j);
      j = m < 0 ? c.n : m + 1;
    } else {
      j++;
    }
  }
};

/** Tokens of a locking-read clause at j (FOR UPDATE, FOR SHARE, LOCK IN SHARE MODE), else 0. */
export const lockingClause = (c: Ctx, j: number): number => {
  if (c.isKw(j, K.FOR) && (c.isKw(j + 1, K.UPDATE) || c.isKw(j + 1, K.SHARE))) return 2;
  if (c.isKw(j, K.LOCK) && c.isKw(j + 1, K.IN) && c.isKw(j + 2, K.SHARE) && c.isKw(j + 3, K.MODE)) return 4;
  return 0;
};

/** Sets hasForUpdate when any token from `from` on starts a locking-read clause (any nesting: a locked part locks). */
export const flagLockingReads = (c: Ctx, from: number): void => {
  for (let k = from; k < c.n; k++) {
    if (lockingClause(c, k) > 0) {
      c.r.hasForUpdate = true;
      return;
    }
  }
};

/** `SELECT proxy_version()` exactly (§8). */
const isProxyVersion = (c: Ctx, i: number): boolean => {
  return c.isKw(i, K.PROXY_VERSION) && c.isOp(i + 1, O.LPAREN) && c.close(i + 1) === i + 2 && i + 3 === c.n;
};

/** INSERT / REPLACE [modifiers] [INTO] t [PARTITION (..)] [(cols)] {VALUES rows | SET a=v | SELECT ...}. */
export const parseInsert = (c: Ctx, i: number): void => {
  const r = c.r;
  r.kind = c.isKw(i, K.REPLACE) ? 'REPLACE' : 'INSERT';
  c.hintPos = i + 1;
  let j = i + 1;
  while (c.isKw(j, K.LOW_PRIORITY) || c.isKw(j, K.DELAYED) || c.isKw(j, K.HIGH_PRIORITY) || c.isKw(j, K.IGNORE)) j++;
  if (c.isKw(j, K.INTO)) j++;
  j = tableName(c, j, false);
  if (j < 0) { noKey(r, 'no table name after INSERT'); return; }
  j = partition(c, j, true);
  if (c.isOp(j, O.LPAREN) && !c.isKw(j + 1, K.SELECT) && !c.isKw(j + 1, K.WITH) && !c.isOp(j + 1, O.LPAREN)) {
    const m = c.close(j);
    const cols = columnList(c, j + 1, m);
    if (cols === null) { noKey(r, 'unparsed INSERT column list'); return; }
    r.insertColumns = cols;
    j = m + 1;
  }
  if (c.isKw(j, K.VALUES) || c.isKw(j, K.VALUE)) j = valuesRows(c, j + 1);
  else if (c.isKw(j, K.SET)) j = insertSet(c, j + 1);
  else { noKey(r, 'INSERT ... SELECT'); j = c.n; }
  for (; j < c.n; j = c.skipParen(j)) {
    if (c.isKw(j, K.ON) && c.isKw(j + 1, K.DUPLICATE)) { r.hasOnDuplicateKeyUpdate = true; break; }
  }
};

/** `a, t.b, `c`` inside [s, e): lower-cased last name parts; null if anything else is found. */
const columnList = (c: Ctx, s: number, e: number): string[] | null => {
  if (e < 0) return null;
  const cols: string[] = [];
  let j = s;
  while (j < e) {
    if (!c.isIdent(j)) return null;
    let last = j;
    j++;
    while (c.isOp(j, O.DOT) && c.isIdent(j + 1)) { last = j + 1; j += 2; }
    cols.push(c.lident(last));
    if (j === e) break;
    if (!c.isOp(j, O.COMMA)) return null;
    j++;
  }
  return cols;
};

const valuesRows = (c: Ctx, j: number): number => {
  const r = c.r;
  if (c.isKw(j, K.ROW)) j++;
  if (!c.isOp(j, O.LPAREN)) { noKey(r, 'unparsed VALUES'); return j; }
  const m = c.close(j);
  if (m < 0) { noKey(r, c.cut ? 'statement truncated at the parse limit' : 'unbalanced parentheses in VALUES'); return c.n; }
  r.insertValues = rowValues(c, j + 1, m);
  r.insertRowCount = 1;
  j = m + 1;
  while (c.isOp(j, O.COMMA)) {
    let k = j + 1;
    if (c.isKw(k, K.ROW)) k++;
    if (!c.isOp(k, O.LPAREN)) break;
    const close = c.close(k);
    if (close < 0) return c.n;
    r.insertRowCount++;
    j = close + 1;
  }
  return j;
};

/** Comma-separated value expressions in [s, e); non-constant ones become ExprRefs (position is kept). */
export const rowValues = (c: Ctx, s: number, e: number): ValueRef[] => {
  const out: ValueRef[] = [];
  if (s === e) return out;
  let a = s;
  for (;;) {
    const b = elementEnd(c, a, e);
    out.push(valueOrExpr(c, a, b));
    if (b >= e) return out;
    a = b + 1;
  }
};

/** Index of the depth-0 comma ending the element starting at a (or e). */
export const elementEnd = (c: Ctx, a: number, e: number): number => {
  let k = a;
  while (k < e && !c.isOp(k, O.COMMA)) {
    if (c.isKw(k, K.CASE)) {
      let depth = 1;
      k++;
      while (k < e && depth > 0) {
        if (c.isKw(k, K.CASE)) depth++;
        else if (c.isKw(k, K.END)) depth--;
        k = c.skipParen(k);
      }
      continue;
    }
    k = c.skipParen(k);
  }
  return Math.min(k, e);
};

export const valueOrExpr = (c: Ctx, a: number, b: number): ValueRef => {
  if (a >= b) return { kind: 'expr', text: '' };
  if (b === a + 1) { // one token (`?`, 42, 'text'): what parseValueExact returns, without the precedence levels
    const t = c.type(a);
    if (t === T.INT || t === T.PARAM || t === T.DECIMAL || t === T.USERVAR) return loneValue(c, a);
    if (t === T.STRING) {
      c.vEnd = b;
      return literal('string', c.stringValue(a));
    }
  }
  return parseValueExact(c, a, b) ?? { kind: 'expr', text: c.span(a, b - 1) };
};

const insertSet = (c: Ctx, j: number): number => {
  const e = clauseEnd(c, j);
  const set = assignments(c, j, e);
  if (set === null) { noKey(c.r, 'unparsed INSERT ... SET'); return e; }
  const cols: string[] = [];
  const values: ValueRef[] = [];
  for (const a of set) { cols.push(a.column); values.push(a.value); }
  c.r.insertColumns = cols;
  c.r.insertValues = values;
  c.r.insertRowCount = 1;
  return e;
};

/** `col = v, t.col = v` in [s, e); null when not of that form. */
const assignments = (c: Ctx, s: number, e: number): ColumnValue[] | null => {
  const out: ColumnValue[] = [];
  let a = s;
  while (a < e) {
    if (!c.isIdent(a)) return null;
    let last = a;
    let k = a + 1;
    while (c.isOp(k, O.DOT) && c.isIdent(k + 1)) { last = k + 1; k += 2; }
    if (!c.isOp(k, O.EQ) && !c.isOp(k, O.ASSIGN)) return null;
    const b = elementEnd(c, k + 1, e);
    if (c.cut && b >= c.n) { noKey(c.r, 'statement truncated at the parse limit'); return null; }
    out.push({ column: c.lident(last), value: valueOrExpr(c, k + 1, b) });
    a = b + 1;
  }
  return out;
};

/** UPDATE [LOW_PRIORITY] [IGNORE] refs SET a = v, ... [WHERE ...] [ORDER BY ...] [LIMIT n]. */
export const parseUpdate = (c: Ctx, i: number): void => {
  c.r.kind = 'UPDATE';
  c.hintPos = i + 1;
  let j = i + 1;
  while (c.isKw(j, K.LOW_PRIORITY) || c.isKw(j, K.IGNORE)) j++;
  j = parseTableRefs(c, j);
  if (!c.isKw(j, K.SET)) { noKey(c.r, 'unparsed UPDATE'); return; }
  const e = clauseEnd(c, j + 1);
  c.r.updateSet = assignments(c, j + 1, e);
  whereAt(c, e);
};

/** DELETE [modifiers] FROM refs [USING refs] [WHERE ...] | DELETE t1, t2 FROM refs [WHERE ...]. */
export const parseDelete = (c: Ctx, i: number): void => {
  c.r.kind = 'DELETE';
  c.hintPos = i + 1;
  let j = i + 1;
  while (c.isKw(j, K.LOW_PRIORITY) || c.isKw(j, K.QUICK) || c.isKw(j, K.IGNORE)) j++;
  if (!c.isKw(j, K.FROM)) { // multi-table form: skip the target list
    while (j < c.n && !c.isKw(j, K.FROM)) j++;
  }
  j = parseTableRefs(c, j + 1);
  if (c.isKw(j, K.USING)) j = parseTableRefs(c, j + 1);
  whereAt(c, j);
};

const whereAt = (c: Ctx, j: number): void => {
  if (c.isKw(j, K.WHERE)) parseClause(c, j + 1);
};

/** MERGE INTO t [alias] USING src ON (cond) WHEN ... */
export const parseMerge = (c: Ctx, i: number): void => {
  c.r.kind = 'MERGE';
  c.hintPos = i + 1;
  let j = i + 1;
  if (c.isKw(j, K.INTO)) j++;
  j = tableName(c, j, true);
  if (j < 0) return;
  while (j < c.n && !c.isKw(j, K.ON)) j = c.skipParen(j);
  if (c.isOp(j + 1, O.LPAREN) && c.close(j + 1) > 0) parseClauseIn(c, j + 2, c.close(j + 1));
  else if (c.type(j + 1) !== T.END) c.r.skippedConditions++;
};
