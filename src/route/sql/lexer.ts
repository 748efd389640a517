// One-pass tokenizer over a JS string (char codes; no per-character allocation). Tokens live in one strided
// Int32Array owned by the Lexer (layout: TokenSlot) and are valid until its next lex() call. Only the first statement is tokenized: lexing
// stops at the first `;` (then looks ahead only far enough to know whether anything follows).
// Comments never become tokens; block comments are recorded (up to MAX_COMMENTS) with the index of the token
// that follows them, which is how leading comments and `/*+ ... *\/` after the verb are found (§5.8).
// MySQL version comments `/*!50000 ... *\/` (and MariaDB `/*M! ... *\/`) are transparent: their content is SQL.

import * as keywords from './keywords.js';
import * as scanners from './scanners.js';
import type { ScanOut } from './scanners.js';
import * as tokens from './tokens.js';
import { C, F, O, S, T } from './tokens.js';

export { MAX_COMMENTS } from './tokens.js';

// Imported functions and tables are re-bound to module consts: see "Bindings" in parse.ts.
const { FN_WORDS, PACK16, lookupPacked } = keywords;
const { hasMore, operator, scanNumber, scanVar } = scanners;
const { CLS16, MAX_COMMENTS, isDigit, isIdent, nextOrEnd, tokOp } = tokens;

const INITIAL_TOKENS = 512;
/** Tokens kept free past a run's worst case (one operator token starting past the run, the END sentinel). */
const RUN_SLACK = 3;
/** Shortest run worth scanning before the token arrays are grown. */
const MIN_RUN = 64;

/** Operator code of the one-character operators the scan loop handles inline (`= , . ( )`), else 0. */
const OPS1 = new Uint8Array(128);
OPS1[61] = O.EQ;
OPS1[44] = O.COMMA;
OPS1[46] = O.DOT;
OPS1[40] = O.LPAREN;
OPS1[41] = O.RPAREN;

/** Lexer class of a word start that may prefix a quote (x'..', b'..', n'..'); otherwise a word start. */
const QPREFIX = 4;
/** CLS16 with the quote-prefix letters marked QPREFIX. */
const LEX_CLS = new Uint8Array(CLS16);
for (const ch of 'xXbBnN') LEX_CLS[ch.charCodeAt(0)] = QPREFIX;

export class Lexer {
  src = '';
  limit = 0;
  noBackslash = false;
  ansiQuotes = false;
  count = 0;
  /**
   * The tokens, S.WIDTH ints each (see S in tokens.ts): the packed token `aux << 5 | type` (aux: WORD → keyword
   * id; OP → operator code; PARAM → placeholder ordinal), start and stop offsets, and EXTRA: for `(` / `)` the
   * index of the matching parenthesis (-1 when unbalanced), for STRING / NSTRING / QIDENT the F flags; other
   * tokens leave EXTRA unset. Index `count` holds the END sentinel. One array: one map and bounds check per
   * token written or read instead of one per column.
   */
  tk = new Int32Array(INITIAL_TOKENS << S.SHIFT);
  nComments = 0;
  cStart = new Int32Array(MAX_COMMENTS);
  cStop = new Int32Array(MAX_COMMENTS);
  cNext = new Int32Array(MAX_COMMENTS);
  placeholders = 0;
  /** Offset just past the first statement (after its `;`, or the lex end). */
  stmtEnd = 0;
  /** Non-blank text follows the first statement's `;`. */
  more = false;
  /** Nonzero when a function keyword of interest (KF.DEPENDENT, KF.LOCKFN, LAST_INSERT_ID) or a @@var was seen. */
  fnSeen = 0;
  error: string | null = null;
  private stack = new Int32Array(64);
  private depth = 0;
  private inVersion = false;
  private done = false;
  /** Out-parameter of the scanners. */
  private readonly out: ScanOut = { type: T.INT };
  /** Scan position between runs of scan(). */
  private pos = 0;
  /** lex() count, and the one the column copies were made for. */
  private generation = 0;
  private colGeneration = -1;
  private readonly cols: Int32Array[] = [];
  /** Position of the next backslash at or after the last search start (src.length when none). */
  private backslashAt = -1;
  /** Out-parameter of longWord: the keyword id of the long word. */
  private longKw = 0;

  /** Tokenizes src[0, limit); `truncated`: the input continues past limit, so the last token may be cut. */
  lex(src: string, limit: number, truncated: boolean, noBackslash: boolean, ansiQuotes: boolean): void {
    this.src = src;
    this.limit = limit;
    this.noBackslash = noBackslash;
    this.ansiQuotes = ansiQuotes;
    this.count = 0;
    this.nComments = 0;
    this.placeholders = 0;
    this.more = false;
    this.fnSeen = 0;
    this.error = null;
    this.depth = 0;
    this.inVersion = false;
    this.done = false;
    this.backslashAt = -1;
    this.stmtEnd = limit;
    this.pos = 0;
    do { // runs: the token arrays grow between them (one run covers INITIAL_TOKENS - RUN_SLACK characters)
      if (this.capacity() - this.count - RUN_SLACK < MIN_RUN) this.ensure(this.capacity() + MIN_RUN);
      this.scan();
    } while (this.pos < limit && !this.done);
    const end = this.stmtEnd;
    while (this.depth > 0) this.tk[(this.stack[--this.depth]! << S.SHIFT) + S.EXTRA] = -1;
    if (truncated && end === limit) this.dropCutToken();
    const p = this.count << S.SHIFT; // in bounds: RUN_SLACK
    this.tk[p] = T.END;
    this.tk[p + S.START] = end;
    this.tk[p + S.STOP] = end;
    this.tk[p + S.EXTRA] = 0;
    this.generation++;
  }

  /** Token type (T) of token i; END at and past count. */
  type(i: number): number {
    return i < this.count ? this.tk[i << S.SHIFT]! & 31 : T.END;
  }
  /** Packed token i (`aux << 5 | type`); END past count. */
  packed(i: number): number {
    return i < this.count ? this.tk[i << S.SHIFT]! : T.END;
  }
  startOf(i: number): number {
    return this.tk[(i << S.SHIFT) + S.START]!;
  }
  stopOf(i: number): number {
    return this.tk[(i << S.SHIFT) + S.STOP]!;
  }
  /** For `(` / `)` at i: the index of the matching parenthesis, -1 when unbalanced. */
  matchOf(i: number): number {
    return this.tk[(i << S.SHIFT) + S.EXTRA]!;
  }

  /** Column copies for token scans written against separate arrays (src/session/effects.ts); see columns(). */
  get tok(): Int32Array { return this.columns(S.TOK); }
  get start(): Int32Array { return this.columns(S.START); }
  get stop(): Int32Array { return this.columns(S.STOP); }
  get match(): Int32Array { return this.columns(S.EXTRA); }

  /**
   * One slot of every token (END sentinel included) as its own array. Copies made on first use after each
   * lex() and shared until the next: O(count) once per lex, nothing for the route parser, which reads tk.
   */
  private columns(slot: number): Int32Array {
    if (this.colGeneration !== this.generation) {
      const n = this.count + 1;
      for (let k = 0; k < S.WIDTH; k++) {
        const col = new Int32Array(n);
        for (let i = 0; i < n; i++) col[i] = this.tk[(i << S.SHIFT) + k]!;
        this.cols[k] = col;
      }
      this.colGeneration = this.generation;
    }
    return this.cols[slot]!;
  }

  private capacity(): number {
    return this.tk.length >> S.SHIFT;
  }

  /**
   * The input was cut at the limit: a token ending there may be incomplete (`12` of `1234`, `<` of `<=`,
   * an unterminated string) and is dropped, so no value is ever read from a partial token.
   */
  private dropCutToken(): void {
    const n = this.count - 1;
    if (n < 0 || this.tk[(n << S.SHIFT) + S.STOP] !== this.limit) return;
    const v = this.tk[n << S.SHIFT]!;
    if (v === T.ERROR) this.error = null;
    else if (v === tokOp(O.LPAREN) || v === tokOp(O.RPAREN) || v === tokOp(O.COMMA)) return;
    this.count = n;
  }

  /**
   * One run of the main loop: tokenizes from this.pos while the next token starts before the run's end, which
   * is as far as the token arrays have room for (see lex); returns with this.pos and this.count updated.
   * Blanks, words, integers and `( ) , . =` are handled inline on local copies of the token arrays (the hot
   * path of typical statements); everything else goes through slow(), which uses this.push.
   * Room invariant (why there is no capacity check per token): every token consumes at least one character
   * and only one token (an operator right after a word or integer) can start at or past the run's end, so
   * a run writes at most end - pos + 1 tokens; RUN_SLACK keeps that one and the END sentinel.
   */
  private scan(): void {
    const src = this.src;
    const limit = this.limit;
    const cls0 = LEX_CLS; // locals: the loop reads them on every character
    const pack = PACK16;
    const fnWords = FN_WORDS;
    const ops1 = OPS1;
    const tk = this.tk;
    let fnSeen = 0;
    let count = this.count | 0; // `| 0`: int32 loop state (a field read or a call result would be tagged)
    let i = this.pos | 0;
    const room = (tk.length >> S.SHIFT) - count - RUN_SLACK;
    const end = limit - i > room ? i + room : limit;
    while (i < end) {
      const c = src.charCodeAt(i);
      const cls = cls0[c]!;
      if (cls === C.SPACE) { i++; continue; }
      if (cls === C.WORD || (cls === QPREFIX && (i + 1 >= limit || src.charCodeAt(i + 1) !== 39))) {
        // Word: accumulate the exact packed key (see keywords.ts) while scanning, 5 characters per int.
        let a = pack[c]!;
        let b = 0;
        let j = i + 1;
        let code = 0;
        let ch = 0;
        if (i + 5 <= limit) {
          // Characters 1-4 unrolled (in bounds: i + 4 < limit). Most words end here; measured on the OLTP mix of
          // bench/route-parse.ts the unrolled form lexes 11% faster than the loop below (no bound or interrupt
          // check per character). Unrolling characters 5-9 the same way measured slower (larger scan code).
          ch = src.charCodeAt(j);
          code = pack[ch]!;
          if (code !== 0) {
            a = (a << 6) | code;
            ch = src.charCodeAt(++j);
            code = pack[ch]!;
            if (code !== 0) {
              a = (a << 6) | code;
              ch = src.charCodeAt(++j);
              code = pack[ch]!;
              if (code !== 0) {
                a = (a << 6) | code;
                ch = src.charCodeAt(++j);
                code = pack[ch]!;
                if (code !== 0) {
                  a = (a << 6) | code;
                  j++;
                }
              }
            }
          }
        } else {
          while (j < limit) {
            ch = src.charCodeAt(j);
            code = pack[ch]!;
            if (code === 0) break;
            a = (a << 6) | code;
            j++;
          }
        }
        if (code !== 0 && j < limit) { // five characters consumed and more input: characters 5-9
          code = 0;
          const e10 = i + 10 < limit ? i + 10 : limit;
          while (j < e10) {
            ch = src.charCodeAt(j);
            code = pack[ch]!;
            if (code === 0) break;
            b = (b << 6) | code;
            j++;
          }
        }
        let kw = 0;
        if (code !== 0 && j < limit && pack[src.charCodeAt(j)] !== 0) {
          j = this.longWord(i, j, a, b) | 0;
          kw = this.longKw;
        } else if (j - i >= 2) {
          kw = lookupPacked(a, b, 0, 0);
        }
        tk[(count << S.SHIFT) | S.START] = i;
        tk[(count << S.SHIFT) | S.STOP] = j;
        tk[count << S.SHIFT] = (kw << 5) | T.WORD;
        fnSeen |= fnWords[kw]!;
        count++;
        i = j;
        // What directly follows a word (a blank, or `= , . ( )` of `id=1`, `pad)`, `t.c`, `SUM(`) is handled
        // here rather than by another trip round the loop (ch was read when code is 0).
        if (code === 0) {
          if (ch === 32) {
            i = j + 1;
          } else if (ch < 128 && ops1[ch] !== 0) {
            const op = ops1[ch]!;
            if (op === O.LPAREN) this.open(count);
            else if (op === O.RPAREN) this.close(count);
            tk[count << S.SHIFT] = (op << 5) | T.OP;
            tk[(count << S.SHIFT) | S.START] = j;
            tk[(count << S.SHIFT) | S.STOP] = j + 1;
            count++;
            i = op === O.COMMA && j + 1 < limit && src.charCodeAt(j + 1) === 32 ? j + 2 : j + 1;
          }
        }
        continue;
      }
      if (cls === C.DIGIT || c === 46) {
        let j = -1;
        if (cls === C.DIGIT) {
          if (!(count > 1 && this.afterQualifierDot(i, count))) {
            // Plain integers inline; anything else (0x, ., e, 1abc) goes through scanNumber().
            j = i + 1;
            let d = j < limit ? src.charCodeAt(j) : 32;
            while (d >= 48 && d <= 57) d = ++j < limit ? src.charCodeAt(j) : 32;
            if (d === 46 || pack[d] !== 0) {
              j = scanNumber(src, i, limit, this.out) | 0;
              if (j > 0) tk[count << S.SHIFT] = this.out.type;
            } else {
              tk[count << S.SHIFT] = T.INT;
              if (d === 32) { // the blank after a plain integer is skipped here
                tk[(count << S.SHIFT) | S.START] = i;
                tk[(count << S.SHIFT) | S.STOP] = j;
                count++;
                i = j + 1;
                continue;
              }
            }
          }
        } else if (i + 1 < limit && isDigit(src.charCodeAt(i + 1)) && !this.afterIdentAt(i, count)) {
          j = scanNumber(src, i, limit, this.out) | 0;
          if (j > 0) tk[count << S.SHIFT] = this.out.type;
        }
        if (j > 0) {
          tk[(count << S.SHIFT) | S.START] = i;
          tk[(count << S.SHIFT) | S.STOP] = j;
          count++;
          i = j;
          continue;
        }
      }
      const op = c < 128 ? ops1[c]! : 0;
      if (op !== 0) {
        if (op === O.LPAREN) this.open(count);
        else if (op === O.RPAREN) this.close(count);
        tk[count << S.SHIFT] = (op << 5) | T.OP;
        tk[(count << S.SHIFT) | S.START] = i;
        tk[(count << S.SHIFT) | S.STOP] = i + 1;
        count++;
        // `, ` is the usual list separator: its blank is skipped here.
        i = op === O.COMMA && i + 1 < limit && src.charCodeAt(i + 1) === 32 ? i + 2 : i + 1;
        continue;
      }
      if (c === 63) { // ?
        tk[count << S.SHIFT] = (this.placeholders++ << 5) | T.PARAM;
        tk[(count << S.SHIFT) | S.START] = i;
        tk[(count << S.SHIFT) | S.STOP] = i + 1;
        count++;
        i++;
        continue;
      }
      this.count = count;
      i = (c === 39 ? this.lexString(i, 39, T.STRING, i) : this.slow(i, c)) | 0; // `| 0`: keeps i and count int32
      count = this.count | 0;
      if (this.done) break;
    }
    this.count = count;
    this.pos = i;
    this.fnSeen |= fnSeen;
  }

  /**
   * Rest of a word longer than 10 characters: j is its 11th character, `a` and `b` the packed keys of the
   * first ten.
   * Returns the word's end and sets longKw (0 past MAX_KEYWORD_LENGTH characters).
   */
  private longWord(i: number, j: number, a: number, b: number): number {
    const src = this.src;
    const limit = this.limit;
    const pack = PACK16;
    let c3 = 0;
    let d4 = 0;
    while (j < limit) {
      const code = pack[src.charCodeAt(j)]!;
      if (code === 0) break;
      const k = j - i;
      if (k < 15) c3 = (c3 << 6) | code;
      else if (k < 20) d4 = (d4 << 6) | code; // MAX_KEYWORD_LENGTH
      j++;
    }
    this.longKw = j - i <= 20 /* MAX_KEYWORD_LENGTH */ ? lookupPacked(a, b, c3, d4) : 0;
    return j;
  }

  /** Every other token: strings, quoted names, comments, `;`, variables, `?`, operators. */
  private slow(i: number, c: number): number {
    const src = this.src;
    const limit = this.limit;
    if (c === 59) { // ;
      this.done = true;
      this.stmtEnd = i + 1;
      this.more = hasMore(src, i + 1, limit);
      return limit;
    }
    const next = i + 1 < limit ? src.charCodeAt(i + 1) : -1;
    if (isDigit(c)) return this.lexWord(i); // 1abc, 0xg, the 1t of db.1t
    if (CLS16[c] === C.WORD) { // x'..' b'..' n'..'
      if ((c | 32) === 120) return this.lexQuotedBits(i, T.HEX);
      if ((c | 32) === 98) return this.lexQuotedBits(i, T.BIT);
      return this.lexString(i + 1, 39, T.NSTRING, i);
    }
    if (c === 39 || (c === 34 && !this.ansiQuotes)) return this.lexString(i, c, T.STRING, i);
    if (c === 96 || (c === 34 && this.ansiQuotes)) return this.lexQuotedIdent(i, c);
    if (c === 47 && next === 42) return this.lexBlockComment(i);
    if (c === 35 || (c === 45 && next === 45 && (i + 2 >= limit || src.charCodeAt(i + 2) <= 32))) return this.skipLine(i);
    if (c === 42 && next === 47 && this.inVersion) {
      this.inVersion = false;
      return i + 2;
    }
    if (c === 64) return this.lexVar(i);
    const op = operator(c, next, i + 2 < limit ? src.charCodeAt(i + 2) : -1);
    if (op >> 2 === O.LPAREN) this.open(this.count);
    else if (op >> 2 === O.RPAREN) this.close(this.count);
    this.push(T.OP, i, i + (op & 3), op >> 2, 0);
    return i + (op & 3);
  }

  /** True when a token ending exactly at i is an identifier (then `.5` is `.` + `5`: t.5 → db.1t form). */
  private afterIdentAt(i: number, count: number): boolean {
    if (count === 0) return false;
    const p = (count - 1) << S.SHIFT;
    const t = this.tk[p]! & 31;
    return (t === T.WORD || t === T.QIDENT) && this.tk[p + S.STOP] === i;
  }

  /** `db.1t`: digits right after a `.` that directly follows an identifier start an identifier. */
  private afterQualifierDot(i: number, count: number): boolean {
    const p = (count - 1) << S.SHIFT;
    return this.tk[p] === tokOp(O.DOT) && this.tk[p + S.STOP] === i && this.afterIdentAt(this.tk[p + S.START]!, count - 1);
  }

  /** Grows the token array to hold at least n tokens (keeps the tokens written so far). */
  private ensure(n: number): void {
    if (n < this.capacity()) return;
    const grown = new Int32Array(Math.max(n + 1, this.capacity() * 2) << S.SHIFT);
    grown.set(this.tk);
    this.tk = grown;
  }

  /** Appends a token. In bounds by the room invariant of scan(), whose runs are the only callers. */
  private push(type: number, start: number, stop: number, aux: number, flags: number): void {
    const p = this.count << S.SHIFT;
    const tk = this.tk;
    tk[p] = (aux << 5) | type;
    tk[p + S.START] = start;
    tk[p + S.STOP] = stop;
    tk[p + S.EXTRA] = flags;
    this.count++;
  }

  private fail(msg: string, i: number): number {
    if (this.error === null) this.error = msg;
    this.push(T.ERROR, i, this.limit, 0, 0);
    return this.limit;
  }

  /** A word starting with a digit (`1abc`, `0xg`, the `1t` of `db.1t`): never a keyword. */
  private lexWord(i: number): number {
    const src = this.src;
    const limit = this.limit;
    let j = i;
    while (j < limit && isIdent(src.charCodeAt(j))) j++;
    this.push(T.WORD, i, j, 0, 0);
    return j;
  }

  /**
   * '...' or "..." starting at quote position q; token starts at tokStart (N'..' includes the N).
   * Uses native indexOf for the closing quote and the next backslash (memchr-speed on long literals);
   * the backslash position is cached per lex so the total search work stays linear in the input.
   */
  private lexString(q: number, quote: number, type: T, tokStart: number): number {
    const src = this.src;
    const limit = this.limit;
    const qs = quote === 39 ? "'" : '"';
    let flags = quote === 34 ? F.DQUOTE : 0;
    let j = q + 1;
    for (;;) {
      const e = src.indexOf(qs, j);
      if (e < 0 || e >= limit) break;
      if (!this.noBackslash) {
        if (this.backslashAt < j) this.backslashAt = nextOrEnd(src, '\\', j);
        const bs = this.backslashAt;
        if (bs < e) {
          flags |= F.ESCAPED;
          j = bs + 2;
          if (j > limit) break;
          continue;
        }
      }
      if (e + 1 < limit && src.charCodeAt(e + 1) === quote) {
        flags |= F.ESCAPED;
        j = e + 2;
        continue;
      }
      this.push(type, tokStart, e + 1, 0, flags);
      return e + 1;
    }
    return this.fail('unterminated string literal', tokStart);
  }

  /** X'..' / B'..' */
  private lexQuotedBits(i: number, type: number): number {
    const end = this.src.indexOf("'", i + 2);
    if (end < 0 || end >= this.limit) return this.fail('unterminated string literal', i);
    this.push(type, i, end + 1, 0, 0);
    return end + 1;
  }

  private lexQuotedIdent(i: number, quote: number): number {
    const src = this.src;
    let j = i + 1;
    let flags = 0;
    for (;;) {
      const k = src.indexOf(quote === 96 ? '`' : '"', j);
      if (k < 0 || k >= this.limit) return this.fail('unterminated quoted identifier', i);
      if (k + 1 < this.limit && src.charCodeAt(k + 1) === quote) { flags |= F.ESCAPED; j = k + 2; continue; }
      this.push(T.QIDENT, i, k + 1, 0, flags);
      return k + 1;
    }
  }

  private lexBlockComment(i: number): number {
    const src = this.src;
    const limit = this.limit;
    const c2 = i + 2 < limit ? src.charCodeAt(i + 2) : -1;
    const mariadb = c2 === 77 && i + 3 < limit && src.charCodeAt(i + 3) === 33; // /*M!
    if ((c2 === 33 || mariadb) && !this.inVersion) {
      let j = i + (mariadb ? 4 : 3);
      while (j < limit && isDigit(src.charCodeAt(j))) j++;
      this.inVersion = true;
      return j;
    }
    const end = src.indexOf('*/', i + 2);
    if (end < 0 || end + 2 > limit) return this.fail('unterminated comment', i);
    const n = this.nComments;
    if (n < MAX_COMMENTS) {
      this.cStart[n] = i + 2;
      this.cStop[n] = end;
      this.cNext[n] = this.count;
      this.nComments = n + 1;
    }
    return end + 2;
  }

  private skipLine(i: number): number {
    const nl = this.src.indexOf('\n', i);
    return nl < 0 || nl >= this.limit ? this.limit : nl + 1;
  }

  private lexVar(i: number): number {
    const j = scanVar(this.src, i, this.limit, this.out);
    if (j < 0) return this.fail('unterminated quoted identifier', i);
    const t = this.out.type;
    this.push(t, i, j, t === T.OP ? O.OTHER : 0, 0);
    if (t === T.SYSVAR) this.fnSeen = 1;
    return j;
  }

  /** Paren matching: `(` at token n. */
  private open(n: number): void {
    if (this.depth === this.stack.length) {
      const st = new Int32Array(this.depth * 2);
      st.set(this.stack);
      this.stack = st;
    }
    this.stack[this.depth++] = n;
    this.tk[(n << S.SHIFT) + S.EXTRA] = -1;
  }

  /** Paren matching: `)` at token n. */
  private close(n: number): void {
    if (this.depth > 0) {
      const open = this.stack[--this.depth]!;
      this.tk[(open << S.SHIFT) + S.EXTRA] = n;
      this.tk[(n << S.SHIFT) + S.EXTRA] = open;
    } else {
      this.tk[(n << S.SHIFT) + S.EXTRA] = -1;
    }
  }
}
