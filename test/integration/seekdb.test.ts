// The proxy in `oceanbase` mode in front of the real OceanBase kernel: seekdb (pylibseekdb 1.4.0.post1, OceanBase
// 4.3.5.3, single node). The proxy bootstraps from it as proxyro@sys, finds no server list view (1146) and no
// proxy-login support (seekdb removed obproxy support from its login path), and serves it as the only server with
// pass-through logins. Clients then run against the kernel through the proxy; the same statement sent to seekdb
// directly is the oracle for errors.
//
// Setup: installs seekdb when missing (lab/seekdb/install.sh, ~20 s from PyPI), starts a private instance (data in a
// temp dir, free port), creates the `proxyro` account ODP expects on every cluster (CREATE USER proxyro +
// GRANT SELECT ON oceanbase.*; seekdb ships only root). When seekdb cannot be installed or started, the whole
// suite is skipped with the reason, printed to stderr too: it never passes silently.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { SEEKDB_LAB_DIR, seekdbAvailable, startSeekdb, type SeekdbServer } from '../../lab/seekdb/seekdb.js';
import { freePort, startProxy, type Endpoint, type ProxyProcess } from './harness.js';

const INSTALL_TIMEOUT_MS = 240_000;
const T = { timeout: 60_000 };
const DB = 'odp_seekdb';
const sha1hex = (s: string): string => createHash('sha1').update(s).digest('hex');

type Setup = { ok: true; server: SeekdbServer; dir: string; installMs: number } | { ok: false; reason: string };

/** Installs (if needed) and starts a private seekdb; any failure becomes the skip reason. */
async function prepare(): Promise<Setup> {
  const t0 = Date.now();
  let av = seekdbAvailable();
  if (!av.ok && av.reason.startsWith('seekdb not installed')) {
    const r = spawnSync('bash', [join(SEEKDB_LAB_DIR, 'install.sh')], { encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS });
    const why = (r.stderr || r.stdout || '').trim().split('\n').pop() ?? '';
    if (r.status !== 0) return { ok: false, reason: `install.sh failed (${r.error?.message ?? `exit ${String(r.status ?? r.signal)}`}): ${why}` };
    av = seekdbAvailable();
  }
  if (!av.ok) return { ok: false, reason: av.reason };
  const installMs = Date.now() - t0;
  const dir = mkdtempSync(join(tmpdir(), 'odp-seekdb-'));
  try {
    const server = await startSeekdb({ baseDir: dir, port: await freePort() });
    process.once('exit', () => {
      try {
        process.kill(server.pid, 'SIGKILL'); // only if after() did not run (crash): never leave a kernel behind
      } catch {
        // already gone
      }
    });
    return { ok: true, server, dir, installMs };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    return { ok: false, reason: `seekdb did not start: ${(e as Error).message.split('\n')[0] ?? ''}` };
  }
}

const setup = await prepare();
if (!setup.ok) {
  process.stderr.write(`\n*** seekdb suite SKIPPED: ${setup.reason}\n\n`);
  test(`proxy in front of seekdb (SKIPPED: ${setup.reason})`, { skip: `seekdb unavailable: ${setup.reason}` }, () => undefined);
} else {
  suite(setup.server, setup.dir, setup.installMs);
}

interface CliResult { code: number; stdout: string; stderr: string }

function mariadbCli(ep: Endpoint, user: string, password: string, args: readonly string[], input: string): Promise<CliResult> {
  const argv = ['--no-defaults', '--protocol=tcp', '--skip-ssl', `-h${ep.host}`, `-P${ep.port}`, `-u${user}`, `-p${password}`, ...args];
  return new Promise((resolve, reject) => {
    const child = execFile('mariadb', argv, { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err !== null && typeof err.code !== 'number') reject(err);
      else resolve({ code: err === null ? 0 : Number(err.code), stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

function suite(kernel: SeekdbServer, dir: string, installMs: number): void {
  describe('oceanbase mode in front of seekdb (real OceanBase 4.3.5 kernel, single node)', () => {
    let proxy: ProxyProcess | undefined;
    let ep: Endpoint = { host: '127.0.0.1', port: 0 };
    const direct: Endpoint = { host: kernel.host, port: kernel.port };
    const root = { user: 'root', password: kernel.password };
    const open = (to: Endpoint, opts: Omit<mysql.ConnectionOptions, 'host' | 'port'> = {}): Promise<mysql.Connection> =>
      mysql.createConnection({ host: to.host, port: to.port, ...root, connectTimeout: 10_000, ...opts });

    before(async () => {
      const t0 = Date.now();
      const proxyroPassword = randomBytes(12).toString('hex');
      const c = await open(direct);
      try {
        await c.query(`DROP USER IF EXISTS proxyro`);
        await c.query(`CREATE USER proxyro IDENTIFIED BY '${proxyroPassword}'`);
        await c.query('GRANT SELECT ON oceanbase.* TO proxyro');
        await c.query(`DROP DATABASE IF EXISTS ${DB}`);
        await c.query(`CREATE DATABASE ${DB}`);
      } finally {
        await c.end();
      }
      proxy = await startProxy(['-o', `server_routing_mode=oceanbase,short_async_task_timeout=5s,observer_sys_password=${sha1hex(proxyroPassword)}`], { backends: [direct] });
      ep = { host: '127.0.0.1', port: proxy.port };
      process.stderr.write(`seekdb suite: install check ${installMs} ms, kernel start-up ${kernel.startupMs} ms, proxy bootstrap ${Date.now() - t0} ms\n`);
    });
    after(async () => {
      await proxy?.stop();
      await kernel.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('bootstrap: one line says the kernel is a single node, why, and that logins are passed through', () => {
      const out = proxy?.output() ?? '';
      const lines = out.split('\n').filter((l) => l.includes('single-node kernel'));
      assert.equal(lines.length, 1, out);
      const line = lines[0]!;
      assert.match(line, /WARN/);
      assert.ok(line.includes(`127.0.0.1:${kernel.port} answered 1146 (42S02) Table 'oceanbase.dba_ob_servers' doesn't exist`), line);
      assert.match(line, /seekdb/);
      assert.match(line, /refuses proxy-scramble logins/);
    });

    test('mysql2 text protocol as root, root@sys', T, async () => {
      for (const user of ['root', 'root@sys']) {
        const c = await open(ep, { user });
        try {
          const [r] = await c.query<mysql.RowDataPacket[]>('SELECT 1 + 1 AS two, @@version_comment AS vc, ob_version() AS v, CURRENT_USER() AS cu');
          assert.equal(Number(r[0]!['two']), 2);
          assert.match(String(r[0]!['vc']), /seekdb/);
          assert.equal(r[0]!['v'], '4.3.5.3');
          assert.equal(r[0]!['cu'], 'root@%');
        } finally {
          await c.end();
        }
      }
    });

    test('prepared statements (binary protocol) with parameters of several types', T, async () => {
      const c = await open(ep, { database: DB });
      try {
        await c.query('CREATE TABLE ps (id INT PRIMARY KEY, name VARCHAR(20), amount DECIMAL(10,2), at DATETIME)');
        for (let i = 1; i <= 5; i++) await c.execute('INSERT INTO ps VALUES (?, ?, ?, ?)', [i, `n${i}`, `${i}.25`, `2024-01-0${i} 10:00:00`]);
        const [rows] = await c.execute<mysql.RowDataPacket[]>('SELECT id, name, amount FROM ps WHERE id > ? ORDER BY id', [3]);
        assert.deepEqual(rows.map((r) => [r['id'], r['name'], r['amount']]), [[4, 'n4', '4.25'], [5, 'n5', '5.25']]);
        const [one] = await c.execute<mysql.RowDataPacket[]>('SELECT name FROM ps WHERE id = ?', [2]);
        assert.equal(one[0]!['name'], 'n2');
      } finally {
        await c.end();
      }
    });

    test('transactions: a commit is visible to another session, a rollback is not', T, async () => {
      const a = await open(ep, { database: DB });
      const b = await open(ep, { database: DB });
      try {
        await a.query('CREATE TABLE tx (id INT PRIMARY KEY, v INT)');
        await a.beginTransaction();
        await a.query('INSERT INTO tx VALUES (1, 10)');
        const [before] = await b.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM tx');
        assert.equal(Number(before[0]!['n']), 0, 'uncommitted row invisible to another session');
        await a.commit();
        await a.beginTransaction();
        await a.query('INSERT INTO tx VALUES (2, 20)');
        await a.rollback();
        const [after] = await b.query<mysql.RowDataPacket[]>('SELECT id FROM tx ORDER BY id');
        assert.deepEqual(after.map((r) => r['id']), [1]);
      } finally {
        await a.end();
        await b.end();
      }
    });

    test('HASH and RANGE partitioned tables created through the proxy: rows by key land in the right partition', T, async () => {
      const c = await open(ep, { database: DB });
      try {
        await c.query('CREATE TABLE ph (id BIGINT PRIMARY KEY, v VARCHAR(10)) PARTITION BY HASH(id) PARTITIONS 4');
        await c.query('CREATE TABLE pr (id INT PRIMARY KEY, v VARCHAR(10)) PARTITION BY RANGE(id) (PARTITION p0 VALUES LESS THAN (100), PARTITION p1 VALUES LESS THAN (1000), PARTITION p2 VALUES LESS THAN MAXVALUE)');
        for (let i = 0; i < 20; i++) await c.execute('INSERT INTO ph VALUES (?, ?)', [i * 7, `h${i}`]);
        for (const id of [5, 150, 5000]) await c.query(`INSERT INTO pr VALUES (${id}, 'r${id}')`);
        for (let i = 0; i < 20; i++) {
          const [r] = await c.query<mysql.RowDataPacket[]>(`SELECT v FROM ph WHERE id = ${i * 7}`);
          assert.equal(r[0]!['v'], `h${i}`);
        }
        // OceanBase HASH(int) places a row in partition (value mod partition count): an oracle independent of the proxy.
        for (let p = 0; p < 4; p++) {
          const [r] = await c.query<mysql.RowDataPacket[]>(`SELECT id FROM ph PARTITION (p${p}) ORDER BY id`);
          for (const row of r) assert.equal(Number(row['id']) % 4, p, `id ${String(row['id'])} in p${p}`);
        }
        const inPart = async (p: string): Promise<number[]> =>
          (await c.query<mysql.RowDataPacket[]>(`SELECT id FROM pr PARTITION (${p})`))[0].map((r) => Number(r['id']));
        assert.deepEqual([await inPart('p0'), await inPart('p1'), await inPart('p2')], [[5], [150], [5000]]);
        const [byKey] = await c.execute<mysql.RowDataPacket[]>('SELECT v FROM pr WHERE id = ?', [150]);
        assert.equal(byKey[0]!['v'], 'r150');
      } finally {
        await c.end();
      }
    });

    test('multi-statements: every result set comes back in order', T, async () => {
      const c = await open(ep, { database: DB, multipleStatements: true });
      try {
        const [results] = await c.query<mysql.RowDataPacket[][]>('SELECT 1 AS a; SELECT 2 AS b, 3 AS c; SELECT DATABASE() AS d');
        assert.equal(results.length, 3);
        assert.deepEqual([results[0]![0]!['a'], results[1]![0]!['c'], results[2]![0]!['d']], [1, 3, DB]);
      } finally {
        await c.end();
      }
    });

    test('the mariadb CLI runs a script through the proxy', T, async () => {
      const script = `CREATE TABLE cli (id INT PRIMARY KEY, s VARCHAR(10));\nINSERT INTO cli VALUES (1, 'one'), (2, 'two');\n` +
        `UPDATE cli SET s = 'TWO' WHERE id = 2;\nSELECT id, s FROM cli ORDER BY id;\n`;
      const r = await mariadbCli(ep, 'root', kernel.password, ['--batch', DB], script);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'id\ts\n1\tone\n2\tTWO\n');
    });

    test('errors pass through unchanged: a syntax error and a missing table give the kernel\'s errno, SQLSTATE, message', T, async () => {
      const failure = async (to: Endpoint, sql: string): Promise<{ errno: unknown; sqlState: unknown; message: unknown }> => {
        const c = await open(to, { database: DB });
        try {
          await c.query(sql);
        } catch (e) {
          const x = e as { errno?: unknown; sqlState?: unknown; message?: unknown };
          return { errno: x.errno, sqlState: x.sqlState, message: x.message };
        } finally {
          await c.end();
        }
        throw new Error(`${sql} did not fail`);
      };
      for (const sql of ['SELEC 1', 'SELECT * FROM no_such_table']) {
        const viaProxy = await failure(ep, sql);
        assert.deepEqual(viaProxy, await failure(direct, sql));
        assert.equal(viaProxy.errno, sql.startsWith('SELEC ') ? 1064 : 1146);
      }
      const c = await open(ep);
      try {
        const [r] = await c.query<mysql.RowDataPacket[]>('SELECT 7 AS seven');
        assert.equal(r[0]!['seven'], 7, 'the session still works after errors');
      } finally {
        await c.end();
      }
    });

    test('a wrong password and an unknown tenant get the kernel\'s own 1045', T, async () => {
      const refusal = async (to: Endpoint, opts: { user?: string; password?: string }): Promise<unknown[]> => {
        const e = await open(to, opts).then(async (c) => { await c.end(); return null; }, (x: unknown) => x as { errno?: unknown; sqlState?: unknown; message?: unknown });
        assert.ok(e !== null, `${JSON.stringify(opts.user)} logged in`);
        return [e.errno, e.sqlState, e.message];
      };
      for (const opts of [{ password: 'wrong' }, { user: 'root@no_such_tenant' }]) {
        const viaProxy = await refusal(ep, opts);
        assert.equal(viaProxy[0], 1045);
        assert.deepEqual(viaProxy, await refusal(direct, opts));
      }
    });
  });
}
