// sysbench oltp_read_write at 32 threads through the real proxy with zero errors (issue 3 "Done when"):
//  1. multi-server mode (random routing, proxy scramble) over test-a + test-b, text protocol, 60 s: every
//     transaction stays on one server while the statements between transactions move, for the whole run;
//  2. pass-through mode in front of test-a, binary protocol (--db-ps-mode=auto), a shorter run;
//  3. multi-server mode with the binary protocol, a shorter run: prepared statements re-prepared lazily on the
//     server a statement lands on.
// The sbtest tables are created on each server directly (same data on both), never through the proxy.
// sysbench's own report is the oracle: `ignored errors` (deadlocks and lock waits it retries) and `reconnects`
// must be 0, `FATAL` must not appear, and queries must have run. Rows are picked uniformly (--rand-type=uniform):
// sysbench's default 'special' distribution sends most accesses to a few hot rows, where 32 threads meet in genuine
// InnoDB deadlocks (seen through the proxy and possible directly), which would make "zero errors" a coin toss.
// Env: ODP_SYSBENCH_RW_SECONDS (run 1, default 60), ODP_SYSBENCH_RW_PS_SECONDS (runs 2 and 3, default 15).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { backendA, backendB, startProxy, users, type Endpoint, type ProxyProcess } from './harness.js';
import { directSql } from './target.js';

const DB = 'odp_itest_sysbench_rw';
const TABLES = 4;
const TABLE_SIZE = 10_000;
const THREADS = 32;
const SECONDS = Number(process.env['ODP_SYSBENCH_RW_SECONDS'] ?? 60);
const PS_SECONDS = Number(process.env['ODP_SYSBENCH_RW_PS_SECONDS'] ?? Math.min(15, SECONDS));

const sha1hex = (s: string): string => createHash('sha1').update(s).digest('hex');

interface Run { code: number; stdout: string; stderr: string }
interface Login { user: string; password: string }

function sysbench(ep: Endpoint, login: Login, command: 'prepare' | 'run', extra: readonly string[], timeoutMs: number): Promise<Run> {
  const args = ['oltp_read_write', '--db-driver=mysql', `--mysql-host=${ep.host}`, `--mysql-port=${ep.port}`,
    `--mysql-user=${login.user}`, `--mysql-password=${login.password}`, `--mysql-db=${DB}`,
    `--tables=${TABLES}`, `--table-size=${TABLE_SIZE}`, ...extra, command];
  return new Promise((resolve, reject) => {
    execFile('sysbench', args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err !== null && typeof err.code !== 'number') reject(err);
      else resolve({ code: err === null ? 0 : (err.code as number), stdout, stderr });
    });
  });
}

/** A counter from sysbench's report, e.g. `    ignored errors:   0      (0.00 per sec.)`. */
function counter(out: string, name: string): number {
  const m = new RegExp(`^\\s*${name}:\\s+(\\d+)`, 'm').exec(out);
  assert.ok(m?.[1] !== undefined, `sysbench output has no '${name}':\n${out}`);
  return Number(m[1]);
}

async function prepare(ep: Endpoint): Promise<void> {
  await directSql(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB}`, ep);
  const r = await sysbench(ep, users.root, 'prepare', ['--threads=4'], 180_000);
  assert.equal(r.code, 0, `sysbench prepare on ${ep.host}:${ep.port} failed:\n${r.stdout}\n${r.stderr}`);
}

/** Runs oltp_read_write and checks the report; returns the totals for the log line. */
async function runClean(ep: Endpoint, login: Login, seconds: number, psMode: 'disable' | 'auto'): Promise<{ tps: number; qps: number; queries: number }> {
  const deadlocks0 = await deadlockCount();
  const r = await sysbench(ep, login, 'run', [`--threads=${THREADS}`, `--time=${seconds}`, `--db-ps-mode=${psMode}`,
    '--rand-type=uniform', '--report-interval=0'], (seconds + 90) * 1000);
  const out = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 0, `sysbench failed:\n${out}`);
  assert.doesNotMatch(out, /FATAL|ALERT|error \d+/i);
  const deadlocks = (await deadlockCount()) - deadlocks0;
  assert.equal(counter(r.stdout, 'ignored errors'), 0, `errors (InnoDB deadlocks during the run on the servers: ${deadlocks}):\n${r.stdout}`);
  assert.equal(counter(r.stdout, 'reconnects'), 0, `reconnects:\n${r.stdout}`);
  const queries = counter(r.stdout, 'queries');
  assert.ok(counter(r.stdout, 'transactions') > 0 && queries > 0, `nothing ran:\n${r.stdout}`);
  const per = (name: string): number => Number(new RegExp(`^\\s*${name}:\\s+\\d+\\s+\\((\\d+(?:\\.\\d+)?) per sec`, 'm').exec(r.stdout)?.[1]);
  return { tps: per('transactions'), qps: per('queries'), queries };
}

/** Deadlocks InnoDB detected on both servers so far (for failure messages: a server's deadlock is not the proxy's). */
async function deadlockCount(): Promise<number> {
  let n = 0;
  for (const server of [backendA(), backendB()]) {
    const rows = (await directSql("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'", server)) as { Value: string }[];
    n += Number(rows[0]?.Value ?? 0);
  }
  return n;
}

/** CHECKSUM TABLE of the sbtest tables on one server, read directly: it changes when transactions ran there. */
async function checksum(ep: Endpoint): Promise<string> {
  const tables = Array.from({ length: TABLES }, (_, i) => `${DB}.sbtest${i + 1}`).join(', ');
  const rows = (await directSql(`CHECKSUM TABLE ${tables}`, ep)) as { Checksum: number }[];
  return rows.map((r) => String(r.Checksum)).join(',');
}

void describe(`sysbench oltp_read_write, ${THREADS} threads, through the proxy`, () => {
  before(async () => {
    await prepare(backendA());
    await prepare(backendB());
  });
  after(async () => {
    await directSql(`DROP DATABASE IF EXISTS ${DB}`, backendA());
    await directSql(`DROP DATABASE IF EXISTS ${DB}`, backendB());
  });

  void describe('multi-server mode over test-a + test-b', () => {
    let proxy: ProxyProcess;
    let ep: Endpoint;
    before(async () => {
      proxy = await startProxy(['-o', `server_routing_mode=random,enable_proxy_scramble=true,observer_sys_password=${sha1hex(users.proxyro.password)}`],
        { backends: [backendA(), backendB()] });
      ep = { host: '127.0.0.1', port: proxy.port };
    });
    after(async () => {
      await proxy.stop();
    });

    void test(`text protocol, ${SECONDS} s: zero errors, zero reconnects, writes on both servers`, { timeout: (SECONDS + 120) * 1000 }, async () => {
      const [a0, b0] = [await checksum(backendA()), await checksum(backendB())];
      const r = await runClean(ep, users.app, SECONDS, 'disable');
      // Transactions ran on each server (random routing between transactions): both servers' tables changed.
      assert.notEqual(await checksum(backendA()), a0, 'test-a ran transactions');
      assert.notEqual(await checksum(backendB()), b0, 'test-b ran transactions');
      assert.equal(proxy.proc.exitCode, null, `odp exited:\n${proxy.output()}`);
      console.log(`sysbench-rw multi-server text: ${r.tps} tps, ${r.qps} qps`);
    });

    void test(`binary protocol (--db-ps-mode=auto), ${PS_SECONDS} s: zero errors, zero reconnects`, { timeout: (PS_SECONDS + 120) * 1000 }, async () => {
      const r = await runClean(ep, users.app, PS_SECONDS, 'auto');
      assert.equal(proxy.proc.exitCode, null, `odp exited:\n${proxy.output()}`);
      console.log(`sysbench-rw multi-server ps: ${r.tps} tps, ${r.qps} qps`);
    });
  });

  void describe('pass-through mode in front of test-a', () => {
    let proxy: ProxyProcess;
    before(async () => {
      proxy = await startProxy([], { backends: [backendA()] });
    });
    after(async () => {
      await proxy.stop();
    });

    void test(`binary protocol (--db-ps-mode=auto), ${PS_SECONDS} s: zero errors, zero reconnects`, { timeout: (PS_SECONDS + 120) * 1000 }, async () => {
      const r = await runClean({ host: '127.0.0.1', port: proxy.port }, users.root, PS_SECONDS, 'auto');
      assert.equal(proxy.proc.exitCode, null, `odp exited:\n${proxy.output()}`);
      console.log(`sysbench-rw pass-through ps: ${r.tps} tps, ${r.qps} qps`);
    });
  });
});
