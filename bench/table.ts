// The ladder's result rows and their text table. Ratios are QPS ratios within one case (workload, mode, threads).
import type { SysbenchResult, Workload } from './sysbench.js';

export type TargetName = 'direct' | 'socat' | 'null_relay' | 'proxy';

export interface Row {
  readonly target: TargetName;
  readonly workload: Workload;
  readonly mode: 'text' | 'ps';
  readonly threads: number;
  readonly result: SysbenchResult | null;
  /** CPU of the relay/proxy process (children included) per query, µs; null for direct. */
  readonly cpuUsPerQuery: number | null;
  /** CPU of mariadbd per query, µs: shows how much of the 2 cores the server kept. */
  readonly serverCpuUsPerQuery: number | null;
  readonly error: string | null;
}

export interface Baselines {
  readonly direct: Row | undefined;
  readonly nullRelay: Row | undefined;
}

const HEADER = ['target', 'workload', 'mode', 'thr', 'QPS', 'p50 ms', 'p99 ms', 'cpu_us/q', 'x direct', 'x null'];

function ratio(r: Row, base: Row | undefined): string {
  const a = r.result?.qps;
  const b = base?.result?.qps;
  return a !== undefined && b !== undefined && b > 0 ? (a / b).toFixed(3) : '-';
}

interface Line {
  readonly cols: readonly string[];
  /** Free text after the columns (failure reason, error count). */
  readonly note: string;
}

function line(r: Row, b: Baselines): Line {
  const head = [r.target, r.workload, r.mode, String(r.threads)];
  if (r.result === null) return { cols: head, note: `FAILED: ${r.error ?? ''}` };
  return {
    cols: [
      ...head, r.result.qps.toFixed(0), r.result.p50Ms.toFixed(3), r.result.p99Ms.toFixed(3),
      r.cpuUsPerQuery === null ? '-' : r.cpuUsPerQuery.toFixed(1), ratio(r, b.direct), ratio(r, b.nullRelay),
    ],
    note: r.error !== null ? `(${r.error})` : '',
  };
}

/** Fixed-width table: text columns left-aligned, figures right-aligned; a failed row says why after its name. */
export function formatTable(rows: readonly Row[], baselines: (r: Row) => Baselines): string {
  const lines: Line[] = [{ cols: HEADER, note: '' }, ...rows.map((r) => line(r, baselines(r)))];
  const width = HEADER.map((_, i) => Math.max(...lines.map((l) => l.cols[i]?.length ?? 0)));
  return lines
    .map((l) => [...l.cols.map((c, i) => (i < 3 ? c.padEnd(width[i] ?? 0) : c.padStart(width[i] ?? 0))), l.note].join('  ').trimEnd())
    .join('\n');
}
