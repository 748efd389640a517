// The remaining commands' values: PROXYSTAT, PROXYCONGESTION, PROXYNET, PROXYINFO, PROXYCLUSTER, PROXYRESOURCE,
// PROXYMEMORY, proxy_version(); the result-size limit; the registry; internal errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { release, type } from 'node:os';
import { getHeapSpaceStatistics } from 'node:v8';
import { AdminRegistry } from '../../../src/admin/registry.js';
import type { AdminCommand } from '../../../src/admin/registry.js';
import { executeAdmin } from '../../../src/admin/index.js';
import { errorOf, fakeContext, records, rowsOf, run } from './helpers.js';

void describe('SHOW PROXYSTAT', () => {
  void test('every counter in order with ODP persist types; LIKE; REFRESH refreshes first', () => {
    const ctx = fakeContext();
    assert.deepEqual(rowsOf(ctx, 'SHOW PROXYSTAT').rows, [
      ['total_client_connections', '10', 'NULL'], ['current_client_connections', '3', 'PERSISTENT'], ['client_requests', '99', 'NULL'],
    ]);
    assert.deepEqual(rowsOf(ctx, "SHOW PROXYSTAT LIKE '%client\\_connections'").rows.map((r) => r[0]),
      ['total_client_connections', 'current_client_connections']);
    assert.equal(ctx.refreshed, 0);
    assert.deepEqual(rowsOf(ctx, "SHOW PROXYSTAT REFRESH LIKE 'client_requests'").rows, [['client_requests', '0', 'NULL']]);
    assert.equal(ctx.refreshed, 1);
  });
});

void describe('SHOW PROXYCONGESTION', () => {
  void test('without ALL only the congested (down) backends; ALL lists each with its state', () => {
    const ctx = fakeContext();
    const down = records(ctx, 'SHOW PROXYCONGESTION');
    assert.deepEqual(down.map((r) => [r.cluster_name, r.server_ip, r.server_state, r.dead_congested]),
      [['obcluster', '127.0.0.1:3307', 'INACTIVE', '1']]);
    const all = records(ctx, 'SHOW PROXYCONGESTION ALL');
    assert.deepEqual(all.map((r) => [r.server_ip, r.server_state, r.dead_congested, r.alive_congested]),
      [['127.0.0.1:3306', 'ACTIVE', '0', '0'], ['127.0.0.1:3307', 'INACTIVE', '1', '0']]);
    assert.equal(records(ctx, 'SHOW PROXYCONGESTION ALL obcluster').length, 2);
    assert.equal(records(ctx, "SHOW PROXYCONGESTION ALL 'other'").length, 0);
  });
});

void describe('SHOW PROXYNET', () => {
  void test('THREAD: one event loop; connection counts from the sessions, counters from stats', () => {
    const ctx = fakeContext();
    ctx.counters.set('net_total_read_bytes', 4096);
    const [row] = records(ctx, 'SHOW PROXYNET THREAD');
    assert.equal(row?.net_thread_id, '0');
    assert.equal(row?.current_client_connection_count, '3');
    assert.equal(row?.current_connection_count, '5', '3 clients + 0 + 1 + 1 server sessions');
    assert.equal(row?.total_read_bytes, '4096');
    assert.equal(row?.total_write_bytes, '0');
  });

  void test('CONNECTION: a row per client connection; thread filter and LIMIT', () => {
    const ctx = fakeContext();
    const list = records(ctx, 'SHOW PROXYNET CONNECTION');
    assert.deepEqual(list.map((r) => r.connect_id), ['1', '2', '3']);
    const two = list[1];
    assert.deepEqual([two?.src_ip, two?.src_port, two?.dst_ip, two?.dst_port, two?.read_ndone, two?.write_ndone, two?.socket_fd],
      ['127.0.0.1', '49999', '127.0.0.1', '2883', '1234', '56789', null]);
    assert.equal(list[2]?.src_ip, '::1');
    assert.ok(Number(two?.['alive_time(sec)']) > 0);
    assert.deepEqual(records(ctx, 'SHOW PROXYNET CONNECTION 0 LIMIT 1').map((r) => r.connect_id), ['1']);
    assert.deepEqual(records(ctx, 'SHOW PROXYNET CONNECTION 0 LIMIT 1, 5').map((r) => r.connect_id), ['2', '3']);
    assert.deepEqual(records(ctx, 'SHOW PROXYNET CONNECTION 1'), []);
  });
});

void describe('SHOW PROXYINFO / PROXYCLUSTER / PROXYRESOURCE', () => {
  void test('BINARY: one row in ODP\'s line layout', () => {
    const [row] = rowsOf(fakeContext(), 'SHOW PROXYINFO BINARY').rows;
    assert.equal(row?.[0], 'binary info');
    const lines = (row?.[1] ?? '').split('\n');
    assert.equal(lines[0], `odp-odp 0.1.0-node${process.versions.node}`);
    assert.equal(lines[1], `version:${type()} ${release()}`);
    assert.match(lines[2] ?? '', /^MD5:([0-9a-f]{32})?$/);
    assert.deepEqual(lines.slice(3).map((l) => l.split(':')[0]), ['REVISION', 'BUILD_TIME', 'BUILD_FLAGS']);
  });

  void test('IDC: the configured cluster with proxy_idc_name; LIKE on the cluster', () => {
    const ctx = fakeContext({ options: { proxy_idc_name: 'hz' } });
    assert.deepEqual(rowsOf(ctx, 'SHOW PROXYINFO IDC').rows, [['hz', 'obcluster', 'MATCHED_BY_NONE', '[]', '[]', '[]', '[]']]);
    assert.deepEqual(rowsOf(ctx, "SHOW PROXYINFO IDC LIKE 'x%'").rows, []);
  });

  void test('PROXYCLUSTER: one row per server of the configured cluster', () => {
    const ctx = fakeContext();
    assert.deepEqual(rowsOf(ctx, 'SHOW PROXYCLUSTER').rows,
      [['obcluster', '0', '', '127.0.0.1:3306', null, null], ['obcluster', '0', '', '127.0.0.1:3307', null, null]]);
    assert.deepEqual(rowsOf(ctx, "SHOW PROXYCLUSTER LIKE 'ob%'").rows.length, 2);
    assert.deepEqual(rowsOf(ctx, "SHOW PROXYCLUSTER LIKE 'nope'").rows, []);
    assert.deepEqual(rowsOf(ctx, "SHOW PROXYCLUSTER IDC LIKE 'ob%'").rows, []);
  });

  void test('PROXYRESOURCE is empty; ALTER PROXYRESOURCE DELETE is OK with nothing deleted', () => {
    const ctx = fakeContext();
    assert.deepEqual(rowsOf(ctx, "SHOW PROXYRESOURCE LIKE 'ob%'").rows, []);
    const r = run(ctx, "ALTER PROXYRESOURCE DELETE 'obcluster'");
    assert.equal(r.kind, 'ok');
    assert.equal(r.kind === 'ok' ? r.affectedRows : -1, 0);
    assert.equal(errorOf(ctx, 'ALTER PROXYRESOURCE obcluster').errno, 1064);
  });

  void test('PROXYROUTE takes LIKE patterns and has no rows yet', () => {
    const ctx = fakeContext();
    assert.deepEqual(rowsOf(ctx, "SHOW PROXYROUTE LIKE 'obcluster sys test t%'").rows, []);
    assert.deepEqual(rowsOf(ctx, "SHOW PROXYROUTE ROUTINE LIKE 'c t d p r'").rows, []);
  });
});

void describe('SHOW PROXYMEMORY, SELECT proxy_version()', () => {
  void test('memory rows: process totals and every V8 heap space, numbers in bytes', () => {
    const list = records(fakeContext(), 'SHOW PROXYMEMORY');
    const names = list.map((r) => r.mod_name);
    for (const n of ['rss', 'heap', 'external', 'array_buffers']) assert.ok(names.includes(n), n);
    for (const s of getHeapSpaceStatistics()) assert.ok(names.includes(s.space_name), s.space_name);
    for (const r of list) {
      assert.match(r.hold ?? '', /^\d+$/);
      assert.match(r.used ?? '', /^\d+$/);
    }
    assert.ok(Number(list.find((r) => r.mod_name === 'rss')?.hold) > 1_000_000);
  });

  void test('proxy_version() is the context version', () => {
    assert.deepEqual(rowsOf(fakeContext(), 'SELECT proxy_version()').rows, [['0.1.0']]);
  });
});

void describe('limits, registry, failures', () => {
  void test('a result larger than internal_cmd_mem_limited is refused', () => {
    const ctx = fakeContext({ options: { internal_cmd_mem_limited: '1KB' } });
    const e = errorOf(ctx, 'SHOW PROXYCONFIG');
    assert.equal(e.errno, 1105);
    assert.match(e.message, /internal_cmd_mem_limited \(1024 bytes\)/);
    assert.equal(rowsOf(ctx, "SHOW PROXYCONFIG LIKE 'listen_port'").rows.length, 1);
  });

  void test('the registry rejects a duplicate and malformed keywords', () => {
    const cmd: AdminCommand<null> = { keywords: ['SHOW', 'X'], syntax: 'SHOW X', privilege: 'admin', parse: () => null, run: () => ({ kind: 'ok' }) };
    const r = new AdminRegistry();
    r.register(cmd);
    assert.throws(() => r.register({ ...cmd }), /'SHOW X' registered twice/);
    assert.throws(() => r.register({ ...cmd, keywords: ['show', 'y'] }), /bad keywords/);
    assert.throws(() => r.register({ ...cmd, keywords: [] }), /bad keywords/);
  });

  void test('the longest keyword sequence wins', () => {
    const r = new AdminRegistry();
    const base: AdminCommand<null> = { keywords: ['A'], syntax: 'A', privilege: 'admin', parse: () => null, run: () => ({ kind: 'ok' }) };
    r.register(base);
    r.register({ ...base, keywords: ['A', 'B'] });
    const tokens = [{ kind: 'word', text: 'a', value: 'a', start: 0, end: 1 }, { kind: 'word', text: 'b', value: 'b', start: 2, end: 3 },
      { kind: 'end', text: '', value: '', start: 3, end: 3 }] as const;
    assert.deepEqual(r.lookup(tokens)?.command.keywords, ['A', 'B']);
    assert.deepEqual(r.lookup(tokens.slice(0, 1))?.command.keywords, ['A']);
  });

  void test('an exception inside a command becomes ER_INTERNAL_ERROR, not a throw', () => {
    const ctx = fakeContext();
    const broken = { ...ctx, sessions: (): never => { throw new Error('boom'); } };
    const r = executeAdmin('SHOW PROXYSESSION', broken);
    assert.deepEqual(r, { kind: 'error', errno: 1815, sqlState: 'HY000', message: 'Internal error in odp: SHOW PROXYSESSION failed: boom' });
  });
});
