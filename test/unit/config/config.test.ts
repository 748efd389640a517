// ProxyConfig: precedence, ALTER and its persistence, the configuration file, SIGHUP reload, listeners.
// Every test works in its own temp directory with real files.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, ProxyConfig } from '../../../src/config/config.js';
import type { ConfigEntry } from '../../../src/config/config.js';
import { tempDir } from './helpers.js';

function setup(fileText?: string): { dir: string; file: string; state: string } {
  const dir = tempDir();
  const file = join(dir, 'odp.yaml');
  if (fileText !== undefined) writeFileSync(file, fileText);
  return { dir, file, state: join(dir, 'state', 'odp_state.yaml') };
}

function entry(cfg: ProxyConfig, name: string): ConfigEntry {
  const e = [...cfg.entries()].find((x) => x.def.name === name);
  assert.ok(e !== undefined, name);
  return e;
}

function loadError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message;
  }
  assert.fail('expected a ConfigError');
}

void describe('precedence: default < file < option < runtime', () => {
  void test('each source overrides the ones below it, and entries say which one won', () => {
    const t = setup('slow_query_time_threshold: 1s\nquery_digest_time_threshold: 50ms\nproxy_id: 3\n');
    const cfg = ProxyConfig.load({ file: t.file, options: { query_digest_time_threshold: '60ms', proxy_id: '4' }, stateFile: t.state });
    assert.equal(cfg.getTimeMs('slow_query_time_threshold'), 1000);
    assert.equal(cfg.getTimeUs('query_digest_time_threshold'), 60_000);
    assert.equal(entry(cfg, 'slow_query_time_threshold').source, 'file');
    assert.equal(entry(cfg, 'query_digest_time_threshold').source, 'option');
    assert.deepEqual(entry(cfg, 'query_digest_time_threshold').overridden, [{ source: 'file', value: '50ms' }]);
    assert.equal(entry(cfg, 'congestion_fail_window').source, 'default');
    assert.equal(cfg.getTimeUs('congestion_fail_window'), 120_000_000);

    assert.deepEqual(cfg.alter('proxy_id', '5'), { ok: true, needReboot: false });
    assert.equal(cfg.getInt('proxy_id'), 5);
    const e = entry(cfg, 'proxy_id');
    assert.equal(e.source, 'runtime');
    assert.deepEqual(e.overridden, [{ source: 'file', value: '3' }, { source: 'option', value: '4' }]);
    assert.ok(cfg.notices.some((n) => n.includes("query_digest_time_threshold: file value '50ms' is overridden by the option value '60ms'")));
  });

  void test('diff lists every explicitly set item with its source, even one set to the default value', () => {
    const t = setup('enable_congestion: true\n');
    const cfg = ProxyConfig.load({ file: t.file, options: { listen_port: '2883' }, stateFile: t.state });
    assert.deepEqual(cfg.diff().map((e) => [e.def.name, e.value, e.source]),
      [['listen_port', '2883', 'option'], ['enable_congestion', 'True', 'file']]);
  });

  void test('typed getters', () => {
    const t = setup();
    const cfg = ProxyConfig.load({ options: { rootservice_list: '10.0.0.1:2881;10.0.0.2:2881', proxy_mem_limited: '3G' }, stateFile: t.state });
    assert.deepEqual(cfg.getList('rootservice_list'), ['10.0.0.1:2881', '10.0.0.2:2881']);
    assert.deepEqual(cfg.getList('username_separator'), [':', '-', '.']);
    assert.equal(cfg.getBytes('proxy_mem_limited'), 3 * 2 ** 30);
    assert.equal(cfg.getBool('enable_congestion'), true);
    assert.equal(cfg.get('server_routing_mode'), 'oceanbase');
    assert.throws(() => cfg.getInt('enable_congestion'), TypeError);
    assert.throws(() => cfg.get('no_such_param'), /unknown parameter/);
  });
});

void describe('set and alter', () => {
  void test('a bad value is refused with a precise message and the old value stays', () => {
    const t = setup();
    const cfg = ProxyConfig.load({ stateFile: t.state });
    const r = cfg.alter('client_max_connections', 'abc');
    assert.deepEqual(r, { ok: false, error: "invalid value 'abc' for client_max_connections: expected an integer in [0, +inf)" });
    assert.equal(cfg.getInt('client_max_connections'), 8192);
    assert.equal(existsSync(t.state), false, 'nothing persisted');
    assert.deepEqual(cfg.set('slow_query_time_treshold', '1s', 'option'),
      { ok: false, error: "unknown parameter 'slow_query_time_treshold' (did you mean 'slow_query_time_threshold'?)" });
  });

  void test('names are case-insensitive', () => {
    const cfg = ProxyConfig.load({ stateFile: join(tempDir(), 's.yaml') });
    assert.equal(cfg.alter('SLOW_Query_Time_Threshold', '10ms').ok, true);
    assert.equal(cfg.get('slow_query_time_threshold'), '10ms');
  });

  void test('app_name cannot be altered; proxy_id must fit client_session_id_version', () => {
    const cfg = ProxyConfig.load({ stateFile: join(tempDir(), 's.yaml') });
    const app = cfg.alter('app_name', 'x');
    assert.ok(!app.ok && app.error.startsWith('app_name cannot be changed'));
    const id = cfg.alter('proxy_id', '300');
    assert.ok(!id.ok && id.error.includes('client_session_id_version 2'));
    assert.equal(cfg.alter('client_session_id_version', '2').ok, true);
    assert.equal(cfg.alter('proxy_id', '300').ok, true);
    const back = cfg.alter('client_session_id_version', '1');
    assert.ok(!back.ok);
    assert.equal(cfg.getInt('client_session_id_version'), 2);
  });

  void test('a need_reboot item: new value shown and persisted, old value in use until restart', () => {
    const t = setup();
    const cfg = ProxyConfig.load({ options: { listen_port: '2883' }, stateFile: t.state });
    let calls = 0;
    cfg.onChange('listen_port', () => { calls++; });
    assert.deepEqual(cfg.alter('listen_port', '3306'), { ok: true, needReboot: true });
    assert.equal(cfg.getInt('listen_port'), 2883);
    const e = entry(cfg, 'listen_port');
    assert.equal(e.value, '3306');
    assert.equal(e.activeValue, '2883');
    assert.equal(e.rebootPending, true);
    assert.equal(calls, 0);
    const restarted = ProxyConfig.load({ options: { listen_port: '2883' }, stateFile: t.state });
    assert.equal(restarted.getInt('listen_port'), 3306);
  });

  void test('password items: ALTER stores SHA1(plaintext) in hex; file and options take the hash', () => {
    const t = setup();
    const cfg = ProxyConfig.load({ stateFile: t.state });
    assert.equal(cfg.alter('obproxy_sys_password', 'abc').ok, true);
    // FIPS 180 test vector: SHA1("abc").
    assert.equal(cfg.get('obproxy_sys_password'), 'a9993e364706816aba3e25717850c26c9cd0d89d');
    assert.equal(cfg.alter('obproxy_sys_password', '').ok, true);
    assert.equal(cfg.get('obproxy_sys_password'), '');
    const msg = loadError(() => ProxyConfig.load({ options: { observer_sys_password: 'plain' }, stateFile: t.state }));
    assert.match(msg, /observer_sys_password: expected '' or a 40-digit hex SHA1 hash/);
  });

  void test('listeners see changes; a throwing listener rolls the change back', () => {
    const cfg = ProxyConfig.load({ stateFile: join(tempDir(), 's.yaml') });
    const seen: string[] = [];
    const off = cfg.onChange('slow_query_time_threshold', (v) => { seen.push(v); });
    cfg.onChange('slow_query_time_threshold', (v) => { if (v === '13ms') throw new Error('rejected by the logger'); });
    assert.equal(cfg.alter('slow_query_time_threshold', '10ms').ok, true);
    const r = cfg.alter('slow_query_time_threshold', '13ms');
    assert.ok(!r.ok && r.error.includes('rejected by the logger'));
    assert.equal(cfg.get('slow_query_time_threshold'), '10ms');
    assert.deepEqual(seen, ['10ms', '13ms', '10ms']);
    off();
    assert.equal(cfg.alter('slow_query_time_threshold', '11ms').ok, true);
    assert.deepEqual(seen, ['10ms', '13ms', '10ms']);
  });

  void test('a failed save leaves the value unchanged', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'blocker'), 'a file where the state directory should be');
    const cfg = ProxyConfig.load({ stateFile: join(dir, 'state.yaml') });
    cfg.statePath = join(dir, 'blocker', 'state.yaml');
    const r = cfg.alter('slow_query_time_threshold', '10ms');
    assert.ok(!r.ok && r.error.startsWith('cannot save slow_query_time_threshold'));
    assert.equal(cfg.get('slow_query_time_threshold'), '500ms');
    assert.equal(entry(cfg, 'slow_query_time_threshold').source, 'default');
  });
});

void describe('persistence of runtime values', () => {
  void test('round trip through the state file; the write is atomic (no temp file left)', () => {
    const t = setup('slow_query_time_threshold: 1s\n');
    const cfg = ProxyConfig.load({ file: t.file, stateFile: t.state });
    assert.equal(cfg.alter('slow_query_time_threshold', '10ms').ok, true);
    assert.equal(cfg.alter('syslog_level', 'info').ok, true);
    assert.deepEqual(readdirSync(join(t.dir, 'state')), ['odp_state.yaml']);
    assert.match(readFileSync(t.state, 'utf8'), /slow_query_time_threshold:\n\s+value: 10ms\n\s+base: 1s/);
    const again = ProxyConfig.load({ file: t.file, stateFile: t.state });
    assert.equal(again.get('slow_query_time_threshold'), '10ms');
    assert.equal(again.get('syslog_level'), 'INFO');
    assert.equal(entry(again, 'slow_query_time_threshold').source, 'runtime');
    assert.deepEqual(again.notices.filter((n) => n.includes('replaces')), []);
  });

  void test('config_state_file from the file decides where runtime values go', () => {
    const t = setup();
    writeFileSync(t.file, `config_state_file: ${join(t.dir, 'elsewhere.yaml')}\n`);
    const cfg = ProxyConfig.load({ file: t.file });
    assert.equal(cfg.statePath, join(t.dir, 'elsewhere.yaml'));
    assert.equal(cfg.alter('proxy_id', '9').ok, true);
    assert.ok(existsSync(join(t.dir, 'elsewhere.yaml')));
  });

  void test('a file or option value changed after the ALTER wins on restart, with a notice', () => {
    const t = setup('slow_query_time_threshold: 1s\n');
    const cfg = ProxyConfig.load({ file: t.file, stateFile: t.state });
    assert.equal(cfg.alter('slow_query_time_threshold', '10ms').ok, true);
    writeFileSync(t.file, 'slow_query_time_threshold: 2s\n');
    const restarted = ProxyConfig.load({ file: t.file, stateFile: t.state });
    assert.equal(restarted.get('slow_query_time_threshold'), '2s');
    assert.ok(restarted.notices.some((n) => n.includes("the file value '2s' replaces the ALTER PROXYCONFIG value '10ms'")));
    assert.doesNotMatch(readFileSync(t.state, 'utf8'), /slow_query_time_threshold/);
    const third = ProxyConfig.load({ file: t.file, stateFile: t.state });
    assert.equal(third.get('slow_query_time_threshold'), '2s');
  });

  void test('multi-level values: set, persisted, resolved most specific first', () => {
    const t = setup();
    const cfg = ProxyConfig.load({ stateFile: t.state });
    const cluster = { cluster: 'c1', tenant: '', vip: '', vport: 0, vid: -1 };
    const tenant = { cluster: 'c1', tenant: 't1', vip: '', vport: 0, vid: -1 };
    const vip = { cluster: '', tenant: '', vip: '10.0.0.9', vport: 2883, vid: 7 };
    assert.equal(cfg.setScoped('slow_query_time_threshold', '1s', cluster).ok, true);
    assert.equal(cfg.setScoped('slow_query_time_threshold', '2s', tenant).ok, true);
    assert.equal(cfg.setScoped('slow_query_time_threshold', '3s', vip).ok, true);
    const refused = cfg.setScoped('listen_port', '3306', cluster);
    assert.ok(!refused.ok && refused.error.includes('only be set globally'));
    const restarted = ProxyConfig.load({ stateFile: t.state });
    const at = (c: string, tn: string, v: string): string =>
      restarted.resolve('slow_query_time_threshold', { cluster: c, tenant: tn, vip: v, vport: 2883, vid: 7 }).value;
    assert.equal(at('c1', 't1', '10.0.0.9'), '3s');
    assert.equal(at('c1', 't1', '10.0.0.1'), '2s');
    assert.equal(at('c1', 't2', '10.0.0.1'), '1s');
    assert.equal(at('c2', 't1', '10.0.0.1'), '500ms');
    assert.equal(restarted.deleteScoped('slow_query_time_threshold', tenant), true);
    assert.equal(at('c1', 't1', '10.0.0.1'), '1s');
    assert.equal(ProxyConfig.load({ stateFile: t.state }).resolve('slow_query_time_threshold', { ...tenant, vip: 'x' }).value, '1s');
  });
});

void describe('bad start-up input stops the start with one line naming where', () => {
  void test('bad value in the file: file and line', () => {
    const t = setup('# odp\nlisten_port: 2883\n\nclient_max_connections: lots\n');
    assert.equal(loadError(() => ProxyConfig.load({ file: t.file, stateFile: t.state })),
      `${t.file}:4: invalid value 'lots' for client_max_connections: expected an integer in [0, +inf)`);
  });

  void test('unknown name in the file, with a did-you-mean', () => {
    const t = setup('listen_port: 2883\nlisten_prot: 2884\n');
    assert.equal(loadError(() => ProxyConfig.load({ file: t.file, stateFile: t.state })),
      `${t.file}:2: unknown parameter 'listen_prot' (did you mean 'listen_port'?)`);
  });

  void test('YAML syntax error, duplicate key, nested mapping, missing file', () => {
    const t = setup('listen_port: 2883\n  bad: [\n');
    assert.match(loadError(() => ProxyConfig.load({ file: t.file, stateFile: t.state })), new RegExp(`^${t.file}:\\d+: `));
    writeFileSync(t.file, 'proxy_id: 1\nproxy_id: 2\n');
    assert.match(loadError(() => ProxyConfig.load({ file: t.file, stateFile: t.state })), new RegExp(`^${t.file}:2: Map keys must be unique`));
    writeFileSync(t.file, 'proxy_id:\n  a: 1\n');
    assert.equal(loadError(() => ProxyConfig.load({ file: t.file, stateFile: t.state })), `${t.file}:1: proxy_id takes a single value, not a mapping`);
    assert.match(loadError(() => ProxyConfig.load({ file: join(t.dir, 'missing.yaml'), stateFile: t.state })), /cannot read .*missing\.yaml: ENOENT/);
  });

  void test('a YAML list is accepted for STR_LIST items only; scalars stay text', () => {
    const t = setup('rootservice_list: [10.0.0.1:2881, 10.0.0.2:2881]\nmysql_version: 5.7\nenable_congestion: off\n');
    const cfg = ProxyConfig.load({ file: t.file, stateFile: t.state });
    assert.equal(cfg.get('rootservice_list'), '10.0.0.1:2881;10.0.0.2:2881');
    assert.equal(cfg.get('mysql_version'), '5.7');
    assert.equal(cfg.getBool('enable_congestion'), false);
    writeFileSync(t.file, 'proxy_id: [1, 2]\n');
    assert.equal(loadError(() => ProxyConfig.load({ file: t.file, stateFile: t.state })), `${t.file}:1: proxy_id takes a single value, not a list`);
  });

  void test('bad option, bad state file, inconsistent pair', () => {
    const t = setup();
    assert.equal(loadError(() => ProxyConfig.load({ options: { listen_port: '80' }, stateFile: t.state })),
      "start-up option listen_port: invalid value '80' for listen_port: expected an integer in (1024, 65536)");
    const state = join(t.dir, 'state.yaml');
    writeFileSync(state, 'version: 1\nruntime:\n  nonsense_param:\n    value: 1\n    base: 1\n');
    assert.match(loadError(() => ProxyConfig.load({ stateFile: state })), new RegExp(`^${state}:3: unknown parameter 'nonsense_param'`));
    writeFileSync(state, 'version: 1\nruntime:\n  proxy_id:\n    value: lots\n    base: "0"\n');
    assert.equal(loadError(() => ProxyConfig.load({ stateFile: state })),
      `${state}:3: invalid value 'lots' for proxy_id: expected an integer in [0, 8191]`);
    assert.equal(loadError(() => ProxyConfig.load({ stateFile: t.dir })), `cannot read ${t.dir}: EISDIR`);
    assert.equal(loadError(() => ProxyConfig.load({ options: { proxy_id: '300' }, stateFile: join(t.dir, 'none.yaml') })),
      'configuration: proxy_id 300 needs client_session_id_version 2 (version 1 allows proxy_id up to 255)');
  });
});

void describe('reloadFile (SIGHUP)', () => {
  void test('a bad file keeps every running value', () => {
    const t = setup('slow_query_time_threshold: 1s\nproxy_id: 3\n');
    const cfg = ProxyConfig.load({ file: t.file, stateFile: t.state });
    writeFileSync(t.file, 'slow_query_time_threshold: 5s\nproxy_id: many\n');
    const r = cfg.reloadFile();
    assert.deepEqual(r, { ok: false, error: `${t.file}:2: invalid value 'many' for proxy_id: expected an integer in [0, 8191]` });
    assert.equal(cfg.get('slow_query_time_threshold'), '1s');
    assert.equal(cfg.getInt('proxy_id'), 3);
    writeFileSync(t.file, 'slow_query_time_threshold: 5s\n  oops: [\n');
    assert.equal(cfg.reloadFile().ok, false);
    assert.equal(cfg.get('slow_query_time_threshold'), '1s');
  });

  void test('a good file applies changes, removed keys fall back, options still win', () => {
    const t = setup('slow_query_time_threshold: 1s\nproxy_id: 3\nquery_digest_time_threshold: 7ms\n');
    const cfg = ProxyConfig.load({ file: t.file, options: { query_digest_time_threshold: '8ms' }, stateFile: t.state });
    const seen: string[] = [];
    cfg.onChange('slow_query_time_threshold', (v) => { seen.push(v); });
    writeFileSync(t.file, 'slow_query_time_threshold: 5s\nquery_digest_time_threshold: 9ms\n');
    const r = cfg.reloadFile();
    assert.ok(r.ok);
    assert.deepEqual([...r.changed].sort(), ['proxy_id', 'query_digest_time_threshold', 'slow_query_time_threshold']);
    assert.ok(r.notices.some((n) => n.includes("query_digest_time_threshold: file value '9ms' is overridden by the option value '8ms'")));
    assert.equal(cfg.get('slow_query_time_threshold'), '5s');
    assert.deepEqual(seen, ['5s']);
    assert.equal(cfg.getInt('proxy_id'), 0);
    assert.equal(cfg.get('query_digest_time_threshold'), '8ms');
  });

  void test('an ALTER value stays until the file changes that parameter', () => {
    const t = setup('slow_query_time_threshold: 1s\nproxy_id: 3\n');
    const cfg = ProxyConfig.load({ file: t.file, stateFile: t.state });
    assert.equal(cfg.alter('slow_query_time_threshold', '10ms').ok, true);
    writeFileSync(t.file, 'slow_query_time_threshold: 1s\nproxy_id: 4\n');
    assert.ok(cfg.reloadFile().ok);
    assert.equal(cfg.get('slow_query_time_threshold'), '10ms');
    writeFileSync(t.file, 'slow_query_time_threshold: 2s\nproxy_id: 4\n');
    const r = cfg.reloadFile();
    assert.ok(r.ok && r.notices.some((n) => n.includes("the new file value '2s' replaces the ALTER PROXYCONFIG value '10ms'")));
    assert.equal(cfg.get('slow_query_time_threshold'), '2s');
    assert.doesNotMatch(readFileSync(t.state, 'utf8'), /slow_query_time_threshold/);
  });
});
