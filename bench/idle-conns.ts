// Idle connections (issue 3, "Done when": 10,000 idle client connections held by the proxy, RSS below 400 MiB and
// idle CPU below 3 %). The proxy runs as a child in pass-through mode in front of its own MariaDB (thread pool, so
// 10,000 server connections do not mean 10,000 server threads); this process logs clients in over raw sockets with
// bounded concurrency (test/integration/raw-client.ts: hand-built packets, a few KiB per connection), then leaves
// them idle while it samples the proxy's VmRSS and utime+stime from /proc.
// In pass-through mode each client session holds one server connection, so the proxy needs 2 descriptors per
// client: 10,000 clients need RLIMIT_NOFILE above 20,000 in the proxy process. The limit is read from
// /proc/<pid>/limits and printed; a child cannot raise its hard limit, so a lower one caps the count (reported).
// Prints progress on stderr, then a goal line and exactly one `bench: idle_conns=... rss_mib=... idle_cpu_pct=...`.
// Env: IDLE_CONNS (10000), IDLE_CONCURRENCY (200), IDLE_SAMPLE_SECONDS (10), IDLE_SETTLE_SECONDS (5: wait after
//      the last login before sampling),
//      BENCH_IDLE_MARIADB_PORT (33316; the instance .lab/mariadb/bench-idle is started if not running).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labSql, startMariadb, type MariadbInstance } from '../lab/mariadb.js';
import { RawConn } from '../test/integration/raw-client.js';
import { freePort, startChild, stopAll, type Child } from './children.js';
import { clockTicks, cpuTicks, rssKiB } from './procstat.js';
import { BENCH_DIR } from './targets.js';

const CONNS = Number(process.env['IDLE_CONNS'] ?? 10_000);
const CONCURRENCY = Number(process.env['IDLE_CONCURRENCY'] ?? 200);
const SAMPLE_SECONDS = Number(process.env['IDLE_SAMPLE_SECONDS'] ?? 10);
const SETTLE_SECONDS = Number(process.env['IDLE_SETTLE_SECONDS'] ?? 5);
const MARIADB_PORT = Number(process.env['BENCH_IDLE_MARIADB_PORT'] ?? 33316);
const GOAL_RSS_MIB = 400;
const GOAL_CPU_PCT = 3;
/** Failed logins after which opening stops (the rest would fail the same way). */
const MAX_FAILURES = 50;
/** Connections checked with `SELECT 1` after the idle period (evenly spaced). */
const PROBES = 100;
const REPO = fileURLToPath(new URL('../../', import.meta.url));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const progress = (s: string): void => { process.stderr.write(`${s}\n`); };

/** Soft RLIMIT_NOFILE of a process (`Max open files` in /proc/<pid>/limits). */
function openFilesLimit(pid: number): number {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  return m?.[1] === undefined || m[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(m[1]);
}

function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

function peakRssKiB(pid: number): number {
  return Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

async function startDb(): Promise<MariadbInstance> {
  const db = await startMariadb({
    name: 'bench-idle', host: '127.0.0.1', port: MARIADB_PORT,
    extraArgs: [`--max-connections=${CONNS + 200}`, '--thread-handling=pool-of-threads', '--open-files-limit=20000'],
  });
  const max = Number((await labSql(db.socket, 'SELECT @@max_connections')).trim());
  if (max < CONNS + 10) await labSql(db.socket, `SET GLOBAL max_connections = ${CONNS + 200}`);
  return db;
}

async function startProxy(dbPort: number): Promise<Child> {
  const port = await freePort();
  const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));
  return startChild('proxy', process.execPath, [
    cli, '-N', '-p', String(port), '-r', `127.0.0.1:${dbPort}`,
    '-o', `server_routing_mode=mysql,local_bound_ip=127.0.0.1,client_max_connections=${CONNS + 200}`,
  ], port, join(BENCH_DIR, 'idle-proxy.log'), join(BENCH_DIR, 'idle-proxy'));
}

interface Opened { readonly conns: RawConn[]; readonly failures: number; readonly firstErrors: string[]; readonly ms: number }

/** Logs in `n` clients, `CONCURRENCY` at a time; stops early after MAX_FAILURES failed logins. */
async function openIdle(port: number, n: number): Promise<Opened> {
  const conns: RawConn[] = [];
  const firstErrors: string[] = [];
  let next = 0;
  let failures = 0;
  const started = Date.now();
  const worker = async (): Promise<void> => {
    while (next < n && failures < MAX_FAILURES) {
      next++;
      try {
        conns.push(await RawConn.login({ host: '127.0.0.1', port }, 'root', ''));
        if (conns.length % 1000 === 0) progress(`idle-conns: ${conns.length} open`);
      } catch (e) {
        failures++;
        if (firstErrors.length < 5) firstErrors.push(`after ${conns.length} open: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { conns, failures, firstErrors, ms: Date.now() - started };
}

/** The process's CPU share over `seconds` (utime+stime from /proc), and its CPU milliseconds in each second. */
async function sampleCpu(pid: number, seconds: number): Promise<{ pct: number; perSecond: number[] }> {
  const msPerTick = 1000 / clockTicks();
  const perSecond: number[] = [];
  const t0 = cpuTicks(pid);
  const w0 = Date.now();
  let last = t0;
  for (let i = 0; i < seconds; i++) {
    await sleep(w0 + (i + 1) * 1000 - Date.now());
    const now = cpuTicks(pid);
    perSecond.push((now - last) * msPerTick);
    last = now;
  }
  return { pct: ((last - t0) * msPerTick) / (Date.now() - w0) * 100, perSecond };
}

/** `SELECT 1` on evenly spaced connections: they are live sessions, not just accepted sockets. */
async function probe(conns: readonly RawConn[]): Promise<number> {
  let ok = 0;
  const n = Math.min(conns.length, PROBES);
  for (let k = 0; k < n; k++) {
    const r = await conns[Math.floor((k * conns.length) / n)]!.query('SELECT 1').catch(() => null);
    if (r?.kind === 'rows' && r.rows[0]?.[0] === '1') ok++;
  }
  return ok;
}

async function measure(db: MariadbInstance, proxy: Child): Promise<number> {
  const limit = openFilesLimit(proxy.pid);
  progress(`idle-conns: proxy pid ${proxy.pid}, RLIMIT_NOFILE ${limit} (pass-through needs ~2 per client + ~30)`);
  if (2 * CONNS + 30 > limit) progress(`idle-conns: warning: ${CONNS} clients need ~${2 * CONNS + 30} descriptors in the proxy; expect the count to stop near ${Math.floor((limit - 30) / 2)}`);
  await sleep(1000);
  const baseKiB = rssKiB(proxy.pid);
  const opened = await openIdle(proxy.port, CONNS);
  const n = opened.conns.length;
  progress(`idle-conns: ${n} logged in (${opened.failures} failed) in ${(opened.ms / 1000).toFixed(1)} s`);
  for (const e of opened.firstErrors) progress(`idle-conns: login failure ${e}`);
  // The login burst leaves garbage whose collection (one ~100 ms major GC) lands in the first seconds after it.
  await sleep(SETTLE_SECONDS * 1000);
  const { pct: cpuPct, perSecond } = await sampleCpu(proxy.pid, SAMPLE_SECONDS);
  progress(`idle-conns: proxy CPU per second (ms): ${perSecond.map((x) => x.toFixed(0)).join(' ')}`);
  const rssMiB = rssKiB(proxy.pid) / 1024;
  const live = await probe(opened.conns);
  const serverThreads = Number((await labSql(db.socket, "SHOW GLOBAL STATUS LIKE 'Threads_connected'")).split('\t')[1]);
  const stillOpen = opened.conns.filter((c) => !c.isClosed).length;
  const perConnKiB = n > 0 ? (rssMiB * 1024 - baseKiB) / n : 0;
  progress(`idle-conns: RSS ${(baseKiB / 1024).toFixed(1)} MiB before, ${rssMiB.toFixed(1)} MiB idle (peak ${(peakRssKiB(proxy.pid) / 1024).toFixed(1)} MiB), ${perConnKiB.toFixed(1)} KiB per connection; fds ${openFds(proxy.pid)}`);
  progress(`idle-conns: ${stillOpen}/${n} still open, ${live} of ${Math.min(n, PROBES)} probed answer SELECT 1, MariaDB Threads_connected ${serverThreads}`);
  const file = join(REPO, 'bench', 'results', `idle-conns-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(join(REPO, 'bench', 'results'), { recursive: true });
  writeFileSync(file, `${JSON.stringify({
    date: new Date().toISOString(), target: CONNS, opened: n, failures: opened.failures, firstErrors: opened.firstErrors,
    openSeconds: opened.ms / 1000, rlimitNofile: limit, baseRssMiB: baseKiB / 1024, rssMiB, peakRssMiB: peakRssKiB(proxy.pid) / 1024,
    perConnKiB, idleCpuPct: cpuPct, cpuMsPerSecond: perSecond, settleSeconds: SETTLE_SECONDS, sampleSeconds: SAMPLE_SECONDS, stillOpen, probesOk: live, serverThreads,
  }, null, 2)}\n`);
  progress(`results: ${file}`);
  for (const c of opened.conns) c.destroy();
  const met = n >= CONNS && rssMiB < GOAL_RSS_MIB && cpuPct < GOAL_CPU_PCT;
  process.stdout.write(`goal (issue 3): ${CONNS} idle connections, RSS < ${GOAL_RSS_MIB} MiB, idle CPU < ${GOAL_CPU_PCT} %: ${n} held, ${rssMiB.toFixed(1)} MiB, ${cpuPct.toFixed(2)} % -> ${met ? 'met' : 'NOT met'}\n`);
  process.stdout.write(`bench: idle_conns=${n} rss_mib=${rssMiB.toFixed(1)} idle_cpu_pct=${cpuPct.toFixed(2)}\n`);
  return n > 0 ? 0 : 1;
}

async function main(): Promise<number> {
  if (!(CONNS >= 1) || !(CONCURRENCY >= 1) || !(SAMPLE_SECONDS >= 1)) throw new Error('IDLE_CONNS, IDLE_CONCURRENCY, IDLE_SAMPLE_SECONDS must be >= 1');
  progress(`idle-conns: starting MariaDB bench-idle on :${MARIADB_PORT}`);
  const db = await startDb();
  const cleanup = async (): Promise<void> => {
    await stopAll();
    if (db.started) await db.stop();
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      progress(`idle-conns: ${sig}, stopping`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  try {
    return await measure(db, await startProxy(db.port));
  } finally {
    await cleanup();
  }
}

main().then((code) => process.exit(code), async (e: unknown) => {
  await stopAll();
  process.stdout.write(`bench: failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
