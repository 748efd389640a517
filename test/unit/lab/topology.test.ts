// Topology validation and mutation: the default topology is valid; each kind of broken description is
// reported; move-leader changes exactly one tablet and refuses servers without a unit of the tenant.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { B } from '../../../lab/observer/bounds.js';
import { defaultTopology } from '../../../lab/observer/default-topology.js';
import { findTable, moveLeader, resolveTableRef, tabletsOf, type PartDef, type TableDef, type Topology } from '../../../lab/observer/topology.js';
import { validateTopology } from '../../../lab/observer/validate.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function table(t: Topology, name: string): TableDef {
  const x = findTable(t, 'test', 'lab_db', name);
  assert.ok(x, name);
  return x;
}

/** A copy of the default topology with one table replaced. */
function withTable(name: string, change: (t: TableDef) => TableDef): Topology {
  const t = defaultTopology();
  return { ...t, tables: t.tables.map((x) => (x.name === name ? change(x) : x)) };
}

function expectError(t: Topology, pattern: RegExp): void {
  const errs = validateTopology(t);
  assert.ok(errs.some((e) => pattern.test(e)), `expected ${pattern} in ${JSON.stringify(errs)}`);
}

describe('topology validation', () => {
  test('the default topology is valid and covers every partition kind', () => {
    const t = defaultTopology();
    assert.deepEqual(validateTopology(t), []);
    const kinds = new Set(t.tables.map((x) => `${x.level1?.type ?? 'NONE'}/${x.level2?.type ?? '-'}`));
    for (const k of ['NONE/-', 'HASH/-', 'KEY/-', 'RANGE/-', 'RANGE_COLUMNS/-', 'LIST/-', 'RANGE/KEY']) assert.ok(kinds.has(k), k);
    assert.deepEqual(t.servers.map((s) => s.ip), ['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    assert.equal(new Set(t.servers.map((s) => s.zone)).size, 3, 'one zone per server');
  });

  test('references that do not resolve', () => {
    const t = defaultTopology();
    expectError({ ...t, servers: t.servers.map((s, i) => (i === 0 ? { ...s, zone: 'zone9' } : s)) }, /obs1: unknown zone zone9/);
    expectError({ ...t, tenants: t.tenants.map((x) => (x.name === 'test' ? { ...x, servers: ['obs1', 'obs7'] } : x)) }, /tenant test: unknown server obs7/);
    expectError({ ...t, tenants: t.tenants.filter((x) => x.name !== 'sys') }, /no sys tenant/);
    expectError(withTable('t_hash', (x) => ({ ...x, database: 'elsewhere' })), /t_hash: database not in tenant test/);
    expectError(withTable('t_hash', (x) => ({ ...x, level1: { type: 'HASH', expr: 'nope', keys: ['nope'] } })), /t_hash: unknown column nope/);
  });

  test('addresses must be loopback and unique', () => {
    const t = defaultTopology();
    expectError({ ...t, servers: t.servers.map((s, i) => (i === 1 ? { ...s, ip: '10.0.0.3' } : s)) }, /10\.0\.0\.3 is not a loopback address/);
    expectError({ ...t, servers: t.servers.map((s, i) => (i === 1 ? { ...s, ip: '127.0.0.2' } : s)) }, /address 127\.0\.0\.2:2881 used twice/);
  });

  test('ids are unique; leaders hold a unit of the tenant', () => {
    expectError(withTable('t_range', (x) => ({ ...x, id: 500010 })), /table id 500010 used twice/);
    expectError(withTable('t_range', (x) => ({ ...x, parts: x.parts.map((p, i) => (i === 0 ? { ...p, tabletId: 200010 } : p)) })), /tablet id 200010 used twice/);
    const t = defaultTopology();
    const solo: TableDef = { ...table(t, 't_plain'), tenant: 'solo', database: 'lab_solo', id: 600001, parts: [{ name: 'p0', id: 600002, tabletId: 300001, leader: 'obs2' }] };
    expectError({ ...t, tables: [...t.tables, solo] }, /leader obs2 of p0 holds no unit of solo/);
  });

  test('partition metadata the proxy cannot parse is rejected', () => {
    // a RANGE bound that is a string cannot be cast to the integer partition expression
    expectError(withTable('t_range', (x) => ({ ...x, parts: x.parts.map((p, i) => (i === 0 ? { ...p, high: [B.str('abc')] } : p)) })), /t_range: the proxy cannot parse/);
    expectError(withTable('t_sub', (x) => ({ ...x, level2: null })), /sub-partitions need level2/);
    expectError(withTable('t_plain', (x) => ({ ...x, parts: [...x.parts, { name: 'p1', id: 1, tabletId: 299999, leader: 'obs1' }] })), /exactly one tablet/);
  });
});

describe('move-leader', () => {
  test('moves one tablet and leaves the others', () => {
    const t = defaultTopology();
    const before = tabletsOf(table(t, 't_hash')).map((p) => p.leader);
    assert.equal(moveLeader(t, 'test.lab_db.t_hash', 'p1', 'obs3'), null);
    const after = tabletsOf(table(t, 't_hash')).map((p) => p.leader);
    assert.deepEqual(after, before.map((l, i) => (i === 1 ? 'obs3' : l)));
    assert.equal(moveLeader(t, 'lab_db.t_sub', 'p1sp2', '127.0.0.2'), null, 'sub-partition by name, server by IP');
    assert.equal(tabletsOf(table(t, 't_sub')).find((p: PartDef) => p.name === 'p1sp2')?.leader, 'obs1');
    assert.equal(moveLeader(t, 't_plain', 'anything', 'obs3'), null, 'a non-partitioned table has one tablet');
    assert.equal(tabletsOf(table(t, 't_plain'))[0]?.leader, 'obs3');
  });

  test('refuses unknown tables, partitions, servers and servers without a unit', () => {
    const t = defaultTopology();
    assert.match(moveLeader(t, 't_nope', 'p0', 'obs1') ?? '', /no table 't_nope'/);
    assert.match(moveLeader(t, 't_hash', 'p9', 'obs1') ?? '', /no tablet 'p9'.*p0, p1, p2, p3/);
    assert.match(moveLeader(t, 't_hash', 'p0', 'obs9') ?? '', /no server 'obs9'/);
    const solo = t.tenants.find((x) => x.name === 'test') as Mutable<Topology['tenants'][number]>;
    solo.servers = ['obs1', 'obs2'];
    assert.match(moveLeader(t, 't_hash', 'p0', 'obs3') ?? '', /holds no unit of tenant test/);
  });

  test('table references: tenant.db.table, db.table, table', () => {
    const t = defaultTopology();
    for (const ref of ['test.lab_db.t_list', 'lab_db.t_list', 'T_LIST']) {
      const x = resolveTableRef(t, ref);
      assert.ok(typeof x !== 'string' && x.id === 500050, ref);
    }
  });
});
