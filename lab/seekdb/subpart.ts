// Two-level tables of the vector catalogue (spec §4.3 "Two-level"): template sub-partitions (one shared
// descriptor) and non-template ones (a descriptor per first-level partition, different counts).
import { CI, UTF8_BIN, col, mixed, type KeyColumn, type Row, type TableSpec } from './catalogue.js';
import { dateValues, datetimeValues, decimalValues, intValues, prng, stringValues, type Rand } from './values.js';

function two(name: string, partType: string, template: boolean, keyColumns: KeyColumn[], partition: string,
  gen: (rand: Rand) => Record<string, readonly string[]>, n = 100): TableSpec {
  const rand = prng(name);
  const rows: Row[] = mixed(rand, gen(rand), n);
  return { name, partType, subPartTemplate: template, keyColumns, partition, rows };
}

const ints = (rand: Rand, extra: string[]): string[] => [...extra, ...intValues('int', false, rand, 20)];

export function level2Tables(): TableSpec[] {
  return [
    two('t2_range_hash_tpl', 'RANGE-HASH', true, [col('a', 'int'), col('b', 'int')],
      'PARTITION BY RANGE(a) SUBPARTITION BY HASH(b) SUBPARTITIONS 3 (PARTITION p0 VALUES LESS THAN (0), PARTITION p1 VALUES LESS THAN (100), PARTITION p2 VALUES LESS THAN (MAXVALUE))',
      (r) => ({ a: ints(r, ['-1', '0', '1', '99', '100', '101']), b: ints(r, []) })),
    two('t2_range_key_tpl', 'RANGE-KEY', true, [col('a', 'int'), col('c', 'varchar(16)', CI)],
      'PARTITION BY RANGE(a) SUBPARTITION BY KEY(c) SUBPARTITIONS 4 (PARTITION p0 VALUES LESS THAN (0), PARTITION p1 VALUES LESS THAN (MAXVALUE))',
      (r) => ({ a: ints(r, ['-1', '0', '1']), c: stringValues(16, r, 30) })),
    two('t2_list_key_nontpl', 'LIST-KEY', false, [col('a', 'int'), col('b', 'bigint')],
      'PARTITION BY LIST(a) SUBPARTITION BY KEY(b) (PARTITION p0 VALUES IN (1, 2) (SUBPARTITION a0, SUBPARTITION a1), PARTITION p1 VALUES IN (DEFAULT) (SUBPARTITION b0, SUBPARTITION b1, SUBPARTITION b2))',
      (r) => ({ a: ['1', '2', '3', '0', '-1'], b: intValues('bigint', false, r, 30) })),
    two('t2_hash_hash_tpl', 'HASH-HASH', true, [col('a', 'int'), col('b', 'int')],
      'PARTITION BY HASH(a) SUBPARTITION BY HASH(b) SUBPARTITIONS 4 PARTITIONS 3',
      (r) => ({ a: ints(r, []), b: ints(r, []) })),
    two('t2_key_range_tpl', 'KEY-RANGE', true, [col('a', 'varchar(16)', CI), col('b', 'int')],
      'PARTITION BY KEY(a) SUBPARTITION BY RANGE(b) SUBPARTITION TEMPLATE (SUBPARTITION s0 VALUES LESS THAN (0), SUBPARTITION s1 VALUES LESS THAN (100), SUBPARTITION s2 VALUES LESS THAN (MAXVALUE)) PARTITIONS 3',
      (r) => ({ a: stringValues(16, r, 30), b: ints(r, ['-1', '0', '99', '100']) })),
    two('t2_hash_key_nontpl', 'HASH-KEY', false, [col('a', 'int'), col('b', 'varchar(16)', UTF8_BIN)],
      'PARTITION BY HASH(a) SUBPARTITION BY KEY(b) (PARTITION p0 (SUBPARTITION s0, SUBPARTITION s1), PARTITION p1 (SUBPARTITION s2, SUBPARTITION s3, SUBPARTITION s4))',
      (r) => ({ a: ints(r, []), b: stringValues(16, r, 30) })),
    two('t2_rangec_key_nontpl', 'RANGE_COLUMNS-KEY', false, [col('d', 'date'), col('c', 'varchar(16)', UTF8_BIN)],
      "PARTITION BY RANGE COLUMNS(d) SUBPARTITION BY KEY(c) (PARTITION p0 VALUES LESS THAN ('2000-01-01') (SUBPARTITION s0, SUBPARTITION s1), PARTITION p1 VALUES LESS THAN (MAXVALUE) (SUBPARTITION s2, SUBPARTITION s3, SUBPARTITION s4))",
      (r) => ({ d: [...dateValues(r, 20), '2000-01-01', '1999-12-31'], c: stringValues(16, r, 30) })),
    two('t2_listc_hash_tpl', 'LIST_COLUMNS-HASH', true, [col('s', 'varchar(8)', CI), col('a', 'int')],
      "PARTITION BY LIST COLUMNS(s) SUBPARTITION BY HASH(a) SUBPARTITIONS 2 (PARTITION p0 VALUES IN ('a', 'b'), PARTITION p1 VALUES IN ('c'), PARTITION p2 VALUES IN (DEFAULT))",
      (r) => ({ s: ['a', 'A', 'b', 'B ', 'c', 'C', 'd', 'é', ''], a: ints(r, []) })),
    two('t2_range_list_tpl', 'RANGE-LIST', true, [col('a', 'int'), col('b', 'int')],
      'PARTITION BY RANGE(a) SUBPARTITION BY LIST(b) SUBPARTITION TEMPLATE (SUBPARTITION s0 VALUES IN (1, 2), SUBPARTITION s1 VALUES IN (DEFAULT)) (PARTITION p0 VALUES LESS THAN (0), PARTITION p1 VALUES LESS THAN (MAXVALUE))',
      (r) => ({ a: ints(r, ['-1', '0']), b: ['0', '1', '2', '3', '-1'] })),
    two('t2_hash_rangec_nontpl', 'HASH-RANGE_COLUMNS', false, [col('a', 'int'), col('d', 'datetime')],
      "PARTITION BY HASH(a) SUBPARTITION BY RANGE COLUMNS(d) (PARTITION p0 (SUBPARTITION s0 VALUES LESS THAN ('2000-01-01 00:00:00'), SUBPARTITION s1 VALUES LESS THAN (MAXVALUE)), PARTITION p1 (SUBPARTITION s2 VALUES LESS THAN ('2020-01-01 00:00:00'), SUBPARTITION s3 VALUES LESS THAN (MAXVALUE)))",
      (r) => ({ a: ints(r, []), d: datetimeValues(r, 30, 0) })),
    two('t2_key_listc_tpl', 'KEY-LIST_COLUMNS', true, [col('s', 'varchar(8)', CI), col('b', 'varchar(8)', CI)],
      "PARTITION BY KEY(s) SUBPARTITION BY LIST COLUMNS(b) SUBPARTITION TEMPLATE (SUBPARTITION s0 VALUES IN ('a', 'b'), SUBPARTITION s1 VALUES IN (DEFAULT)) PARTITIONS 2",
      (r) => ({ s: stringValues(8, r, 20), b: ['a', 'A', 'b', 'B', 'c', 'a '] })),
    two('t2_range_year_hash_month', 'RANGE-HASH', true, [col('d', 'date')],
      'PARTITION BY RANGE(year(d)) SUBPARTITION BY HASH(month(d)) SUBPARTITIONS 4 (PARTITION p0 VALUES LESS THAN (1970), PARTITION p1 VALUES LESS THAN (2000), PARTITION p2 VALUES LESS THAN (MAXVALUE))',
      (r) => ({ d: dateValues(r, 60) }), 80),
    two('t2_hash_key_samecol', 'HASH-KEY', true, [col('a', 'bigint')],
      'PARTITION BY HASH(a) SUBPARTITION BY KEY(a) SUBPARTITIONS 5 PARTITIONS 3',
      (r) => ({ a: intValues('bigint', false, r, 60) }), 80),
    two('t2_key_key_tpl', 'KEY-KEY', true, [col('a', 'decimal(20,4)'), col('b', 'datetime')],
      'PARTITION BY KEY(a) SUBPARTITION BY KEY(b) SUBPARTITIONS 3 PARTITIONS 4',
      (r) => ({ a: decimalValues(20, 4, r, 30), b: datetimeValues(r, 30, 0) })),
  ];
}
