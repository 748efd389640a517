// Table references: `FROM a [AS x] [PARTITION (p..)] [index hints], b JOIN c ON ... LEFT JOIN d USING (..)`.
// Each named table is appended to RouteParse.tables (first one = the routing table). Derived tables and
// other table-valued expressions are never reported as tables; a derived table in first position means the
// statement has no routing table at all (the parse stops taking tables).
// Only INNER / CROSS / STRAIGHT_JOIN / plain JOIN ... ON conditions feed key extraction: an outer join's ON
// condition does not filter the preserved side, so using it could produce a wrong key.

import * as conditions from './conditions.js';
import type { Ctx } from './ctx.js';
import * as keywords from './keywords.js';
import { K, KF } from './keywords.js';
import { O, S, T } from './tokens.js';
import * as result from './result.js';
import type { TableRef } from './types.js';

// Imported functions and tables are re-bound to module consts: see "Bindings" in parse.ts.
const { clauseEnd, parseClause } = conditions;
const { KW_FLAGS } = keywords;
const { addTable, noKey } = result;

const MAX_NESTING = 8;

/** Parses a table reference list starting at i; returns the index of the first token after it. */
export const parseTableRefs = (c: Ctx, i: number): number => {
  // Fast path, the usual `FROM t WHERE ...`: an unquoted name directly followed by a keyword that ends the
  // table list (WHERE, ORDER, GROUP, LIMIT, FOR, SET, ...). refList gives the same result through factor,
  // namedTable, qualifiedName and bareEnd; this skips those calls (measured: 3-4% of a parse on the OLTP mix
  // of bench/route-parse.ts).
  if (i + 1 < c.n) {
    const tk = c.tk;
    const v = tk[i << S.SHIFT]!;
    const w = tk[(i + 1) << S.SHIFT]!;
    if ((v & 31) === T.WORD && v !== ((K.LATERAL << 5) | T.WORD) && v !== ((K.DUAL << 5) | T.WORD) &&
      (w & 31) === T.WORD && LIST_END[w >> 5] === 1) {
      if (!c.stopTables) addTable(c.r, { db: null, name: c.ident(i), alias: null, dblink: null });
      return i + 1;
    }
  }
  return refList(c, i, 0);
};

/**
 * 1 for the keywords that, right after a table name, end the table list: bareEnd holds (the keyword cannot
 * start PARTITION, an alias or an index hint) and refList does not continue (no join operator).
 */
const LIST_END = new Uint8Array(256);
for (let kw = 1; kw < 256; kw++) if ((KW_FLAGS[kw]! & KF.ALIAS_STOP) !== 0) LIST_END[kw] = 1;
for (const kw of [K.PARTITION, K.AS, K.USE, K.IGNORE, K.FORCE]) LIST_END[kw] = 0; // see bareEnd
for (const kw of [K.JOIN, K.INNER, K.LEFT, K.RIGHT, K.CROSS, K.NATURAL, K.STRAIGHT_JOIN]) LIST_END[kw] = 0; // joinStart

const refList = (c: Ctx, i: number, depth: number): number => {
  const first = c.r.tables.length === 0;
  let j = factor(c, i, depth);
  if (j < 0) {
    j = -j - 1;
    if (first && !c.isKw(i, K.DUAL)) {
      c.stopTables = true;
      noKey(c.r, 'first FROM item is not a table name');
    }
  }
  for (;;) {
    if (c.isOp(j, O.COMMA)) { j = next(factor(c, j + 1, depth)); continue; }
    if (!joinStart(c.kw(j))) return j;
    let k = j;
    let inner = true;
    if (c.isKw(k, K.NATURAL)) { k++; inner = false; }
    if (c.isKw(k, K.LEFT) || c.isKw(k, K.RIGHT)) { k++; inner = false; if (c.isKw(k, K.OUTER)) k++; }
    else if (c.isKw(k, K.INNER) || c.isKw(k, K.CROSS)) k++;
    if (!c.isKw(k, K.JOIN) && !c.isKw(k, K.STRAIGHT_JOIN)) return j;
    j = next(factor(c, k + 1, depth));
    if (c.isKw(j, K.ON)) {
      if (inner && !c.stopTables) {
        j = parseClause(c, j + 1);
      } else {
        c.r.skippedConditions++;
        j = clauseEnd(c, j + 1);
      }
    } else if (c.isKw(j, K.USING) && c.isOp(j + 1, O.LPAREN)) {
      j = c.skipParen(j + 1);
    }
  }
};

/** Keywords that may begin a join operator. */
const joinStart = (kw: number): boolean => {
  return kw === K.JOIN || kw === K.INNER || kw === K.LEFT || kw === K.RIGHT || kw === K.CROSS || kw === K.NATURAL ||
    kw === K.STRAIGHT_JOIN;
};

const next = (j: number): number => {
  return j < 0 ? -j - 1 : j;
};

/** One table factor; returns the index after it, or -(index + 1) when it was not a named table. */
const factor = (c: Ctx, i: number, depth: number): number => {
  const v = i < c.n ? c.tk[i << S.SHIFT]! : T.END; // inlined token tests
  if (v === ((O.LPAREN << 5) | T.OP)) {
    const m = c.close(i);
    if (m < 0) return -c.n - 1;
    if (c.isKw(i + 1, K.SELECT) || c.isKw(i + 1, K.WITH) || c.isOp(i + 1, O.LPAREN) || depth >= MAX_NESTING) {
      return -alias(c, m + 1) - 1;
    }
    refList(c, i + 1, depth + 1);
    return m + 1;
  }
  const t = v & 31;
  if (t !== T.WORD && t !== T.QIDENT) return -i - 1;
  if (v === ((K.LATERAL << 5) | T.WORD) || c.isOp(i + 1, O.LPAREN)) { // LATERAL (...), JSON_TABLE(...)
    return -alias(c, c.skipParen(i + 1)) - 1;
  }
  if (v === ((K.DUAL << 5) | T.WORD)) return -(i + 1) - 1;
  return namedTable(c, i);
};

const namedTable = (c: Ctx, i: number): number => {
  let j = qualifiedName(c, i);
  if (j < 0) return -i - 1;
  if (bareEnd(c, j)) { // the usual `FROM t WHERE ...` / `FROM t, u`: none of the optional parts follows
    if (!c.stopTables) addTable(c.r, tableRef(c, null));
    return j;
  }
  const first = c.r.tables.length === 0;
  j = partition(c, j, first);
  let aliasName: string | null = null;
  const a = aliasAt(c, j);
  if (a >= 0) {
    aliasName = c.ident(a);
    j = a + 1;
    j = partition(c, j, first);
  }
  j = indexHints(c, j);
  if (!c.stopTables) addTable(c.r, tableRef(c, aliasName));
  return j;
};

/**
 * `[db.]name [@link]` at i: records the token indexes in c.qDb / c.qName / c.qLink (-1: absent) and returns
 * the index after it, or -1 when i is not an identifier. Allocates nothing: the strings are made by tableRef
 * only for a table that is reported.
 */
const qualifiedName = (c: Ctx, i: number): number => {
  if (!c.isIdent(i)) return -1;
  let j = i + 1;
  if (c.isOp(j, O.DOT) && c.isIdent(j + 1)) {
    c.qDb = i;
    c.qName = j + 1;
    j += 2;
  } else {
    c.qDb = -1;
    c.qName = i;
  }
  c.qLink = -1;
  if (c.type(j) === T.USERVAR && c.adjacent(j)) c.qLink = j++;
  return j;
};

/** The TableRef of the name qualifiedName found last. */
const tableRef = (c: Ctx, alias: string | null): TableRef => {
  const db = c.qDb < 0 ? null : c.ident(c.qDb);
  const dblink = c.qLink < 0 ? null : c.text(c.qLink).slice(1);
  return { db, name: c.ident(c.qName), alias, dblink };
};

/** Token j cannot start PARTITION, an alias or an index hint (aliasAt, partition and indexHints are no-ops). */
const bareEnd = (c: Ctx, j: number): boolean => {
  const t = c.type(j);
  if (t !== T.WORD) return t !== T.QIDENT && t !== T.STRING;
  const kw = c.aux(j);
  return kw !== 0 && (KW_FLAGS[kw]! & KF.ALIAS_STOP) !== 0 && kw !== K.PARTITION && kw !== K.AS && kw !== K.USE &&
    kw !== K.IGNORE && kw !== K.FORCE;
};

/** Token index of an alias at i (`AS x`, `x`, `'x'`), or -1. */
const aliasAt = (c: Ctx, i: number): number => {
  if (c.isKw(i, K.AS)) return c.isIdent(i + 1) || c.type(i + 1) === T.STRING ? i + 1 : -1;
  const t = c.type(i);
  if (t === T.QIDENT || t === T.STRING) return i;
  if (t !== T.WORD) return -1;
  const kw = c.aux(i);
  return kw !== 0 && (KW_FLAGS[kw]! & KF.ALIAS_STOP) !== 0 ? -1 : i;
};

/** Skips `[AS] alias [(col, ...)]` after a derived table. */
const alias = (c: Ctx, i: number): number => {
  const a = aliasAt(c, i);
  if (a < 0) return i;
  return c.isOp(a + 1, O.LPAREN) ? c.skipParen(a + 1) : a + 1;
};

/** `PARTITION (p1, p2)`: recorded for the first table. */
export const partition = (c: Ctx, i: number, record: boolean): number => {
  if (!c.isKw(i, K.PARTITION) || !c.isOp(i + 1, O.LPAREN)) return i;
  const m = c.close(i + 1);
  if (m < 0) return c.n;
  if (record && c.r.explicitPartition === null) {
    const names: string[] = [];
    for (let k = i + 2; k < m; k++) if (c.isIdent(k)) names.push(c.ident(k));
    c.r.explicitPartition = names;
  }
  return m + 1;
};

/** `USE|IGNORE|FORCE {INDEX|KEY} [FOR ...] (...)`, repeated. */
const indexHints = (c: Ctx, i: number): number => {
  while (c.isKw(i, K.USE) || c.isKw(i, K.IGNORE) || c.isKw(i, K.FORCE)) {
    let j = i + 1;
    if (!c.isKw(j, K.INDEX) && !c.isKw(j, K.KEY)) return i;
    j++;
    while (j < c.n && !c.isOp(j, O.LPAREN)) j++;
    i = c.skipParen(j);
  }
  return i;
};

/** `[db.]name [@link]` as a single table (INSERT target, DDL, CALL); returns the index after it or -1. */
export const tableName = (c: Ctx, i: number, alsoAlias: boolean): number => {
  let j = qualifiedName(c, i);
  if (j < 0) return -1;
  let aliasName: string | null = null;
  if (alsoAlias) {
    const a = aliasAt(c, j);
    if (a >= 0) { aliasName = c.ident(a); j = a + 1; }
  }
  addTable(c.r, tableRef(c, aliasName));
  return j;
};
