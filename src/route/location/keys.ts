// Partition key values of one statement (spec §4.2): the parser's value REFERENCES resolved against the
// statement's parameters and session user variables, as the JS values computePartition casts to the column
// type (§4.3). Sources, first value per column wins:
//   INSERT/REPLACE   the column list and the FIRST VALUES row (a statement without a column list gives no
//                    key: the column positions of the table are not in the partition metadata)
//   conditions       `=`, `<=>`, `IN` (first value), `IS NULL`, `BETWEEN v AND v`, on the first table only
//   UPDATE SET       `SET key = v` when the WHERE clause gave no value for that key
// Functions and operators are evaluated with the partition module's MySQL-semantics evaluator; anything it
// cannot compute leaves the key unknown, with the reason kept for diagnosis (§4.4 fallbacks). Pure.

import type { ExecValue } from '../../protocol/binary-value.js';
import { formatDecimal, isDec, isTemporal, type Lit } from '../partition/cast.js';
import { formatTemporal } from '../partition/datetime.js';
import { arith, callFunction, FUNCTION_NAMES } from '../partition/expr-funcs.js';
import { exprColumns, parseExpr } from '../partition/expr.js';
import { parseDecimal } from '../partition/number.js';
import { ObjType, type KeyValue, type PartitionInfo, type PartKeyColumn } from '../partition/index.js';
import type { KeyCondition, LiteralRef, RouteParse, ValueRef } from '../sql/index.js';

export interface KeyParams {
  /** COM_STMT_EXECUTE (or text-PS USING) values by placeholder position; see src/protocol/binary-value.ts. */
  readonly placeholders?: readonly (ExecValue | null)[];
  /** Session user variables by lower-cased name, as text. */
  readonly userVars?: ReadonlyMap<string, string>;
  /** Session time zone (seconds east of UTC) for temporal functions; default +08:00. */
  readonly timeZoneOffsetSec?: number;
}

export type KeyExtraction =
  | { readonly ok: true; readonly input: Readonly<Record<string, KeyValue>> }
  | { readonly ok: false; readonly reason: string };

type Resolved = { readonly v: Lit } | { readonly err: string };

interface Needs {
  /** Key columns of both levels (a tablet of a two-level table needs both). */
  readonly keys: readonly PartKeyColumn[];
  /** Lower-cased names worth a value: the keys plus the base columns of generated keys. */
  readonly wanted: ReadonlySet<string>;
  /** Generated key -> its base columns. */
  readonly bases: ReadonlyMap<string, readonly string[]>;
}

const needsCache = new WeakMap<PartitionInfo, Needs>();
const DEFAULT_TZ = 8 * 3600;

function needsOf(info: PartitionInfo): Needs {
  let n = needsCache.get(info);
  if (n !== undefined) return n;
  const keys = [...info.first.keys, ...(info.sub?.keys ?? [])];
  const wanted = new Set<string>();
  const bases = new Map<string, string[]>();
  for (const k of keys) {
    const name = k.name.toLowerCase();
    wanted.add(name);
    if (k.extra.trim() === '') continue;
    const e = parseExpr(k.extra);
    const ids = typeof e === 'string' ? [] : [...exprColumns(e)];
    bases.set(name, ids);
    for (const id of ids) wanted.add(id);
  }
  n = { keys, wanted, bases };
  needsCache.set(info, n);
  return n;
}

const NUMERIC_TYPES: ReadonlySet<number> = new Set([
  ObjType.TinyInt, ObjType.SmallInt, ObjType.MediumInt, ObjType.Int32, ObjType.Int, ObjType.UTinyInt, ObjType.USmallInt,
  ObjType.UMediumInt, ObjType.UInt32, ObjType.UInt64, ObjType.Float, ObjType.Double, ObjType.UFloat, ObjType.UDouble,
  ObjType.Number, ObjType.UNumber, ObjType.DecimalInt, ObjType.Bit, ObjType.Year,
]);

/** A literal as a key value; `numeric`: the target column is a number (hex/bit literals are then integers). */
function literal(l: LiteralRef, numeric: boolean, inExpr: boolean): Resolved {
  switch (l.type) {
    case 'int':
      return { v: !inExpr && l.text.length <= 15 ? Number(l.text) : BigInt(l.text) };
    case 'bool':
      return { v: inExpr ? BigInt(l.text) : Number(l.text) };
    case 'null':
      return { v: null };
    case 'decimal': {
      const d = inExpr ? parseDecimal(l.text) : null;
      return { v: d === null ? l.text : { kind: 'decimal', v: d.v, scale: d.scale } };
    }
    case 'float':
      return { v: Number(l.text) };
    case 'hex':
      return { v: numeric ? BigInt(`0x${l.text === '' ? '0' : l.text}`) : Buffer.from(l.text, 'hex') };
    case 'bit':
      return numeric || inExpr ? { v: BigInt(`0b${l.text === '' ? '0' : l.text}`) } : { err: 'a bit literal for a string key' };
    case 'string':
      return { v: l.charsetIntroducer === 'binary' ? Buffer.from(l.text, 'utf8') : l.text };
    case 'date':
    case 'time':
    case 'timestamp':
      return { v: l.text };
  }
}

const OPERATORS: Readonly<Record<string, string>> = { '+': '+', '-': '-', '*': '*', '/': '/', '%': 'mod', mod: 'mod', div: 'div' };

class Resolver {
  constructor(private readonly params: KeyParams) {}

  resolve(v: ValueRef, numeric: boolean, inExpr: boolean): Resolved {
    switch (v.kind) {
      case 'literal':
        return literal(v, numeric, inExpr);
      case 'placeholder': {
        const ps = this.params.placeholders;
        if (ps === undefined) return { err: `placeholder ?${v.index} has no parameter values (not executed yet)` };
        const p = ps[v.index];
        return p === undefined ? { err: `placeholder ?${v.index} has no parameter value` } : { v: p };
      }
      case 'user_var': {
        const u = this.params.userVars?.get(v.name);
        return u === undefined ? { err: `user variable @${v.name} is not known to the proxy` } : { v: u };
      }
      case 'sys_var':
        return { err: `system variable @@${v.name} is not resolvable` };
      case 'func':
        return this.func(v.name, v.args);
      case 'default':
        return { err: 'DEFAULT is not a value the proxy knows' };
      case 'expr':
        return { err: `expression '${v.text}' is not computable` };
    }
  }

  private func(name: string, argRefs: readonly ValueRef[]): Resolved {
    const op = OPERATORS[name];
    if (op === undefined && !FUNCTION_NAMES.has(name)) return { err: `function ${name}() is not computable` };
    const args: Lit[] = [];
    for (const a of argRefs) {
      const r = this.resolve(a, false, true);
      if ('err' in r) return r;
      args.push(r.v);
    }
    const tz = this.params.timeZoneOffsetSec ?? DEFAULT_TZ;
    let r;
    if (op !== undefined && args.length === 2) r = arith(op, args[0]!, args[1]!);
    else if (name === '-' && args.length === 1) r = arith('-', 0n, args[0]!);
    else if (op !== undefined && name !== 'mod') return { err: `operator ${name} with ${args.length} operands` };
    else r = callFunction(name, args, tz);
    return 'err' in r ? { err: `${name}(): ${r.err}` } : r;
  }
}

/** An evaluated value in a form computePartition takes (temporal/decimal results as their text). */
function toKeyValue(x: Lit): KeyValue {
  if (x === null || typeof x === 'string' || typeof x === 'number' || typeof x === 'bigint') return x;
  if (x instanceof Uint8Array) return Buffer.isBuffer(x) ? x : Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  if (isDec(x)) return formatDecimal(x);
  if (isTemporal(x)) return formatTemporal(x);
  return null;
}

class Collector {
  readonly input: Record<string, KeyValue> = {};
  /** First reason a wanted column got no value. */
  readonly problems = new Map<string, string>();
  private readonly resolver: Resolver;

  constructor(private readonly needs: Needs, private readonly info: PartitionInfo, params: KeyParams) {
    this.resolver = new Resolver(params);
  }

  wants(col: string): boolean {
    return this.needs.wanted.has(col) && !(col in this.input);
  }

  problem(col: string, why: string): void {
    if (!this.problems.has(col)) this.problems.set(col, why);
  }

  take(col: string, ref: ValueRef): void {
    const key = this.info.columns.get(col);
    const r = this.resolver.resolve(ref, key !== undefined && NUMERIC_TYPES.has(key.objType), false);
    if ('err' in r) this.problem(col, r.err);
    else this.input[col] = toKeyValue(r.v);
  }
}

function sameLiteral(a: ValueRef | undefined, b: ValueRef | undefined): boolean {
  return a?.kind === 'literal' && b?.kind === 'literal' && a.type === b.type && a.text === b.text;
}

function fromCondition(c: Collector, cond: KeyCondition): void {
  const col = cond.column;
  if (!c.wants(col)) return;
  if (cond.tableIndex < 0) return c.problem(col, `column ${col} is not qualified in a multi-table statement`);
  if (cond.tableIndex > 0) return;
  switch (cond.op) {
    case '=':
    case '<=>':
    case 'IN':
      if (cond.values[0] !== undefined) c.take(col, cond.values[0]);
      return;
    case 'IS_NULL':
      c.input[col] = null;
      return;
    case 'BETWEEN':
      if (sameLiteral(cond.values[0], cond.values[1])) c.take(col, cond.values[0]!);
      else c.problem(col, `only a range condition (${cond.op}) on partition key ${col}`);
      return;
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
    case 'IS_NOT_NULL':
      return c.problem(col, `only a range condition (${cond.op}) on partition key ${col}`);
  }
}

function isInsert(p: RouteParse): boolean {
  const k = p.kind === 'EXPLAIN' || p.kind === 'EXPLAIN_ROUTE' ? p.innerKind : p.kind;
  return k === 'INSERT' || k === 'REPLACE';
}

function fromInsert(c: Collector, p: RouteParse): void {
  const values = p.insertValues;
  if (values === null) return;
  const cols = p.insertColumns;
  if (cols === null) return;
  for (let i = 0; i < cols.length; i++) {
    const v = values[i];
    if (v !== undefined && c.wants(cols[i]!)) c.take(cols[i]!, v);
  }
}

function missingReason(c: Collector, needs: Needs, k: PartKeyColumn, p: RouteParse): string {
  const name = k.name.toLowerCase();
  const own = c.problems.get(name);
  if (own !== undefined) return own;
  for (const b of needs.bases.get(name) ?? []) {
    const why = c.problems.get(b);
    if (why !== undefined) return why;
  }
  if (isInsert(p) && p.insertColumns === null && p.insertValues !== null) return 'INSERT without a column list: key positions are unknown';
  const why = p.noKeyReason === null ? '' : ` (${p.noKeyReason})`;
  return `no value for partition key column ${k.name}${why}`;
}

function complete(c: Collector, needs: Needs, k: PartKeyColumn): boolean {
  const name = k.name.toLowerCase();
  if (name in c.input) return true;
  const bases = needs.bases.get(name);
  return bases !== undefined && bases.length > 0 && bases.every((b) => b in c.input);
}

/** The key values a statement gives for `info`'s partition keys, or why there are not enough. */
export function extractKeys(info: PartitionInfo, p: RouteParse, params: KeyParams): KeyExtraction {
  const needs = needsOf(info);
  const c = new Collector(needs, info, params);
  if (isInsert(p)) fromInsert(c, p);
  for (const cond of p.conditions) fromCondition(c, cond);
  for (const s of p.updateSet ?? []) if (c.wants(s.column)) c.take(s.column, s.value);
  for (const k of needs.keys) {
    if (!complete(c, needs, k)) return { ok: false, reason: missingReason(c, needs, k, p) };
    // the partition module's integer fast path reads the key under its metadata spelling
    const lower = k.name.toLowerCase();
    if (k.name !== lower && lower in c.input) c.input[k.name] = c.input[lower] as KeyValue;
  }
  return { ok: true, input: c.input };
}
