// The emulators' answers to the proxy's metadata SQL. The statements are the spec §3.2–§3.4 texts (as
// lab/seekdb/metadata.ts sends them to a real kernel); expected columns are the statements' own select
// lists, expected values come from the default topology, and the partition rows are checked end to end:
// parsed by the proxy's partition module they must place keys where the real kernel placed them
// (test/fixtures/partition/vectors).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultTopology } from '../../../lab/observer/default-topology.js';
import { answerMeta, type MetaAnswer, type MetaContext } from '../../../lab/observer/meta-sql.js';
import { selectItems, splitTopLevel, stripComments } from '../../../lab/observer/sql-text.js';
import { bootstrapSql, specTableSql } from '../../../lab/seekdb/metadata.js';
import { computePartition, parsePartitionInfo, type Row } from '../../../src/route/partition/index.js';

const topology = defaultTopology();
const ctx: MetaContext = { topology, self: topology.servers[0]!, isAlive: (n) => n !== 'obs3' };

function ask(sql: string): MetaAnswer {
  const r = answerMeta(sql, ctx);
  assert.ok(r !== null && r.ok, `not answered: ${sql}`);
  return r.answer;
}

/** Rows by column name, as a proxy reading the text protocol would see them (bytes as latin1). */
function rows(a: MetaAnswer): Row[] {
  return a.rows.map((r) => Object.fromEntries(a.columns.map((c, i) => {
    const v = r[i] ?? null;
    return [c.name, Buffer.isBuffer(v) ? v.toString('latin1') : v];
  })));
}

const names = (a: MetaAnswer): string[] => a.columns.map((c) => c.name);

function kernelCases(table: string): { values: Record<string, string | null>; partIdx: number; subPartIdx: number | null }[] {
  for (const base of [process.cwd(), resolve(import.meta.dirname, '../../../..'), resolve(import.meta.dirname, '../../..')]) {
    const f = join(base, 'test/fixtures/partition/vectors', `${table}.json`);
    if (existsSync(f)) return (JSON.parse(readFileSync(f, 'utf8')) as { cases: ReturnType<typeof kernelCases> }).cases;
  }
  throw new Error(`kernel fixture ${table} not found`);
}

describe('cluster metadata (spec §3.2)', () => {
  const q = bootstrapSql();

  test('version and cluster role', () => {
    assert.deepEqual(rows(ask(q['version']!)), [{ cluster_version: '4.3.5.3' }]);
    assert.deepEqual(rows(ask(q['clusterRole']!)), [{ cluster_role: 'PRIMARY', cluster_status: 'VALID' }]);
  });

  test('initial server + zone join: the statement\'s aliases, one row per server ordered by zone, liveness', () => {
    const a = ask(q['serverZoneInit']!);
    assert.deepEqual(names(a), ['cluster', 'zone', 'zone_status', 'server_status', 'region', 'spare4', 'spare5', 'svr_ip', 'svr_port', 'rpc_port', 'start_service_time', 'stop_time']);
    assert.deepEqual(rows(a)[1], {
      cluster: 'lab_cluster', zone: 'zone2', zone_status: 'ACTIVE', server_status: 'ACTIVE', region: 'hangzhou', spare4: 'hz2',
      spare5: 'ReadWrite', svr_ip: '127.0.0.3', svr_port: '2881', rpc_port: '2882', start_service_time: '1', stop_time: '0',
    });
    assert.deepEqual(rows(a).map((r) => [r['svr_ip'], r['server_status']]), [['127.0.0.2', 'ACTIVE'], ['127.0.0.3', 'ACTIVE'], ['127.0.0.4', 'INACTIVE']]);
  });

  test('zone and server refresh queries', () => {
    assert.deepEqual(rows(ask(q['zones']!))[2], { zone: 'zone3', status: 'ACTIVE', is_merging: '0', region: 'shanghai', spare4: 'sh1', spare5: 'ReadWrite' });
    assert.deepEqual(rows(ask(q['servers']!))[0], { svr_ip: '127.0.0.2', rpc_port: '2882', svr_port: '2881', zone: 'zone1', status: 'ACTIVE', start_service_time: '1', stop_time: '0' });
  });

  test('tenants without sys, with locality over the zones of their units', () => {
    assert.deepEqual(rows(ask(q['tenants']!)).map((r) => [r['tenant_name'], r['tenant_id'], r['locality'], r['previous_locality']]), [
      ['test', '1002', 'FULL{1}@zone1, FULL{1}@zone2, FULL{1}@zone3', null],
      ['solo', '1004', 'FULL{1}@zone1', null],
    ]);
  });

  test('the sys tenant dummy entry lists every server, one leader, RPC port from the join', () => {
    const r = rows(ask(q['dummyEntry']!));
    assert.deepEqual(r.map((x) => [x['svr_ip'], x['sql_port'], x['role'], x['svr_port']]), [
      ['127.0.0.2', '2881', '1', '2882'], ['127.0.0.3', '2881', '2', '2882'], ['127.0.0.4', '2881', '2', '2882'],
    ]);
  });
});

describe('table entries and partitions (spec §3.3, §3.4)', () => {
  test('table entry of a non-partitioned table: A.* in view order, then B.svr_port; leader row first', () => {
    const a = ask(specTableSql('test', 'lab_db', 't_plain', '500001').schema);
    assert.deepEqual(names(a).slice(0, 9), ['tenant_name', 'database_name', 'table_name', 'tablet_id', 'svr_ip', 'sql_port', 'table_id', 'role', 'part_num']);
    assert.equal(names(a).at(-1), 'svr_port');
    const r = rows(a);
    assert.deepEqual(r.map((x) => [x['svr_ip'], x['role']]), [['127.0.0.3', '1'], ['127.0.0.2', '2'], ['127.0.0.4', '2']]);
    assert.deepEqual([r[0]!['tablet_id'], r[0]!['table_id'], r[0]!['part_num'], r[0]!['replica_num'], r[0]!['table_type']], ['200001', '500001', '1', '3', '3']);
  });

  test('batch location query by tablet ids, ordered by tablet then role', () => {
    const sql = specTableSql('test', 'lab_db', 't_hash', '500010').schema
      .replace('A.tablet_id = 0', 'A.tablet_id IN (200013, 200011)').replace('ORDER BY A.role ASC', 'ORDER BY A.tablet_id, A.role ASC');
    const r = rows(ask(sql));
    assert.deepEqual(r.filter((x) => x['role'] === '1').map((x) => [x['tablet_id'], x['svr_ip']]), [['200011', '127.0.0.3'], ['200013', '127.0.0.2']]);
    assert.equal(r.length, 6);
  });

  test('an unknown table has an empty entry', () => {
    assert.deepEqual(ask(specTableSql('test', 'lab_db', 'nope', '1').schema).rows, []);
    assert.deepEqual(ask(specTableSql('sys', 'lab_db', 't_hash', '500010').schema).rows, [], 'other tenant');
  });

  test('partition queries return exactly the selected columns', () => {
    const s = specTableSql('test', 'lab_db', 't_sub', '500060');
    assert.deepEqual(names(ask(s.partitions)), ['tablet_id', 'ls_id', 'part_id', 'part_name', 'high_bound_val_bin', 'sub_part_num']);
    assert.deepEqual(names(ask(s.subPartitions)), ['tablet_id', 'ls_id', 'part_id', 'sub_part_id', 'part_name', 'high_bound_val_bin']);
    assert.equal(names(ask(s.partitionInfo)).length, 47, 'SELECT * of __all_virtual_proxy_partition_info');
    assert.deepEqual(rows(ask(s.partitionInfo)).map((r) => [r['part_key_name'], r['part_key_level'], r['part_type'], r['sub_part_type']]), [['a', '1', '3', '1'], ['c', '2', '3', '1']]);
  });

  /** The proxy's partition module over the emulator's rows (spec queries: binary bounds only). */
  function proxyInfo(name: string, id: number) {
    const s = specTableSql('test', 'lab_db', name, String(id));
    const parsed = parsePartitionInfo({ partitionInfo: rows(ask(s.partitionInfo)), partitions: rows(ask(s.partitions)), subPartitions: rows(ask(s.subPartitions)) });
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
    return parsed.info;
  }

  test('KEY table: every kernel vector of t_key_int lands in the same partition', () => {
    const info = proxyInfo('t_key', 500020);
    const cases = kernelCases('t_key_int').filter((c) => c.values['c1'] !== null);
    assert.ok(cases.length > 20);
    for (const c of cases) {
      const r = computePartition(info, { k: BigInt(c.values['c1']!) });
      assert.ok(r.ok && r.partIdx === c.partIdx, `k=${c.values['c1']}: ${JSON.stringify(r)} vs kernel p${c.partIdx}`);
    }
  });

  test('two-level RANGE/KEY table: every kernel vector of t2_range_key_tpl lands in the same sub-partition', () => {
    const info = proxyInfo('t_sub', 500060);
    const cases = kernelCases('t2_range_key_tpl').filter((c) => c.values['a'] !== null && c.values['c'] !== null);
    for (const c of cases) {
      const r = computePartition(info, { a: BigInt(c.values['a']!), c: c.values['c']! });
      assert.ok(r.ok && r.partIdx === c.partIdx && r.subPartIdx === c.subPartIdx, `${JSON.stringify(c.values)}: ${JSON.stringify(r)}`);
    }
  });
});

describe('liveness probe', () => {
  test("select 'detect server' from dual is answered by the emulator itself (spec §7.3)", () => {
    assert.deepEqual(rows(ask(bootstrapSql()['detect']!)), [{ 'detect server': 'detect server' }]);
  });
});

describe('what is not metadata', () => {
  test('user statements are not answered; unknown oceanbase views are an error', () => {
    assert.equal(answerMeta('SELECT * FROM t_hash WHERE id = 1', ctx), null);
    assert.equal(answerMeta('INSERT INTO t_hash VALUES (1, 2)', ctx), null);
    const r = answerMeta('SELECT * FROM oceanbase.__all_virtual_nothing', ctx);
    assert.ok(r !== null && !r.ok && r.err.errno === 1146);
  });
});

describe('sql text helpers', () => {
  test('comments and hints go, quoted text stays', () => {
    assert.equal(stripComments("SELECT /*+READ_CONSISTENCY(WEAK)*/ a, '/* no */' -- tail\nFROM t;"), "SELECT a, '/* no */' FROM t");
  });

  test('select items split at top-level commas only, with aliases', () => {
    assert.deepEqual(selectItems("SELECT IFNULL((SELECT x, y FROM t), -1) as ls_id, A.part_id AS part_id, 'a,b' FROM v"), [
      { expr: 'IFNULL((SELECT x, y FROM t), -1)', alias: 'ls_id' }, { expr: 'A.part_id', alias: 'part_id' }, { expr: "'a,b'", alias: null },
    ]);
    assert.deepEqual(splitTopLevel("f(a, b), 'x,y', c", ','), ['f(a, b)', "'x,y'", 'c']);
  });
});
