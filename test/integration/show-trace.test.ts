// SHOW TRACE through the real proxy in front of real MariaDB, with mysql2. The server's own clock is the oracle for
// the server phase: SELECT SLEEP(0.2) keeps MariaDB busy for at least 200 ms, so the proxy's
// ob_proxy_server_process_req span (request sent -> first response byte) must be at least that long.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Connection, FieldPacket, QueryError, RowDataPacket } from 'mysql2/promise';
import { backendA, backendB, startProxy, users, type ProxyProcess } from './harness.js';
import { connect, directSql, openTarget, type Target } from './target.js';

const DB = 'odp_itest_trace';
const T = { timeout: 30_000 };
const CHILDREN = [
  '├── ob_proxy_sql_parse',
  '├── ob_proxy_partition_location_lookup',
  '├── ob_proxy_do_observer_open',
  '├── ob_proxy_server_process_req',
  '└── ob_proxy_server_response_read',
];

let t: Target;
let c: Connection;

const SETUP = `DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB}; CREATE TABLE ${DB}.t (id INT PRIMARY KEY) ENGINE=InnoDB;
  GRANT ALL ON ${DB}.* TO '${users.app.user}'@'%'`;

before(async () => {
  t = await openTarget();
  await directSql(SETUP);
  await directSql(SETUP, backendB());
  c = await connect(t.endpoint, { database: DB });
});
after(async () => {
  c.destroy();
  await directSql(`DROP DATABASE IF EXISTS ${DB}`);
  await directSql(`DROP DATABASE IF EXISTS ${DB}`, backendB());
  await t.stop();
});

interface Span { op: string; start: string; ms: number }

async function showTrace(): Promise<{ spans: Span[]; fields: string[] }> {
  const [rows, fields] = await c.query<RowDataPacket[]>('SHOW TRACE');
  return {
    fields: (fields as FieldPacket[]).map((f) => f.name),
    spans: rows.map((r) => {
      const el = String(r['ElapseTime']);
      assert.match(el, /^\d+\.\d{3} ms$/);
      return { op: String(r['Operation']), start: String(r['StartTime']), ms: Number.parseFloat(el) };
    }),
  };
}

async function summary(limit?: number): Promise<RowDataPacket[]> {
  return (await c.query<RowDataPacket[]>(`SHOW TRACE SUMMARY${limit === undefined ? '' : ` LIMIT ${limit}`}`))[0];
}

const num = (r: RowDataPacket, k: string): number => Number(r[k]);

void describe('SHOW TRACE through the proxy', () => {
  void test('the last statement: ob_proxy and its phases; the server phase holds SLEEP(0.2)', T, async () => {
    await c.query('SELECT 1');
    const before = Date.now();
    await c.query('SELECT SLEEP(0.2)');
    const { spans, fields } = await showTrace();
    assert.deepEqual(fields, ['Operation', 'StartTime', 'ElapseTime']);
    assert.deepEqual(spans.map((s) => s.op), ['ob_proxy', ...CHILDREN]);
    const total = spans[0]!.ms;
    const server = spans[4]!.ms;
    assert.ok(server >= 200, `server ${server} ms`);
    assert.ok(server < total, `server ${server} ms, total ${total} ms`);
    assert.ok(total < 5000, `total ${total} ms`);
    // The phases partition the total (µs precision on both sides).
    const sum = spans.slice(1).reduce((a, s) => a + s.ms, 0);
    assert.ok(Math.abs(sum - total) < 0.0005 * 6, `children ${sum} ms, total ${total} ms`);
    // StartTime is local wall-clock time of the statement's arrival.
    const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{6})$/.exec(spans[0]!.start);
    assert.ok(m !== null, spans[0]!.start);
    const at = new Date(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, Math.floor(+m[7]! / 1000)).getTime();
    assert.ok(at >= before - 1000 && at <= Date.now(), `${spans[0]!.start} vs ${new Date(before).toISOString()}`);
    assert.equal(spans[1]!.start, spans[0]!.start);
  });

  void test('SHOW TRACE itself is not traced: asking twice shows the same statement', T, async () => {
    await c.query('SELECT SLEEP(0.2)');
    const a = await showTrace();
    const b = await showTrace();
    assert.deepEqual(b.spans, a.spans);
    const rows = await summary();
    assert.ok(rows.length >= 2);
    assert.ok(rows.every((r) => !/show\s+trace/i.test(String(r['sql'] ?? ''))), JSON.stringify(rows.map((r) => r['sql'])));
    const last = rows[rows.length - 1]!;
    assert.equal(last['sql'], 'SELECT SLEEP(0.2)');
    assert.equal(last['command'], 'COM_QUERY');
    assert.ok(num(last, 'server_us') >= 200_000);
    assert.ok(num(last, 'total_us') > num(last, 'server_us'));
    const phases = ['parse_us', 'route_us', 'connect_us', 'server_us', 'transfer_us'].map((k) => num(last, k));
    assert.ok(phases.every((v) => v >= 0));
    assert.equal(phases.reduce((x, y) => x + y, 0), num(last, 'total_us'));
    assert.equal(last['server_addr'], `${t.direct.host}:${t.direct.port}`);
    assert.equal(num(last, 'error_code'), 0);
  });

  void test('summary: the last requests in order, numbered, LIMIT keeps the newest', T, async () => {
    for (let i = 0; i < 3; i++) await c.query(`SELECT ${i} AS v`);
    const rows = await summary(3);
    assert.deepEqual(rows.map((r) => r['sql']), ['SELECT 0 AS v', 'SELECT 1 AS v', 'SELECT 2 AS v']);
    const seqs = rows.map((r) => num(r, 'seq'));
    assert.deepEqual(seqs, [seqs[0]!, seqs[0]! + 1, seqs[0]! + 2]);
    // 20 more: the ring keeps 16.
    for (let i = 0; i < 20; i++) await c.query('DO 1');
    const all = await summary();
    assert.equal(all.length, 16);
    assert.equal(num(all[15]!, 'seq'), seqs[2]! + 20);
  });

  void test('a failed statement is traced with its error code', T, async () => {
    await assert.rejects(c.query('SELECT * FROM no_such_table_here'), (e: QueryError) => e.errno === 1146);
    const [last] = await summary(1);
    assert.equal(num(last!, 'error_code'), 1146);
    assert.equal(last!['sql'], 'SELECT * FROM no_such_table_here');
  });

  void test('a prepared statement: COM_STMT_PREPARE then COM_STMT_EXECUTE, SHOW TRACE shows the execute', T, async () => {
    // The execute sleeps 0.5 s; the prepare's bound (0.4 s) leaves a slow machine room and still tells them apart.
    const [r] = await c.execute<RowDataPacket[]>('SELECT ? + 1 AS v, SLEEP(0.5) AS s', [41]);
    assert.equal(Number(r[0]?.['v']), 42);
    const rows = await summary(2);
    assert.deepEqual(rows.map((x) => x['command']), ['COM_STMT_PREPARE', 'COM_STMT_EXECUTE']);
    assert.equal(rows[0]!['sql'], 'SELECT ? + 1 AS v, SLEEP(0.5) AS s');
    assert.equal(rows[1]!['sql'], null);
    assert.ok(num(rows[1]!, 'server_us') >= 500_000);
    assert.ok(num(rows[0]!, 'server_us') < 400_000, `prepare server_us ${num(rows[0]!, 'server_us')}`);
    const { spans } = await showTrace();
    assert.equal(spans.length, 6);
    assert.ok(spans[4]!.ms >= 500 && spans[4]!.ms < spans[0]!.ms);
  });

  void test('inside a transaction: answered by the proxy, the transaction stays where it was', T, async () => {
    await c.query('BEGIN');
    await c.query('INSERT INTO t VALUES (1)');
    const [[before]] = await c.query<RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
    const { spans } = await showTrace();
    assert.equal(spans.length, 6);
    const [last] = await summary(1);
    assert.equal(last!['sql'], 'SELECT CONNECTION_ID() AS id');
    const [[after]] = await c.query<RowDataPacket[]>(
      'SELECT CONNECTION_ID() AS id, (SELECT COUNT(*) FROM information_schema.innodb_trx WHERE trx_mysql_thread_id = CONNECTION_ID()) AS trx');
    assert.equal(after!['id'], before!['id']);
    assert.equal(Number(after!['trx']), 1);
    // Not visible outside, then gone after the rollback: SHOW TRACE neither committed nor moved the transaction.
    const outside = await directSql(`SELECT COUNT(*) AS n FROM ${DB}.t`) as RowDataPacket[];
    assert.equal(Number(outside[0]?.['n']), 0);
    await c.query('ROLLBACK');
    const [[n]] = await c.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM t');
    assert.equal(Number(n!['n']), 0);
  });

  void test("other forms (OceanBase's FORMAT=...) are refused with 1235; the session goes on", T, async () => {
    await assert.rejects(c.query("SHOW TRACE FORMAT='JSON'"), (e: QueryError) => e.errno === 1235 && e.sqlState === '42000');
    const [[r]] = await c.query<RowDataPacket[]>('SELECT 7 AS v');
    assert.equal(Number(r!['v']), 7);
  });

  void test('a fresh session has no trace yet', T, async () => {
    const d = await connect(t.endpoint);
    try {
      const [rows, fields] = await d.query<RowDataPacket[]>('SHOW TRACE');
      assert.equal(rows.length, 0);
      assert.deepEqual((fields as FieldPacket[]).map((f) => f.name), ['Operation', 'StartTime', 'ElapseTime']);
    } finally {
      d.destroy();
    }
  });
});

void describe('SHOW TRACE on a session over two servers (proxy scramble)', () => {
  let proxy: ProxyProcess;
  let m: Connection;
  const b = backendB();

  before(async () => {
    const hash = createHash('sha1').update(users.proxyro.password).digest('hex');
    proxy = await startProxy(['-o', `enable_proxy_scramble=true,observer_sys_password=${hash}`], { backends: [backendA(), b] });
    m = await connect({ host: '127.0.0.1', port: proxy.port }, { user: users.app.user, password: users.app.password, database: DB });
  });
  after(async () => {
    m.destroy();
    await proxy.stop();
  });

  void test('opening a second server is in the connect phase of the statement that needed it, not the next one', T, async () => {
    const sql = `/* target_db_server=${b.host}:${b.port} */ SELECT @@port AS port`;
    for (let i = 0; i < 2; i++) {
      const [r] = await m.query<RowDataPacket[]>(sql);
      assert.equal(Number(r[0]?.['port']), b.port);
    }
    const [first, second] = (await m.query<RowDataPacket[]>('SHOW TRACE SUMMARY LIMIT 2'))[0];
    assert.equal(first!['server_addr'], `${b.host}:${b.port}`);
    assert.equal(second!['server_addr'], `${b.host}:${b.port}`);
    // The first one connected, logged in with the saved login and replayed the database; the second reused it.
    assert.ok(Number(first!['connect_us']) > Number(second!['connect_us']), `${first!['connect_us']} vs ${second!['connect_us']}`);
    assert.ok(Number(first!['connect_us']) >= 100, String(first!['connect_us']));
  });

  void test('with BEGIN held by the proxy, SHOW TRACE neither sends it nor ends it', T, async () => {
    await m.query('BEGIN');
    const [spans] = await m.query<RowDataPacket[]>('SHOW TRACE');
    assert.equal(spans.length, 6); // the last traced statement's; BEGIN itself never reached a server
    await m.query('INSERT INTO t VALUES (7)');
    const [[r]] = await m.query<RowDataPacket[]>(
      'SELECT (SELECT COUNT(*) FROM information_schema.innodb_trx WHERE trx_mysql_thread_id = CONNECTION_ID()) AS trx');
    assert.equal(Number(r!['trx']), 1);
    await m.query('ROLLBACK');
    const counts = await Promise.all([backendA(), b].map(async (ep) => Number(((await directSql(`SELECT COUNT(*) AS n FROM ${DB}.t`, ep)) as RowDataPacket[])[0]?.['n'])));
    assert.deepEqual(counts, [0, 0]);
  });
});
