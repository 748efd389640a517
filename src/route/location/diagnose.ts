// Route diagnosis points of the location lookup and partition calculation (spec §9): what the table entry, the
// statement's key values and the partition calculation were, written into the session's RouteDiagnosis. Called
// only when diagnosis records (level != 0, or EXPLAIN ROUTE); strings are built here, never on the plain path.

import type { RouteDiagnosis } from '../../observe/route-diagnosis.js';
import { Collation, ObjType, type KeyValue, type PartitionInfo, type PartKeyColumn, type PartLevelDesc } from '../partition/index.js';
import type { KeyCondition, RouteParse, ValueRef } from '../sql/index.js';
import type { TableEntry } from './types.js';

/** table_type codes of __all_virtual_proxy_schema (OceanBase ObTableType) as printed. */
const TABLE_TYPES = ['SYSTEM TABLE', 'SYSTEM VIEW', 'VIRTUAL TABLE', 'USER TABLE', 'USER VIEW', 'USER INDEX', 'TMP TABLE', 'MATERIALIZED VIEW'];

const TYPE_NAMES: Readonly<Record<number, string>> = {
  [ObjType.Null]: 'NULL', [ObjType.TinyInt]: 'TINYINT', [ObjType.SmallInt]: 'SMALLINT', [ObjType.MediumInt]: 'MEDIUMINT',
  [ObjType.Int32]: 'INT', [ObjType.Int]: 'BIGINT', [ObjType.UTinyInt]: 'TINYINT UNSIGNED', [ObjType.USmallInt]: 'SMALLINT UNSIGNED',
  [ObjType.UMediumInt]: 'MEDIUMINT UNSIGNED', [ObjType.UInt32]: 'INT UNSIGNED', [ObjType.UInt64]: 'BIGINT UNSIGNED',
  [ObjType.Float]: 'FLOAT', [ObjType.Double]: 'DOUBLE', [ObjType.UFloat]: 'FLOAT UNSIGNED', [ObjType.UDouble]: 'DOUBLE UNSIGNED',
  [ObjType.Number]: 'DECIMAL', [ObjType.UNumber]: 'DECIMAL UNSIGNED', [ObjType.DateTime]: 'DATETIME', [ObjType.Timestamp]: 'TIMESTAMP',
  [ObjType.Date]: 'DATE', [ObjType.Time]: 'TIME', [ObjType.Year]: 'YEAR', [ObjType.Varchar]: 'VARCHAR', [ObjType.Char]: 'CHAR',
  [ObjType.HexString]: 'HEX_STRING', [ObjType.TinyText]: 'TINYTEXT', [ObjType.Text]: 'TEXT', [ObjType.MediumText]: 'MEDIUMTEXT',
  [ObjType.LongText]: 'LONGTEXT', [ObjType.Bit]: 'BIT', [ObjType.Enum]: 'ENUM', [ObjType.Set]: 'SET',
  [ObjType.DecimalInt]: 'DECIMAL_INT', [ObjType.MySQLDate]: 'DATE', [ObjType.MySQLDateTime]: 'DATETIME',
};

const COLLATION_NAMES: Readonly<Record<number, string>> = {
  [Collation.Utf8GeneralCi]: 'utf8_general_ci', [Collation.Utf8mb4GeneralCi]: 'utf8mb4_general_ci',
  [Collation.Utf8mb4Bin]: 'utf8mb4_bin', [Collation.Binary]: 'binary', [Collation.Utf8Bin]: 'utf8_bin',
};

/** LOCATION_CACHE_LOOKUP's children for the table entry: FETCH_TABLE_RELATED_DATA (level 3), TABLE_ENTRY_LOOKUP_DONE. */
export function diagTableEntry(dg: RouteDiagnosis, table: string, entry: TableEntry | undefined, fromRemote: boolean, problem: string | null): void {
  if (entry === undefined) {
    if (dg.point('TABLE_ENTRY_LOOKUP_DONE')) {
      dg.f('table', table).f('is_lookup_succ', false).prompt(true, `no location for table ${table}: ${problem ?? 'not found'}; routed over the tenant's servers`);
    }
    return;
  }
  if (dg.point('FETCH_TABLE_RELATED_DATA')) {
    if (!entry.partitioned) dg.f('table_entry', 'not a partition table');
    else if (entry.partInfo === null) dg.f('table_entry', 'partition information does not exist');
    else {
      const info = entry.partInfo;
      dg.f('part_level', info.level).f('part_expr', info.first.expr);
      if (info.sub !== null) dg.f('sub_part_expr', info.sub.expr);
    }
  }
  if (dg.point('TABLE_ENTRY_LOOKUP_DONE')) {
    dg.f('table', entry.table).f('table_id', String(entry.tableId));
    if (entry.tableType !== null) dg.f('table_type', TABLE_TYPES[entry.tableType] ?? String(entry.tableType));
    if (entry.partNum > 1) dg.f('partition_num', entry.partNum);
    if (entry.duplicate) dg.f('has_dup_replica', true);
    if (!fromRemote) dg.f('entry_from_remote', false);
  }
}

/** PARTITION_ENTRY_LOOKUP_DONE: the tablet's leader (or none). */
export function diagLeader(dg: RouteDiagnosis, entry: TableEntry, leader: string | null, fromRemote: boolean): void {
  if (!dg.point('PARTITION_ENTRY_LOOKUP_DONE')) return;
  dg.f('leader', leader ?? 'invalid leader');
  if (entry.duplicate) dg.f('has_dup_replica', true);
  if (!fromRemote) dg.f('entry_from_remote', false);
  if (leader === null) dg.prompt(true, 'the cached partition entry has no leader: routed over the tenant\'s servers');
}

/** Text of a value reference as the statement wrote it (`?` for placeholders). */
function refText(v: ValueRef): string {
  switch (v.kind) {
    case 'literal':
      return v.type === 'string' ? `'${v.text}'` : v.type === 'null' ? 'NULL' : v.text;
    case 'placeholder':
      return '?';
    case 'user_var':
      return `@${v.name}`;
    case 'sys_var':
      return `@@${v.name}`;
    case 'func':
      return `${v.name}(${v.args.map(refText).join(',')})`;
    case 'default':
      return 'DEFAULT';
    case 'expr':
      return v.text;
  }
}

function tokenType(v: ValueRef): string {
  switch (v.kind) {
    case 'literal':
      return v.type === 'int' ? 'TOKEN_INT_VAL' : v.type === 'decimal' || v.type === 'float' ? 'TOKEN_NUMBER_VAL' : v.type === 'null' ? 'TOKEN_NULL' : v.type === 'hex' ? 'TOKEN_HEX_VAL' : 'TOKEN_STR_VAL';
    case 'placeholder':
      return 'TOKEN_PLACE_HOLDER';
    case 'func':
      return 'TOKEN_FUNC';
    case 'user_var':
    case 'sys_var':
      return 'TOKEN_USER_VAR';
    case 'default':
    case 'expr':
      return 'TOKEN_NONE';
  }
}

const usable = (c: KeyCondition): boolean => c.tableIndex === 0 && (c.op === '=' || c.op === '<=>' || c.op === 'IN' || c.op === 'IS_NULL' || c.op === 'BETWEEN');

/** The statement's value reference for each partition key column it gives one for, in key order. */
function keyRefs(info: PartitionInfo, p: RouteParse): { key: PartKeyColumn; ref: ValueRef | null }[] {
  const out: { key: PartKeyColumn; ref: ValueRef | null }[] = [];
  const keys = [...info.first.keys, ...(info.sub?.keys ?? [])];
  for (const key of keys) {
    const name = key.name.toLowerCase();
    let ref: ValueRef | null | undefined;
    const i = p.insertColumns?.indexOf(name) ?? -1;
    if (i >= 0) ref = p.insertValues?.[i];
    if (ref === undefined) {
      const c = p.conditions.find((x) => x.column === name && usable(x));
      if (c !== undefined) ref = c.op === 'IS_NULL' ? null : c.values[0];
    }
    if (ref === undefined) ref = p.updateSet?.find((s) => s.column === name)?.value;
    if (ref !== undefined) out.push({ key, ref });
  }
  return out;
}

function resolved(v: KeyValue | undefined): string {
  if (v === undefined) return 'UNKNOWN';
  if (v === null) return 'NULL:NULL';
  if (typeof v === 'bigint') return `BIGINT:${v}`;
  if (typeof v === 'number') return Number.isInteger(v) ? `BIGINT:${v}` : `DOUBLE:${v}`;
  if (typeof v === 'string') return `VARCHAR:${v}`;
  return `VARBINARY:0x${v.toString('hex')}`;
}

function plain(v: KeyValue | undefined): string {
  if (v === undefined) return '?';
  if (v === null) return 'NULL';
  return Buffer.isBuffer(v) ? `0x${v.toString('hex')}` : String(v);
}

/** A point range `[v ; v]` over the keys of one level. */
function range(level: PartLevelDesc, input: Readonly<Record<string, KeyValue>>): string {
  const vals = level.keys.map((k) => plain(input[k.name] ?? input[k.name.toLowerCase()]));
  const v = vals.join(',');
  return `[${v} ; ${v}]`;
}

/**
 * EXPR_PARSE, RESOLVE_EXPR with its RESOLVE_TOKENs, CALC_PARTITION_ID: the key relations the statement gives, their
 * values, and the partition function. `input` is the extracted key values, null when extraction failed (`why`).
 */
export function diagKeys(dg: RouteDiagnosis, info: PartitionInfo, p: RouteParse, input: Readonly<Record<string, KeyValue>> | null, why: string | null): void {
  if (dg.level < 3) return;
  const refs = keyRefs(info, p);
  if (dg.point('EXPR_PARSE')) {
    if (refs.length === 0) dg.f('col_val', 'there are no part keys').prompt(true, `no partition key value in the statement (${why ?? 'none given'}): routed over the tenant's servers`);
    else dg.f('col_val', refs.map((r) => `${r.key.name}=${r.ref === null ? 'NULL' : refText(r.ref)}`).join(','));
  }
  if (input !== null && dg.point('RESOLVE_EXPR')) {
    dg.f('part_range', range(info.first, input));
    if (info.sub !== null) dg.f('sub_part_range', range(info.sub, input));
  }
  for (const r of refs) {
    if (!dg.point('RESOLVE_TOKEN')) break;
    const v = input === null ? undefined : input[r.key.name] ?? input[r.key.name.toLowerCase()];
    dg.f('token_type', r.ref === null ? 'TOKEN_NULL' : tokenType(r.ref)).f('resolve', resolved(v)).f('token', r.ref === null ? 'NULL' : refText(r.ref));
  }
  if (input !== null && dg.point('CALC_PARTITION_ID')) dg.f('part_description', partDescription(info));
}

function levelDescription(word: string, d: PartLevelDesc): string {
  const fn = d.funcType === 'KEY_IMPLICIT' ? 'key' : d.funcType === 'RANGE_COLUMNS' ? 'range columns' : d.funcType === 'LIST_COLUMNS' ? 'list columns' : d.funcType.toLowerCase();
  const types = d.keys.map((k) => `${TYPE_NAMES[k.objType] ?? `TYPE${k.objType}`}<${COLLATION_NAMES[k.collation] ?? String(k.collation)}>`).join(', ');
  // a template sub-partition level may report no count of its own
  return d.partNum > 0 ? `${word} by ${fn}(${types}) ${word}s ${d.partNum}` : `${word} by ${fn}(${types})`;
}

/** Plain description of the partition function(s), e.g. `partition by key(INT<binary>) partitions 8`. */
export function partDescription(info: PartitionInfo): string {
  const first = levelDescription('partition', info.first);
  return info.sub === null ? first : `${first} ${levelDescription('subpartition', info.sub)}`;
}

/** PARTITION_ID_CALC_DONE: the partition computed, or the reason there is none. */
export function diagPartition(dg: RouteDiagnosis, level: 1 | 2, partitionId: number, partName: string | null, failure: string | null): void {
  if (!dg.point('PARTITION_ID_CALC_DONE')) return;
  dg.f('partition_id', partitionId).f('level', level);
  if (partName !== null) dg.f('part_name', partName);
  if (failure !== null) dg.prompt(true, `no partition computed: ${failure}; routed over the tenant's servers`);
}
