// The end-of-request hook (spec §10, §12): counts the request in its MetricScope, aggregates it for
// obproxy_stat.log and writes digest / slow / error lines when their conditions hold:
//   error   the request failed (server errors need monitor_log_level >= INFO, proxy-internal ones >= ERROR);
//   slow    total > slow_query_time_threshold (failed or not);
//   digest  not failed, and total > query_digest_time_threshold, or slow, or the TRACE_LOG hint.
// A threshold of 0 disables its log. Digest, slow and stat lines need monitor_log_level >= INFO.
// Cost of done(): comparisons and numeric stores; a string is built only for a line that is written.
import type { ProxyConfig } from '../config/config.js';
import { LogLevel } from './log.js';
import { NO_TRACE_ID, formatDiagnosisLine, formatDigestLine, formatErrorLine, nowUs } from './log-formats.js';
import type { DigestRecord } from './log-formats.js';
import type { MetricScope } from './metric-scope.js';
import type { Metrics } from './metrics.js';
import { dumpStats, maxIdleDumps, nextDumpDelayMs } from './monitor-stat.js';
import type { StatThresholds } from './monitor-stat.js';
import { parseSyslogLevel } from './syslog.js';

export type MonitorFile = 'obproxy_digest.log' | 'obproxy_slow.log' | 'obproxy_error.log' | 'obproxy_stat.log' | 'obproxy_diagnosis.log';

/** Where lines go: LogFiles satisfies it. */
export interface MonitorOutput {
  write(file: MonitorFile, line: string): boolean;
}

export interface MonitorSettings {
  slowUs: number;
  digestUs: number;
  /** digest_sql_length (0 = 1024). */
  sqlLength: number;
  /** monitor_log_level as a LogLevel number. */
  level: number;
  /** enable_monitor_stat. */
  statEnabled: boolean;
  thresholds: StatThresholds;
  /** monitor_cost_ms_unit. */
  msUnit: boolean;
  /** monitor_stat_dump_interval, ms. */
  dumpIntervalMs: number;
  /** monitor_item_max_idle_period, ms. */
  itemMaxIdleMs: number;
}

export const DEFAULT_MONITOR_SETTINGS: Readonly<MonitorSettings> = {
  slowUs: 500_000, digestUs: 100_000, sqlLength: 1024, level: LogLevel.INFO, statEnabled: true,
  thresholds: { lowUs: 30_000, middleUs: 100_000, highUs: 500_000 }, msUnit: false, dumpIntervalMs: 60_000,
  itemMaxIdleMs: 30 * 60_000,
};

const CONFIG_NAMES = [
  'slow_query_time_threshold', 'query_digest_time_threshold', 'digest_sql_length', 'monitor_log_level',
  'enable_monitor_stat', 'monitor_stat_low_threshold', 'monitor_stat_middle_threshold', 'monitor_stat_high_threshold',
  'monitor_cost_ms_unit', 'monitor_stat_dump_interval', 'monitor_item_max_idle_period',
] as const;

/** Global values of the monitor parameters (LEVEL_VIP items are read at their global value). */
export function monitorSettingsFromConfig(c: ProxyConfig): MonitorSettings {
  return {
    slowUs: c.getTimeUs('slow_query_time_threshold'),
    digestUs: c.getTimeUs('query_digest_time_threshold'),
    sqlLength: c.getInt('digest_sql_length'),
    level: parseSyslogLevel(c.get('monitor_log_level')).maxLevel,
    statEnabled: c.getBool('enable_monitor_stat'),
    thresholds: {
      lowUs: c.getTimeUs('monitor_stat_low_threshold'),
      middleUs: c.getTimeUs('monitor_stat_middle_threshold'),
      highUs: c.getTimeUs('monitor_stat_high_threshold'),
    },
    msUnit: c.getBool('monitor_cost_ms_unit'),
    dumpIntervalMs: c.getTimeMs('monitor_stat_dump_interval'),
    itemMaxIdleMs: c.getTimeMs('monitor_item_max_idle_period'),
  };
}

export class RequestMonitor {
  private readonly metrics: Metrics;
  private readonly out: MonitorOutput;
  settings: MonitorSettings;
  /** route_diagnosis_level (spec §9), global value; sessions read it once per statement. */
  diagnosisLevel = 2;
  /** connection_diagnosis_option (spec §9): bit 0 writes [LOGIN]/[CONNECTION] lines. */
  connectionDiagnosis = 3;
  private timer: NodeJS.Timeout | null = null;
  private unbind: (() => void)[] = [];

  constructor(metrics: Metrics, out: MonitorOutput, settings: Partial<MonitorSettings> = {}) {
    this.metrics = metrics;
    this.out = out;
    this.settings = { ...DEFAULT_MONITOR_SETTINGS, ...settings };
  }

  /** Settings from the configuration, kept up to date until stop(). */
  static fromConfig(metrics: Metrics, out: MonitorOutput, config: ProxyConfig): RequestMonitor {
    const m = new RequestMonitor(metrics, out, monitorSettingsFromConfig(config));
    const diag = (): void => {
      m.diagnosisLevel = config.getInt('route_diagnosis_level');
      m.connectionDiagnosis = config.getInt('connection_diagnosis_option');
    };
    diag();
    m.unbind.push(config.onChange('route_diagnosis_level', diag), config.onChange('connection_diagnosis_option', diag));
    for (const name of CONFIG_NAMES) {
      m.unbind.push(config.onChange(name, () => {
        const interval = m.settings.dumpIntervalMs;
        m.settings = monitorSettingsFromConfig(config);
        if (m.timer !== null && interval !== m.settings.dumpIntervalMs) m.start();
      }));
    }
    return m;
  }

  /** One finished request of a session in `scope`. `r` may be reused by the caller right after. */
  done(scope: MetricScope, r: DigestRecord): void {
    const s = this.settings;
    const slow = s.slowUs > 0 && r.totalUs > s.slowUs;
    scope.request(r, slow);
    if (s.statEnabled) scope.stat.add(r, s.thresholds);
    if (r.failed && s.level >= (r.internalError ? LogLevel.ERROR : LogLevel.INFO)) {
      this.out.write('obproxy_error.log', formatErrorLine(r, s.sqlLength));
    }
    if (s.level < LogLevel.INFO) return;
    const digest = !r.failed && (slow || r.traceLog || (s.digestUs > 0 && r.totalUs > s.digestUs));
    if (!slow && !digest) return;
    const line = formatDigestLine(r, s.sqlLength);
    if (slow) this.out.write('obproxy_slow.log', line);
    if (digest) this.out.write('obproxy_digest.log', line);
  }

  /**
   * One obproxy_diagnosis.log line `[time] [tid][trace] [TAG](body)` (spec §9, §10); never blocks (a full queue drops
   * the line and counts it). Returns false when dropped.
   */
  diagnosis(tag: string, body: string, traceId: string = NO_TRACE_ID): boolean {
    return this.out.write('obproxy_diagnosis.log', formatDiagnosisLine(nowUs(), process.pid, traceId, tag, body));
  }

  /** Writes the obproxy_stat.log lines of the interval now and sweeps idle scopes. */
  dump(timeUs: number = nowUs()): void {
    const s = this.settings;
    // Rows are zeroed even when the level hides the lines, as ODP's INFO-level stat log does.
    const write = s.level >= LogLevel.INFO ? (line: string): void => { this.out.write('obproxy_stat.log', line); } : (): void => undefined;
    dumpStats(this.metrics.scopes(), timeUs, s.msUnit, maxIdleDumps(s.itemMaxIdleMs, s.dumpIntervalMs), write);
    this.metrics.sweep(Math.floor(timeUs / 1000), s.itemMaxIdleMs);
  }

  /** Starts (or restarts) the dump timer, aligned like ODP's; the timer does not keep the process alive. */
  start(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    const interval = this.settings.dumpIntervalMs;
    if (interval <= 0) {
      this.timer = null;
      return;
    }
    this.timer = setTimeout(() => {
      this.dump();
      this.start();
    }, nextDumpDelayMs(Date.now(), interval));
    this.timer.unref();
  }

  /** Stops the timer and the configuration listeners. */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const u of this.unbind) u();
    this.unbind = [];
  }
}
