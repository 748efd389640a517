// Runs sysbench 1.0.20 and reads its report. Latency percentiles come from `--histogram=on`: sysbench prints
// one configurable percentile per run, but the histogram it prints at the end holds every event of the run, so
// one run yields both p50 and p99 (sysbench's own percentile is taken from the same histogram, ~1.8 % bucket
// width). The reported `99th percentile` is kept to cross-check the parser.
import { spawn, type ChildProcess } from 'node:child_process';

export type Workload = 'oltp_point_select' | 'oltp_read_only';
export type PsMode = 'disable' | 'auto';

export interface SysbenchRun {
  readonly workload: Workload;
  readonly psMode: PsMode;
  readonly threads: number;
  readonly seconds: number;
  readonly host: string;
  readonly port: number;
}

export interface SysbenchResult {
  /** All statements sent (reads + BEGIN/COMMIT), the denominator of CPU per query. */
  readonly queries: number;
  readonly qps: number;
  /** Events: one statement for point_select, one 16-statement transaction for read_only. */
  readonly events: number;
  readonly errors: number;
  readonly reconnects: number;
  /** Per-event latency in milliseconds, from the histogram. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** sysbench's own `99th percentile` line (2 decimals), to cross-check p99Ms. */
  readonly reportedP99Ms: number;
}

/** Connection flags shared by prepare and run (root with an empty password over TCP). */
export function connectionArgs(host: string, port: number): string[] {
  return [
    '--db-driver=mysql', `--mysql-host=${host}`, `--mysql-port=${port}`, '--mysql-user=root', '--mysql-password=',
    '--mysql-db=sbtest', '--tables=4', '--table-size=10000',
  ];
}

export function runArgs(r: SysbenchRun): string[] {
  return [
    r.workload, ...connectionArgs(r.host, r.port), `--threads=${r.threads}`, `--time=${r.seconds}`,
    `--db-ps-mode=${r.psMode}`, '--percentile=99', '--histogram=on', '--report-interval=0', 'run',
  ];
}

/** Value of the first bucket at which the cumulative count reaches `pct` % of all events (sysbench's rule). */
export function percentile(buckets: readonly (readonly [number, number])[], pct: number): number {
  let total = 0;
  for (const [, n] of buckets) total += n;
  if (total === 0) return Number.NaN;
  const want = Math.ceil((total * pct) / 100);
  let seen = 0;
  for (const [value, n] of buckets) {
    seen += n;
    if (seen >= want) return value;
  }
  return buckets[buckets.length - 1]?.[0] ?? Number.NaN;
}

function field(text: string, re: RegExp, what: string): number {
  const m = re.exec(text);
  if (m?.[1] === undefined) throw new Error(`sysbench output has no ${what}`);
  return Number(m[1]);
}

/** Parses the text sysbench 1.0.20 prints for `run` with `--histogram=on`. Throws if a section is missing. */
export function parseSysbench(text: string): SysbenchResult {
  const buckets: [number, number][] = [];
  for (const m of text.matchAll(/^\s*(\d+\.\d+)\s+\|\**\s+(\d+)\s*$/gm)) {
    buckets.push([Number(m[1]), Number(m[2])]);
  }
  if (buckets.length === 0) throw new Error('sysbench output has no latency histogram');
  return {
    queries: field(text, /^\s*queries:\s+(\d+)/m, 'query count'),
    qps: field(text, /^\s*queries:\s+\d+\s+\((\d+(?:\.\d+)?) per sec\.\)/m, 'queries per second'),
    events: field(text, /^\s*total number of events:\s+(\d+)/m, 'event count'),
    errors: field(text, /^\s*ignored errors:\s+(\d+)/m, 'error count'),
    reconnects: field(text, /^\s*reconnects:\s+(\d+)/m, 'reconnect count'),
    p50Ms: percentile(buckets, 50),
    p99Ms: percentile(buckets, 99),
    reportedP99Ms: field(text, /^\s*99th percentile:\s+(\d+(?:\.\d+)?)/m, '99th percentile'),
  };
}

export interface Exec {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const active = new Set<ChildProcess>();

/** Kills every command `exec` is still waiting for (the bench is being stopped). */
export function killActive(): void {
  for (const c of active) c.kill('SIGKILL');
}

/** Runs a command to completion, killing it after `timeoutMs`. Rejects only if it cannot be started. */
export function exec(cmd: string, args: readonly string[], timeoutMs: number): Promise<Exec> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    active.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      active.delete(child);
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      active.delete(child);
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** One bounded sysbench run; the error names the first FATAL line when sysbench fails. */
export async function runSysbench(r: SysbenchRun): Promise<SysbenchResult> {
  const out = await exec('sysbench', runArgs(r), (r.seconds + 60) * 1000);
  if (out.code !== 0) {
    const all = `${out.stdout}\n${out.stderr}`;
    const line = /^.*FATAL.*$/m.exec(all)?.[0] ?? all.trim().split('\n').pop() ?? '';
    throw new Error(`sysbench exited with ${out.code ?? 'a signal'}: ${line.trim()}`);
  }
  return parseSysbench(out.stdout);
}
