// One-pass tokenizer over a JS string (char codes; no per-character allocation). Tokens live in typed arrays
// owned by the Lexer and are valid until its next lex() call. Only the first statement is tokenized: lexing
// stops at the first `;` (then looks ahead only far enough to know whether anything follows).
// Comments never become tokens; block comments are recorded (up to MAX_COMMENTS) with the index of the token
// that follows them, which is how leading comments and `/*+ ... *\/` after the verb are found (§5.8).
// MySQL version comments `/*!50000 ... *\/` (and MariaDB `/*M! ... *\/`) are transparent: their content is SQL.

import { FN_WORDS, PACK16, lookupPacked } from './keywords.js';
import { hasMore, operator, scanNumber, scanVar, type ScanOut } from './scanners.js';
import { C, CLS16, F, MAX_COMMENTS, O, T, isDigit, isIdent, nextOrEnd, tokOp } from './tokens.js';

export { MAX_COMMENTS } from './tokens.js';

const INITIAL_TOKENS = 512;
/** Token slots kept free past a run's worst case (one operator token starting past the run, the END sentinel). */
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
   * Token type and payload in one int: `aux << 5 | type` (read with Ctx.type / Ctx.aux). aux: WORD → keyword
   * id; OP → operator code; PARAM → placeholder ordinal. A keyword or operator test is one load and compare.
   */
  tok = new Int32Array(INITIAL_TOKENS);
  flags = new Uint8Array(INITIAL_TOKENS);
  start = new Int32Array(INITIAL_TOKENS);
  stop = new Int32Array(INITIAL_TOKENS);
  /** For `(` and `)`: index of the matching parenthesis token, -1 when unbalanced. */
  match = new Int32Array(INITIAL_TOKENS);
  nComments = 0;
  cStart = new Int32Array(MAX_COMMENTS);
  cStop = new Int32Array(MAX_COMMENTS);
  cNext = new Int32Array(MAX_COMMENTS);
  placeholders = 0;
  /** Offset just past the first statement (after its `;`, or the lex end). */
  stmtEnd = 0;
  /** Non-blank text follows the first statement's `;`. */
  more = false;
  /** Nonzero when a function keyword of interest (KF_DEPENDENT, KF_LOCKFN, LAST_INSERT_ID) or a @@var was seen. */
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
      if (this.tok.length - this.count - RUN_SLACK < MIN_RUN) this.ensure(this.tok.length + MIN_RUN);
      this.scan();
    } while (this.pos < limit && !this.done);
    const end = this.stmtEnd;
    while (this.depth > 0) this.match[this.stack[--this.depth]!] = -1;
    if (truncated && end === limit) this.dropCutToken();
    this.tok[this.count] = T.END; // in bounds: RUN_SLACK
    this.start[this.count] = end;
    this.stop[this.count] = end;
    this.flags[this.count] = 0;
  }

  /**
   * The input was cut at the limit: a token ending there may be incomplete (`12` of `1234`, `<` of `<=`,
   * an unterminated string) and is dropped, so no value is ever read from a partial token.
   */
  private dropCutToken(): void {
    const n = this.count - 1;
    if (n < 0 || this.stop[n] !== this.limit) return;
    const v = this.tok[n]!;
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
    const cls0 = LEX_CLS; // module and imported bindings are slow to read in a loop: use locals
    const pack = PACK16;
    const fnWords = FN_WORDS;
    const ops1 = OPS1;
    const tok = this.tok;
    const start = this.start;
    const stop = this.stop;
    let fnSeen = 0;
    let count = this.count;
    let i = this.pos;
    const room = tok.length - count - RUN_SLACK;
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
        const e5 = i + 5 < limit ? i + 5 : limit;
        while (j < e5) {
          ch = src.charCodeAt(j);
          code = pack[ch]!;
          if (code === 0) break;
          a = (a << 6) | code;
          j++;
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
          j = this.longWord(i, j, a, b);
          kw = this.longKw;
        } else if (j - i >= 2) {
          kw = lookupPacked(a, b, 0, 0);
        }
        start[count] = i;
        stop[count] = j;
        tok[count] = (kw << 5) | T.WORD;
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
            tok[count] = (op << 5) | T.OP;
            start[count] = j;
            stop[count] = j + 1;
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
              j = scanNumber(src, i, limit, this.out);
              if (j > 0) tok[count] = this.out.type;
            } else {
              tok[count] = T.INT;
              if (d === 32) { // the blank after a plain integer is skipped here
                start[count] = i;
                stop[count] = j;
                count++;
                i = j + 1;
                continue;
              }
            }
          }
        } else if (i + 1 < limit && isDigit(src.charCodeAt(i + 1)) && !this.afterIdentAt(i, count)) {
          j = scanNumber(src, i, limit, this.out);
          if (j > 0) tok[count] = this.out.type;
        }
        if (j > 0) {
          start[count] = i;
          stop[count] = j;
          count++;
          i = j;
          continue;
        }
      }
      const op = c < 128 ? ops1[c]! : 0;
      if (op !== 0) {
        if (op === O.LPAREN) this.open(count);
        else if (op === O.RPAREN) this.close(count);
        tok[count] = (op << 5) | T.OP;
        start[count] = i;
        stop[count] = i + 1;
        count++;
        // `, ` is the usual list separator: its blank is skipped here.
        i = op === O.COMMA && i + 1 < limit && src.charCodeAt(i + 1) === 32 ? i + 2 : i + 1;
        continue;
      }
      if (c === 63) { // ?
        tok[count] = (this.placeholders++ << 5) | T.PARAM;
        start[count] = i;
        stop[count] = i + 1;
        count++;
        i++;
        continue;
      }
      this.count = count;
      i = c === 39 ? this.lexString(i, 39, T.STRING, i) : this.slow(i, c);
      count = this.count;
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
    const t = this.tok[count - 1]! & 31;
    return (t === T.WORD || t === T.QIDENT) && this.stop[count - 1] === i;
  }

  /** `db.1t`: digits right after a `.` that directly follows an identifier start an identifier. */
  private afterQualifierDot(i: number, count: number): boolean {
    return this.tok[count - 1] === tokOp(O.DOT) && this.stop[count - 1] === i &&
      this.afterIdentAt(this.start[count - 1]!, count - 1);
  }

  private ensure(n: number): void {
    if (n < this.tok.length) return;
    const cap = Math.max(n + 1, this.tok.length * 2);
    const grow8 = (a: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> => { const b = new Uint8Array(cap); b.set(a); return b; };
    const grow32 = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => { const b = new Int32Array(cap); b.set(a); return b; };
    this.tok = grow32(this.tok);
    this.flags = grow8(this.flags);
    this.start = grow32(this.start);
    this.stop = grow32(this.stop);
    this.match = grow32(this.match);
  }

  private push(type: number, start: number, stop: number, aux: number, flags: number): void {
    const n = this.count;
    if (n + 1 >= this.tok.length) this.ensure(n + 1);
    this.tok[n] = (aux << 5) | type;
    this.start[n] = start;
    this.stop[n] = stop;
    this.flags[n] = flags;
    this.count = n + 1;
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
    this.match[n] = -1;
  }

  /** Paren matching: `)` at token n. */
  private close(n: number): void {
    if (this.depth > 0) {
      const open = this.stack[--this.depth]!;
      this.match[open] = n;
      this.match[n] = open;
    } else {
      this.match[n] = -1;
    }
  }
}
