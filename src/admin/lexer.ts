// The admin commands' tokenizer: one pass over the statement, O(length), never throws. Admin statements are
// short and rare (the hot path only calls mayBeAdminCommand), so tokens are materialized in an array.
//
// Lexical rules follow MySQL's where admin statements use them: keywords are case-insensitive words; comments
// `/* */`, `-- ` (dash dash space) and `#` are skipped; strings are '...' or "..." with backslash escapes and
// doubled quotes; identifiers may be quoted with backticks (`` is a backtick). As in MySQL, `\%` and `\_` keep
// their backslash in the string value so that a LIKE pattern can still see the escape.

export type TokenKind =
  /** An unquoted run of letters, digits, `_` and `$` (also `10ms`, `proxy_version`). */
  | 'word'
  /** Decimal digits only. */
  | 'number'
  | 'string'
  /** A backtick-quoted identifier. */
  | 'qident'
  /** Any other single character: ( ) , ; = - ... */
  | 'punct'
  /** An unterminated string, quoted identifier or comment: the rest of the statement. */
  | 'bad'
  | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** The source text of the token. */
  readonly text: string;
  /** Decoded contents for string/qident; the text otherwise. */
  readonly value: string;
  /** Offsets into the statement, [start, end). */
  readonly start: number;
  readonly end: number;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\x1a', '%': '\\%', _: '\\_',
};

/** ASCII word characters: letters, digits, '_' and '$'; every non-ASCII character is a word character too. */
const WORD = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  WORD[c] = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x24 ? 1 : 0;
}

function isWordChar(c: number): boolean {
  return c >= 0x80 || WORD[c] === 1;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
}

/** End offset of the whitespace and comments starting at `i`; -1 if a block comment is unterminated. */
export function skipBlank(sql: string, i: number): number {
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (isSpace(c)) {
      i++;
    } else if (c === 0x2f && sql.charCodeAt(i + 1) === 0x2a) { // '/*'
      const close = sql.indexOf('*/', i + 2);
      if (close < 0) return -1;
      i = close + 2;
    } else if (c === 0x23 || (c === 0x2d && sql.charCodeAt(i + 1) === 0x2d && (i + 2 >= n || isSpace(sql.charCodeAt(i + 2))))) {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
    } else {
      break;
    }
  }
  return i;
}

/** End offset of a word starting at `i` (i itself if there is none). */
export function wordEnd(sql: string, i: number): number {
  while (i < sql.length && isWordChar(sql.charCodeAt(i))) i++;
  return i;
}

/** Reads a quoted string or identifier starting at the quote `q`; undefined if unterminated. */
function readQuoted(sql: string, start: number, q: string): { value: string; end: number } | undefined {
  let out = '';
  let i = start + 1;
  while (i < sql.length) {
    const ch = sql[i] ?? '';
    if (ch === q) {
      if (sql[i + 1] === q) {
        out += q;
        i += 2;
        continue;
      }
      return { value: out, end: i + 1 };
    }
    if (ch === '\\' && q !== '`' && i + 1 < sql.length) {
      const next = sql[i + 1] ?? '';
      out += ESCAPES[next] ?? next;
      i += 2;
      continue;
    }
    out += ch;
    i++;
  }
  return undefined;
}

function token(sql: string, kind: TokenKind, start: number, end: number, value?: string): Token {
  const text = sql.slice(start, end);
  return { kind, text, value: value ?? text, start, end };
}

/** All tokens of `sql`, ending with one 'end' token (or a 'bad' token, after which nothing is read). */
export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  for (;;) {
    const at = skipBlank(sql, i);
    if (at < 0) {
      out.push(token(sql, 'bad', sql.indexOf('/*', i), sql.length));
      return out;
    }
    i = at;
    if (i >= sql.length) {
      out.push(token(sql, 'end', i, i));
      return out;
    }
    const ch = sql[i] ?? '';
    if (ch === "'" || ch === '"' || ch === '`') {
      const q = readQuoted(sql, i, ch);
      if (q === undefined) {
        out.push(token(sql, 'bad', i, sql.length));
        return out;
      }
      out.push(token(sql, ch === '`' ? 'qident' : 'string', i, q.end, q.value));
      i = q.end;
      continue;
    }
    const end = wordEnd(sql, i);
    if (end > i) {
      out.push(token(sql, /^[0-9]+$/.test(sql.slice(i, end)) ? 'number' : 'word', i, end));
      i = end;
      continue;
    }
    // Not a word character, so ASCII: one code unit.
    out.push(token(sql, 'punct', i, i + 1));
    i += 1;
  }
}
