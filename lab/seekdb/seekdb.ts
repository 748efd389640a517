// The real OceanBase kernel for the lab: the single-node `seekdb` server shipped in the PyPI wheel
// `pylibseekdb` (installed by lab/seekdb/install.sh into lab/seekdb/.venv). Started and stopped by us,
// data under the caller's baseDir (normally .lab/seekdb/). Reuses a server already running there.
//
// seekdb has no option to bind one address: it listens on 0.0.0.0:<port>. Its only account, root, starts
// with an empty password, so the first start sets a random one, kept in <baseDir>/credentials.json (0600).
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { pidAlive } from '../proc.js';

/** The PyPI package and version install.sh pins; the kernel inside reports OceanBase 4.3.5.3. */
export const SEEKDB_PACKAGE = 'pylibseekdb';
export const SEEKDB_VERSION = '1.4.0.post1';
export const SEEKDB_DEFAULT_PORT = 12881;

/** lab/seekdb in the source tree, whether running from source or from a build output directory. */
export const SEEKDB_LAB_DIR = findLabDir();
export const SEEKDB_DEFAULT_BASE_DIR = resolve(process.env['ODP_LAB_DIR'] ?? join(process.cwd(), '.lab'), 'seekdb');

export interface SeekdbOptions {
  /** Server working directory: store/, log/, run/ and credentials.json live here. */
  readonly baseDir: string;
  readonly port: number;
  /** Address clients use to reach it (the server itself listens on every address). */
  readonly host?: string;
  /** memory_limit parameter; default 2G (about 0.3 GiB resident when idle). */
  readonly memoryLimit?: string;
}

export interface SeekdbServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly pid: number;
  /** False when an already running server was reused. */
  readonly started: boolean;
  /** Milliseconds from spawn to the first successful query (0 when reused). */
  readonly startupMs: number;
  stop(): Promise<void>;
}

function findLabDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'lab', 'seekdb', 'install.sh'))) return join(dir, 'lab', 'seekdb');
    if (existsSync(join(dir, 'install.sh')) && dir.endsWith(join('lab', 'seekdb'))) return dir;
    dir = dirname(dir);
  }
  return resolve('lab', 'seekdb');
}

/** Path of the installed seekdb executable, or undefined. */
export function seekdbBinary(): string | undefined {
  const lib = join(SEEKDB_LAB_DIR, '.venv', 'lib');
  if (!existsSync(lib)) return undefined;
  for (const py of readdirSync(lib)) {
    const bin = join(lib, py, 'site-packages', SEEKDB_PACKAGE, 'seekdb');
    if (existsSync(bin)) return bin;
  }
  return undefined;
}

/** Whether the kernel can run here, and if not, the one-line reason. Synchronous and cheap. */
export function seekdbAvailable(): { ok: boolean; reason: string } {
  if (platform() !== 'linux') return { ok: false, reason: `seekdb needs Linux (this is ${platform()})` };
  if (arch() !== 'x64' && arch() !== 'arm64') return { ok: false, reason: `seekdb needs x86_64 or aarch64 (this is ${arch()})` };
  const bin = seekdbBinary();
  if (bin === undefined) return { ok: false, reason: `seekdb not installed: run lab/seekdb/install.sh (npm run lab -- seekdb install)` };
  return { ok: true, reason: `seekdb ${SEEKDB_VERSION} at ${bin}` };
}

export function seekdbPaths(baseDir: string): { pidFile: string; credentials: string; stdout: string; log: string } {
  return {
    pidFile: join(baseDir, 'run', 'seekdb.pid'),
    credentials: join(baseDir, 'credentials.json'),
    stdout: join(baseDir, 'stdout.log'),
    log: join(baseDir, 'log', 'seekdb.log'),
  };
}

/** The pid in run/seekdb.pid when that process is alive and is a seekdb. */
export function runningPid(baseDir: string): number | undefined {
  const { pidFile } = seekdbPaths(baseDir);
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid)) return undefined;
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('seekdb')) return undefined;
  } catch {
    return undefined;
  }
  return pid;
}

function readPassword(baseDir: string): string {
  const file = seekdbPaths(baseDir).credentials;
  if (!existsSync(file)) return '';
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof parsed === 'object' && parsed !== null && 'password' in parsed && typeof parsed.password === 'string') return parsed.password;
  throw new Error(`seekdb: ${file} has no password`);
}

async function tryQuery(host: string, port: number, password: string): Promise<'ok' | 'down' | 'denied'> {
  let conn: mysql.Connection | undefined;
  try {
    conn = await mysql.createConnection({ host, port, user: 'root', password, connectTimeout: 2000 });
    await conn.query('SELECT 1');
    return 'ok';
  } catch (e) {
    const errno = (e as { errno?: unknown }).errno;
    return errno === 1045 ? 'denied' : 'down';
  } finally {
    await conn?.end().catch(() => undefined);
  }
}

/** Sets a random root password once (a fresh seekdb has none and listens on every address). */
async function secureRoot(baseDir: string, host: string, port: number): Promise<string> {
  const password = randomBytes(12).toString('hex');
  const conn = await mysql.createConnection({ host, port, user: 'root', password: '' });
  try {
    await conn.query(`ALTER USER root IDENTIFIED BY '${password}'`);
  } finally {
    await conn.end();
  }
  const file = seekdbPaths(baseDir).credentials;
  writeFileSync(file, JSON.stringify({ user: 'root', password }) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return password;
}

function logTail(file: string): string {
  return existsSync(file) ? '\n' + readFileSync(file, 'utf8').split('\n').slice(-10).join('\n') : '';
}

export async function startSeekdb(opts: SeekdbOptions): Promise<SeekdbServer> {
  const host = opts.host ?? '127.0.0.1';
  const baseDir = resolve(opts.baseDir);
  const paths = seekdbPaths(baseDir);
  mkdirSync(baseDir, { recursive: true });
  const existing = runningPid(baseDir);
  if (existing !== undefined) {
    const password = readPassword(baseDir);
    const state = await tryQuery(host, opts.port, password);
    if (state === 'ok') return server(host, opts.port, password, existing, false, 0);
    throw new Error(`seekdb: pid ${existing} runs in ${baseDir} but ${host}:${opts.port} answers '${state}' (other port?)`);
  }
  const bin = seekdbBinary();
  if (bin === undefined) throw new Error(seekdbAvailable().reason);
  const t0 = Date.now();
  const out = openSync(paths.stdout, 'a');
  const child = spawn(bin, [
    `--base-dir=${baseDir}`, '--port', String(opts.port), '--nodaemon', '--log-level=WARN',
    '--parameter', `memory_limit=${opts.memoryLimit ?? '2G'}`, '--parameter', 'log_disk_size=2G',
  ], { cwd: baseDir, detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error('seekdb: spawn failed');
  let password = readPassword(baseDir);
  const deadline = t0 + 180_000;
  for (;;) {
    if (!pidAlive(pid)) throw new Error(`seekdb: exited during start-up${logTail(paths.stdout)}${logTail(paths.log)}`);
    const state = await tryQuery(host, opts.port, password);
    if (state === 'ok') break;
    if (state === 'denied') throw new Error(`seekdb: root login denied; ${paths.credentials} does not match the data in ${baseDir}`);
    if (Date.now() > deadline) throw new Error(`seekdb: not ready after 180 s${logTail(paths.log)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const startupMs = Date.now() - t0;
  if (password === '') password = await secureRoot(baseDir, host, opts.port);
  return server(host, opts.port, password, pid, true, startupMs);
}

async function stopPid(pid: number): Promise<void> {
  if (!pidAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 60_000;
  while (pidAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`seekdb: pid ${pid} still running 60 s after SIGTERM`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Stops the server running in baseDir; false when none was running. */
export async function stopSeekdb(baseDir: string): Promise<boolean> {
  const pid = runningPid(resolve(baseDir));
  if (pid === undefined) return false;
  await stopPid(pid);
  return true;
}

function server(host: string, port: number, password: string, pid: number, started: boolean, startupMs: number): SeekdbServer {
  return { host, port, user: 'root', password, pid, started, startupMs, stop: () => stopPid(pid) };
}
