// Pure scanners for the lexer's less frequent tokens: numbers, variables, operators, and the look-ahead after
// the first `;`. Each reads char codes of src[i, limit) and returns an end offset; nothing is allocated.

import * as tokens from './tokens.js';
import { C, O, T } from './tokens.js';

// Imported functions and tables are re-bound to module consts: see "Bindings" in parse.ts.
const { CLS, isDigit, isHexDigit, isIdent } = tokens;

/** Out-parameter of scanNumber / scanVar (the token type found). */
export interface ScanOut { type: T }

/**
 * Number at i: INT, DECIMAL (1.5, .5, 1.), FLOAT (1e3, 1.5E-3), HEX (0x1f) or BIT (0b01). Returns its end, or
 * -1 when the text is an identifier that starts with digits (1abc, 0xg).
 */
export const scanNumber = (src: string, i: number, limit: number, out: ScanOut): number => {
  const c0 = src.charCodeAt(i);
  const c1 = i + 1 < limit ? src.charCodeAt(i + 1) : -1;
  if (c0 === 48 && (c1 === 120 || c1 === 98)) { // 0x.. / 0b..
    let j = i + 2;
    while (j < limit && (c1 === 120 ? isHexDigit(src.charCodeAt(j)) : (src.charCodeAt(j) | 1) === 49)) j++;
    if (j > i + 2 && (j >= limit || !isIdent(src.charCodeAt(j)))) {
      out.type = c1 === 120 ? T.HEX : T.BIT;
      return j;
    }
    return -1;
  }
  let j = i;
  while (j < limit && isDigit(src.charCodeAt(j))) j++;
  let type: T = T.INT;
  if (j < limit && src.charCodeAt(j) === 46) {
    type = T.DECIMAL;
    j++;
    while (j < limit && isDigit(src.charCodeAt(j))) j++;
  }
  if (j < limit && (src.charCodeAt(j) | 32) === 101) {
    let k = j + 1;
    const s = k < limit ? src.charCodeAt(k) : -1;
    if (s === 43 || s === 45) k++;
    if (k < limit && isDigit(src.charCodeAt(k))) {
      while (k < limit && isDigit(src.charCodeAt(k))) k++;
      type = T.FLOAT;
      j = k;
    }
  }
  if (type === T.INT && j < limit && isIdent(src.charCodeAt(j))) return -1;
  out.type = type;
  return j;
};

/**
 * `@name`, `@'name'` (USERVAR), `@@[scope.]name` (SYSVAR) at i. A lone `@` / `@@` is an OP token; -1 means an
 * unterminated quoted name.
 */
export const scanVar = (src: string, i: number, limit: number, out: ScanOut): number => {
  const c1 = i + 1 < limit ? src.charCodeAt(i + 1) : -1;
  if (c1 === 64) {
    // @@name, @@scope.name; either part may be back-quoted (@@session.`sql_mode`).
    let j = sysVarPart(src, i + 2, limit);
    if (j < 0) return -1;
    if (j > i + 2 && j + 1 < limit && src.charCodeAt(j) === 46) {
      const k = sysVarPart(src, j + 1, limit);
      if (k < 0) return -1;
      if (k > j + 1) j = k;
    }
    out.type = j === i + 2 ? T.OP : T.SYSVAR;
    return j;
  }
  if (c1 === 39 || c1 === 34 || c1 === 96) {
    const k = src.indexOf(String.fromCharCode(c1), i + 2);
    if (k < 0 || k >= limit) return -1;
    out.type = T.USERVAR;
    return k + 1;
  }
  let j = i + 1;
  while (j < limit) {
    const d = src.charCodeAt(j);
    if (!isIdent(d) && d !== 46) break;
    j++;
  }
  out.type = j === i + 1 ? T.OP : T.USERVAR;
  return j;
};

/** End of one part of a system variable name at `i`: identifier characters or a `quoted` name; -1 unterminated. */
const sysVarPart = (src: string, i: number, limit: number): number => {
  if (i < limit && src.charCodeAt(i) === 96) {
    const k = src.indexOf('`', i + 1);
    return k < 0 || k >= limit ? -1 : k + 1;
  }
  let j = i;
  while (j < limit && isIdent(src.charCodeAt(j))) j++;
  return j;
};

/** Operator starting with char c (next, next2: the following chars or -1): `(op << 2) | length`. */
export const operator = (c: number, next: number, next2: number): number => {
  switch (c) {
    case 40: return (O.LPAREN << 2) | 1;
    case 41: return (O.RPAREN << 2) | 1;
    case 44: return (O.COMMA << 2) | 1;
    case 46: return (O.DOT << 2) | 1;
    case 61: return (O.EQ << 2) | 1;
    case 60: // <
      if (next === 61) return next2 === 62 ? (O.NSEQ << 2) | 3 : (O.LE << 2) | 2;
      if (next === 62) return (O.NE << 2) | 2;
      return next === 60 ? (O.OTHER << 2) | 2 : (O.LT << 2) | 1;
    case 62: // >
      if (next === 61) return (O.GE << 2) | 2;
      return next === 62 ? (O.OTHER << 2) | 2 : (O.GT << 2) | 1;
    case 33: return next === 61 ? (O.NE << 2) | 2 : (O.BANG << 2) | 1;
    case 124: return next === 124 ? (O.OROR << 2) | 2 : (O.OTHER << 2) | 1;
    case 38: return next === 38 ? (O.ANDAND << 2) | 2 : (O.OTHER << 2) | 1;
    case 43: return (O.PLUS << 2) | 1;
    case 45: return next === 62 ? (O.OTHER << 2) | 2 : (O.MINUS << 2) | 1;
    case 42: return (O.STAR << 2) | 1;
    case 47: return (O.SLASH << 2) | 1;
    case 37: return (O.PERCENT << 2) | 1;
    case 58: return next === 61 ? (O.ASSIGN << 2) | 2 : (O.OTHER << 2) | 1;
    default: return (O.OTHER << 2) | 1;
  }
};

/** After the first `;`: is there anything but blanks, comments and further `;` before the limit? */
export const hasMore = (src: string, i: number, limit: number): boolean => {
  while (i < limit) {
    const c = src.charCodeAt(i);
    if ((c < 128 && CLS[c] === C.SPACE) || c === 59) { i++; continue; }
    const next = i + 1 < limit ? src.charCodeAt(i + 1) : -1;
    if (c === 47 && next === 42 && (i + 2 >= limit || src.charCodeAt(i + 2) !== 33)) {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) return false;
      i = end + 2;
    } else if (c === 35 || (c === 45 && next === 45 && (i + 2 >= limit || src.charCodeAt(i + 2) <= 32))) {
      const nl = src.indexOf('\n', i);
      if (nl < 0) return false;
      i = nl + 1;
    } else {
      return true;
    }
  }
  return false;
};
