// A ledger under concurrent transfers through the real proxy (issue 3): 16 mysql2 connections move money between
// accounts in InnoDB transactions (BEGIN / START TRANSACTION / autocommit=0, text and binary protocol, some rolled
// back on purpose), first in pass-through mode against test-a, then in multi-server mode where every transaction
// lands on one of test-a / test-b. The oracle is each server read directly afterwards:
//  - the sum of balances is unchanged on EACH server (a transaction that spanned two servers breaks it);
//  - every balance equals its initial value plus the transfers journalled on that server (a half-applied or
//    wrongly rolled-back transfer breaks it);
//  - the journal ids across both servers are exactly the ids the clients saw COMMIT answer OK for, each on one server.
// Inside each transaction the client reads back the debited balance: a statement routed to the other server would
// read that server's (different) row. Env: ODP_LEDGER_CLIENTS (default 16), ODP_LEDGER_TRANSFERS (per client, 200).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type mysql from 'mysql2/promise';
import { backendA, backendB, startProxy, users, type Endpoint, type ProxyProcess } from './harness.js';
import { connect, directSql, openTarget, withConn, DIRECT_MODE, type Target } from './target.js';

const DB = 'ledger_test';
const ACCOUNTS = 40;
const INITIAL = 100_000;
const CLIENTS = Number(process.env['ODP_LEDGER_CLIENTS'] ?? 16);
const TRANSFERS = Number(process.env['ODP_LEDGER_TRANSFERS'] ?? 200);
/** Share of transfers that end in ROLLBACK after all their writes. */
const ROLLBACK_SHARE = 0.1;
const DEADLOCK = 1213;
const LOCK_WAIT_TIMEOUT = 1205;
const MAX_ATTEMPTS = 10;

const sha1hex = (s: string): string => createHash('sha1').update(s).digest('hex');

/** How a client opens its transactions and which protocol its statements use (mysql2 `execute` = binary). */
interface Style { readonly ps: boolean; readonly begin: 'BEGIN' | 'START TRANSACTION' | null }
/** Client k uses STYLES[k % 4]: half the clients use prepared statements; null = autocommit=0, no BEGIN. */
const STYLES: readonly Style[] = [
  { ps: false, begin: 'BEGIN' },
  { ps: true, begin: 'BEGIN' },
  { ps: false, begin: 'START TRANSACTION' },
  { ps: true, begin: null },
];

interface Tally { committed: number[]; rolledBack: number[]; retries: number }

async function createLedger(ep: Endpoint): Promise<void> {
  const rows = Array.from({ length: ACCOUNTS }, (_, i) => `(${i + 1}, ${INITIAL})`).join(',');
  await directSql(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB};
    CREATE TABLE ${DB}.accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL) ENGINE=InnoDB;
    CREATE TABLE ${DB}.transfers (id BIGINT PRIMARY KEY, src INT NOT NULL, dst INT NOT NULL, amount INT NOT NULL) ENGINE=InnoDB;
    INSERT INTO ${DB}.accounts VALUES ${rows};`, ep);
}

/** A small deterministic PRNG (mulberry32) so a failing run can be replayed with the same transfers. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Param = number | string;

function run<T extends mysql.RowDataPacket[] | mysql.ResultSetHeader>(c: mysql.Connection, ps: boolean, sql: string, params: Param[]): Promise<[T, mysql.FieldPacket[]]> {
  return ps ? c.execute<T>(sql, params) : c.query<T>(sql, params);
}

const errnoOf = (e: unknown): number | undefined => (e as { errno?: number }).errno;

/** One transfer; resolves once COMMIT or the deliberate ROLLBACK answered OK. Retries deadlocks and lock waits. */
async function transfer(c: mysql.Connection, style: Style, id: number, rnd: () => number, tally: Tally): Promise<void> {
  const src = 1 + Math.floor(rnd() * ACCOUNTS);
  const dst = 1 + ((src + Math.floor(rnd() * (ACCOUNTS - 1))) % ACCOUNTS);
  const amount = 1 + Math.floor(rnd() * 100);
  const rollback = rnd() < ROLLBACK_SHARE;
  for (let attempt = 1; ; attempt++) {
    try {
      if (style.begin !== null) await c.query(style.begin);
      // Both rows locked in id order, so two transfers never wait on each other in a cycle.
      const [locked] = await run<mysql.RowDataPacket[]>(c, style.ps,
        'SELECT id, balance FROM accounts WHERE id IN (?, ?) ORDER BY id FOR UPDATE', [Math.min(src, dst), Math.max(src, dst)]);
      assert.equal(locked.length, 2, `transfer ${id}: both accounts locked`);
      const before = Number(locked.find((r) => Number(r['id']) === src)?.['balance']);
      const [debit] = await run<mysql.ResultSetHeader>(c, style.ps, 'UPDATE accounts SET balance = balance - ? WHERE id = ?', [amount, src]);
      const [credit] = await run<mysql.ResultSetHeader>(c, style.ps, 'UPDATE accounts SET balance = balance + ? WHERE id = ?', [amount, dst]);
      assert.equal(debit.affectedRows, 1, `transfer ${id}: debit`);
      assert.equal(credit.affectedRows, 1, `transfer ${id}: credit`);
      const [after] = await run<mysql.RowDataPacket[]>(c, style.ps, 'SELECT balance FROM accounts WHERE id = ?', [src]);
      assert.equal(Number(after[0]?.['balance']), before - amount, `transfer ${id}: the transaction reads its own write`);
      await run<mysql.ResultSetHeader>(c, style.ps, 'INSERT INTO transfers (id, src, dst, amount) VALUES (?, ?, ?, ?)', [id, src, dst, amount]);
      if (rollback) {
        await c.query('ROLLBACK');
        tally.rolledBack.push(id);
      } else {
        await c.query('COMMIT');
        tally.committed.push(id);
      }
      return;
    } catch (e) {
      const errno = errnoOf(e);
      if ((errno === DEADLOCK || errno === LOCK_WAIT_TIMEOUT) && attempt < MAX_ATTEMPTS) {
        await c.query('ROLLBACK');
        tally.retries++;
        continue;
      }
      throw e;
    }
  }
}

async function client(ep: Endpoint, opts: { user: string; password: string }, k: number, tally: Tally): Promise<void> {
  const style = STYLES[k % STYLES.length]!;
  const c = await connect(ep, { ...opts, database: DB });
  try {
    await c.query('SET SESSION innodb_lock_wait_timeout = 20');
    if (style.begin === null) await c.query('SET autocommit = 0');
    const rnd = prng(0x1edbe + k);
    for (let i = 0; i < TRANSFERS; i++) await transfer(c, style, k * 1_000_000 + i, rnd, tally);
  } finally {
    c.destroy();
  }
}

async function runClients(ep: Endpoint, opts: { user: string; password: string }): Promise<Tally> {
  const tally: Tally = { committed: [], rolledBack: [], retries: 0 };
  await Promise.all(Array.from({ length: CLIENTS }, (_, k) => client(ep, opts, k, tally)));
  return tally;
}

interface ServerLedger { sum: number; mismatched: string[]; ids: number[] }

/** The ledger as the server itself holds it (read directly, not through the proxy). */
async function readLedger(ep: Endpoint): Promise<ServerLedger> {
  return withConn(ep, { database: DB }, async (c) => {
    const [[s]] = await c.query<mysql.RowDataPacket[]>('SELECT CAST(SUM(balance) AS SIGNED) AS s FROM accounts');
    const [rows] = await c.query<mysql.RowDataPacket[]>(`
      SELECT a.id, a.balance, CAST(${INITIAL} - COALESCE(o.s, 0) + COALESCE(i.s, 0) AS SIGNED) AS expected
      FROM accounts a
      LEFT JOIN (SELECT src, SUM(amount) AS s FROM transfers GROUP BY src) o ON o.src = a.id
      LEFT JOIN (SELECT dst, SUM(amount) AS s FROM transfers GROUP BY dst) i ON i.dst = a.id`);
    const mismatched = rows.filter((r) => Number(r['balance']) !== Number(r['expected']))
      .map((r) => `account ${String(r['id'])}: balance ${String(r['balance'])}, journal says ${String(r['expected'])}`);
    const [ids] = await c.query<mysql.RowDataPacket[]>('SELECT id FROM transfers ORDER BY id');
    return { sum: Number(s?.['s']), mismatched, ids: ids.map((r) => Number(r['id'])) };
  });
}

function assertLedgers(tally: Tally, ledgers: readonly ServerLedger[]): void {
  ledgers.forEach((l, i) => {
    assert.equal(l.sum, ACCOUNTS * INITIAL, `server ${i}: sum of balances`);
    assert.deepEqual(l.mismatched, [], `server ${i}: balances agree with the journal`);
  });
  const journal = ledgers.flatMap((l) => l.ids).sort((a, b) => a - b);
  assert.equal(new Set(journal).size, journal.length, 'no transfer journalled on two servers');
  assert.equal(journal.length, tally.committed.length, 'journal rows = transfers the clients saw committed');
  assert.deepEqual(journal, [...tally.committed].sort((a, b) => a - b), 'journal ids = committed ids');
  const present = new Set(journal);
  assert.deepEqual(tally.rolledBack.filter((id) => present.has(id)), [], 'rolled-back transfers left no journal row');
  assert.equal(tally.committed.length + tally.rolledBack.length, CLIENTS * TRANSFERS);
  assert.ok(tally.rolledBack.length > 0 && tally.committed.length > 0);
}

void describe('ledger: concurrent transfers keep the sum invariant through the proxy', () => {
  void describe('pass-through mode, one server (test-a)', () => {
    let t: Target;
    before(async () => {
      await createLedger(backendA());
      t = await openTarget();
    });
    after(async () => {
      await t.stop();
      await directSql(`DROP DATABASE IF EXISTS ${DB}`);
    });

    void test(`${CLIENTS} clients x ${TRANSFERS} transfers`, { timeout: 300_000 }, async () => {
      const started = Date.now();
      const tally = await runClients(t.endpoint, users.root);
      assertLedgers(tally, [await readLedger(backendA())]);
      console.log(`# ledger pass-through: ${tally.committed.length} committed, ${tally.rolledBack.length} rolled back, ${tally.retries} retries, ${Date.now() - started} ms`);
    });
  });

  void describe('multi-server mode (random routing, proxy scramble), test-a + test-b', { skip: DIRECT_MODE ? 'needs the proxy' : false }, () => {
    let proxy: ProxyProcess;
    before(async () => {
      await createLedger(backendA());
      await createLedger(backendB());
      proxy = await startProxy(['-o', `server_routing_mode=random,enable_proxy_scramble=true,observer_sys_password=${sha1hex(users.proxyro.password)}`],
        { backends: [backendA(), backendB()] });
    });
    after(async () => {
      await proxy.stop();
      await directSql(`DROP DATABASE IF EXISTS ${DB}`, backendA());
      await directSql(`DROP DATABASE IF EXISTS ${DB}`, backendB());
    });

    void test(`${CLIENTS} clients x ${TRANSFERS} transfers spread over both servers`, { timeout: 300_000 }, async () => {
      const started = Date.now();
      const tally = await runClients({ host: '127.0.0.1', port: proxy.port }, users.app);
      const ledgers = [await readLedger(backendA()), await readLedger(backendB())];
      assertLedgers(tally, ledgers);
      for (const [i, l] of ledgers.entries()) assert.ok(l.ids.length > tally.committed.length / 10, `server ${i} ran a fair share of the transfers`);
      assert.equal(proxy.proc.exitCode, null, `odp exited:\n${proxy.output()}`);
      console.log(`# ledger multi-server: ${tally.committed.length} committed (${ledgers[0]!.ids.length} on A, ${ledgers[1]!.ids.length} on B), ${tally.rolledBack.length} rolled back, ${tally.retries} retries, ${Date.now() - started} ms`);
    });
  });
});
