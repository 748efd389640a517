// The catalogue of partitioned tables whose placement seekdb is asked about (spec §4.3): every partition
// type, one and two levels (template and not), every key column type, and expression keys.
// Each table has a non-key `id` column so a row read back from a partition maps to its case.
import {
  dateValues, datetimeValues, decimalValues, floatValues, intRange, intValues, prng, stringValues, timestampValues,
  timeValues, yearValues, type IntKind, type Rand,
} from './values.js';

export interface KeyColumn {
  readonly name: string;
  /** Declared SQL type, e.g. `bigint unsigned`, `varchar(32)`. */
  readonly type: string;
  /** `binary` for non-string types and binary strings. */
  readonly collation: string;
}

export type Row = Readonly<Record<string, string | null>>;

export interface TableSpec {
  readonly name: string;
  /** e.g. `KEY`, `RANGE_COLUMNS`, `RANGE-HASH` (first level, then sub-partition level). */
  readonly partType: string;
  readonly subPartTemplate: boolean | null;
  readonly keyColumns: readonly KeyColumn[];
  /** The PARTITION BY clause. */
  readonly partition: string;
  readonly rows: readonly Row[];
}

export const BIN = 'binary';
export const CI = 'utf8mb4_general_ci';
export const UTF8_BIN = 'utf8mb4_bin';

export function columnDdl(c: KeyColumn): string {
  const cs = c.collation === CI || c.collation === UTF8_BIN ? ` CHARACTER SET utf8mb4 COLLATE ${c.collation}` : '';
  return `\`${c.name}\` ${c.type}${cs}`;
}

export function createTableSql(t: TableSpec): string {
  return `CREATE TABLE \`${t.name}\` (id int NOT NULL, ${t.keyColumns.map(columnDdl).join(', ')}) ${t.partition}`;
}

export const col = (name: string, type: string, collation = BIN): KeyColumn => ({ name, type, collation });

export function pick<T>(rand: Rand, xs: readonly T[]): T {
  const v = xs[Math.floor(rand() * xs.length)];
  if (v === undefined) throw new Error('pick from empty list');
  return v;
}

/** One row per value of a single key column, plus NULL. */
function oneCol(name: string, values: readonly string[]): Row[] {
  return [...values.map((v) => ({ [name]: v })), { [name]: null }];
}

/** `n` rows mixing the per-column value lists, plus rows with NULLs. */
export function mixed(rand: Rand, cols: Readonly<Record<string, readonly string[]>>, n: number): Row[] {
  const names = Object.keys(cols);
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const r: Record<string, string | null> = {};
    for (const k of names) r[k] = rand() < 0.04 ? null : pick(rand, cols[k] ?? []);
    rows.push(r);
  }
  rows.push(Object.fromEntries(names.map((k) => [k, null])));
  return rows;
}

/** Values b-1, b, b+1 around each integer bound, plus `extra`. */
function around(bounds: readonly bigint[], extra: readonly string[]): string[] {
  const s = new Set<string>(extra);
  for (const b of bounds) for (const d of [-1n, 0n, 1n]) s.add((b + d).toString());
  return [...s];
}

export function rangeClause(bounds: readonly string[], maxvalue: boolean, prefix = 'p', kw = 'PARTITION'): string {
  const parts = bounds.map((b, i) => `${kw} ${prefix}${i} VALUES LESS THAN (${b})`);
  if (maxvalue) parts.push(`${kw} ${prefix}${bounds.length} VALUES LESS THAN (MAXVALUE)`);
  return `(${parts.join(', ')})`;
}

const INT_KINDS: readonly IntKind[] = ['tinyint', 'smallint', 'mediumint', 'int', 'bigint'];

function intTables(r: (n: string) => Rand): TableSpec[] {
  const out: TableSpec[] = [];
  for (const kind of INT_KINDS) {
    for (const u of [false, true]) {
      const type = `${kind}${u ? ' unsigned' : ''}`;
      const sfx = `${kind}${u ? '_u' : ''}`;
      for (const [pt, n] of [['HASH', 7], ['KEY', 7]] as const) {
        const name = `t_${pt.toLowerCase()}_${sfx}`;
        out.push({ name, partType: pt, subPartTemplate: null, keyColumns: [col('c1', type)],
          partition: `PARTITION BY ${pt}(c1) PARTITIONS ${n}`, rows: oneCol('c1', intValues(kind, u, r(name), 34)) });
      }
    }
  }
  return out;
}

function keyTables(r: (n: string) => Rand): TableSpec[] {
  const specs: Array<[string, KeyColumn, (rand: Rand) => string[], number]> = [
    ['t_key_dec_10_2', col('c1', 'decimal(10,2)'), (x) => decimalValues(10, 2, x, 50), 7],
    ['t_key_dec_20_4', col('c1', 'decimal(20,4)'), (x) => decimalValues(20, 4, x, 50), 7],
    ['t_key_dec_38_10', col('c1', 'decimal(38,10)'), (x) => decimalValues(38, 10, x, 50), 7],
    ['t_key_dec_65_30', col('c1', 'decimal(65,30)'), (x) => decimalValues(65, 30, x, 40), 7],
    ['t_key_dec_18_0', col('c1', 'decimal(18,0)'), (x) => decimalValues(18, 0, x, 40), 9],
    ['t_key_float', col('c1', 'float'), (x) => floatValues(false, x, 50), 7],
    ['t_key_double', col('c1', 'double'), (x) => floatValues(true, x, 50), 7],
    ['t_key_char_bin', col('c1', 'char(16)', UTF8_BIN), (x) => stringValues(16, x, 40), 7],
    ['t_key_varchar_bin', col('c1', 'varchar(32)', UTF8_BIN), (x) => stringValues(32, x, 40), 7],
    ['t_key_varbinary', col('c1', 'varbinary(64)'), (x) => stringValues(16, x, 40), 7],
    ['t_key_binary', col('c1', 'binary(16)'), (x) => stringValues(4, x, 30), 7],
    ['t_key_char_ci', col('c1', 'char(16)', CI), (x) => stringValues(16, x, 40), 7],
    ['t_key_varchar_ci', col('c1', 'varchar(32)', CI), (x) => stringValues(32, x, 40), 7],
    ['t_key_varchar_ci_13', col('c1', 'varchar(200)', CI), (x) => stringValues(60, x, 40), 13],
    ['t_key_date', col('c1', 'date'), (x) => dateValues(x, 40), 7],
    ['t_key_datetime', col('c1', 'datetime'), (x) => datetimeValues(x, 40, 0), 7],
    ['t_key_datetime6', col('c1', 'datetime(6)'), (x) => datetimeValues(x, 40, 6), 7],
    ['t_key_timestamp', col('c1', 'timestamp NULL'), (x) => timestampValues(x, 40), 7],
    ['t_key_year', col('c1', 'year'), (x) => yearValues(x, 30), 7],
    ['t_key_time', col('c1', 'time'), (x) => timeValues(x, 30), 7],
  ];
  const out: TableSpec[] = specs.map(([name, c, gen, n]) => ({ name, partType: 'KEY', subPartTemplate: null, keyColumns: [c],
    partition: `PARTITION BY KEY(c1) PARTITIONS ${n}`, rows: oneCol('c1', gen(r(name))) }));
  const m = r('t_key_multi');
  out.push({ name: 't_key_multi', partType: 'KEY', subPartTemplate: null,
    keyColumns: [col('a', 'int'), col('b', 'varchar(32)', CI), col('c', 'date')], partition: 'PARTITION BY KEY(a, b, c) PARTITIONS 11',
    rows: mixed(m, { a: intValues('int', false, m, 20), b: stringValues(32, m, 20), c: dateValues(m, 10) }, 80) });
  // KEY() with an empty column list partitions by the primary key (part_func_type KEY_IMPLICIT).
  const k = r('t_key_implicit');
  out.push({ name: 't_key_implicit', partType: 'KEY_IMPLICIT', subPartTemplate: null, keyColumns: [col('c1', 'bigint PRIMARY KEY')],
    partition: 'PARTITION BY KEY() PARTITIONS 5', rows: oneCol('c1', intValues('bigint', false, k, 30)) });
  const u = r('t_key_1024');
  out.push({ name: 't_key_1024', partType: 'KEY', subPartTemplate: null, keyColumns: [col('c1', 'bigint')],
    partition: 'PARTITION BY KEY(c1) PARTITIONS 1024', rows: oneCol('c1', intValues('bigint', false, u, 60)) });
  return out;
}

function hashExprTables(r: (n: string) => Rand): TableSpec[] {
  const d = (n: string): string[] => dateValues(r(n), 40);
  return [
    { name: 't_hash_year_d', partType: 'HASH', subPartTemplate: null, keyColumns: [col('d', 'date')],
      partition: 'PARTITION BY HASH(year(d)) PARTITIONS 5', rows: oneCol('d', d('t_hash_year_d')) },
    { name: 't_hash_to_days_d', partType: 'HASH', subPartTemplate: null, keyColumns: [col('d', 'date')],
      partition: 'PARTITION BY HASH(to_days(d)) PARTITIONS 7', rows: oneCol('d', d('t_hash_to_days_d')) },
    { name: 't_hash_month_dt', partType: 'HASH', subPartTemplate: null, keyColumns: [col('dt', 'datetime')],
      partition: 'PARTITION BY HASH(month(dt)) PARTITIONS 5', rows: oneCol('dt', datetimeValues(r('t_hash_month_dt'), 40, 0)) },
    { name: 't_hash_unix_ts', partType: 'HASH', subPartTemplate: null, keyColumns: [col('ts', 'timestamp NULL')],
      partition: 'PARTITION BY HASH(unix_timestamp(ts)) PARTITIONS 7', rows: oneCol('ts', timestampValues(r('t_hash_unix_ts'), 40)) },
    { name: 't_hash_abs', partType: 'HASH', subPartTemplate: null, keyColumns: [col('c1', 'int')],
      partition: 'PARTITION BY HASH(abs(c1)) PARTITIONS 6', rows: oneCol('c1', intValues('int', false, r('t_hash_abs'), 30)) },
    { name: 't_hash_year_col', partType: 'HASH', subPartTemplate: null, keyColumns: [col('y', 'year')],
      partition: 'PARTITION BY HASH(y) PARTITIONS 4', rows: oneCol('y', yearValues(r('t_hash_year_col'), 20)) },
  ];
}

function rangeTables(r: (n: string) => Rand): TableSpec[] {
  const bnd = [-100n, 0n, 100n, 1000n];
  const i32 = (n: string): string[] => around(bnd, intValues('int', false, r(n), 20));
  const big = [-1000000000000n, 0n, 1000000000000n];
  const ub = [100n, 9223372036854775808n];
  const { max: umax } = intRange('bigint', true);
  return [
    { name: 't_range_int', partType: 'RANGE', subPartTemplate: null, keyColumns: [col('c1', 'int')],
      partition: `PARTITION BY RANGE(c1) ${rangeClause(bnd.map(String), true)}`, rows: oneCol('c1', i32('t_range_int')) },
    { name: 't_range_bigint_nomax', partType: 'RANGE', subPartTemplate: null, keyColumns: [col('c1', 'bigint')],
      partition: `PARTITION BY RANGE(c1) ${rangeClause(big.map(String), false)}`,
      rows: oneCol('c1', around(big, intValues('bigint', false, r('t_range_bigint_nomax'), 20))) },
    { name: 't_range_bigint_u', partType: 'RANGE', subPartTemplate: null, keyColumns: [col('c1', 'bigint unsigned')],
      partition: `PARTITION BY RANGE(c1) ${rangeClause(ub.map(String), true)}`,
      rows: oneCol('c1', around(ub, [...intValues('bigint', true, r('t_range_bigint_u'), 20), umax.toString()])) },
    { name: 't_range_to_days', partType: 'RANGE', subPartTemplate: null, keyColumns: [col('d', 'date')],
      partition: `PARTITION BY RANGE(to_days(d)) ${rangeClause(["to_days('1970-01-01')", "to_days('2000-01-01')", "to_days('2020-01-01')"], true)}`,
      rows: oneCol('d', dateValues(r('t_range_to_days'), 40)) },
    { name: 't_range_year_dt', partType: 'RANGE', subPartTemplate: null, keyColumns: [col('dt', 'datetime')],
      partition: `PARTITION BY RANGE(year(dt)) ${rangeClause(['1970', '2000', '2020'], true)}`,
      rows: oneCol('dt', datetimeValues(r('t_range_year_dt'), 40, 0)) },
    { name: 't_range_unix_ts', partType: 'RANGE', subPartTemplate: null, keyColumns: [col('ts', 'timestamp NULL')],
      partition: `PARTITION BY RANGE(unix_timestamp(ts)) ${rangeClause(["unix_timestamp('2000-01-01 00:00:00')", "unix_timestamp('2020-01-01 00:00:00')"], true)}`,
      rows: oneCol('ts', timestampValues(r('t_range_unix_ts'), 40)) },
  ];
}

function rangeColumnsTables(r: (n: string) => Rand): TableSpec[] {
  const rc = (name: string, c: KeyColumn, bounds: string[], max: boolean, values: string[]): TableSpec => ({
    name, partType: 'RANGE_COLUMNS', subPartTemplate: null, keyColumns: [c],
    partition: `PARTITION BY RANGE COLUMNS(${c.name}) ${rangeClause(bounds, max)}`, rows: oneCol(c.name, values) });
  const strs = (n: string): string[] => [...stringValues(32, r(n), 40), 'l', 'm', 'M', 'm ', 'n', 'zz', 'ZZ', 'zz ', 'zza', 'B', 'b', 'a'];
  const m = r('t_rangec_multi');
  return [
    rc('t_rangec_int', col('c1', 'int'), ['-100', '0', '100'], true, around([-100n, 0n, 100n], intValues('int', false, r('t_rangec_int'), 20))),
    rc('t_rangec_varchar_bin', col('c1', 'varchar(32)', UTF8_BIN), ["'B'", "'m'", "'zz'"], true, strs('t_rangec_varchar_bin')),
    rc('t_rangec_varchar_ci', col('c1', 'varchar(32)', CI), ["'B'", "'m'", "'zz'"], true, strs('t_rangec_varchar_ci')),
    rc('t_rangec_char_ci', col('c1', 'char(8)', CI), ["'B'", "'m'", "'zz'"], true, strs('t_rangec_char_ci').filter((s) => [...s].length <= 8)),
    rc('t_rangec_date', col('c1', 'date'), ["'1970-01-01'", "'2000-01-01'", "'2020-01-01'"], false, dateValues(r('t_rangec_date'), 40)),
    rc('t_rangec_datetime', col('c1', 'datetime'), ["'2000-01-01 00:00:00'", "'2038-01-19 03:14:08'"], true, datetimeValues(r('t_rangec_datetime'), 40, 0)),
    rc('t_rangec_decimal', col('c1', 'decimal(20,4)'), ['-1.5', '0', '123.45'], true, decimalValues(20, 4, r('t_rangec_decimal'), 40)),
    { name: 't_rangec_multi', partType: 'RANGE_COLUMNS', subPartTemplate: null, keyColumns: [col('a', 'int'), col('b', 'varchar(16)', CI)],
      partition: "PARTITION BY RANGE COLUMNS(a, b) (PARTITION p0 VALUES LESS THAN (0, 'm'), PARTITION p1 VALUES LESS THAN (0, MAXVALUE), PARTITION p2 VALUES LESS THAN (100, 'a'), PARTITION p3 VALUES LESS THAN (MAXVALUE, MAXVALUE))",
      rows: mixed(m, { a: ['-1', '0', '1', '99', '100', '101', '-2147483648', '2147483647'], b: [...stringValues(16, m, 10), 'm', 'M', 'l', 'a', 'A', '', 'a '] }, 80) },
  ];
}

function listTables(r: (n: string) => Rand): TableSpec[] {
  const inList = ['1', '2', '3', '-1', '-2', '0', '100', '2147483647', '-2147483648'];
  const notIn = ['4', '-3', '99', '101', '5000'];
  const strs = ['a', 'b', 'C', 'd', 'é', '中文', ''];
  const ls = (n: string): string[] => [...strs, 'A', 'B', 'c', 'D ', 'E', 'e', 'a ', '中文 ', 'x', 'zz', ...stringValues(16, r(n), 20)];
  const m = r('t_listc_multi');
  return [
    { name: 't_list_int', partType: 'LIST', subPartTemplate: null, keyColumns: [col('c1', 'int')],
      partition: 'PARTITION BY LIST(c1) (PARTITION p0 VALUES IN (1, 2, 3), PARTITION p1 VALUES IN (-1, -2, 0), PARTITION p2 VALUES IN (100, 2147483647, -2147483648))',
      rows: oneCol('c1', [...inList, ...notIn]) },
    { name: 't_list_int_default', partType: 'LIST', subPartTemplate: null, keyColumns: [col('c1', 'bigint')],
      partition: 'PARTITION BY LIST(c1) (PARTITION p0 VALUES IN (1, 2, 3), PARTITION p1 VALUES IN (NULL, 0), PARTITION p2 VALUES IN (-9223372036854775808, 9223372036854775807), PARTITION pd VALUES IN (DEFAULT))',
      rows: oneCol('c1', [...inList, ...notIn, '-9223372036854775808', '9223372036854775807', ...intValues('bigint', false, r('t_list_int_default'), 20)]) },
    { name: 't_list_year_d', partType: 'LIST', subPartTemplate: null, keyColumns: [col('d', 'date')],
      partition: 'PARTITION BY LIST(year(d)) (PARTITION p0 VALUES IN (1970, 1971), PARTITION p1 VALUES IN (2000, 2020, 2024), PARTITION p2 VALUES IN (DEFAULT))',
      rows: oneCol('d', [...dateValues(r('t_list_year_d'), 30), '1971-06-01', '2020-12-31', '2024-02-29']) },
    { name: 't_listc_varchar_ci', partType: 'LIST_COLUMNS', subPartTemplate: null, keyColumns: [col('c1', 'varchar(16)', CI)],
      partition: "PARTITION BY LIST COLUMNS(c1) (PARTITION p0 VALUES IN ('a', 'b'), PARTITION p1 VALUES IN ('C', 'd '), PARTITION p2 VALUES IN ('é', '中文', ''), PARTITION p3 VALUES IN (DEFAULT))",
      rows: oneCol('c1', ls('t_listc_varchar_ci')) },
    { name: 't_listc_varchar_bin', partType: 'LIST_COLUMNS', subPartTemplate: null, keyColumns: [col('c1', 'varchar(16)', UTF8_BIN)],
      partition: "PARTITION BY LIST COLUMNS(c1) (PARTITION p0 VALUES IN ('a', 'b'), PARTITION p1 VALUES IN ('C', 'd '), PARTITION p2 VALUES IN ('é', '中文', ''), PARTITION p3 VALUES IN (DEFAULT))",
      rows: oneCol('c1', ls('t_listc_varchar_bin')) },
    { name: 't_listc_date', partType: 'LIST_COLUMNS', subPartTemplate: null, keyColumns: [col('c1', 'date')],
      partition: "PARTITION BY LIST COLUMNS(c1) (PARTITION p0 VALUES IN ('1970-01-01', '2000-01-01'), PARTITION p1 VALUES IN ('2020-01-01'), PARTITION p2 VALUES IN (DEFAULT))",
      rows: oneCol('c1', [...dateValues(r('t_listc_date'), 20), '2020-01-01']) },
    { name: 't_listc_bigint_u', partType: 'LIST_COLUMNS', subPartTemplate: null, keyColumns: [col('c1', 'bigint unsigned')],
      partition: 'PARTITION BY LIST COLUMNS(c1) (PARTITION p0 VALUES IN (0, 1), PARTITION p1 VALUES IN (18446744073709551615, 9223372036854775808), PARTITION p2 VALUES IN (DEFAULT))',
      rows: oneCol('c1', [...intValues('bigint', true, r('t_listc_bigint_u'), 15), '9223372036854775808']) },
    { name: 't_listc_multi', partType: 'LIST_COLUMNS', subPartTemplate: null, keyColumns: [col('a', 'varchar(8)', CI), col('b', 'int')],
      partition: "PARTITION BY LIST COLUMNS(a, b) (PARTITION p0 VALUES IN (('x', 1), ('y', 2)), PARTITION p1 VALUES IN (('X', 2), ('z', 0)), PARTITION p2 VALUES IN (DEFAULT))",
      rows: mixed(m, { a: ['x', 'X', 'y', 'Y', 'z', 'x ', 'w'], b: ['0', '1', '2', '3'] }, 60) },
  ];
}

/** Single-level tables. */
export function level1Tables(): TableSpec[] {
  const r = (name: string): Rand => prng(name);
  return [...intTables(r), ...keyTables(r), ...hashExprTables(r), ...rangeTables(r), ...rangeColumnsTables(r), ...listTables(r)];
}
