// src/backend helpers against the real MariaDB (backend A): savedLogin with stage1 only, internalQuery /
// internalInitDb / internalPrepare on a detached connection, and AuthSource reading mysql.user as proxyro.
// Oracles: the server itself (its ERR codes, CURRENT_USER(), its stored hashes) and data written through mysql2.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { AuthSource, verifyEntryToken } from '../../src/backend/auth-source.js';
import { internalInitDb, internalPrepare, internalQuery, type QueryResult } from '../../src/backend/internal-query.js';
import { savedLogin, type SavedCredentials } from '../../src/backend/saved-login.js';
import { ServerConnection } from '../../src/backend/server-connection.js';
import { isOdpError } from '../../src/errors/catalogue.js';
import { Capability, ColumnType, ServerStatus } from '../../src/protocol/constants.js';
import { backendA, freePort, users } from './harness.js';
import { directSql } from './target.js';

const DB = 'backend_helper_test';
const NEW_USER = 'odp_bh_new';
const T = { timeout: 30_000 };
const sha1 = (b: Buffer | string): Buffer => createHash('sha1').update(b).digest();

const BASE_CAPS = Capability.LONG_PASSWORD | Capability.LONG_FLAG | Capability.PROTOCOL_41 | Capability.TRANSACTIONS |
  Capability.SECURE_CONNECTION | Capability.MULTI_RESULTS | Capability.PLUGIN_AUTH |
  Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA | Capability.CONNECT_ATTRS;

function cred(over: Partial<SavedCredentials> = {}): SavedCredentials {
  return {
    user: users.app.user, stage1: sha1(users.app.password), database: null, capabilities: BASE_CAPS,
    mariadbCapabilities: 0, charset: 45, attributes: new Map([['program_name', 'backend-helpers-test']]), ...over,
  };
}

const open = (): Promise<ServerConnection> => ServerConnection.open(backendA(), { connectTimeoutMs: 5000, keepAliveIdleMs: 0 });

/** A logged-in connection; fails the test unless the login succeeds. */
async function loggedIn(over: Partial<SavedCredentials> = {}): Promise<ServerConnection> {
  const conn = await open();
  const r = await savedLogin(conn, cred(over), 5000);
  if (!r.ok) {
    conn.destroy();
    assert.fail(`login failed: ${r.errno} ${r.message}`);
  }
  return conn;
}

async function withConn<T>(over: Partial<SavedCredentials>, fn: (c: ServerConnection) => Promise<T>): Promise<T> {
  const c = await loggedIn(over);
  try {
    return await fn(c);
  } finally {
    c.destroy();
  }
}

/** Rows as strings (NULL stays null). */
function rowsOf(r: QueryResult): (string | null)[][] {
  assert.equal(r.kind, 'rows', inspect(r));
  if (r.kind !== 'rows') return [];
  return r.rows.map((row) => row.map((v) => (v === null ? null : v.toString())));
}

/** First value of a one-row SELECT; `deprecateEof` must match how `c` logged in. */
async function scalar(c: ServerConnection, sql: string, deprecateEof = false): Promise<string | null> {
  return rowsOf(await internalQuery(c, sql, { timeoutMs: 5000, deprecateEof }))[0]?.[0] ?? null;
}

function codeOf(e: unknown): string {
  return isOdpError(e) ? e.code : `not an OdpError: ${String(e)}`;
}

before(async () => {
  await directSql(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB}; ` +
    `CREATE TABLE ${DB}.t_rows (id INT PRIMARY KEY, a VARCHAR(20), b INT); ` +
    `INSERT INTO ${DB}.t_rows VALUES (1, 'x', NULL), (2, NULL, 7), (3, 'zz', 9); ` +
    `CREATE TABLE ${DB}.t_ins (id INT PRIMARY KEY AUTO_INCREMENT, v VARCHAR(10)) AUTO_INCREMENT = 1000; ` +
    `DROP USER IF EXISTS '${NEW_USER}'@'%'`);
});
after(async () => {
  await directSql(`DROP DATABASE IF EXISTS ${DB}; DROP USER IF EXISTS '${NEW_USER}'@'%'`);
});

describe('savedLogin on MariaDB', () => {
  test('odp_app with stage1 = SHA1(password) logs in', T, async () => {
    await withConn({}, async (c) => {
      assert.equal(await scalar(c, 'SELECT CURRENT_USER()'), 'odp_app@%');
    });
  });

  test('wrong stage1: the server\'s own 1045', T, async () => {
    const conn = await open();
    try {
      const r = await savedLogin(conn, cred({ stage1: sha1('not the password') }), 5000);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.errno, 1045);
      assert.equal(r.sqlState, '28000');
      assert.match(r.message, /^Access denied for user 'odp_app'@'127\.0\.0\.1' \(using password: YES\)$/);
    } finally {
      conn.destroy();
    }
  });

  test('unknown database: the server\'s 1049', T, async () => {
    const conn = await open();
    try {
      const r = await savedLogin(conn, cred({ database: 'no_such_db_odp_bh', capabilities: BASE_CAPS | Capability.CONNECT_WITH_DB }), 5000);
      assert.deepEqual(r, { ok: false, errno: 1049, sqlState: '42000', message: "Unknown database 'no_such_db_odp_bh'" });
    } finally {
      conn.destroy();
    }
  });

  test('database given at login is the current one; CONNECT_WITH_DB is added when a database is given', T, async () => {
    await withConn({ database: DB }, async (c) => {
      assert.equal(await scalar(c, 'SELECT DATABASE()'), DB);
    });
  });

  test('root with an empty password (stage1 null)', T, async () => {
    await withConn({ user: users.root.user, stage1: null }, async (c) => {
      assert.equal(await scalar(c, 'SELECT CURRENT_USER()'), 'root@127.0.0.1');
    });
  });
});

for (const deprecateEof of [false, true]) {
  const caps = BASE_CAPS | (deprecateEof ? Capability.DEPRECATE_EOF : 0);
  describe(`internalQuery (deprecateEof=${deprecateEof})`, () => {
    const q = { timeoutMs: 5000, deprecateEof };

    test('multi-row SELECT with NULLs: columns, values, status', T, async () => {
      await withConn({ capabilities: caps }, async (c) => {
        const r = await internalQuery(c, `SELECT id, a, b FROM ${DB}.t_rows ORDER BY id`, q);
        assert.deepEqual(rowsOf(r), [['1', 'x', null], ['2', null, '7'], ['3', 'zz', '9']]);
        if (r.kind !== 'rows') return;
        assert.deepEqual(r.columns.map((col) => [col.name, col.type]), [['id', ColumnType.LONG], ['a', ColumnType.VAR_STRING], ['b', ColumnType.LONG]]);
        assert.notEqual(r.status & ServerStatus.AUTOCOMMIT, 0);
        assert.equal(r.status & ServerStatus.MORE_RESULTS_EXISTS, 0);
        assert.deepEqual(rowsOf(await internalQuery(c, `SELECT a FROM ${DB}.t_rows WHERE id > 100`, q)), []);
      });
    });

    test('INSERT: ok with affected rows and the first generated id', T, async () => {
      await withConn({ capabilities: caps }, async (c) => {
        await internalQuery(c, `DELETE FROM ${DB}.t_ins`, q);
        const one = await internalQuery(c, `INSERT INTO ${DB}.t_ins (id, v) VALUES (${deprecateEof ? 2000 : 1000}, 'a')`, q);
        assert.equal(one.kind, 'ok');
        const two = await internalQuery(c, `INSERT INTO ${DB}.t_ins (v) VALUES ('b'), ('c')`, q);
        assert.equal(two.kind, 'ok');
        if (one.kind !== 'ok' || two.kind !== 'ok') return;
        assert.equal(one.affectedRows, 1);
        assert.equal(two.affectedRows, 2);
        const first = deprecateEof ? 2001n : 1001n;
        assert.equal(two.lastInsertId, first);
        const ids = (await directSql(`SELECT id FROM ${DB}.t_ins WHERE v IN ('b', 'c') ORDER BY id`)) as { id: number }[];
        assert.deepEqual(ids.map((x) => BigInt(x.id)), [first, first + 1n]);
      });
    });

    test('bad SQL: ERR 1064, connection still usable', T, async () => {
      await withConn({ capabilities: caps }, async (c) => {
        const r = await internalQuery(c, 'SELEC 1', q);
        assert.equal(r.kind, 'err');
        if (r.kind !== 'err') return;
        assert.equal(r.errno, 1064);
        assert.equal(r.sqlState, '42000');
        assert.match(r.message, /SQL syntax/);
        assert.equal(await scalar(c, 'SELECT 40 + 2', deprecateEof), '42');
      });
    });

    test('multi-statement: first result, whole response read, last status', T, async () => {
      await withConn({ capabilities: caps | Capability.MULTI_STATEMENTS }, async (c) => {
        const r = await internalQuery(c, 'SELECT 1 AS a; SELECT 2 AS b, 3 AS c; DO 1', q);
        assert.deepEqual(rowsOf(r), [['1']]);
        assert.equal(r.kind === 'rows' ? r.status & ServerStatus.MORE_RESULTS_EXISTS : -1, 0);
        assert.equal(await scalar(c, 'SELECT 5', deprecateEof), '5', 'nothing of the previous response is left');
        const failing = await internalQuery(c, 'SELECT 1; SELECT no_such_column', q);
        assert.equal(failing.kind === 'err' ? failing.errno : 0, 1054);
        const tx = await internalQuery(c, 'BEGIN; SELECT 1', q);
        assert.equal(tx.kind, 'ok', 'the first result is the OK of BEGIN');
        assert.notEqual(tx.kind === 'ok' ? tx.status & ServerStatus.IN_TRANS : 0, 0, 'status of the last result');
        const ok = await internalQuery(c, `ROLLBACK; INSERT INTO ${DB}.t_ins (v) VALUES ('m')`, q);
        assert.equal(ok.kind, 'ok');
        assert.equal(ok.kind === 'ok' ? ok.status & ServerStatus.IN_TRANS : -1, 0);
        assert.equal(await scalar(c, 'SELECT 6', deprecateEof), '6');
      });
    });

    test('multi-statement without MULTI_STATEMENTS: the server refuses it (1064)', T, async () => {
      await withConn({ capabilities: caps }, async (c) => {
        const r = await internalQuery(c, 'SELECT 1; SELECT 2', q);
        assert.equal(r.kind === 'err' ? r.errno : 0, 1064);
      });
    });

    test('more rows than maxRows: rejects', T, async () => {
      const c = await loggedIn({ capabilities: caps });
      try {
        await assert.rejects(internalQuery(c, `SELECT id FROM ${DB}.t_rows`, { ...q, maxRows: 2 }), (e) => codeOf(e) === 'INTERNAL' && /more than 2 rows/.test(String(e)));
      } finally {
        c.destroy();
      }
    });

    test('LOCAL INFILE request is declined with an empty packet', T, async () => {
      await withConn({ capabilities: caps | Capability.LOCAL_FILES }, async (c) => {
        const r = await internalQuery(c, `LOAD DATA LOCAL INFILE '/nonexistent/odp.csv' INTO TABLE ${DB}.t_ins`, q);
        assert.equal(r.kind === 'ok' ? r.affectedRows : -1, 0, inspect(r));
        assert.equal(await scalar(c, 'SELECT 7', deprecateEof), '7');
      });
    });

    test('internalPrepare: counts and id; ERR; connection in sync', T, async () => {
      await withConn({ capabilities: caps }, async (c) => {
        const p = await internalPrepare(c, `SELECT id, a FROM ${DB}.t_rows WHERE id = ? AND b = ?`, q);
        assert.equal(p.kind, 'prepared');
        if (p.kind !== 'prepared') return;
        assert.equal(p.numParams, 2);
        assert.equal(p.numColumns, 2);
        assert.ok(p.statementId > 0);
        const noParams = await internalPrepare(c, 'SELECT 1', q);
        assert.deepEqual(noParams.kind === 'prepared' ? [noParams.numParams, noParams.numColumns] : [], [0, 1]);
        const insert = await internalPrepare(c, `INSERT INTO ${DB}.t_ins (v) VALUES (?)`, q);
        assert.deepEqual(insert.kind === 'prepared' ? [insert.numParams, insert.numColumns] : [], [1, 0]);
        const bad = await internalPrepare(c, 'SELECT FROM WHERE', q);
        assert.equal(bad.kind === 'err' ? bad.errno : 0, 1064);
        assert.equal(await scalar(c, 'SELECT 8', deprecateEof), '8');
      });
    });
  });
}

describe('internalQuery failures and internalInitDb', () => {
  test('timeout: rejects with BACKEND_TIMEOUT', T, async () => {
    const c = await loggedIn();
    const thread = await scalar(c, 'SELECT CONNECTION_ID()');
    try {
      const t0 = Date.now();
      // The bound is far above the 300 ms timeout (a slow machine) and far below the 8 s the server would take.
      await assert.rejects(internalQuery(c, 'SELECT SLEEP(8)', { timeoutMs: 300, deprecateEof: false }), (e) => codeOf(e) === 'BACKEND_TIMEOUT');
      assert.ok(Date.now() - t0 < 4000, `took ${Date.now() - t0} ms`);
    } finally {
      c.destroy();
      await directSql(`KILL QUERY ${Number(thread)}`).catch(() => undefined); // the server would sleep on alone
    }
  });

  test('connection lost mid-query: rejects with BACKEND_LOST', T, async () => {
    const c = await loggedIn();
    const pending = internalQuery(c, 'SELECT SLEEP(3)', { timeoutMs: 10_000, deprecateEof: false });
    setTimeout(() => c.socket.destroy(), 100);
    await assert.rejects(pending, (e) => codeOf(e) === 'BACKEND_LOST');
    await assert.rejects(internalQuery(c, 'SELECT 1', { timeoutMs: 1000, deprecateEof: false }), (e) => codeOf(e) === 'BACKEND_LOST');
  });

  test('COM_INIT_DB: ok, then DATABASE() follows; unknown database is 1049', T, async () => {
    await withConn({}, async (c) => {
      const ok = await internalInitDb(c, DB, { timeoutMs: 5000 });
      assert.equal(ok.kind, 'ok');
      assert.equal(await scalar(c, 'SELECT DATABASE()'), DB);
      const err = await internalInitDb(c, 'no_such_db_odp_bh', { timeoutMs: 5000 });
      assert.deepEqual(err, { kind: 'err', errno: 1049, sqlState: '42000', message: "Unknown database 'no_such_db_odp_bh'" });
      assert.equal(await scalar(c, 'SELECT DATABASE()'), DB);
    });
  });
});

describe('AuthSource as proxyro', () => {
  const opts = (over: Partial<ConstructorParameters<typeof AuthSource>[0]> = {}): ConstructorParameters<typeof AuthSource>[0] => ({
    servers: () => [backendA()],
    user: users.proxyro.user,
    stage1Hex: sha1(users.proxyro.password).toString('hex'),
    connectTimeoutMs: 5000,
    queryTimeoutMs: 5000,
    refreshMinIntervalMs: 60_000,
    ...over,
  });

  test('load finds odp_app and root; lookup gives the stored stage2', T, async () => {
    const src = new AuthSource(opts());
    await src.load();
    assert.ok(src.size >= 3, `size ${src.size}`);
    assert.ok(src.loadedAt > 0);
    const app = await src.lookup('odp_app', '127.0.0.1');
    assert.equal(app[0]?.host, '%');
    assert.equal(app[0]?.unusable, null);
    assert.deepEqual(app[0]?.stage2, sha1(sha1(users.app.password)));
    // The lab runs with skip_name_resolve, so root@localhost does not apply to a TCP login from 127.0.0.1.
    assert.deepEqual(await directSql('SELECT @@skip_name_resolve AS v'), [{ v: 1 }]);
    const root = await src.lookup('root', '127.0.0.1');
    assert.deepEqual(root.map((e) => [e.user, e.host, e.stage2]), [['root', '127.0.0.1', null]]);
  });

  test('client token verified against the loaded hash, then a saved login with the recovered stage1', T, async () => {
    const src = new AuthSource(opts());
    const [entry] = await src.lookup('odp_app', '127.0.0.1');
    assert.ok(entry !== undefined);
    const proxyScramble = randomBytes(20);
    const stage1 = sha1(users.app.password);
    const mask = createHash('sha1').update(proxyScramble).update(sha1(stage1)).digest();
    const clientToken = Buffer.from(stage1.map((b, i) => b ^ mask[i]!));
    const v = verifyEntryToken(entry, clientToken, proxyScramble);
    assert.equal(v.ok, true);
    assert.equal(verifyEntryToken(entry, randomBytes(20), proxyScramble).ok, false);
    await withConn({ stage1: v.stage1 }, async (c) => {
      assert.equal(await scalar(c, 'SELECT CURRENT_USER()'), 'odp_app@%');
    });
  });

  test('wrong metadata password: one-line error with the server, errno and reason', T, async () => {
    const src = new AuthSource(opts({ stage1Hex: sha1('wrong').toString('hex') }));
    await assert.rejects(src.load(), (e: Error) => /127\.0\.0\.1:\d+: login refused: 1045 Access denied/.test(e.message) && !e.message.includes('\n'));
    assert.equal(src.loadedAt, 0);
    await assert.rejects(src.lookup('odp_app', '127.0.0.1'), /login refused/);
  });

  test('servers are tried in order: a dead one first is skipped', T, async () => {
    const dead = { host: '127.0.0.1', port: await freePort() };
    const src = new AuthSource(opts({ servers: () => [dead, backendA()] }));
    await src.load();
    assert.ok(src.size >= 3);
    const none = new AuthSource(opts({ servers: () => [dead] }));
    await assert.rejects(none.load(), (e: Error) => e.message.includes(`127.0.0.1:${dead.port}`));
  });

  test('a miss reloads (once per interval) and finds a user created after the load', T, async () => {
    const eager = new AuthSource(opts({ refreshMinIntervalMs: 0 }));
    const lazy = new AuthSource(opts({ refreshMinIntervalMs: 3_600_000 }));
    await eager.load();
    await lazy.load();
    const lazyLoadedAt = lazy.loadedAt;
    await directSql(`CREATE USER '${NEW_USER}'@'%' IDENTIFIED BY 'bh_pw'`);
    await new Promise((r) => setTimeout(r, 5));
    const before = eager.loadedAt;
    const found = await eager.lookup(NEW_USER, '127.0.0.1');
    assert.deepEqual(found.map((e) => [e.user, e.host, e.stage2]), [[NEW_USER, '%', sha1(sha1('bh_pw'))]]);
    assert.ok(eager.loadedAt > before);
    assert.deepEqual(await lazy.lookup(NEW_USER, '127.0.0.1'), []);
    assert.equal(lazy.loadedAt, lazyLoadedAt, 'no reload within the interval');
  });

  test('a miss inside a short reload interval waits for its end and then reloads (CREATE USER, then log in at once)', T, async () => {
    const src = new AuthSource(opts({ refreshMinIntervalMs: 800 }));
    const tLoad = Date.now(); // the interval runs from the start of this load, so no reload can start before tLoad + 800
    await src.load();
    const loadedAt = src.loadedAt;
    const user = `${NEW_USER}w`;
    await directSql(`CREATE USER '${user}'@'%' IDENTIFIED BY 'bh_pw'`);
    try {
      const found = await src.lookup(user, '127.0.0.1');
      assert.deepEqual(found.map((e) => e.user), [user]);
      assert.ok(src.loadedAt > loadedAt);
      assert.ok(src.loadedAt >= tLoad + 800, `reloaded ${src.loadedAt - tLoad} ms after the first load began: it waited for the interval instead of reloading at once`);
    } finally {
      await directSql(`DROP USER IF EXISTS '${user}'@'%'`);
    }
  });
});
