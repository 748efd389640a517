// Starts the REAL proxy process (dist/src/cli.js) for integration tests and tells where the lab backends are.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAB_USERS } from '../../lab/mariadb.js';
import { freePort } from '../../lab/proc.js';

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
  // freePort() only says a port was free a moment ago: another process may bind it before odp does. odp then exits
  // with "address already in use" (listen port or metrics port) and the start is retried on fresh ports.
  for (let attempt = 0; ; attempt++) {
    const r = await startOnce(extra, opts);
    if (r.kind === 'started') return r.proxy;
    if (attempt >= PORT_RETRIES) throw new Error(`odp exited during start-up (ports taken ${attempt + 1} times):\n${r.output}`);
  }
}

/** How many times a start-up lost its port to another process is retried. */
const PORT_RETRIES = 3;

type StartResult = { kind: 'started'; proxy: ProxyProcess } | { kind: 'port-taken'; output: string };

async function startOnce(extra: readonly string[], opts: { backends?: Endpoint[]; env?: Record<string, string> }): Promise<StartResult> {
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
  let stdout = '';
  proc.stdout?.on('data', (d: Buffer) => { out += d.toString(); stdout += d.toString(); });
  proc.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const closed = new Promise<void>((resolve) => proc.once('close', () => resolve())); // after 'exit' and the last output
  let dead = false;
  void exited.then(() => { dead = true; });
  // Ready once odp itself says so: it writes this line after both its listeners are bound. (A connect probe could
  // reach another process that took the port, and would be one more client session.)
  const ready = `odp: listening on port ${port}\n`;
  const deadline = Date.now() + 15_000;
  while (!stdout.includes(ready)) {
    if (dead) {
      await closed;
      if (new RegExp(`:(${port}|${metricsPort})\\b.*address already in use`).test(out)) return { kind: 'port-taken', output: out };
      throw new Error(`odp exited during start-up:\n${out}`);
    }
    if (Date.now() > deadline) { proc.kill('SIGKILL'); throw new Error(`odp did not listen on ${port}:\n${out}`); }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    kind: 'started',
    proxy: {
      port, metricsPort, root, proc, exited,
      output: () => out,
      async stop(signal: NodeJS.Signals = 'SIGTERM') {
        if (!dead) proc.kill(signal);
        const t = setTimeout(() => proc.kill('SIGKILL'), 20_000);
        const code = await exited;
        clearTimeout(t);
        return code;
      },
    },
  };
}

/**
 * Waits until what `p` wrote after offset `from` of its output matches `re` (e.g. the log line saying the proxy saw
 * a server connection close); rejects after `ms` with the output written since.
 */
export async function waitForOutput(p: ProxyProcess, re: RegExp, from: number, ms = 5000): Promise<RegExpExecArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = re.exec(p.output().slice(from));
    if (m !== null) return m;
    if (Date.now() > deadline) throw new Error(`no output matching ${String(re)} within ${ms} ms; odp wrote since:\n${p.output().slice(from)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
