// Location cache + partition router against the lab's observer emulators (real sockets, real MariaDB behind):
// the §3.3/§3.4 metadata is read as proxyro@sys#lab_cluster over mysql2, every lab_db table of tenant test is
// cached, and statements are sent to the server routeByPartition picks. Oracles: the topology's leaders and
// the emulator's own partition-hit verdict (ob_proxy_partition_hit in the OK packet, the executed log).
// A leader move is followed through partition-miss feedback -> invalidate -> refetch.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { startLabCluster, type LabCluster } from '../../lab/observer/cluster.js';
import { LAB_DB } from '../../lab/observer/default-topology.js';
import type { ExecutedEntry } from '../../lab/observer/state.js';
import { findServer, tabletsOf, type TableDef } from '../../lab/observer/topology.js';
import { Logger, LogLevel } from '../../src/observe/log.js';
import { LocationCache, type MetaQuery, type MetaResult, type TableEntry } from '../../src/route/location/index.js';
import { routeByPartition, type RouteParams, type RouteTarget } from '../../src/route/router.js';
import { parseRoute } from '../../src/route/sql/index.js';
import { backendA } from './harness.js';

const ID_BASE = 7_700_000;
let lab: LabCluster;
let meta: mysql.Connection;
const clients = new Map<string, mysql.Connection>();
const logs: string[] = [];
let cache: LocationCache;
let nextId = ID_BASE;

/** proxyro's metadata path: raw cell bytes (binary bounds must not be decoded as text). */
const metaQuery: MetaQuery = async (sql) => {
  try {
    const [rows, fields] = await meta.query<mysql.RowDataPacket[]>({ sql, rowsAsArray: true });
    return {
      kind: 'rows',
      columns: fields.map((f) => ({ name: f.name })),
      rows: (rows as unknown as (Buffer | null)[][]),
    } satisfies MetaResult;
  } catch (e) {
    const err = e as { errno?: number; sqlState?: string; message: string };
    if (err.errno === undefined) throw e;
    return { kind: 'err', errno: err.errno, sqlState: err.sqlState ?? 'HY000', message: err.message };
  }
};

const labTables = (): TableDef[] => lab.topology.tables.filter((t) => t.tenant === 'test' && t.database === LAB_DB);

function addrOf(serverName: string): string {
  const s = findServer(lab.topology, serverName)!;
  return `${s.ip}:${s.sqlPort}`;
}

function serverNameOf(addr: string): string {
  const s = findServer(lab.topology, addr);
  assert.ok(s !== undefined, `no lab server at ${addr}`);
  return s.name;
}

/** The topology's leader address of the tablet `tabletId` of `table`. */
function topologyLeader(table: string, tabletId: number): string {
  const def = labTables().find((t) => t.name === table)!;
  const part = tabletsOf(def).find((p) => p.tabletId === tabletId);
  assert.ok(part !== undefined, `${table} has no tablet ${tabletId}`);
  return addrOf(part.leader);
}

async function entryOf(table: string): Promise<TableEntry> {
  const e = cache.get('test', LAB_DB, table) ?? (await cache.fetch('test', LAB_DB, table, metaQuery));
  assert.ok(e !== null, `no entry for ${table}`);
  return e;
}

async function leaderRoute(table: string, sql: string, params: RouteParams = {}): Promise<RouteTarget> {
  const r = routeByPartition(await entryOf(table), parseRoute(sql), params);
  assert.equal(r.kind, 'leader', `${sql}: ${r.kind === 'any' ? r.reason : ''}`);
  return r as RouteTarget;
}

const lastOn = (server: string): ExecutedEntry | undefined => lab.executedLog(server).at(-1);

/** Runs `sql` on `addr`; returns the emulator's log entry and (for OK answers) the hit it reported. */
type Param = string | number | null;

async function runOn(addr: string, sql: string, params?: Param[]): Promise<{ entry: ExecutedEntry; okHit: string | undefined }> {
  const c = clients.get(serverNameOf(addr))!;
  const [res] = params === undefined ? await c.query(sql) : await c.execute(sql, params);
  const header = res as unknown as { stateChanges?: { systemVariables?: Record<string, string> } };
  const entry = lastOn(serverNameOf(addr));
  assert.ok(entry !== undefined && entry.sql === sql, `the emulator at ${addr} did not log ${sql}`);
  return { entry, okHit: header.stateChanges?.systemVariables?.['ob_proxy_partition_hit'] };
}

/** Routes, checks the route against the topology, runs it there and checks the emulator reported a hit. */
async function routeAndRun(table: string, sql: string, params?: Param[]): Promise<RouteTarget> {
  const route = await leaderRoute(table, sql, params === undefined ? {} : { placeholders: params });
  assert.equal(route.server, topologyLeader(table, route.tabletId), `${sql}: routed off the topology's leader`);
  const { entry, okHit } = await runOn(route.server, sql, params);
  assert.equal(entry.errno, 0, sql);
  assert.equal(entry.partitionHit, 1, `${sql}: the emulator reports a partition miss on ${route.server}`);
  assert.equal(entry.tabletId, route.tabletId, sql);
  if (okHit !== undefined) assert.equal(okHit, '1', sql);
  return route;
}

/** Key assignments per table (column -> SQL literal), covering every partition of each. */
const KEYS: Readonly<Record<string, readonly Readonly<Record<string, string>>[]>> = {
  t_plain: [{}],
  t_dup: [{}],
  t_hash: ['0', '1', '2', '3', '4', '5', '7', '-6', '1000001'].map((id) => ({ id })),
  t_key: ['0', '1', '2', '3', '7', '100', '127', '255', '256', '-1', '-7', '-100', '65536', '2147483647', '-2147483648'].map((k) => ({ k })),
  t_range: ['-5', '50', '100', '150', '200', '100000'].map((id) => ({ id })),
  t_range_cols: ["'abc'", "'h'", "'kiwi'", "'p'", "'zebra'", "'H'"].map((name) => ({ name })),
  t_list: ['1', '2', '3', '4', '5', '6', '0', '9'].map((region) => ({ region })),
  // one value per sub-partition, as the real kernel placed them (t2_range_key_tpl vectors: p0sp0 .. p1sp3)
  t_sub: [['-827145508', "'0'"], ['-128502447', "'1'"], ['-2', "'ss'"], ['-2', "'hmgZzZ'"], ['2147483647', "'Z'"], ['1', "' abc'"],
    ['255', "'中'"], ['7', "'b'"]].map(([a, c]) => ({ a: a!, c: c! })),
};

/** Removes this file's rows: ids in [ID_BASE, ID_BASE + 100000), and the key values of tables keyed by id. */
async function cleanUp(): Promise<void> {
  const c = clients.get('obs1')!;
  for (const t of labTables()) {
    const keyed = (KEYS[t.name] ?? []).map((k) => k['id']).filter((v): v is string => v !== undefined);
    const extra = keyed.length === 0 ? '' : ` OR id IN (${keyed.join(', ')})`;
    await c.query(`DELETE FROM ${t.name} WHERE (id >= ${ID_BASE} AND id < ${ID_BASE + 100_000})${extra}`);
  }
}

before(async () => {
  lab = await startLabCluster({ mysql: { ...backendA(), user: 'root', password: '' }, sqlPort: 0 });
  const obs1 = findServer(lab.topology, 'obs1')!;
  meta = await mysql.createConnection({
    host: obs1.ip, port: obs1.sqlPort, user: 'proxyro@sys#lab_cluster', password: 'proxyro_pw', database: 'oceanbase',
    typeCast: (field) => field.buffer(),
  });
  for (const s of lab.topology.servers) {
    clients.set(s.name, await mysql.createConnection({ host: s.ip, port: s.sqlPort, user: 'root@test', password: 'root_pw', database: LAB_DB }));
  }
  await cleanUp();
  cache = new LocationCache({ expireMs: () => 0, minRefreshIntervalMs: () => 0, log: new Logger(LogLevel.INFO, (l) => logs.push(l)) });
});

after(async () => {
  if (clients.size > 0) await cleanUp();
  for (const conn of clients.values()) conn.destroy();
  meta?.destroy();
  await lab?.stop();
});

describe('location cache over the lab emulators', () => {
  test('every lab_db table of tenant test is fetched with its tablets and leaders', async () => {
    const tables = labTables();
    assert.ok(tables.length >= 7);
    for (const t of tables) {
      const e = await cache.fetch('test', LAB_DB, t.name, metaQuery);
      assert.ok(e !== null, t.name);
      assert.equal(e.tableId, t.id);
      assert.equal(e.partitioned, t.level1 !== null, t.name);
      assert.equal(e.partInfoError, null, t.name);
      const tablets = tabletsOf(t);
      assert.deepEqual([...e.tablets.keys()].sort(), tablets.map((p) => p.tabletId).sort(), t.name);
      for (const p of tablets) {
        const reps: readonly { server: string; role: string }[] = e.tablets.get(p.tabletId) ?? [];
        assert.equal(reps[0]?.role, 'leader');
        assert.equal(reps[0]?.server, addrOf(p.leader), `${t.name} ${p.name}`);
        assert.equal(reps.length, 3, 'one replica per server of the tenant');
      }
      assert.equal(cache.get('test', LAB_DB, t.name), e);
    }
    assert.equal(await cache.fetch('test', LAB_DB, 'no_such_table', metaQuery), null);
    assert.equal([...cache.entries()].length, tables.length);
  });

  test('INSERT and point SELECT / UPDATE / DELETE of every table run where the emulator says the leader is', async () => {
    let statements = 0;
    const partitionsHit = new Map<string, Set<number>>();
    for (const [table, list] of Object.entries(KEYS)) {
      const hit = new Set<number>();
      partitionsHit.set(table, hit);
      for (const keys of list) {
        const cols = Object.keys(keys).filter((k) => k !== 'id');
        const id = keys['id'] ?? String(nextId++);
        const where = cols.map((k) => `${k} = ${keys[k]}`).join(' AND ');
        const ins = `INSERT INTO ${table} (id${cols.map((k) => `, ${k}`).join('')}, v) VALUES (${id}${cols.map((k) => `, ${keys[k]}`).join('')}, 'loc')`;
        hit.add((await routeAndRun(table, ins)).tabletId);
        const cond = cols.length === 0 ? `id = ${id}` : `${where} AND id = ${id}`; // id alone is the key of t_hash / t_range
        await routeAndRun(table, `SELECT id, v FROM ${table} WHERE ${cond}`);
        await routeAndRun(table, `UPDATE ${table} SET v = 'upd' WHERE ${cond}`);
        await routeAndRun(table, `DELETE FROM ${table} WHERE ${cond}`);
        statements += 4;
      }
    }
    assert.ok(statements >= 200, `${statements} statements`);
    for (const t of labTables()) {
      assert.equal(partitionsHit.get(t.name)?.size, tabletsOf(t).length, `${t.name}: every tablet was reached`);
    }
  });

  test('prepared statements (COM_STMT_EXECUTE parameters) route by their parameter values', async () => {
    for (const id of [ID_BASE + 50_001, ID_BASE + 50_002, ID_BASE + 50_003, ID_BASE + 50_004]) {
      await routeAndRun('t_hash', 'INSERT INTO t_hash (id, v) VALUES (?, ?)', [id, 'ps']);
      await routeAndRun('t_hash', 'SELECT v FROM t_hash WHERE id = ?', [id]);
    }
    for (const [a, c] of [[-5, 'abc'], [9, 'zz'], [0, 'ß']] as const) {
      await routeAndRun('t_sub', 'SELECT * FROM t_sub WHERE a = ? AND c = ?', [a, c]);
    }
    for (const region of [2, 5, 8]) await routeAndRun('t_list', 'SELECT * FROM t_list WHERE region = ?', [region]);
    const all = lab.executedLog().filter((e) => e.command === 'COM_STMT_EXECUTE' && e.sql.includes('?'));
    assert.ok(all.length >= 14 && all.every((e) => e.partitionHit === 1));
  });

  test('the oracle notices a wrong route: a follower reports a partition miss', async () => {
    const route = await leaderRoute('t_hash', `SELECT * FROM t_hash WHERE id = ${ID_BASE + 1}`);
    const other = lab.topology.servers.map((s) => `${s.ip}:${s.sqlPort}`).find((a) => a !== route.server)!;
    const { entry } = await runOn(other, `SELECT * FROM t_hash WHERE id = ${ID_BASE + 1}`);
    assert.equal(entry.partitionHit, 0);
  });
});

describe('leader moves: partition miss -> invalidate -> refetch', () => {
  async function follow(table: string, part: string, sql: string): Promise<void> {
    const before = await leaderRoute(table, sql);
    const target = lab.topology.servers.find((s) => addrOf(s.name) !== before.server)!;
    const reply = await lab.command(`move-leader ${LAB_DB}.${table} ${part} ${target.name}`);
    assert.ok(reply.ok, reply.error);
    // the cached entry still names the old leader; the emulator reports the miss
    assert.equal((await leaderRoute(table, sql)).server, before.server);
    const { okHit } = await runOn(before.server, sql);
    assert.equal(okHit, '0', `${sql}: partition miss expected on the old leader`);
    const stale = cache.get('test', LAB_DB, table)!;
    cache.invalidate('test', LAB_DB, table, 'ob_proxy_partition_hit=0');
    assert.equal(stale.state, 'dirty');
    assert.equal(cache.get('test', LAB_DB, table), stale, 'usable until refetched');
    const fresh = await cache.fetch('test', LAB_DB, table, metaQuery);
    assert.ok(fresh !== null && fresh !== stale);
    assert.equal(stale.state, 'deleted');
    const after = await routeAndRun(table, sql);
    assert.equal(after.server, addrOf(target.name));
    assert.equal(after.tabletId, before.tabletId);
  }

  test('HASH partition', async () => {
    await follow('t_hash', 'p1', `UPDATE t_hash SET v = 'moved' WHERE id = ${ID_BASE + 90_001}`);
  });

  test('sub-partition of a two-level table', async () => {
    const r = await leaderRoute('t_sub', "UPDATE t_sub SET v = 'moved' WHERE a = 5 AND c = 'abc'");
    await follow('t_sub', r.partName!, "UPDATE t_sub SET v = 'moved' WHERE a = 5 AND c = 'abc'");
  });

  test('non-partitioned table', async () => {
    await follow('t_plain', 'p0', `UPDATE t_plain SET v = 'moved' WHERE id = ${ID_BASE + 90_002}`);
    assert.ok(logs.some((l) => l.includes('lab_db.t_plain marked dirty: ob_proxy_partition_hit=0')));
  });
});
