// SIGTERM under load (issue 3 "Done when": no client receives a truncated result; every committed transaction is
// durable). The proxy drains (docs/COMPATIBILITY.md: idle sessions close, busy ones get `drain_timeout`, then
// ERR 1053): in-flight statements and open transactions finish up to drain_timeout, the rest are closed.
// Oracles are independent of the proxy: test-a read directly for durability and atomicity, the known contents
// of the `big` table for result completeness, and wall-clock time for the exit.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type mysql from 'mysql2/promise';
import { backendA, backendB, startProxy, users, type Endpoint, type ProxyProcess } from './harness.js';
import { connect, core, directSql, withConn } from './target.js';

const DB = 'drain_test';
const BIG_ROWS = 20_000;
const BIG_ID_SUM = (BIG_ROWS * (BIG_ROWS + 1)) / 2;
const DRAIN_MS = 5000;
/** How much later than drain_timeout the process may exit (the last writes flush, then exit; a slow machine). */
const EXIT_SLACK_MS = 9000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const sha1hex = (s: string): string => createHash('sha1').update(s).digest('hex');
const MULTI = ['-o', `server_routing_mode=random,enable_proxy_scramble=true,observer_sys_password=${sha1hex(users.proxyro.password)}`];

async function createTables(ep: Endpoint): Promise<void> {
  await directSql(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB};
    CREATE TABLE ${DB}.journal (id BIGINT PRIMARY KEY, client INT NOT NULL) ENGINE=InnoDB;
    CREATE TABLE ${DB}.big (id INT PRIMARY KEY, payload CHAR(100) NOT NULL) ENGINE=InnoDB;
    INSERT INTO ${DB}.big SELECT seq, LPAD(seq, 100, 'x') FROM ${DB}.seq_1_to_${BIG_ROWS};`, ep);
}

async function journalIds(ep: Endpoint): Promise<Set<number>> {
  return withConn(ep, { database: DB }, async (c) => {
    const [rows] = await c.query<mysql.RowDataPacket[]>('SELECT id FROM journal');
    return new Set(rows.map((r) => Number(r['id'])));
  });
}

/**
 * One client transaction: `open` until COMMIT is sent, `commit-sent` until it answers, then `committed`.
 * `failedOn`: the statement that failed when the connection ended inside this transaction (BEGIN: before it began).
 */
interface Tx { readonly ids: number[]; phase: 'open' | 'commit-sent' | 'committed'; committedAt: number; failedOn: string | null; failedAt: number }

/** How a client's connection ended: the error it saw (null: it stopped by itself) and when. */
interface End { readonly at: number; readonly code: string | null; readonly errno: number | null; readonly message: string | null }

/** mysql2 reports an unsolicited ERR (no command in flight) with the errno in `code` and no `errno`. */
const endOf = (e: unknown): End => {
  const x = e as { code?: string | number; errno?: number; message?: string };
  const errno = x.errno ?? (typeof x.code === 'number' ? x.code : null);
  return { at: Date.now(), code: typeof x.code === 'string' ? x.code : null, errno, message: x.message ?? String(e) };
};

/** What a draining proxy may do to a client: close the connection, or send ERR 1053 first. */
function endedByDrain(e: End): boolean {
  return e.errno === 1053 || ['PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'EPIPE'].includes(e.code ?? '')
    || /closed state/.test(e.message ?? '');
}

/** A mysql2 connection whose connection-level errors (an unsolicited ERR 1053, a close while idle) are recorded. */
async function open(ep: Endpoint, login: { user: string; password: string } = users.root): Promise<{ c: mysql.Connection; idleErrors: End[]; closed: () => boolean }> {
  const c = await connect(ep, { ...login, database: DB });
  const idleErrors: End[] = [];
  let closed = false;
  c.on('error', (e: unknown) => idleErrors.push(endOf(e)));
  c.on('end', () => { closed = true; });
  return { c, idleErrors, closed: () => closed };
}

/** Back-to-back transactions of two journal INSERTs until the connection fails or `stop()`. */
async function writer(ep: Endpoint, k: number, txs: Tx[], stop: () => boolean): Promise<End | null> {
  const { c } = await open(ep);
  const ins = (id: number): Promise<unknown> => (k % 2 === 0
    ? c.query('INSERT INTO journal (id, client) VALUES (?, ?)', [id, k])
    : c.execute('INSERT INTO journal (id, client) VALUES (?, ?)', [id, k]));
  let tx: Tx | null = null;
  let step = 'BEGIN';
  try {
    for (let n = 0; !stop(); n += 2) {
      tx = { ids: [k * 1_000_000 + n, k * 1_000_000 + n + 1], phase: 'open', committedAt: 0, failedOn: null, failedAt: 0 };
      txs.push(tx);
      step = 'BEGIN';
      await c.query('BEGIN');
      step = 'INSERT';
      for (const id of tx.ids) await ins(id);
      step = 'COMMIT';
      tx.phase = 'commit-sent';
      await c.query('COMMIT');
      tx.phase = 'committed';
      tx.committedAt = Date.now();
    }
    return null;
  } catch (e) {
    if (tx !== null) {
      tx.failedOn = step;
      tx.failedAt = Date.now();
    }
    return endOf(e);
  } finally {
    c.destroy();
  }
}

interface Result { readonly complete: boolean; readonly rows: number; readonly idSum: number; readonly end: End | null }

/** Whole results of `SELECT ... FROM big` (mysql2 buffers each), one after another until the connection fails. */
async function fastReader(ep: Endpoint, results: Result[], stop: () => boolean): Promise<End | null> {
  const { c } = await open(ep);
  try {
    while (!stop()) {
      const [rows] = await c.query<mysql.RowDataPacket[]>('SELECT id, payload FROM big ORDER BY id');
      results.push({ complete: true, rows: rows.length, idSum: rows.reduce((s, r) => s + Number(r['id']), 0), end: null });
    }
    return null;
  } catch (e) {
    return endOf(e);
  } finally {
    c.destroy();
  }
}

/**
 * One large result (rows of ~1 KiB) read slowly: the client pauses its socket 40 ms every 100 rows, so the result
 * takes longer than drain_timeout and backpressure holds it inside the proxy. `started` resolves at the first row.
 * mysql2 reports a lost connection of an event-style query on the connection, not on the query.
 */
function slowRead(c: mysql.Connection, started: () => void): Promise<Result> {
  const conn = core(c);
  return new Promise((resolve) => {
    let rows = 0;
    let idSum = 0;
    let end: End | null = null;
    const finish = (): void => resolve({ complete: end === null, rows, idSum, end });
    conn.once('error', (e: unknown) => {
      end ??= endOf(e);
      finish();
    });
    const q = conn.query(`SELECT id, REPEAT(payload, 10) AS p FROM big ORDER BY id`);
    q.on('result', (row) => {
      if (rows++ === 0) started();
      idSum += Number((row as mysql.RowDataPacket)['id']);
      if (rows % 100 === 0) {
        conn.pause();
        setTimeout(() => conn.resume(), 40);
      }
    });
    q.on('error', (e) => { end ??= endOf(e); });
    q.on('end', finish);
  });
}

/**
 * BEGIN; INSERT; then, once `go` resolves, `hold` (a statement, or nothing: idle in the transaction); then COMMIT.
 * `go` lets the caller start every hold at one moment just before SIGTERM, so a hold's length is measured from
 * SIGTERM and not from however long the other clients took to reach their states.
 */
async function heldTx(ep: Endpoint, id: number, hold: string | null, txs: Tx[], started: () => void, go: Promise<void>): Promise<End | null> {
  const { c, idleErrors, closed } = await open(ep);
  const tx: Tx = { ids: [id], phase: 'open', committedAt: 0, failedOn: null, failedAt: 0 };
  txs.push(tx);
  try {
    await c.query('BEGIN');
    await c.query('INSERT INTO journal (id, client) VALUES (?, 100)', [id]);
    started();
    await go;
    if (hold === null) {
      const until = Date.now() + 60_000;
      while (idleErrors.length === 0 && !closed() && Date.now() < until) await sleep(20);
      return idleErrors[0] ?? { at: Date.now(), code: 'CLOSED', errno: null, message: 'closed without an error' };
    }
    await c.query(hold);
    tx.phase = 'commit-sent';
    await c.query('COMMIT');
    tx.phase = 'committed';
    tx.committedAt = Date.now();
    return null;
  } catch (e) {
    return endOf(e);
  } finally {
    c.destroy();
  }
}

/** A promise and its resolver, for "this client is now in the state the test needs". */
function latch(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((r) => { open = r; });
  return { promise, open };
}

/**
 * Whether new clients are refused (connection refused, or ERR 1053 instead of a login) within `ms`: SIGTERM is
 * handled asynchronously, so a client that connects first is still accepted (and is closed again here).
 */
async function refusedWithin(ep: Endpoint, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const c = await connect(ep, { connectTimeout: 3000 });
      c.destroy();
    } catch {
      return true;
    }
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}

/** Sends SIGTERM and waits for the exit; returns the exit code and the milliseconds it took. */
async function terminate(proxy: ProxyProcess, limitMs: number): Promise<{ code: number | null; ms: number; at: number }> {
  const at = Date.now();
  proxy.proc.kill('SIGTERM');
  const killer = setTimeout(() => proxy.proc.kill('SIGKILL'), limitMs);
  const code = await proxy.exited;
  clearTimeout(killer);
  return { code, ms: Date.now() - at, at };
}

/** Committed ids are in the table (durability); ids whose COMMIT was never sent are not (atomicity). */
function assertJournal(txs: readonly Tx[], present: ReadonlySet<number>): void {
  const lost = txs.filter((t) => t.phase === 'committed').flatMap((t) => t.ids).filter((id) => !present.has(id));
  assert.deepEqual(lost, [], 'every id a client saw committed is in the table');
  const leaked = txs.filter((t) => t.phase === 'open').flatMap((t) => t.ids).filter((id) => present.has(id));
  assert.deepEqual(leaked, [], 'no id of a transaction that never sent COMMIT is in the table');
}

void describe('SIGTERM under load: drain without truncated results or lost commits', () => {
  before(async () => {
    await createTables(backendA());
    await createTables(backendB());
  });
  after(async () => {
    await directSql(`DROP DATABASE IF EXISTS ${DB}`, backendA());
    await directSql(`DROP DATABASE IF EXISTS ${DB}`, backendB());
  });

  for (const mode of ['pass-through', 'multi-server'] as const) {
  void test(`${mode}: 8 writers, 2 readers of ${BIG_ROWS}-row results, drain_timeout=${DRAIN_MS} ms`, { timeout: 90_000 }, async () => {
    await directSql(`DELETE FROM ${DB}.journal`, backendA());
    await directSql(`DELETE FROM ${DB}.journal`, backendB());
    const multi = mode === 'multi-server';
    const proxy = await startProxy([...(multi ? MULTI : []), '-o', `drain_timeout=${DRAIN_MS}ms`],
      { backends: multi ? [backendA(), backendB()] : [backendA()] });
    const ep = { host: '127.0.0.1', port: proxy.port };
    const txs: Tx[] = [];
    const results: Result[] = [];
    const deadline = Date.now() + 60_000;
    const stop = (): boolean => Date.now() > deadline; // only if the proxy never closes them
    const writers = Array.from({ length: 8 }, (_, k) => writer(ep, k, txs, stop));
    const readers = [0, 1].map(() => fastReader(ep, results, stop));
    await sleep(1000);

    // Each in its state before SIGTERM: a transaction that ends within drain_timeout, one that cannot, one idle in
    // its transaction, and a result that takes longer than drain_timeout to read.
    const [l1, l2, l3, l4, go] = [latch(), latch(), latch(), latch(), latch()];
    const longTxs: Tx[] = [];
    const shortHold = heldTx(ep, 9_000_001, 'SELECT SLEEP(2)', longTxs, l1.open, go.promise);
    // Longer than drain_timeout plus the exit slack: a proxy that waited for it would also break the exit bound.
    const tooLong = heldTx(ep, 9_000_002, `SELECT SLEEP(${(DRAIN_MS + EXIT_SLACK_MS + 2000) / 1000})`, longTxs, l2.open, go.promise);
    const idle = heldTx(ep, 9_000_003, null, longTxs, l3.open, go.promise);
    const slowConn = await open(ep);
    const slow = slowRead(slowConn.c, l4.open);
    await Promise.all([l1.promise, l2.promise, l3.promise, l4.promise]);
    go.open();
    await sleep(200); // the holds are on their servers
    const [committedBefore, resultsBefore] = [txs.filter((t) => t.phase === 'committed').length, results.length];

    const exit = terminate(proxy, DRAIN_MS + 15_000);
    assert.ok(await refusedWithin(ep, 5000), 'a new client is refused while draining');
    const { code, ms, at } = await exit;
    const [wEnds, rEnds, shortEnd, tooLongEnd, idleEnd, slowResult] = await Promise.all([
      Promise.all(writers), Promise.all(readers), shortHold, tooLong, idle, slow]);
    slowConn.c.destroy();
    const present = new Set([...await journalIds(backendA()), ...await journalIds(backendB())]);
    const log = `\nodp output:\n${proxy.output()}`;

    assert.equal(code, 0, `exit code${log}`);
    assert.ok(ms < DRAIN_MS + EXIT_SLACK_MS, `exited ${ms} ms after SIGTERM${log}`);
    assert.ok(committedBefore > 0 && resultsBefore >= 2, 'load ran before SIGTERM');
    // Results: complete ones are whole; the one still being read at the deadline ends in an error.
    for (const r of [...results, slowResult].filter((x) => x.complete)) {
      assert.equal(r.rows, BIG_ROWS, 'a complete result has every row');
      assert.equal(r.idSum, BIG_ID_SUM, 'a complete result has each row once');
    }
    assert.equal(slowResult.complete, false, `the result still in flight at the deadline was cut with an error (read ${slowResult.rows} rows)`);
    assert.ok(slowResult.end !== null && endedByDrain(slowResult.end), JSON.stringify(slowResult.end));
    // Transactions: the one that could finish did, after SIGTERM; the others were rolled back.
    assert.equal(shortEnd, null, `the open transaction finished within drain_timeout: ${JSON.stringify(shortEnd)}${log}`);
    // (longTxs is in connection order, which varies: find the short one by its id.)
    const short = longTxs.find((t) => t.ids[0] === 9_000_001);
    assert.ok(short !== undefined && short.committedAt > at, `it committed after SIGTERM: ${JSON.stringify(short)} vs ${at}`);
    assert.ok(tooLongEnd !== null && endedByDrain(tooLongEnd), JSON.stringify(tooLongEnd));
    assert.equal(idleEnd?.errno, 1053, `idle in a transaction at the deadline: ERR 1053 (${JSON.stringify(idleEnd)})`);
    assert.ok(txs.some((t) => t.committedAt > at), 'writers\' open transactions committed after SIGTERM');
    // A writer's connection ends between its transactions, never inside one, unless that one outlived drain_timeout.
    const cut = txs.filter((t) => t.failedOn !== null && t.failedOn !== 'BEGIN' && t.failedAt - at < DRAIN_MS);
    assert.deepEqual(cut.map((t) => `${t.ids[0]!} failed on ${t.failedOn!} ${t.failedAt - at} ms after SIGTERM`), [], 'no open transaction was cut before the deadline');
    // Every client was ended by the drain, in one of the ways a drain may end it.
    for (const e of [...wEnds, ...rEnds]) assert.ok(e !== null && endedByDrain(e), `client end: ${JSON.stringify(e)}`);
    assertJournal([...txs, ...longTxs], present);
    const writerEnds = wEnds.map((e) => (e === null ? -1 : e.at - at)).sort((a, b) => a - b);
    console.log(`drain ${mode}: exit ${ms} ms after SIGTERM; ${txs.filter((t) => t.phase === 'committed').length} transactions committed, ${results.length} whole results; writers ended ${writerEnds.join(',')} ms after SIGTERM`);
  });
  }

  void test('clients running back-to-back transactions are closed at a transaction boundary, long before drain_timeout', { timeout: 60_000 }, async () => {
    await directSql(`DELETE FROM ${DB}.journal`);
    const drainMs = 15_000;
    const proxy = await startProxy(['-o', `drain_timeout=${drainMs}ms`], { backends: [backendA()] });
    const ep = { host: '127.0.0.1', port: proxy.port };
    const txs: Tx[] = [];
    const deadline = Date.now() + 40_000;
    const writers = Array.from({ length: 4 }, (_, k) => writer(ep, k, txs, () => Date.now() > deadline));
    await sleep(1000);
    const { code, ms } = await terminate(proxy, drainMs + 10_000);
    const ends = await Promise.all(writers);
    assertJournal(txs, await journalIds(backendA()));
    assert.equal(code, 0);
    assert.deepEqual(txs.filter((t) => t.failedOn !== null && t.failedOn !== 'BEGIN').map((t) => t.failedOn), [], 'no transaction was cut');
    // Each client's transaction finished; the next request found the session closed (no ERR 1053 needed). The bound
    // leaves a slow machine room and stays well below drain_timeout.
    assert.ok(ms < 8000, `exited ${ms} ms after SIGTERM with drain_timeout=${drainMs} ms; client ends: ${JSON.stringify(ends)}`);
    assert.deepEqual(ends.filter((e) => e?.errno === 1053), [], 'no client needed ERR 1053');
  });

  for (const mode of ['pass-through', 'multi-server'] as const) {
    void test(`${mode}: a transaction begun just before SIGTERM (BEGIN only) finishes`, { timeout: 60_000 }, async () => {
      await directSql(`DELETE FROM ${DB}.journal`, backendA());
      await directSql(`DELETE FROM ${DB}.journal`, backendB());
      const multi = mode === 'multi-server';
      // A long drain_timeout: exiting well before it (with room for a slow machine) shows the drain did not wait for it.
      const drainMs = 20_000;
      const proxy = await startProxy([...(multi ? MULTI : []), '-o', `drain_timeout=${drainMs}ms`],
        { backends: multi ? [backendA(), backendB()] : [backendA()] });
      const { c } = await open({ host: '127.0.0.1', port: proxy.port }, multi ? users.app : users.root);
      try {
        await c.query('BEGIN');
        const exit = terminate(proxy, drainMs + 10_000);
        await sleep(500);
        await c.query('INSERT INTO journal (id, client) VALUES (1, 1), (2, 1)');
        await c.query('COMMIT');
        c.destroy();
        const { code, ms } = await exit;
        assert.equal(code, 0);
        assert.ok(ms < 10_000, `exited ${ms} ms after SIGTERM (drain_timeout ${drainMs} ms): the only session closed after its COMMIT`);
        const ids = [...await journalIds(backendA()), ...await journalIds(backendB())].sort((a, b) => a - b);
        assert.deepEqual(ids, [1, 2]);
      } finally {
        c.destroy();
        await proxy.stop();
      }
    });
  }
});
