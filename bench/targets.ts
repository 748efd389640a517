// The rungs of the ladder and the MariaDB they all lead to. Logs and the proxy's working directory live under
// .lab/bench/ (ignored by git).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LAB_ROOT, labSql, startMariadb, type MariadbInstance } from '../lab/mariadb.js';
import { freePort, startChild, type Child } from './children.js';
import { connectionArgs, exec } from './sysbench.js';

const execFileP = promisify(execFile);

export const BENCH_DIR = join(LAB_ROOT, 'bench');
export const MARIADB_PORT = Number(process.env['BENCH_MARIADB_PORT'] ?? 33306);

/** Fails with one actionable line when a system tool is missing. */
export async function requireTools(tools: readonly string[]): Promise<void> {
  for (const t of tools) {
    try {
      await execFileP(t, ['--version']);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${t} is not installed; run scripts/ensure-system.sh`);
      // socat and others may exit non-zero on --version; only a missing binary matters here
    }
  }
}

export async function startBenchMariadb(): Promise<MariadbInstance> {
  const db = await startMariadb({ name: 'bench', host: '127.0.0.1', port: MARIADB_PORT });
  await labSql(db.socket, 'CREATE DATABASE IF NOT EXISTS sbtest');
  return db;
}

/** Creates the 4 × 10,000-row sysbench tables once; later runs reuse them. */
export async function prepareSbtest(db: MariadbInstance): Promise<void> {
  const have = await labSql(db.socket, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'sbtest' AND table_name IN ('sbtest1','sbtest2','sbtest3','sbtest4')`);
  if (have.trim() === '4') {
    const rows = await labSql(db.socket, 'SELECT COUNT(*) FROM sbtest.sbtest4');
    if (rows.trim() === '10000') return;
  }
  const args = connectionArgs(db.host, db.port);
  await exec('sysbench', ['oltp_read_only', ...args, 'cleanup'], 120_000);
  const out = await exec('sysbench', ['oltp_read_only', ...args, 'prepare'], 300_000);
  if (out.code !== 0) throw new Error(`sysbench prepare failed: ${out.stderr.trim().split('\n').pop() ?? ''}`);
}

export async function startSocat(targetPort: number): Promise<Child> {
  const port = await freePort();
  return startChild('socat', 'socat', [
    `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork,nodelay`, `TCP:127.0.0.1:${targetPort},nodelay`,
  ], port, join(BENCH_DIR, 'socat.log'));
}

export async function startNullRelay(targetPort: number): Promise<Child> {
  const port = await freePort();
  const script = fileURLToPath(new URL('./null-relay.js', import.meta.url));
  return startChild('null relay', process.execPath, [script, String(port), '127.0.0.1', String(targetPort)], port, join(BENCH_DIR, 'null-relay.log'));
}

/**
 * The proxy from the same build as this file (dist*\/src/cli.js), in pass-through mode in front of one MariaDB.
 * `nodeArgs` lets a caller add e.g. `--cpu-prof`.
 */
export async function startProxy(targetPort: number, nodeArgs: readonly string[] = []): Promise<Child> {
  const port = await freePort();
  const metricsPort = await freePort();
  const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));
  return startChild('proxy', process.execPath, [
    ...nodeArgs, cli, '-N', '-p', String(port), '-r', `127.0.0.1:${targetPort}`,
    '-o', `server_routing_mode=mysql,local_bound_ip=127.0.0.1,prometheus_listen_port=${metricsPort}`,
  ], port, join(BENCH_DIR, 'proxy.log'), join(BENCH_DIR, 'proxy'));
}

/** `SELECT 1` as root through `port` with the mariadb CLI: proves a rung forwards and authenticates. */
export async function smokeTest(name: string, port: number): Promise<void> {
  const out = await exec('mariadb', ['--no-defaults', '-h127.0.0.1', `-P${port}`, '-uroot', '-N', '-B', '-e', 'SELECT 1'], 15_000);
  if (out.code !== 0 || out.stdout.trim() !== '1') {
    throw new Error(`${name} on port ${port} does not answer SELECT 1: ${out.stderr.trim() || out.stdout.trim()}`);
  }
}
