// Parse context: the token arrays of one lex() plus the result being built, with the token predicates every
// statement parser uses. Token indexes past the last token read as the END sentinel (the lexer writes one at
// index `count`), so parsers may look ahead without bounds checks as long as they stop at END.

import { KW_TEXT } from './keywords.js';
import { Lexer } from './lexer.js';
import { F, O, T } from './tokens.js';
import { newResult } from './result.js';
import type { RouteParse } from './types.js';

export class Ctx {
  readonly lx: Lexer;
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

  // The lexer's token arrays, re-bound after every lex (they are replaced when they grow).
  /** Packed tokens (`aux << 5 | type`, see Lexer.tok). */
  tTok: Int32Array;
  tFlags: Uint8Array;
  tStart: Int32Array;
  tStop: Int32Array;
  tMatch: Int32Array;

  constructor(lx: Lexer) {
    this.lx = lx;
    this.tTok = lx.tok;
    this.tFlags = lx.flags;
    this.tStart = lx.start;
    this.tStop = lx.stop;
    this.tMatch = lx.match;
  }

  /** Points the context at the lexer's current tokens. */
  bind(src: string): void {
    const lx = this.lx;
    this.src = src;
    this.n = lx.count;
    this.tTok = lx.tok;
    this.tFlags = lx.flags;
    this.tStart = lx.start;
    this.tStop = lx.stop;
    this.tMatch = lx.match;
  }

  type(i: number): number {
    return i < this.n ? this.tTok[i]! & 31 : T.END;
  }
  /** Payload of token i (keyword id, operator code, placeholder ordinal). */
  aux(i: number): number {
    return this.tTok[i]! >> 5;
  }
  kw(i: number): number {
    if (i >= this.n) return 0;
    const v = this.tTok[i]!;
    return (v & 31) === T.WORD ? v >> 5 : 0;
  }
  isKw(i: number, id: number): boolean {
    return i < this.n && this.tTok[i] === ((id << 5) | T.WORD);
  }
  isOp(i: number, op: number): boolean {
    return i < this.n && this.tTok[i] === ((op << 5) | T.OP);
  }
  /** Index of the `)` matching the `(` at i, or -1. */
  close(i: number): number {
    return this.tMatch[i]!;
  }
  isIdent(i: number): boolean {
    const t = this.type(i);
    return t === T.WORD || t === T.QIDENT;
  }
  /** Token i directly follows token i - 1 (no blank or comment between). */
  adjacent(i: number): boolean {
    return i > 0 && this.tStart[i] === this.tStop[i - 1];
  }
  /** Raw source text of token i. */
  text(i: number): string {
    return this.src.slice(this.tStart[i], this.tStop[i]);
  }
  /** Raw source text from the start of token a to the end of token b (inclusive). */
  span(a: number, b: number): string {
    return this.src.slice(this.tStart[a], this.tStop[b]);
  }
  /** Identifier text: backticks removed and `` unescaped; strings unescaped (SET NAMES 'x'). */
  ident(i: number): string {
    const t = this.tTok[i]! & 31;
    const s = this.tStart[i]!;
    const e = this.tStop[i]!;
    if (t === T.QIDENT) {
      const inner = this.src.slice(s + 1, e - 1);
      if ((this.tFlags[i]! & F.ESCAPED) === 0) return inner;
      const q = this.src[s]!;
      return inner.split(q + q).join(q);
    }
    if (t === T.STRING) return this.stringValue(i);
    return this.src.slice(s, e);
  }
  /** Lower-cased identifier text. */
  lident(i: number): string {
    const v = this.tTok[i]!;
    if ((v & 31) !== T.WORD) return this.ident(i).toLowerCase();
    if (v >> 5 !== 0) return KW_TEXT[v >> 5]!; // a keyword match implies ASCII letters: its text is the lower case
    const src = this.src;
    const s = this.tStart[i]!;
    const e = this.tStop[i]!;
    for (let k = s; k < e; k++) { // toLowerCase only when something can change (cost: one pass, no allocation)
      const ch = src.charCodeAt(k);
      if ((ch >= 65 && ch <= 90) || ch >= 128) return src.slice(s, e).toLowerCase();
    }
    return src.slice(s, e);
  }
  /** Unescaped content of a STRING / NSTRING token. */
  stringValue(i: number): string {
    const s = this.tStart[i]! + ((this.tTok[i]! & 31) === T.NSTRING ? 1 : 0);
    const e = this.tStop[i]!;
    if ((this.tFlags[i]! & F.ESCAPED) === 0) return this.src.slice(s + 1, e - 1);
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
export function unescapeString(src: string, s: number, e: number, quote: number, noBackslash: boolean): string {
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
}

function backslashEscape(c: number): string {
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
}
