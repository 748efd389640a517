// `npm run bench`: the end-to-end ladder. One MariaDB, four ways to reach it — direct, socat, a Node null relay,
// the proxy — each driven by the same sysbench runs, interleaved case by case so drift hits every rung alike.
// Prints a table and ends with exactly one `bench: ...` line; writes the figures to bench/results/<time>.json.
// Env: BENCH_SECONDS (per run, default 10), BENCH_WARMUP_SECONDS (per rung, default 2), BENCH_ROUNDS (default 1:
// repeat the whole interleaved sequence and report each case's median-QPS run; helps on a shared machine),
// BENCH_PROXY_PROF=<dir> (run the proxy under `node --cpu-prof`, profile written to <dir> when it stops).
import { cpus, loadavg, release, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { labSql, type MariadbInstance } from '../lab/mariadb.js';
import { stopAll } from './children.js';
import { clockTicks, cpuTicks } from './procstat.js';
import { exec, killActive, runSysbench, type PsMode, type Workload } from './sysbench.js';
import { formatTable, type Row, type TargetName } from './table.js';
import {
  prepareSbtest, requireTools, smokeTest, startBenchMariadb, startNullRelay, startProxy, startSocat,
} from './targets.js';

interface Rung {
  readonly name: TargetName;
  readonly port: number;
  /** Process whose CPU is charged to this rung; null for direct (nothing sits between client and server). */
  readonly pid: number | null;
  readonly error: string | null;
}

interface Case {
  readonly workload: Workload;
  readonly psMode: PsMode;
  readonly threads: number;
}

const CASES: readonly Case[] = [
  { workload: 'oltp_point_select', psMode: 'disable', threads: 8 },
  { workload: 'oltp_point_select', psMode: 'auto', threads: 8 },
  { workload: 'oltp_read_only', psMode: 'disable', threads: 8 },
  { workload: 'oltp_read_only', psMode: 'auto', threads: 8 },
  { workload: 'oltp_point_select', psMode: 'disable', threads: 1 },
];

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 1);
const WARMUP_SECONDS = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 2);
const PROF_DIR = process.env['BENCH_PROXY_PROF'];
const REPO = fileURLToPath(new URL('../../', import.meta.url));

function progress(s: string): void {
  process.stderr.write(`${s}\n`);
}

async function startRung(name: TargetName, start: () => Promise<{ port: number; pid: number }>): Promise<Rung> {
  try {
    const c = await start();
    await smokeTest(name, c.port);
    return { name, port: c.port, pid: c.pid, error: null };
  } catch (e) {
    progress(`ladder: ${name} unavailable: ${(e as Error).message}`);
    return { name, port: 0, pid: null, error: (e as Error).message };
  }
}

async function measure(rung: Rung, c: Case, db: MariadbInstance): Promise<Row> {
  const base = { target: rung.name, workload: c.workload, mode: c.psMode === 'auto' ? 'ps' : 'text', threads: c.threads } as const;
  if (rung.error !== null) return { ...base, result: null, cpuUsPerQuery: null, serverCpuUsPerQuery: null, error: rung.error };
  const t0 = rung.pid !== null ? cpuTicks(rung.pid) : 0;
  const s0 = cpuTicks(db.pid);
  try {
    const r = await runSysbench({ ...c, seconds: SECONDS, host: '127.0.0.1', port: rung.port });
    // socat reaps its per-connection children asynchronously; give their CPU time to reach cutime.
    await new Promise((res) => setTimeout(res, 300));
    const usPerTick = 1e6 / clockTicks();
    const cpu = rung.pid !== null ? ((cpuTicks(rung.pid) - t0) * usPerTick) / r.queries : null;
    const server = ((cpuTicks(db.pid) - s0) * usPerTick) / r.queries;
    return { ...base, result: r, cpuUsPerQuery: cpu, serverCpuUsPerQuery: server, error: r.errors > 0 ? `${r.errors} errors` : null };
  } catch (e) {
    return { ...base, result: null, cpuUsPerQuery: null, serverCpuUsPerQuery: null, error: (e as Error).message };
  }
}

function caseKey(c: Case): string {
  return `${c.workload}|${c.psMode}|${c.threads}`;
}

/** With several rounds, the run with the median QPS stands for the case (all rounds go to the JSON file). */
function medianRow(list: readonly Row[]): Row {
  const ok = list.filter((r) => r.result !== null).sort((a, b) => a.result!.qps - b.result!.qps);
  return ok[Math.floor((ok.length - 1) / 2)] ?? list[0]!;
}

function find(rows: readonly Row[], target: TargetName, c: Case): Row | undefined {
  return rows.find((r) => r.target === target && r.workload === c.workload && r.mode === (c.psMode === 'auto' ? 'ps' : 'text') && r.threads === c.threads);
}

async function machine(db: MariadbInstance): Promise<Record<string, string | number>> {
  const sb = await exec('sysbench', ['--version'], 10_000);
  return {
    cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', memGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(), node: process.version, mariadb: (await labSql(db.socket, 'SELECT VERSION()')).trim(),
    sysbench: sb.stdout.trim(), clockTicks: clockTicks(),
  };
}

async function ladder(db: MariadbInstance): Promise<number> {
  const loadBefore = loadavg();
  if ((loadBefore[0] ?? 0) > cpus().length / 2) progress(`ladder: warning: load average ${loadBefore[0]?.toFixed(2)} on ${cpus().length} cores; figures will be noisy`);
  progress(`ladder: preparing sbtest (4 tables × 10,000 rows) on MariaDB :${db.port}`);
  await prepareSbtest(db);
  const rungs: Rung[] = [
    { name: 'direct', port: db.port, pid: null, error: null },
    await startRung('socat', () => startSocat(db.port)),
    await startRung('null_relay', () => startNullRelay(db.port)),
    await startRung('proxy', () => startProxy(db.port, PROF_DIR !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${resolve(PROF_DIR)}`] : [])),
  ];
  if (WARMUP_SECONDS > 0) {
    for (const r of rungs.filter((x) => x.error === null)) {
      progress(`ladder: warming up ${r.name} (${WARMUP_SECONDS} s)`);
      await runSysbench({ ...CASES[0]!, seconds: WARMUP_SECONDS, host: '127.0.0.1', port: r.port }).catch(() => undefined);
    }
  }
  const runs = new Map<string, Row[]>();
  for (let round = 1; round <= ROUNDS; round++) {
    for (const c of CASES) {
      for (const rung of rungs) {
        const row = await measure(rung, c, db);
        const key = `${rung.name}|${caseKey(c)}`;
        runs.set(key, [...(runs.get(key) ?? []), row]);
        progress(`  ${ROUNDS > 1 ? `round ${round}: ` : ''}${rung.name} ${c.workload} ${row.mode} ${c.threads} thr: ${row.result !== null ? `${row.result.qps.toFixed(0)} qps` : `failed: ${row.error ?? ''}`}`);
      }
    }
  }
  const rows = CASES.flatMap((c) => rungs.map((r) => medianRow(runs.get(`${r.name}|${caseKey(c)}`) ?? [])));
  const info = await machine(db);
  await stopAll();
  process.stdout.write(`\n${formatTable(rows, (r) => {
    const c = CASES.find((x) => x.workload === r.workload && (x.psMode === 'auto' ? 'ps' : 'text') === r.mode && x.threads === r.threads)!;
    return { direct: find(rows, 'direct', c), nullRelay: find(rows, 'null_relay', c) };
  })}\n`);

  const pointText = CASES[0]!;
  const pointPs = CASES[1]!;
  const latency = CASES[4]!;
  const ratio = (c: Case): number | null => {
    const p = find(rows, 'proxy', c)?.result;
    const n = find(rows, 'null_relay', c)?.result;
    return p != null && n != null ? p.qps / n.qps : null;
  };
  const rText = ratio(pointText);
  const rPs = ratio(pointPs);
  const proxyPoint = find(rows, 'proxy', pointText);
  const p1 = find(rows, 'proxy', latency)?.result;
  const d1 = find(rows, 'direct', latency)?.result;
  const summary = {
    proxyOverNullRelayText: rText, proxyOverNullRelayPs: rPs,
    proxyCpuUsPerQuery: proxyPoint?.cpuUsPerQuery ?? null,
    addedP50Us: p1 != null && d1 != null ? (p1.p50Ms - d1.p50Ms) * 1000 : null,
  };
  const stamp = new Date().toISOString();
  const dir = join(REPO, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${stamp.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ date: stamp, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, rounds: ROUNDS, loadAverage: { before: loadBefore, after: loadavg() }, machine: info, rows, summary, allRuns: [...runs.values()] }, null, 2)}\n`);
  progress(`results: ${file}`);
  const fmt = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(3));
  process.stdout.write(`goal (issue 2): proxy >= 0.90 x null relay on oltp_point_select 8 threads: text ${fmt(rText)}, ps ${fmt(rPs)} -> ${rText !== null && rPs !== null && rText >= 0.9 && rPs >= 0.9 ? 'met' : 'NOT met'}\n`);
  if (rText === null || summary.proxyCpuUsPerQuery === null || summary.addedP50Us === null) {
    process.stdout.write(`bench: failed: ${proxyPoint?.error ?? rungs[3]?.error ?? 'a required run did not complete'}\n`);
    return 1;
  }
  process.stdout.write(`bench: proxy/null_relay=${rText.toFixed(3)} proxy_cpu_us_per_query=${summary.proxyCpuUsPerQuery.toFixed(1)} added_p50_us=${summary.addedP50Us.toFixed(0)}\n`);
  return 0;
}

async function main(): Promise<number> {
  if (!Number.isFinite(SECONDS) || SECONDS < 1) throw new Error('BENCH_SECONDS must be a number >= 1');
  if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('BENCH_ROUNDS must be an integer >= 1');
  await requireTools(['sysbench', 'socat', 'mariadb', 'mariadbd']);
  const db = await startBenchMariadb();
  const cleanup = async (): Promise<void> => {
    killActive();
    await stopAll();
    if (db.started) await db.stop();
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      progress(`ladder: ${sig}, stopping`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  try {
    return await ladder(db);
  } finally {
    await cleanup();
  }
}

main().then((code) => process.exit(code), async (e: unknown) => {
  await stopAll();
  process.stdout.write(`bench: failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
