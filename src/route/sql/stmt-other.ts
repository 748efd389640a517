// SHOW, DESC/EXPLAIN, DDL, LOAD DATA, LOCK/UNLOCK TABLES, CALL and ODP internal commands (spec §4.1, §8).
// Internal commands are only classified here (kind INTERNAL_CMD + a normalised head); src/admin parses them.

import type { Ctx } from './ctx.js';
import { K } from './keywords.js';
import { O, T } from './tokens.js';
import * as result from './result.js';
import * as dml from './stmt-dml.js';
import * as tables from './tables.js';

// Imported functions and tables are re-bound to module consts: see "Bindings" in parse.ts.
const { addDependent } = result;
const { rowValues } = dml;
const { partition, tableName } = tables;

/** SHOW objects answered by ODP itself (§8). */
const INTERNAL_SHOW = new Set([
  'proxyconfig', 'proxysession', 'proxysm', 'proxynet', 'proxystat', 'proxycongestion', 'proxyroute',
  'proxyinfo', 'proxycluster', 'proxyresource', 'proxymemory', 'proxyvip', 'sqlaudit', 'warnlog', 'proxytrace',
  'globalsession', 'processlist',
]);

/** SHOW [FULL|GLOBAL|SESSION|EXTENDED] object ...; SHOW COUNT(*) {WARNINGS|ERRORS}. */
export const parseShow = (c: Ctx, i: number): void => {
  const r = c.r;
  r.kind = 'SHOW';
  let j = i + 1;
  while (c.isKw(j, K.FULL) || c.isKw(j, K.GLOBAL) || c.isKw(j, K.SESSION) || c.isKw(j, K.EXTENDED)) j++;
  if (c.isKw(j, K.COUNT) && c.isOp(j + 1, O.LPAREN)) j = c.skipParen(j + 1);
  if (!c.isIdent(j)) return;
  const obj = c.lident(j);
  r.objectType = obj;
  if (INTERNAL_SHOW.has(obj)) {
    r.kind = 'INTERNAL_CMD';
    r.internalCmd = 'SHOW ' + obj.toUpperCase();
  } else if (obj === 'warnings' || obj === 'errors' || obj === 'trace') {
    addDependent(r, 'show ' + obj);
  }
};

/**
 * DESC t | DESCRIBE t | EXPLAIN t → DESC with the table; EXPLAIN [options] stmt → EXPLAIN;
 * EXPLAIN ROUTE stmt → EXPLAIN_ROUTE. The explained statement is parsed into the same result (innerKind).
 */
export const parseExplain = (c: Ctx, i: number, dispatch: (c: Ctx, i: number) => void): void => {
  const r = c.r;
  let j = i + 1;
  if (c.isKw(j, K.ROUTE) && j + 1 < c.n) {
    const inner = c.kw(j + 1);
    if (inner !== K.EXPLAIN && inner !== K.DESC && inner !== K.DESCRIBE) dispatch(c, j + 1); // bounded recursion
    else r.kind = 'OTHER';
    r.innerKind = r.kind;
    r.kind = 'EXPLAIN_ROUTE';
    return;
  }
  if (c.isIdent(j) && !isExplainable(c.kw(j)) && !isExplainOption(c.kw(j)) && !c.isOp(j + 1, O.EQ)) {
    r.kind = 'DESC';
    tableName(c, j, false);
    return;
  }
  for (;;) {
    if (isExplainOption(c.kw(j))) j++;
    else if (c.isKw(j, K.FORMAT) && c.isOp(j + 1, O.EQ)) j += 3;
    else break;
  }
  if (isExplainable(c.kw(j))) {
    dispatch(c, j);
    r.innerKind = r.kind;
  }
  r.kind = 'EXPLAIN';
};

const isExplainable = (kw: number): boolean => {
  return kw === K.SELECT || kw === K.INSERT || kw === K.REPLACE || kw === K.UPDATE || kw === K.DELETE ||
    kw === K.WITH || kw === K.MERGE;
};

const isExplainOption = (kw: number): boolean => {
  return kw === K.EXTENDED || kw === K.PARTITIONS || kw === K.ANALYZE || kw === K.BASIC || kw === K.OUTLINE;
};

/** CREATE|DROP|ALTER|TRUNCATE|RENAME: kind, object type, table (for TABLE / INDEX ... ON t objects). */
export const parseDdl = (c: Ctx, i: number): void => {
  const r = c.r;
  const verb = c.kw(i);
  r.kind = verb === K.CREATE ? 'CREATE' : verb === K.DROP ? 'DROP' : verb === K.ALTER ? 'ALTER'
    : verb === K.TRUNCATE ? 'TRUNCATE' : 'RENAME';
  let j = i + 1;
  if (verb === K.ALTER && c.isIdent(j) && /^proxy(config|resource)$/i.test(c.text(j))) {
    r.kind = 'INTERNAL_CMD';
    r.internalCmd = 'ALTER ' + c.text(j).toUpperCase();
    return;
  }
  if (c.isKw(j, K.OR) && c.isKw(j + 1, K.REPLACE)) j += 2;
  for (;;) {
    const kw = c.kw(j);
    if (kw === K.TEMPORARY) { r.usesTempTable = true; j++; }
    else if (kw === K.UNIQUE || kw === K.FULLTEXT || kw === K.SPATIAL || kw === K.ONLINE || kw === K.OFFLINE ||
      kw === K.IGNORE) j++;
    else break;
  }
  if (verb === K.TRUNCATE && !c.isKw(j, K.TABLE)) { r.objectType = 'table'; ddlTables(c, j, false); return; }
  if (!c.isIdent(j)) return;
  r.objectType = c.lident(j);
  if (c.isKw(j, K.TABLE) || c.isKw(j, K.TABLES)) ddlTables(c, j + 1, verb === K.DROP || verb === K.RENAME);
  else if (c.isKw(j, K.INDEX)) indexTable(c, j + 1);
};

/** [IF [NOT] EXISTS] t [, t2 | TO t2 ...] */
const ddlTables = (c: Ctx, j: number, list: boolean): void => {
  if (c.isKw(j, K.IF)) j += c.isKw(j + 1, K.NOT) ? 3 : 2;
  j = tableName(c, j, false);
  while (list && j > 0 && (c.isOp(j, O.COMMA) || c.isKw(j, K.TO))) j = tableName(c, j + 1, false);
};

/** INDEX name ... ON t */
const indexTable = (c: Ctx, j: number): void => {
  while (j < c.n && !c.isKw(j, K.ON)) j = c.skipParen(j);
  if (j < c.n) tableName(c, j + 1, false);
};

/** LOAD DATA|XML [LOW_PRIORITY|CONCURRENT] [LOCAL] INFILE 'f' [REPLACE|IGNORE] INTO TABLE t [PARTITION (..)] */
export const parseLoad = (c: Ctx, i: number): void => {
  if (!c.isKw(i + 1, K.DATA) && !c.isKw(i + 1, K.XML)) return;
  c.r.kind = 'LOAD_DATA';
  c.hintPos = i + 2;
  let j = i + 2;
  while (j < c.n && !c.isKw(j, K.TABLE)) j++;
  j = tableName(c, j + 1, false);
  if (j > 0) partition(c, j, true);
};

/** LOCK {TABLES|TABLE} t [[AS] a] {READ [LOCAL] | [LOW_PRIORITY] WRITE | IN ... MODE} [, ...] */
export const parseLock = (c: Ctx, i: number): void => {
  if (!c.isKw(i + 1, K.TABLES) && !c.isKw(i + 1, K.TABLE)) return;
  c.r.kind = 'LOCK_TABLES';
  let j = i + 2;
  for (;;) {
    j = tableName(c, j, true);
    if (j < 0) return;
    while (j < c.n && !c.isOp(j, O.COMMA)) j++;
    if (j >= c.n) return;
    j++;
  }
};

export const parseUnlock = (c: Ctx, i: number): void => {
  if (c.isKw(i + 1, K.TABLES) || c.isKw(i + 1, K.TABLE)) c.r.kind = 'UNLOCK_TABLES';
};

/** CALL [db.]routine[(args)]: the routine goes to dbName/tableName (routine entry lookup, §3.5). */
export const parseCall = (c: Ctx, i: number): void => {
  const r = c.r;
  r.kind = 'CALL';
  const j = tableName(c, i + 1, false);
  if (j < 0) return;
  if (c.isOp(j, O.LPAREN)) {
    const m = c.close(j);
    r.callArgs = m < 0 ? null : rowValues(c, j + 1, m);
  } else {
    r.callArgs = [];
  }
};

/** PING PROXY (§8) */
export const parsePing = (c: Ctx, i: number): void => {
  if (c.isKw(i + 1, K.PROXY) && c.type(i + 2) === T.END) {
    c.r.kind = 'INTERNAL_CMD';
    c.r.internalCmd = 'PING PROXY';
  }
};
