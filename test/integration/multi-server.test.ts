// One client session served by two real MariaDB servers (issue 3): with a proxy scramble and the auth source, the
// proxy logs each client in to both servers and moves statements between them (random mode, target_db_server hints,
// failover), and the client cannot tell: database, variables, user variables, character set, last_insert_id,
// prepared statements and transactions behave as on one direct connection. Which server ran a statement is read
// from @@port (test-a and test-b listen on different ports).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { promisify } from 'node:util';
import type mysql from 'mysql2/promise';
import { backendA, backendB, freePort, startProxy, users, waitForOutput, type Endpoint, type ProxyProcess } from './harness.js';
import { connect, directSql, waitUntil, withConn } from './target.js';

const run = promisify(execFile);
const sha1hex = (s: string): string => createHash('sha1').update(s).digest('hex');
const DB = 'ms_test';
const SCRAMBLE = `enable_proxy_scramble=true,observer_sys_password=${sha1hex(users.proxyro.password)}`;

async function prepareData(ep: Endpoint): Promise<void> {
  await directSql(`CREATE DATABASE IF NOT EXISTS ${DB}; CREATE DATABASE IF NOT EXISTS ${DB}2;
    CREATE TABLE IF NOT EXISTS ${DB}.auto (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB;
    CREATE TABLE IF NOT EXISTS ${DB}.txn (id INT PRIMARY KEY, v INT) ENGINE=InnoDB;
    DELETE FROM ${DB}.txn;
    GRANT ALL ON ${DB}.* TO '${users.app.user}'@'%'; GRANT ALL ON ${DB}2.* TO '${users.app.user}'@'%';`, ep);
}

async function ports(c: mysql.Connection, sql: string, n: number): Promise<{ rows: mysql.RowDataPacket[]; ports: Set<number> }> {
  const rows: mysql.RowDataPacket[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    const [r] = await c.query<mysql.RowDataPacket[]>(sql);
    rows.push(r[0]!);
    seen.add(Number(r[0]!['port']));
  }
  return { rows, ports: seen };
}

/** Server thread `thread` of the backend at `ep` is running a SLEEP (its processlist, read directly). */
async function sleepRunning(ep: Endpoint, thread: number): Promise<boolean> {
  const rows = await directSql(`SELECT COUNT(*) AS n FROM information_schema.processlist WHERE id = ${thread} AND info LIKE 'SELECT SLEEP(%'`, ep);
  return Number((rows as { n: number }[])[0]?.n) === 1;
}

describe('one client session over two servers (random mode, proxy scramble)', () => {
  let proxy: ProxyProcess;
  let ep: Endpoint;
  const both = [backendA().port, backendB().port].sort();

  before(async () => {
    await prepareData(backendA());
    await prepareData(backendB());
    proxy = await startProxy(['-o', `server_routing_mode=random,${SCRAMBLE}`], { backends: [backendA(), backendB()] });
    ep = { host: '127.0.0.1', port: proxy.port };
  });
  after(async () => {
    await proxy.stop();
  });

  test('statements land on both servers while the session state follows them', async () => {
    const c = await connect(ep, { user: users.app.user, password: users.app.password, database: DB });
    try {
      await c.query(`USE ${DB}2`);
      await c.query("SET SESSION sql_mode = 'ANSI_QUOTES,NO_ZERO_DATE', time_zone = '+03:00'");
      await c.query("SET @a = 42, @s = 'it''s \\\\ \"q\" é', @n = NULL, @b = X'00ff10'");
      await c.query('SELECT @c := 6 * 7');
      await c.query('SET @@session.group_concat_max_len = 4096 * 2');
      await c.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
      const r = await ports(c, 'SELECT DATABASE() AS db, @@sql_mode AS mode, @@time_zone AS tz, @a AS a, @s AS s, @n AS n, HEX(@b) AS b, @c AS c, @@group_concat_max_len AS g, @@tx_isolation AS iso, @@port AS port', 40);
      assert.deepEqual([...r.ports].sort(), both, 'both servers ran statements');
      for (const row of r.rows) {
        assert.equal(row['db'], `${DB}2`);
        assert.equal(row['mode'], 'ANSI_QUOTES,NO_ZERO_DATE');
        assert.equal(row['tz'], '+03:00');
        assert.equal(Number(row['a']), 42);
        assert.equal(row['s'], 'it\'s \\ "q" é');
        assert.equal(row['n'], null);
        assert.equal(row['b'], '00FF10');
        assert.equal(Number(row['c']), 42);
        assert.equal(Number(row['g']), 8192);
        assert.equal(row['iso'], 'READ-COMMITTED');
      }
    } finally {
      c.destroy();
    }
  });

  test('SET NAMES and data in that character set survive moves', async () => {
    const c = await connect(ep, { user: users.app.user, password: users.app.password, charset: 'UTF8MB4_GENERAL_CI' });
    try {
      await c.query('SET NAMES utf8mb4 COLLATE utf8mb4_bin');
      const r = await ports(c, "SELECT @@character_set_client AS cs, @@collation_connection AS coll, 'ü€😀' AS t, @@port AS port", 30);
      assert.deepEqual([...r.ports].sort(), both);
      for (const row of r.rows) {
        assert.equal(row['cs'], 'utf8mb4');
        assert.equal(row['coll'], 'utf8mb4_bin');
        assert.equal(row['t'], 'ü€😀');
      }
    } finally {
      c.destroy();
    }
  });

  test('LAST_INSERT_ID() answers as on one connection wherever the insert ran', async () => {
    const c = await connect(ep, { user: users.app.user, password: users.app.password, database: DB });
    try {
      for (let i = 0; i < 10; i++) {
        const [res] = await c.query<mysql.ResultSetHeader>("INSERT INTO auto (v) VALUES ('x')");
        assert.ok(res.insertId > 0);
        // Move the session around, then ask.
        await ports(c, 'SELECT @@port AS port', 3);
        const [r] = await c.query<mysql.RowDataPacket[]>('SELECT LAST_INSERT_ID() AS id');
        assert.equal(Number(r[0]!['id']), res.insertId, `round ${i}`);
      }
    } finally {
      c.destroy();
    }
  });

  test('binary prepared statements run on both servers with proxy statement ids (mysql2 execute)', async () => {
    const c = await connect(ep, { user: users.app.user, password: users.app.password, database: DB });
    try {
      const seen = new Set<number>();
      for (let i = 0; i < 40; i++) {
        const [r] = await c.execute<mysql.RowDataPacket[]>('SELECT ? + 1 AS v, ? AS s, @@port AS port', [i, `s${i}`]);
        assert.equal(Number(r[0]!['v']), i + 1);
        assert.equal(r[0]!['s'], `s${i}`);
        seen.add(Number(r[0]!['port']));
      }
      assert.deepEqual([...seen].sort(), both);
      const [r2] = await c.execute<mysql.RowDataPacket[]>('SELECT ? * 2 AS v', [21]);
      assert.equal(Number(r2[0]!['v']), 42);
      c.unprepare('SELECT ? * 2 AS v');
      const [r3] = await c.execute<mysql.RowDataPacket[]>('SELECT ? * 2 AS v', [5]);
      assert.equal(Number(r3[0]!['v']), 10);
    } finally {
      c.destroy();
    }
  });

  test('text PREPARE / EXECUTE / DEALLOCATE follow the session', async () => {
    const c = await connect(ep, { user: users.app.user, password: users.app.password });
    try {
      await c.query("PREPARE s1 FROM 'SELECT ? * 3 AS v, @@port AS port'");
      await c.query('SET @x = 5');
      const seen = new Set<number>();
      for (let i = 0; i < 30; i++) {
        const [r] = await c.query<mysql.RowDataPacket[][]>('EXECUTE s1 USING @x');
        const row = (r as unknown as mysql.RowDataPacket[])[0]!;
        assert.equal(Number(row['v']), 15);
        seen.add(Number(row['port']));
      }
      assert.deepEqual([...seen].sort(), both);
      await c.query('DEALLOCATE PREPARE s1');
      await assert.rejects(c.query('EXECUTE s1 USING @x'), (e: { errno?: number }) => e.errno === 1243);
    } finally {
      c.destroy();
    }
  });

  test('PREPARE s FROM @v keeps the text @v had at PREPARE time on every server, whatever @v holds later', async () => {
    const c = await connect(ep, { user: users.app.user, password: users.app.password });
    try {
      await c.query("SET @q = 'SELECT ''it''''s'' AS v, @@port AS port'");
      await c.query('PREPARE s_var FROM @q');
      await c.query("SET @q = 'SELECT 2 AS v, @@port AS port'"); // a direct connection's s_var does not change
      const seen = new Set<number>();
      for (let i = 0; i < 30; i++) {
        const [r] = await c.query<mysql.RowDataPacket[][]>('EXECUTE s_var');
        const row = (r as unknown as mysql.RowDataPacket[])[0]!;
        assert.equal(row['v'], "it's", `execution ${i} on port ${String(row['port'])}`);
        seen.add(Number(row['port']));
      }
      assert.deepEqual([...seen].sort(), both, 'executed (and so re-prepared) on both servers');
      await c.query('DEALLOCATE PREPARE s_var');
    } finally {
      c.destroy();
    }
  });

  test('a transaction runs on one server from its first statement; BEGIN ... ROLLBACK with nothing in it is fine', async () => {
    const c = await connect(ep, { user: users.app.user, password: users.app.password, database: DB });
    try {
      await c.query('BEGIN');
      await c.query('ROLLBACK');
      for (let round = 0; round < 6; round++) {
        await c.query('START TRANSACTION');
        const [ins] = await c.query<mysql.ResultSetHeader>(`INSERT INTO txn VALUES (${round}, @@port)`);
        assert.equal(ins.affectedRows, 1);
        const r = await ports(c, 'SELECT @@port AS port, @@in_transaction AS t', 5);
        assert.equal(r.ports.size, 1, 'one server inside the transaction');
        for (const row of r.rows) assert.equal(Number(row['t']), 1);
        await c.query('COMMIT');
      }
      const [a] = await withConn(backendA(), {}, (d) => d.query<mysql.RowDataPacket[]>(`SELECT id, v FROM ${DB}.txn`));
      const [b] = await withConn(backendB(), {}, (d) => d.query<mysql.RowDataPacket[]>(`SELECT id, v FROM ${DB}.txn`));
      assert.equal(a.length + b.length, 6, 'each committed row exists exactly once');
      for (const row of a) assert.equal(Number(row['v']), backendA().port);
      for (const row of b) assert.equal(Number(row['v']), backendB().port);
    } finally {
      c.destroy();
    }
  });

  test('target_db_server hints choose the server; temporary tables pin the session', async () => {
    const c = await connect(ep, { user: users.app.user, password: users.app.password, database: DB });
    try {
      for (const p of both) {
        const [r] = await c.query<mysql.RowDataPacket[]>(`/* target_db_server=127.0.0.1:${p} */ SELECT @@port AS port`);
        assert.equal(Number(r[0]!['port']), p);
      }
      await c.query('CREATE TEMPORARY TABLE tmp1 (x INT)');
      await c.query('INSERT INTO tmp1 VALUES (1), (2)');
      const r = await ports(c, 'SELECT @@port AS port, (SELECT COUNT(*) FROM tmp1) AS n', 10);
      assert.equal(r.ports.size, 1);
      for (const row of r.rows) assert.equal(Number(row['n']), 2);
    } finally {
      c.destroy();
    }
  });

  test('a wrong password is refused by the proxy with 1045; an unknown user too', async () => {
    await assert.rejects(connect(ep, { user: users.app.user, password: 'wrong' }), (e: { errno?: number; sqlState?: string }) => e.errno === 1045 && e.sqlState === '28000');
    await assert.rejects(connect(ep, { user: 'nobody_here', password: 'x' }), (e: { errno?: number }) => e.errno === 1045);
    await assert.rejects(connect(ep, { user: users.app.user, password: users.app.password, database: 'no_such_db_ms' }), (e: { errno?: number }) => e.errno === 1044 || e.errno === 1049);
  });

  test('text PREPARE / DEALLOCATE PREPARE in random mode: DEALLOCATE reaches a server that has the statement; a second one fails as direct', async () => {
    const c = await connect(ep, { user: users.app.user, password: users.app.password, database: DB });
    try {
      for (let i = 0; i < 20; i++) {
        await c.query(`PREPARE odp_dp FROM 'SELECT ${i} AS n'`);
        await c.query('SELECT @@port'); // moves the session between servers
        await c.query('DEALLOCATE PREPARE odp_dp');
        await assert.rejects(c.query('DEALLOCATE PREPARE odp_dp'), (e: { errno?: number }) => e.errno === 1243, 'already deallocated');
      }
    } finally {
      c.destroy();
    }
  });

  test('the mariadb CLI sees one consistent session', async () => {
    const script = `USE ${DB}2; SET @v = 'cli'; SET SESSION sql_mode = 'TRADITIONAL';` +
      Array.from({ length: 40 }, () => 'SELECT DATABASE(), @v, @@sql_mode, @@port;').join(' ');
    const { stdout } = await run('mariadb', ['-h127.0.0.1', `-P${proxy.port}`, `-u${users.app.user}`, `-p${users.app.password}`, '-N', '-B', '-e', script]);
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, 40);
    const seen = new Set<string>();
    for (const l of lines) {
      const [db, v, mode, port] = l.split('\t');
      assert.equal(db, `${DB}2`);
      assert.equal(v, 'cli');
      assert.match(mode ?? '', /STRICT_TRANS_TABLES/);
      seen.add(port ?? '');
    }
    assert.equal(seen.size, 2, 'both servers ran statements of the one CLI session');
  });

  test('COM_CHANGE_USER: verified by the proxy, state reset, both servers still used; a wrong password ends the session', async () => {
    // (mysql2 replaces an empty password by the connection's own, so the switch goes from root to odp_app.)
    const c = await connect(ep, { user: users.root.user, password: users.root.password, database: DB });
    try {
      await c.query('SET @gone = 1');
      await c.changeUser({ user: users.app.user, password: users.app.password, database: `${DB}2` });
      const r = await ports(c, 'SELECT CURRENT_USER() AS u, @gone AS g, DATABASE() AS db, @@port AS port', 20);
      assert.deepEqual([...r.ports].sort(), both);
      for (const row of r.rows) {
        assert.match(String(row['u']), /^odp_app@/);
        assert.equal(row['g'], null);
        assert.equal(row['db'], `${DB}2`);
      }
      await assert.rejects(c.changeUser({ user: users.app.user, password: 'wrong' }), (e: { errno?: number }) => e.errno === 1045);
    } finally {
      c.destroy();
    }
  });

  test('KILL and SHOW PROCESSLIST use the proxy ids', async () => {
    const victim = await connect(ep, { user: users.app.user, password: users.app.password });
    const killer = await connect(ep, { user: users.app.user, password: users.app.password });
    try {
      const [pl] = await killer.query<mysql.RowDataPacket[]>('SHOW PROCESSLIST');
      const ids = pl.map((r) => Number(r['Id']));
      assert.ok(ids.includes(victim.threadId!) && ids.includes(killer.threadId!), `processlist ids ${ids.join(',')}`);
      await assert.rejects(killer.query('KILL 999999'), (e: { errno?: number }) => e.errno === 1094);
      await killer.query(`KILL ${victim.threadId!}`);
      await assert.rejects(victim.query('SELECT 1'));
      const [r] = await killer.query<mysql.RowDataPacket[]>('SELECT 1 AS one');
      assert.equal(Number(r[0]!['one']), 1);
    } finally {
      victim.destroy();
      killer.destroy();
    }
  });

  test('KILL [QUERY] with the server thread id CONNECTION_ID() returns kills that proxy session\'s statement or session', async () => {
    const victim = await connect(ep, { user: users.app.user, password: users.app.password });
    const killer = await connect(ep, { user: users.app.user, password: users.app.password });
    try {
      // Pin the victim to one server (a transaction) so CONNECTION_ID() and the sleep run on the same connection.
      await victim.query('BEGIN');
      const [idRow] = await victim.query<mysql.RowDataPacket[]>('SELECT CONNECTION_ID() AS id, @@port AS port');
      const threadId = Number(idRow[0]!['id']);
      const port = Number(idRow[0]!['port']);
      assert.notEqual(threadId, victim.threadId, 'the server thread id differs from the proxy id');
      // The killer must be on the victim's server for the id to mean that server's thread.
      await killer.query('BEGIN');
      let on = 0;
      for (let i = 0; i < 40 && on !== port; i++) {
        await killer.query('COMMIT');
        await killer.query('BEGIN');
        const [p] = await killer.query<mysql.RowDataPacket[]>('SELECT @@port AS port');
        on = Number(p[0]!['port']);
      }
      assert.equal(on, port, 'the killer reached the victim\'s server');
      const started = Date.now();
      const sleeping = victim.query<mysql.RowDataPacket[]>('SELECT SLEEP(5) AS s');
      // Kill only once the server runs the SLEEP (asked of that server directly), else the KILL QUERY finds nothing.
      const running = await waitUntil(5000, () => sleepRunning([backendA(), backendB()].find((b) => b.port === port)!, threadId), (n) => n);
      assert.ok(running, 'the SLEEP reached its server');
      await killer.query(`KILL QUERY ${threadId}`);
      await sleeping.then(
        ([s]) => assert.equal(Number(s[0]!['s']), 1, 'SLEEP was interrupted (MySQL: returns 1)'),
        (e: { errno?: number }) => assert.equal(e.errno, 1317, 'SLEEP was interrupted (MariaDB: ER_QUERY_INTERRUPTED)'));
      assert.ok(Date.now() - started < 4000, 'interrupted well before 5 s');
      await killer.query(`KILL ${threadId}`);
      await assert.rejects(victim.query('SELECT 1'), 'the victim session is closed');
      await killer.query('COMMIT');
    } finally {
      victim.destroy();
      killer.destroy();
    }
  });
});

/** A TCP relay in front of a backend that the test can cut: a server that dies, as seen by the proxy. */
class Cuttable {
  server: Server | null = null;
  readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: Endpoint) {}
  async start(port = 0): Promise<void> {
    this.port = port === 0 ? await freePort() : port;
    const srv = createServer((s) => {
      const up = netConnect(this.target.port, this.target.host);
      this.sockets.add(s).add(up);
      s.pipe(up).pipe(s);
      const end = (): void => { s.destroy(); up.destroy(); };
      s.on('error', end).on('close', end);
      up.on('error', end).on('close', end);
    });
    await new Promise<void>((r) => srv.listen(this.port, '127.0.0.1', r));
    this.server = srv;
  }
  cut(): void {
    this.server?.close();
    this.server = null;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }
}

describe('failover between statements (mysql mode, proxy scramble)', () => {
  async function withRelayProxy(fn: (relay: Cuttable, ep: Endpoint, proxy: ProxyProcess) => Promise<void>): Promise<void> {
    await prepareData(backendA());
    await prepareData(backendB());
    const relay = new Cuttable(backendA());
    await relay.start();
    const proxy = await startProxy(['-o', `${SCRAMBLE},min_keep_congestion_interval=60s`], { backends: [{ host: '127.0.0.1', port: relay.port }, backendB()] });
    try {
      await fn(relay, { host: '127.0.0.1', port: proxy.port }, proxy);
      assert.equal(proxy.proc.exitCode, null, 'the proxy is still running');
    } finally {
      relay.cut();
      await proxy.stop();
    }
  }

  test('the home server dies between statements: the session goes on on the other one, with its state', async () => {
    await withRelayProxy(async (relay, ep, proxy) => {
      const c = await connect(ep, { user: users.app.user, password: users.app.password, database: DB });
      try {
        await c.query("SET @keep = 'kept', SESSION time_zone = '-02:00'");
        const [r1] = await c.query<mysql.RowDataPacket[]>('SELECT @@port AS port');
        assert.equal(Number(r1[0]!['port']), backendA().port, 'home is the first server');
        const mark = proxy.output().length;
        relay.cut();
        // Let the proxy see the close first: a statement already on its way to a dying server gets an error instead.
        await waitForOutput(proxy, new RegExp(`server 127\\.0\\.0\\.1:${relay.port} closed the connection of cs_id=${c.threadId!}\\b`), mark);
        const [r2] = await c.query<mysql.RowDataPacket[]>('SELECT @@port AS port, @keep AS k, @@time_zone AS tz, DATABASE() AS db');
        assert.equal(Number(r2[0]!['port']), backendB().port);
        assert.equal(r2[0]!['k'], 'kept');
        assert.equal(r2[0]!['tz'], '-02:00');
        assert.equal(r2[0]!['db'], DB);
      } finally {
        c.destroy();
      }
    });
  });

  test('the server of an open transaction dies: an error and a closed session, never a silent switch', async () => {
    await withRelayProxy(async (relay, ep) => {
      const t = await connect(ep, { user: users.app.user, password: users.app.password, database: DB });
      try {
        await t.query('BEGIN');
        const [p] = await t.query<mysql.RowDataPacket[]>('SELECT @@port AS port, @@in_transaction AS tx');
        assert.equal(Number(p[0]!['port']), backendA().port);
        assert.equal(Number(p[0]!['tx']), 1);
        relay.cut();
        await assert.rejects(t.query('SELECT 2'));
        await assert.rejects(t.query('SELECT 3'), 'the session is closed after its transaction was lost');
      } finally {
        t.destroy();
      }
      // Other clients are served by the surviving server.
      await withConn(ep, { user: users.app.user, password: users.app.password }, async (c) => {
        const [r] = await c.query<mysql.RowDataPacket[]>('SELECT @@port AS port');
        assert.equal(Number(r[0]!['port']), backendB().port);
      });
    });
  });
});
