// A cursor over the tokens of one admin statement, with the few productions admin commands share. Every
// failure throws AdminSyntaxError naming the token that was not expected; executeAdmin turns it into ER_PARSE_ERROR.
import { likePattern } from './like.js';
import type { LikePattern } from './like.js';
import type { Token } from './lexer.js';

/** How much of the statement the "near '...'" of a syntax error quotes, as MySQL does. */
const NEAR_LENGTH = 80;

export class AdminSyntaxError extends Error {
  readonly code = 'ADMIN_SYNTAX';
  readonly near: string;
  readonly line: number;

  constructor(sql: string, tok: Token, expected: string) {
    const got = tok.kind === 'end' ? 'end of statement' : `unexpected '${tok.text.slice(0, NEAR_LENGTH)}'`;
    super(`${got}, expected ${expected}`);
    this.name = 'AdminSyntaxError';
    this.near = sql.slice(tok.start, tok.start + NEAR_LENGTH);
    let line = 1;
    for (let i = sql.indexOf('\n'); i >= 0 && i < tok.start; i = sql.indexOf('\n', i + 1)) line++;
    this.line = line;
  }
}

export function isAdminSyntaxError(e: unknown): e is AdminSyntaxError {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'ADMIN_SYNTAX';
}

export class Cursor {
  private pos: number;

  constructor(private readonly sql: string, private readonly tokens: readonly Token[], start: number) {
    this.pos = start;
  }

  peek(): Token {
    return this.tokens[this.pos] ?? this.tokens[this.tokens.length - 1] ?? { kind: 'end', text: '', value: '', start: 0, end: 0 };
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'end' && t.kind !== 'bad') this.pos++;
    return t;
  }

  fail(expected: string): never {
    this.failAt(this.peek(), expected);
  }

  /** Reports `tok` (a token already read, e.g. from peek() before a production) as not expected. */
  failAt(tok: Token, expected: string): never {
    throw new AdminSyntaxError(this.sql, tok, expected);
  }

  /** The next token's keyword (upper case) if it is an unquoted word. */
  peekWord(): string | undefined {
    const t = this.peek();
    return t.kind === 'word' ? t.text.toUpperCase() : undefined;
  }

  /** Consumes the keyword `word` if it is next. */
  accept(word: string): boolean {
    if (this.peekWord() !== word) return false;
    this.pos++;
    return true;
  }

  expect(word: string): void {
    if (!this.accept(word)) this.fail(word);
  }

  acceptPunct(ch: string): boolean {
    const t = this.peek();
    if (t.kind !== 'punct' || t.text !== ch) return false;
    this.pos++;
    return true;
  }

  expectPunct(ch: string): void {
    if (!this.acceptPunct(ch)) this.fail(`'${ch}'`);
  }

  /** An unsigned integer such as a session id. */
  expectInt(what: string): number {
    const t = this.peek();
    const n = Number(t.text);
    if (t.kind !== 'number' || !Number.isSafeInteger(n)) this.fail(what);
    this.next();
    return n;
  }

  optionalInt(): number | undefined {
    const t = this.peek();
    return t.kind === 'number' ? this.expectInt('a number') : undefined;
  }

  /** A quoted string literal. */
  expectString(what: string): string {
    const t = this.peek();
    if (t.kind !== 'string') this.fail(what);
    this.next();
    return t.value;
  }

  /** A name: an unquoted word, a backtick-quoted identifier or a quoted string. */
  expectName(what: string): string {
    const t = this.peek();
    if (t.kind !== 'word' && t.kind !== 'qident' && t.kind !== 'string') this.fail(what);
    this.next();
    return t.value;
  }

  optionalName(): string | undefined {
    const t = this.peek();
    return t.kind === 'word' || t.kind === 'qident' || t.kind === 'string' ? this.expectName('a name') : undefined;
  }

  /** `LIKE 'pattern'`, if present. */
  optionalLike(): LikePattern | undefined {
    if (!this.accept('LIKE')) return undefined;
    return likePattern(this.expectString("a quoted LIKE pattern such as 'proxy%'"));
  }

  /** Skips every remaining token (commands that take free-form arguments); an unterminated token still fails. */
  skipRest(): void {
    while (this.peek().kind !== 'end' && this.peek().kind !== 'bad') this.pos++;
    if (this.peek().kind === 'bad') this.fail('a terminated string, identifier or comment');
  }

  /** End of statement: optional semicolons, then nothing but blanks and comments. */
  end(): void {
    while (this.acceptPunct(';'));
    if (this.peek().kind !== 'end') this.fail('end of statement');
  }
}
