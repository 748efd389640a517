// obproxy.log (and obproxy.log.wf) for the Logger of log.ts (spec §10): syslog_level filtering, per-module levels
// (`ALL.*:INFO,PROXY.*:DEBUG`), the full ODP line format with lt= and dc=, and an adapter for Logger's current
// `(line) => void` sink. A disabled level costs one comparison in Logger; this writer is reached only for enabled
// lines and costs one formatted string per line.
import type { ProxyConfig } from '../config/config.js';
import { LogLevel } from './log.js';
import type { Logger } from './log.js';
import { NO_TRACE_ID, formatSyslogLine, nowUs } from './log-formats.js';
import type { SyslogRecord } from './log-formats.js';

/** Where lines go: LogFiles satisfies it; tests may capture. */
export interface SyslogOutput {
  write(file: 'obproxy.log' | 'obproxy.log.wf', line: string): boolean;
  dropped(file: 'obproxy.log' | 'obproxy.log.wf'): number;
}

export interface SyslogLevels {
  /** Level of modules not listed (ALL.* or the plain level). */
  readonly defaultLevel: number;
  /** Top-level module (upper case) -> level. */
  readonly modules: ReadonlyMap<string, number>;
  /** The most verbose level of all: what Logger.level must be so no enabled line is filtered early. */
  readonly maxLevel: number;
}

/** Parses a syslog_level value as canonicalised by the configuration ('WDIAG' or 'ALL.*:INFO,PROXY.*:DEBUG'). */
export function parseSyslogLevel(text: string): SyslogLevels {
  const levels = LogLevel as Record<string, number>;
  const plain = levels[text.trim().toUpperCase()];
  if (plain !== undefined) return { defaultLevel: plain, modules: new Map(), maxLevel: plain };
  let defaultLevel: number = LogLevel.WDIAG;
  const modules = new Map<string, number>();
  for (const item of text.split(/[,;]/)) {
    const [mod, lvl] = item.split(':').map((s) => s.trim().toUpperCase());
    const n = levels[lvl ?? ''];
    if (mod === undefined || mod === '' || n === undefined) continue;
    const top = mod.split('.')[0] ?? mod;
    if (top === 'ALL') defaultLevel = n;
    else modules.set(top, n);
  }
  let maxLevel = defaultLevel;
  for (const n of modules.values()) maxLevel = Math.max(maxLevel, n);
  return { defaultLevel, modules, maxLevel };
}

export interface SyslogWriterOptions {
  /** Printed in `[tid]`; default the process id. */
  tid?: number;
  /** enable_syslog_wf: also copy WARN and above to obproxy.log.wf. */
  wf?: boolean;
  /** syslog_level text; default WDIAG. */
  level?: string;
}

export class SyslogWriter {
  private readonly out: SyslogOutput;
  private readonly tid: number;
  private levels: SyslogLevels;
  wf: boolean;
  private lastUs = 0;
  private lastDropped = 0;
  private readonly rec: SyslogRecord;

  constructor(out: SyslogOutput, opts: SyslogWriterOptions = {}) {
    this.out = out;
    this.tid = opts.tid ?? process.pid;
    this.wf = opts.wf ?? false;
    this.levels = parseSyslogLevel(opts.level ?? 'WDIAG');
    this.rec = {
      timeUs: 0, level: 0, mod: '', func: '-', location: '-:0', tid: this.tid, traceId: NO_TRACE_ID,
      ltUs: 0, dropped: 0, msg: '',
    };
  }

  get maxLevel(): number {
    return this.levels.maxLevel;
  }

  setLevel(text: string): void {
    this.levels = parseSyslogLevel(text);
  }

  enabled(level: number, mod: string): boolean {
    const m = this.levels.modules;
    if (m.size === 0) return level <= this.levels.defaultLevel;
    const dot = mod.indexOf('.');
    const own = m.get(dot < 0 ? mod : mod.slice(0, dot));
    return level <= (own ?? this.levels.defaultLevel);
  }

  /** Writes one line if `level` is enabled for `mod`. `func`/`location` name the call site when known. */
  write(level: number, mod: string, msg: string, traceId: string = NO_TRACE_ID, func = '-', location = '-:0'): void {
    if (!this.enabled(level, mod)) return;
    const r = this.rec;
    const now = nowUs();
    const dropped = this.out.dropped('obproxy.log');
    r.timeUs = now;
    r.level = level;
    r.mod = mod;
    r.func = func;
    r.location = location;
    r.traceId = traceId;
    r.ltUs = this.lastUs === 0 ? 0 : now - this.lastUs;
    r.dropped = dropped - this.lastDropped;
    r.msg = msg;
    this.lastUs = now;
    this.lastDropped = dropped;
    const line = formatSyslogLine(r);
    this.out.write('obproxy.log', line);
    if (this.wf && level <= LogLevel.WARN) this.out.write('obproxy.log.wf', line);
  }

  /**
   * A sink for Logger as it is today: it receives `[ts] LEVEL [MOD] msg\n`, takes level, module and message
   * back out of it and writes the full ODP line. Lines it cannot read are written with level INFO, module ODP.
   */
  lineSink(): (line: string) => void {
    return (line) => {
      const p = parseLoggerLine(line);
      if (p === null) this.write(LogLevel.INFO, 'ODP', line.endsWith('\n') ? line.slice(0, -1) : line);
      else this.write(p.level, p.mod, p.msg);
    };
  }
}

/** Reads Logger's `[ts] LEVEL [MOD] msg\n`. */
export function parseLoggerLine(line: string): { level: number; mod: string; msg: string } | null {
  const close = line.indexOf('] ');
  if (line[0] !== '[' || close < 0) return null;
  let i = close + 2;
  const sp = line.indexOf(' ', i);
  if (sp < 0) return null;
  const level = (LogLevel as Record<string, number>)[line.slice(i, sp)];
  i = sp;
  while (line[i] === ' ') i++;
  const modEnd = line.indexOf('] ', i);
  if (level === undefined || line[i] !== '[' || modEnd < 0) return null;
  const end = line.endsWith('\n') ? line.length - 1 : line.length;
  return { level, mod: line.slice(i + 1, modEnd), msg: line.slice(modEnd + 2, end) };
}

/**
 * Keeps `writer` and `logger` in step with syslog_level and enable_syslog_wf: Logger.level becomes the most
 * verbose level of any module (per-module filtering happens in the writer). Returns the unsubscribe function.
 */
export function bindSyslogConfig(writer: SyslogWriter, logger: Logger, config: ProxyConfig): () => void {
  const apply = (): void => {
    writer.setLevel(config.get('syslog_level'));
    writer.wf = config.getBool('enable_syslog_wf');
    logger.level = writer.maxLevel;
  };
  apply();
  const offs = [config.onChange('syslog_level', apply), config.onChange('enable_syslog_wf', apply)];
  return () => { for (const off of offs) off(); };
}
