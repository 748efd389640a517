// Statement classification: one switch on the verb keyword, delegating to the statement parsers.

import type { Ctx } from './ctx.js';
import { K } from './keywords.js';
import { O } from './tokens.js';
import { EMPTY_CONDITIONS, EMPTY_TABLES, noKey } from './result.js';
import { parseDelete, parseInsert, parseMerge, parseSelect, parseUpdate } from './stmt-dml.js';
import {
  parseCall, parseDdl, parseExplain, parseLoad, parseLock, parsePing, parseShow, parseUnlock,
} from './stmt-other.js';
import { parseSet } from './stmt-set.js';
import {
  parseBegin, parseCommit, parseDeallocate, parseExecute, parseKill, parsePrepare, parseRelease, parseRollback,
  parseSavepoint, parseStart, parseUse, parseXa,
} from './stmt-txn.js';

const MAX_CTE = 16;

/** Nesting bound for statements that contain statements (EXPLAIN ROUTE, WITH): no unbounded recursion. */
const MAX_NESTED_STATEMENTS = 4;

/** Classifies and extracts the statement whose verb is token i. */
export function dispatch(c: Ctx, i: number): void {
  if (c.nesting >= MAX_NESTED_STATEMENTS) return;
  c.nesting++; // reset by parseRoute, so an exception cannot leave it raised
  verb(c, i);
  c.nesting--;
}

function verb(c: Ctx, i: number): void {
  c.hintPos = i + 1;
  switch (c.kw(i)) {
    case K.SELECT: parseSelect(c, i); return;
    case K.INSERT: case K.REPLACE: parseInsert(c, i); return;
    case K.UPDATE: parseUpdate(c, i); return;
    case K.DELETE: parseDelete(c, i); return;
    case K.MERGE: parseMerge(c, i); return;
    case K.SET: parseSet(c, i); return;
    case K.USE: parseUse(c, i); return;
    case K.BEGIN: parseBegin(c, i); return;
    case K.START: parseStart(c, i); return;
    case K.COMMIT: parseCommit(c); return;
    case K.ROLLBACK: parseRollback(c, i); return;
    case K.SAVEPOINT: parseSavepoint(c, i); return;
    case K.RELEASE: parseRelease(c, i); return;
    case K.XA: parseXa(c, i); return;
    case K.SHOW: parseShow(c, i); return;
    case K.DESC: case K.DESCRIBE: case K.EXPLAIN: parseExplain(c, i, dispatch); return;
    case K.PREPARE: parsePrepare(c, i); return;
    case K.EXECUTE: parseExecute(c, i); return;
    case K.DEALLOCATE: if (c.isKw(i + 1, K.PREPARE)) parseDeallocate(c, i + 1); return;
    case K.DROP:
      if (c.isKw(i + 1, K.PREPARE)) parseDeallocate(c, i + 1);
      else parseDdl(c, i);
      return;
    case K.CREATE: parseCreate(c, i); return;
    case K.ALTER: case K.TRUNCATE: case K.RENAME: parseDdl(c, i); return;
    case K.GRANT: c.r.kind = 'GRANT'; return;
    case K.REVOKE: c.r.kind = 'REVOKE'; return;
    case K.LOAD: parseLoad(c, i); return;
    case K.LOCK: parseLock(c, i); return;
    case K.UNLOCK: parseUnlock(c, i); return;
    case K.KILL: parseKill(c, i); return;
    case K.HELP: c.r.kind = 'HELP'; return;
    case K.CALL: parseCall(c, i); return;
    case K.PING: parsePing(c, i); return;
    case K.WITH: parseWith(c, i); return;
    case K.DECLARE: c.r.multiStatement = false; return;
    default:
      if (c.isOp(i, O.LPAREN)) parenthesisedQuery(c, i);
      return;
  }
}

/** CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT bodies may contain `;`: the statement is not a multi-statement. */
function parseCreate(c: Ctx, i: number): void {
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
}

/** WITH [RECURSIVE] cte [(cols)] AS (...) [, ...] stmt: classified by stmt; its tables may be CTEs: no key. */
function parseWith(c: Ctx, i: number): void {
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
}

/** `(SELECT ...) UNION (...)`: a SELECT without a routing table. */
function parenthesisedQuery(c: Ctx, i: number): void {
  let j = i;
  while (c.isOp(j, O.LPAREN)) j++;
  if (!c.isKw(j, K.SELECT) && !c.isKw(j, K.WITH)) return;
  c.r.kind = 'SELECT';
  noKey(c.r, 'parenthesised query');
  let k = j;
  while (k < c.n) {
    if (c.isKw(k, K.FOR) && c.isKw(k + 1, K.UPDATE)) c.r.hasForUpdate = true;
    k++;
  }
}
