// Partition expressions over literal values: `part_expr` of HASH/RANGE/LIST tables (e.g. `year(c1)`,
// `c1 div 10`) and generated-column keys (`part_key_extra`, e.g. `substr(c1, 1, 4)`), the ODP "Function
// partition key routing" functions (spec §4.2). A tiny recursive-descent parser builds an AST once per
// table entry; evaluation is MySQL-semantics over Lit values (expr-funcs.ts). Never throws: errors are
// returned as { err } so the caller can report "no route".

import { callFunction, FUNCTION_NAMES, arith, type EvalResult } from './expr-funcs.js';
import type { Lit } from './cast.js';

export type Expr =
  | { readonly k: 'col'; readonly name: string }
  | { readonly k: 'lit'; readonly v: Lit }
  | { readonly k: 'call'; readonly fn: string; readonly args: readonly Expr[] }
  | { readonly k: 'bin'; readonly op: string; readonly l: Expr; readonly r: Expr }
  | { readonly k: 'neg'; readonly e: Expr };

type Tok = { t: 'id' | 'num' | 'str' | 'op'; v: string };

function tokenize(src: string): Tok[] | string {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '`') {
      const j = src.indexOf('`', i + 1);
      if (j < 0) return 'unterminated identifier';
      out.push({ t: 'id', v: src.slice(i + 1, j) });
      i = j + 1;
    } else if (c === "'" || c === '"') {
      let s = '';
      let j = i + 1;
      for (;;) {
        if (j >= src.length) return 'unterminated string';
        const d = src[j]!;
        if (d === '\\' && j + 1 < src.length) {
          const e = src[j + 1]!;
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e === '0' ? '\0' : e;
          j += 2;
        } else if (d === c) {
          if (src[j + 1] === c) {
            s += c;
            j += 2;
          } else break;
        } else {
          s += d;
          j++;
        }
      }
      out.push({ t: 'str', v: s });
      i = j + 1;
    } else if (/[0-9.]/.test(c)) {
      const m = /^(\d*\.?\d+(?:[eE][+-]?\d+)?|\d+\.)/.exec(src.slice(i));
      if (m === null) return `bad number at ${i}`;
      out.push({ t: 'num', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][\w$]*/.exec(src.slice(i))!;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else if ('+-*/%(),'.includes(c)) {
      out.push({ t: 'op', v: c });
      i++;
    } else {
      return `unexpected '${c}'`;
    }
  }
  return out;
}

class Parser {
  private pos = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok | undefined {
    return this.toks[this.pos];
  }

  parse(): Expr | string {
    const e = this.additive();
    if (typeof e === 'string') return e;
    if (this.pos !== this.toks.length) return `unexpected '${this.peek()?.v ?? ''}'`;
    return e;
  }

  private additive(): Expr | string {
    let l = this.multiplicative();
    while (typeof l !== 'string') {
      const t = this.peek();
      if (t?.t !== 'op' || (t.v !== '+' && t.v !== '-')) break;
      this.pos++;
      const r = this.multiplicative();
      if (typeof r === 'string') return r;
      l = { k: 'bin', op: t.v, l, r };
    }
    return l;
  }

  private multiplicative(): Expr | string {
    let l = this.unary();
    while (typeof l !== 'string') {
      const t = this.peek();
      const op = t?.t === 'op' && '*/%'.includes(t.v) ? t.v : t?.t === 'id' && /^(div|mod)$/i.test(t.v) ? t.v.toLowerCase() : null;
      if (op === null) break;
      this.pos++;
      const r = this.unary();
      if (typeof r === 'string') return r;
      l = { k: 'bin', op: op === '%' ? 'mod' : op, l, r };
    }
    return l;
  }

  private unary(): Expr | string {
    const t = this.peek();
    if (t?.t === 'op' && (t.v === '-' || t.v === '+')) {
      this.pos++;
      const e = this.unary();
      if (typeof e === 'string' || t.v === '+') return e;
      return { k: 'neg', e };
    }
    return this.primary();
  }

  private primary(): Expr | string {
    const t = this.toks[this.pos++];
    if (t === undefined) return 'unexpected end of expression';
    if (t.t === 'num') return { k: 'lit', v: /^\d+$/.test(t.v) ? BigInt(t.v) : { kind: 'decimal', ...decimalOf(t.v) } };
    if (t.t === 'str') return { k: 'lit', v: t.v };
    if (t.t === 'op') {
      if (t.v !== '(') return `unexpected '${t.v}'`;
      const e = this.additive();
      if (typeof e === 'string') return e;
      if (this.toks[this.pos++]?.v !== ')') return 'missing )';
      return e;
    }
    if (t.v.toLowerCase() === 'null') return { k: 'lit', v: null };
    const next = this.peek();
    if (next?.t === 'op' && next.v === '(') {
      this.pos++;
      const fn = t.v.toLowerCase();
      if (!FUNCTION_NAMES.has(fn)) return `function ${fn}() is not supported`;
      const args: Expr[] = [];
      if (this.peek()?.v === ')') {
        this.pos++;
        return { k: 'call', fn, args };
      }
      for (;;) {
        const a = this.additive();
        if (typeof a === 'string') return a;
        args.push(a);
        const sep = this.toks[this.pos++];
        if (sep?.v === ')') break;
        if (sep?.v !== ',') return 'expected , or )';
      }
      return { k: 'call', fn, args };
    }
    return { k: 'col', name: t.v.toLowerCase() };
  }
}

function decimalOf(text: string): { v: bigint; scale: number } {
  const [ip, fp = ''] = text.toLowerCase().split('e')[0]!.split('.');
  const exp = text.toLowerCase().includes('e') ? Number(text.toLowerCase().split('e')[1]) : 0;
  let scale = fp.length - exp;
  let v = BigInt((ip || '0') + fp);
  if (scale < 0) {
    v *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { v, scale };
}

/** Parses an expression; a string result is the parse error. */
export function parseExpr(src: string): Expr | string {
  const toks = tokenize(src);
  if (typeof toks === 'string') return toks;
  if (toks.length === 0) return 'empty expression';
  return new Parser(toks).parse();
}

/** Column names an expression reads (lower case). */
export function exprColumns(e: Expr, out: Set<string> = new Set()): Set<string> {
  switch (e.k) {
    case 'col':
      out.add(e.name);
      break;
    case 'call':
      for (const a of e.args) exprColumns(a, out);
      break;
    case 'bin':
      exprColumns(e.l, out);
      exprColumns(e.r, out);
      break;
    case 'neg':
      exprColumns(e.e, out);
      break;
    case 'lit':
      break;
  }
  return out;
}

export interface EvalEnv {
  lookup(name: string): Lit | undefined;
  readonly tzOffsetSec: number;
}

/** Evaluates over literal values. */
export function evalExpr(e: Expr, env: EvalEnv): EvalResult {
  switch (e.k) {
    case 'lit':
      return { v: e.v };
    case 'col': {
      const v = env.lookup(e.name);
      return v === undefined ? { err: `no value for column ${e.name}` } : { v };
    }
    case 'neg': {
      const r = evalExpr(e.e, env);
      return 'err' in r ? r : arith('-', 0n, r.v);
    }
    case 'bin': {
      const l = evalExpr(e.l, env);
      if ('err' in l) return l;
      const r = evalExpr(e.r, env);
      if ('err' in r) return r;
      return arith(e.op, l.v, r.v);
    }
    case 'call': {
      const args: Lit[] = [];
      for (const a of e.args) {
        const r = evalExpr(a, env);
        if ('err' in r) return r;
        args.push(r.v);
      }
      return callFunction(e.fn, args, env.tzOffsetSec);
    }
  }
}
