// A fake AdminContext for the admin tests: a real ProxyConfig (its state file in a fresh temp dir), a few
// client sessions, users of each kind, counters. Everything else about the proxy is plain data here.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProxyConfig } from '../../../src/config/config.js';
import type { AdminContext, AdminResult, AdminSessionView, AdminUser } from '../../../src/admin/context.js';
import { executeAdmin } from '../../../src/admin/index.js';

export const T0 = Date.UTC(2024, 2, 7, 8, 37, 59, 123);

export function session(over: Partial<AdminSessionView> & { id: number }): AdminSessionView {
  return {
    proxySessId: String(7230691421644980000n + BigInt(over.id)),
    user: 'app', tenant: 'sys', cluster: 'obcluster', host: '127.0.0.1:49999', db: null, state: 'ready',
    inTransaction: false, transCount: 0, serverSessionCount: 1, serverAddress: '127.0.0.2:2881', serverConnectionId: 3221487617,
    connectedAt: T0, lastActiveAt: T0 + 1000, requests: 0, bytesFromClient: 0, bytesToClient: 0, currentCommand: null,
    commandStartedAt: null, usingSsl: false, localAddress: '127.0.0.1:2883',
    ...over,
  };
}

export const USERS = {
  proxysysRoot: { user: 'root', tenant: 'proxysys', cluster: null, isProxysysRoot: true, isInspector: false, isRootSys: false },
  inspector: { user: 'inspector', tenant: 'proxysys', cluster: null, isProxysysRoot: false, isInspector: true, isRootSys: false },
  rootSys: { user: 'root', tenant: 'sys', cluster: 'obcluster', isProxysysRoot: false, isInspector: false, isRootSys: true },
  app: { user: 'app', tenant: 'sys', cluster: 'obcluster', isProxysysRoot: false, isInspector: false, isRootSys: false },
} as const satisfies Record<string, AdminUser>;

export interface Fake extends AdminContext {
  readonly list: AdminSessionView[];
  readonly killed: number[];
  readonly counters: Map<string, number>;
  refreshed: number;
  current: number;
  user: AdminUser;
  statePath: string;
}

export function tempState(): string {
  return join(mkdtempSync(join(tmpdir(), 'odp-admin-test-')), 'odp_state.yaml');
}

export function fakeContext(opts: { options?: Record<string, string>; statePath?: string; sessions?: AdminSessionView[];
  user?: AdminUser; current?: number; backends?: { address: string; up: boolean; version: string }[] } = {}): Fake {
  const statePath = opts.statePath ?? tempState();
  const config = ProxyConfig.load({ options: { rootservice_cluster_name: 'obcluster', ...opts.options }, stateFile: statePath });
  const list = opts.sessions ?? [
    session({ id: 1, user: 'root', tenant: 'proxysys', cluster: null, state: 'busy', currentCommand: 'COM_QUERY', commandStartedAt: T0 + 2000,
      serverAddress: null, serverConnectionId: null, serverSessionCount: 0 }),
    session({ id: 2, db: 'test', transCount: 5, requests: 42, bytesFromClient: 1234, bytesToClient: 56789 }),
    session({ id: 3, user: 'other', tenant: 'tenant2', host: '[::1]:50001', inTransaction: true, usingSsl: true }),
  ];
  const killed: number[] = [];
  const counters = new Map<string, number>([['total_client_connections', 10], ['current_client_connections', 3], ['client_requests', 99]]);
  const fake: Fake = {
    config, version: '0.1.0', startedAt: T0 - 60_000, pid: 4242, routingMode: 'mysql',
    backends: opts.backends ?? [
      { address: '127.0.0.1:3306', up: true, version: '10.11.6-MariaDB' },
      { address: '127.0.0.1:3307', up: false, version: '' },
    ],
    list, killed, counters, refreshed: 0, current: opts.current ?? 1, user: opts.user ?? USERS.proxysysRoot, statePath,
    sessions: () => list,
    session: (id: number) => list.find((s) => s.id === id),
    get currentSessionId(): number { return fake.current; },
    get currentUser(): AdminUser { return fake.user; },
    killSession(id: number): boolean {
      const i = list.findIndex((s) => s.id === id);
      if (i < 0) return false;
      list.splice(i, 1);
      killed.push(id);
      return true;
    },
    stats: () => counters,
    refreshStats(): void {
      fake.refreshed++;
      counters.set('client_requests', 0);
    },
  };
  return fake;
}

export function run(ctx: AdminContext, sql: string): AdminResult {
  const r = executeAdmin(sql, ctx);
  assert.ok(r !== null, `not recognized as an admin command: ${sql}`);
  return r;
}

export function rowsOf(ctx: AdminContext, sql: string): { columns: readonly string[]; rows: readonly (readonly (string | null)[])[] } {
  const r = run(ctx, sql);
  assert.equal(r.kind, 'rows', `${sql} -> ${JSON.stringify(r)}`);
  if (r.kind !== 'rows') assert.fail();
  return r;
}

/** Rows as objects keyed by column name. */
export function records(ctx: AdminContext, sql: string): Record<string, string | null>[] {
  const r = rowsOf(ctx, sql);
  return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i] ?? null])));
}

export function errorOf(ctx: AdminContext, sql: string): { errno: number; sqlState: string; message: string } {
  const r = run(ctx, sql);
  assert.equal(r.kind, 'error', `${sql} -> ${JSON.stringify(r)}`);
  if (r.kind !== 'error') assert.fail();
  return r;
}
