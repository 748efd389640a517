// What the integration tests talk to: the real proxy in front of backend A, plus a direct path to backend A
// that serves as the oracle. With ODP_ITEST_DIRECT=1 the "proxy" endpoint is backend A itself, which checks
// that a test is right about MariaDB before it is used to judge the proxy.
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import type { Connection as CoreConnection } from 'mysql2';
import { backendA, startProxy, users, type Endpoint, type ProxyProcess } from './harness.js';

export const DIRECT_MODE = process.env['ODP_ITEST_DIRECT'] === '1';

export interface Target {
  /** Where clients connect: the proxy (or backend A in direct mode). */
  readonly endpoint: Endpoint;
  /** The backend behind the proxy (backend A unless asked otherwise): the oracle. */
  readonly direct: Endpoint;
  /** null in direct mode. */
  readonly proxy: ProxyProcess | null;
  stop(): Promise<void>;
}

/** Starts the proxy in front of `backend` (default backend A); the harness binds it to loopback. */
export async function openTarget(extra: readonly string[] = [], backend: Endpoint = backendA()): Promise<Target> {
  const direct = backend;
  if (DIRECT_MODE) return { endpoint: direct, direct, proxy: null, stop: () => Promise.resolve() };
  const proxy = await startProxy(extra, { backends: [backend] });
  return {
    endpoint: { host: '127.0.0.1', port: proxy.port },
    direct,
    proxy,
    async stop() {
      await proxy.stop();
    },
  };
}

export type ConnOptions = Omit<mysql.ConnectionOptions, 'host' | 'port'>;

/** A mysql2/promise connection as root (unless `opts` says otherwise). */
export function connect(ep: Endpoint, opts: ConnOptions = {}): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: ep.host, port: ep.port, user: users.root.user, password: users.root.password,
    connectTimeout: 10_000, ...opts,
  });
}

/** The callback-style connection under a promise one (for event-level queries and `.stream()`); untyped there. */
export function core(c: mysql.Connection): CoreConnection {
  return (c as unknown as { connection: CoreConnection }).connection;
}

/** Runs `fn` with a fresh connection and always closes it. */
export async function withConn<T>(ep: Endpoint, opts: ConnOptions, fn: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const c = await connect(ep, opts);
  try {
    return await fn(c);
  } finally {
    c.destroy();
  }
}

/** Runs one or more statements directly on a backend (default A) as root. */
export async function directSql(sql: string, ep: Endpoint = backendA()): Promise<unknown> {
  return withConn(ep, { multipleStatements: true }, async (c) => (await c.query(sql))[0]);
}

/** The proxy process is still running and a fresh client gets a correct answer through it. */
export async function assertProxyServes(t: Target): Promise<void> {
  if (t.proxy !== null) assert.equal(t.proxy.proc.exitCode, null, `odp exited:\n${t.proxy.output()}`);
  const rows = await withConn(t.endpoint, {}, async (c) => (await c.query<mysql.RowDataPacket[]>('SELECT 40 + 2 AS v'))[0]);
  assert.deepEqual(rows.map((r) => Number(r['v'])), [42]);
}

/** Connections the backend has, apart from the one asking and MariaDB's own daemon threads. */
export async function backendConnectionCount(ep: Endpoint = backendA()): Promise<number> {
  return withConn(ep, {}, async (c) => {
    const [rows] = await c.query<mysql.RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM information_schema.processlist WHERE id <> CONNECTION_ID() AND command <> 'Daemon'");
    return Number(rows[0]?.['n']);
  });
}

/** Polls until `check` holds or `ms` elapse; returns the last value seen. */
export async function waitUntil<T>(ms: number, probe: () => Promise<T>, check: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (check(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}
