// Metadata rows -> TableEntry (spec §3.3, §3.4): hand-built result sets with OceanBase 4.x column names,
// bound bytes written from the serialization layout (varint counts, 4-byte cell meta, varint values).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { QueryResult } from '../../../src/backend/internal-query.js';
import { fetchTableEntry, LOCATION_BATCH, MetaError, type MetaQuery, type TableEntry } from '../../../src/route/location/index.js';
import { routeByPartition } from '../../../src/route/router.js';
import { parseRoute } from '../../../src/route/sql/index.js';
import { EMPTY, recordSet, resultSet, ScriptedMeta, type CellIn } from './helpers.js';

const SCHEMA_COLUMNS = [
  'tenant_name', 'database_name', 'table_name', 'tablet_id', 'svr_ip', 'sql_port', 'table_id', 'role', 'part_num',
  'replica_num', 'table_type', 'schema_version', 'replica_type', 'dup_replica_type', 'memstore_percent', 'spare1',
  'spare2', 'spare3', 'spare4', 'spare5', 'spare6', 'complex_table_type', 'level1_decoded_db_name',
  'level1_decoded_table_name', 'level2_decoded_db_name', 'level2_decoded_table_name', 'svr_port',
];

interface Rep { tablet: number; ip: string; port?: number; role: 1 | 2; type?: number; dup?: number }

function schemaRows(tableId: number, partNum: number, reps: readonly Rep[], version: CellIn = 1700000000000001): ReturnType<typeof resultSet> {
  return resultSet(SCHEMA_COLUMNS, reps.map((r) => [
    'test', 'db1', 't1', r.tablet, r.ip, r.port ?? 2881, tableId, r.role, partNum, 3, 3, version, r.type ?? 0, r.dup ?? 0, 100,
    0, 0, 0, '', '', '', 0, '', '', '', '', 2882,
  ]));
}

function infoRow(over: Record<string, CellIn>): Record<string, CellIn> {
  return {
    tenant_name: 'test', table_id: 500100, part_level: 1, all_part_num: 4, template_num: 0, part_id_rule_ver: 0, part_type: 0,
    part_num: 4, is_column_type: 0, part_space: 0, part_expr: 'id', part_expr_bin: '', part_range_type: '', part_interval: '',
    part_interval_bin: '', interval_start: '', interval_start_bin: '', sub_part_type: 0, sub_part_num: 0, is_sub_column_type: 0,
    sub_part_space: 0, sub_part_expr: '', sub_part_expr_bin: '', sub_part_range_type: '', def_sub_part_interval: '',
    def_sub_part_interval_bin: '', def_sub_interval_start: '', def_sub_interval_start_bin: '', part_key_num: 1,
    part_key_name: 'id', part_key_type: 5, part_key_idx: 0, part_key_level: 1, part_key_extra: '', part_key_collation_type: 63,
    part_key_rowkey_idx: 0, part_key_expr: '', part_key_length: 0, part_key_precision: 20, part_key_scale: 0,
    spare1: 0, spare2: 0, spare3: 0, spare4: '', spare5: '', spare6: '', part_key_default_value: null, ...over,
  };
}

const PART_COLUMNS = ['tablet_id', 'ls_id', 'part_id', 'part_name', 'high_bound_val_bin', 'sub_part_num'];

/** Serialized one-cell range bound: count 1, ObIntType(5) cs_level 5 binary(63) scale 0, varint value. */
const intBound = (varintBytes: number[]): Buffer => Buffer.from([1, 5, 5, 63, 0, ...varintBytes]);
/** MAXVALUE: ObExtendType(25) cs_level 7 cs 0 scale 0, varint(-2) as 64-bit two's complement. */
const MAX_BOUND = Buffer.from([1, 25, 7, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);

const LEADER_ROWS = (ids: readonly number[]): Rep[] =>
  ids.flatMap((id, i) => [{ tablet: id, ip: `127.0.0.${2 + (i % 3)}`, role: 1 as const }, { tablet: id, ip: `127.0.0.${2 + ((i + 1) % 3)}`, role: 2 as const }]);

function hashTable(meta: ScriptedMeta, tablets: readonly number[]): ScriptedMeta {
  return meta
    .on(/__all_virtual_proxy_schema.*tablet_id = 0 /s, schemaRows(500100, tablets.length, [{ tablet: tablets[0]!, ip: '127.0.0.2', role: 1 }]))
    .on(/__all_virtual_proxy_partition_info/, recordSet([infoRow({ part_num: tablets.length, all_part_num: tablets.length })]))
    .on(/__all_virtual_proxy_partition A/, resultSet(PART_COLUMNS, tablets.map((t, i) => [t, 1001, i, `p${i}`, null, 0])))
    .on(/tablet_id IN/, (sql) => {
      const ids = /IN \(([^)]*)\)/.exec(sql)![1]!.split(',').map((s) => Number(s.trim()));
      return schemaRows(500100, tablets.length, LEADER_ROWS(ids));
    });
}

const fetch1 = (q: MetaQuery, prev: TableEntry | null = null, force = false): Promise<TableEntry | null> =>
  fetchTableEntry('test', 'db1', 't1', q, { force, previous: prev, now: 1234 });

describe('table entry of a non-partitioned table', () => {
  test('one §3.3 statement; replicas keyed by the reported tablet, leader first, replica types named', async () => {
    const m = new ScriptedMeta().on(/__all_virtual_proxy_schema/, schemaRows(500001, 1, [
      { tablet: 200001, ip: '127.0.0.3', role: 2, type: 16 },
      { tablet: 200001, ip: '127.0.0.2', role: 1 },
      { tablet: 200001, ip: '127.0.0.4', role: 2, type: 5 },
    ]));
    const e = await fetch1(m.query);
    assert.ok(e !== null);
    assert.equal(m.sqls.length, 1);
    assert.equal(m.sqls[0], "SELECT /*+READ_CONSISTENCY(WEAK)*/ A.*, B.svr_port as svr_port FROM oceanbase.__all_virtual_proxy_schema A"
      + ' inner join oceanbase.DBA_OB_SERVERS B ON A.svr_ip = B.svr_ip and A.sql_port = B.sql_port'
      + " WHERE A.tenant_name = 'test' AND A.database_name = 'db1' AND A.table_name = 't1' AND A.tablet_id = 0"
      + ' ORDER BY A.role ASC LIMIT 9223372036854775807');
    assert.equal(e.tableId, 500001);
    assert.equal(e.tableType, 3);
    assert.equal(e.partitioned, false);
    assert.equal(e.partNum, 1);
    assert.equal(e.partInfo, null);
    assert.equal(e.schemaVersion, 1700000000000001);
    assert.equal(e.duplicate, false);
    assert.equal(e.state, 'avail');
    assert.equal(e.fetchedAt, 1234);
    assert.deepEqual([...e.tablets.keys()], [200001]);
    assert.deepEqual(e.tablets.get(200001), [
      { server: '127.0.0.2:2881', role: 'leader', replicaType: 'FULL', dup: false },
      { server: '127.0.0.3:2881', role: 'follower', replicaType: 'READONLY', dup: false },
      { server: '127.0.0.4:2881', role: 'follower', replicaType: 'LOGONLY', dup: false },
    ]);
    const r = routeByPartition(e, parseRoute('select * from t1 where x = 1'), {});
    assert.deepEqual(r, { kind: 'leader', server: '127.0.0.2:2881', tabletId: 200001, partitionId: 200001, partName: null });
  });

  test('names are escaped and FORCE_REFRESH_LOCATION_CACHE is added on a forced refresh', async () => {
    const m = new ScriptedMeta().on(/./, EMPTY);
    assert.equal(await fetchTableEntry("te'n", 'd\\b', "it's", m.query, { force: true, previous: null, now: 0 }), null);
    assert.match(m.sqls[0]!, /^SELECT \/\*\+READ_CONSISTENCY\(WEAK\), FORCE_REFRESH_LOCATION_CACHE\*\/ A\.\*/);
    assert.ok(m.sqls[0]!.includes("A.tenant_name = 'te''n' AND A.database_name = 'd\\\\b' AND A.table_name = 'it''s'"));
  });

  test('no rows: no such table', async () => {
    assert.equal(await fetch1(new ScriptedMeta().on(/./, EMPTY).query), null);
  });

  test('a 0.0.0.0:0 row: the table exists without a location', async () => {
    const e = await fetch1(new ScriptedMeta().on(/./, schemaRows(500002, 1, [{ tablet: 0, ip: '0.0.0.0', port: 0, role: 1 }])).query);
    assert.ok(e !== null);
    assert.equal(e.tablets.size, 0);
    const r = routeByPartition(e, parseRoute('select * from t1'), {});
    assert.equal(r.kind, 'any');
  });

  test('replicated table: dup_replica_type marks the entry and its replicas', async () => {
    const e = await fetch1(new ScriptedMeta().on(/./, schemaRows(500003, 1, [
      { tablet: 200003, ip: '127.0.0.2', role: 1, dup: 1 }, { tablet: 200003, ip: '127.0.0.3', role: 2, dup: 1 },
    ])).query);
    assert.equal(e?.duplicate, true);
    assert.deepEqual(e?.tablets.get(200003)?.map((r) => r.dup), [true, true]);
  });

  test('the role may be spelled out; unknown replica type codes are kept', async () => {
    const e = await fetch1(new ScriptedMeta().on(/./, schemaRows(500004, 1, [
      { tablet: 9, ip: '10.0.0.1', role: 2, type: 99 }, { tablet: 9, ip: '10.0.0.2', role: 1 },
    ])).query);
    assert.deepEqual(e?.tablets.get(9)?.map((r) => [r.server, r.role, r.replicaType]), [['10.0.0.2:2881', 'leader', 'FULL'], ['10.0.0.1:2881', 'follower', '99']]);
    const named = resultSet(['table_id', 'tablet_id', 'svr_ip', 'sql_port', 'role', 'part_num'], [[7, 3, '10.0.0.9', 2881, 'LEADER', 1]]);
    const e2 = await fetch1(new ScriptedMeta().on(/./, named).query);
    assert.equal(e2?.tablets.get(3)?.[0]?.role, 'leader');
    assert.equal(e2?.schemaVersion, null);
  });
});

describe('metadata failures are one-line errors', () => {
  test('ERR answer', async () => {
    const m = new ScriptedMeta().on(/./, { kind: 'err', errno: 1146, sqlState: '42S02', message: "Table 'oceanbase.x'\ndoesn't exist" });
    await assert.rejects(fetch1(m.query), (e: Error) => e instanceof MetaError && !e.message.includes('\n') && /table entry: ERROR 1146 \(42S02\)/.test(e.message));
  });

  test('a thrown query error', async () => {
    const q: MetaQuery = () => Promise.reject(new Error('connect ECONNREFUSED\n127.0.0.2:2881'));
    await assert.rejects(fetch1(q), (e: Error) => e.message === 'table entry: connect ECONNREFUSED 127.0.0.2:2881');
  });

  test('an OK instead of rows, and rows without table_id', async () => {
    await assert.rejects(fetch1(async () => ({ kind: 'ok' })), /no result set/);
    await assert.rejects(fetch1(new ScriptedMeta().on(/./, resultSet(['svr_ip'], [['1.2.3.4']])).query), /table_id/);
  });

  test('location rows without tablet_id', async () => {
    const m = hashTable(new ScriptedMeta(), [1, 2]);
    m.rules.splice(3, 1, { re: /tablet_id IN/, answer: resultSet(['svr_ip', 'sql_port', 'role'], [['1.1.1.1', 1, 1]]) });
    await assert.rejects(fetch1(m.query), /tablet_id/);
  });

  test('the backend QueryResult type is a MetaResult', async () => {
    const q = async (): Promise<QueryResult> => ({ kind: 'err', errno: 4012, sqlState: 'HY000', message: 'timeout' });
    const asMeta: MetaQuery = q;
    await assert.rejects(fetch1(asMeta), /ERROR 4012/);
  });
});

describe('table entry of a partitioned table', () => {
  test('HASH: part info, first-level partitions and every tablet location, in §3.4 order', async () => {
    const tablets = [200010, 200011, 200012, 200013];
    const m = hashTable(new ScriptedMeta(), tablets);
    const e = await fetch1(m.query);
    assert.ok(e !== null);
    assert.equal(m.sqls.length, 4);
    assert.equal(m.sqls[1], "SELECT /*+READ_CONSISTENCY(WEAK)*/ * FROM oceanbase.__all_virtual_proxy_partition_info WHERE table_id = 500100 and tenant_name = 'test' order by part_key_idx LIMIT 64");
    assert.equal(m.sqls[2], 'SELECT /*+READ_CONSISTENCY(WEAK)*/ A.tablet_id as tablet_id, IFNULL((SELECT B.ls_id FROM oceanbase.__all_virtual_tablet_to_ls B'
      + ' WHERE A.tablet_id = B.tablet_id AND B.table_id = 500100 AND B.tenant_id = (SELECT tenant_id FROM oceanbase.DBA_OB_TENANTS'
      + " WHERE tenant_name = 'test' LIMIT 1) LIMIT 1), -1) as ls_id, A.part_id as part_id, A.part_name as part_name,"
      + ' A.high_bound_val_bin as high_bound_val_bin, A.sub_part_num AS sub_part_num FROM oceanbase.__all_virtual_proxy_partition A'
      + " WHERE A.table_id = 500100 AND A.tenant_name = 'test' LIMIT 9223372036854775807");
    assert.ok(m.sqls[3]!.endsWith('AND A.tablet_id IN (200010, 200011, 200012, 200013) ORDER BY A.tablet_id, A.role ASC LIMIT 9223372036854775807'));
    assert.equal(e.partitioned, true);
    assert.equal(e.partNum, 4);
    assert.equal(e.partInfo?.first.funcType, 'HASH');
    assert.deepEqual(e.partInfo?.partitions.map((p) => p.tabletId), tablets);
    assert.deepEqual([...e.tablets.keys()], tablets);
    // LEADER_ROWS puts the i-th tablet's leader on 127.0.0.(2 + i % 3)
    assert.equal(e.tablets.get(200012)?.[0]?.server, '127.0.0.4:2881');
    // MySQL HASH: |7| mod 4 = 3 -> p3 (tablet 200013, leader 127.0.0.2)
    assert.deepEqual(routeByPartition(e, parseRoute('select * from t1 where id = 7'), {}),
      { kind: 'leader', server: '127.0.0.2:2881', tabletId: 200013, partitionId: 200013, partName: 'p3' });
  });

  test(`locations are read in batches of ${LOCATION_BATCH} tablet ids`, async () => {
    const tablets = Array.from({ length: 450 }, (_, i) => 300000 + i);
    const m = hashTable(new ScriptedMeta(), tablets);
    const e = await fetch1(m.query);
    const batches = m.sqls.filter((s) => s.includes('tablet_id IN'));
    assert.deepEqual(batches.map((s) => /IN \(([^)]*)\)/.exec(s)![1]!.split(',').length), [200, 200, 50]);
    assert.equal(e?.tablets.size, 450);
  });

  test('RANGE with binary high bounds', async () => {
    const m = new ScriptedMeta()
      .on(/tablet_id = 0 /, schemaRows(500030, 3, [{ tablet: 200030, ip: '127.0.0.2', role: 1 }]))
      .on(/partition_info/, recordSet([infoRow({ table_id: 500030, part_type: 3, part_num: 3, all_part_num: 3 })]))
      .on(/__all_virtual_proxy_partition A/, resultSet(PART_COLUMNS, [
        // deliberately not in bound order: the partition module orders range partitions by bound
        [200032, 1001, 3, 'p2', MAX_BOUND, 0],
        [200030, 1001, 1, 'p0', intBound([0x64]), 0], // 100
        [200031, 1001, 2, 'p1', intBound([0xc8, 0x01]), 0], // 200
      ]))
      .on(/tablet_id IN/, schemaRows(500030, 3, LEADER_ROWS([200030, 200031, 200032])));
    const e = await fetch1(m.query);
    assert.ok(e !== null && e.partInfo !== null, e?.partInfoError ?? 'no entry');
    const at = (sql: string): unknown => {
      const r = routeByPartition(e, parseRoute(sql), {});
      return r.kind === 'leader' ? r.partName : r.reason;
    };
    assert.equal(at('select * from t1 where id = 99'), 'p0');
    assert.equal(at('select * from t1 where id = 100'), 'p1');
    assert.equal(at('select * from t1 where id = 199'), 'p1');
    assert.equal(at('select * from t1 where id = 200'), 'p2');
    assert.equal(at('select * from t1 where id = -5'), 'p0');
  });

  test('two-level tables also read the sub-partitions', async () => {
    const m = new ScriptedMeta()
      .on(/tablet_id = 0 /, schemaRows(500060, 4, [{ tablet: 0, ip: '0.0.0.0', port: 0, role: 1 }]))
      .on(/partition_info/, recordSet([
        infoRow({ table_id: 500060, part_level: 2, part_type: 0, part_num: 2, all_part_num: 4, sub_part_type: 0, sub_part_expr: 'b', part_expr: 'a', part_key_name: 'a', part_key_num: 2 }),
        infoRow({ table_id: 500060, part_level: 2, part_type: 0, part_num: 2, all_part_num: 4, sub_part_type: 0, sub_part_expr: 'b', part_expr: 'a', part_key_name: 'b', part_key_idx: 1, part_key_level: 2, part_key_num: 2 }),
      ]))
      .on(/__all_virtual_proxy_sub_partition/, resultSet(['tablet_id', 'ls_id', 'part_id', 'sub_part_id', 'part_name', 'high_bound_val_bin'], [
        [201, 1, 1, 11, 'p0sp0', null], [202, 1, 1, 12, 'p0sp1', null], [203, 1, 2, 13, 'p1sp0', null], [204, 1, 2, 14, 'p1sp1', null],
      ]))
      .on(/__all_virtual_proxy_partition A/, resultSet(PART_COLUMNS, [[0, -1, 1, 'p0', null, 2], [0, -1, 2, 'p1', null, 2]]))
      .on(/tablet_id IN \(201, 202, 203, 204\)/, schemaRows(500060, 4, LEADER_ROWS([201, 202, 203, 204])));
    const e = await fetch1(m.query);
    assert.equal(m.sqls.filter((s) => s.includes('__all_virtual_proxy_sub_partition A')).length, 1);
    assert.ok(e?.partInfo !== null && e !== null);
    assert.deepEqual([...e.tablets.keys()], [201, 202, 203, 204]);
    // HASH(a) over 2, then HASH(b) over 2: a=3 -> p1, b=4 -> sp0
    const r = routeByPartition(e, parseRoute('select * from t1 where a = 3 and b = 4'), {});
    assert.equal(r.kind === 'leader' ? r.partName : r.reason, 'p1sp0');
  });

  test('partitioned table without part info rows: entry without partInfo, routes to any server', async () => {
    const m = new ScriptedMeta()
      .on(/tablet_id = 0 /, schemaRows(500100, 4, [{ tablet: 200010, ip: '127.0.0.2', role: 1 }]))
      .on(/partition_info/, resultSet(['table_id'], []));
    const e = await fetch1(m.query);
    assert.equal(m.sqls.length, 2);
    assert.equal(e?.partInfo, null);
    assert.equal(e?.partInfoError, 'partition information does not exist');
    const r = routeByPartition(e!, parseRoute('select * from t1 where id = 1'), {});
    assert.deepEqual(r, { kind: 'any', reason: 'partition information unavailable: partition information does not exist' });
  });

  test('unparseable partition metadata is kept as the entry error', async () => {
    const m = new ScriptedMeta()
      .on(/tablet_id = 0 /, schemaRows(500100, 4, [{ tablet: 200010, ip: '127.0.0.2', role: 1 }]))
      .on(/partition_info/, recordSet([infoRow({ part_type: 42 })]))
      .on(/__all_virtual_proxy_partition A/, resultSet(PART_COLUMNS, [[1, 1, 1, 'p0', null, 0]]));
    const e = await fetch1(m.query);
    assert.match(e?.partInfoError ?? '', /unknown part_type 42/);
    assert.equal(e?.tablets.size, 0);
  });

  test('a refetch with the same schema version reuses the partition description', async () => {
    const tablets = [200010, 200011, 200012, 200013];
    const first = await fetch1(hashTable(new ScriptedMeta(), tablets).query);
    const again = hashTable(new ScriptedMeta(), tablets);
    const e = await fetch1(again.query, first, true);
    assert.equal(again.sqls.length, 2);
    assert.ok(again.sqls.every((s) => s.includes('FORCE_REFRESH_LOCATION_CACHE')));
    assert.equal(e?.partInfo, first?.partInfo);
    // a new schema version: read again
    const changed = hashTable(new ScriptedMeta(), tablets);
    changed.rules[0] = { re: /tablet_id = 0 /, answer: schemaRows(500100, 4, [{ tablet: 200010, ip: '127.0.0.2', role: 1 }], 1700000000000002) };
    const e2 = await fetch1(changed.query, first, false);
    assert.equal(changed.sqls.length, 4);
    assert.notEqual(e2?.partInfo, first?.partInfo);
    assert.equal(e2?.schemaVersion, 1700000000000002);
  });

  test('text cells are read as UTF-8 (binary bounds as latin1: see the RANGE case)', async () => {
    const m = hashTable(new ScriptedMeta(), [1, 2]);
    m.rules[2] = { re: /__all_virtual_proxy_partition A/, answer: resultSet(PART_COLUMNS, [[1, 1, 0, 'p_é', null, 0], [2, 1, 1, 'p_東', null, 0]]) };
    const e = await fetch1(m.query);
    assert.deepEqual(e?.partInfo?.partitions.map((p) => p.name), ['p_é', 'p_東']);
    const r = routeByPartition(e!, parseRoute('select * from t1 partition (p_東)'), {});
    assert.equal(r.kind === 'leader' ? r.tabletId : r.reason, 2);
  });
});
