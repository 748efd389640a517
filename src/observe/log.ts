// Minimal obproxy.log-style logger: `[YYYY-MM-DD HH:MM:SS.uuuuuu] LEVEL [MOD] message` (spec §10).
// Writes to stderr until the log-file channels exist; a disabled level costs one comparison.

export const LogLevel = { ERROR: 0, USER_ERR: 1, WARN: 2, INFO: 3, EDIAG: 4, WDIAG: 5, TRACE: 6, DEBUG: 7 } as const;
export type LogLevelName = keyof typeof LogLevel;

export function parseLogLevel(s: string): number | null {
  const v = (LogLevel as Record<string, number>)[s.toUpperCase()];
  return v ?? null;
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

export function timestamp(d = new Date()): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)} ${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${pad(d.getMilliseconds() * 1000, 6)}`;
}

export class Logger {
  level: number;
  private readonly sink: (line: string) => void;

  constructor(level: number = LogLevel.INFO, sink: (line: string) => void = (l) => process.stderr.write(l)) {
    this.level = level;
    this.sink = sink;
  }

  enabled(level: number): boolean {
    return level <= this.level;
  }

  log(level: number, mod: string, msg: string): void {
    if (level > this.level) return;
    const name = Object.keys(LogLevel).find((k) => (LogLevel as Record<string, number>)[k] === level) ?? 'INFO';
    this.sink(`[${timestamp()}] ${name.padEnd(5)} [${mod}] ${msg.replace(/\n/g, '\\n')}\n`);
  }

  error(mod: string, msg: string): void { this.log(LogLevel.ERROR, mod, msg); }
  warn(mod: string, msg: string): void { this.log(LogLevel.WARN, mod, msg); }
  info(mod: string, msg: string): void { this.log(LogLevel.INFO, mod, msg); }
  debug(mod: string, msg: string): void { this.log(LogLevel.DEBUG, mod, msg); }
}
