// The metrics and health endpoint (spec §12; issue 7 part 4) over real HTTP on a free port: /metrics scraped and
// parsed as Prometheus text format, /healthz, /readyz transitions, enable_prometheus, 404/405, a busy port.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { freePort } from '../../lab/proc.js';
import { ObserveHttpServer } from '../../src/observe/http.js';
import type { Readiness } from '../../src/observe/http.js';
import { Metrics, moveSession } from '../../src/observe/metrics.js';
import { newDigestRecord } from '../../src/observe/log-formats.js';
import { parseExposition, samples, sum } from '../unit/observe/parsers.js';

async function get(port: number, path: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

describe('observe HTTP endpoint', () => {
  const metrics = new Metrics({ appName: 'odp_test' });
  const state: { -readonly [K in keyof Readiness]: Readiness[K] } = { listening: false, metadataLoaded: false, draining: false };
  let prometheus = true;
  let server: ObserveHttpServer;
  let port = 0;

  before(async () => {
    port = await freePort();
    server = new ObserveHttpServer({
      host: '127.0.0.1', port, metrics, prometheusEnabled: () => prometheus, readiness: () => state,
    });
    await server.start();
  });

  after(async () => {
    await server.stop();
  });

  test('binds the requested port', () => {
    assert.equal(server.port, port);
  });

  test('/metrics is Prometheus text with odp_* series and process metrics', async () => {
    const pre = metrics.scope({ vip: '127.0.0.1' });
    const s = metrics.scope({ cluster: 'obcluster', tenant: 'sys', schema: 'test', vip: '127.0.0.1', dbType: 'OB_MYSQL' });
    pre.sessionOpened(true);
    moveSession(pre, s, true);
    s.newClientConnection(true);
    const r = Object.assign(newDigestRecord(), { stmtType: 'SELECT', totalUs: 1200, prepareUs: 100, serverUs: 1000, partitionHit: true });
    for (let i = 0; i < 3; i++) s.request(r, false);
    s.transaction();

    const res = await get(port, '/metrics');
    assert.equal(res.status, 200);
    assert.match(res.type, /^text\/plain; version=0\.0\.4/);
    const e = parseExposition(res.body);
    const base = { logicTenant: 'odp_test', logicSchema: '', cluster: 'obcluster', tenant: 'sys', schema: 'test' };
    assert.deepEqual(samples(e, 'odp_sql_request_total').map((x) => [x.labels, x.value]),
      [[{ ...base, sqlType: 'SELECT', slowQuery: 'false', sqlResult: 'success', partitionHit: 'true' }, 3]]);
    assert.deepEqual(samples(e, 'odp_sql_cost_total').map((x) => [x.labels.timeType, x.value]),
      [['prepare', 300], ['server', 3000], ['total', 3600]]);
    assert.deepEqual(samples(e, 'odp_transaction_total').map((x) => [x.labels, x.value]), [[base, 1]]);
    assert.deepEqual(samples(e, 'odp_current_session', { sessionType: 'client', tenant: 'sys' }).map((x) => [x.labels.vip, x.value]), [['127.0.0.1', 1]]);
    assert.deepEqual(samples(e, 'odp_new_client_connections').map((x) => [x.labels.connectionResult, x.value]), [['success', 1]]);
    assert.equal(e.type.get('odp_sql_request_total'), 'counter');
    assert.equal(e.type.get('odp_current_session'), 'gauge');
    assert.equal(samples(e, 'process_cpu_user_seconds_total').length, 1);
    assert.equal(samples(e, 'nodejs_eventloop_lag_seconds').length, 1);
    // SHOW PROXYSTAT reads the same numbers
    assert.equal(metrics.stat('client_requests'), sum(samples(e, 'odp_sql_request_total')));
    assert.equal(metrics.stat('current_client_connections'), sum(samples(e, 'odp_current_session', { sessionType: 'client' })));
  });

  test('enable_prometheus=false hides /metrics and nothing else', async () => {
    prometheus = false;
    try {
      const res = await get(port, '/metrics');
      assert.equal(res.status, 404);
      assert.equal(res.body, 'prometheus disabled (enable_prometheus=false)\n');
      assert.equal((await get(port, '/healthz')).status, 200);
    } finally {
      prometheus = true;
    }
    assert.equal((await get(port, '/metrics?x=1')).status, 200);
  });

  test('/healthz answers 200 while the process is alive', async () => {
    assert.deepEqual(await get(port, '/healthz'), { status: 200, type: 'text/plain; charset=utf-8', body: 'ok\n' });
    assert.equal((await get(port, '/healthz', 'HEAD')).status, 200);
  });

  test('/readyz follows listening, metadata and draining, with a one-line reason', async () => {
    assert.deepEqual(await get(port, '/readyz'), { status: 503, type: 'text/plain; charset=utf-8', body: 'not ready: not listening\n' });
    state.listening = true;
    assert.equal((await get(port, '/readyz')).body, 'not ready: cluster metadata not loaded\n');
    state.metadataLoaded = true;
    assert.deepEqual(await get(port, '/readyz'), { status: 200, type: 'text/plain; charset=utf-8', body: 'ready\n' });
    state.draining = true;
    assert.deepEqual(await get(port, '/readyz'), { status: 503, type: 'text/plain; charset=utf-8', body: 'not ready: draining\n' });
    state.draining = false;
    assert.equal((await get(port, '/readyz')).status, 200);
  });

  test('other paths are 404, other methods 405', async () => {
    assert.equal((await get(port, '/')).status, 404);
    assert.equal((await get(port, '/metricsx')).status, 404);
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { method: 'POST', body: 'x' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
    await res.text();
  });

  test('a busy port is a one-line error', async () => {
    const other = new ObserveHttpServer({ host: '127.0.0.1', port, metrics, prometheusEnabled: () => true, readiness: () => state });
    await assert.rejects(other.start(), (e: Error) => {
      assert.equal(e.message, `cannot listen on 127.0.0.1:${port} for metrics and health checks: address already in use`);
      return true;
    });
  });

  test('a port held by another process is reported the same way, and stop() frees the port', async () => {
    const p = await freePort();
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(p, '127.0.0.1', r));
    const s = new ObserveHttpServer({ host: '127.0.0.1', port: p, metrics, prometheusEnabled: () => true, readiness: () => state });
    await assert.rejects(s.start(), /address already in use$/);
    await new Promise<void>((r) => holder.close(() => r()));
    await s.start();
    assert.equal((await get(p, '/healthz')).status, 200);
    await s.stop();
    await assert.rejects(fetch(`http://127.0.0.1:${p}/healthz`));
  });
});
