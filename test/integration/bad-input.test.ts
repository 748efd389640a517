// Bad input from raw clients (issue 2, "Bad input"): the proxy answers with an ERR packet where the protocol
// allows, closes only that connection, and keeps serving everyone else. After every case a normal mysql2 client
// must still work through the same proxy process. MariaDB directly (ODP_ITEST_DIRECT=1) passes the same tests.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { users } from './harness.js';
import { RawConn, frame, greetingConnectionId, handshakeResponse, parseErr, parseGreeting, type Packet } from './raw-client.js';
import { assertProxyServes, backendConnectionCount, directSql, openTarget, waitUntil, withConn, type Target } from './target.js';

const T = { timeout: 60_000 };
const LEAK_USER = { user: 'odp_itest_leak', password: 'leak_pw' };

let t: Target;
/** Connection id (cs_id) the proxy announced -> the bad input that connection then sent. */
const badIds = new Map<number, string>();

before(async () => {
  t = await openTarget();
  await directSql(`CREATE USER IF NOT EXISTS '${LEAK_USER.user}'@'%' IDENTIFIED BY '${LEAK_USER.password}'; ` +
    `GRANT SELECT ON *.* TO '${LEAK_USER.user}'@'%'`);
});
after(async () => {
  await directSql(`DROP USER IF EXISTS '${LEAK_USER.user}'@'%'`);
  await t.stop();
});
afterEach(() => assertProxyServes(t));

const isErr = (p: Packet): boolean => p.payload[0] === 0xff;
const describePackets = (ps: Packet[]): string =>
  JSON.stringify(ps.map((p) => (isErr(p) ? parseErr(p.payload) : p.payload.subarray(0, 8).toString('hex'))));

/** Opens a raw connection and reads the greeting (HandshakeV10, protocol version 10). */
async function greeted(what: string): Promise<{ c: RawConn; scramble: Buffer }> {
  const c = await RawConn.open(t.endpoint);
  const g = await c.read();
  assert.equal(g.payload[0], 0x0a, 'greeting is HandshakeV10');
  badIds.set(greetingConnectionId(g.payload), what);
  return { c, scramble: parseGreeting(g.payload).scramble };
}

/** Logs in and remembers the connection id (the command-phase bad-input cases). */
async function loggedIn(what: string): Promise<RawConn> {
  const c = await RawConn.login(t.endpoint, users.root.user, users.root.password);
  badIds.set(c.connectionId, what);
  return c;
}

/** The connection closes within `ms`, and whatever arrived before the close is at most one ERR packet. */
async function expectErrOrClose(c: RawConn, ms = 5000): Promise<Packet[]> {
  let got: Packet[];
  try {
    got = await c.drainUntilClose(ms);
  } finally {
    c.destroy();
  }
  assert.ok(got.length <= 1 && got.every(isErr), `expected at most one ERR before the close, got ${describePackets(got)}`);
  return got;
}

/** Processlist rows of `user` on the backend. */
async function sessionsOf(user: string): Promise<number> {
  const rows = (await directSql(`SELECT COUNT(*) AS n FROM information_schema.processlist WHERE user = '${user}'`, t.direct)) as { n: number }[];
  return Number(rows[0]?.n);
}

void describe('bad input through the proxy', () => {
  void test('random bytes right after connect: at most an ERR, then a close (fast-check)', T, async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async (bytes) => {
      const c = await RawConn.open(t.endpoint);
      c.write(Buffer.from(bytes));
      c.socket.end();
      const first = await c.readOrClose();
      assert.ok(first === null || first.payload[0] === 0x0a || isErr(first), 'greeting or ERR first');
      if (first?.payload[0] === 0x0a) badIds.set(greetingConnectionId(first.payload), 'random bytes');
      await expectErrOrClose(c);
      await assertProxyServes(t);
    }), { numRuns: 30, endOnFailure: true });
  });

  void test('garbage then an immediate half-close (x20)', T, async () => {
    // These clients never see their connection id; ODP-style cs_ids are sequential, so the ids between two
    // well-behaved sessions opened around them identify them for the log check below.
    const threadId = (): Promise<number> => withConn(t.endpoint, {}, (c) => Promise.resolve(c.threadId));
    const first = await threadId();
    for (let i = 0; i < 20; i++) {
      const c = await RawConn.open(t.endpoint);
      c.write(randomBytes(1 + i));
      c.socket.end();
      const greeting = await c.readOrClose();
      assert.ok(greeting === null || greeting.payload[0] === 0x0a || isErr(greeting), 'greeting or ERR first');
      await expectErrOrClose(c);
    }
    const last = await threadId();
    if (t.proxy !== null && last - first === 21) for (let id = first + 1; id < last; id++) badIds.set(id, 'garbage + immediate half-close');
  });

  void test('a random, well-framed HandshakeResponse: ERR (seq 2), then a close', T, async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 200 }), async (bytes) => {
      const { c } = await greeted('random HandshakeResponse');
      c.write(frame(Buffer.from(bytes), 1));
      const got = await expectErrOrClose(c);
      assert.equal(got.length, 1, 'the protocol allows an ERR here, so one is sent');
      assert.equal(got[0]?.seq, 2);
      await assertProxyServes(t);
    }), { numRuns: 30, endOnFailure: true });
  });

  void test('a truncated HandshakeResponse then close', T, async () => {
    const full = frame(handshakeResponse(users.root.user, users.root.password, Buffer.alloc(20)), 1);
    for (const cut of [1, 3, 4, 5, 20, 36, full.length - 1]) {
      const { c, scramble } = await greeted(`HandshakeResponse cut at ${cut}`);
      c.write(frame(handshakeResponse(users.root.user, users.root.password, scramble), 1).subarray(0, cut));
      c.socket.end();
      await expectErrOrClose(c);
    }
  });

  void test('a header announcing 16 MiB, a few bytes, then close (handshake and command phase)', T, async () => {
    const header16m = Buffer.from([0xff, 0xff, 0xff, 0x01, 0x41, 0x42, 0x43]);
    const { c } = await greeted('16 MiB header in the handshake');
    c.write(header16m);
    c.socket.end();
    await expectErrOrClose(c);
    const s = await loggedIn('16 MiB header in the command phase');
    s.write(Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0x00, 0x03]), Buffer.from('SELECT ')]));
    s.socket.end();
    await expectErrOrClose(s);
  });

  void test('a command with sequence id 5: ERR 1156 (packets out of order) or a close', T, async () => {
    const c = await loggedIn('seq id 5');
    c.write(frame(Buffer.from('\x03SELECT 1'), 5));
    const got = await expectErrOrClose(c);
    for (const p of got) assert.equal(parseErr(p.payload).errno, 1156, describePackets(got));
  });

  void test('unknown command byte 0x55: ERR 1047, the session stays usable', T, async () => {
    const c = await RawConn.login(t.endpoint, users.root.user, users.root.password);
    try {
      assert.deepEqual(await c.command(Buffer.from([0x55])),
        { kind: 'err', err: { errno: 1047, sqlState: '08S01', message: 'Unknown command' } });
      assert.deepEqual(await c.query('SELECT 1'), { kind: 'rows', rows: [['1']] });
      assert.deepEqual(await c.command(Buffer.from([0x55, 0x01, 0x02])),
        { kind: 'err', err: { errno: 1047, sqlState: '08S01', message: 'Unknown command' } });
      assert.deepEqual(await c.query("SELECT 'still', 2"), { kind: 'rows', rows: [['still', '2']] });
    } finally {
      c.destroy();
    }
  });

  void test('COM_PING answered with OK; COM_INIT_DB switches schema or fails as direct', T, async () => {
    const c = await RawConn.login(t.endpoint, users.root.user, users.root.password);
    try {
      for (let i = 0; i < 3; i++) assert.deepEqual(await c.command(Buffer.from([0x0e])), { kind: 'ok' });
      assert.deepEqual(await c.command(Buffer.from('\x02mysql')), { kind: 'ok' });
      assert.deepEqual(await c.query('SELECT DATABASE()'), { kind: 'rows', rows: [['mysql']] });
      const bad = await c.command(Buffer.from('\x02no_such_db_odp'));
      assert.deepEqual(bad, { kind: 'err', err: { errno: 1049, sqlState: '42000', message: "Unknown database 'no_such_db_odp'" } });
      assert.deepEqual(await c.query('SELECT DATABASE()'), { kind: 'rows', rows: [['mysql']] });
      assert.deepEqual(await c.command(Buffer.from([0x0e])), { kind: 'ok' });
    } finally {
      c.destroy();
    }
  });

  void test('a client that disconnects mid-result-set: the server connection goes away too', T, async () => {
    for (let run = 0; run < 4; run++) {
      // The previous run's server session closes asynchronously after its client left: wait for it to go.
      assert.equal(await waitUntil(10_000, () => sessionsOf(LEAK_USER.user), (n) => n === 0), 0,
        run === 0 ? 'no backend session of this user before the test' : `the backend session of run ${run - 1} was closed`);
      const c = await RawConn.login(t.endpoint, LEAK_USER.user, LEAK_USER.password);
      assert.equal(await sessionsOf(LEAK_USER.user), 1);
      let bytes = 0;
      const enough = new Promise<void>((resolve) => c.socket.on('data', (d: Buffer) => {
        bytes += d.length;
        if (bytes > 256 * 1024) resolve();
      }));
      c.write(frame(Buffer.from(`\x03SELECT seq, REPEAT('x', 500) FROM mysql.seq_1_to_5000000`), 0));
      await enough;
      if (run % 2 === 0) c.destroy();
      else c.socket.resetAndDestroy();
    }
    const left = await waitUntil(10_000, () => sessionsOf(LEAK_USER.user), (n) => n === 0);
    assert.equal(left, 0, 'backend sessions of disconnected clients are closed');
  });

  void test('1000 rapid connect/disconnect cycles without auth: backend connections back to baseline', { timeout: 120_000 }, async () => {
    const baseline = await backendConnectionCount(t.direct);
    const cycle = async (i: number): Promise<void> => {
      const c = await RawConn.open(t.endpoint);
      if (i % 3 !== 0) {
        const g = await c.readOrClose(); // let the greeting arrive first
        if (i % 3 === 2 && g !== null) {
          c.write(randomBytes(3)); // part of a header, then gone: bad input
          badIds.set(greetingConnectionId(g.payload), 'connect, 3 bytes, disconnect');
        }
      }
      c.destroy();
      await c.closed;
    };
    for (let i = 0; i < 1000; i += 25) await Promise.all(Array.from({ length: 25 }, (_, k) => cycle(i + k)));
    const now = await waitUntil(10_000, () => backendConnectionCount(t.direct), (n) => n <= baseline);
    assert.ok(now <= baseline, `backend connections ${now} > baseline ${baseline}`);
  });

  void test('the proxy logged no uncaught exception and no stack trace', T, () => {
    if (t.proxy === null) return;
    const out = t.proxy.output();
    if (process.env['ODP_ITEST_SHOW_LOG'] === '1') console.log(out);
    assert.doesNotMatch(out, /uncaught exception|unhandled rejection/i);
    assert.doesNotMatch(out, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace in the log');
  });

  void test('each connection closed for bad input logged exactly one line (cs_id = greeting connection id)', T, () => {
    if (t.proxy === null) return;
    const lines = t.proxy.output().split('\n');
    const wrong: string[] = [];
    const byCase = new Map<string, number>();
    for (const [id, what] of badIds) {
      const mine = lines.filter((l) => new RegExp(`cs_id=${id}\\b`).test(l));
      if (mine.length === 1) continue;
      byCase.set(`${what}: ${mine.length} lines`, (byCase.get(`${what}: ${mine.length} lines`) ?? 0) + 1);
      wrong.push(`cs_id=${id} (${what}): ${mine.length} lines${mine.map((l) => `\n    ${l}`).join('')}`);
    }
    assert.ok(badIds.size >= 35, `bad connections seen: ${badIds.size}`);
    assert.equal(wrong.length, 0, `${wrong.length} of ${badIds.size} bad connections did not log exactly one line ` +
      `(${[...byCase].map(([k, n]) => `${n}x ${k}`).join('; ')}), e.g.:\n${wrong.slice(0, 4).join('\n')}`);
  });
});
