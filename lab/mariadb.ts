// A real MariaDB server for the lab and the tests: project-local data directory under .lab/, loopback only,
// started and stopped by us (never the system service). Reuses an instance that is already running there.
import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, openSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { pidAlive, portOpen } from './proc.js';

const execFileP = promisify(execFile);

export const LAB_ROOT = resolve(process.env['ODP_LAB_DIR'] ?? join(process.cwd(), '.lab'));

export interface MariadbOptions {
  /** Instance name; data lives in .lab/mariadb/<name>. */
  readonly name: string;
  readonly port: number;
  readonly host?: string;
  /** Extra mariadbd flags. */
  readonly extraArgs?: readonly string[];
}

export interface MariadbInstance {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly socket: string;
  readonly dir: string;
  readonly pid: number;
  /** True when this call started the server (false: it was already running and is reused). */
  readonly started: boolean;
  stop(): Promise<void>;
}

/** Accounts every lab MariaDB has (besides root). Passwords are lab-only. */
export const LAB_USERS = {
  root: { user: 'root', password: '' },
  app: { user: 'odp_app', password: 'odp_app_pw' },
  /** The proxy's metadata account (auth source in mysql mode), like ODP's proxyro@sys. */
  proxyro: { user: 'proxyro', password: 'proxyro_pw' },
} as const;

function readPid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, logFile?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  const tail = logFile && existsSync(logFile) ? `\n${readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n')}` : '';
  throw new Error(`lab: ${what} not ready after ${timeoutMs} ms${tail}`);
}

export function mariadbPaths(name: string): { dir: string; data: string; socket: string; pidFile: string; log: string } {
  const dir = join(LAB_ROOT, 'mariadb', name);
  return { dir, data: join(dir, 'data'), socket: join(dir, 'mysqld.sock'), pidFile: join(dir, 'mysqld.pid'), log: join(dir, 'error.log') };
}

/** Runs SQL as root over the instance's unix socket with the mariadb CLI. */
export async function labSql(socket: string, sql: string): Promise<string> {
  const { stdout } = await execFileP('mariadb', ['--no-defaults', `--socket=${socket}`, '-uroot', '-N', '-B', '-e', sql]);
  return stdout;
}

export async function startMariadb(opts: MariadbOptions): Promise<MariadbInstance> {
  const host = opts.host ?? '127.0.0.1';
  const p = mariadbPaths(opts.name);
  mkdirSync(p.dir, { recursive: true });
  const running = readPid(p.pidFile);
  if (running !== undefined && pidAlive(running) && (await portOpen(host, opts.port))) {
    return instance(opts.name, host, opts.port, p, running, false);
  }
  if (!existsSync(join(p.data, 'mysql'))) {
    rmSync(p.data, { recursive: true, force: true });
    mkdirSync(p.data, { recursive: true });
    await execFileP('mariadb-install-db', [
      '--no-defaults', `--datadir=${p.data}`, '--user=root', '--auth-root-authentication-method=normal',
      '--skip-test-db', '--skip-name-resolve',
    ]);
  }
  const logFd = openSync(p.log, 'a');
  const child = spawn('mariadbd', [
    '--no-defaults', `--datadir=${p.data}`, `--socket=${p.socket}`, `--pid-file=${p.pidFile}`,
    `--port=${opts.port}`, `--bind-address=${host}`, '--user=root', `--log-error=${p.log}`,
    '--skip-name-resolve', '--max-connections=4000', '--max-allowed-packet=1G', '--local-infile=1',
    '--innodb-buffer-pool-size=256M', '--innodb-log-file-size=256M', '--thread-cache-size=64',
    '--character-set-server=utf8mb4', '--collation-server=utf8mb4_general_ci',
    ...(opts.extraArgs ?? []),
  ], { detached: true, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error('lab: mariadbd did not start');
  await waitFor(`mariadb ${opts.name} on ${host}:${opts.port}`, async () => {
    if (!pidAlive(pid)) throw new Error(`lab: mariadbd exited early; see ${p.log}\n${readFileSync(p.log, 'utf8').split('\n').slice(-15).join('\n')}`);
    return portOpen(host, opts.port);
  }, 60_000, p.log);
  await bootstrapUsers(p.socket);
  return instance(opts.name, host, opts.port, p, pid, true);
}

async function bootstrapUsers(socket: string): Promise<void> {
  const { app, proxyro } = LAB_USERS;
  await labSql(socket, [
    `CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'`,
    `GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION`,
    `CREATE USER IF NOT EXISTS '${app.user}'@'%' IDENTIFIED BY '${app.password}'`,
    `GRANT ALL ON *.* TO '${app.user}'@'%'`,
    `CREATE USER IF NOT EXISTS '${proxyro.user}'@'%' IDENTIFIED BY '${proxyro.password}'`,
    `GRANT SELECT ON mysql.* TO '${proxyro.user}'@'%'`,
    `CREATE DATABASE IF NOT EXISTS odp_test`,
  ].join(';'));
}

function instance(name: string, host: string, port: number, p: ReturnType<typeof mariadbPaths>, pid: number, started: boolean): MariadbInstance {
  return {
    name, host, port, socket: p.socket, dir: p.dir, pid, started,
    async stop() {
      if (!pidAlive(pid)) return;
      process.kill(pid, 'SIGTERM');
      await waitFor(`mariadb ${name} shutdown`, () => Promise.resolve(!pidAlive(pid)), 60_000, p.log);
    },
  };
}

/** Stops an instance by its pid file (used by `npm run lab -- down`). */
export async function stopMariadbByName(name: string): Promise<boolean> {
  const p = mariadbPaths(name);
  const pid = readPid(p.pidFile);
  if (pid === undefined || !pidAlive(pid)) return false;
  process.kill(pid, 'SIGTERM');
  await waitFor(`mariadb ${name} shutdown`, () => Promise.resolve(!pidAlive(pid)), 60_000, p.log);
  return true;
}
