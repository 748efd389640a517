// sysbench through the real proxy: 10-second runs at 4 threads, text protocol (oltp_read_write) and prepared
// statements (oltp_point_select --db-ps-mode=auto), with zero errors and zero reconnects.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { users, type Endpoint } from './harness.js';
import { assertProxyServes, directSql, openTarget, type Target } from './target.js';

const DB = 'odp_itest_sysbench';
const TABLES = 4;
const TABLE_SIZE = 10_000;

let t: Target;

interface Run { code: number; stdout: string; stderr: string }

function sysbench(ep: Endpoint, test: string, command: 'prepare' | 'run' | 'cleanup', extra: readonly string[] = []): Promise<Run> {
  const args = [test, '--db-driver=mysql', `--mysql-host=${ep.host}`, `--mysql-port=${ep.port}`,
    `--mysql-user=${users.root.user}`, `--mysql-password=${users.root.password}`, `--mysql-db=${DB}`,
    `--tables=${TABLES}`, `--table-size=${TABLE_SIZE}`, ...extra, command];
  return new Promise((resolve, reject) => {
    execFile('sysbench', args, { timeout: 60_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err !== null && typeof err.code !== 'number') reject(err);
      else resolve({ code: err === null ? 0 : (err.code as number), stdout, stderr });
    });
  });
}

/** A counter from sysbench's report, e.g. `ignored errors:  0  (0.00 per sec.)`. */
function counter(out: string, name: string): number {
  const m = new RegExp(`^\\s*${name}:\\s+(\\d+)`, 'm').exec(out);
  assert.ok(m?.[1] !== undefined, `sysbench output has no '${name}':\n${out}`);
  return Number(m[1]);
}

async function stmtExecutes(): Promise<number> {
  const rows = (await directSql("SHOW GLOBAL STATUS LIKE 'Com_stmt_execute'")) as { Value: string }[];
  return Number(rows[0]?.Value);
}

function assertClean(r: Run): void {
  assert.equal(r.code, 0, `sysbench failed:\n${r.stdout}\n${r.stderr}`);
  assert.doesNotMatch(r.stdout + r.stderr, /FATAL|error \d+/i);
  assert.equal(counter(r.stdout, 'ignored errors'), 0);
  assert.equal(counter(r.stdout, 'reconnects'), 0);
  assert.ok(counter(r.stdout, 'transactions') > 0);
  assert.ok(counter(r.stdout, 'total') > 0);
}

before(async () => {
  t = await openTarget();
  await directSql(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB}`);
  const r = await sysbench(t.direct, 'oltp_read_write', 'prepare', ['--threads=4']);
  assert.equal(r.code, 0, `sysbench prepare failed:\n${r.stdout}\n${r.stderr}`);
});
after(async () => {
  await directSql(`DROP DATABASE IF EXISTS ${DB}`);
  await t.stop();
});

void describe('sysbench through the proxy', () => {
  void test('oltp_read_write, text protocol, 4 threads, 10 s: no errors, no reconnects', { timeout: 60_000 }, async () => {
    assertClean(await sysbench(t.endpoint, 'oltp_read_write', 'run', ['--threads=4', '--time=10', '--db-ps-mode=disable']));
  });

  void test('oltp_point_select, --db-ps-mode=auto, 4 threads, 10 s: no errors, no reconnects', { timeout: 60_000 }, async () => {
    const before = await stmtExecutes();
    const r = await sysbench(t.endpoint, 'oltp_point_select', 'run', ['--threads=4', '--time=10', '--db-ps-mode=auto']);
    assertClean(r);
    assert.equal(counter(r.stdout, 'read'), counter(r.stdout, 'total'), 'only point selects ran');
    // The statements really ran as COM_STMT_EXECUTE on the backend (binary protocol end to end).
    assert.ok((await stmtExecutes()) - before >= counter(r.stdout, 'total'));
  });

  void test('the proxy still serves new clients', { timeout: 30_000 }, async () => {
    await assertProxyServes(t);
  });
});
