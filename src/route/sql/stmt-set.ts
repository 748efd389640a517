// SET statements (spec §6.2: session state learned from the parser, replayed on other server sessions).
// Grammar covered: SET [scope] var = expr {, [scope] var = expr}, with var = @user | @@[scope.]sys | sys,
// scope = GLOBAL | SESSION | LOCAL | PERSIST | PERSIST_ONLY (sticky for following items, as in MySQL);
// NAMES cs [COLLATE c] | NAMES DEFAULT; CHARACTER SET cs | CHARSET cs; [scope] TRANSACTION characteristics.
// Anything else (SET PASSWORD, SET ROLE, unparsable items) keeps the assignments parsed so far and says so.

import type { Ctx } from './ctx.js';
import { K } from './keywords.js';
import { O, T } from './tokens.js';
import * as result from './result.js';
import * as dml from './stmt-dml.js';
import type { SetScope, ValueRef } from './types.js';
import * as values from './values.js';

// Imported functions and tables are re-bound to module consts: see "Bindings" in parse.ts.
const { addSet, noKey } = result;
const { elementEnd } = dml;
const { literal, parseValueExact, sysVarParts, userVarName } = values;

const scopeOf = (kw: number): SetScope | null => {
  switch (kw) {
    case K.GLOBAL: return 'global';
    case K.SESSION: case K.LOCAL: return 'session';
    case K.PERSIST: return 'persist';
    case K.PERSIST_ONLY: return 'persist_only';
    default: return null;
  }
};

export const parseSet = (c: Ctx, i: number): void => {
  const r = c.r;
  r.kind = 'SET';
  let j = i + 1;
  const s0 = scopeOf(c.kw(j));
  if (c.isKw(j, K.TRANSACTION) || (s0 !== null && c.isKw(j + 1, K.TRANSACTION))) {
    setTransaction(c, s0 === null ? j + 1 : j + 2, s0 ?? 'transaction');
    return;
  }
  if (c.isKw(j, K.PASSWORD) || c.isKw(j, K.ROLE) || (c.isKw(j, K.DEFAULT) && c.isKw(j + 1, K.ROLE))) {
    r.objectType = c.lident(j);
    return;
  }
  let scope: SetScope = 'session';
  let names = 0;
  let charsets = 0;
  let others = 0;
  while (j < c.n) {
    const s = scopeOf(c.kw(j));
    if (s !== null && !isAssignOp(c, j + 1)) { scope = s; j++; }
    let k: number;
    if (c.isKw(j, K.NAMES)) { k = names_(c, j + 1); names++; }
    else if (c.isKw(j, K.CHARSET) || (c.isKw(j, K.CHARACTER) && c.isKw(j + 1, K.SET))) {
      k = charset(c, c.isKw(j, K.CHARSET) ? j + 1 : j + 2);
      charsets++;
    } else { k = variable(c, j, scope); others++; }
    if (k < 0) { noKey(r, 'SET statement not fully parsed'); return; }
    if (k >= c.n) break;
    if (!c.isOp(k, O.COMMA)) { noKey(r, 'SET statement not fully parsed'); return; }
    j = k + 1;
  }
  if (others === 0 && charsets === 0 && names > 0) r.kind = 'SET_NAMES';
  else if (others === 0 && names === 0 && charsets > 0) r.kind = 'SET_CHARSET';
};

const isAssignOp = (c: Ctx, i: number): boolean => {
  return c.isOp(i, O.EQ) || c.isOp(i, O.ASSIGN);
};

/** `@u = v`, `@@[scope.]x = v`, `x = v`; returns the index after the value, or -1. */
const variable = (c: Ctx, j: number, scope: SetScope): number => {
  let name: string;
  let sc: SetScope = scope;
  let k = j + 1;
  const t = c.type(j);
  if (t === T.USERVAR) {
    name = userVarName(c, j);
    sc = 'user';
  } else if (t === T.SYSVAR) {
    const p = sysVarParts(c.text(j));
    name = p.name;
    sc = p.scope ?? 'session';
  } else if (c.isIdent(j)) {
    name = c.lident(j);
    while (c.isOp(k, O.DOT) && c.isIdent(k + 1)) { name += '.' + c.lident(k + 1); k += 2; }
  } else {
    return -1;
  }
  if (!isAssignOp(c, k)) return -1;
  return assign(c, sc, name, k + 1, null);
};

/** Records `name = <tokens [a, end of element)>`; returns the element end. */
const assign = (c: Ctx, scope: SetScope, name: string, a: number, collation: string | null): number => {
  const b = elementEnd(c, a, c.n);
  if (c.cut && b >= c.n) {
    noKey(c.r, 'statement truncated at the parse limit');
    return c.n;
  }
  if (a >= b) return -1;
  const text = c.span(a, b - 1);
  addSet(c.r, { scope, name, valueText: text, value: setValue(c, a, b, scope, text), collation });
  return b;
};

const setValue = (c: Ctx, a: number, b: number, scope: SetScope, text: string): ValueRef => {
  const v = parseValueExact(c, a, b);
  if (v !== null) return v;
  if (b === a + 1 && scope !== 'user' && c.isIdent(a)) return literal('string', c.ident(a)); // ON, OFF, utf8mb4
  return { kind: 'expr', text };
};

/** NAMES cs [COLLATE c] | NAMES DEFAULT */
const names_ = (c: Ctx, j: number): number => {
  let b = j + 1;
  let collation: string | null = null;
  if (c.isKw(b, K.COLLATE) && (c.isIdent(b + 1) || c.type(b + 1) === T.STRING)) {
    collation = c.lident(b + 1);
    b += 2;
  }
  return charsetItem(c, 'names', 'names', j, b, collation);
};

const charset = (c: Ctx, j: number): number => {
  return charsetItem(c, 'charset', 'character_set', j, j + 1, null);
};

const charsetItem = (c: Ctx, scope: SetScope, name: string, j: number, end: number, collation: string | null): number => {
  const t = c.type(j);
  if (t !== T.WORD && t !== T.QIDENT && t !== T.STRING) return -1;
  if (c.cut && end >= c.n) { noKey(c.r, 'statement truncated at the parse limit'); return c.n; }
  const value: ValueRef = c.isKw(j, K.DEFAULT) ? { kind: 'default' } : literal('string', c.lident(j));
  addSet(c.r, { scope, name, valueText: c.text(j), value, collation });
  return end;
};

/** [scope] TRANSACTION {ISOLATION LEVEL lvl | READ WRITE | READ ONLY} [, ...] */
const setTransaction = (c: Ctx, j: number, scope: SetScope): void => {
  const r = c.r;
  r.kind = 'SET_TRANSACTION';
  while (j < c.n) {
    let name: string;
    let value: string;
    if (c.isKw(j, K.ISOLATION) && c.isKw(j + 1, K.LEVEL)) {
      const lvl = isolation(c, j + 2);
      if (lvl === null) break;
      name = 'transaction_isolation';
      value = lvl;
      j = c.vEnd;
    } else if (c.isKw(j, K.READ) && (c.isKw(j + 1, K.ONLY) || c.isKw(j + 1, K.WRITE))) {
      name = 'transaction_read_only';
      value = c.isKw(j + 1, K.ONLY) ? '1' : '0';
      j += 2;
    } else {
      break;
    }
    if (c.cut && j >= c.n) break;
    const quoted = name === 'transaction_isolation';
    addSet(r, {
      scope, name, valueText: quoted ? `'${value}'` : value,
      value: quoted ? literal('string', value) : literal('int', value), collation: null,
    });
    if (j >= c.n) return;
    if (!c.isOp(j, O.COMMA)) break;
    j++;
  }
  noKey(r, 'SET TRANSACTION not fully parsed');
};

/** Isolation level at j; sets c.vEnd past it. */
const isolation = (c: Ctx, j: number): string | null => {
  c.vEnd = j + 2;
  if (c.isKw(j, K.REPEATABLE) && c.isKw(j + 1, K.READ)) return 'REPEATABLE-READ';
  if (c.isKw(j, K.READ) && c.isKw(j + 1, K.COMMITTED)) return 'READ-COMMITTED';
  if (c.isKw(j, K.READ) && c.isKw(j + 1, K.UNCOMMITTED)) return 'READ-UNCOMMITTED';
  c.vEnd = j + 1;
  if (c.isKw(j, K.SERIALIZABLE)) return 'SERIALIZABLE';
  return null;
};
