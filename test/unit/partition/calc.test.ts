// computePartition over PartitionInfo built from hand-written §3.4 rows: every partition type, NULL,
// DEFAULT, MAXVALUE, two levels, expressions, bad input. Expected partitions are derived by hand from the
// MySQL/OceanBase rules (spec §4.3), hashes from the independent BigInt reference.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { computePartition, parsePartitionInfo, type PartitionInfo, type PartitionResult } from '../../../src/route/partition/index.js';
import { infoRows, le64, partRows, refKeyIndex } from './reference.js';

function build(rows: Parameters<typeof parsePartitionInfo>[0]): PartitionInfo {
  const r = parsePartitionInfo(rows);
  if (!r.ok) assert.fail(r.reason);
  return r.info;
}

function idx(r: PartitionResult): [number, number | null] {
  if (!r.ok) assert.fail(r.reason);
  return [r.partIdx, r.subPartIdx];
}

const HASH = 0;
const KEY = 1;
const RANGE = 3;
const RANGE_COLUMNS = 4;
const LIST = 5;
const LIST_COLUMNS = 6;

const hashParts = (n: number): ReturnType<typeof partRows> => partRows(Array.from({ length: n }, (_, i) => ({ name: `p${i}` })));

describe('HASH (MySQL mode)', () => {
  const info = build({
    partitionInfo: infoRows({ partType: HASH, partExpr: 'c1', partNum: 5, keys: [{ name: 'c1', type: 5 }] }),
    partitions: hashParts(5),
  });

  test('value mod n with sign folded, tablet id of that partition', () => {
    const r = computePartition(info, { c1: 12 });
    assert.deepEqual(r, { ok: true, partitionId: 200003, tabletId: 200003, partIdx: 2, subPartIdx: null, partName: 'p2' });
    assert.deepEqual(idx(computePartition(info, { c1: -12 })), [2, null]);
    assert.deepEqual(idx(computePartition(info, { c1: '-9223372036854775808' })), [Number((2n ** 63n - 1n) % 5n), null]);
    assert.deepEqual(idx(computePartition(info, { c1: 9223372036854775807n })), [Number((2n ** 63n - 1n) % 5n), null]);
  });

  test('NULL goes to partition 0; strings and decimals are cast first', () => {
    assert.deepEqual(idx(computePartition(info, { c1: null })), [0, null]);
    assert.deepEqual(idx(computePartition(info, { c1: ' 13 ' })), [3, null]);
    assert.deepEqual(idx(computePartition(info, { c1: '12.5' })), [3, null], '12.5 rounds to 13');
    assert.deepEqual(idx(computePartition(info, { C1: 14 })), [4, null], 'column names are case-insensitive');
  });

  test('overflow and garbage are "no route", never an exception', () => {
    assert.equal(computePartition(info, { c1: '9223372036854775808' }).ok, false);
    assert.equal(computePartition(info, { c1: 'abc' }).ok, false);
    assert.equal(computePartition(info, {}).ok, false);
  });

  test('expression: HASH(year(d))', () => {
    const inf = build({
      partitionInfo: infoRows({ partType: HASH, partExpr: 'year(`d`)', partNum: 4, keys: [{ name: 'd', type: 17, scale: 0 }] }),
      partitions: hashParts(4),
    });
    assert.deepEqual(idx(computePartition(inf, { d: '2023-05-06 07:08:09' })), [2023 % 4, null]);
    assert.deepEqual(idx(computePartition(inf, { d: null })), [0, null], 'year(NULL) is NULL -> 0');
  });

  test('tinyint overflow is no route; unsigned negative is no route', () => {
    const t = build({
      partitionInfo: infoRows({ partType: HASH, partExpr: 'c', partNum: 3, keys: [{ name: 'c', type: 1 }] }),
      partitions: hashParts(3),
    });
    assert.deepEqual(idx(computePartition(t, { c: -128 })), [128 % 3, null]);
    assert.equal(computePartition(t, { c: 128 }).ok, false);
    const u = build({
      partitionInfo: infoRows({ partType: HASH, partExpr: 'c', partNum: 3, keys: [{ name: 'c', type: 10 }] }),
      partitions: hashParts(3),
    });
    assert.equal(computePartition(u, { c: -1 }).ok, false);
    assert.deepEqual(idx(computePartition(u, { c: '18446744073709551615' })), [1, null], 'uint64 max is int64 -1');
  });
});

describe('KEY', () => {
  const info = build({
    partitionInfo: infoRows({ partType: KEY, partExpr: 'id', partNum: 7, keys: [{ name: 'id', type: 5 }] }),
    partitions: hashParts(7),
  });

  test('fast path (JS number) and slow path (string/bigint) agree with the reference', () => {
    for (const v of [0, 1, -1, 123, 99999, -2147483648, 2 ** 40 + 3]) {
      const want = refKeyIndex([[le64(BigInt(v))]], 7);
      assert.deepEqual(idx(computePartition(info, { id: v })), [want, null], `number ${v}`);
      assert.deepEqual(idx(computePartition(info, { id: String(v) })), [want, null], `string ${v}`);
      assert.deepEqual(idx(computePartition(info, { id: BigInt(v) })), [want, null], `bigint ${v}`);
    }
  });

  test('fast and slow paths agree on random int64 values', () => {
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (v) => {
        const a = computePartition(info, { id: v });
        const b = computePartition(info, { id: BigInt(v) });
        assert.deepEqual(a, b);
      }),
      { numRuns: 300 },
    );
  });

  test('multi-column KEY over (varchar utf8mb4_bin, int)', () => {
    const inf = build({
      partitionInfo: infoRows({
        partType: KEY,
        partExpr: 'name,id',
        partNum: 16,
        keys: [
          { name: 'name', type: 22, coll: 46, length: 10 },
          { name: 'id', type: 5 },
        ],
      }),
      partitions: hashParts(16),
    });
    const want = refKeyIndex([[Buffer.from('bob')], [le64(7n)]], 16);
    assert.deepEqual(idx(computePartition(inf, { name: 'bob  ', id: 7 })), [want, null]);
    assert.equal(computePartition(inf, { name: 'x'.repeat(11), id: 7 }).ok, false, 'too long for VARCHAR(10)');
  });
});

describe('RANGE / RANGE COLUMNS', () => {
  const info = build({
    partitionInfo: infoRows({ partType: RANGE, partExpr: 'c1', partNum: 3, keys: [{ name: 'c1', type: 5 }] }),
    partitions: partRows([
      { name: 'p0', bound: '100' },
      { name: 'p1', bound: '200' },
      { name: 'p2', bound: 'MAXVALUE' },
    ]),
  });

  test('first partition whose high bound is greater; bounds are exclusive', () => {
    assert.deepEqual(idx(computePartition(info, { c1: 99 })), [0, null]);
    assert.deepEqual(idx(computePartition(info, { c1: 100 })), [1, null]);
    assert.deepEqual(idx(computePartition(info, { c1: 199 })), [1, null]);
    assert.deepEqual(idx(computePartition(info, { c1: 200 })), [2, null]);
    assert.deepEqual(idx(computePartition(info, { c1: '9223372036854775807' })), [2, null]);
    assert.deepEqual(idx(computePartition(info, { c1: -5 })), [0, null]);
  });

  test('NULL sorts first', () => {
    assert.deepEqual(idx(computePartition(info, { c1: null })), [0, null]);
  });

  test('beyond the last bound is no route', () => {
    const inf = build({
      partitionInfo: infoRows({ partType: RANGE, partExpr: 'c1', partNum: 1, keys: [{ name: 'c1', type: 5 }] }),
      partitions: partRows([{ name: 'p0', bound: '10' }]),
    });
    assert.equal(computePartition(inf, { c1: 10 }).ok, false);
  });

  test('RANGE COLUMNS over (varchar general_ci, date) with MAXVALUE', () => {
    const inf = build({
      partitionInfo: infoRows({
        partType: RANGE_COLUMNS,
        partExpr: 'a,d',
        partNum: 3,
        keys: [
          { name: 'a', type: 22, coll: 45, length: 20 },
          { name: 'd', type: 19 },
        ],
      }),
      partitions: partRows([
        { name: 'p0', bound: "'m','2020-01-01'" },
        { name: 'p1', bound: "'m',MAXVALUE" },
        { name: 'p2', bound: 'MAXVALUE,MAXVALUE' },
      ]),
    });
    assert.deepEqual(idx(computePartition(inf, { a: 'apple', d: '2030-01-01' })), [0, null]);
    assert.deepEqual(idx(computePartition(inf, { a: 'M', d: '2019-12-31' })), [0, null], 'general_ci: M == m');
    assert.deepEqual(idx(computePartition(inf, { a: 'm ', d: '2020-01-01' })), [1, null], 'PAD SPACE');
    assert.deepEqual(idx(computePartition(inf, { a: 'n', d: '2000-01-01' })), [2, null]);
  });

  test('range partitions given out of order are sorted by bound', () => {
    const inf = build({
      partitionInfo: infoRows({ partType: RANGE, partExpr: 'c1', partNum: 2, keys: [{ name: 'c1', type: 5 }] }),
      partitions: partRows([
        { name: 'p1', bound: 'MAXVALUE' },
        { name: 'p0', bound: '10' },
      ]),
    });
    const r = computePartition(inf, { c1: 5 });
    assert.ok(r.ok && r.partName === 'p0' && r.tabletId === 200002);
  });

  test('RANGE over to_days(d) and unix_timestamp(ts)', () => {
    const inf = build({
      partitionInfo: infoRows({ partType: RANGE, partExpr: 'to_days(d)', partNum: 2, keys: [{ name: 'd', type: 19 }] }),
      partitions: partRows([
        { name: 'p0', bound: '738886' }, // to_days('2023-01-01')
        { name: 'p1', bound: 'MAXVALUE' },
      ]),
    });
    assert.deepEqual(idx(computePartition(inf, { d: '2022-12-31' })), [0, null]);
    assert.deepEqual(idx(computePartition(inf, { d: '2023-01-01' })), [1, null]);
    const ts = build({
      partitionInfo: infoRows({ partType: RANGE, partExpr: 'unix_timestamp(ts)', partNum: 2, keys: [{ name: 'ts', type: 18, scale: 0 }] }),
      partitions: partRows([
        { name: 'p0', bound: '1672531200' }, // 2023-01-01 00:00:00 UTC
        { name: 'p1', bound: 'MAXVALUE' },
      ]),
    });
    assert.deepEqual(idx(computePartition(ts, { ts: '2023-01-01 07:59:59' })), [0, null], '+08:00 session');
    assert.deepEqual(idx(computePartition(ts, { ts: '2023-01-01 08:00:00' })), [1, null]);
    assert.deepEqual(idx(computePartition(ts, { ts: '2023-01-01 00:00:00' }, { timeZoneOffsetSec: 0 })), [1, null]);
  });
});

describe('LIST / LIST COLUMNS', () => {
  const info = build({
    partitionInfo: infoRows({ partType: LIST, partExpr: 'c', partNum: 3, keys: [{ name: 'c', type: 5 }] }),
    partitions: partRows([
      { name: 'p0', bound: '1,2,3' },
      { name: 'p1', bound: '4,NULL' },
      { name: 'pd', bound: 'DEFAULT' },
    ]),
  });

  test('membership, NULL listed explicitly, DEFAULT for the rest', () => {
    assert.deepEqual(idx(computePartition(info, { c: 2 })), [0, null]);
    assert.deepEqual(idx(computePartition(info, { c: 4 })), [1, null]);
    assert.deepEqual(idx(computePartition(info, { c: null })), [1, null]);
    assert.deepEqual(idx(computePartition(info, { c: 99 })), [2, null]);
  });

  test('no match without DEFAULT is no route', () => {
    const inf = build({
      partitionInfo: infoRows({ partType: LIST, partExpr: 'c', partNum: 1, keys: [{ name: 'c', type: 5 }] }),
      partitions: partRows([{ name: 'p0', bound: '1' }]),
    });
    assert.equal(computePartition(inf, { c: 2 }).ok, false);
    assert.equal(computePartition(inf, { c: null }).ok, false);
  });

  test('LIST COLUMNS rows over (varchar, int)', () => {
    const inf = build({
      partitionInfo: infoRows({
        partType: LIST_COLUMNS,
        partExpr: 'city,k',
        partNum: 2,
        keys: [
          { name: 'city', type: 22, coll: 45, length: 32 },
          { name: 'k', type: 5 },
        ],
      }),
      partitions: partRows([
        { name: 'p0', bound: "('Hangzhou',1),('Beijing',2)" },
        { name: 'p1', bound: "('Shanghai',1)" },
      ]),
    });
    assert.deepEqual(idx(computePartition(inf, { city: 'BEIJING', k: 2 })), [0, null]);
    assert.deepEqual(idx(computePartition(inf, { city: 'shanghai', k: '1' })), [1, null]);
    assert.equal(computePartition(inf, { city: 'shanghai', k: 2 }).ok, false);
  });
});

describe('two-level partitioning', () => {
  const subRows = (partId: number, names: string[], base: number): Record<string, string>[] =>
    names.map((n, j) => ({
      tablet_id: String(base + j),
      ls_id: '1001',
      part_id: String(partId),
      sub_part_id: String(j),
      part_name: n,
      high_bound_val: '',
      high_bound_val_bin: '',
      sub_part_position: String(j),
    }));

  test('RANGE x KEY template: sub index from KEY, tablet id of the sub-partition', () => {
    const info = build({
      partitionInfo: infoRows({
        partType: RANGE,
        partExpr: 'c1',
        partNum: 2,
        subType: KEY,
        subExpr: 'c2',
        subNum: 3,
        keys: [
          { name: 'c1', type: 5 },
          { name: 'c2', type: 5, level: 2 },
        ],
      }),
      partitions: partRows([
        { name: 'p0', bound: '100', subNum: 3 },
        { name: 'p1', bound: 'MAXVALUE', subNum: 3 },
      ]),
      subPartitions: [...subRows(0, ['p0sp0', 'p0sp1', 'p0sp2'], 300000), ...subRows(1, ['p1sp0', 'p1sp1', 'p1sp2'], 300010)],
    });
    const sub = refKeyIndex([[le64(55n)]], 3);
    const r = computePartition(info, { c1: 150, c2: 55 });
    assert.deepEqual(r, { ok: true, partitionId: 300010 + sub, tabletId: 300010 + sub, partIdx: 1, subPartIdx: sub, partName: `p1sp${sub}` });
  });

  test('LIST x RANGE non-template: each partition has its own sub-partitions', () => {
    const info = build({
      partitionInfo: infoRows({
        partType: LIST,
        partExpr: 'r',
        partNum: 2,
        subType: RANGE,
        subExpr: 'v',
        template: false,
        keys: [
          { name: 'r', type: 5 },
          { name: 'v', type: 5, level: 2 },
        ],
      }),
      partitions: partRows([
        { name: 'p0', bound: '1', subNum: 2 },
        { name: 'p1', bound: 'DEFAULT', subNum: 1 },
      ]),
      subPartitions: [
        ...subRows(0, ['s0', 's1'], 400000).map((r, j) => ({ ...r, high_bound_val: j === 0 ? '10' : 'MAXVALUE' })),
        ...subRows(1, ['s2'], 400100).map((r) => ({ ...r, high_bound_val: '5' })),
      ],
    });
    assert.deepEqual(idx(computePartition(info, { r: 1, v: 10 })), [0, 1]);
    assert.deepEqual(idx(computePartition(info, { r: 7, v: 4 })), [1, 0]);
    assert.equal(computePartition(info, { r: 7, v: 5 }).ok, false, 'beyond the sub range');
    assert.equal(computePartition(info, { r: 1 }).ok, false, 'missing sub key');
  });
});

describe('generated-column keys (function partition key routing)', () => {
  test('KEY over a generated column substr(c, 1, 4): bases are enough', () => {
    const info = build({
      partitionInfo: infoRows({
        partType: KEY,
        partExpr: 'g',
        partNum: 8,
        keys: [{ name: 'g', type: 22, coll: 46, length: 4, extra: 'substr(`c`,1,4)' }],
      }),
      partitions: hashParts(8),
    });
    const want = refKeyIndex([[Buffer.from('2024')]], 8);
    assert.deepEqual(idx(computePartition(info, { c: '20240517-xyz' })), [want, null]);
    assert.deepEqual(idx(computePartition(info, { g: '2024' })), [want, null], 'or the generated value itself');
  });
});

describe('metadata parsing errors', () => {
  test('bad rows give a reason, not an exception', () => {
    assert.equal(parsePartitionInfo({ partitionInfo: [], partitions: [] }).ok, false);
    const r = parsePartitionInfo({
      partitionInfo: infoRows({ partType: RANGE, partExpr: 'c1', partNum: 1, keys: [{ name: 'c1', type: 5 }] }),
      partitions: partRows([{ name: 'p0', bound: "'unterminated" }]),
    });
    assert.equal(r.ok, false);
    const t = parsePartitionInfo({
      partitionInfo: infoRows({ partType: 42, partExpr: 'c1', partNum: 1, keys: [{ name: 'c1', type: 5 }] }),
      partitions: partRows([{ name: 'p0' }]),
    });
    assert.ok(!t.ok && /part_type/.test(t.reason));
  });

  test('computePartition is total on arbitrary inputs', () => {
    const info = build({
      partitionInfo: infoRows({ partType: KEY, partExpr: 'a,b', partNum: 5, keys: [{ name: 'a', type: 17, scale: 3 }, { name: 'b', type: 15, precision: 10, scale: 2 }] }),
      partitions: hashParts(5),
    });
    const value = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.bigInt(), fc.constant(null), fc.uint8Array().map((a) => Buffer.from(a)));
    fc.assert(
      fc.property(value, value, (a, b) => {
        const r = computePartition(info, { a, b });
        assert.equal(typeof r.ok, 'boolean');
      }),
      { numRuns: 500 },
    );
  });
});
