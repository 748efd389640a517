// Parser for the text partition bounds of __all_virtual_proxy_partition / _sub_partition (`high_bound_val`):
// the server prints them with print_sql_literal (spec §3.4):
//   RANGE / RANGE COLUMNS   comma list, one literal per key: `100`, `'abc',MAXVALUE`, `'2024-01-01'`
//   LIST / LIST COLUMNS     one row per value: `1,2,3` (single key) or `(1,'a'),(2,'b')`; `DEFAULT`
// Literals: integers and decimals (signed), '...' strings with backslash / doubled-quote escapes, X'..'
// hex strings (binary collations print that way), typed literals (DATE '...', TIMESTAMP '...'), NULL,
// MAXVALUE, MINVALUE, DEFAULT.

import type { Lit } from './cast.js';

export type BoundTok = { readonly k: 'lit'; readonly v: Lit } | { readonly k: 'max' } | { readonly k: 'min' } | { readonly k: 'default' };

export type BoundItem = BoundTok | { readonly k: 'row'; readonly items: readonly BoundTok[] };

function parseString(src: string, i: number, q: string): [string, number] | null {
  let s = '';
  let j = i + 1;
  while (j < src.length) {
    const c = src[j]!;
    if (c === '\\' && j + 1 < src.length) {
      const e = src[j + 1]!;
      const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', b: '\b', Z: '\x1a' };
      s += map[e] ?? e;
      j += 2;
    } else if (c === q) {
      if (src[j + 1] === q) {
        s += q;
        j += 2;
      } else return [s, j + 1];
    } else {
      s += c;
      j++;
    }
  }
  return null;
}

/** Parses a bound text into top-level items (literals, keywords or parenthesised rows). */
export function parseBoundText(src: string): BoundItem[] | string {
  const out: BoundItem[] = [];
  let row: BoundTok[] | null = null;
  let i = 0;
  let expectValue = true;
  const emit = (t: BoundTok): void => {
    if (row !== null) row.push(t);
    else out.push(t);
    expectValue = false;
  };
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === ',') {
      if (expectValue) return `empty value at ${i}`;
      expectValue = true;
      i++;
      continue;
    }
    if (c === '(') {
      if (row !== null) return 'nested parentheses';
      row = [];
      expectValue = true;
      i++;
      continue;
    }
    if (c === ')') {
      if (row === null) return 'unbalanced )';
      out.push({ k: 'row', items: row });
      row = null;
      expectValue = false;
      i++;
      continue;
    }
    if (!expectValue) return `missing comma at ${i}`;
    if (c === "'" || c === '"') {
      const r = parseString(src, i, c);
      if (r === null) return 'unterminated string';
      emit({ k: 'lit', v: r[0] });
      i = r[1];
      continue;
    }
    const hex = /^[xX]'([0-9a-fA-F]*)'/.exec(src.slice(i));
    if (hex !== null) {
      if (hex[1]!.length % 2 !== 0) return 'odd hex literal';
      emit({ k: 'lit', v: Buffer.from(hex[1]!, 'hex') });
      i += hex[0].length;
      continue;
    }
    const num = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num !== null) {
      const t = num[0];
      emit({ k: 'lit', v: /^[+-]?\d+$/.test(t) ? BigInt(t) : decimalLit(t) });
      i += t.length;
      continue;
    }
    const word = /^[A-Za-z_]+/.exec(src.slice(i));
    if (word === null) return `unexpected '${c}' at ${i}`;
    const w = word[0].toUpperCase();
    i += word[0].length;
    if (w === 'MAXVALUE') emit({ k: 'max' });
    else if (w === 'MINVALUE') emit({ k: 'min' });
    else if (w === 'NULL') emit({ k: 'lit', v: null });
    else if (w === 'DEFAULT') emit({ k: 'default' });
    else if (w === 'DATE' || w === 'TIMESTAMP' || w === 'DATETIME' || w === 'TIME') {
      // typed literal: the quoted text follows
      while (i < src.length && /\s/.test(src[i]!)) i++;
      const q = src[i];
      if (q !== "'" && q !== '"') return `expected a quoted ${w} literal`;
      const r = parseString(src, i, q);
      if (r === null) return 'unterminated string';
      emit({ k: 'lit', v: r[0] });
      i = r[1];
    } else return `unknown keyword ${w}`;
  }
  if (row !== null) return 'unbalanced (';
  if (expectValue && out.length > 0) return 'trailing comma';
  return out;
}

function decimalLit(t: string): Lit {
  const m = /^([+-]?)(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$/.exec(t)!;
  let scale = (m[3] ?? '').length - Number(m[4] ?? 0);
  let v = BigInt((m[2] || '0') + (m[3] ?? ''));
  if (scale < 0) {
    v *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { kind: 'decimal', v: m[1] === '-' ? -v : v, scale };
}
