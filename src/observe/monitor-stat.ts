// obproxy_stat.log (spec §10; obproxy ob_tenant_stat_manager.cpp): per interval, one line per (logic tenant,
// logic db, cluster:tenant:db, db type, statement type, error code) with counts and summed times, when
// enable_monitor_stat. Rows live in the StatTable of each MetricScope; a dump prints and zeroes active rows and
// drops rows idle for monitor_item_max_idle_period / monitor_stat_dump_interval dumps. At most
// monitor_item_limit rows exist process-wide; past it new rows are not created (ODP discards them too).
// Buckets: a request counts in high when total > high threshold, else middle when > middle, else low when > low.
// Dumps run at whole multiples of the interval minus 500 ms (ObProxyMonitorUtils::get_next_schedule_time).
import type { DbType, DigestRecord, StatRecord } from './log-formats.js';
import { formatStatLine } from './log-formats.js';

/** a[i] += n for typed-array cells (indices are in range by construction). */
export function bump(a: Float64Array, i: number, n: number): void {
  a[i] = (a[i] ?? 0) + n;
}

export interface StatThresholds {
  lowUs: number;
  middleUs: number;
  highUs: number;
}

/** Shared row budget (monitor_item_limit). */
export interface StatBudget {
  items: number;
  limit: number;
}

/** values: total, low, middle, high counts, then total, prepare, server µs. */
class StatRow {
  readonly stmtType: string;
  readonly errorCode: string;
  readonly values = new Float64Array(7);
  idleDumps = 0;

  constructor(stmtType: string, errorCode: string) {
    this.stmtType = stmtType;
    this.errorCode = errorCode;
  }
}

interface StmtRows {
  ok: StatRow | null;
  failed: Map<number, StatRow>;
}

export class StatTable {
  private readonly byStmt = new Map<string, StmtRows>();
  private readonly budget: StatBudget;

  constructor(budget: StatBudget) {
    this.budget = budget;
  }

  /** Adds one request; false when the row did not exist and the budget is spent. */
  add(r: DigestRecord, t: StatThresholds): boolean {
    const row = this.row(r);
    if (row === null) return false;
    const v = row.values;
    bump(v, 0, 1);
    const total = r.totalUs;
    if (total > t.highUs) bump(v, 3, 1);
    else if (total > t.middleUs) bump(v, 2, 1);
    else if (total > t.lowUs) bump(v, 1, 1);
    bump(v, 4, total);
    bump(v, 5, r.prepareUs);
    bump(v, 6, r.serverUs);
    return true;
  }

  private row(r: DigestRecord): StatRow | null {
    let rows = this.byStmt.get(r.stmtType);
    if (rows === undefined) {
      rows = { ok: null, failed: new Map() };
      this.byStmt.set(r.stmtType, rows);
    }
    const existing = r.failed ? rows.failed.get(r.errorCode) : rows.ok;
    if (existing !== undefined && existing !== null) return existing;
    if (this.budget.items >= this.budget.limit) return null;
    this.budget.items++;
    const row = new StatRow(r.stmtType, r.failed ? String(r.errorCode) : '');
    if (r.failed) rows.failed.set(r.errorCode, row);
    else rows.ok = row;
    return row;
  }

  /** Rows in this table. */
  get size(): number {
    let n = 0;
    for (const rows of this.byStmt.values()) n += (rows.ok === null ? 0 : 1) + rows.failed.size;
    return n;
  }

  /** Emits and zeroes active rows; drops rows idle for more than `maxIdleDumps` dumps. */
  dump(emit: (row: { stmtType: string; errorCode: string; values: Float64Array }) => void, maxIdleDumps: number): void {
    for (const [stmt, rows] of this.byStmt) {
      if (rows.ok !== null && !this.visit(rows.ok, emit, maxIdleDumps)) rows.ok = null;
      for (const [code, row] of rows.failed) if (!this.visit(row, emit, maxIdleDumps)) rows.failed.delete(code);
      if (rows.ok === null && rows.failed.size === 0) this.byStmt.delete(stmt);
    }
  }

  /** False when the row is to be removed. */
  private visit(row: StatRow, emit: (row: StatRow) => void, maxIdleDumps: number): boolean {
    if (row.values[0] !== 0) {
      emit(row);
      row.values.fill(0);
      row.idleDumps = 0;
      return true;
    }
    if (++row.idleDumps <= maxIdleDumps) return true;
    this.budget.items--;
    return false;
  }
}

/** What a dump needs of a MetricScope. */
export interface StatSource {
  readonly labels: { readonly logicTenant: string; readonly logicSchema: string; readonly cluster: string;
    readonly tenant: string; readonly schema: string; readonly dbType: DbType };
  readonly stat: StatTable;
}

/** One dump over `sources`: calls `write` with each obproxy_stat.log line. */
export function dumpStats(sources: Iterable<StatSource>, timeUs: number, msUnit: boolean, maxIdleDumps: number,
  write: (line: string) => void): void {
  const rec: StatRecord = {
    timeUs, logicTenant: '', logicDb: '', cluster: '', tenant: '', db: '', dbType: 'UNKNOWN_DBTYPE', stmtType: '',
    errorCode: '', totalCount: 0, lowCount: 0, middleCount: 0, highCount: 0, totalUs: 0, prepareUs: 0, serverUs: 0,
  };
  for (const s of sources) {
    const l = s.labels;
    s.stat.dump((row) => {
      const v = row.values;
      rec.logicTenant = l.logicTenant; rec.logicDb = l.logicSchema; rec.cluster = l.cluster; rec.tenant = l.tenant;
      rec.db = l.schema; rec.dbType = l.dbType; rec.stmtType = row.stmtType; rec.errorCode = row.errorCode;
      rec.totalCount = v[0] ?? 0; rec.lowCount = v[1] ?? 0; rec.middleCount = v[2] ?? 0; rec.highCount = v[3] ?? 0;
      rec.totalUs = v[4] ?? 0; rec.prepareUs = v[5] ?? 0; rec.serverUs = v[6] ?? 0;
      write(formatStatLine(rec, msUnit));
    }, maxIdleDumps);
  }
}

/** Delay to the next dump: the next whole multiple of `intervalMs` minus 500 ms, at least 100 ms away. */
export function nextDumpDelayMs(nowMs: number, intervalMs: number): number {
  let next = (Math.floor(nowMs / intervalMs) + 1) * intervalMs - 500 - nowMs;
  while (next <= 100) next += intervalMs;
  return next;
}

/** Idle dumps after which a row is removed: item max idle period / dump interval, at least 1. */
export function maxIdleDumps(maxIdleMs: number, intervalMs: number): number {
  return Math.max(1, Math.floor(maxIdleMs / Math.max(1, intervalMs)));
}
