// Builds a PartitionInfo from the rows of the spec §3.4 queries as the MySQL text protocol returns them
// (column name -> text or NULL): __all_virtual_proxy_partition_info (one row per key column),
// __all_virtual_proxy_partition (first level) and __all_virtual_proxy_sub_partition (second level).
// Pure: no I/O. Bounds are read from the text column `high_bound_val` when the row has it (SELECT * or
// ODP >= 4.3.5's query); the binary `high_bound_val_bin` (a serialized ObRowkey / ObNewRow list) is
// decoded by bound-bin.ts when no text is present.

import { parseBoundText, type BoundItem, type BoundTok } from './bound-text.js';
import { decodeBoundBin } from './bound-bin.js';
import { castToColumn, type Lit } from './cast.js';
import { compareRow } from './compare.js';
import {
  ObjType,
  PartFuncCode,
  type PartFuncType,
  type PartitionDef,
  type PartitionInfo,
  type PartKeyColumn,
  type PartLevelDesc,
  type RangeBound,
  type Val,
} from './types.js';

export type Row = Readonly<Record<string, string | null>>;

export interface PartitionRows {
  readonly partitionInfo: readonly Row[];
  readonly partitions: readonly Row[];
  readonly subPartitions?: readonly Row[];
}

export type ParseResult = { ok: true; info: PartitionInfo } | { ok: false; reason: string };

export interface ParseOptions {
  /** Session time zone (seconds east of UTC) used to read TIMESTAMP bounds. Default +08:00. */
  readonly timeZoneOffsetSec?: number;
}

function col(row: Row, name: string): string | null {
  const v = row[name];
  if (v !== undefined) return v;
  const lower = name.toLowerCase();
  for (const k of Object.keys(row)) if (k.toLowerCase() === lower) return row[k] ?? null;
  return null;
}

function int(row: Row, name: string, dflt: number): number {
  const v = col(row, name);
  if (v === null || v.trim() === '') return dflt;
  const n = Number(v);
  return Number.isFinite(n) ? n : dflt;
}

function funcType(code: number): PartFuncType | null {
  for (const [k, v] of Object.entries(PartFuncCode)) if (v === code) return k as PartFuncType;
  return null;
}

function stripQuotes(expr: string): string {
  return expr.replace(/`/g, '').trim();
}

class ParseError extends Error {}

/**
 * seekdb (the single-node OceanBase 4.3.5 kernel) numbers the newer types without the Oracle-only ids:
 * DecimalInt 39, MySQL DATE 41, MySQL DATETIME 42 (OceanBase 4.x: 50, 52, 53). In the mainline numbering
 * 39/41/42 are RAW / INTERVAL DAY TO SECOND / NUMBER FLOAT, Oracle-mode types that are never MySQL-mode
 * partition keys, so the seekdb ids are read as aliases.
 */
const SEEKDB_TYPE_ALIASES: Readonly<Record<number, number>> = { 39: ObjType.DecimalInt, 41: ObjType.MySQLDate, 42: ObjType.MySQLDateTime };

function keyColumn(row: Row): PartKeyColumn {
  const level = int(row, 'part_key_level', 1);
  const rawType = int(row, 'part_key_type', -1);
  return {
    name: stripQuotes(col(row, 'part_key_name') ?? ''),
    level: level === 2 ? 2 : 1,
    idx: int(row, 'part_key_idx', 0),
    objType: SEEKDB_TYPE_ALIASES[rawType] ?? rawType,
    collation: int(row, 'part_key_collation_type', 63),
    length: int(row, 'part_key_length', -1),
    precision: int(row, 'part_key_precision', -1),
    scale: int(row, 'part_key_scale', -1),
    extra: stripQuotes(col(row, 'part_key_extra') ?? ''),
  };
}

function levelDesc(first: Row, level: 1 | 2, keys: PartKeyColumn[]): PartLevelDesc {
  const prefix = level === 1 ? '' : 'sub_';
  const code = int(first, `${prefix}part_type`, -1);
  const ft = funcType(code);
  if (ft === null) throw new ParseError(`unknown ${prefix}part_type ${code}`);
  const own = keys.filter((k) => k.level === level).sort((a, b) => a.idx - b.idx);
  if (own.length === 0) throw new ParseError(`no level-${level} partition key columns`);
  return { funcType: ft, expr: stripQuotes(col(first, `${prefix}part_expr`) ?? ''), keys: own, partNum: int(first, `${prefix}part_num`, 0) };
}

/** Key columns a bound's values are cast to: the key columns for *_COLUMNS, an integer otherwise. */
function boundColumns(desc: PartLevelDesc): PartKeyColumn[] {
  if (desc.funcType === 'RANGE_COLUMNS' || desc.funcType === 'LIST_COLUMNS') return [...desc.keys];
  const k = desc.keys[0]!;
  return [{ ...k, name: `${k.name} expression`, objType: ObjType.Int, collation: 63, extra: '' }];
}

function tokVal(t: BoundTok, c: PartKeyColumn, tz: number): Val {
  if (t.k === 'max') return { t: 'max' };
  if (t.k === 'min') return { t: 'min' };
  if (t.k === 'default') throw new ParseError('DEFAULT inside a bound');
  let v = castToColumn(t.v as Lit, c, tz);
  if (typeof v === 'string' && c.objType === ObjType.Int) {
    // RANGE/LIST by expression: a bound above INT64_MAX is a BIGINT UNSIGNED value
    v = castToColumn(t.v as Lit, { ...c, objType: ObjType.UInt64 }, tz);
  }
  if (typeof v === 'string') throw new ParseError(`bound value: ${v}`);
  return v;
}

interface Bounds {
  high: RangeBound | null;
  list: RangeBound[] | null;
  isDefault: boolean;
}

function parseBounds(row: Row, desc: PartLevelDesc, tz: number): Bounds {
  const kind = desc.funcType;
  if (kind !== 'RANGE' && kind !== 'RANGE_COLUMNS' && kind !== 'INTERVAL' && kind !== 'LIST' && kind !== 'LIST_COLUMNS') {
    return { high: null, list: null, isDefault: false };
  }
  const cols = boundColumns(desc);
  const text = nonEmpty(col(row, 'high_bound_val')) ?? nonEmpty(col(row, 'list_val'));
  let items: BoundItem[] | string;
  if (text !== null && text.trim() !== '') items = parseBoundText(text);
  else {
    const bin = nonEmpty(col(row, 'high_bound_val_bin')) ?? nonEmpty(col(row, 'list_val_bin'));
    if (bin === null || bin === '') throw new ParseError('partition row has no bound (high_bound_val / high_bound_val_bin)');
    items = decodeBoundBin(bin, kind === 'LIST' || kind === 'LIST_COLUMNS');
  }
  if (typeof items === 'string') throw new ParseError(`bound '${text ?? ''}': ${items}`);
  if (kind === 'LIST' || kind === 'LIST_COLUMNS') {
    const list: RangeBound[] = [];
    let isDefault = false;
    for (const it of items) {
      if (it.k === 'default') isDefault = true;
      else if (it.k === 'row') {
        if (it.items.length === 1 && it.items[0]!.k === 'default') isDefault = true;
        else list.push(it.items.map((t, i) => tokVal(t, cols[i] ?? cols[0]!, tz)));
      } else list.push([tokVal(it, cols[0]!, tz)]);
    }
    return { high: null, list, isDefault };
  }
  const high = items.map((it, i) => {
    if (it.k === 'row') throw new ParseError('row value in a range bound');
    return tokVal(it, cols[i] ?? cols[0]!, tz);
  });
  return { high, list: null, isDefault: false };
}

function nonEmpty(v: string | null): string | null {
  return v === null || v.trim() === '' ? null : v;
}

function nullableInt(row: Row, name: string): number | null {
  const v = col(row, name);
  return v === null || v.trim() === '' ? null : Number(v);
}

function partitionDef(row: Row, idCol: string, desc: PartLevelDesc, tz: number, subs: PartitionDef[] | null): PartitionDef {
  const b = parseBounds(row, desc, tz);
  return {
    id: int(row, idCol, -1),
    // sub-partition rows name the sub-partition `sub_part_name` over base tables, `part_name` in the proxy view
    name: (idCol === 'sub_part_id' ? nonEmpty(col(row, 'sub_part_name')) : null) ?? col(row, 'part_name') ?? '',
    tabletId: int(row, 'tablet_id', -1),
    lsId: nullableInt(row, 'ls_id'),
    high: b.high,
    list: b.list,
    isDefault: b.isDefault,
    subs,
  };
}

/** Hash-like partitions in part position order; range partitions by bound; list as given. */
function order(defs: PartitionDef[], rows: readonly Row[], desc: PartLevelDesc, posCols: readonly string[]): PartitionDef[] {
  const position = (r: Row): number | null => {
    for (const c of posCols) {
      const v = nullableInt(r, c);
      if (v !== null) return v;
    }
    return null;
  };
  const withRow = defs.map((d, i) => ({ d, pos: position(rows[i]!) }));
  const kind = desc.funcType;
  if (kind === 'HASH' || kind === 'KEY' || kind === 'KEY_IMPLICIT') {
    withRow.sort((a, b) => (a.pos !== null && b.pos !== null ? a.pos - b.pos : a.d.id - b.d.id));
  } else if (kind === 'RANGE' || kind === 'RANGE_COLUMNS' || kind === 'INTERVAL') {
    withRow.sort((a, b) => compareRow(a.d.high ?? [], b.d.high ?? []) ?? 0);
  }
  return withRow.map((x) => x.d);
}

function build(rows: PartitionRows, tz: number): PartitionInfo {
  const infoRows = rows.partitionInfo;
  const first = infoRows[0];
  if (first === undefined) throw new ParseError('no partition_info rows');
  const keys = infoRows.map(keyColumn);
  const level = int(first, 'part_level', 1) === 2 ? 2 : 1;
  const firstDesc = levelDesc(first, 1, keys);
  const subDesc = level === 2 ? levelDesc(first, 2, keys) : null;
  const subsByPart = new Map<number, { rows: Row[] }>();
  if (subDesc !== null) {
    for (const r of rows.subPartitions ?? []) {
      const pid = int(r, 'part_id', -1);
      let g = subsByPart.get(pid);
      if (g === undefined) subsByPart.set(pid, (g = { rows: [] }));
      g.rows.push(r);
    }
  }
  const defs = rows.partitions.map((r) => {
    let subs: PartitionDef[] | null = null;
    if (subDesc !== null) {
      const g = subsByPart.get(int(r, 'part_id', -1)) ?? subsByPart.get(-1);
      if (g === undefined) throw new ParseError(`partition ${col(r, 'part_name') ?? '?'} has no sub-partition rows`);
      const sd = g.rows.map((sr) => partitionDef(sr, 'sub_part_id', subDesc, tz, null));
      subs = order(sd, g.rows, subDesc, ['sub_part_position', 'sub_part_idx']);
    }
    return partitionDef(r, 'part_id', firstDesc, tz, subs);
  });
  const columns = new Map<string, PartKeyColumn>();
  for (const k of keys) columns.set(k.name.toLowerCase(), k);
  return {
    tableId: int(first, 'table_id', -1),
    level,
    templateSub: int(first, 'template_num', 0) === 1,
    first: firstDesc,
    sub: subDesc,
    partitions: order(defs, rows.partitions, firstDesc, ['part_position', 'part_idx']),
    columns,
  };
}

/** Parses the §3.4 rows into a PartitionInfo. Never throws. */
export function parsePartitionInfo(rows: PartitionRows, opts?: ParseOptions): ParseResult {
  try {
    return { ok: true, info: build(rows, opts?.timeZoneOffsetSec ?? 8 * 3600) };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}
