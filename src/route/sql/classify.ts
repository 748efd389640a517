// Statement classification: one switch on the verb keyword, delegating to the statement parsers.

import type { Ctx } from './ctx.js';
import { K } from './keywords.js';
import { O } from './tokens.js';
import * as result from './result.js';
import * as dml from './stmt-dml.js';
import * as other from './stmt-other.js';
import * as set from './stmt-set.js';
import * as txn from './stmt-txn.js';

// Imported functions and tables are re-bound to module consts: see "Bindings" in parse.ts.
const { EMPTY_CONDITIONS, EMPTY_TABLES, noKey } = result;
const { flagLockingReads, parseDelete, parseInsert, parseMerge, parseSelect, parseUpdate } = dml;
const { parseCall, parseDdl, parseExplain, parseLoad, parseLock, parsePing, parseShow, parseUnlock } = other;
const { parseSet } = set;
const {
  parseBegin, parseCommit, parseDeallocate, parseExecute, parseKill, parsePrepare, parseRelease, parseRollback,
  parseSavepoint, parseStart, parseUse, parseXa,
} = txn;

const MAX_CTE = 16;

/** Nesting bound for statements that contain statements (EXPLAIN ROUTE, WITH): no unbounded recursion. */
const MAX_NESTED_STATEMENTS = 4;

/** Classifies and extracts the statement whose verb is token i. */
export const dispatch = (c: Ctx, i: number): void => {
  if (c.nesting >= MAX_NESTED_STATEMENTS) return;
  c.nesting++; // reset by parseRoute, so an exception cannot leave it raised
  c.hintPos = i + 1;
  switch (c.kw(i)) {
    case K.SELECT: parseSelect(c, i); break;
    case K.INSERT: case K.REPLACE: parseInsert(c, i); break;
    case K.UPDATE: parseUpdate(c, i); break;
    case K.DELETE: parseDelete(c, i); break;
    case K.MERGE: parseMerge(c, i); break;
    case K.SET: parseSet(c, i); break;
    case K.USE: parseUse(c, i); break;
    case K.BEGIN: parseBegin(c, i); break;
    case K.START: parseStart(c, i); break;
    case K.COMMIT: parseCommit(c); break;
    case K.ROLLBACK: parseRollback(c, i); break;
    case K.SAVEPOINT: parseSavepoint(c, i); break;
    case K.RELEASE: parseRelease(c, i); break;
    case K.XA: parseXa(c, i); break;
    case K.SHOW: parseShow(c, i); break;
    case K.DESC: case K.DESCRIBE: case K.EXPLAIN: parseExplain(c, i, dispatch); break;
    case K.PREPARE: parsePrepare(c, i); break;
    case K.EXECUTE: parseExecute(c, i); break;
    case K.DEALLOCATE: if (c.isKw(i + 1, K.PREPARE)) parseDeallocate(c, i + 1); break;
    case K.DROP:
      if (c.isKw(i + 1, K.PREPARE)) parseDeallocate(c, i + 1);
      else parseDdl(c, i);
      break;
    case K.CREATE: parseCreate(c, i); break;
    case K.ALTER: case K.TRUNCATE: case K.RENAME: parseDdl(c, i); break;
    case K.GRANT: c.r.kind = 'GRANT'; break;
    case K.REVOKE: c.r.kind = 'REVOKE'; break;
    case K.LOAD: parseLoad(c, i); break;
    case K.LOCK: parseLock(c, i); break;
    case K.UNLOCK: parseUnlock(c, i); break;
    case K.KILL: parseKill(c, i); break;
    case K.HELP: c.r.kind = 'HELP'; break;
    case K.CALL: parseCall(c, i); break;
    case K.PING: parsePing(c, i); break;
    case K.WITH: parseWith(c, i); break;
    case K.DECLARE: c.r.multiStatement = false; break;
    default:
      if (c.isOp(i, O.LPAREN)) parenthesisedQuery(c, i);
      break;
  }
  c.nesting--;
};

/** CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT bodies may contain `;`: the statement is not a multi-statement. */
const parseCreate = (c: Ctx, i: number): void => {
  parseDdl(c, i);
  const end = Math.min(c.n, i + 24);
  for (let j = i + 1; j < end; j++) {
    const kw = c.kw(j);
    if (kw === K.PROCEDURE || kw === K.FUNCTION || kw === K.TRIGGER || kw === K.EVENT) {
      c.r.objectType = c.lident(j);
      c.r.multiStatement = false;
      return;
    }
    if (kw === K.TABLE || kw === K.INDEX || kw === K.VIEW || c.isOp(j, O.LPAREN)) return;
  }
};

/** WITH [RECURSIVE] cte [(cols)] AS (...) [, ...] stmt: classified by stmt; its tables may be CTEs: no key. */
const parseWith = (c: Ctx, i: number): void => {
  let j = i + 1;
  if (c.isKw(j, K.RECURSIVE)) j++;
  for (let k = 0; k < MAX_CTE; k++) {
    if (!c.isIdent(j)) return;
    j++;
    if (c.isOp(j, O.LPAREN)) j = c.skipParen(j);
    if (!c.isKw(j, K.AS) || !c.isOp(j + 1, O.LPAREN)) return;
    j = c.skipParen(j + 1);
    if (!c.isOp(j, O.COMMA)) break;
    j++;
  }
  const main = c.kw(j);
  if (main !== K.SELECT && main !== K.INSERT && main !== K.REPLACE && main !== K.UPDATE && main !== K.DELETE) return;
  dispatch(c, j);
  const r = c.r;
  r.tables = EMPTY_TABLES;
  r.dbName = null;
  r.tableName = null;
  r.tableAlias = null;
  r.explicitPartition = null;
  r.conditions = EMPTY_CONDITIONS;
  noKey(r, 'WITH clause (common table expression)');
};

/** `(SELECT ...) UNION (...)`: a SELECT without a routing table. */
const parenthesisedQuery = (c: Ctx, i: number): void => {
  let j = i;
  while (c.isOp(j, O.LPAREN)) j++;
  if (!c.isKw(j, K.SELECT) && !c.isKw(j, K.WITH)) return;
  c.r.kind = 'SELECT';
  noKey(c.r, 'parenthesised query');
  flagLockingReads(c, j);
};
