// Key-condition extraction from a boolean expression (WHERE, inner JOIN ... ON, MERGE ON), spec §4.2.
//
// Soundness rule: a condition is reported only if every row the statement touches satisfies it. Hence:
//  - only AND-connected relations are collected; a level containing OR / || / XOR yields nothing (and drops
//    what it had collected), since a relation under OR does not bind the rows;
//  - conjuncts that are not a plain `column op constant` (NOT ..., functions of columns, subqueries, LIKE,
//    NOT IN, column = column) are skipped: skipping an AND operand only weakens the result, never falsifies it;
//  - parenthesised groups are descended into (bounded depth); CASE ... END is opaque.
// Cost: one pass over the tokens of each level; nested groups are visited once per level of nesting.

import type { Ctx } from './ctx.js';
import * as keywords from './keywords.js';
import { K, KF } from './keywords.js';
import { O, S, T } from './tokens.js';
import * as result from './result.js';
import type { ConditionOp, KeyCondition, ValueRef } from './types.js';
import * as values from './values.js';

// Imported functions and tables are re-bound to module consts: see "Bindings" in parse.ts.
const { KW_FLAGS } = keywords;
const { addCondition, noKey, truncateConditions } = result;
const { loneValue, parseValue, parseValueExact } = values;

const MAX_GROUP_DEPTH = 16;
const MAX_IN_VALUES = 32;
const MAX_ROW_COLUMNS = 16;

/**
 * Index of the end of a clause starting at s: the first depth-0 clause keyword (GROUP, ORDER, LIMIT, FOR,
 * UNION, JOIN, ON, SET, ...; LEFT( and RIGHT( are functions), an unmatched `)`, or END.
 */
export const clauseEnd = (c: Ctx, s: number): number => {
  const n = c.n;
  const tk = c.tk; // token reads inlined: this loop visits every token of a clause
  let i = s;
  while (i < n) {
    const v = tk[i << S.SHIFT]!;
    const t = v & 31;
    if (t === T.WORD) {
      const kw = v >> 5;
      if (kw === K.CASE) { i = skipCase(c, i + 1, n); continue; }
      if (isClauseEnd(c, kw, i)) return i;
    } else if (v === ((O.LPAREN << 5) | T.OP)) {
      const m = c.close(i);
      if (m < 0) return n;
      i = m + 1;
      continue;
    } else if (v === ((O.RPAREN << 5) | T.OP)) {
      return i;
    }
    i++;
  }
  return n;
};

/** Keyword kw at token i ends a clause at paren depth 0 (LEFT( and RIGHT( are functions, not joins). */
const isClauseEnd = (c: Ctx, kw: number, i: number): boolean => {
  return kw !== 0 && (KW_FLAGS[kw]! & KF.CLAUSE_END) !== 0 && !((kw === K.LEFT || kw === K.RIGHT) && c.isOp(i + 1, O.LPAREN));
};

/** Index after the END matching a CASE whose body starts at i (bounded by e). */
export const skipCase = (c: Ctx, i: number, e: number): number => {
  let depth = 1;
  while (i < e) {
    if (c.isOp(i, O.LPAREN)) {
      const m = c.close(i);
      if (m < 0 || m >= e) return e;
      i = m + 1;
      continue;
    }
    const kw = c.kw(i);
    if (kw === K.CASE) depth++;
    else if (kw === K.END && --depth === 0) return i + 1;
    i++;
  }
  return e;
};

/**
 * Extracts key conditions from the WHERE / ON clause starting at token s and returns the index of its end (as
 * clauseEnd would): one pass finds the clause end and splits the conjuncts. When the statement was cut at the
 * parse limit and the clause runs into the cut, more (OR ...) may follow unseen: its conditions are dropped.
 */
export const parseClause = (c: Ctx, s: number): number => {
  const fast = simpleClause(c, s);
  if (fast >= 0) return fast;
  const mark = c.r.conditions.length;
  const e = level(c, s, c.n, 0, true);
  truncatedClause(c, mark, e);
  return e;
};

/**
 * Fast path for the commonest clauses, `col op v` and `col BETWEEN v AND w` (col an unquoted non-keyword name,
 * v and w lone INT / DECIMAL / `?` / @var tokens) ending at END or a clause-ending keyword, in a statement that
 * was not cut: adds the condition level() would and returns the same clause end; -1 for any other shape,
 * which level() then parses. Saves level's token scan and the relation / value parser calls (measured: about
 * 7% of a parse on the OLTP mix of bench/route-parse.ts, where most WHERE clauses have one of these shapes).
 */
const simpleClause = (c: Ctx, s: number): number => {
  const n = c.n;
  if (c.cut || s + 3 > n) return -1;
  const tk = c.tk;
  if (tk[s << S.SHIFT] !== T.WORD || !isLone(tk[(s + 2) << S.SHIFT]!)) return -1; // keyword id 0: a plain name
  const v1 = tk[(s + 1) << S.SHIFT]!;
  let e = s + 3;
  let op: ConditionOp | null = null;
  if ((v1 & 31) === T.OP) {
    op = COMPARISONS[v1 >> 5] ?? null;
    if (op === null) return -1;
  } else if (v1 === ((K.BETWEEN << 5) | T.WORD)) {
    if (s + 5 > n || tk[e << S.SHIFT] !== ((K.AND << 5) | T.WORD) || !isLone(tk[(s + 4) << S.SHIFT]!)) return -1;
    e = s + 5;
  } else {
    return -1;
  }
  if (e < n) {
    const v = tk[e << S.SHIFT]!;
    if ((v & 31) !== T.WORD || !isClauseEnd(c, v >> 5, e)) return -1;
  }
  c.colFirst = s;
  c.colLast = s;
  const values = op === null ? [loneValue(c, s + 2), loneValue(c, s + 4)] : [loneValue(c, s + 2)];
  addCondition(c.r, newCondition(c, op ?? 'BETWEEN', values));
  return e;
};

/** Token types parseValue reads alone when an operator or keyword that ends the value follows. */
const isLone = (v: number): boolean => {
  const t = v & 31;
  return t === T.INT || t === T.PARAM || t === T.DECIMAL || t === T.USERVAR;
};

/** parseClause over the tokens [s, e) only (a parenthesised condition: MERGE ... ON (...)). */
export const parseClauseIn = (c: Ctx, s: number, e: number): void => {
  const mark = c.r.conditions.length;
  level(c, s, e, 0, false);
  truncatedClause(c, mark, e);
};

const truncatedClause = (c: Ctx, mark: number, e: number): void => {
  if (c.cut && e >= c.n) {
    truncateConditions(c.r, mark);
    noKey(c.r, 'statement truncated at the parse limit');
  }
};

/**
 * One AND-level of a boolean expression in [s, e): conjuncts are split at AND / && and handed to conjunct();
 * OR / || / XOR at this level drops the level's conditions. With `top` (the clause itself, e = END) the scan
 * also stops at the clause end, which it returns; a nested level (a parenthesised group) returns e.
 * Invariant with `top`: the index returned is exactly clauseEnd(c, s), however the level ends.
 */
const level = (c: Ctx, s: number, e: number, depth: number, top: boolean): number => {
  const r = c.r;
  const mark = r.conditions.length;
  let cs = s;
  let between = false;
  const tk = c.tk; // token reads inlined: this loop visits every token of the expression
  const n = c.n;
  let i = s;
  while (i < e) {
    const v = i < n ? tk[i << S.SHIFT]! : T.END;
    const t = v & 31;
    if (t === T.OP) {
      const op = v >> 5;
      if (op === O.LPAREN) {
        const m = c.close(i);
        if (m < 0 || m >= e) { disjunction(c, mark, 'unbalanced parentheses in condition'); return top ? n : e; }
        i = m + 1;
        continue;
      }
      if (op === O.RPAREN && top) { e = i; break; } // an unmatched `)`: the clause is inside a group
      if (op === O.OROR) { disjunction(c, mark, 'OR in condition'); return top ? clauseEnd(c, i + 1) : e; }
      if (op === O.ANDAND) { conjunct(c, cs, i, depth); cs = i + 1; }
    } else if (t === T.WORD) {
      const kw = v >> 5;
      if (top && isClauseEnd(c, kw, i)) { e = i; break; }
      if (kw === K.AND) {
        if (between) between = false;
        else { conjunct(c, cs, i, depth); cs = i + 1; }
      } else if (kw === K.OR || kw === K.XOR) {
        disjunction(c, mark, 'OR in condition');
        return top ? clauseEnd(c, i + 1) : e;
      } else if (kw === K.BETWEEN) {
        between = true;
      } else if (kw === K.CASE) {
        i = skipCase(c, i + 1, e);
        continue;
      }
    }
    i++;
  }
  conjunct(c, cs, e, depth);
  return e;
};

const disjunction = (c: Ctx, mark: number, reason: string): void => {
  truncateConditions(c.r, mark);
  c.r.skippedConditions++;
  noKey(c.r, reason);
};

const skip = (c: Ctx): void => {
  c.r.skippedConditions++;
};

const conjunct = (c: Ctx, s: number, e: number, depth: number): void => {
  if (s >= e) skip(c);
  else if (c.isOp(s, O.LPAREN)) group(c, s, e, depth);
  else if (!relation(c, s, e)) skip(c);
};

/** A conjunct starting with `(`: a parenthesised condition, or a row comparison `(a, b) = (1, 2)`. */
const group = (c: Ctx, s: number, e: number, depth: number): void => {
  const m = c.close(s);
  if (m === e - 1) {
    if (depth < MAX_GROUP_DEPTH && !c.isKw(s + 1, K.SELECT)) level(c, s + 1, m, depth + 1, false);
    else skip(c);
  } else if (!rowRelation(c, s, m, e)) {
    skip(c);
  }
};


/** Parses `[db.][t.]col` at i; returns the index after it, or -1 if i does not start a column reference. */
const columnRef = (c: Ctx, i: number, e: number): number => {
  if (!isColumnWord(c, i)) return -1;
  c.colFirst = i;
  let j = i + 1;
  let parts = 1;
  while (parts < 3 && j + 1 < e && c.isOp(j, O.DOT) && c.isIdent(j + 1)) {
    j += 2;
    parts++;
  }
  if (c.isOp(j, O.LPAREN) || c.isOp(j, O.DOT)) return -1; // function call / db.f() / garbage
  c.colLast = j - 1;
  return j;
};

const isColumnWord = (c: Ctx, i: number): boolean => {
  const v = i < c.n ? c.tk[i << S.SHIFT]! : T.END; // inlined c.type / c.aux
  const t = v & 31;
  if (t === T.QIDENT) return true;
  if (t !== T.WORD) return false;
  if ((KW_FLAGS[v >> 5]! & KF.NOT_COLUMN) !== 0) return false; // keyword 0 (not a keyword) has no flags
  const next = c.type(i + 1);
  return next !== T.STRING && next !== T.HEX && next !== T.BIT; // _utf8'x', DATE '...'
};

const newCondition = (c: Ctx, op: ConditionOp, values: ValueRef[]): KeyCondition => {
  const first = c.colFirst;
  const last = c.colLast;
  const column = c.lident(last);
  let qualifier: string | null = null;
  if (last > first) {
    qualifier = c.ident(first);
    for (let k = first + 2; k < last; k += 2) qualifier += '.' + c.ident(k);
  }
  return { column, qualifier, tableIndex: -1, op, values };
};

/** Comparison operator of each operator code (O), null for the others. */
const COMPARISONS: readonly (ConditionOp | null)[] = (() => {
  const t: (ConditionOp | null)[] = new Array<ConditionOp | null>(O.OTHER + 1).fill(null);
  t[O.EQ] = '=';
  t[O.NSEQ] = '<=>';
  t[O.NE] = '!=';
  t[O.LT] = '<';
  t[O.LE] = '<=';
  t[O.GT] = '>';
  t[O.GE] = '>=';
  return t;
})();

const comparison = (c: Ctx, i: number): ConditionOp | null => {
  const v = i < c.n ? c.tk[i << S.SHIFT]! : T.END; // inlined c.type / c.aux
  return (v & 31) === T.OP ? COMPARISONS[v >> 5] ?? null : null;
};

const mirror = (op: ConditionOp): ConditionOp => {
  switch (op) {
    case '<': return '>';
    case '<=': return '>=';
    case '>': return '<';
    case '>=': return '<=';
    default: return op;
  }
};

/** `col op v`, `col IN (...)`, `col BETWEEN a AND b`, `col IS [NOT] NULL`, `v op col`. */
const relation = (c: Ctx, s: number, e: number): boolean => {
  const j = columnRef(c, s, e);
  if (j < 0) return reversed(c, s, e);
  const op = comparison(c, j);
  if (op === null) return keywordRelation(c, j, e);
  const v = parseValueExact(c, j + 1, e);
  if (v === null) return false;
  addCondition(c.r, newCondition(c, op, [v]));
  return true;
};

/** The column reference ends at j and a keyword follows: `IN (...)`, `BETWEEN a AND b`, `IS [NOT] NULL`. */
const keywordRelation = (c: Ctx, j: number, e: number): boolean => {
  switch (c.kw(j)) {
    case K.IN: return inList(c, j + 1, e);
    case K.BETWEEN: return between(c, j + 1, e);
    case K.IS: return isNull(c, j + 1, e);
    default: return false;
  }
};

const reversed = (c: Ctx, s: number, e: number): boolean => {
  const v = parseValue(c, s, e);
  if (v === null) return false;
  const op = comparison(c, c.vEnd);
  if (op === null || columnRef(c, c.vEnd + 1, e) !== e) return false;
  addCondition(c.r, newCondition(c, mirror(op), [v]));
  return true;
};

const inList = (c: Ctx, open: number, e: number): boolean => {
  if (!c.isOp(open, O.LPAREN) || c.close(open) !== e - 1 || c.isKw(open + 1, K.SELECT)) return false;
  const values = valueList(c, open + 1, e - 1);
  if (values === null) return false;
  addCondition(c.r, newCondition(c, 'IN', values));
  return true;
};

/** Comma-separated constants in [s, e); null unless all of them are constants. Keeps MAX_IN_VALUES. */
const valueList = (c: Ctx, s: number, e: number): ValueRef[] | null => {
  const values: ValueRef[] = [];
  let a = s;
  for (;;) {
    const v = parseValue(c, a, e);
    if (v === null) return null;
    if (values.length < MAX_IN_VALUES) values.push(v);
    const k = c.vEnd;
    if (k === e) return values;
    if (!c.isOp(k, O.COMMA)) return null;
    a = k + 1;
  }
};

const between = (c: Ctx, s: number, e: number): boolean => {
  const low = parseValue(c, s, e);
  if (low === null || !c.isKw(c.vEnd, K.AND)) return false;
  const high = parseValueExact(c, c.vEnd + 1, e);
  if (high === null) return false;
  addCondition(c.r, newCondition(c, 'BETWEEN', [low, high]));
  return true;
};

const isNull = (c: Ctx, s: number, e: number): boolean => {
  if (c.isKw(s, K.NULL) && s + 1 === e) {
    addCondition(c.r, newCondition(c, 'IS_NULL', []));
    return true;
  }
  if (c.isKw(s, K.NOT) && c.isKw(s + 1, K.NULL) && s + 2 === e) {
    addCondition(c.r, newCondition(c, 'IS_NOT_NULL', []));
    return true;
  }
  return false;
};

/** `(a, b) = (1, 2)` and `(a, b) IN ((1, 2), (3, 4))`: one condition per column. */
const rowRelation = (c: Ctx, s: number, m: number, e: number): boolean => {
  if (m < 0) return false;
  const cols: number[] = []; // pairs (first, last) token index per column
  let i = s + 1;
  for (;;) {
    const j = columnRef(c, i, m);
    if (j < 0 || cols.length >= MAX_ROW_COLUMNS * 2) return false;
    cols.push(c.colFirst, c.colLast);
    if (j === m) break;
    if (!c.isOp(j, O.COMMA)) return false;
    i = j + 1;
  }
  const width = cols.length / 2;
  if (width < 2) return false;
  const isIn = c.isKw(m + 1, K.IN);
  if (!isIn && !c.isOp(m + 1, O.EQ)) return false;
  const open = m + 2;
  if (!c.isOp(open, O.LPAREN) || c.close(open) !== e - 1) return false;
  const perColumn: ValueRef[][] = [];
  for (let k = 0; k < width; k++) perColumn.push([]);
  if (isIn) {
    let t = open + 1;
    for (;;) {
      const close = c.isOp(t, O.LPAREN) ? c.close(t) : -1;
      if (close < 0 || !tuple(c, t + 1, close, perColumn)) return false;
      if (close + 1 === e - 1) break;
      if (!c.isOp(close + 1, O.COMMA)) return false;
      t = close + 2;
    }
  } else if (!tuple(c, open + 1, e - 1, perColumn)) {
    return false;
  }
  for (let k = 0; k < width; k++) {
    c.colFirst = cols[2 * k]!;
    c.colLast = cols[2 * k + 1]!;
    addCondition(c.r, newCondition(c, isIn ? 'IN' : '=', perColumn[k]!));
  }
  return true;
};

const tuple = (c: Ctx, s: number, e: number, perColumn: ValueRef[][]): boolean => {
  const values = valueList(c, s, e);
  if (values === null || values.length !== perColumn.length) return false;
  for (let k = 0; k < values.length; k++) {
    const col = perColumn[k]!;
    if (col.length < MAX_IN_VALUES) col.push(values[k]!);
  }
  return true;
};
