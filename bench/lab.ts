// End-to-end bench through the lab (issue 5): sysbench oltp_point_select and oltp_read_only against one observer
// emulator directly, then through odp in oceanbase mode (which spreads statements over the emulators holding each
// partition's leader). Prints QPS side by side and odp's CPU-µs per query. Then the cost of route diagnosis (spec §9):
// a proxy at route_diagnosis_level=2 against one at 0, runs interleaved, medians of BENCH_DIAG_ROUNDS (default 3).
// `npm run bench:lab`. Env: BENCH_SECONDS (default 10), BENCH_THREADS (default 8), BENCH_DIAG_ROUNDS (0 skips it).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { startMariadb } from '../lab/mariadb.js';
import { freePort, startChild, stopAll } from './children.js';
import { clockTicks, cpuTicks } from './procstat.js';
import { exec, parseSysbench, type SysbenchResult } from './sysbench.js';
import { BENCH_DIR } from './targets.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const THREADS = Number(process.env['BENCH_THREADS'] ?? 8);
const DIAG_ROUNDS = Number(process.env['BENCH_DIAG_ROUNDS'] ?? 3);

interface Ep { readonly host: string; readonly port: number }

function args(ep: Ep, workload: string, extra: readonly string[]): string[] {
  return [workload, '--db-driver=mysql', `--mysql-host=${ep.host}`, `--mysql-port=${ep.port}`, '--mysql-user=root@test',
    '--mysql-password=root_pw', '--mysql-db=lab_db', '--tables=2', '--table-size=10000', ...extra];
}

async function sysbench(ep: Ep, workload: string, ps: string): Promise<SysbenchResult> {
  const r = await exec('sysbench', args(ep, workload, [`--threads=${THREADS}`, `--time=${SECONDS}`, `--db-ps-mode=${ps}`,
    '--percentile=99', '--histogram=on', '--report-interval=0', '--rand-type=uniform', 'run']), (SECONDS + 60) * 1000);
  if (r.code !== 0) throw new Error(`sysbench ${workload} on ${ep.port} failed: ${r.stderr.trim() || r.stdout.slice(-400)}`);
  return parseSysbench(r.stdout);
}

/** The emulators run in a child process of their own so their CPU does not mix with the load generator's. */
async function startLab(db: Ep): Promise<{ child: ChildProcess; rsList: string }> {
  const cli = fileURLToPath(new URL('../lab/cli.js', import.meta.url));
  const child = spawn(process.execPath, [cli, 'observers', '--mysql', `${db.host}:${db.port}`, '--sql-port', '0', '--control-port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const rsList = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /rootservice list \(-r\): '([^']+)'/.exec(out);
      if (m !== null) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`lab observers exited (${code}): ${out}`)));
  });
  return { child, rsList };
}

async function startLabProxy(name: string, rsList: string, extra: string): Promise<{ pid: number; ep: Ep }> {
  const port = await freePort();
  const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));
  const proxyro = createHash('sha1').update('proxyro_pw').digest('hex');
  const p = await startChild(name, process.execPath, [cli, '-N', '-p', String(port), '-r', rsList, '-c', 'lab_cluster', '-o',
    `server_routing_mode=oceanbase,observer_sys_password=${proxyro},local_bound_ip=127.0.0.1,prometheus_listen_port=${await freePort()}${extra}`,
  ], port, join(BENCH_DIR, `${name}.log`), join(BENCH_DIR, name));
  return { pid: p.pid, ep: { host: '127.0.0.1', port } };
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** route_diagnosis_level 2 against 0, same workload, runs interleaved; QPS and odp CPU-µs per query, medians. */
async function diagnosisCost(rsList: string): Promise<string[]> {
  const levels = [0, 2] as const;
  const proxies = await Promise.all(levels.map((l) => startLabProxy(`proxy-diag${l}`, rsList, `,route_diagnosis_level=${l}`)));
  const hz = clockTicks();
  const rows: string[] = [];
  for (const ps of ['disable', 'auto']) {
    const qps: number[][] = [[], []];
    const cpu: number[][] = [[], []];
    for (let round = 0; round < DIAG_ROUNDS; round++) {
      for (let i = 0; i < levels.length; i++) {
        const p = proxies[(i + round) % 2]!;
        const at = (i + round) % 2;
        const t0 = cpuTicks(p.pid);
        const r = await sysbench(p.ep, 'oltp_point_select', ps);
        qps[at]!.push(r.qps);
        cpu[at]!.push(((cpuTicks(p.pid) - t0) / hz) * 1e6 / Math.max(1, r.queries));
      }
    }
    const [q0, q2] = [median(qps[0]!), median(qps[1]!)];
    const [c0, c2] = [median(cpu[0]!), median(cpu[1]!)];
    rows.push(`oltp_point_select  ${ps.padEnd(8)} level0 ${q0.toFixed(0).padStart(6)} qps ${c0.toFixed(1)} cpu_us/q  level2 ${q2.toFixed(0).padStart(6)} qps ${c2.toFixed(1)} cpu_us/q  qps cost ${((1 - q2 / q0) * 100).toFixed(1)}%  cpu cost ${((c2 / c0 - 1) * 100).toFixed(1)}%`);
    process.stderr.write(`${rows.at(-1)!}\n`);
  }
  return rows;
}

async function main(): Promise<void> {
  const db = await startMariadb({ name: 'bench-lab', host: '127.0.0.1', port: Number(process.env['BENCH_LAB_MYSQL_PORT'] ?? 33326) });
  const lab = await startLab(db);
  try {
    const first = lab.rsList.split(';')[0]!;
    const direct: Ep = { host: first.slice(0, first.lastIndexOf(':')), port: Number(first.slice(first.lastIndexOf(':') + 1)) };
    const port = await freePort();
    const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));
    const proxyro = createHash('sha1').update('proxyro_pw').digest('hex');
    const proxy = await startChild('proxy', process.execPath, [cli, '-N', '-p', String(port), '-r', lab.rsList, '-c', 'lab_cluster', '-o',
      `server_routing_mode=oceanbase,observer_sys_password=${proxyro},local_bound_ip=127.0.0.1,prometheus_listen_port=${await freePort()}`,
    ], port, join(BENCH_DIR, 'lab-proxy.log'), join(BENCH_DIR, 'proxy'));
    const via: Ep = { host: '127.0.0.1', port };
    await exec('sysbench', args(direct, 'oltp_read_only', ['cleanup']), 60_000);
    const prep = await exec('sysbench', args(direct, 'oltp_read_only', ['prepare']), 120_000);
    if (prep.code !== 0) throw new Error(`sysbench prepare failed: ${prep.stderr.trim()}`);
    const hz = clockTicks();
    const rows: string[] = [];
    for (const [workload, ps] of [['oltp_point_select', 'disable'], ['oltp_point_select', 'auto'], ['oltp_read_only', 'disable']] as const) {
      const d = await sysbench(direct, workload, ps);
      const t0 = cpuTicks(proxy.pid);
      const p = await sysbench(via, workload, ps);
      const cpuUs = ((cpuTicks(proxy.pid) - t0) / hz) * 1e6 / Math.max(1, p.queries);
      rows.push(`${workload.padEnd(18)} ${ps.padEnd(8)} direct(1 emulator) ${d.qps.toFixed(0).padStart(6)} qps  via odp(3 emulators) ${p.qps.toFixed(0).padStart(6)} qps  ratio ${(p.qps / d.qps).toFixed(3)}  odp ${cpuUs.toFixed(1)} cpu_us/q  errors ${p.errors}`);
      process.stderr.write(`${rows.at(-1)!}\n`);
    }
    process.stdout.write(`\nbench lab (${THREADS} threads, ${SECONDS} s each):\n${rows.join('\n')}\n`);
    if (DIAG_ROUNDS > 0) {
      const cost = await diagnosisCost(lab.rsList);
      process.stdout.write(`\nroute diagnosis cost, level 2 vs 0 (median of ${DIAG_ROUNDS} interleaved runs):\n${cost.join('\n')}\n`);
    }
  } finally {
    lab.child.kill('SIGTERM');
    await stopAll();
    if (db.started) await db.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
