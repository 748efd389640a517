// Admin commands through the real proxy with real clients (issue 6 "Done when"): root@proxysys from the mariadb
// CLI and mysql2, runtime ALTER that survives a restart, DIFF with sources, password and permission checks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { referenceFile } from '../unit/config/helpers.js';
import { startProxy, users, type ProxyProcess } from './harness.js';
import { SPEC } from '../unit/admin/spec-columns.js';

const execFileP = promisify(execFile);

async function cli(port: number, user: string, sql: string, password = ''): Promise<{ code: number; out: string; err: string }> {
  const args = ['--no-defaults', '-h127.0.0.1', `-P${port}`, `-u${user}`, '-B', '-e', sql];
  if (password !== '') args.splice(4, 0, `-p${password}`);
  try {
    const { stdout, stderr } = await execFileP('mariadb', args, { timeout: 20_000 });
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? -1, out: x.stdout ?? '', err: x.stderr ?? '' };
  }
}

/** Rows of a -B (tab-separated) output as objects keyed by the header line. */
function table(out: string): Record<string, string>[] {
  const [head, ...lines] = out.trim().split('\n');
  const cols = (head ?? '').split('\t');
  return lines.filter((l) => l !== '').map((l) => Object.fromEntries(l.split('\t').map((v, i) => [cols[i] ?? `c${i}`, v])));
}

function seedParameterNames(): string[] {
  const lines = readFileSync(referenceFile('seed', 'odp-v4.3.1-docs-handle-response.txt'), 'utf8').split('\n');
  const names: string[] = [];
  for (const heading of ['Global parameters', 'Multi-level parameters']) {
    const start = lines.findIndex((l) => l.trim() === `• ${heading}`);
    assert.ok(start >= 0, `seed has no ${heading} list`);
    const indent = lines[start]!.indexOf('•');
    for (const l of lines.slice(start + 1)) {
      if (l.indexOf('•') <= indent) break;
      names.push(l.replace('•', '').trim());
    }
  }
  return names;
}

void describe('admin commands through the proxy', { timeout: 120_000 }, () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'odp-admin-'));
  const stateArg = ['-o', `config_state_file=${join(stateDir, 'state.yaml')}`];
  let proxy: ProxyProcess;

  void test('ALTER PROXYCONFIG as root@proxysys takes effect at once, shows in DIFF with its source, and survives a restart', async () => {
    proxy = await startProxy(stateArg);
    let r = await cli(proxy.port, 'root@proxysys', "ALTER PROXYCONFIG SET slow_query_time_threshold='10ms'");
    assert.equal(r.code, 0, r.err);
    r = await cli(proxy.port, 'root@proxysys', "SHOW PROXYCONFIG LIKE 'slow_query_time_threshold'");
    assert.equal(table(r.out)[0]?.['value'], '10ms');
    r = await cli(proxy.port, 'root@proxysys', 'SHOW PROXYCONFIG DIFF');
    const diff = table(r.out).find((x) => x['name'] === 'slow_query_time_threshold');
    assert.ok(diff !== undefined, r.out);
    assert.equal(diff['value'], '10ms');
    assert.match(diff['info'] ?? '', /source: runtime/);
    await proxy.stop();
    proxy = await startProxy(stateArg);
    r = await cli(proxy.port, 'root@proxysys', "SHOW PROXYCONFIG LIKE 'slow_query%'");
    assert.equal(table(r.out).find((x) => x['name'] === 'slow_query_time_threshold')?.['value'], '10ms');
  });

  void test('SHOW PROXYCONFIG lists every parameter name of the seed', async () => {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: proxy.port, user: 'root@proxysys' });
    const [rows, fields] = await c.query('SHOW PROXYCONFIG');
    await c.end();
    assert.deepEqual(fields.map((f) => f.name), ['name', 'value', 'info', 'need_reboot', 'visible_level', 'range', 'config_level']);
    const shown = new Set((rows as { name: string }[]).map((x) => x.name));
    const missing = seedParameterNames().filter((n) => !shown.has(n));
    assert.deepEqual(missing, []);
  });

  void test('a bad value is refused with a message naming parameter and range, and the old value stays', async () => {
    const r = await cli(proxy.port, 'root@proxysys', "ALTER PROXYCONFIG SET client_max_connections='-5'");
    assert.notEqual(r.code, 0);
    assert.match(r.err, /client_max_connections/);
    const now = await cli(proxy.port, 'root@proxysys', "SHOW PROXYCONFIG LIKE 'client_max_connections'");
    assert.equal(table(now.out)[0]?.['value'], '8192');
  });

  void test('obproxy_sys_password: a wrong password is refused, the right one admitted', async () => {
    let r = await cli(proxy.port, 'root@proxysys', "ALTER PROXYCONFIG SET obproxy_sys_password='s3cret'");
    assert.equal(r.code, 0, r.err);
    r = await cli(proxy.port, 'root@proxysys', 'PING PROXY', 'wrong');
    assert.notEqual(r.code, 0);
    assert.match(r.err, /ERROR 1045 \(28000\)/);
    r = await cli(proxy.port, 'root@proxysys', 'SELECT proxy_version()', 's3cret');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /proxy_version\(\)\n\d+\.\d+\.\d+/);
    r = await cli(proxy.port, 'root@proxysys', "ALTER PROXYCONFIG SET obproxy_sys_password=''", 's3cret');
    assert.equal(r.code, 0, r.err);
  });

  void test('a normal user cannot ALTER PROXYCONFIG but may see its own session; its queries still reach MariaDB', async () => {
    const { user, password } = users.app;
    let r = await cli(proxy.port, user, "ALTER PROXYCONFIG SET slow_query_time_threshold='1s'", password);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /ERROR 1227 \(42000\)/);
    r = await cli(proxy.port, user, 'SHOW PROXYSESSION; SELECT CURRENT_USER()', password);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /odp_app@%/);
    const sessions = table(r.out.split('\n\n')[0] ?? r.out);
    assert.ok(sessions.length >= 1);
  });

  void test('a proxysys session never reaches a backend: driver statements get OK, others a clear error', async () => {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: proxy.port, user: 'root@proxysys' });
    await c.query('SET NAMES utf8mb4');
    await c.query('BEGIN');
    await c.query('COMMIT');
    await assert.rejects(c.query('SELECT * FROM mysql.user'), (e: { errno?: number }) => e.errno === 1235);
    const [rows] = await c.query('SHOW PROXYSESSION');
    assert.ok((rows as unknown[]).length >= 1);
    await c.end();
    await proxy.stop();
  });
});

void describe('every SHOW command through a real client', { timeout: 60_000 }, () => {
  void test('mysql2 reads each result set as root@proxysys, with exactly the columns of spec §8', async () => {
    const proxy = await startProxy();
    const c = await mysql.createConnection({ host: '127.0.0.1', port: proxy.port, user: 'root@proxysys' });
    try {
      for (const [sql, columns] of SPEC) {
        const [rows, fields] = await c.query(sql);
        assert.deepEqual(fields.map((f) => f.name), columns, sql);
        assert.ok(Array.isArray(rows), sql);
      }
      // Live values: this very session is listed, with its real client address.
      const [sessions] = await c.query('SHOW PROXYSESSION');
      const local = (c as unknown as { connection: { stream: { localPort: number } } }).connection.stream.localPort;
      assert.ok((sessions as { Host: string }[]).some((r) => r.Host === `127.0.0.1:${local}`), JSON.stringify(sessions));
      const [stats] = await c.query("SHOW PROXYSTAT LIKE 'current_client_connections'");
      assert.equal((stats as { value: string }[])[0]?.value, '1');
    } finally {
      await c.end();
      await proxy.stop();
    }
  });
});
