// SHOW PROXYCONFIG [ALL | DIFF [USER]] and ALTER PROXYCONFIG against a real ProxyConfig with a temp state file.
// Oracles: the seed's parameter list, spec §8/§11.3, SHA1 computed here, values re-read through a fresh load.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ProxyConfig } from '../../../src/config/config.js';
import { referenceFile } from '../config/helpers.js';
import { errorOf, fakeContext, records, run, rowsOf } from './helpers.js';

function seedParameterNames(): string[] {
  const lines = readFileSync(referenceFile('seed', 'odp-v4.3.1-docs-handle-response.txt'), 'utf8').split('\n');
  const names: string[] = [];
  for (const heading of ['Global parameters', 'Multi-level parameters']) {
    const start = lines.findIndex((l) => l.trim() === `• ${heading}`);
    assert.ok(start >= 0, heading);
    const indent = (l: string): number => l.length - l.trimStart().length;
    for (const line of lines.slice(start + 1)) {
      if (line.trim() === '') continue;
      if (indent(line) <= indent(lines[start] ?? '')) break;
      names.push(line.trim().replace(/^•\s*/, ''));
    }
  }
  return names;
}

function one(ctx: ReturnType<typeof fakeContext>, name: string): Record<string, string | null> {
  const list = records(ctx, `SHOW PROXYCONFIG LIKE '${name}'`);
  assert.equal(list.length, 1, name);
  return list[0] ?? {};
}

void describe('SHOW PROXYCONFIG', () => {
  void test('lists every parameter named by the seed', () => {
    const shown = new Set(records(fakeContext(), 'SHOW PROXYCONFIG').map((r) => r.name));
    const seed = seedParameterNames();
    assert.ok(seed.length > 170, `${seed.length} seed names`);
    assert.deepEqual(seed.filter((n) => !shown.has(n)), []);
  });

  void test('a row carries value, need_reboot, visible level, range and config level', () => {
    const ctx = fakeContext({ options: { client_max_connections: '100' } });
    assert.deepEqual(one(ctx, 'listen_port'), {
      name: 'listen_port', value: '6688', info: one(ctx, 'listen_port').info, need_reboot: 'true', visible_level: 'SYS',
      range: '(1024,65536)', config_level: 'LEVEL_GLOBAL',
    });
    const slow = one(ctx, 'slow_query_time_threshold');
    assert.equal(slow.value, '500ms');
    assert.equal(slow.config_level, 'LEVEL_VIP');
    assert.equal(slow.need_reboot, 'false');
    assert.doesNotMatch(slow.info ?? '', /^\[no effect yet\] /, 'the slow log honours it');
    assert.match(one(ctx, 'slow_transaction_time_threshold').info ?? '', /^\[no effect yet\] /);
    assert.equal(one(ctx, 'client_max_connections').value, '100');
  });

  void test('LIKE filters names with % and _, case-insensitively', () => {
    const ctx = fakeContext();
    const names = records(ctx, "show proxyconfig like 'SLOW\\_%\\_THRESHOLD'").map((r) => r.name).sort();
    assert.deepEqual(names, ['slow_proxy_process_time_threshold', 'slow_query_time_threshold', 'slow_transaction_time_threshold']);
    assert.deepEqual(records(ctx, "SHOW PROXYCONFIG LIKE 'listen_por_'").map((r) => r.name), ['listen_port']);
    assert.deepEqual(records(ctx, "SHOW PROXYCONFIG LIKE 'listen_port_'"), []);
    assert.deepEqual(records(ctx, "SHOW PROXYCONFIG LIKE 'no such thing'"), []);
  });
});

void describe('SHOW PROXYCONFIG DIFF', () => {
  void test('lists each explicitly set item with its source, default and what it overrides', () => {
    const ctx = fakeContext({ options: { slow_query_time_threshold: '1s' } });
    assert.equal(run(ctx, "ALTER PROXYCONFIG SET slow_query_time_threshold = '10ms'").kind, 'ok');
    const diff = records(ctx, 'SHOW PROXYCONFIG DIFF');
    const names = diff.map((r) => r.name);
    assert.ok(names.includes('rootservice_cluster_name'), 'the -c option is listed');
    const slow = diff.find((r) => r.name === 'slow_query_time_threshold');
    assert.equal(slow?.value, '10ms');
    assert.match(slow?.info ?? '', /^\[source: runtime; default '500ms'; overrides option '1s'\] /);
    assert.ok(!names.includes('listen_port'), 'defaults are not listed');
  });

  void test('DIFF USER keeps only USER-visible items', () => {
    const ctx = fakeContext({ options: { client_max_connections: '100' } });
    assert.deepEqual(records(ctx, 'SHOW PROXYCONFIG DIFF USER').map((r) => [r.name, r.visible_level]), [['client_max_connections', 'USER']]);
    assert.deepEqual(records(ctx, "SHOW PROXYCONFIG DIFF LIKE 'client%'").map((r) => r.name), ['client_max_connections']);
  });
});

void describe('SHOW PROXYCONFIG ALL', () => {
  void test('lists cluster/tenant/VIP rows', () => {
    const ctx = fakeContext();
    assert.deepEqual(rowsOf(ctx, 'SHOW PROXYCONFIG ALL').rows, []);
    assert.ok(ctx.config.setScoped('slow_query_time_threshold', '2s', { cluster: 'c1', tenant: 't1', vip: '', vport: 0, vid: -1 }).ok);
    assert.ok(ctx.config.setScoped('proxy_idc_name', 'hz', { cluster: 'c1', tenant: '', vip: '', vport: 0, vid: -1 }).ok);
    assert.deepEqual(rowsOf(ctx, "SHOW PROXYCONFIG ALL LIKE 'slow%'").rows,
      [['-1', '', '0', 't1', 'c1', 'slow_query_time_threshold', '2s', 'LEVEL_TENANT']]);
    assert.equal(rowsOf(ctx, 'SHOW PROXYCONFIG ALL').rows.length, 2);
  });
});

void describe('ALTER PROXYCONFIG SET', () => {
  void test('changes the value at once and persists it: a fresh load of the state file has it', () => {
    const ctx = fakeContext();
    const r = run(ctx, "ALTER PROXYCONFIG SET client_max_connections = 100");
    assert.deepEqual(r, { kind: 'ok', affectedRows: 0 });
    assert.equal(ctx.config.getInt('client_max_connections'), 100);
    assert.equal(one(ctx, 'client_max_connections').value, '100');
    const reloaded = ProxyConfig.load({ options: { rootservice_cluster_name: 'obcluster' }, stateFile: ctx.statePath });
    assert.equal(reloaded.getInt('client_max_connections'), 100);
  });

  void test('takes an identifier, a quoted string (empty too), a negative or signed integer; quoted names', () => {
    const ctx = fakeContext();
    assert.equal(run(ctx, 'alter proxyconfig set enable_congestion = false').kind, 'ok');
    assert.equal(ctx.config.getBool('enable_congestion'), false);
    assert.equal(run(ctx, 'ALTER PROXYCONFIG SET `proxy_idc_name` = "hz-1"').kind, 'ok');
    assert.equal(ctx.config.get('proxy_idc_name'), 'hz-1');
    assert.equal(run(ctx, "ALTER PROXYCONFIG SET proxy_idc_name = ''").kind, 'ok');
    assert.equal(ctx.config.get('proxy_idc_name'), '');
    assert.equal(run(ctx, "ALTER PROXYCONFIG SET slow_query_time_threshold='10ms';").kind, 'ok');
    assert.equal(ctx.config.getTimeMs('slow_query_time_threshold'), 10);
    assert.equal(run(ctx, 'ALTER PROXYCONFIG SET client_max_connections = +7').kind, 'ok');
    assert.equal(ctx.config.getInt('client_max_connections'), 7);
    const e = errorOf(ctx, 'ALTER PROXYCONFIG SET client_max_connections = -1');
    assert.equal(e.errno, 1231);
    assert.equal(ctx.config.getInt('client_max_connections'), 7);
  });

  void test('a need_reboot item is saved, the OK info says a restart is needed, SHOW says what runs', () => {
    const ctx = fakeContext();
    const r = run(ctx, 'ALTER PROXYCONFIG SET listen_port = 3306');
    assert.equal(r.kind, 'ok');
    assert.match(r.kind === 'ok' ? r.info ?? '' : '', /listen_port = '3306' saved; it takes effect after a restart/);
    assert.equal(ctx.config.getInt('listen_port'), 6688);
    const row = one(ctx, 'listen_port');
    assert.equal(row.value, '3306');
    assert.match(row.info ?? '', /^\[restart needed: running with '6688'\] /);
  });

  void test('an item with no effect yet says so in the OK info', () => {
    const r = run(fakeContext(), "ALTER PROXYCONFIG SET slow_transaction_time_threshold = '10ms'");
    assert.match(r.kind === 'ok' ? r.info ?? '' : '', /no effect/);
    const works = run(fakeContext(), "ALTER PROXYCONFIG SET slow_query_time_threshold = '10ms'");
    assert.doesNotMatch(works.kind === 'ok' ? works.info ?? '' : 'not ok', /no effect/);
  });

  void test('a password is stored as its SHA1 stage-1 hash and never echoed', () => {
    const ctx = fakeContext();
    const r = run(ctx, "ALTER PROXYCONFIG SET obproxy_sys_password = 's3cret'");
    assert.equal(r.kind, 'ok');
    assert.ok(!JSON.stringify(r).includes('s3cret'));
    assert.equal(ctx.config.get('obproxy_sys_password'), createHash('sha1').update('s3cret').digest('hex'));
  });

  void test('bad values are refused with the parameter, the value and the range; the old value stays', () => {
    const ctx = fakeContext();
    let e = errorOf(ctx, "ALTER PROXYCONFIG SET client_max_connections = 'abc'");
    assert.deepEqual([e.errno, e.sqlState], [1231, '42000']);
    assert.match(e.message, /'abc'.*client_max_connections.*\[0, \+inf\)/);
    e = errorOf(ctx, "ALTER PROXYCONFIG SET slow_query_time_threshold = '31d'");
    assert.match(e.message, /slow_query_time_threshold/);
    assert.equal(ctx.config.getInt('client_max_connections'), 8192);
    assert.equal(ctx.config.get('slow_query_time_threshold'), '500ms');
    assert.deepEqual(records(ctx, 'SHOW PROXYCONFIG DIFF').map((r) => r.name), ['rootservice_cluster_name']);
  });

  void test('an unknown parameter is ER_UNKNOWN_SYSTEM_VARIABLE with a did-you-mean; app_name is read-only', () => {
    const ctx = fakeContext();
    const e = errorOf(ctx, 'ALTER PROXYCONFIG SET slow_query_time_treshold = 1');
    assert.deepEqual([e.errno, e.sqlState], [1193, 'HY000']);
    assert.match(e.message, /unknown parameter 'slow_query_time_treshold' \(did you mean 'slow_query_time_threshold'\?\)/);
    const ro = errorOf(ctx, "ALTER PROXYCONFIG SET app_name = 'x'");
    assert.deepEqual([ro.errno, ro.sqlState], [1238, 'HY000']);
    assert.equal(ctx.config.get('app_name'), 'undefined');
  });

  void test('a state file that cannot be written: ER_ERROR_ON_WRITE and nothing changed', () => {
    const ctx = fakeContext();
    const file = join(dirname(ctx.statePath), 'a-file');
    writeFileSync(file, '');
    ctx.config.statePath = join(file, 'state.yaml'); // a path under a regular file: mkdir fails with ENOTDIR
    const e = errorOf(ctx, 'ALTER PROXYCONFIG SET client_max_connections = 5');
    assert.equal(e.errno, 1026);
    assert.equal(ctx.config.getInt('client_max_connections'), 8192);
  });
});
