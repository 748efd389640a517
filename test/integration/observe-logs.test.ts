// The real proxy writes ODP's log files and serves /metrics, /healthz and /readyz (issue 7 parts 3-5): lines parse back
// into their documented fields (parsers independent of the formatter), and SHOW PROXYSTAT and /metrics agree.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import type mysql from 'mysql2/promise';
import { startProxy, type ProxyProcess } from './harness.js';
import { connect, waitUntil } from './target.js';
import { parseDigestLine, parseErrorLine } from '../unit/observe/parsers.js';

function http(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

function lines(proxy: ProxyProcess, file: string): string[] {
  const p = join(proxy.root, 'log', file);
  return existsSync(p) ? readFileSync(p, 'utf8').split('\n').filter((l) => l !== '') : [];
}

describe('log files and the metrics endpoint of a running proxy', () => {
  let proxy: ProxyProcess;
  let c: mysql.Connection;
  before(async () => {
    proxy = await startProxy(['-o', 'query_digest_time_threshold=1ms,slow_query_time_threshold=150ms']);
    c = await connect({ host: '127.0.0.1', port: proxy.port });
  });
  after(async () => {
    c.destroy();
    await proxy.stop();
  });

  test('a slow statement is in the digest and slow logs with its fields; a failed one in the error log', async () => {
    await c.query('SELECT SLEEP(0.2) AS s /* odp-slow-probe */');
    await assert.rejects(c.query('SELEC 1 /* odp-error-probe */'));
    const slow = await waitUntil(15_000, () => Promise.resolve(lines(proxy, 'obproxy_slow.log')), (l) => l.some((x) => x.includes('odp-slow-probe')));
    const line = slow.find((x) => x.includes('odp-slow-probe'));
    assert.ok(line !== undefined, `slow log: ${slow.join('\n')}`);
    const f = parseDigestLine(line);
    assert.equal(f.sqlCmd, 'COM_QUERY');
    assert.equal(f.stmtType, 'SELECT');
    assert.match(f.totalTime, /^\d+/);
    const totalUs = Number.parseInt(f.totalTime, 10);
    assert.ok(totalUs >= 150_000 && totalUs < 5_000_000, `total time ${f.totalTime}`);
    assert.match(f.serverAddr, /^127\.0\.0\.1:\d+$/);
    assert.match(f.clientAddr, /^127\.0\.0\.1:\d+$/);
    const digest = await waitUntil(15_000, () => Promise.resolve(lines(proxy, 'obproxy_digest.log')), (l) => l.some((x) => x.includes('odp-slow-probe')));
    assert.ok(digest.some((x) => x.includes('odp-slow-probe')), 'digest log has the statement too');
    const errs = await waitUntil(15_000, () => Promise.resolve(lines(proxy, 'obproxy_error.log')), (l) => l.some((x) => x.includes('odp-error-probe')));
    const e = parseErrorLine(errs.find((x) => x.includes('odp-error-probe'))!);
    assert.equal(e.errorCode, '1064');
    assert.equal(e.result, 'failed');
  });

  test('obproxy.log receives the proxy log lines', async () => {
    const log = await waitUntil(15_000, () => Promise.resolve(lines(proxy, 'obproxy.log')), (l) => l.some((x) => x.includes('listening on port')));
    assert.ok(log.some((x) => x.includes('listening on port')), log.slice(0, 5).join('\n'));
  });

  test('/metrics has odp_* series and SHOW PROXYSTAT reads the same request count', async () => {
    for (let i = 0; i < 5; i++) await c.query('SELECT 1');
    const m = await http(proxy.metricsPort, '/metrics');
    assert.equal(m.status, 200);
    const series = m.body.split('\n').filter((l) => l.startsWith('odp_sql_request_total'));
    assert.ok(series.length > 0, m.body.slice(0, 500));
    const total = series.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    assert.ok(total >= 7, `odp_sql_request_total sums to ${total}`);
    assert.match(m.body, /^process_cpu_user_seconds_total /m);
    const admin = await connect({ host: '127.0.0.1', port: proxy.port }, { user: 'root@proxysys', password: '' });
    try {
      const [rows] = await admin.query<mysql.RowDataPacket[]>("SHOW PROXYSTAT LIKE 'client_requests'");
      assert.equal(rows.length, 1);
      assert.ok(Number(rows[0]!['value']) >= 7);
    } finally {
      admin.destroy();
    }
  });

  test('/healthz and /readyz answer; unknown paths are 404', async () => {
    assert.equal((await http(proxy.metricsPort, '/healthz')).status, 200);
    assert.equal((await http(proxy.metricsPort, '/readyz')).status, 200);
    assert.equal((await http(proxy.metricsPort, '/nope')).status, 404);
  });
});
