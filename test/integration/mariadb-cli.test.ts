// The `mariadb` command-line client (libmariadb) through the real proxy; the same invocation against the backend
// directly is the oracle, down to exit codes and error lines.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { users, type Endpoint } from './harness.js';
import { assertProxyServes, directSql, openTarget, type Target } from './target.js';

const DB = 'odp_itest_cli';
const T = { timeout: 30_000 };

let t: Target;
let tmp: string;

before(async () => {
  t = await openTarget();
  tmp = mkdtempSync(join(tmpdir(), 'odp-itest-cli-'));
  await directSql(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB}`);
});
after(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await directSql(`DROP DATABASE IF EXISTS ${DB}`);
  await t.stop();
});

interface CliResult { code: number; stdout: string; stderr: string }

/** Runs `mariadb` against `ep` (stdin from `input` when given). Never rejects on a non-zero exit. */
function mariadb(ep: Endpoint, args: readonly string[], input?: string, user: { user: string; password: string } = users.root): Promise<CliResult> {
  const auth = [`-u${user.user}`, ...(user.password === '' ? [] : [`-p${user.password}`])];
  const argv = ['--no-defaults', '--protocol=tcp', `-h${ep.host}`, `-P${ep.port}`, ...auth, ...args];
  return new Promise((resolve, reject) => {
    const child = execFile('mariadb', argv, { timeout: 20_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      if (err !== null && typeof err.code !== 'number') reject(err);
      else resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Same invocation through the proxy and directly; the results must be identical. */
async function sameAsDirect(args: readonly string[], input?: string, user?: { user: string; password: string }): Promise<CliResult> {
  const p = await mariadb(t.endpoint, args, input, user);
  const d = await mariadb(t.direct, args, input, user);
  assert.deepEqual(p, d);
  return p;
}

void describe('mariadb CLI through the proxy', () => {
  void test("-e 'select 1'", T, async () => {
    const r = await sameAsDirect(['-e', 'select 1']);
    assert.deepEqual(r, { code: 0, stdout: '1\n1\n', stderr: '' });
  });

  void test('batch output equals direct for a handful of queries', T, async () => {
    for (const q of [
      "SHOW VARIABLES LIKE 'version%'",
      `SELECT seq, seq * seq AS sq, REPEAT('é', seq) AS s, IF(seq % 3 = 0, NULL, seq) AS n FROM ${DB}.seq_1_to_200`,
      "SELECT 'a\\tb' AS tab, 'line\\nbreak' AS nl, X'00' AS zero, 1.5e300 AS big",
      'SELECT @@version_comment, @@character_set_client, @@collation_connection, @@autocommit',
    ]) {
      const r = await sameAsDirect(['-B', '-e', q]);
      assert.equal(r.code, 0, q);
      assert.ok(r.stdout.length > 0, q);
    }
  });

  void test('an error query: exit code and error line equal direct', T, async () => {
    const r = await sameAsDirect(['-B', '-e', 'select 1; select * from no_such_db_odp.t; select 2']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '1\n1\n', 'statements before the error ran; the one after did not');
    assert.equal(r.stderr.trimEnd().split('\n').at(-1), "ERROR 1146 (42S02) at line 1: Table 'no_such_db_odp.t' doesn't exist");
    const syntax = await sameAsDirect(['-B', '-e', 'selec 1']);
    assert.equal(syntax.code, 1);
    assert.match(syntax.stderr.trimEnd().split('\n').at(-1) ?? '', /^ERROR 1064 \(42000\) at line 1: You have an error in your SQL syntax/);
  });

  void test('--default-auth=caching_sha2_password still logs in', T, async () => {
    for (const user of [users.app, users.root]) {
      const r = await sameAsDirect(['--default-auth=caching_sha2_password', '-B', '-N', '-e', 'select current_user()'], undefined, user);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, user === users.root ? 'root@127.0.0.1\n' : `${users.app.user}@%\n`);
    }
    const bad = await sameAsDirect(['--default-auth=caching_sha2_password', '-e', 'select 1'], undefined, { user: users.app.user, password: 'wrong' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /ERROR 1045 \(28000\): Access denied for user 'odp_app'@'127.0.0.1' \(using password: YES\)/);
  });

  void test('a script on stdin: multi-statements, USE (COM_INIT_DB), DELIMITER procedure, CALL with result sets', T, async () => {
    const script = [
      `USE ${DB};`,
      'SELECT DATABASE();',
      'DROP PROCEDURE IF EXISTS multi; DROP TABLE IF EXISTS t;',
      'CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20));',
      "INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three');",
      'DELIMITER //',
      'CREATE PROCEDURE multi(IN n INT)',
      'BEGIN',
      '  SELECT id, v FROM t WHERE id <= n ORDER BY id;',
      '  SELECT COUNT(*) AS c FROM t;',
      '  UPDATE t SET v = UPPER(v) WHERE id = n;',
      '  SELECT v FROM t WHERE id = n;',
      'END //',
      'DELIMITER ;',
      'CALL multi(2);',
      'CALL multi(3);',
      'SELECT * FROM t ORDER BY id;',
      'DROP PROCEDURE multi; DROP TABLE t;',
    ].join('\n');
    const r = await sameAsDirect(['-B'], script);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, [
      'DATABASE()', DB,
      'id\tv', '1\tone', '2\ttwo', 'c', '3', 'v', 'TWO',
      'id\tv', '1\tone', '2\tTWO', '3\tthree', 'c', '3', 'v', 'THREE',
      'id\tv', '1\tone', '2\tTWO', '3\tTHREE', '',
    ].join('\n'));
  });

  void test('--local-infile=1 with LOAD DATA LOCAL INFILE', T, async () => {
    const file = join(tmp, 'rows.tsv');
    const n = 20_000;
    writeFileSync(file, Array.from({ length: n }, (_, i) => `${i + 1}\tname-${i + 1}-ü\n`).join(''));
    await directSql(`DROP TABLE IF EXISTS ${DB}.li; CREATE TABLE ${DB}.li (id INT PRIMARY KEY, s VARCHAR(40))`);
    const sql = `LOAD DATA LOCAL INFILE '${file}' INTO TABLE li CHARACTER SET utf8mb4; SELECT COUNT(*), SUM(id), MAX(s) FROM li`;
    const p = await mariadb(t.endpoint, ['--local-infile=1', '-B', '-N', `-D${DB}`, '-e', sql]);
    assert.deepEqual(p, { code: 0, stdout: `${n}\t${(n * (n + 1)) / 2}\tname-9999-ü\n`, stderr: '' });
    // The same load directly (after emptying the table) gives the same output.
    await directSql(`TRUNCATE ${DB}.li`);
    assert.deepEqual(await mariadb(t.direct, ['--local-infile=1', '-B', '-N', `-D${DB}`, '-e', sql]), p);
    // Without --local-infile the client refuses, as it does directly.
    await directSql(`TRUNCATE ${DB}.li`);
    await sameAsDirect(['--local-infile=0', '-B', '-N', `-D${DB}`, '-e', sql]);
  });

  void test("-e 'status' (COM_STATISTICS) reports the backend as direct does", T, async () => {
    const lines = async (ep: Endpoint): Promise<Map<string, string>> => {
      const r = await mariadb(ep, ['-e', 'status']);
      assert.equal(r.code, 0, r.stderr);
      const m = new Map<string, string>();
      for (const l of r.stdout.split('\n')) {
        const i = l.indexOf(':');
        if (i > 0) m.set(l.slice(0, i).trim(), l.slice(i + 1).trim());
      }
      return m;
    };
    const p = await lines(t.endpoint);
    const d = await lines(t.direct);
    for (const k of ['Current user', 'Server', 'Server version', 'Protocol version', 'Server characterset',
      'Db     characterset', 'Client characterset', 'Conn.  characterset', 'SSL']) {
      assert.equal(p.get(k), d.get(k), k);
    }
    assert.equal(p.get('TCP port'), String(t.endpoint.port));
    assert.match(p.get('Connection id') ?? '', /^\d+$/);
    // The last line is the server's COM_STATISTICS answer.
    assert.match(p.get('Threads') ?? '', /^\d+\s+Questions: \d+\s+Slow queries: \d+/);
  });

  void test('the proxy still serves new clients', T, async () => {
    await assertProxyServes(t);
  });
});
