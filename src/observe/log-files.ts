// ODP's log files under one directory (spec §10): one LogChannel per file, rotation at max_log_file_size, periodic
// clean-up, parameters re-read when they change. write() never blocks: a full queue drops the line and counts it
// (dropped(), droppedTotal()).
//
// Ownership: one LogFiles per process, created by main.ts; sessions write through it (or through a channel()
// handle fetched once). The directory is `<OBPROXY_ROOT or cwd>/log` (logDirectory()).
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ProxyConfig } from '../config/config.js';
import { LogChannel } from './log-channel.js';
import type { ChannelLimits } from './log-channel.js';
import { dirBudget, planCleanup, removeFiles, scanLogDir } from './log-cleanup.js';

/** The files, named as ODP names them (spec §10). `obproxy.log.wf` gets WARN and above when enable_syslog_wf. */
export const LOG_FILE_NAMES = [
  'obproxy.log', 'obproxy_digest.log', 'obproxy_slow.log', 'obproxy_error.log', 'obproxy_stat.log',
  'obproxy_diagnosis.log', 'obproxy.log.wf',
] as const;
export type LogFileName = (typeof LOG_FILE_NAMES)[number];

export interface LogFilesSettings {
  /** max_log_file_size, bytes. */
  maxFileBytes: number;
  /** max_syslog_file_count; 0 = no limit. */
  maxArchiveCount: number;
  /** max_syslog_file_time, ms. */
  maxArchiveAgeMs: number;
  /** log_dir_size_threshold, bytes. */
  dirSizeThreshold: number;
  /** log_file_percentage; 0 ignores the free-space check. */
  filePercentage: number;
  /** log_cleanup_interval, ms; 0 disables the timer (cleanup() can still be called). */
  cleanupIntervalMs: number;
  /** Queue bound per file, lines (fixed at construction). No ODP parameter exists for it. */
  queueLines: number;
  /** Queue bound per file, UTF-16 units. */
  queueChars: number;
}

export const DEFAULT_LOG_SETTINGS: Readonly<LogFilesSettings> = {
  maxFileBytes: 256 * 1024 * 1024, maxArchiveCount: 0, maxArchiveAgeMs: 7 * 86_400_000,
  dirSizeThreshold: 64 * 1024 ** 3, filePercentage: 80, cleanupIntervalMs: 60_000,
  queueLines: 65_536, queueChars: 16 * 1024 * 1024,
};

/** `<OBPROXY_ROOT or base>/log` (spec §10). */
export function logDirectory(base: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  const root = env['OBPROXY_ROOT'];
  return join(resolve(root !== undefined && root !== '' ? root : base), 'log');
}

export interface LogFilesHooks {
  /** One line per fs problem (first error of an episode per file); e.g. to stderr. */
  onError?: (message: string) => void;
  /** After each clean-up pass that removed files. */
  onCleanup?: (removedPaths: readonly string[]) => void;
}

export class LogFiles {
  readonly dir: string;
  private readonly settings: LogFilesSettings;
  private readonly limits: ChannelLimits;
  private readonly channels = new Map<LogFileName, LogChannel>();
  private readonly bases: ReadonlySet<string> = new Set(LOG_FILE_NAMES);
  private readonly hooks: LogFilesHooks;
  private timer: NodeJS.Timeout | null = null;
  private cleaning: Promise<string[]> | null = null;
  private unbind: (() => void)[] = [];

  constructor(dir: string, settings: Partial<LogFilesSettings> = {}, hooks: LogFilesHooks = {}) {
    this.dir = dir;
    this.settings = { ...DEFAULT_LOG_SETTINGS, ...settings };
    this.hooks = hooks;
    const s = this.settings;
    this.limits = { maxFileBytes: s.maxFileBytes, queueLines: s.queueLines, queueChars: s.queueChars };
    for (const name of LOG_FILE_NAMES) {
      const opts = hooks.onError === undefined ? {} : { onError: hooks.onError };
      this.channels.set(name, new LogChannel(name, join(dir, name), this.limits, opts));
    }
  }

  /** Settings from the configuration, kept up to date through onChange until close(). */
  static fromConfig(dir: string, config: ProxyConfig, hooks: LogFilesHooks = {}, fixed: Partial<LogFilesSettings> = {}): LogFiles {
    const files = new LogFiles(dir, { ...settingsFromConfig(config), ...fixed }, hooks);
    for (const name of CONFIG_NAMES) {
      files.unbind.push(config.onChange(name, () => files.update(settingsFromConfig(config))));
    }
    return files;
  }

  /** Creates the directory and starts the clean-up timer. Rejects with the fs error. */
  async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    this.schedule();
  }

  /** Queues `line` (no trailing newline) for `file`; false when dropped. */
  write(file: LogFileName, line: string): boolean {
    return this.need(file).write(line);
  }

  /** The channel of one file, for callers that write often (saves the lookup). */
  channel(file: LogFileName): LogChannel {
    return this.need(file);
  }

  /** Lines dropped so far for `file`. */
  dropped(file: LogFileName): number {
    return this.need(file).droppedLines;
  }

  droppedTotal(): number {
    let n = 0;
    for (const c of this.channels.values()) n += c.droppedLines;
    return n;
  }

  /** Dropped lines per file name, in LOG_FILE_NAMES order. */
  droppedByFile(): Map<LogFileName, number> {
    return new Map([...this.channels].map(([name, c]) => [name, c.droppedLines]));
  }

  current(): Readonly<LogFilesSettings> {
    return this.settings;
  }

  /** Applies new settings (the queue sizes are fixed at construction and ignored here). */
  update(next: Partial<LogFilesSettings>): void {
    const { queueLines: _lines, ...rest } = next;
    Object.assign(this.settings, rest);
    this.limits.maxFileBytes = this.settings.maxFileBytes;
    this.limits.queueChars = this.settings.queueChars;
    this.schedule();
  }

  /** One clean-up pass; returns the removed paths. Concurrent calls share one pass. */
  cleanup(nowMs: number = Date.now()): Promise<string[]> {
    this.cleaning ??= this.cleanOnce(nowMs).finally(() => { this.cleaning = null; });
    return this.cleaning;
  }

  /** Resolves when every queue has been written out. */
  async flush(): Promise<void> {
    await Promise.all([...this.channels.values()].map((c) => c.idle()));
  }

  /** Writes what is queued, closes the files, stops the timer and the configuration listeners. */
  async close(): Promise<void> {
    for (const u of this.unbind) u();
    this.unbind = [];
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await Promise.all([...this.channels.values()].map((c) => c.close()));
    await this.cleaning?.catch(() => undefined);
  }

  private async cleanOnce(nowMs: number): Promise<string[]> {
    const s = this.settings;
    const entries = await scanLogDir(this.dir, this.bases);
    const used = entries.reduce((n, e) => n + e.sizeBytes, 0);
    const budget = await dirBudget(this.dir, s.dirSizeThreshold, s.filePercentage, used);
    const plan = planCleanup(entries, { maxArchiveCount: s.maxArchiveCount, maxArchiveAgeMs: s.maxArchiveAgeMs, dirBudgetBytes: budget }, nowMs);
    const removed = await removeFiles(this.dir, plan);
    if (removed.length > 0) this.hooks.onCleanup?.(removed);
    return removed;
  }

  private schedule(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.settings.cleanupIntervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.cleanup().catch((e: unknown) => this.hooks.onError?.(`log cleanup: ${e instanceof Error ? e.message : String(e)}`));
    }, this.settings.cleanupIntervalMs);
    this.timer.unref();
  }

  private need(file: LogFileName): LogChannel {
    const c = this.channels.get(file);
    if (c === undefined) throw new Error(`unknown log file ${file}`);
    return c;
  }
}

const CONFIG_NAMES = [
  'max_log_file_size', 'max_syslog_file_count', 'max_syslog_file_time', 'log_dir_size_threshold',
  'log_file_percentage', 'log_cleanup_interval',
] as const;

/** The LogFiles settings the configuration controls (spec §10, §11). */
export function settingsFromConfig(config: ProxyConfig): Partial<LogFilesSettings> {
  return {
    maxFileBytes: config.getBytes('max_log_file_size'),
    maxArchiveCount: config.getInt('max_syslog_file_count'),
    maxArchiveAgeMs: config.getTimeMs('max_syslog_file_time'),
    dirSizeThreshold: config.getBytes('log_dir_size_threshold'),
    filePercentage: config.getInt('log_file_percentage'),
    cleanupIntervalMs: config.getTimeMs('log_cleanup_interval'),
  };
}
