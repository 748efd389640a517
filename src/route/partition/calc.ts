// computePartition: key values -> (partition index, sub-partition index, tablet id), spec §4.3-§4.4.
// A per-table plan (parsed expressions, fast-path flags, prebuilt results) is derived once from the
// immutable PartitionInfo and cached in a WeakMap. The single-integer-column HASH/KEY path does no BigInt
// and no allocation: it returns a result object prebuilt per partition (callers must not mutate results).

import { castToColumn, isDec, isTemporal, NULL_VAL, type Lit } from './cast.js';
import { temporalFromStored } from './datetime.js';
import { compareRow, rowEquals } from './compare.js';
import { evalExpr, parseExpr, type EvalEnv, type Expr } from './expr.js';
import { hashPartIndex, keyPartIndex } from './hash.js';
import { keyIndexSafeInt } from './murmur.js';
import {
  ObjType,
  type CalcOptions,
  type KeyInput,
  type KeyValue,
  type PartitionDef,
  type PartitionInfo,
  type PartitionResult,
  type PartKeyColumn,
  type PartLevelDesc,
  type Val,
} from './types.js';

const DEFAULT_TZ = 8 * 3600;

type LevelKind = 'hash' | 'key' | 'range' | 'list';

interface LevelPlan {
  readonly desc: PartLevelDesc;
  readonly kind: LevelKind;
  /** Partition function over an expression of the keys (HASH/RANGE/LIST), null for bare column / *_COLUMNS / KEY. */
  readonly expr: Expr | null;
  /** Generated-column expressions per key (null when the key is a plain column). */
  readonly extras: readonly (Expr | null)[];
  /** Single signed/unsigned integer key, no expression: eligible for the fast path. */
  readonly fastInt: PartKeyColumn | null;
  readonly fastMin: number;
  readonly fastMax: number;
  readonly error: string | null;
}

interface Plan {
  readonly first: LevelPlan;
  readonly sub: LevelPlan | null;
  /** Prebuilt results: [partIdx] for one level, [partIdx][subIdx] for two. */
  readonly results: readonly (PartitionResult | readonly PartitionResult[])[];
}

const plans = new WeakMap<PartitionInfo, Plan>();

const FAST_RANGE: Record<number, readonly [number, number]> = {
  [ObjType.TinyInt]: [-128, 127],
  [ObjType.SmallInt]: [-32768, 32767],
  [ObjType.MediumInt]: [-8388608, 8388607],
  [ObjType.Int32]: [-2147483648, 2147483647],
  [ObjType.Int]: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  [ObjType.UTinyInt]: [0, 255],
  [ObjType.USmallInt]: [0, 65535],
  [ObjType.UMediumInt]: [0, 16777215],
  [ObjType.UInt32]: [0, 4294967295],
  [ObjType.UInt64]: [0, Number.MAX_SAFE_INTEGER],
};

function levelKind(desc: PartLevelDesc): LevelKind {
  switch (desc.funcType) {
    case 'HASH':
      return 'hash';
    case 'KEY':
    case 'KEY_IMPLICIT':
      return 'key';
    case 'RANGE':
    case 'RANGE_COLUMNS':
    case 'INTERVAL':
      return 'range';
    case 'LIST':
    case 'LIST_COLUMNS':
      return 'list';
  }
}

function planLevel(desc: PartLevelDesc): LevelPlan {
  const kind = levelKind(desc);
  let error: string | null = null;
  let expr: Expr | null = null;
  const usesExpr = desc.funcType === 'HASH' || desc.funcType === 'RANGE' || desc.funcType === 'LIST';
  const bare = desc.keys.length === 1 && desc.expr.trim().toLowerCase() === desc.keys[0]!.name.toLowerCase();
  if (usesExpr && !bare && desc.expr.trim() !== '') {
    const e = parseExpr(desc.expr);
    if (typeof e === 'string') error = `partition expression '${desc.expr}': ${e}`;
    else expr = e;
  }
  const extras = desc.keys.map((k) => {
    if (k.extra.trim() === '') return null;
    const e = parseExpr(k.extra);
    if (typeof e === 'string') {
      error ??= `generated column ${k.name} '${k.extra}': ${e}`;
      return null;
    }
    return e;
  });
  const only = desc.keys.length === 1 ? desc.keys[0]! : null;
  const range = only === null ? undefined : FAST_RANGE[only.objType];
  const fast = (kind === 'hash' || kind === 'key') && expr === null && only !== null && range !== undefined && extras[0] === null;
  return {
    desc,
    kind,
    expr,
    extras,
    fastInt: fast ? only : null,
    fastMin: range?.[0] ?? 0,
    fastMax: range?.[1] ?? 0,
    error,
  };
}

function makeResult(p: PartitionDef, partIdx: number, sub: PartitionDef | null, subIdx: number | null): PartitionResult {
  const t = sub ?? p;
  return Object.freeze({ ok: true, partitionId: t.tabletId, tabletId: t.tabletId, partIdx, subPartIdx: subIdx, partName: t.name });
}

function getPlan(info: PartitionInfo): Plan {
  let plan = plans.get(info);
  if (plan !== undefined) return plan;
  const results = info.partitions.map((p, i) =>
    info.level === 2 && p.subs !== null ? p.subs.map((s, j) => makeResult(p, i, s, j)) : makeResult(p, i, null, null),
  );
  plan = { first: planLevel(info.first), sub: info.sub === null ? null : planLevel(info.sub), results };
  plans.set(info, plan);
  return plan;
}

function fail(reason: string): PartitionResult {
  return { ok: false, reason };
}

/** Input value for a column: exact name first, then case-insensitive. */
function lookupInput(input: KeyInput, name: string): KeyValue | undefined {
  const v = input[name];
  if (v !== undefined) return v;
  const lower = name.toLowerCase();
  for (const k in input) if (k.toLowerCase() === lower) return input[k];
  return undefined;
}

function valToLit(v: Val, col: PartKeyColumn, tz: number): Lit {
  switch (v.t) {
    case 'null':
      return null;
    case 'int':
    case 'uint':
      return v.v;
    case 'double':
      return v.v;
    case 'decimal':
      return { kind: 'decimal', v: v.v, scale: v.scale };
    case 'str':
      return col.collation === 63 ? v.b : Buffer.from(v.b).toString('utf8');
    case 'time':
      if (v.objType === ObjType.Year) return v.v === 0n ? 0n : v.v + 1900n;
      return temporalFromStored(v.v, v.objType, tz);
    case 'max':
    case 'min':
      return null;
  }
}

/** Expression result -> comparable/hashable Val for HASH/RANGE/LIST (integer class expected). */
function exprResultToVal(x: Lit): Val | string {
  if (x === null) return NULL_VAL;
  if (typeof x === 'bigint') return { t: 'int', v: x };
  if (typeof x === 'number') return Number.isInteger(x) ? { t: 'int', v: BigInt(x) } : { t: 'double', v: x };
  if (isDec(x)) return x.scale === 0 ? { t: 'int', v: x.v } : { t: 'decimal', v: x.v, scale: x.scale };
  if (isTemporal(x)) return 'partition expression returned a temporal value';
  return 'partition expression returned a string';
}

function castKeys(plan: LevelPlan, input: KeyInput, tz: number): Val[] | string {
  const keys = plan.desc.keys;
  const out: Val[] = [];
  for (let i = 0; i < keys.length; i++) {
    const col = keys[i]!;
    let lit: Lit | undefined = lookupInput(input, col.name);
    const extra = plan.extras[i] ?? null;
    if (lit === undefined && extra !== null) {
      const env: EvalEnv = { lookup: (n) => lookupInput(input, n), tzOffsetSec: tz };
      const r = evalExpr(extra, env);
      if ('err' in r) return `generated column ${col.name}: ${r.err}`;
      lit = r.v;
    }
    if (lit === undefined) return `no value for partition key column ${col.name}`;
    const v = castToColumn(lit, col, tz);
    if (typeof v === 'string') return v;
    out.push(v);
  }
  return out;
}

/** Index of the partition (within `parts`) for one level; a string is the reason there is none. */
function pickIndex(plan: LevelPlan, parts: readonly PartitionDef[], input: KeyInput, tz: number): number | string {
  if (plan.error !== null) return plan.error;
  if (parts.length === 0) return 'no partitions';
  const vals = castKeys(plan, input, tz);
  if (typeof vals === 'string') return vals;
  let key: Val[] = vals;
  if (plan.expr !== null) {
    const keys = plan.desc.keys;
    const env: EvalEnv = {
      lookup: (n) => {
        const i = keys.findIndex((k) => k.name.toLowerCase() === n);
        if (i >= 0) return valToLit(vals[i]!, keys[i]!, tz);
        const raw = lookupInput(input, n);
        return raw === undefined ? undefined : raw;
      },
      tzOffsetSec: tz,
    };
    const r = evalExpr(plan.expr, env);
    if ('err' in r) return `partition expression: ${r.err}`;
    const v = exprResultToVal(r.v);
    if (typeof v === 'string') return v;
    key = [v];
  }
  switch (plan.kind) {
    case 'hash': {
      const idx = hashPartIndex(key[0]!, parts.length);
      return idx === null ? 'HASH partition expression is not an integer' : idx;
    }
    case 'key': {
      const idx = keyPartIndex(key, plan.desc.keys, parts.length);
      return idx === null ? 'KEY partition value cannot be hashed' : idx;
    }
    case 'range':
      return rangeIndex(parts, key);
    case 'list':
      return listIndex(parts, key);
  }
}

function rangeIndex(parts: readonly PartitionDef[], key: readonly Val[]): number | string {
  let lo = 0;
  let hi = parts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const bound = parts[mid]!.high;
    if (bound === null) return 'range partition without a high bound';
    const c = compareRow(key, bound);
    if (c === null) return 'key value is not comparable with the range bounds';
    if (c < 0) hi = mid;
    else lo = mid + 1;
  }
  return lo < parts.length ? lo : 'value is beyond the last range partition (OB_DATA_OUT_OF_RANGE)';
}

function listIndex(parts: readonly PartitionDef[], key: readonly Val[]): number | string {
  let def = -1;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.isDefault) def = i;
    else if (p.list !== null) for (const row of p.list) if (rowEquals(key, row)) return i;
  }
  return def >= 0 ? def : 'value matches no list partition and there is no DEFAULT partition';
}

function fastIndex(plan: LevelPlan, v: KeyValue | undefined, n: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < plan.fastMin || v > plan.fastMax) return -1;
  if (plan.kind === 'hash') return Math.abs(v) % n;
  return n <= 0x100000 ? keyIndexSafeInt(v, n) : -1;
}

/** Computes the partition of one row's key values. Never throws. */
export function computePartition(info: PartitionInfo, keyValues: KeyInput, opts?: CalcOptions): PartitionResult {
  try {
    const plan = getPlan(info);
    const tz = opts?.timeZoneOffsetSec ?? DEFAULT_TZ;
    const parts = info.partitions;
    const f = plan.first;
    let partIdx: number | string = -1;
    if (f.fastInt !== null && f.error === null && parts.length > 0) partIdx = fastIndex(f, keyValues[f.fastInt.name], parts.length);
    if (partIdx === -1) partIdx = pickIndex(f, parts, keyValues, tz);
    if (typeof partIdx === 'string') return fail(partIdx);
    const res = plan.results[partIdx];
    if (plan.sub === null || info.level === 1) return (res as PartitionResult | undefined) ?? fail('partition index out of range');
    const subs = parts[partIdx]!.subs;
    if (subs === null || !Array.isArray(res)) return fail(`partition ${parts[partIdx]!.name} has no sub-partitions`);
    const s = plan.sub;
    let subIdx: number | string = -1;
    if (s.fastInt !== null && s.error === null && subs.length > 0) subIdx = fastIndex(s, keyValues[s.fastInt.name], subs.length);
    if (subIdx === -1) subIdx = pickIndex(s, subs, keyValues, tz);
    if (typeof subIdx === 'string') return fail(subIdx);
    return (res as readonly PartitionResult[])[subIdx] ?? fail('sub-partition index out of range');
  } catch (e) {
    return fail(`internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
}
