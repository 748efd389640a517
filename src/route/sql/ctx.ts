// Parse context: the tokens of one lex() plus the result being built, with the token predicates every
// statement parser uses. Token indexes past the last token read as the END sentinel (the lexer writes one at
// index `count`), so parsers may look ahead without bounds checks as long as they stop at END.

import * as keywords from './keywords.js';
import type { Lexer } from './lexer.js';
import { F, O, S, T } from './tokens.js';
import * as result from './result.js';
import type { RouteParse } from './types.js';

// Imported functions and tables are re-bound to module consts: see "Bindings" in parse.ts.
const { KW_TEXT } = keywords;
const { newResult } = result;

export class Ctx {
  // `declare`: no field definition (which would store undefined first); the constructor's store is the field's
  // first, so V8 tracks the field's map and token reads need no map check. Same for tk below.
  declare readonly lx: Lexer;
  src = '';
  /** Token count; index `n` is the END sentinel. */
  n = 0;
  /** The result being built (replaced for every parse). */
  r: RouteParse = newResult('EMPTY');
  noBackslash = false;
  /** Set by the value parser: index of the first token after the value it returned. */
  vEnd = 0;
  /** The first statement was cut at the parse limit (no `;` seen before it). */
  cut = false;
  /** A derived table came first: no further FROM items are reported as tables. */
  stopTables = false;
  /** Depth of statements parsed inside statements (EXPLAIN ROUTE ...). */
  nesting = 0;
  /** Token index right after the verb: where a `/*+ ... *\/` hint comment may sit. */
  hintPos = 1;
  /** Scratch of tables.ts qualifiedName: token indexes of the last `db.name@link` found (-1: part absent). */
  qDb = -1;
  qName = 0;
  qLink = -1;
  /** Scratch of conditions.ts columnRef: token indexes of the first and last name part of `[db.][t.]col`. */
  colFirst = 0;
  colLast = 0;

  /** The lexer's token array (layout: S in tokens.ts), re-bound after every lex (it is replaced when it grows). */
  declare tk: Int32Array;

  constructor(lx: Lexer) {
    this.lx = lx;
    this.tk = lx.tk;
  }

  /** Points the context at the lexer's current tokens. */
  bind(src: string): void {
    this.src = src;
    this.n = this.lx.count;
    this.tk = this.lx.tk;
  }

  type(i: number): number {
    return i < this.n ? this.tk[i << S.SHIFT]! & 31 : T.END;
  }
  /** Packed token i (`aux << 5 | type`); END at and past n. */
  packed(i: number): number {
    return i < this.n ? this.tk[i << S.SHIFT]! : T.END;
  }
  /** Payload of token i (keyword id, operator code, placeholder ordinal). */
  aux(i: number): number {
    return this.tk[i << S.SHIFT]! >> 5;
  }
  kw(i: number): number {
    if (i >= this.n) return 0;
    const v = this.tk[i << S.SHIFT]!;
    return (v & 31) === T.WORD ? v >> 5 : 0;
  }
  isKw(i: number, id: number): boolean {
    return i < this.n && this.tk[i << S.SHIFT] === ((id << 5) | T.WORD);
  }
  isOp(i: number, op: number): boolean {
    return i < this.n && this.tk[i << S.SHIFT] === ((op << 5) | T.OP);
  }
  /** Index of the `)` matching the `(` at i, or -1. */
  close(i: number): number {
    return this.tk[(i << S.SHIFT) + S.EXTRA]!;
  }
  isIdent(i: number): boolean {
    const t = this.type(i);
    return t === T.WORD || t === T.QIDENT;
  }
  /** Token i directly follows token i - 1 (no blank or comment between). */
  adjacent(i: number): boolean {
    return i > 0 && this.tk[(i << S.SHIFT) + S.START] === this.tk[((i - 1) << S.SHIFT) + S.STOP];
  }
  /** Raw source text of token i. */
  text(i: number): string {
    const p = i << S.SHIFT;
    return this.src.slice(this.tk[p + S.START], this.tk[p + S.STOP]);
  }
  /** Raw source text from the start of token a to the end of token b (inclusive). */
  span(a: number, b: number): string {
    return this.src.slice(this.tk[(a << S.SHIFT) + S.START], this.tk[(b << S.SHIFT) + S.STOP]);
  }
  /** Identifier text: backticks removed and `` unescaped; strings unescaped (SET NAMES 'x'). */
  ident(i: number): string {
    const p = i << S.SHIFT;
    const t = this.tk[p]! & 31;
    const s = this.tk[p | S.START]!;
    const e = this.tk[p | S.STOP]!;
    if (t === T.QIDENT) {
      const inner = this.src.slice(s + 1, e - 1);
      if ((this.tk[p | S.EXTRA]! & F.ESCAPED) === 0) return inner;
      const q = this.src[s]!;
      return inner.split(q + q).join(q);
    }
    if (t === T.STRING) return this.stringValue(i);
    return this.src.slice(s, e);
  }
  /** Lower-cased identifier text. */
  lident(i: number): string {
    const p = i << S.SHIFT;
    const v = this.tk[p]!;
    if ((v & 31) !== T.WORD) return this.ident(i).toLowerCase();
    if (v >> 5 !== 0) return KW_TEXT[v >> 5]!; // a keyword match implies ASCII letters: its text is the lower case
    const src = this.src;
    const s = this.tk[p | S.START]!;
    const e = this.tk[p | S.STOP]!;
    for (let k = s; k < e; k++) { // toLowerCase only when something can change (cost: one pass, no allocation)
      const ch = src.charCodeAt(k);
      if ((ch >= 65 && ch <= 90) || ch >= 128) return src.slice(s, e).toLowerCase();
    }
    return src.slice(s, e);
  }
  /** Unescaped content of a STRING / NSTRING token. */
  stringValue(i: number): string {
    const p = i << S.SHIFT;
    const s = this.tk[p + S.START]! + ((this.tk[p]! & 31) === T.NSTRING ? 1 : 0);
    const e = this.tk[p + S.STOP]!;
    if ((this.tk[p + S.EXTRA]! & F.ESCAPED) === 0) return this.src.slice(s + 1, e - 1);
    return unescapeString(this.src, s + 1, e - 1, this.src.charCodeAt(s), this.noBackslash);
  }
  /** Index just past the parenthesised group starting at i (past the end when unbalanced), else i + 1. */
  skipParen(i: number): number {
    if (this.isOp(i, O.LPAREN)) {
      const m = this.close(i);
      return m < 0 ? this.n : m + 1;
    }
    return i + 1;
  }
}

/** MySQL string-literal unescaping (doubled quote; backslash escapes unless NO_BACKSLASH_ESCAPES). */
export const unescapeString = (src: string, s: number, e: number, quote: number, noBackslash: boolean): string => {
  let out = '';
  let run = s;
  let i = s;
  while (i < e) {
    const c = src.charCodeAt(i);
    if (c === quote && i + 1 < e && src.charCodeAt(i + 1) === quote) {
      out += src.slice(run, i + 1);
      i += 2;
      run = i;
    } else if (c === 92 && !noBackslash && i + 1 < e) {
      out += src.slice(run, i) + backslashEscape(src.charCodeAt(i + 1));
      i += 2;
      run = i;
    } else {
      i++;
    }
  }
  return out + src.slice(run, e);
};

const backslashEscape = (c: number): string => {
  switch (c) {
    case 48: return '\0';
    case 98: return '\b';
    case 110: return '\n';
    case 114: return '\r';
    case 116: return '\t';
    case 90: return '\x1a';
    case 37: return '\\%';
    case 95: return '\\_';
    default: return String.fromCharCode(c);
  }
};
