// The registry against its oracles: the seed's parameter lists (ODP 4.3.1 docs navigation) and spec §11.1's table
// and restart list. Both are read from the reference files here, not from the code under test.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PARAMS, findParam, displayInfo } from '../../../src/config/params.js';
import { validateValue, parseRange } from '../../../src/config/validate.js';
import { referenceFile } from './helpers.js';

const SEED = 'odp-v4.3.1-docs-handle-response.txt';

/** The bullet items nested under a navigation heading such as "Global parameters". */
function seedList(lines: readonly string[], heading: string): string[] {
  const start = lines.findIndex((l) => l.trim() === `• ${heading}`);
  assert.ok(start >= 0, `seed has no '${heading}' list`);
  const indent = (l: string): number => l.length - l.trimStart().length;
  const base = indent(lines[start] ?? '');
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') continue;
    if (indent(line) <= base) break;
    out.push(line.trim().replace(/^•\s*/, ''));
  }
  return out;
}

const seedLines = readFileSync(referenceFile('seed', SEED), 'utf8').split('\n');
const GLOBAL = seedList(seedLines, 'Global parameters');
const MULTI = seedList(seedLines, 'Multi-level parameters');

void describe('registry covers the seed parameter lists', () => {
  void test('the seed lists were found and look like parameter names', () => {
    assert.ok(GLOBAL.length > 150, `only ${GLOBAL.length} global names parsed`);
    assert.ok(MULTI.length > 20, `only ${MULTI.length} multi-level names parsed`);
    for (const name of [...GLOBAL, ...MULTI]) assert.match(name, /^[a-z][a-z0-9_]*$/);
  });

  void test('every global parameter of the seed is registered', () => {
    assert.deepEqual(GLOBAL.filter((n) => findParam(n) === undefined), []);
  });

  void test('every multi-level parameter of the seed is registered and settable per cluster/tenant/VIP', () => {
    assert.deepEqual(MULTI.filter((n) => findParam(n) === undefined), []);
    assert.deepEqual(MULTI.filter((n) => findParam(n)?.configLevel !== 'LEVEL_VIP'), []);
  });

  void test('extensions are exactly odp\'s own three and none of them is an ODP name', () => {
    const ext = PARAMS.filter((d) => d.extension).map((d) => d.name).sort();
    assert.deepEqual(ext, ['config_state_file', 'drain_timeout', 'metadata_user']);
    for (const name of ext) assert.ok(!GLOBAL.includes(name) && !MULTI.includes(name));
  });
});

interface SpecRow { name: string; type: string; dflt: string; range: string; reboot: boolean }

/** Rows of the spec §11.1 table; "a / b" rows are split into one row per name. */
function specRows(text: string): SpecRow[] {
  const section = text.slice(text.indexOf('### 11.1'), text.indexOf('### 11.2'));
  const rows: SpecRow[] = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 7 || cells[1] === 'Name' || cells[1]?.startsWith('---')) continue;
    const names = (cells[1] ?? '').split(' / ');
    const split = (cell: string): string[] => {
      const parts = cell.split(' / ');
      return parts.length === names.length ? parts : names.map(() => cell);
    };
    const types = split(cells[2] ?? ''), dflts = split(cells[3] ?? ''), ranges = split(cells[4] ?? '');
    names.forEach((name, i) => rows.push({
      name, type: types[i] ?? '', dflt: dflts[i] ?? '', range: ranges[i] ?? '', reboot: cells[5] === 'yes',
    }));
  }
  return rows;
}

const specText = readFileSync(referenceFile('spec', 'odp-reference.md'), 'utf8');
const ROWS = specRows(specText);

/** Spec cells that are prose rather than a literal value; the registry is checked against the literal part. */
function literalDefault(cell: string): string | undefined {
  if (cell.startsWith('(')) return undefined; // e.g. "(SHA1 hex)"
  if (cell === '""') return '';
  const quoted = /^`(.*)`$/.exec(cell);
  if (quoted !== null) return quoted[1];
  return cell.replace(/\*\*/g, '').split(/\s+\(|;/)[0]?.trim();
}

void describe('registry agrees with spec §11.1', () => {
  void test('the spec table was parsed', () => {
    assert.ok(ROWS.length > 80, `only ${ROWS.length} rows parsed`);
  });

  void test('every name of the table is registered, with the table\'s type and restart flag', () => {
    const bad = ROWS.filter((r) => {
      const def = findParam(r.name);
      const type = r.type.split(' ')[0];
      return def === undefined || def.type !== type || def.needReboot !== r.reboot;
    }).map((r) => r.name);
    assert.deepEqual(bad, []);
  });

  void test('defaults match the table (BOOL case-insensitively)', () => {
    const bad: string[] = [];
    for (const r of ROWS) {
      const want = literalDefault(r.dflt);
      const def = findParam(r.name);
      if (want === undefined || def === undefined) continue;
      const same = def.type === 'BOOL' ? def.default.toLowerCase() === want.toLowerCase() : def.default === want;
      if (!same) bad.push(`${r.name}: registry '${def.default}', spec '${want}'`);
    }
    assert.deepEqual(bad, []);
  });

  void test('numeric ranges match the table', () => {
    const bad: string[] = [];
    for (const r of ROWS) {
      const def = findParam(r.name);
      if (def === undefined || !/^[[(]/.test(r.range)) continue;
      if (def.range.replace(/\s/g, '') !== r.range.replace(/\s/g, '')) bad.push(`${r.name}: '${def.range}' vs '${r.range}'`);
    }
    assert.deepEqual(bad, []);
  });

  void test('enumerations match the table', () => {
    assert.deepEqual(findParam('server_routing_mode')?.values, ['oceanbase', 'random', 'mock', 'mysql']);
    assert.deepEqual(findParam('proxy_service_mode')?.values, ['client', 'server']);
    assert.deepEqual(findParam('proxy_route_policy')?.values, ['', 'follower_first', 'unmerge_follower_first', 'follower_only']);
  });

  void test('the restart list of §11.1 is exactly the ODP parameters marked need_reboot', () => {
    const para = specText.slice(specText.indexOf('Parameters requiring restart'));
    const list = (para.slice(para.indexOf(':') + 1, para.indexOf('\n\n')).match(/[a-z][a-z0-9_]+/g) ?? []).sort();
    const registry = PARAMS.filter((d) => d.needReboot && !d.extension).map((d) => d.name).sort();
    assert.deepEqual(registry, list);
  });
});

void describe('registry entries are well formed', () => {
  void test('every default passes its own validation and is already canonical', () => {
    for (const def of PARAMS) {
      const v = validateValue(def, def.default);
      assert.ok(v.ok, `${def.name}: ${v.ok ? '' : v.error}`);
      assert.equal(v.value, def.default, def.name);
    }
  });

  void test('every range parses (defaults are inside them: checked above)', () => {
    for (const def of PARAMS.filter((d) => d.range !== '')) {
      assert.ok(parseRange(def) !== undefined, `${def.name}: range '${def.range}' did not parse`);
    }
  });

  void test('the lead-wired parameters say they work; the rest say no effect yet in SHOW PROXYCONFIG info', () => {
    const works = PARAMS.filter((d) => d.status === 'works').map((d) => d.name).sort();
    // Update this list when a feature starts honouring a parameter (and docs/CONFIGURATION.md with it).
    assert.deepEqual(works, [
      'client_max_connections', 'client_session_id_version', 'client_tcp_keepidle', 'config_state_file', 'connection_diagnosis_option',
      'default_inactivity_timeout', 'delay_update_entry_interval', 'digest_sql_length', 'drain_timeout',
      'enable_client_connection_lru_disconnect', 'enable_extra_prometheus_metric', 'enable_monitor_stat',
      'enable_prometheus', 'enable_proxy_scramble', 'enable_syslog_wf', 'inspector_password', 'listen_port',
      'local_bound_ip', 'location_expire_period_time', 'log_cleanup_interval', 'log_dir_size_threshold',
      'log_file_percentage', 'max_log_file_size', 'max_syslog_file_count', 'max_syslog_file_time', 'metadata_user',
      'min_keep_congestion_interval', 'monitor_cost_ms_unit', 'monitor_item_limit', 'monitor_item_max_idle_period',
      'monitor_log_level', 'monitor_stat_dump_interval', 'monitor_stat_high_threshold', 'monitor_stat_low_threshold',
      'monitor_stat_middle_threshold', 'mysql_version', 'obproxy_read_consistency', 'obproxy_sys_password', 'observer_query_timeout_delta',
      'observer_sys_password', 'prometheus_cost_ms_unit', 'prometheus_listen_port', 'proxy_id', 'proxy_idc_name', 'proxy_route_policy', 'proxy_tenant_name',
      'query_digest_time_threshold', 'request_buffer_length', 'rootservice_cluster_name', 'rootservice_list', 'route_diagnosis_level', 'server_routing_mode',
      'server_state_refresh_interval', 'server_tcp_keepidle', 'short_async_task_timeout',
      'slow_query_time_threshold', 'syslog_level', 'target_db_server', 'username_separator']);
    const later = findParam('enable_async_log');
    assert.ok(later !== undefined && displayInfo(later).startsWith('[no effect yet] '));
  });

  void test('BOOL defaults are shown as ODP shows them', () => {
    assert.equal(findParam('enable_congestion')?.default, 'True');
    assert.equal(findParam('enable_reroute')?.default, 'False');
  });
});
