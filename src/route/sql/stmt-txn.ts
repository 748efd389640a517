// Transaction control, XA, USE, text prepared statements and KILL (spec §5.6, §6.2, §6.5).

import type { Ctx } from './ctx.js';
import { K } from './keywords.js';
import { O, T } from './tokens.js';
import * as result from './result.js';
import * as values from './values.js';

// Imported functions and tables are re-bound to module consts: see "Bindings" in parse.ts.
const { noKey } = result;
const { userVarName } = values;

export const parseUse = (c: Ctx, i: number): void => {
  c.r.kind = 'USE';
  if (c.isIdent(i + 1) || c.type(i + 1) === T.STRING) c.r.useDb = c.ident(i + 1);
};

/** BEGIN [WORK] is a transaction start; BEGIN followed by anything else is a PL block (OTHER). */
export const parseBegin = (c: Ctx, i: number): void => {
  const j = c.isKw(i + 1, K.WORK) ? i + 2 : i + 1;
  if (j >= c.n) c.r.kind = 'BEGIN';
  else c.r.multiStatement = false; // the block's own `;` separate its statements
};

export const parseStart = (c: Ctx, i: number): void => {
  c.r.kind = c.isKw(i + 1, K.TRANSACTION) ? 'START_TRANS' : 'OTHER';
};

export const parseCommit = (c: Ctx): void => {
  c.r.kind = 'COMMIT';
};

/** ROLLBACK [WORK] [TO [SAVEPOINT] sp] */
export const parseRollback = (c: Ctx, i: number): void => {
  let j = i + 1;
  if (c.isKw(j, K.WORK)) j++;
  if (!c.isKw(j, K.TO)) { c.r.kind = 'ROLLBACK'; return; }
  j++;
  if (c.isKw(j, K.SAVEPOINT)) j++;
  c.r.kind = 'ROLLBACK_TO_SAVEPOINT';
  if (c.isIdent(j)) c.r.savepoint = c.ident(j);
};

export const parseSavepoint = (c: Ctx, i: number): void => {
  c.r.kind = 'SAVEPOINT';
  if (c.isIdent(i + 1)) c.r.savepoint = c.ident(i + 1);
};

/** RELEASE SAVEPOINT sp */
export const parseRelease = (c: Ctx, i: number): void => {
  if (!c.isKw(i + 1, K.SAVEPOINT)) return;
  c.r.kind = 'RELEASE_SAVEPOINT';
  if (c.isIdent(i + 2)) c.r.savepoint = c.ident(i + 2);
};

/** XA {START|BEGIN|END|PREPARE|COMMIT|ROLLBACK} xid [...] | XA RECOVER */
export const parseXa = (c: Ctx, i: number): void => {
  const r = c.r;
  switch (c.kw(i + 1)) {
    case K.START: case K.BEGIN: r.kind = 'XA_START'; break;
    case K.END: r.kind = 'XA_END'; break;
    case K.PREPARE: r.kind = 'XA_PREPARE'; break;
    case K.COMMIT: r.kind = 'XA_COMMIT'; break;
    case K.ROLLBACK: r.kind = 'XA_ROLLBACK'; break;
    case K.RECOVER: r.kind = 'XA_RECOVER'; return;
    default: return;
  }
  const s = i + 2;
  let e = s;
  while (e < c.n) {
    const t = c.type(e);
    if (t === T.STRING || t === T.HEX || t === T.BIT || t === T.INT || (t === T.WORD && c.kw(e) === 0)) e++;
    else if (c.isOp(e, O.COMMA) && e > s) e++;
    else break;
  }
  if (e > s) r.xid = c.span(s, e - 1);
};

/** PREPARE s FROM '...' | PREPARE s FROM @v */
export const parsePrepare = (c: Ctx, i: number): void => {
  const r = c.r;
  r.kind = 'PREPARE';
  if (!c.isIdent(i + 1) || !c.isKw(i + 2, K.FROM)) { noKey(r, 'unparsed PREPARE'); return; }
  const name = c.lident(i + 1);
  const t = c.type(i + 3);
  if (t === T.STRING || t === T.NSTRING) {
    let sql = c.stringValue(i + 3);
    for (let k = i + 4; c.type(k) === T.STRING; k++) sql += c.stringValue(k);
    r.textPs = { name, sql, fromVar: null, usingVars: [] };
  } else if (t === T.USERVAR) {
    r.textPs = { name, sql: null, fromVar: userVarName(c, i + 3), usingVars: [] };
  } else {
    noKey(r, 'unparsed PREPARE');
  }
};

/** EXECUTE s [USING @a, @b] */
export const parseExecute = (c: Ctx, i: number): void => {
  const r = c.r;
  r.kind = 'EXECUTE';
  if (!c.isIdent(i + 1)) return;
  const usingVars: string[] = [];
  let j = i + 2;
  if (c.isKw(j, K.USING)) {
    j++;
    while (c.type(j) === T.USERVAR) {
      usingVars.push(userVarName(c, j));
      if (!c.isOp(j + 1, O.COMMA)) break;
      j += 2;
    }
  }
  r.textPs = { name: c.lident(i + 1), sql: null, fromVar: null, usingVars };
};

/** {DEALLOCATE | DROP} PREPARE s; i is the PREPARE token. */
export const parseDeallocate = (c: Ctx, i: number): void => {
  c.r.kind = 'DEALLOCATE';
  if (c.isIdent(i + 1)) c.r.textPs = { name: c.lident(i + 1), sql: null, fromVar: null, usingVars: [] };
};

/** KILL [CONNECTION | QUERY] id | KILL PROXYSESSION ... | KILL GLOBALSESSION ... */
export const parseKill = (c: Ctx, i: number): void => {
  const r = c.r;
  let j = i + 1;
  if (c.isKw(j, K.PROXYSESSION) || c.isKw(j, K.GLOBALSESSION)) {
    r.kind = 'INTERNAL_CMD';
    r.internalCmd = 'KILL ' + c.text(j).toUpperCase();
    return;
  }
  r.kind = 'KILL';
  if (c.isKw(j, K.QUERY)) { r.kind = 'KILL_QUERY'; j++; }
  else if (c.isKw(j, K.CONNECTION)) j++;
  const t = c.type(j);
  if (t === T.INT || t === T.PARAM || t === T.USERVAR) r.killId = c.text(j);
};
