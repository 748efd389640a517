// The relays and the proxy the benches start: spawned with their output in a log file, ready when their port
// accepts, stopped with SIGTERM then SIGKILL. Every child is tracked so a Ctrl-C of the bench stops them all.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { freePort, portOpen } from '../lab/proc.js';
export { freePort, portOpen };

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  readonly log: string;
  stop(): Promise<void>;
}

const running = new Set<Child>();

/** A port the kernel considers free right now (tiny race with whoever binds next; fine on a bench machine). */
/** The line of a child's log that says why it stopped: its own one-line message, else the first error line. */
function reason(file: string): string {
  if (!existsSync(file)) return '';
  const lines = readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.find((l) => /^(odp|null-relay): /.test(l))
    ?? lines.find((l) => /^\w*Error\b|socat\[\d+\] E /.test(l))
    ?? lines.slice(-2).join(' | ');
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Starts `cmd args` and resolves once 127.0.0.1:`port` accepts connections (rejects on exit or timeout). */
export async function startChild(name: string, cmd: string, args: readonly string[], port: number, log: string, cwd?: string): Promise<Child> {
  mkdirSync(dirname(log), { recursive: true });
  if (cwd !== undefined) mkdirSync(cwd, { recursive: true });
  const fd = openSync(log, 'w');
  const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], ...(cwd !== undefined ? { cwd } : {}) });
  closeSync(fd);
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: ${(await spawnError).message}`);
  const c: Child = {
    name, pid, port, log,
    async stop() {
      running.delete(c);
      if (exited(child)) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    },
  };
  running.add(c);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (exited(child)) {
      running.delete(c);
      throw new Error(`${name} exited at start-up: ${reason(log) || `exit code ${child.exitCode ?? child.signalCode}`}`);
    }
    if (await portOpen('127.0.0.1', port)) return c;
    await new Promise((r) => setTimeout(r, 100));
  }
  await c.stop();
  throw new Error(`${name} did not listen on port ${port} within 15 s (log: ${log})`);
}

/** Stops every child still running (normal end, error or signal). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((c) => c.stop()));
}
