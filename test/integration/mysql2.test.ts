// mysql2 through the real proxy against real MariaDB; the same calls on a direct connection to the backend are
// the oracle. Bulk transfers (1M-row stream, 20 MiB BLOB, LOAD DATA LOCAL) are in mysql2-bulk.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection, FieldPacket, QueryError, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { users } from './harness.js';
import { connect, core, directSql, openTarget, withConn, assertProxyServes, type ConnOptions, type Target } from './target.js';

const DB = 'odp_itest_mysql2';
const T = { timeout: 30_000 };

let t: Target;

before(async () => {
  t = await openTarget();
  await directSql(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB}`);
});
after(async () => {
  await directSql(`DROP DATABASE IF EXISTS ${DB}`);
  await t.stop();
});

/** Runs `fn` on a proxied connection and on a direct one; returns [through proxy, direct]. */
async function both<R>(opts: ConnOptions, fn: (c: Connection) => Promise<R>): Promise<[R, R]> {
  const p = await withConn(t.endpoint, opts, fn);
  const d = await withConn(t.direct, opts, fn);
  return [p, d];
}

/** The parts of a column definition a client sees. */
function fieldShape(f: FieldPacket): unknown[] {
  return [f.name, f.orgName, f.table, f.db, f.columnType, f.characterSet, f.columnLength, f.flags, f.decimals];
}

/** A failed call's error in comparable form. */
async function errorOf(p: Promise<unknown>): Promise<{ errno: number | undefined; sqlState: string | undefined; code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    const q = e as QueryError;
    return { errno: q.errno, sqlState: q.sqlState, code: q.code, message: q.message };
  }
  assert.fail('expected an error');
}

void describe('mysql2 through the proxy', () => {
  void test('text protocol: rows and column definitions equal direct', T, async () => {
    const sql = "SELECT 1 AS a, 'héllo 世界 🐬' AS b, NULL AS c, CAST(1.50 AS DECIMAL(5,2)) AS d, " +
      "18446744073709551615 AS e, -9223372036854775808 AS f, X'00ff' AS g, DATE'2024-02-29' AS h, 1e308 AS i";
    const opts = { supportBigNumbers: true, bigNumberStrings: true, dateStrings: true };
    const [p, d] = await both(opts, (c) => c.query<RowDataPacket[]>(sql));
    assert.deepEqual(p[0], d[0]);
    assert.deepEqual(p[1].map(fieldShape), d[1].map(fieldShape));
    assert.equal(p[0][0]?.['b'], 'héllo 世界 🐬');
    assert.equal(p[0][0]?.['e'], '18446744073709551615');
  });

  void test('binary protocol: every common parameter type round-trips as on a direct connection', T, async () => {
    const params = [0, -1, 2147483647, -2147483648, 9007199254740993n, -9223372036854775808n,
      '12345678901234567890.123456789', 3.141592653589793, -0.0000001, 'héllo 世界 🐬 ñ', '',
      Buffer.from([0, 1, 2, 0xfe, 0xff]), Buffer.alloc(0), new Date(2024, 1, 29, 12, 34, 56, 789), null, true];
    const sql = `SELECT ${params.map((_, i) => `? AS p${i}`).join(', ')}`;
    const opts = { supportBigNumbers: true, bigNumberStrings: true };
    const [p, d] = await both(opts, (c) => c.execute<RowDataPacket[]>(sql, params));
    assert.deepEqual(p[0], d[0]);
    assert.deepEqual(p[1].map(fieldShape), d[1].map(fieldShape));
    const row = p[0][0];
    assert.ok(row !== undefined);
    assert.equal(row['p9'], 'héllo 世界 🐬 ñ');
    assert.deepEqual(row['p11'], Buffer.from([0, 1, 2, 0xfe, 0xff]));
    assert.equal(row['p14'], null);
  });

  void test('binary protocol: typed table written and read with execute equals direct', T, async () => {
    const cols = 'ti TINYINT, si SMALLINT, mi MEDIUMINT, n INT, b BIGINT, ub BIGINT UNSIGNED, dc DECIMAL(30,9), ' +
      'f FLOAT, db DOUBLE, vc VARCHAR(100), tx TEXT, bl BLOB, dt DATETIME(6), ts TIMESTAMP(3) NULL, dd DATE, ' +
      "tm TIME(3), y YEAR, bt BIT(8), js JSON, e ENUM('a','b'), nul INT NULL";
    const values = [-128, -32768, 8388607, -2147483648, '-9223372036854775808', '18446744073709551615',
      '-12345678901234567890.123456789', 1.5, 2.718281828459045, 'naïve ☕', 'long '.repeat(1000),
      Buffer.from('00ff10', 'hex'), '2024-02-29 23:59:59.123456', '2038-01-19 03:14:07.999', '1999-12-31',
      '-838:59:59.000', 2155, Buffer.from([0xa5]), '{"k":[1,2,{"x":null}]}', 'b', null];
    const marks = values.map(() => '?').join(',');
    await directSql(`CREATE TABLE ${DB}.typed_p (id INT PRIMARY KEY, ${cols}); CREATE TABLE ${DB}.typed_d (id INT PRIMARY KEY, ${cols})`);
    const opts = { database: DB, supportBigNumbers: true, bigNumberStrings: true, dateStrings: true };
    await withConn(t.endpoint, opts, (c) => c.execute(`INSERT INTO typed_p VALUES (1, ${marks})`, values));
    await withConn(t.direct, opts, (c) => c.execute(`INSERT INTO typed_d VALUES (1, ${marks})`, values));
    // Written through the proxy = written directly (compared on the direct connection, both protocols).
    const stored = await withConn(t.direct, opts, async (c) => [
      (await c.query('SELECT * FROM typed_p'))[0], (await c.query('SELECT * FROM typed_d'))[0],
      (await c.execute('SELECT * FROM typed_p'))[0], (await c.execute('SELECT * FROM typed_d'))[0],
    ]);
    assert.deepEqual(stored[0], stored[1]);
    assert.deepEqual(stored[2], stored[3]);
    // Read through the proxy = read directly.
    const [p, d] = await both(opts, async (c) => {
      const bin = await c.execute<RowDataPacket[]>('SELECT * FROM typed_p WHERE id = ?', [1]);
      const txt = await c.query<RowDataPacket[]>('SELECT * FROM typed_p');
      return [bin[0], bin[1].map(fieldShape), txt[0], txt[1].map(fieldShape)];
    });
    assert.deepEqual(p, d);
  });

  void test('multi-statements: several result sets, an error in the middle, session usable after', T, async () => {
    const sql = `SELECT 1 AS a; SELECT 2 AS b, 'x' AS c UNION ALL SELECT 3, 'y'; DO 1; SELECT * FROM ${DB}.no_such_table; SELECT 4`;
    const run = async (c: Connection): Promise<unknown[]> => {
      const events: unknown[] = [];
      await new Promise<void>((resolve) => {
        core(c).query(sql)
          .on('fields', (f: FieldPacket[] | undefined) => events.push(['fields', f?.map((x) => x.name) ?? null]))
          .on('result', (r: unknown) => events.push(['result', r]))
          .on('error', (e: QueryError) => events.push(['error', e.errno, e.sqlState, e.message]))
          .on('end', () => resolve());
      });
      const ok = await c.query<RowDataPacket[]>('SELECT 5 AS e');
      events.push(['after', ok[0]]);
      const all = await c.query<RowDataPacket[][]>('SELECT 6 AS f; SELECT 7 AS g; DO 0');
      events.push(['all', all[0]]);
      return events;
    };
    const [p, d] = await both({ multipleStatements: true }, run);
    assert.deepEqual(p, d);
    const errors = p.filter((e) => Array.isArray(e) && e[0] === 'error');
    assert.deepEqual(errors.map((e) => (e as unknown[])[1]), [1146]);
    assert.equal(p.filter((e) => Array.isArray(e) && e[0] === 'fields' && e[1] !== null).length, 2);
  });

  void test('changeUser to other users and back changes CURRENT_USER()', T, async () => {
    // mysql2 cannot change back to a user with an empty password (it substitutes the last one), so the round
    // trip is root -> app -> proxyro -> app.
    const run = async (c: Connection): Promise<RowDataPacket[]> => {
      const who = async (): Promise<RowDataPacket> => {
        const row = (await c.query<RowDataPacket[]>('SELECT CURRENT_USER() AS u, DATABASE() AS d, @x AS x'))[0][0];
        assert.ok(row !== undefined);
        return row;
      };
      const seen = [await who()];
      await c.query('SET @x = 7');
      seen.push(await who());
      await c.changeUser({ user: users.app.user, password: users.app.password, database: DB });
      seen.push(await who());
      await c.changeUser({ user: users.proxyro.user, password: users.proxyro.password, database: 'mysql' });
      seen.push(await who());
      await c.changeUser({ user: users.app.user, password: users.app.password, database: DB });
      seen.push(await who());
      return seen;
    };
    const [p, d] = await both({}, run);
    assert.deepEqual(p, d);
    assert.deepEqual(p.map((r) => [r['u'], r['d'], r['x']]), [
      ['root@127.0.0.1', null, null],
      ['root@127.0.0.1', null, 7],
      [`${users.app.user}@%`, DB, null], // COM_CHANGE_USER resets user variables
      [`${users.proxyro.user}@%`, 'mysql', null],
      [`${users.app.user}@%`, DB, null],
    ]);
  });

  void test('changeUser with a wrong password fails with the direct error', T, async () => {
    const run = (c: Connection): Promise<unknown> => errorOf(c.changeUser({ user: users.app.user, password: 'wrong' }));
    const [p, d] = await both({}, run);
    assert.deepEqual(p, d);
    assert.equal((p as { errno: number }).errno, 1045);
  });

  void test('COM_INIT_DB-equivalent paths: USE and changeUser({database}) switch the schema', T, async () => {
    const run = async (c: Connection): Promise<unknown[]> => {
      const db = async (): Promise<unknown> => (await c.query<RowDataPacket[]>('SELECT DATABASE() AS d'))[0][0]?.['d'];
      const seen = [await db()];
      await c.query(`USE ${DB}`);
      seen.push(await db());
      await c.changeUser({ database: 'information_schema' });
      seen.push(await db());
      seen.push(await errorOf(c.query('USE no_such_db_odp')));
      seen.push(await db());
      return seen;
    };
    const [p, d] = await both({}, run);
    assert.deepEqual(p, d);
    assert.deepEqual(p.slice(0, 3), [null, DB, 'information_schema']);
    assert.equal((p[3] as { errno: number }).errno, 1049);
  });

  void test('prepared statements: reuse, close, execute after close errors as direct', T, async () => {
    const run = async (c: Connection): Promise<unknown[]> => {
      const st = await c.prepare('SELECT ? + 1 AS v, ? AS s');
      // The promise wrapper hides the PREPARE OK metadata on `.statement`.
      const meta = (st as unknown as { statement: { parameters: unknown[]; columns: FieldPacket[] } }).statement;
      const out: unknown[] = [meta.parameters.length, meta.columns.map((f) => f.name)];
      for (let i = 0; i < 5; i++) out.push((await st.execute([i, `s${i}`]))[0]);
      await st.close();
      const err = await errorOf(st.execute([1, 'x']));
      // Statement ids are server-global, so the id in the message differs between runs.
      out.push({ ...err, message: err.message.replace(/\(\d+\)/, '(N)') });
      out.push((await c.query('SELECT 1 AS alive'))[0]);
      return out;
    };
    const [p, d] = await both({}, run);
    assert.deepEqual(p, d);
    assert.equal((p[7] as { errno: number }).errno, 1243);
  });

  void test('wrong password: errno 1045, sqlState 28000, same message as direct', T, async () => {
    const opts = { user: users.app.user, password: 'definitely-wrong' };
    const p = await errorOf(connect(t.endpoint, opts));
    const d = await errorOf(connect(t.direct, opts));
    assert.equal(p.errno, 1045);
    assert.equal(p.sqlState, '28000');
    assert.deepEqual(p, d);
    const none = await errorOf(connect(t.endpoint, { user: 'no_such_user_odp', password: 'x' }));
    assert.deepEqual(none, await errorOf(connect(t.direct, { user: 'no_such_user_odp', password: 'x' })));
  });

  void test('ping', T, async () => {
    await withConn(t.endpoint, {}, async (c) => {
      for (let i = 0; i < 3; i++) await c.ping();
      assert.equal((await c.query<RowDataPacket[]>('SELECT 1 AS v'))[0][0]?.['v'], 1);
    });
  });

  void test('COM_RESET_CONNECTION clears session state as direct', T, async () => {
    const run = async (c: Connection): Promise<unknown> => {
      await c.query("SET @x = 1, SESSION sql_mode = 'ANSI_QUOTES'");
      await c.reset();
      return (await c.query<RowDataPacket[]>('SELECT @x AS x, @@session.sql_mode = @@global.sql_mode AS m'))[0];
    };
    const [p, d] = await both({}, run);
    assert.deepEqual(p, d);
    assert.deepEqual(p, [{ x: null, m: 1 }]);
  });

  void test('transaction BEGIN/INSERT/ROLLBACK behaves as direct', T, async () => {
    await directSql(`CREATE TABLE ${DB}.tx (id INT PRIMARY KEY) ENGINE=InnoDB`);
    await withConn(t.endpoint, { database: DB }, async (c) => {
      await c.query('BEGIN');
      const ins = (await c.query<ResultSetHeader>('INSERT INTO tx VALUES (1), (2)'))[0];
      assert.equal(ins.affectedRows, 2);
      assert.equal((await c.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM tx'))[0][0]?.['n'], 2);
      assert.equal((await c.query<RowDataPacket[]>('SELECT @@in_transaction AS t'))[0][0]?.['t'], 1);
      // Not committed: another (direct) session does not see the rows.
      assert.deepEqual(await directSql(`SELECT COUNT(*) AS n FROM ${DB}.tx`), [{ n: 0 }]);
      await c.query('ROLLBACK');
      assert.equal((await c.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM tx'))[0][0]?.['n'], 0);
      await c.query('START TRANSACTION');
      await c.query('INSERT INTO tx VALUES (3)');
      await c.query('COMMIT');
    });
    assert.deepEqual(await directSql(`SELECT id FROM ${DB}.tx`), [{ id: 3 }]);
  });

  void test('the proxy still serves new clients', T, async () => {
    await assertProxyServes(t);
  });
});
