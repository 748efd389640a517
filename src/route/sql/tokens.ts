// Token vocabulary of the route lexer and the character classes it scans with. Const enums: tsc inlines
// every member as a literal, so hot loops compare numbers, never load properties.

import * as keywords from './keywords.js';

// Imported functions and tables are re-bound to module consts: see "Bindings" in parse.ts.
const { PACK } = keywords;

/** Token types (low 5 bits of a packed token). */
export const enum T {
  END = 0, WORD = 1, QIDENT = 2, STRING = 3, NSTRING = 4, HEX = 5, BIT = 6, INT = 7, DECIMAL = 8, FLOAT = 9,
  PARAM = 10, USERVAR = 11, SYSVAR = 12, OP = 13, ERROR = 14,
}

/** Operator codes (aux of an OP token). */
export const enum O {
  LPAREN = 1, RPAREN = 2, COMMA = 3, DOT = 4, EQ = 5, NSEQ = 6, NE = 7, LT = 8, LE = 9, GT = 10, GE = 11, BANG = 12,
  OROR = 13, ANDAND = 14, PLUS = 15, MINUS = 16, STAR = 17, SLASH = 18, PERCENT = 19, ASSIGN = 20, OTHER = 21,
}

/**
 * Slots of one token in Lexer.tk (const enum: inlined). Token i starts at index `i << SHIFT`; EXTRA is the
 * paren match (`(` / `)`) or the F flags (STRING, NSTRING, QIDENT).
 */
export const enum S {
  TOK = 0, START = 1, STOP = 2, EXTRA = 3, WIDTH = 4, SHIFT = 2,
}

/** Packed token value of operator `op`. */
export const tokOp = (op: O): number => {
  return (op << 5) | T.OP;
};

/** Token flags (const enum: inlined). */
export const enum F {
  ESCAPED = 1, // string / quoted identifier contains escapes or doubled quotes
  DQUOTE = 2, // string was "..."
}

export const MAX_COMMENTS = 8;

// ASCII classes (0: any other character).
export const enum C {
  SPACE = 1,
  WORD = 2, // identifier start: letter, _ , $ (and any non-ASCII character)
  DIGIT = 3,
}
export const CLS = new Uint8Array(128);
for (const c of [9, 10, 11, 12, 13, 32]) CLS[c] = C.SPACE;
for (let c = 48; c <= 57; c++) CLS[c] = C.DIGIT;
for (let c = 65; c <= 90; c++) { CLS[c] = C.WORD; CLS[c + 32] = C.WORD; }
CLS[95] = C.WORD;
CLS[36] = C.WORD;

/**
 * CLS over every UTF-16 code unit (non-ASCII: C.WORD), so the lexer's hot loop indexes without a range test.
 * 64 KiB; only the ASCII rows are hot.
 */
export const CLS16 = new Uint8Array(65536).fill(C.WORD);
CLS16.set(CLS);

export const isIdent = (c: number): boolean => {
  return c >= 128 || PACK[c] !== 0;
};
/** x'..' / b'..' / n'..' prefixes (the caller checked that a quote follows). */
export const quotePrefix = (c: number): boolean => {
  const l = c | 32;
  return l === 120 || l === 98 || l === 110;
};
export const nextOrEnd = (src: string, ch: string, from: number): number => {
  const k = src.indexOf(ch, from);
  return k < 0 ? src.length : k;
};
export const isDigit = (c: number): boolean => {
  return c >= 48 && c <= 57;
};
export const isHexDigit = (c: number): boolean => {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102);
};
