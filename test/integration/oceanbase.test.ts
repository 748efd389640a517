// The proxy in `oceanbase` mode in front of the lab's observer emulators (issue 5): bootstrap from the rs list, login
// as user@tenant with the proxy-scramble scheme, statements routed to partition leaders (asserted from the emulators'
// executed log), data correct through the shared MariaDB.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import type mysql from 'mysql2/promise';
import { startLabCluster, type LabCluster } from '../../lab/observer/cluster.js';
import { backendA, startProxy, waitForOutput, type Endpoint, type ProxyProcess } from './harness.js';
import { connect, waitUntil } from './target.js';

const sha1hex = (s: string): string => createHash('sha1').update(s).digest('hex');

/** The SQL address (ip:port) of a lab server, as the proxy names it. */
function addrOf(lab: LabCluster, name: string): string {
  const s = lab.topology.servers.find((x) => x.name === name)!;
  return `${s.ip}:${s.sqlPort}`;
}

/** The partition leader EXPLAIN ROUTE names for `sql` (answered by the proxy; nothing is sent to a server). */
async function explainedLeader(c: mysql.Connection, sql: string): Promise<string | null> {
  const [rows] = await c.query<mysql.RowDataPacket[]>(`EXPLAIN ROUTE ${sql}`);
  const text = String(rows[0]?.['Route Plan'] ?? '');
  return /> PARTITION_ENTRY_LOOKUP_DONE:\{.*\bleader:"?(\d+\.\d+\.\d+\.\d+:\d+)/.exec(text)?.[1] ?? null;
}

/**
 * The location refetch after a miss or OB_NOT_MASTER is asynchronous: waits (5 s at most) until the proxy's cached
 * route for `sql` names `leader`, and fails the test if it never does.
 */
async function waitForRoute(c: mysql.Connection, sql: string, leader: string): Promise<void> {
  const seen = await waitUntil(5000, () => explainedLeader(c, sql), (l) => l === leader);
  assert.equal(seen, leader, `the proxy refreshed the location of "${sql}" within 5 s`);
}

/**
 * A `t_hash` key whose partition `server` leads: HASH(id) over the table's partitions puts a small non-negative id in
 * partition `id`, so the index of the first partition it leads is such a key. Aims a statement at one server
 * deterministically (a statement without a table may run on any server of the tenant).
 */
async function keyLedBy(lab: LabCluster, server: string): Promise<number> {
  const leaders = (await lab.command('leaders lab_db.t_hash')).result as { partition: string; leader: string }[];
  const id = leaders.findIndex((p) => p.leader === server);
  assert.ok(id >= 0, JSON.stringify(leaders));
  return id;
}

/** The proxy in oceanbase mode bootstrapping from `lab`'s rs list, with `options` before the proxyro password. */
function startObProxy(lab: LabCluster, options: string): Promise<ProxyProcess> {
  return startProxy(['-c', 'lab_cluster', '-o', `server_routing_mode=oceanbase,${options},observer_sys_password=${sha1hex('proxyro_pw')}`], {
    backends: lab.rsList.split(';').map((x) => ({ host: x.slice(0, x.lastIndexOf(':')), port: Number(x.slice(x.lastIndexOf(':') + 1)) })),
  });
}

describe('oceanbase mode against the lab emulators', () => {
  let lab: LabCluster;
  let proxy: ProxyProcess;
  let ep: Endpoint;

  before(async () => {
    lab = await startLabCluster({ mysql: backendA(), sqlPort: 0, controlPort: null });
    proxy = await startObProxy(lab, 'delay_update_entry_interval=100ms,observer_query_timeout_delta=1s,min_keep_congestion_interval=60s,short_async_task_timeout=1s');
    ep = { host: '127.0.0.1', port: proxy.port };
  });
  after(async () => {
    await proxy.stop();
    await lab.stop();
  });

  test('root@test logs in through the proxy and runs SQL on the shared database', async () => {
    const c = await connect(ep, { user: 'root@test', password: 'root_pw', database: 'lab_db' });
    try {
      const [r] = await c.query<mysql.RowDataPacket[]>('SELECT 1 + 1 AS two, DATABASE() AS db');
      assert.equal(Number(r[0]!['two']), 2);
      assert.equal(r[0]!['db'], 'lab_db');
    } finally {
      c.destroy();
    }
  });

  test('a wrong password and an unknown tenant get the observer\'s errors', async () => {
    await assert.rejects(connect(ep, { user: 'root@test', password: 'nope' }), (e: { errno?: number }) => e.errno === 1045);
    await assert.rejects(connect(ep, { user: 'root@no_such_tenant', password: 'x' }), (e: { errno?: number }) => typeof e.errno === 'number' && e.errno !== 0);
  });

  test('the session uses several observers of its tenant without a password (proxy scramble saved login)', async () => {
    const c = await connect(ep, { user: 'odp_app@test', password: 'odp_app_pw', database: 'lab_db' });
    try {
      lab.clearLog();
      await c.query("SET @who = 'me'");
      for (let i = 0; i < 30; i++) {
        const [r] = await c.query<mysql.RowDataPacket[]>('SELECT @who AS w');
        assert.equal(r[0]!['w'], 'me');
      }
      const servers = new Set(lab.executedLog().filter((e) => e.user.startsWith('odp_app')).map((e) => e.server));
      assert.ok(servers.size >= 2, `statements ran on ${[...servers].join(', ')}`);
    } finally {
      c.destroy();
    }
  });

  test('DML and point selects on partitioned tables run on the partition leader (text and prepared)', async () => {
    const c = await connect(ep, { user: 'root@test', password: 'root_pw', database: 'lab_db' });
    try {
      const statements: string[] = [];
      for (let i = 1; i <= 12; i++) {
        statements.push(`REPLACE INTO t_hash (id, v) VALUES (${i * 7}, 'h')`, `SELECT v FROM t_hash WHERE id = ${i * 7}`);
        statements.push(`REPLACE INTO t_key (id, k, v) VALUES (${i}, ${i * 13}, 'k')`, `SELECT v FROM t_key WHERE k = ${i * 13}`);
        statements.push(`REPLACE INTO t_range (id, v) VALUES (${i * 23}, 'r')`, `UPDATE t_range SET v = 'r2' WHERE id = ${i * 23}`);
        statements.push(`REPLACE INTO t_list (id, region, v) VALUES (${i}, ${(i % 8) + 1}, 'l')`, `DELETE FROM t_list WHERE region = ${(i % 8) + 1} AND id = ${i + 1000}`);
        const name = 'aehmoqtz'[i % 8]! + String(i);
        statements.push(`REPLACE INTO t_range_cols (id, name, v) VALUES (${i}, '${name}', 'c')`, `SELECT v FROM t_range_cols WHERE name = '${name}'`);
        statements.push(`REPLACE INTO t_sub (id, a, c, v) VALUES (${i}, ${i % 3 - 1}, 'c${i}', 's')`, `SELECT v FROM t_sub WHERE a = ${i % 3 - 1} AND c = 'c${i}'`);
      }
      lab.clearLog();
      for (const sql of statements) await c.query(sql);
      for (let i = 1; i <= 6; i++) {
        await c.execute('SELECT v FROM t_hash WHERE id = ?', [i * 7]);
        await c.execute('SELECT v FROM t_key WHERE k = ?', [i * 13]);
        await c.execute('UPDATE t_range SET v = ? WHERE id = ?', ['p', i * 23]);
        await c.execute('SELECT v FROM t_list WHERE region = ? AND id = ?', [(i % 8) + 1, i]);
        await c.execute('SELECT v FROM t_range_cols WHERE name = ?', ['aehmoqtz'[i % 8]! + String(i)]);
        await c.execute('SELECT v FROM t_sub WHERE a = ? AND c = ?', [i % 3 - 1, `c${i}`]);
      }
      const ours = lab.executedLog().filter((e) => e.user.startsWith('root') && e.tabletId !== null && /t_(hash|key|range|list|range_cols|sub)\b/.test(e.sql));
      const kinds = new Set(ours.map((e) => /t_(hash|key|range_cols|range|list|sub)/.exec(e.sql)?.[0]).filter((x) => x !== undefined));
      assert.equal(kinds.size, 6, `statements of every partitioned table were logged: ${[...kinds].join(', ')}`);
      assert.ok(ours.some((e) => e.command === 'COM_STMT_EXECUTE'), 'prepared executions were routed too');
      assert.ok(ours.length >= statements.length, `${ours.length} routed statements logged`);
      const misses = ours.filter((e) => e.partitionHit !== 1);
      assert.deepEqual(misses.map((e) => `${e.server}: ${e.sql}`), [], 'every statement ran on its partition leader');
      const servers = new Set(ours.map((e) => e.server));
      assert.ok(servers.size >= 2, `leaders on ${[...servers].join(', ')}`);
    } finally {
      c.destroy();
    }
  });

  test('after a leader move the proxy follows within one retry cycle', async () => {
    const c = await connect(ep, { user: 'root@test', password: 'root_pw', database: 'lab_db' });
    try {
      await c.query("REPLACE INTO t_hash (id, v) VALUES (8, 'm')");
      lab.clearLog();
      await c.query('SELECT v FROM t_hash WHERE id = 8');
      const before = lab.executedLog().find((e) => e.sql.includes('WHERE id = 8'));
      assert.ok(before !== undefined && before.partitionHit === 1);
      const others = lab.topology.servers.map((x) => x.name).filter((n) => !before.server.includes(n));
      const reply = await lab.command(`move-leader lab_db.t_hash p0 ${others[0]!}`);
      assert.ok(reply.ok, JSON.stringify(reply));
      // The next statement still uses the stale leader; its OK reports the miss (ob_proxy_partition_hit=0) and the proxy
      // refreshes the entry. (A result set ending in an EOF packet cannot carry that feedback: DML is used here.)
      await c.query("UPDATE t_hash SET v = 'm2' WHERE id = 8");
      await waitForRoute(c, 'SELECT v FROM t_hash WHERE id = 8', addrOf(lab, others[0]!));
      lab.clearLog();
      for (let i = 0; i < 4; i++) await c.query('SELECT v FROM t_hash WHERE id = 8');
      const after = lab.executedLog().filter((e) => e.sql.includes('WHERE id = 8'));
      assert.ok(after.length === 4 && after.every((e) => e.partitionHit === 1), after.map((e) => `${e.server} hit=${e.partitionHit}`).join('; '));
    } finally {
      c.destroy();
    }
  });

  test('OB_NOT_MASTER (4038) goes to the client unretried and refreshes the location: the next statement finds the new leader', async () => {
    const c = await connect(ep, { user: 'root@test', password: 'root_pw', database: 'lab_db' });
    try {
      await c.query("REPLACE INTO t_hash (id, v) VALUES (15, 'nm')");
      lab.clearLog();
      await c.query('SELECT v FROM t_hash WHERE id = 15');
      const before = lab.executedLog().find((e) => e.sql.includes('WHERE id = 15'));
      assert.ok(before !== undefined && before.partitionHit === 1 && before.tabletId !== null);
      const leaders = await lab.command('leaders lab_db.t_hash');
      const part = (leaders.result as { partition: string; tabletId: number }[] | undefined)?.find((x) => x.tabletId === before.tabletId)?.partition;
      assert.ok(part !== undefined, JSON.stringify(leaders));
      const oldName = before.server; // the emulator's lab name
      const other = lab.topology.servers.map((x) => x.name).find((n) => n !== oldName)!;
      assert.ok((await lab.command(`move-leader lab_db.t_hash ${part} ${other}`)).ok);
      // A SELECT's result ends in EOF, which carries no partition-hit feedback: only the error can tell the proxy.
      assert.ok((await lab.command(`error ${oldName} 4038 HY000 1 Not master`)).ok);
      await assert.rejects(c.query('SELECT v FROM t_hash WHERE id = 15'), (e: { errno?: number }) => e.errno === 4038);
      await waitForRoute(c, 'SELECT v FROM t_hash WHERE id = 15', addrOf(lab, other));
      lab.clearLog();
      const [rows] = await c.query<mysql.RowDataPacket[]>('SELECT v FROM t_hash WHERE id = 15');
      assert.equal(rows[0]?.['v'], 'nm');
      const after = lab.executedLog().filter((e) => e.sql.includes('WHERE id = 15'));
      assert.ok(after.length === 1 && after[0]!.partitionHit === 1, after.map((e) => `${e.server} hit=${e.partitionHit}`).join('; '));
    } finally {
      c.destroy();
    }
  });

  test('sysbench oltp_read_write through the proxy against the lab runs clean (text and PS)', async () => {
    const base = ['--db-driver=mysql', '--mysql-host=127.0.0.1', `--mysql-port=${proxy.port}`, '--mysql-user=root@test',
      '--mysql-password=root_pw', '--mysql-db=lab_db', '--tables=2', '--table-size=2000', '--rand-type=uniform'];
    const run = (args: readonly string[]): Promise<{ code: number; out: string }> => new Promise((resolve) => {
      execFile('sysbench', ['oltp_read_write', ...base, ...args], { timeout: 90_000, maxBuffer: 8 * 1024 * 1024 }, (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, out: stdout + stderr });
      });
    });
    await run(['cleanup']);
    const prep = await run(['prepare']);
    assert.equal(prep.code, 0, prep.out);
    for (const mode of ['disable', 'auto']) {
      const r = await run([`--db-ps-mode=${mode}`, '--threads=8', '--time=8', 'run']);
      assert.equal(r.code, 0, r.out);
      const errors = /^\s*ignored errors:\s+(\d+)/m.exec(r.out)?.[1];
      const reconnects = /^\s*reconnects:\s+(\d+)/m.exec(r.out)?.[1];
      const queries = /^\s*total:\s+(\d+)/m.exec(r.out)?.[1];
      assert.equal(errors, '0', r.out);
      assert.equal(reconnects, '0', r.out);
      assert.ok(Number(queries) > 100, r.out);
    }
    await run(['cleanup']);
  });
});

describe('oceanbase mode: a hung observer', () => {
  let lab: LabCluster;
  let proxy: ProxyProcess;
  let ep: Endpoint;

  before(async () => {
    lab = await startLabCluster({ mysql: backendA(), sqlPort: 0, controlPort: null });
    proxy = await startObProxy(lab, 'observer_query_timeout_delta=1s,min_keep_congestion_interval=60s,short_async_task_timeout=1s');
    ep = { host: '127.0.0.1', port: proxy.port };
  });
  after(async () => {
    await proxy.stop();
    await lab.stop();
  });

  test('a slow answer inside ob_query_timeout + observer_query_timeout_delta is waited for, after quick statements', { timeout: 60_000 }, async () => {
    const id = await keyLedBy(lab, 'obs2');
    const c = await connect(ep, { user: 'root@test', password: 'root_pw', database: 'lab_db' });
    try {
      await c.query('REPLACE INTO t_hash (id, v) VALUES (?, ?)', [id, 'slow']);
      await c.query('SET SESSION ob_query_timeout = 500000'); // limit 1.5 s with the 1 s delta
      // Quick statements first: the proxy's response timer is lazy (armed by an earlier request, re-armed on firing),
      // so a deadline taken from an earlier statement would cut this slow one short.
      for (let i = 0; i < 5; i++) {
        await c.query('SELECT v FROM t_hash WHERE id = ?', [id]);
        await new Promise((r) => setTimeout(r, 150));
      }
      await lab.command('slow obs2 1000');
      const t0 = Date.now();
      const [r] = await c.query<mysql.RowDataPacket[]>('SELECT v FROM t_hash WHERE id = ?', [id]);
      assert.equal(r[0]?.['v'], 'slow');
      assert.ok(Date.now() - t0 >= 950, 'the answer was really delayed');
      assert.doesNotMatch(proxy.output(), /did not answer/);
    } finally {
      await lab.command('slow obs2 0');
      c.destroy();
    }
  });

  test('a hung observer: the statement fails after ob_query_timeout + observer_query_timeout_delta, the session goes on elsewhere', { timeout: 60_000 }, async () => {
    const id = await keyLedBy(lab, 'obs2');
    const c = await connect(ep, { user: 'root@test', password: 'root_pw', database: 'lab_db' });
    try {
      await c.query('REPLACE INTO t_hash (id, v) VALUES (?, ?)', [id, 'hung']);
      await c.query('SET SESSION ob_query_timeout = 500000'); // 0.5 s (+ the 1 s delta set for this proxy)
      await c.query('SELECT v FROM t_hash WHERE id = ?', [id]); // obs2's session now has the SET: no replay pending
      await lab.command('hang obs2 on');
      let timeouts = 0;
      const t0 = Date.now();
      for (let i = 0; i < 12; i++) {
        try {
          const [r] = await c.query<mysql.RowDataPacket[]>('SELECT v FROM t_hash WHERE id = ?', [id]);
          assert.equal(r[0]?.['v'], 'hung');
        } catch (e) {
          assert.equal((e as { errno?: number }).errno, 1159, String(e));
          timeouts++;
        }
      }
      assert.equal(timeouts, 1, 'the first statement times out; the hung server is avoided after it');
      assert.match(proxy.output(), /127\.0\.0\.3:\d+ did not answer COM_QUERY within 1500 ms/, proxy.output().slice(-2000));
      assert.match(proxy.output(), /server 127\.0\.0\.3:\d+ marked down/, proxy.output().slice(-2000));
      assert.ok(Date.now() - t0 < 16_000, `no statement waited forever (${Date.now() - t0} ms)`);
    } finally {
      await lab.command('hang obs2 off');
      c.destroy();
    }
  });
});

describe('oceanbase mode: a server marked down is tried again after min_keep_congestion_interval', () => {
  let lab: LabCluster;
  let proxy: ProxyProcess;
  let ep: Endpoint;

  before(async () => {
    lab = await startLabCluster({ mysql: backendA(), sqlPort: 0, controlPort: null });
    proxy = await startObProxy(lab, 'min_keep_congestion_interval=1s,short_async_task_timeout=1s');
    ep = { host: '127.0.0.1', port: proxy.port };
  });
  after(async () => {
    await proxy.stop();
    await lab.stop();
  });

  test('a killed leader is avoided while down; once revived and the interval has passed, its partition goes back to it', { timeout: 60_000 }, async () => {
    const id = await keyLedBy(lab, 'obs2');
    const c = await connect(ep, { user: 'root@test', password: 'root_pw', database: 'lab_db' });
    try {
      await c.query('REPLACE INTO t_hash (id, v) VALUES (?, ?)', [id, 'back']); // ran on obs2: c has a connection there
      const mark = proxy.output().length;
      await lab.command('kill obs2');
      // The proxy must have seen that connection close, else the next statement is sent into it and fails.
      await waitForOutput(proxy, new RegExp(`server ${addrOf(lab, 'obs2').replace(/\./g, '\\.')} closed the connection of cs_id=${c.threadId!}\\b`), mark);
      lab.clearLog();
      const [r1] = await c.query<mysql.RowDataPacket[]>('SELECT v FROM t_hash WHERE id = ?', [id]);
      assert.equal(r1[0]?.['v'], 'back', 'served elsewhere while the leader is down');
      assert.match(proxy.output(), /server 127\.0\.0\.3:\d+ marked down/);
      await lab.command('revive obs2');
      await new Promise((r) => setTimeout(r, 1500));
      lab.clearLog();
      await c.query('SELECT v FROM t_hash WHERE id = ?', [id]);
      const ran = lab.executedLog().filter((e) => e.sql.includes('FROM t_hash WHERE id'));
      assert.deepEqual(ran.map((e) => `${e.server} hit=${e.partitionHit}`), ['obs2 hit=1'], 'the revived leader runs its partition again');
    } finally {
      await lab.command('revive obs2');
      c.destroy();
    }
  });

  test('target_db_server changed at run time takes effect for the tenant at once', { timeout: 30_000 }, async () => {
    const obs1 = lab.topology.servers.find((x) => x.name === 'obs1')!;
    const addr = lab.rsList.split(';').find((x) => x.startsWith(`${obs1.ip}:`))!;
    const admin = await connect(ep, { user: 'root@proxysys', password: '' });
    const c = await connect(ep, { user: 'root@test', password: 'root_pw', database: 'lab_db' });
    try {
      await c.query('SELECT 1'); // the tenant's routing inputs are now cached
      await admin.query(`ALTER PROXYCONFIG SET target_db_server = '${addr}'`);
      lab.clearLog();
      for (let i = 0; i < 6; i++) await c.query(`SELECT ${i} AS tdb_probe FROM dual`);
      const ran = lab.executedLog().filter((e) => e.sql.includes('tdb_probe'));
      assert.equal(ran.length, 6);
      assert.deepEqual([...new Set(ran.map((e) => e.server))], ['obs1'], 'every statement went to the target');
    } finally {
      await admin.query("ALTER PROXYCONFIG SET target_db_server = ''");
      admin.destroy();
      c.destroy();
    }
  });
});
