// routeByPartition over the lab's default topology (every partition type), entries fetched with the real
// §3.3/§3.4 SQL from the lab's metadata emulation (no sockets). Oracles: the real kernel's placements
// (test/fixtures/partition/vectors t_key_int for t_key, t2_range_key_tpl for t_sub), the MySQL rules
// worked by hand for HASH/RANGE/LIST, and the topology's leaders.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { defaultTopology, LAB_DB } from '../../../lab/observer/default-topology.js';
import { findServer, findTable, moveLeader, tabletsOf, type Topology } from '../../../lab/observer/topology.js';
import { fetchTableEntry, type TableEntry } from '../../../src/route/location/index.js';
import { parsePartitionInfo } from '../../../src/route/partition/index.js';
import { routeByPartition, type RouteParams, type RouteResult } from '../../../src/route/router.js';
import { parseRoute } from '../../../src/route/sql/index.js';
import { kernelCases, labMeta, sqlLiteral } from './helpers.js';

let topo: Topology;
const entries = new Map<string, TableEntry>();

async function load(t: Topology, name: string): Promise<TableEntry> {
  const e = await fetchTableEntry('test', LAB_DB, name, labMeta(t), { force: false, previous: null, now: 0 });
  assert.ok(e !== null, `no entry for ${name}`);
  return e;
}

before(async () => {
  topo = defaultTopology();
  for (const t of topo.tables) entries.set(t.name, await load(topo, t.name));
});

const entry = (name: string): TableEntry => entries.get(name)!;

/** 'ip:port' of the leader the topology gives partition `part` of `table`. */
function leaderOf(table: string, part: string): string {
  const def = findTable(topo, 'test', LAB_DB, table)!;
  const p = def.level1 === null ? tabletsOf(def)[0]! : tabletsOf(def).find((x) => x.name === part)!;
  const s = findServer(topo, p.leader)!;
  return `${s.ip}:${s.sqlPort}`;
}

function route(table: string, sql: string, params: RouteParams = {}): RouteResult {
  return routeByPartition(entry(table), parseRoute(sql), params);
}

function assertLeader(table: string, sql: string, part: string, params: RouteParams = {}): void {
  const r = route(table, sql, params);
  assert.equal(r.kind, 'leader', `${sql}: ${r.kind === 'any' ? r.reason : ''}`);
  assert.equal(r.kind === 'leader' ? r.partName : null, table === 't_plain' ? null : part, sql);
  assert.equal(r.kind === 'leader' ? r.server : null, leaderOf(table, part), sql);
}

/** An integer as COM_STMT_EXECUTE decodes it (src/protocol/binary-value.ts): number when safe, else bigint. */
const execInt = (text: string): number | bigint => (Number.isSafeInteger(Number(text)) ? Number(text) : BigInt(text));

/** Every statement form for one key assignment: SELECT, INSERT, UPDATE, DELETE, IN, prepared, user var. */
function assertAllForms(table: string, keys: Readonly<Record<string, string | null>>, part: string, quoted: ReadonlySet<string> = new Set()): void {
  const names = Object.keys(keys);
  const lit = (k: string): string => sqlLiteral(keys[k] ?? null, quoted.has(k));
  const where = names.map((k) => (keys[k] === null ? `${k} IS NULL` : `${k} = ${lit(k)}`)).join(' AND ');
  assertLeader(table, `SELECT * FROM ${table} WHERE ${where}`, part);
  const extra = names.includes('id') ? [] : ['id'];
  assertLeader(table, `INSERT INTO ${LAB_DB}.${table} (${[...extra, ...names, 'v'].join(', ')}) VALUES (${[...extra.map(() => '1'), ...names.map(lit), "'x'"].join(', ')})`, part);
  assertLeader(table, `UPDATE ${table} SET v = 'y' WHERE ${where}`, part);
  assertLeader(table, `DELETE FROM \`${table}\` WHERE ${where} LIMIT 1`, part);
  if (names.every((k) => keys[k] !== null)) {
    assertLeader(table, `SELECT v FROM ${table} t WHERE ${names.map((k) => `t.${k} IN (${lit(k)}, 99)`).join(' AND ')}`, part);
    const placeholders = names.map((k) => (quoted.has(k) ? Buffer.from(keys[k]!, 'utf8') : execInt(keys[k]!)));
    assertLeader(table, `SELECT * FROM ${table} WHERE ${names.map((k) => `${k} = ?`).join(' AND ')}`, part, { placeholders });
    const userVars = new Map(names.map((k) => [`k_${k}`, keys[k]!]));
    assertLeader(table, `SELECT * FROM ${table} WHERE ${names.map((k) => `${k} = @k_${k}`).join(' AND ')}`, part, { userVars });
  }
}

describe('every partition type of the lab topology routes to the leader of the computed tablet', () => {
  test('non-partitioned t_plain: its one tablet, whatever the statement', () => {
    for (const sql of ['SELECT * FROM t_plain', 'SELECT * FROM t_plain WHERE id = 5', "INSERT INTO t_plain (id, v) VALUES (9, 'a')", 'DELETE FROM t_plain']) {
      assertLeader('t_plain', sql, 'p0');
    }
    const r = route('t_plain', 'SELECT 1 FROM t_plain');
    assert.equal(r.kind === 'leader' ? r.tabletId : -1, tabletsOf(findTable(topo, 'test', LAB_DB, 't_plain')!)[0]!.tabletId);
  });

  test('HASH t_hash: |id| mod 4 (MySQL HASH; INT64_MIN folds to INT64_MAX)', () => {
    const cases: [string, number][] = [['0', 0], ['1', 1], ['7', 3], ['-6', 2], ['1000001', 1], ['9223372036854775807', 3], ['-9223372036854775808', 3]];
    for (const [id, idx] of cases) assertAllForms('t_hash', { id }, `p${idx}`);
    assertLeader('t_hash', 'SELECT * FROM t_hash WHERE id IS NULL', 'p0');
    assertLeader('t_hash', 'SELECT * FROM t_hash WHERE id = 0x10', 'p0');
    assertLeader('t_hash', "SELECT * FROM t_hash WHERE id = '13'", 'p1');
    assertLeader('t_hash', 'SELECT * FROM t_hash WHERE id = 40 + 2 * 3', 'p2');
    assertLeader('t_hash', 'SELECT * FROM t_hash WHERE id = -(5) + abs(-2)', 'p3');
    assertLeader('t_hash', 'SELECT * FROM t_hash WHERE id = ? + 1', 'p3', { placeholders: [2] });
    assertLeader('t_hash', 'SELECT * FROM t_hash WHERE id BETWEEN 5 AND 5', 'p1');
    assertLeader('t_hash', 'INSERT INTO t_hash SET id = 6, v = "a"', 'p2');
    assertLeader('t_hash', "REPLACE INTO t_hash (v, id) VALUES ('b', 11)", 'p3');
    assertLeader('t_hash', 'UPDATE t_hash SET id = 5 WHERE v > 3', 'p1');
    assertLeader('t_hash', 'SELECT * FROM t_hash WHERE id = ?', 'p1', { placeholders: [9n] });
    assertLeader('t_hash', 'SELECT * FROM t_hash WHERE id = ?', 'p2', { placeholders: ['10'] });
    assertLeader('t_hash', 'SELECT * FROM t_hash WHERE id = ?', 'p0', { placeholders: [null] });
    assertLeader('t_hash', 'SELECT * FROM t_hash PARTITION (p2)', 'p2');
    assertLeader('t_hash', 'EXPLAIN ROUTE SELECT * FROM t_hash WHERE id = 3', 'p3');
  });

  test('KEY t_key: the kernel placements of t_key_int (MurmurHash64A, 7 partitions)', () => {
    const cases = kernelCases('t_key_int');
    assert.ok(cases.length > 50);
    for (const c of cases) assertAllForms('t_key', { k: c.values['c1'] ?? null }, `p${c.partIdx}`);
  });

  test('RANGE t_range: first bound above the key (100, 200, MAXVALUE)', () => {
    const cases: [string, string][] = [['-5', 'p0'], ['0', 'p0'], ['99', 'p0'], ['100', 'p1'], ['199', 'p1'], ['200', 'p2'], ['9223372036854775807', 'p2']];
    for (const [id, part] of cases) assertAllForms('t_range', { id }, part);
  });

  test("RANGE COLUMNS t_range_cols on a utf8mb4_bin name ('h', 'p', MAXVALUE)", () => {
    const cases: [string, string][] = [['', 'p0'], ['abc', 'p0'], ['gzz', 'p0'], ['h', 'p1'], ['H', 'p0'], ['hello', 'p1'], ['p', 'p2'], ['zebra', 'p2'], ['中', 'p2']];
    for (const [name, part] of cases) assertAllForms('t_range_cols', { name }, part, new Set(['name']));
  });

  test('LIST t_list with a DEFAULT partition', () => {
    const cases: [string, string][] = [['1', 'p_east'], ['3', 'p_east'], ['4', 'p_west'], ['6', 'p_west'], ['0', 'p_other'], ['7', 'p_other'], ['-1', 'p_other']];
    for (const [region, part] of cases) assertAllForms('t_list', { region }, part);
  });

  test('RANGE + KEY t_sub: the kernel placements of t2_range_key_tpl (two levels)', () => {
    const cases = kernelCases('t2_range_key_tpl').filter((c) => c.values['a'] !== null);
    assert.ok(cases.length > 50);
    for (const c of cases) {
      assertAllForms('t_sub', { a: c.values['a']!, c: c.values['c'] ?? null }, `p${c.partIdx}sp${c.subPartIdx ?? -1}`, new Set(['c']));
    }
  });

  test('a leader move is seen by a refetch', async () => {
    const t = defaultTopology();
    const before = await load(t, 't_hash');
    const p1 = (e: TableEntry): RouteResult => routeByPartition(e, parseRoute('SELECT * FROM t_hash WHERE id = 5'), {});
    const oldLeader = p1(before);
    assert.equal(moveLeader(t, 't_hash', 'p1', 'obs3'), null);
    assert.deepEqual(p1(before), oldLeader, 'the cached entry is a snapshot');
    const after = await load(t, 't_hash');
    const s = findServer(t, 'obs3')!;
    assert.equal(p1(after).kind === 'leader' ? (p1(after) as { server: string }).server : '', `${s.ip}:${s.sqlPort}`);
  });
});

describe('fallbacks to any server of the tenant, with the reason', () => {
  const reason = (table: string, sql: string, params: RouteParams = {}): string => {
    const r = route(table, sql, params);
    assert.equal(r.kind, 'any', `${sql} routed to ${r.kind === 'leader' ? r.server : ''}`);
    return r.kind === 'any' ? r.reason : '';
  };

  test('no key in the statement', () => {
    assert.equal(reason('t_hash', "SELECT * FROM t_hash WHERE v = 'x'"), 'no value for partition key column id');
    assert.equal(reason('t_hash', 'SELECT * FROM t_hash'), 'no value for partition key column id (no key condition in WHERE)');
    assert.equal(reason('t_hash', 'SELECT * FROM t_hash WHERE id = 1 OR id = 2'), 'no value for partition key column id (OR in condition)');
    assert.equal(reason('t_sub', "SELECT * FROM t_sub WHERE a = 5"), 'no value for partition key column c');
  });

  test('a condition on an unknown column', () => {
    assert.equal(reason('t_hash', 'SELECT * FROM t_hash WHERE nokey = 5'), 'no value for partition key column id');
  });

  test('only range conditions on the key', () => {
    assert.equal(reason('t_range', 'SELECT * FROM t_range WHERE id > 5'), 'only a range condition (>) on partition key id');
    assert.equal(reason('t_range', 'SELECT * FROM t_range WHERE id BETWEEN 1 AND 9'), 'only a range condition (BETWEEN) on partition key id');
    assert.equal(reason('t_range', 'SELECT * FROM t_range WHERE id != 5'), 'only a range condition (!=) on partition key id');
  });

  test('key expressions the proxy cannot compute', () => {
    assert.equal(reason('t_hash', 'SELECT * FROM t_hash WHERE id = foo(3)'), 'function foo() is not computable');
    assert.equal(reason('t_hash', 'INSERT INTO t_hash (id, v) VALUES ((SELECT 1), 2)'), "expression '(SELECT 1)' is not computable");
    assert.equal(reason('t_hash', 'SELECT * FROM t_hash WHERE id = @@auto_increment_offset'), 'system variable @@auto_increment_offset is not resolvable');
    assert.equal(reason('t_hash', 'INSERT INTO t_hash (id, v) VALUES (DEFAULT, 2)'), 'DEFAULT is not a value the proxy knows');
    assert.match(reason('t_hash', "SELECT * FROM t_hash WHERE id = abs('x')"), /^abs\(\): /);
  });

  test('placeholders and user variables without values', () => {
    assert.equal(reason('t_hash', 'SELECT * FROM t_hash WHERE id = ?'), 'placeholder ?0 has no parameter values (not executed yet)');
    assert.equal(reason('t_hash', 'SELECT * FROM t_hash WHERE v = ? AND id = ?', { placeholders: ['a'] }), 'placeholder ?1 has no parameter value');
    assert.equal(reason('t_hash', 'SELECT * FROM t_hash WHERE id = @nope', { userVars: new Map([['other', '1']]) }), 'user variable @nope is not known to the proxy');
  });

  test('multi-table statements: only keys of the first table, qualified when ambiguous', () => {
    assert.equal(reason('t_hash', 'SELECT * FROM t_hash a JOIN t_key b ON a.id = b.k WHERE id = 3'), 'column id is not qualified in a multi-table statement');
    assert.equal(reason('t_hash', 'SELECT * FROM t_hash a JOIN t_key b ON a.v = b.v WHERE b.id = 3'), 'no value for partition key column id');
    assertLeader('t_hash', 'SELECT * FROM t_hash a JOIN t_key b ON a.id = b.k WHERE a.id = 3', 'p3');
    assert.match(reason('t_key', 'SELECT * FROM t_hash a JOIN t_key b ON a.id = b.k WHERE b.k = 3'), /the entry is for lab_db\.t_key, the statement's first table is t_hash/);
  });

  test('values that do not cast to the column, or fall outside every partition', () => {
    assert.match(reason('t_hash', "SELECT * FROM t_hash WHERE id = 'abc'"), /^partition calculation: column id: 'abc' is not an integer/);
    assert.match(reason('t_key', 'SELECT * FROM t_key WHERE k = 2147483648'), /^partition calculation: .*out of range/);
    assert.match(reason('t_range_cols', `SELECT * FROM t_range_cols WHERE name = '${'x'.repeat(33)}'`), /too long/);
  });

  test('INSERT without a column list', () => {
    assert.equal(reason('t_hash', "INSERT INTO t_hash VALUES (1, 'a')"), 'INSERT without a column list: key positions are unknown');
  });

  test('statements not routed by partition, dblinks, other tables', () => {
    assert.equal(reason('t_hash', 'SHOW CREATE TABLE t_hash'), 'SHOW statements are not routed by partition');
    assert.equal(reason('t_hash', 'SELECT * FROM t_hash@remote WHERE id = 1'), 'table t_hash@remote is behind a dblink');
    assert.match(reason('t_hash', 'SELECT * FROM other_db.t_hash WHERE id = 1'), /the entry is for lab_db\.t_hash/);
    assert.equal(reason('t_hash', 'SELECT 1'), 'the statement names no table');
  });

  test('entries without partition information, location or leader', () => {
    const e = entry('t_hash');
    assert.equal(routeByPartition({ ...e, partInfo: null, partInfoError: 'partition information does not exist' }, parseRoute('SELECT * FROM t_hash WHERE id = 1'), {}).kind, 'any');
    const noLeader = new Map([...e.tablets].map(([id, reps]) => [id, reps.map((r) => ({ ...r, role: 'follower' as const }))]));
    assert.deepEqual(routeByPartition({ ...e, tablets: noLeader }, parseRoute('SELECT * FROM t_hash WHERE id = 1'), {}),
      { kind: 'any', reason: `tablet ${e.partInfo!.partitions[1]!.tabletId} has no leader in the cached entry` });
    assert.match((routeByPartition({ ...e, tablets: new Map() }, parseRoute('SELECT * FROM t_hash WHERE id = 1'), {}) as { reason: string }).reason, /has no location/);
    const plain = entry('t_plain');
    assert.deepEqual(routeByPartition({ ...plain, tablets: new Map() }, parseRoute('SELECT * FROM t_plain'), {}), { kind: 'any', reason: 'the table has no location (0.0.0.0:0)' });
  });
});

describe('hand-built partition descriptions', () => {
  /** HASH over a generated key column g (part_key_extra 'id div 10'), 4 partitions, tablets 11..14. */
  function generatedEntry(): TableEntry {
    const info = parsePartitionInfo({
      partitionInfo: [{
        table_id: '9', part_level: '1', part_type: '0', part_num: '4', part_expr: 'g', part_key_name: 'g', part_key_type: '5',
        part_key_idx: '0', part_key_level: '1', part_key_extra: 'id div 10', part_key_collation_type: '63',
      }],
      partitions: [0, 1, 2, 3].map((i) => ({ part_id: String(i), part_name: `p${i}`, tablet_id: String(11 + i) })),
    });
    assert.ok(info.ok, info.ok ? '' : info.reason);
    const tablets = new Map([11, 12, 13, 14].map((t) => [t, [{ server: `10.0.0.${t}:2881`, role: 'leader' as const, replicaType: 'FULL', dup: false }]]));
    return {
      tenant: 'test', db: 'd', table: 'g', tableId: 9, tableType: 3, partitioned: true, partNum: 4, duplicate: false,
      partInfo: info.info, partInfoError: null, tablets, state: 'avail', fetchedAt: 0, schemaVersion: 1,
    };
  }

  test('a generated-column key is computed from its base column (57 div 10 = 5 -> p1)', () => {
    const r = routeByPartition(generatedEntry(), parseRoute("INSERT INTO g (id, v) VALUES (57, 'x')"), {});
    assert.deepEqual(r, { kind: 'leader', server: '10.0.0.12:2881', tabletId: 12, partitionId: 12, partName: 'p1' });
    const direct = routeByPartition(generatedEntry(), parseRoute('SELECT * FROM g WHERE g = 7'), {});
    assert.equal(direct.kind === 'leader' ? direct.partName : '', 'p3');
    const none = routeByPartition(generatedEntry(), parseRoute('SELECT * FROM g WHERE id = ?'), {});
    assert.deepEqual(none, { kind: 'any', reason: 'placeholder ?0 has no parameter values (not executed yet)' });
  });

  test('replicated tables: writes and strong reads go to the leader', () => {
    const e = generatedEntry();
    const dup = new Map([...e.tablets].map(([id]) => [id, [
      { server: '10.0.0.1:2881', role: 'follower' as const, replicaType: 'FULL', dup: true },
      { server: `10.0.0.${id}:2881`, role: 'leader' as const, replicaType: 'FULL', dup: true },
    ]]));
    const d: TableEntry = { ...e, duplicate: true, tablets: dup };
    for (const sql of ['SELECT * FROM g WHERE g = 0', 'UPDATE g SET v = 1 WHERE g = 0', "INSERT INTO g (g, v) VALUES (0, 'a')"]) {
      const r = routeByPartition(d, parseRoute(sql), {});
      assert.equal(r.kind === 'leader' ? r.server : '', '10.0.0.11:2881', sql);
    }
  });
});
