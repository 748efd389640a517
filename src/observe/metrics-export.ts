// ODP's Prometheus metrics (spec §12; names, help texts and labels of obproxy prometheus/ob_prometheus_utils.h),
// built at scrape time from the MetricScope cells: each metric's collect() resets it and re-adds every cell, so
// scopes that share an exported label set (they differ in vip or db type only) add up. Scrapes allocate; the
// hot path never touches prom-client.
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import { ENTRY_TYPES } from './metric-scope.js';
import type { MetricScope } from './metric-scope.js';

export interface ExportSource {
  scopes(): Iterable<MetricScope>;
  /** prometheus_cost_ms_unit: costs in ms instead of µs. */
  readonly costMsUnit: boolean;
  /** Dropped log lines per file name. */
  logDrops(): Iterable<[string, number]>;
}

const BASE = ['logicTenant', 'logicSchema', 'cluster', 'tenant', 'schema'] as const;
type Labels = Record<string, string>;

function base(s: MetricScope): Labels {
  const l = s.labels;
  return { logicTenant: l.logicTenant, logicSchema: l.logicSchema, cluster: l.cluster, tenant: l.tenant, schema: l.schema };
}

function* exported(src: ExportSource): Iterable<MetricScope> {
  for (const s of src.scopes()) if (s.exported) yield s;
}

const bool = (b: boolean): string => (b ? 'true' : 'false');

/** Registers the always-on odp_* metrics. */
export function registerCoreMetrics(registry: Registry, src: ExportSource): void {
  new Counter({
    name: 'odp_transaction_total', help: 'The num of user transaction', labelNames: BASE, registers: [registry],
    collect() {
      this.reset();
      for (const s of exported(src)) if (s.transactions > 0) this.inc(base(s), s.transactions);
    },
  });
  new Counter({
    name: 'odp_sql_request_total', help: 'The num of user request', registers: [registry],
    labelNames: [...BASE, 'sqlType', 'slowQuery', 'sqlResult', 'partitionHit'],
    collect() {
      this.reset();
      for (const s of exported(src)) {
        for (const c of s.sqlTypes.values()) {
          for (let i = 0; i < 8; i++) {
            const v = c.requests[i] ?? 0;
            if (v === 0) continue;
            this.inc({ ...base(s), sqlType: c.sqlType, slowQuery: bool((i & 4) !== 0), sqlResult: (i & 2) !== 0 ? 'fail' : 'success', partitionHit: bool((i & 1) !== 0) }, v);
          }
        }
      }
    },
  });
  new Gauge({
    name: 'odp_sql_cost_total', help: 'user cost total', labelNames: [...BASE, 'sqlType', 'timeType'], registers: [registry],
    collect() {
      this.reset();
      const div = src.costMsUnit ? 1000 : 1;
      for (const s of exported(src)) {
        for (const c of s.sqlTypes.values()) {
          const b = base(s);
          this.inc({ ...b, sqlType: c.sqlType, timeType: 'prepare' }, (c.cost[0] ?? 0) / div);
          this.inc({ ...b, sqlType: c.sqlType, timeType: 'server' }, (c.cost[1] ?? 0) / div);
          this.inc({ ...b, sqlType: c.sqlType, timeType: 'total' }, (c.cost[2] ?? 0) / div);
        }
      }
    },
  });
  new Gauge({
    name: 'odp_current_session', help: 'The num of current session', registers: [registry],
    labelNames: ['logicTenant', 'logicSchema', 'cluster', 'tenant', 'sessionType', 'vip'],
    collect() {
      this.reset();
      for (const s of exported(src)) {
        const l = s.labels;
        const t = { logicTenant: l.logicTenant, logicSchema: l.logicSchema, cluster: l.cluster, tenant: l.tenant };
        this.inc({ ...t, sessionType: 'client', vip: l.vip }, s.sessions[0] ?? 0);
        this.inc({ ...t, sessionType: 'server', vip: l.vip }, s.sessions[1] ?? 0);
      }
    },
  });
  new Counter({
    name: 'odp_new_client_connections', help: 'The num of new client connections', registers: [registry],
    labelNames: ['logicTenant', 'logicSchema', 'cluster', 'tenant', 'vip', 'connectionResult'],
    collect() {
      this.reset();
      for (const s of exported(src)) {
        const l = s.labels;
        const t = { logicTenant: l.logicTenant, logicSchema: l.logicSchema, cluster: l.cluster, tenant: l.tenant, vip: l.vip };
        if ((s.newConnections[0] ?? 0) > 0) this.inc({ ...t, connectionResult: 'success' }, s.newConnections[0] ?? 0);
        if ((s.newConnections[1] ?? 0) > 0) this.inc({ ...t, connectionResult: 'fail' }, s.newConnections[1] ?? 0);
      }
    },
  });
  new Counter({
    name: 'odp_log_dropped_lines_total', help: 'Log lines dropped because a log queue was full (odp extension)',
    labelNames: ['file'], registers: [registry],
    collect() {
      this.reset();
      for (const [file, n] of src.logDrops()) this.inc({ file }, n);
    },
  });
}

/** The metrics ODP exports only with enable_extra_prometheus_metric. Returns their names (for unregistering). */
export function registerExtraMetrics(registry: Registry, src: ExportSource): string[] {
  new Counter({
    name: 'odp_request_byte', help: 'The num of request byte', registers: [registry],
    labelNames: [...BASE, 'transType', 'sessionType'],
    collect() {
      this.reset();
      for (const s of exported(src)) {
        for (let i = 0; i < 4; i++) {
          const v = s.bytes[i] ?? 0;
          if (v > 0) this.inc({ ...base(s), transType: i < 2 ? 'request' : 'response', sessionType: (i & 1) === 0 ? 'client' : 'server' }, v);
        }
      }
    },
  });
  new Counter({
    name: 'odp_entry_total', help: 'The num of entry lookup', registers: [registry],
    labelNames: [...BASE, 'entryType', 'routeHit', 'routeResult'],
    collect() {
      this.reset();
      for (const s of exported(src)) {
        for (let i = 0; i < 16; i++) {
          const v = s.entries[i] ?? 0;
          if (v === 0) continue;
          this.inc({ ...base(s), entryType: ENTRY_TYPES[i >> 2] ?? '', routeHit: bool((i & 2) !== 0), routeResult: (i & 1) === 0 ? 'success' : 'fail' }, v);
        }
      }
    },
  });
  return ['odp_request_byte', 'odp_entry_total'];
}
