// Metrics: the one owner of the proxy's counters (spec §12; issue 7 parts 4 and 5). Sessions count through
// MetricScope handles (metric-scope.ts); /metrics renders them with prom-client, plus process and Node runtime
// metrics; SHOW PROXYSTAT reads stats(), the same numbers by ODP stat name.
//
// Ownership: one Metrics per worker process. scope() interns label tuples (one string key built per call: call it
// on login and USE, not per statement). At most monitor_item_limit scopes are exported; past it, new label
// tuples share one unexported overflow scope (still counted in stats()). sweep() drops scopes idle for
// monitor_item_max_idle_period with no session attached, as ODP drops idle monitor items.
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { ProxyConfig } from '../config/config.js';
import { MetricScope, PROXY_STAT_NAMES, ProxyStats, S } from './metric-scope.js';
import type { ScopeLabels } from './metric-scope.js';
import { registerCoreMetrics, registerExtraMetrics } from './metrics-export.js';
import type { ExportSource } from './metrics-export.js';
import { bump } from './monitor-stat.js';
import type { StatBudget } from './monitor-stat.js';

export { MetricScope, moveSession, ENTRY_TYPES, PROXY_STAT_NAMES } from './metric-scope.js';
export type { EntryType, ScopeLabels, ProxyStatName } from './metric-scope.js';

export interface MetricsOptions {
  /** app_name: the logicTenant label when not in sharding mode. */
  appName?: string;
  /** enable_extra_prometheus_metric. */
  extra?: boolean;
  /** prometheus_cost_ms_unit (need_reboot: fixed for the process). */
  costMsUnit?: boolean;
  /** monitor_item_limit: exported scopes, and obproxy_stat.log rows. */
  itemLimit?: number;
  /** Register process_* and nodejs_* metrics (default true). */
  defaultMetrics?: boolean;
}

const SEP = '\u0001';

export class Metrics implements ExportSource {
  readonly registry = new Registry();
  readonly totals = new ProxyStats();
  /** Shared row budget of the obproxy_stat.log tables. */
  readonly statBudget: StatBudget;
  readonly costMsUnit: boolean;
  readonly appName: string;
  private itemLimit: number;
  private readonly byKey = new Map<string, MetricScope>();
  private readonly overflow: MetricScope;
  private extraNames: string[] = [];
  private readonly statSources: (() => Iterable<[string, number]>)[] = [];
  private logDropSource: () => Iterable<[string, number]> = () => [];

  constructor(opts: MetricsOptions = {}) {
    this.appName = opts.appName ?? 'obproxy';
    this.costMsUnit = opts.costMsUnit ?? false;
    this.itemLimit = opts.itemLimit ?? 3000;
    this.statBudget = { items: 0, limit: this.itemLimit };
    this.overflow = new MetricScope(this.labelsFor({}), this.totals, this.statBudget, false);
    registerCoreMetrics(this.registry, this);
    this.setExtra(opts.extra ?? false);
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Settings from the configuration; extra metrics and the item limit follow changes. Returns the unsubscriber. */
  static fromConfig(config: ProxyConfig, opts: Pick<MetricsOptions, 'defaultMetrics'> = {}): { metrics: Metrics; unbind: () => void } {
    const metrics = new Metrics({
      ...opts,
      appName: config.get('app_name'),
      extra: config.getBool('enable_extra_prometheus_metric'),
      costMsUnit: config.getBool('prometheus_cost_ms_unit'),
      itemLimit: config.getInt('monitor_item_limit'),
    });
    const offs = [
      config.onChange('enable_extra_prometheus_metric', () => metrics.setExtra(config.getBool('enable_extra_prometheus_metric'))),
      config.onChange('monitor_item_limit', () => metrics.setItemLimit(config.getInt('monitor_item_limit'))),
    ];
    return { metrics, unbind: () => { for (const off of offs) off(); } };
  }

  /** The interned scope of a label tuple (missing labels are ''; logicTenant defaults to app_name). */
  scope(partial: Partial<ScopeLabels>): MetricScope {
    const labels = this.labelsFor(partial);
    const key = [labels.logicTenant, labels.logicSchema, labels.cluster, labels.tenant, labels.schema, labels.vip, labels.dbType].join(SEP);
    const found = this.byKey.get(key);
    if (found !== undefined) return found;
    if (this.byKey.size >= this.itemLimit) return this.overflow;
    const s = new MetricScope(labels, this.totals, this.statBudget);
    this.byKey.set(key, s);
    return s;
  }

  /** Every scope, the overflow one last. */
  *scopes(): IterableIterator<MetricScope> {
    yield* this.byKey.values();
    yield this.overflow;
  }

  /** A client connection refused before a session existed (limits, draining). */
  clientRefused(): void {
    bump(this.totals.values, S.refused_client_connections, 1);
  }

  /**
   * Removes scopes with no session attached that saw no call during the last `maxIdleMs`. Call it periodically
   * (e.g. every monitor_stat_dump_interval). Returns how many were removed.
   */
  sweep(nowMs: number, maxIdleMs: number): number {
    let removed = 0;
    for (const [key, s] of this.byKey) {
      if (s.touched || s.openSessions > 0 || s.stat.size > 0) {
        s.touched = false;
        s.idleSinceMs = nowMs;
      } else if (nowMs - s.idleSinceMs >= maxIdleMs) {
        this.byKey.delete(key);
        removed++;
      }
    }
    return removed;
  }

  get scopeCount(): number {
    return this.byKey.size;
  }

  /** SHOW PROXYSTAT: ODP stat names in display order, then the added sources. */
  stats(): Map<string, number> {
    const out = new Map<string, number>();
    PROXY_STAT_NAMES.forEach((name, i) => out.set(name, this.totals.values[i] ?? 0));
    for (const src of this.statSources) for (const [k, v] of src()) out.set(k, v);
    return out;
  }

  /** One stat by ODP name; undefined when unknown. */
  stat(name: string): number | undefined {
    const v = this.totals.get(name);
    if (v !== undefined) return v;
    for (const src of this.statSources) for (const [k, n] of src()) if (k === name) return n;
    return undefined;
  }

  /** Adds entries to stats() (e.g. counters owned elsewhere), read at SHOW PROXYSTAT time. */
  addStatSource(src: () => Iterable<[string, number]>): void {
    this.statSources.push(src);
  }

  /** Where odp_log_dropped_lines_total and the stat `log_dropped_lines` read dropped log lines from. */
  setLogDropSource(src: () => Iterable<[string, number]>): void {
    this.logDropSource = src;
    this.addStatSource(() => {
      let n = 0;
      for (const [, v] of src()) n += v;
      return [['log_dropped_lines', n]];
    });
  }

  logDrops(): Iterable<[string, number]> {
    return this.logDropSource();
  }

  setExtra(enabled: boolean): void {
    if (enabled && this.extraNames.length === 0) this.extraNames = registerExtraMetrics(this.registry, this);
    if (!enabled) {
      for (const name of this.extraNames) this.registry.removeSingleMetric(name);
      this.extraNames = [];
    }
  }

  setItemLimit(limit: number): void {
    this.itemLimit = limit;
    this.statBudget.limit = limit;
  }

  /** The exposition text of /metrics. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private labelsFor(p: Partial<ScopeLabels>): ScopeLabels {
    return {
      logicTenant: p.logicTenant ?? this.appName, logicSchema: p.logicSchema ?? '', cluster: p.cluster ?? '',
      tenant: p.tenant ?? '', schema: p.schema ?? '', vip: p.vip ?? '', dbType: p.dbType ?? 'UNKNOWN_DBTYPE',
    };
  }
}
