// Metrics (spec §12) and the end-of-request monitor (spec §10): counters by scope, the /metrics exposition parsed
// back, SHOW PROXYSTAT numbers equal to the sums of the exported series, digest/slow/error/stat decisions.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyConfig } from '../../../src/config/config.js';
import { newDigestRecord } from '../../../src/observe/log-formats.js';
import type { DigestRecord } from '../../../src/observe/log-formats.js';
import { Metrics, moveSession } from '../../../src/observe/metrics.js';
import { maxIdleDumps, nextDumpDelayMs } from '../../../src/observe/monitor-stat.js';
import { RequestMonitor } from '../../../src/observe/request-monitor.js';
import type { MonitorFile } from '../../../src/observe/request-monitor.js';
import { parseDigestLine, parseErrorLine, parseExposition, parseStatLine, samples, sum } from './parsers.js';

const T1 = { cluster: 'c1', tenant: 't1', schema: 'db1', vip: '10.0.0.1', dbType: 'OB_MYSQL' } as const;

function req(over: Partial<DigestRecord> = {}): DigestRecord {
  return Object.assign(newDigestRecord(), { sqlCmd: 'COM_QUERY', stmtType: 'SELECT', sql: 'select 1', totalUs: 1000, prepareUs: 10, serverUs: 900 }, over);
}

async function scrape(m: Metrics): Promise<ReturnType<typeof parseExposition>> {
  return parseExposition(await m.text());
}

describe('scopes', () => {
  test('one scope per label tuple; app_name is the default logic tenant', () => {
    const m = new Metrics({ appName: 'myapp', defaultMetrics: false });
    const a = m.scope(T1);
    assert.equal(m.scope({ ...T1 }), a);
    assert.notEqual(m.scope({ ...T1, schema: 'db2' }), a);
    assert.equal(a.labels.logicTenant, 'myapp');
    assert.equal(m.scopeCount, 2);
  });

  test('past monitor_item_limit new tuples share an unexported scope that still counts in stats()', async () => {
    const m = new Metrics({ itemLimit: 1, defaultMetrics: false });
    m.scope(T1).request(req(), false);
    const over = m.scope({ ...T1, tenant: 't2' });
    assert.equal(over.exported, false);
    over.request(req(), false);
    assert.equal(m.stat('client_requests'), 2);
    const e = await scrape(m);
    assert.equal(sum(samples(e, 'odp_sql_request_total')), 1);
  });

  test('sweep drops scopes idle for the period with no session attached', () => {
    const m = new Metrics({ defaultMetrics: false });
    const busy = m.scope(T1);
    busy.sessionOpened(true);
    m.scope({ ...T1, tenant: 'idle' }).request(req(), false);
    assert.equal(m.sweep(0, 1000), 0); // both touched: reset
    assert.equal(m.sweep(500, 1000), 0);
    assert.equal(m.sweep(1000, 1000), 1);
    assert.equal(m.scopeCount, 1);
    assert.equal(m.stat('client_requests'), 1, 'totals survive the sweep');
  });
});

describe('exposition', () => {
  test('odp_* names, help, types and labels of spec §12; sums equal the SHOW PROXYSTAT numbers', async () => {
    const m = new Metrics({ appName: 'obproxy', defaultMetrics: false });
    const pre = m.scope({ vip: '10.0.0.1' });
    const s = m.scope(T1);
    pre.sessionOpened(true);
    pre.sessionOpened(true);
    moveSession(pre, s, true); // login
    s.newClientConnection(true);
    pre.newClientConnection(false);
    pre.sessionClosed(true);
    s.sessionOpened(false);
    s.request(req({ partitionHit: true }), false);
    s.request(req({ stmtType: 'INSERT', failed: true, errorCode: 1062, totalUs: 600_000 }), true);
    s.request(req(), false);
    s.transaction();
    m.clientRefused();

    const e = await scrape(m);
    assert.equal(e.type.get('odp_sql_request_total'), 'counter');
    assert.equal(e.type.get('odp_sql_cost_total'), 'gauge');
    assert.equal(e.type.get('odp_current_session'), 'gauge');
    assert.equal(e.help.get('odp_transaction_total'), 'The num of user transaction');
    const base = { logicTenant: 'obproxy', logicSchema: '', cluster: 'c1', tenant: 't1', schema: 'db1' };
    assert.deepEqual(samples(e, 'odp_sql_request_total', { sqlType: 'SELECT' }).map((x) => [x.labels, x.value]), [
      [{ ...base, sqlType: 'SELECT', slowQuery: 'false', sqlResult: 'success', partitionHit: 'false' }, 1],
      [{ ...base, sqlType: 'SELECT', slowQuery: 'false', sqlResult: 'success', partitionHit: 'true' }, 1],
    ]);
    assert.deepEqual(samples(e, 'odp_sql_request_total', { sqlType: 'INSERT' }).map((x) => x.labels),
      [{ ...base, sqlType: 'INSERT', slowQuery: 'true', sqlResult: 'fail', partitionHit: 'false' }]);
    assert.equal(samples(e, 'odp_sql_cost_total', { sqlType: 'SELECT', timeType: 'total' })[0]?.value, 2000);
    assert.equal(samples(e, 'odp_sql_cost_total', { sqlType: 'INSERT', timeType: 'prepare' })[0]?.value, 10);
    assert.deepEqual(samples(e, 'odp_transaction_total').map((x) => [x.labels, x.value]), [[base, 1]]);
    assert.deepEqual(samples(e, 'odp_current_session', { tenant: 't1' }).map((x) => [x.labels.sessionType, x.labels.vip, x.value]),
      [['client', '10.0.0.1', 1], ['server', '10.0.0.1', 1]]);
    assert.deepEqual(samples(e, 'odp_new_client_connections').map((x) => [x.labels.tenant, x.labels.connectionResult, x.value]),
      [['', 'fail', 1], ['t1', 'success', 1]]);

    assert.equal(m.stat('client_requests'), sum(samples(e, 'odp_sql_request_total')));
    assert.equal(m.stat('current_client_connections'), sum(samples(e, 'odp_current_session', { sessionType: 'client' })));
    assert.equal(m.stat('current_server_connections'), sum(samples(e, 'odp_current_session', { sessionType: 'server' })));
    assert.equal(m.stat('total_transaction_count'), sum(samples(e, 'odp_transaction_total')));
    assert.equal(m.stat('client_login_failures'), sum(samples(e, 'odp_new_client_connections', { connectionResult: 'fail' })));
    const stats = m.stats();
    assert.deepEqual([...stats.entries()].filter(([, v]) => v !== 0), [
      ['total_client_connections', 2], ['current_client_connections', 1], ['total_server_connections', 1],
      ['current_server_connections', 1], ['refused_client_connections', 1], ['client_login_failures', 1],
      ['client_requests', 3], ['client_select_requests', 2], ['client_insert_requests', 1], ['client_error_requests', 1],
      ['client_slow_requests', 1], ['total_transaction_count', 1],
    ]);
  });

  test('scopes differing only in vip add up in series without a vip label', async () => {
    const m = new Metrics({ defaultMetrics: false });
    m.scope(T1).request(req(), false);
    m.scope({ ...T1, vip: '10.0.0.2' }).request(req(), false);
    const e = await scrape(m);
    assert.deepEqual(samples(e, 'odp_sql_request_total').map((x) => x.value), [2]);
  });

  test('extra metrics follow enable_extra_prometheus_metric; cost unit follows prometheus_cost_ms_unit', async () => {
    const config = ProxyConfig.load({ options: { prometheus_cost_ms_unit: 'true' } });
    const { metrics: m, unbind } = Metrics.fromConfig(config, { defaultMetrics: false });
    const s = m.scope(T1);
    s.bytesTransferred(true, true, 100);
    s.bytesTransferred(false, false, 7);
    s.entryLookup('partition_entry', true, true);
    s.request(req({ totalUs: 1500 }), false);
    let e = await scrape(m);
    assert.equal(e.type.get('odp_request_byte'), undefined);
    assert.equal(samples(e, 'odp_sql_cost_total', { timeType: 'total' })[0]?.value, 1.5);
    config.set('enable_extra_prometheus_metric', 'true', 'runtime');
    e = await scrape(m);
    assert.deepEqual(samples(e, 'odp_request_byte').map((x) => [x.labels.transType, x.labels.sessionType, x.value]),
      [['request', 'client', 100], ['response', 'server', 7]]);
    assert.deepEqual(samples(e, 'odp_entry_total').map((x) => [x.labels.entryType, x.labels.routeHit, x.labels.routeResult, x.value]),
      [['partition_entry', 'true', 'success', 1]]);
    assert.equal(m.stat('client_request_total_size'), 100);
    assert.equal(m.stat('server_response_total_size'), 7);
    config.set('enable_extra_prometheus_metric', 'false', 'runtime');
    assert.equal((await scrape(m)).type.get('odp_request_byte'), undefined);
    unbind();
  });

  test('process and runtime metrics, and dropped log lines', async () => {
    const m = new Metrics();
    m.setLogDropSource(() => [['obproxy.log', 3], ['obproxy_digest.log', 0]]);
    const e = await scrape(m);
    assert.ok(samples(e, 'process_cpu_user_seconds_total').length === 1);
    assert.ok(samples(e, 'nodejs_heap_size_used_bytes').length === 1);
    assert.deepEqual(samples(e, 'odp_log_dropped_lines_total').map((x) => [x.labels.file, x.value]), [['obproxy.log', 3], ['obproxy_digest.log', 0]]);
    assert.equal(m.stat('log_dropped_lines'), 3);
  });
});

class Files {
  readonly lines: { file: MonitorFile; line: string }[] = [];
  write(file: MonitorFile, line: string): boolean {
    this.lines.push({ file, line });
    return true;
  }
  of(file: MonitorFile): string[] {
    return this.lines.filter((l) => l.file === file).map((l) => l.line);
  }
}

describe('RequestMonitor', () => {
  const settings = { slowUs: 500_000, digestUs: 100_000, thresholds: { lowUs: 30_000, middleUs: 100_000, highUs: 500_000 } };

  test('digest, slow and error logs by threshold, hint and result', () => {
    const m = new Metrics({ defaultMetrics: false });
    const out = new Files();
    const mon = new RequestMonitor(m, out, settings);
    const s = m.scope(T1);
    mon.done(s, req({ sql: 'fast', totalUs: 100_000 }));
    mon.done(s, req({ sql: 'digest', totalUs: 100_001 }));
    mon.done(s, req({ sql: 'hinted', totalUs: 5, traceLog: true }));
    mon.done(s, req({ sql: 'slow', totalUs: 500_001 }));
    mon.done(s, req({ sql: 'failed', failed: true, errorCode: 1146, errorMsg: "Table 'x' doesn't exist" }));
    mon.done(s, req({ sql: 'failed slow', failed: true, errorCode: 4012, totalUs: 900_000 }));
    assert.deepEqual(out.of('obproxy_digest.log').map((l) => parseDigestLine(l).sql), ['digest', 'hinted', 'slow']);
    assert.deepEqual(out.of('obproxy_slow.log').map((l) => parseDigestLine(l).sql), ['slow', 'failed slow']);
    assert.deepEqual(out.of('obproxy_error.log').map((l) => [parseErrorLine(l).sql, parseErrorLine(l).errorCode]), [['failed', '1146'], ['failed slow', '4012']]);
    assert.equal(m.stat('client_slow_requests'), 2);
  });

  test('a threshold of 0 disables its log; monitor_log_level WARN keeps only proxy-internal errors', () => {
    const m = new Metrics({ defaultMetrics: false });
    const out = new Files();
    const mon = new RequestMonitor(m, out, { ...settings, slowUs: 0, digestUs: 0 });
    mon.done(m.scope(T1), req({ totalUs: 10_000_000 }));
    assert.equal(out.lines.length, 0);
    mon.settings.level = 2; // WARN
    mon.done(m.scope(T1), req({ failed: true, errorCode: 1, traceLog: true }));
    mon.done(m.scope(T1), req({ failed: true, errorCode: 2, internalError: true }));
    assert.deepEqual(out.lines.map((l) => [l.file, parseErrorLine(l.line).errorCode]), [['obproxy_error.log', '2']]);
  });

  test('stat dump: one line per statement type and error code, buckets by threshold, rows zeroed then dropped', () => {
    const m = new Metrics({ defaultMetrics: false });
    const out = new Files();
    const mon = new RequestMonitor(m, out, { ...settings, dumpIntervalMs: 60_000, itemMaxIdleMs: 60_000 });
    const s = m.scope(T1);
    for (const us of [10_000, 30_001, 100_001, 500_001, 30_000]) mon.done(s, req({ totalUs: us, prepareUs: 1, serverUs: 2 }));
    mon.done(s, req({ stmtType: 'UPDATE', failed: true, errorCode: 1205, totalUs: 7 }));
    mon.dump(1_700_000_000_000_000);
    const lines = out.of('obproxy_stat.log').map(parseStatLine);
    assert.deepEqual(lines.map((l) => [l.clusterTenantDb, l.dbType, l.stmtType, l.result, l.errorCode, l.totalCount, l.lowCount, l.middleCount, l.highCount, l.totalTime, l.prepareTime, l.serverTime]), [
      ['c1:t1:db1', 'OB_MYSQL', 'SELECT', 'success', '', '5', '1', '1', '1', '670003us', '5us', '10us'],
      ['c1:t1:db1', 'OB_MYSQL', 'UPDATE', 'failed', '1205', '1', '0', '0', '0', '7us', '10us', '900us'],
    ]);
    mon.dump();
    assert.equal(out.of('obproxy_stat.log').length, 2, 'zeroed rows print nothing');
    assert.equal(s.stat.size, 2);
    mon.dump();
    assert.equal(s.stat.size, 0, 'rows idle longer than monitor_item_max_idle_period are dropped');
    assert.equal(m.statBudget.items, 0);
  });

  test('dump schedule: whole multiples of the interval minus 500 ms', () => {
    assert.equal(nextDumpDelayMs(120_000, 60_000), 59_500);
    assert.equal(nextDumpDelayMs(179_450, 60_000), 60_050);
    assert.equal(maxIdleDumps(30 * 60_000, 60_000), 30);
    assert.equal(maxIdleDumps(1000, 60_000), 1);
  });
});
