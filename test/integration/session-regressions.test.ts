// Regressions from the core review: each test failed on the code before its fix.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { backendA, startProxy, users, type ProxyProcess } from './harness.js';
import { RawConn, frame, greetingConnectionId, handshakeResponse, parseGreeting } from './raw-client.js';
import { directSql, waitUntil } from './target.js';

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

void describe('session regressions', { timeout: 120_000 }, () => {
  let proxy: ProxyProcess;

  void test('a request started in the same write as the last auth packet, finished later, is served', async () => {
    proxy = await startProxy();
    const ep = { host: '127.0.0.1', port: proxy.port };
    const c = await RawConn.open(ep);
    const greeting = await c.read();
    assert.ok(greetingConnectionId(greeting.payload) > 0);
    const { scramble } = parseGreeting(greeting.payload);
    const query = frame(Buffer.concat([Buffer.from([0x03]), Buffer.from('select 42')]), 0);
    // root has an empty password in the lab: the token is valid whatever the scramble.
    c.write(Buffer.concat([frame(handshakeResponse('root', '', scramble), 1), query.subarray(0, 3)]));
    const ok = await c.read();
    assert.equal(ok.payload[0], 0x00);
    await new Promise((r) => setTimeout(r, 200));
    c.write(query.subarray(3));
    const reply = await c.read();
    assert.equal(reply.payload[0], 1, 'a one-column result set');
    c.destroy();
  });

  void test('pass-through: KILL QUERY / KILL with the server thread id (CONNECTION_ID()) act on that session; unknown ids get the server\'s 1094', async () => {
    const own = await startProxy();
    const login = { host: '127.0.0.1', port: own.port, user: users.app.user, password: users.app.password };
    const victim = await mysql.createConnection(login);
    const killer = await mysql.createConnection(login);
    try {
      const [rows] = await victim.query('SELECT CONNECTION_ID() AS id');
      const threadId = Number((rows as { id: number }[])[0]!.id);
      const started = Date.now();
      const sleeping = victim.query('SELECT SLEEP(5) AS s');
      // Kill only once the server runs the SLEEP (backend A's processlist, read directly), else KILL QUERY finds nothing.
      const sleepRunning = async (): Promise<boolean> => Number(((await directSql(
        `SELECT COUNT(*) AS n FROM information_schema.processlist WHERE id = ${threadId} AND info LIKE 'SELECT SLEEP(%'`)) as { n: number }[])[0]?.n) === 1;
      assert.ok(await waitUntil(5000, sleepRunning, (x) => x), 'the SLEEP reached the server');
      await killer.query(`KILL QUERY ${threadId}`);
      await sleeping.then(
        ([s]) => assert.equal(Number((s as { s: number }[])[0]!.s), 1, 'SLEEP was interrupted (MySQL: returns 1)'),
        (e: { errno?: number }) => assert.equal(e.errno, 1317, 'SLEEP was interrupted (MariaDB: ER_QUERY_INTERRUPTED)'));
      assert.ok(Date.now() - started < 4000);
      await assert.rejects(killer.query('KILL 4000000000'), (e: { errno?: number; message?: string }) => e.errno === 1094);
      await killer.query(`KILL CONNECTION ${threadId}`);
      await assert.rejects(victim.query('SELECT 1'));
      const [one] = await killer.query('SELECT 1 AS one');
      assert.equal(Number((one as { one: number }[])[0]!.one), 1);
    } finally {
      victim.destroy();
      killer.destroy();
      await own.stop();
    }
  });

  void test('COM_CHANGE_USER to a normal user drops proxy admin rights, and many change-users add no listeners', async () => {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: proxy.port, user: 'root' });
    await c.query("ALTER PROXYCONFIG SET slow_query_time_threshold='700ms'");
    for (let i = 0; i < 15; i++) {
      await c.changeUser({ user: users.app.user, password: users.app.password });
    }
    const [rows] = await c.query('SELECT CURRENT_USER() AS u');
    assert.equal((rows as { u: string }[])[0]?.u, 'odp_app@%');
    await assert.rejects(c.query("ALTER PROXYCONFIG SET slow_query_time_threshold='800ms'"), (e: { errno?: number }) => e.errno === 1227);
    await c.end();
    assert.doesNotMatch(proxy.output(), /MaxListenersExceededWarning/);
  });

  void test('a client that pipelines pings and never reads does not make the proxy buffer the answers', async () => {
    const { user, password } = users.app;
    const c = await RawConn.login({ host: '127.0.0.1', port: proxy.port }, user, password);
    c.socket.pause();
    const before = rssKiB(proxy.proc.pid!);
    const ping = frame(Buffer.from([0x0e]), 0);
    const batch = Buffer.concat(Array.from({ length: 100_000 }, () => ping)); // 500 KB of requests
    // Never wait for 'drain' (it never comes when backpressure works): write, give the proxy time, and stop once
    // 8 MB sit unsent in our own socket, i.e. the proxy stopped reading.
    for (let i = 0; i < 40 && c.socket.writableLength < 8 * 1024 * 1024; i++) {
      c.socket.write(batch);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(c.socket.writableLength > 0, 'the proxy stopped reading requests it cannot answer');
    await new Promise((r) => setTimeout(r, 500));
    const grown = rssKiB(proxy.proc.pid!) - before;
    // Unbounded, 4 million OK packets would be ~44 MB of answers held in the proxy.
    assert.ok(grown < 32 * 1024, `proxy RSS grew by ${grown} KiB`);
    c.destroy();
  });

  void test('the proxy still serves after all that, and its backend connections do not leak', async () => {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: proxy.port, user: 'root' });
    const [rows] = await c.query('SELECT 1 AS one');
    assert.equal((rows as { one: number }[])[0]?.one, 1);
    await c.end();
    await proxy.stop();
    const direct = await mysql.createConnection({ host: backendA().host, port: backendA().port, user: 'root' });
    const deadline = Date.now() + 15_000;
    let n = 99;
    while (Date.now() < deadline) {
      const [r] = await direct.query("SELECT COUNT(*) AS n FROM information_schema.processlist WHERE USER IN ('odp_app') ");
      n = Number((r as { n: number }[])[0]?.n);
      if (n === 0) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    await direct.end();
    assert.equal(n, 0, 'backend sessions of the proxy are gone after it stopped');
  });
});
