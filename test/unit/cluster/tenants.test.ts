// The tenant book of src/cluster/tenants.ts driven by a scripted metadata source (no sockets): which tenants are
// known, their server lists, the sys fallback, keeping the last good data on failure, and lookup rate limiting.
// Oracles: hand-built result sets with the column names of the spec §3.2 tenant query and the §3.3 `__all_dummy`
// query; the expected entries are written out by hand.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueryResult } from '../../../src/backend/internal-query.js';
import { LOOKUP_RETRY_MS, TenantBook } from '../../../src/cluster/tenants.js';
import { Logger } from '../../../src/observe/log.js';

type Cell = string | number | null;
const result = (columns: readonly string[], rows: readonly (readonly Cell[])[]): QueryResult => ({
  kind: 'rows',
  columns: columns.map((name) => ({ name, type: 253, charset: 45, flags: 0 })),
  rows: rows.map((r) => r.map((v) => (v === null ? null : Buffer.from(String(v))))),
  status: 2,
});
const TENANT_COLS = ['tenant_name', 'tenant_id', 'locality', 'previous_locality', 'primary_zone', 'status'];
const tenantList = (...t: [string, number][]): QueryResult => result(TENANT_COLS, t.map(([n, id]) => [n, id, 'FULL{1}@z1', null, 'z1', 'NORMAL']));
const dummy = (...servers: string[]): QueryResult =>
  result(['tenant_name', 'tablet_id', 'svr_ip', 'sql_port', 'role', 'svr_port'], servers.map((s, i) => ['t', 0, s.split(':')[0]!, Number(s.split(':')[1]), i === 0 ? 1 : 2, 2882]));

/** Answers by statement: the tenant list, or the `__all_dummy` entry of the tenant named in the SQL. */
class Script {
  tenants: QueryResult | Error = tenantList();
  readonly dummies = new Map<string, QueryResult | Error>();
  readonly asked: string[] = [];

  query = (sql: string): Promise<{ from: { host: string; port: number }; result: QueryResult }> => {
    this.asked.push(sql);
    const m = /A\.tenant_name = '((?:[^']|'')*)'/.exec(sql);
    const r = m === null ? this.tenants : this.dummies.get(m[1]!.replace(/''/g, "'")) ?? dummy();
    return r instanceof Error ? Promise.reject(r) : Promise.resolve({ from: { host: '127.0.0.9', port: 1 }, result: r });
  };
}

function book(s: Script, changes: { n: number } = { n: 0 }, lines: string[] = []): TenantBook {
  return new TenantBook({
    query: s.query, sysFallback: () => ['10.0.0.1:2881', '10.0.0.2:2881'], log: new Logger(7, (l) => lines.push(l)), onChange: () => changes.n++,
  });
}

describe('TenantBook', () => {
  test('a full refresh knows sys and the listed tenants with their __all_dummy servers, leader first', async () => {
    const s = new Script();
    s.tenants = tenantList(['test', 1002], ['solo', 1004]);
    s.dummies.set('sys', dummy('127.0.0.2:2881', '127.0.0.3:2881'));
    s.dummies.set('test', dummy('127.0.0.3:2881', '127.0.0.2:2881', '127.0.0.4:2881'));
    s.dummies.set('solo', dummy('127.0.0.2:2881'));
    const changes = { n: 0 };
    const b = book(s, changes);
    assert.deepEqual(await b.refreshAll(), []);
    assert.deepEqual(b.get('test', false), { name: 'test', id: 1002, servers: ['127.0.0.3:2881', '127.0.0.2:2881', '127.0.0.4:2881'], primaryZone: 'z1', locality: 'FULL{1}@z1', status: 'NORMAL' });
    assert.deepEqual(b.get('SOLO', false)?.servers, ['127.0.0.2:2881']);
    assert.deepEqual([b.get('sys', false)?.id, b.get('sys', false)?.servers], [1, ['127.0.0.2:2881', '127.0.0.3:2881']]);
    assert.equal(b.size, 3);
    assert.equal(changes.n, 1);
    await b.refreshAll();
    assert.equal(changes.n, 1, 'an unchanged refresh reports no change');
  });

  test('sys falls back to the rootservice list when its __all_dummy entry is empty', async () => {
    const s = new Script();
    const b = book(s);
    await b.refreshAll();
    assert.deepEqual(b.get('sys', false)?.servers, ['10.0.0.1:2881', '10.0.0.2:2881']);
  });

  test('a failing refresh keeps the last good data and reports each failure', async () => {
    const s = new Script();
    s.tenants = tenantList(['test', 1002]);
    s.dummies.set('test', dummy('127.0.0.2:2881'));
    const b = book(s);
    await b.refreshAll();
    s.dummies.set('test', new Error('127.0.0.2:2881: timeout'));
    assert.deepEqual(await b.refreshAll(), ['test: 127.0.0.2:2881: timeout']);
    assert.deepEqual(b.get('test', false)?.servers, ['127.0.0.2:2881']);
    s.tenants = new Error('no metadata server answered');
    assert.deepEqual(await b.refreshAll(), ['no metadata server answered']);
    assert.deepEqual(b.get('test', false)?.servers, ['127.0.0.2:2881']);
  });

  test('a listed tenant without location has no servers; an unlisted one stays while it has a location', async () => {
    const s = new Script();
    s.tenants = tenantList(['empty', 1010], ['moving', 1012]);
    s.dummies.set('moving', dummy('127.0.0.4:2881'));
    const b = book(s);
    await b.refreshAll();
    assert.deepEqual(b.get('empty', false)?.servers, []);
    // 'moving' changes locality: DBA_OB_TENANTS leaves it out (previous_locality not null), its location remains
    s.tenants = tenantList(['empty', 1010]);
    await b.refreshAll();
    assert.deepEqual([b.get('moving', false)?.id, b.get('moving', false)?.servers], [1012, ['127.0.0.4:2881']]);
    // dropped: neither listed nor located
    s.dummies.delete('moving');
    await b.refreshAll();
    assert.equal(b.get('moving', false), null);
  });

  test('bad __all_dummy rows are skipped with a log line', async () => {
    const s = new Script();
    s.tenants = tenantList(['test', 1002]);
    s.dummies.set('test', result(['svr_ip', 'sql_port', 'role', 'tablet_id'], [['127.0.0.2', 2881, 1, 0], ['bogus', 2881, 2, 0]]));
    const lines: string[] = [];
    const b = book(s, { n: 0 }, lines);
    await b.refreshAll();
    assert.deepEqual(b.get('test', false)?.servers, ['127.0.0.2:2881']);
    assert.ok(lines.some((l) => /WARN .*__all_dummy entry row 2: svr_ip 'bogus' is not an IP address/.test(l)), lines.join(''));
  });

  test('an unknown name triggers one background lookup, rate limited per name', async () => {
    const s = new Script();
    const b = book(s);
    s.dummies.set("O'Neil", dummy('127.0.0.3:2881'));
    assert.equal(b.get("O'Neil", true), null);
    assert.equal(b.get("O'Neil", true), null);
    await new Promise((r) => setImmediate(r));
    assert.equal(s.asked.filter((q) => q.includes("'O''Neil'")).length, 1);
    assert.deepEqual(b.get("o'neil", false), { name: "O'Neil", id: null, servers: ['127.0.0.3:2881'], primaryZone: null, locality: null, status: null });
    // a name the cluster does not have: looked up once, then not again within LOOKUP_RETRY_MS
    assert.equal(b.get('nope', true), null);
    await new Promise((r) => setImmediate(r));
    assert.equal(b.get('nope', true), null);
    assert.equal(s.asked.filter((q) => q.includes("'nope'")).length, 1);
    assert.ok(LOOKUP_RETRY_MS >= 100);
    assert.equal(b.get('x'.repeat(200), true), null);
    assert.equal(await b.refreshOne('x'.repeat(200)), null);
    assert.ok(!s.asked.some((q) => q.includes('xxxx')), 'absurd names are never sent');
  });

  test('refreshOne rejects on failure and keeps the entry', async () => {
    const s = new Script();
    s.tenants = tenantList(['test', 1002]);
    s.dummies.set('test', dummy('127.0.0.2:2881'));
    const b = book(s);
    await b.refreshAll();
    s.dummies.set('test', new Error('boom'));
    await assert.rejects(b.refreshOne('test'), /tenant test: boom/);
    assert.deepEqual(b.get('test', false)?.servers, ['127.0.0.2:2881']);
  });
});
