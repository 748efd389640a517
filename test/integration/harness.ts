// Starts the REAL proxy process (dist/src/cli.js) for integration tests and tells where the lab backends are.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAB_USERS } from '../../lab/mariadb.js';
import { freePort, portOpen } from '../../lab/proc.js';

export { freePort };

export const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

export interface Endpoint { host: string; port: number }

function parseEndpoint(v: string | undefined, what: string): Endpoint {
  if (v === undefined) throw new Error(`${what} is not set: run integration tests through \`npm test\``);
  const [host, port] = v.split(':');
  return { host: host ?? '127.0.0.1', port: Number(port) };
}

export const backendA = (): Endpoint => parseEndpoint(process.env['ODP_TEST_MYSQL_A'], 'ODP_TEST_MYSQL_A');
export const backendB = (): Endpoint => parseEndpoint(process.env['ODP_TEST_MYSQL_B'], 'ODP_TEST_MYSQL_B');
export const users = LAB_USERS;

export interface ProxyProcess {
  readonly port: number;
  /** Port of /metrics, /healthz, /readyz. */
  readonly metricsPort: number;
  /** OBPROXY_ROOT of this process: its log files are in `${root}/log`. */
  readonly root: string;
  readonly proc: ChildProcess;
  /** Everything the process wrote to stdout/stderr so far. */
  output(): string;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

/** Starts `odp` on a free port with the given extra arguments (default: mysql mode in front of backend A). */
export async function startProxy(extra: readonly string[] = [], opts: { backends?: Endpoint[]; env?: Record<string, string> } = {}): Promise<ProxyProcess> {
  const port = await freePort();
  const backends = opts.backends ?? [backendA()];
  // Loopback only, and a private state file so runtime ALTERs never leak between tests or into the repo.
  // Log files (OBPROXY_ROOT/log) and the metrics port are private too.
  const root = mkdtempSync(join(tmpdir(), 'odp-test-'));
  const stateFile = join(root, 'state.yaml');
  const metricsPort = await freePort();
  const args = [CLI, '-N', '-p', String(port), '-r', backends.map((b) => `${b.host}:${b.port}`).join(';'),
    '-o', `server_routing_mode=mysql,local_bound_ip=127.0.0.1,config_state_file=${stateFile},prometheus_listen_port=${metricsPort}`, ...extra];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OBPROXY_ROOT: root, ...opts.env } });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let dead = false;
  void exited.then(() => { dead = true; });
  const deadline = Date.now() + 15_000;
  while (!(await portOpen('127.0.0.1', port))) {
    if (dead) throw new Error(`odp exited during start-up:\n${out}`);
    if (Date.now() > deadline) { proc.kill('SIGKILL'); throw new Error(`odp did not listen on ${port}:\n${out}`); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port, metricsPort, root, proc, exited,
    output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (!dead) proc.kill(signal);
      const t = setTimeout(() => proc.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}
