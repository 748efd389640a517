// Clean-up of rotated log files (spec §10): by count per log (max_syslog_file_count, 0 = no limit), by age
// (max_syslog_file_time) and by the size of the log directory (log_dir_size_threshold, and log_file_percentage of
// the space the logs could use). Only archives `<log>.YYYYMMDDHHMMSS[.N]` of the known logs are ever deleted;
// files being written and foreign files are counted in the directory size but never touched.
// planCleanup is pure; scanLogDir/removeFiles do the I/O (admin path, every log_cleanup_interval).
import { readdir, stat, statfs, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface LogDirEntry {
  readonly fileName: string;
  readonly sizeBytes: number;
  readonly mtimeMs: number;
  /** For an archive: the log it belongs to; null for a current log or a foreign file. */
  readonly base: string | null;
  /** For an archive: the rotation time from its name (local time), else 0. */
  readonly stampMs: number;
  /** For an archive: the clash counter N of `.YYYYMMDDHHMMSS.N`, else 0. */
  readonly seq: number;
}

export interface CleanupLimits {
  /** Archives kept per log; 0 = no limit. */
  readonly maxArchiveCount: number;
  /** Archives older than this (by their stamp) are removed; 0 = no limit. */
  readonly maxArchiveAgeMs: number;
  /** The directory may hold this many bytes; oldest archives go first. */
  readonly dirBudgetBytes: number;
}

const ARCHIVE = /^(.+)\.(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?$/;

/** Recognises `<base>.YYYYMMDDHHMMSS[.N]` for one of `bases`. */
export function parseArchiveName(fileName: string, bases: ReadonlySet<string>): { base: string; stampMs: number; seq: number } | null {
  const m = ARCHIVE.exec(fileName);
  if (m === null || m[1] === undefined || !bases.has(m[1])) return null;
  const [y, mo, d, h, mi, s] = [m[2], m[3], m[4], m[5], m[6], m[7]].map(Number) as [number, number, number, number, number, number];
  return { base: m[1], stampMs: new Date(y, mo - 1, d, h, mi, s).getTime(), seq: Number(m[8] ?? 0) };
}

function olderFirst(a: LogDirEntry, b: LogDirEntry): number {
  return a.stampMs - b.stampMs || a.seq - b.seq || a.mtimeMs - b.mtimeMs || (a.fileName < b.fileName ? -1 : 1);
}

/** File names to delete, oldest first. */
export function planCleanup(entries: readonly LogDirEntry[], limits: CleanupLimits, nowMs: number): string[] {
  const archives = entries.filter((e) => e.base !== null).sort(olderFirst);
  const doomed = new Set<string>();
  if (limits.maxArchiveAgeMs > 0) {
    for (const a of archives) if (nowMs - a.stampMs > limits.maxArchiveAgeMs) doomed.add(a.fileName);
  }
  if (limits.maxArchiveCount > 0) {
    const perBase = new Map<string, LogDirEntry[]>();
    for (const a of archives) {
      const list = perBase.get(a.base ?? '') ?? [];
      list.push(a);
      perBase.set(a.base ?? '', list);
    }
    for (const list of perBase.values()) {
      for (const a of list.slice(0, Math.max(0, list.length - limits.maxArchiveCount))) doomed.add(a.fileName);
    }
  }
  let size = 0;
  for (const e of entries) if (!doomed.has(e.fileName)) size += e.sizeBytes;
  for (const a of archives) {
    if (size <= limits.dirBudgetBytes) break;
    if (doomed.has(a.fileName)) continue;
    doomed.add(a.fileName);
    size -= a.sizeBytes;
  }
  return archives.filter((a) => doomed.has(a.fileName)).map((a) => a.fileName);
}

/** Regular files of `dir`, with archives of `bases` recognised. */
export async function scanLogDir(dir: string, bases: ReadonlySet<string>): Promise<LogDirEntry[]> {
  const out: LogDirEntry[] = [];
  for (const d of await readdir(dir, { withFileTypes: true })) {
    if (!d.isFile()) continue;
    let st;
    try {
      st = await stat(join(dir, d.name));
    } catch {
      continue; // removed meanwhile
    }
    const a = parseArchiveName(d.name, bases);
    out.push({ fileName: d.name, sizeBytes: st.size, mtimeMs: st.mtimeMs, base: a?.base ?? null, stampMs: a?.stampMs ?? 0, seq: a?.seq ?? 0 });
  }
  return out;
}

/**
 * The directory budget: log_dir_size_threshold, lowered to `percentage`% of what the logs could occupy (the
 * free space of the file system plus what the logs already use) when percentage > 0.
 */
export async function dirBudget(dir: string, thresholdBytes: number, percentage: number, dirBytes: number): Promise<number> {
  if (percentage <= 0) return thresholdBytes;
  try {
    const fs = await statfs(dir);
    const usable = fs.bavail * fs.bsize + dirBytes;
    return Math.min(thresholdBytes, Math.floor((usable * percentage) / 100));
  } catch {
    return thresholdBytes;
  }
}

/** Deletes `fileNames` in `dir`; returns the paths actually removed. */
export async function removeFiles(dir: string, fileNames: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const name of fileNames) {
    const p = join(dir, name);
    try {
      await unlink(p);
      removed.push(p);
    } catch {
      // already gone
    }
  }
  return removed;
}
