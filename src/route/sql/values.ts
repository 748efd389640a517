// Value-expression parser: constant expressions on a key (literals, `?`, @vars, function calls, + - * /)
// become ValueRefs (see types.ts); anything that references a column or needs the SQL engine (subquery,
// CASE, CAST, INTERVAL, bit operators) yields null so the caller can skip it or keep it as an ExprRef.
// Recursion is bounded by MAX_DEPTH; every loop advances a token index bounded by `end`.

import type { Ctx } from './ctx.js';
import * as keywords from './keywords.js';
import { K, KF } from './keywords.js';
import { O, S, T } from './tokens.js';
import type { LiteralRef, LiteralType, SysVarScope, ValueRef } from './types.js';

// Imported functions and tables are re-bound to module consts: see "Bindings" in parse.ts.
const { KW_FLAGS } = keywords;

const MAX_DEPTH = 24;

export const literal = (type: LiteralType, text: string, charsetIntroducer: string | null = null): LiteralRef => {
  return { kind: 'literal', type, text, charsetIntroducer, collation: null };
};

/** Parses a value expression starting at token i, not reading at or past `end`; sets c.vEnd. */
export const parseValue = (c: Ctx, i: number, end: number): ValueRef | null => {
  return isLoneToken(c, i, end) ? loneValue(c, i) : additive(c, i, end, 0);
};

/** Parses a value that must span exactly [i, end); null otherwise. */
export const parseValueExact = (c: Ctx, i: number, end: number): ValueRef | null => {
  if (i >= end) return null;
  const v = isLoneToken(c, i, end) ? loneValue(c, i) : additive(c, i, end, 0);
  return v !== null && c.vEnd === end ? v : null;
};

/** primary() of a token isLoneToken accepts (INT, DECIMAL, PARAM, USERVAR), kept small so callers inline it. */
export const loneValue = (c: Ctx, i: number): ValueRef => {
  c.vEnd = i + 1;
  const v = c.tk[i << S.SHIFT]!;
  switch (v & 31) {
    case T.INT: return literal('int', normalizeInt(c.text(i)));
    case T.DECIMAL: return literal('decimal', c.text(i));
    case T.PARAM: return { kind: 'placeholder', index: v >> 5 };
    default: return { kind: 'user_var', name: userVarName(c, i) };
  }
};

/**
 * Fast path (most key values): a number, `?` or @var whose next token cannot continue the expression, so the
 * operator-precedence levels can be skipped. Strings are excluded (concatenation, COLLATE).
 */
const isLoneToken = (c: Ctx, i: number, end: number): boolean => {
  const t = c.type(i);
  if (t !== T.INT && t !== T.PARAM && t !== T.DECIMAL && t !== T.USERVAR) return false;
  const j = i + 1;
  if (j >= end) return true;
  const v = j < c.n ? c.tk[j << S.SHIFT]! : T.END; // inlined c.type / c.aux
  const nt = v & 31;
  const aux = v >> 5;
  if (nt === T.OP) return aux !== O.PLUS && aux !== O.MINUS && aux !== O.STAR && aux !== O.SLASH && aux !== O.PERCENT;
  return nt === T.WORD && aux !== K.DIV && aux !== K.MOD;
};

const additive = (c: Ctx, i: number, end: number, depth: number): ValueRef | null => {
  let left = multiplicative(c, i, end, depth);
  while (left !== null && c.vEnd < end) {
    const j = c.vEnd;
    const op = c.isOp(j, O.PLUS) ? '+' : c.isOp(j, O.MINUS) ? '-' : null;
    if (op === null) break;
    const right = multiplicative(c, j + 1, end, depth);
    left = right === null ? null : { kind: 'func', name: op, args: [left, right] };
  }
  return left;
};

const multiplicative = (c: Ctx, i: number, end: number, depth: number): ValueRef | null => {
  let left = unary(c, i, end, depth);
  while (left !== null && c.vEnd < end) {
    const j = c.vEnd;
    const op = c.isOp(j, O.STAR) ? '*' : c.isOp(j, O.SLASH) ? '/' : c.isOp(j, O.PERCENT) ? '%'
      : c.isKw(j, K.DIV) ? 'div' : c.isKw(j, K.MOD) ? 'mod' : null;
    if (op === null) break;
    const right = unary(c, j + 1, end, depth);
    left = right === null ? null : { kind: 'func', name: op, args: [left, right] };
  }
  return left;
};

const unary = (c: Ctx, i: number, end: number, depth: number): ValueRef | null => {
  if (i >= end || depth > MAX_DEPTH) return null;
  if (c.isOp(i, O.MINUS)) {
    const v = unary(c, i + 1, end, depth + 1);
    if (v === null) return null;
    if (v.kind === 'literal' && (v.type === 'int' || v.type === 'decimal' || v.type === 'float')) {
      return literal(v.type, negate(v.text));
    }
    return { kind: 'func', name: '-', args: [v] };
  }
  if (c.isOp(i, O.PLUS)) {
    const v = unary(c, i + 1, end, depth + 1);
    return v !== null && v.kind === 'literal' && (v.type === 'int' || v.type === 'decimal' || v.type === 'float') ? v : null;
  }
  return primary(c, i, end, depth);
};

const negate = (text: string): string => {
  if (text.charCodeAt(0) === 45) return text.slice(1);
  return text === '0' ? text : '-' + text;
};

const primary = (c: Ctx, i: number, end: number, depth: number): ValueRef | null => {
  c.vEnd = i + 1;
  switch (c.type(i)) {
    case T.INT: return literal('int', normalizeInt(c.text(i)));
    case T.DECIMAL: return literal('decimal', c.text(i));
    case T.FLOAT: return literal('float', c.text(i));
    case T.STRING:
    case T.NSTRING: return stringLiteral(c, i, end, c.type(i) === T.NSTRING ? 'national' : null);
    case T.HEX:
    case T.BIT: return bitsLiteral(c, i);
    case T.PARAM: return { kind: 'placeholder', index: c.aux(i) };
    case T.USERVAR: return { kind: 'user_var', name: userVarName(c, i) };
    case T.SYSVAR: return sysVar(c, i);
    case T.WORD: return word(c, i, end, depth);
    case T.OP: return c.isOp(i, O.LPAREN) ? parenthesised(c, i, end, depth) : null;
    default: return null;
  }
};

const normalizeInt = (t: string): string => {
  let k = 0;
  while (k < t.length - 1 && t.charCodeAt(k) === 48) k++;
  return k === 0 ? t : t.slice(k);
};

/** 'a' 'b' → 'ab'; optional COLLATE. */
const stringLiteral = (c: Ctx, i: number, end: number, introducer: string | null): ValueRef => {
  let text = c.stringValue(i);
  let j = i + 1;
  while (j < end && c.type(j) === T.STRING) text += c.stringValue(j++);
  const v = literal('string', text, introducer);
  return withCollation(c, v, j, end);
};

const withCollation = (c: Ctx, v: LiteralRef, j: number, end: number): LiteralRef => {
  if (j + 1 < end && c.isKw(j, K.COLLATE) && (c.isIdent(j + 1) || c.type(j + 1) === T.STRING)) {
    v.collation = c.lident(j + 1);
    j += 2;
  }
  c.vEnd = j;
  return v;
};

const bitsLiteral = (c: Ctx, i: number): ValueRef | null => {
  const t = c.text(i);
  const hex = c.type(i) === T.HEX;
  const quoted = t.charCodeAt(1) === 39;
  let digits = (quoted ? t.slice(2, -1) : t.slice(2)).toLowerCase();
  if (!(hex ? /^[0-9a-f]*$/ : /^[01]*$/).test(digits)) return null;
  if (hex && (digits.length & 1) === 1) {
    if (quoted) return null; // X'abc' is a syntax error in MySQL
    digits = '0' + digits;
  }
  return literal(hex ? 'hex' : 'bit', digits);
};

export const userVarName = (c: Ctx, i: number): string => {
  const t = c.text(i);
  const q = t.charCodeAt(1);
  if (q === 39 || q === 34 || q === 96) return t.slice(2, -1).toLowerCase();
  return t.slice(1).toLowerCase();
};

const SCOPES: Record<string, SysVarScope> = {
  global: 'global', session: 'session', local: 'session', persist: 'persist', persist_only: 'persist_only',
};

/** @@name / @@scope.name → scope (null if none given) and lower-cased name. */
export const sysVarParts = (text: string): { scope: SysVarScope | null; name: string } => {
  const body = text.includes('`') ? text.slice(2).replace(/`/g, '').toLowerCase() : text.slice(2).toLowerCase();
  const dot = body.indexOf('.');
  if (dot > 0) {
    const scope = SCOPES[body.slice(0, dot)];
    if (scope !== undefined) return { scope, name: body.slice(dot + 1) };
  }
  return { scope: null, name: body };
};

const sysVar = (c: Ctx, i: number): ValueRef => {
  const p = sysVarParts(c.text(i));
  return { kind: 'sys_var', scope: p.scope, name: p.name };
};

const word = (c: Ctx, i: number, end: number, depth: number): ValueRef | null => {
  const kw = c.kw(i);
  switch (kw) {
    case K.NULL: return literal('null', '');
    case K.TRUE: return literal('bool', '1');
    case K.FALSE: return literal('bool', '0');
    case K.NOT: case K.EXISTS: case K.CASE: case K.INTERVAL: case K.SELECT: case K.AND: case K.OR:
    case K.XOR: case K.IN: case K.IS: case K.BETWEEN: case K.LIKE: case K.ROW: case K.WITH: case K.BINARY:
      return null;
    default: break;
  }
  const next = i + 1;
  if (next < end && c.isOp(next, O.LPAREN)) return call(c, i, end, depth);
  if (kw === K.DEFAULT) return { kind: 'default' };
  if ((kw === K.DATE || kw === K.TIME || kw === K.TIMESTAMP) && next < end && c.type(next) === T.STRING) {
    c.vEnd = next + 1;
    return literal(kw === K.DATE ? 'date' : kw === K.TIME ? 'time' : 'timestamp', c.stringValue(next));
  }
  if (kw !== 0 && (KW_FLAGS[kw]! & KF.NILADIC) !== 0) return { kind: 'func', name: c.lident(i), args: [] };
  if (c.src.charCodeAt(c.tk[(i << S.SHIFT) + S.START]!) === 95 && next < end) return introduced(c, i, end); // _utf8mb4'x'
  return null;
};

const introduced = (c: Ctx, i: number, end: number): ValueRef | null => {
  const cs = c.text(i).slice(1).toLowerCase();
  const t = c.type(i + 1);
  if (t === T.STRING) return stringLiteral(c, i + 1, end, cs);
  if (t !== T.HEX && t !== T.BIT) return null;
  const v = bitsLiteral(c, i + 1);
  if (v === null || v.kind !== 'literal') return null;
  v.charsetIntroducer = cs;
  return withCollation(c, v, i + 2, end);
};

/** name(arg, ...): every argument must be a value spanning exactly up to its comma. */
const call = (c: Ctx, i: number, end: number, depth: number): ValueRef | null => {
  const open = i + 1;
  const close = c.close(open);
  if (close < 0 || close >= end || depth > MAX_DEPTH) return null;
  const name = c.lident(i);
  const args: ValueRef[] = [];
  let a = open + 1;
  if (a < close) {
    for (;;) {
      const v = additive(c, a, close, depth + 1);
      if (v === null) return null;
      args.push(v);
      const j = c.vEnd;
      if (j === close) break;
      if (!c.isOp(j, O.COMMA)) return null;
      a = j + 1;
    }
  }
  c.vEnd = close + 1;
  return { kind: 'func', name, args };
};

const parenthesised = (c: Ctx, i: number, end: number, depth: number): ValueRef | null => {
  const close = c.close(i);
  if (close < 0 || close >= end || c.isKw(i + 1, K.SELECT) || c.isKw(i + 1, K.WITH)) return null;
  const v = additive(c, i + 1, close, depth + 1);
  if (v === null || c.vEnd !== close) return null;
  c.vEnd = close + 1;
  return v;
};
