// Connection limits and timeouts (issue 3 scope 5): LRU eviction at client_max_connections, the inactivity timeout, and
// a password change picked up by the auth source without a restart.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type mysql from 'mysql2/promise';
import { backendA, backendB, startProxy, users, type Endpoint, type ProxyProcess } from './harness.js';
import { connect, directSql } from './target.js';

const sha1hex = (s: string): string => createHash('sha1').update(s).digest('hex');

function closed(c: mysql.Connection): Promise<void> {
  return new Promise((resolve) => {
    const core = (c as unknown as { connection: { stream: { once(e: string, f: () => void): void; destroyed: boolean } } }).connection;
    if (core.stream.destroyed) resolve();
    else core.stream.once('close', () => resolve());
  });
}

describe('limits and timeouts', () => {
  test('enable_client_connection_lru_disconnect: at the limit the least recently active idle session makes room', async () => {
    const proxy = await startProxy(['-o', 'client_max_connections=2,enable_client_connection_lru_disconnect=true']);
    const ep = { host: '127.0.0.1', port: proxy.port };
    try {
      const oldest = await connect(ep);
      await new Promise((r) => setTimeout(r, 20));
      const newer = await connect(ep);
      await newer.query('SELECT 1');
      const gone = closed(oldest);
      const third = await connect(ep);
      await gone;
      const [r] = await third.query<mysql.RowDataPacket[]>('SELECT 7 AS v');
      assert.equal(Number(r[0]!['v']), 7);
      const [r2] = await newer.query<mysql.RowDataPacket[]>('SELECT 8 AS v');
      assert.equal(Number(r2[0]!['v']), 8, 'the more recently active session was kept');
      newer.destroy();
      third.destroy();
      oldest.destroy();
    } finally {
      await proxy.stop();
    }
  });

  test('without LRU disconnect the limit refuses with ERR 1040', async () => {
    const proxy = await startProxy(['-o', 'client_max_connections=1']);
    const ep = { host: '127.0.0.1', port: proxy.port };
    try {
      // A session that is still closing (of anything that connected just before) may hold the one place for a moment:
      // the first connection retries 1040 only, for 5 s.
      const deadline = Date.now() + 5000;
      let one: mysql.Connection | null = null;
      while (one === null) {
        try {
          one = await connect(ep);
        } catch (e) {
          if ((e as { errno?: number }).errno !== 1040 || Date.now() > deadline) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      await assert.rejects(connect(ep), (e: { errno?: number }) => e.errno === 1040);
      one.destroy();
    } finally {
      await proxy.stop();
    }
  });

  test('default_inactivity_timeout closes an idle client session; an active one stays', async () => {
    const proxy = await startProxy(['-o', 'default_inactivity_timeout=2s']);
    const ep = { host: '127.0.0.1', port: proxy.port };
    try {
      const t0 = Date.now(); // before idle's session exists, so its idle time cannot have started earlier
      const idle = await connect(ep);
      const busy = await connect(ep);
      const gone = closed(idle);
      for (let i = 0; i < 8; i++) {
        await busy.query('SELECT 1');
        await new Promise((r) => setTimeout(r, 500));
      }
      await gone;
      assert.ok(Date.now() - t0 >= 1900, 'not closed before the timeout');
      const [r] = await busy.query<mysql.RowDataPacket[]>('SELECT 9 AS v');
      assert.equal(Number(r[0]!['v']), 9);
      busy.destroy();
      idle.destroy();
    } finally {
      await proxy.stop();
    }
  });
});

describe('auth source freshness', () => {
  let proxy: ProxyProcess;
  let ep: Endpoint;
  const user = 'odp_rotating';
  const create = (pw: string): string => `CREATE OR REPLACE USER '${user}'@'%' IDENTIFIED BY '${pw}'; GRANT USAGE ON *.* TO '${user}'@'%'`;
  before(async () => {
    await directSql(create('first_pw'), backendA());
    await directSql(create('first_pw'), backendB());
    proxy = await startProxy(['-o', `enable_proxy_scramble=true,observer_sys_password=${sha1hex(users.proxyro.password)}`], { backends: [backendA(), backendB()] });
    ep = { host: '127.0.0.1', port: proxy.port };
  });
  after(async () => {
    await proxy.stop();
    await directSql(`DROP USER IF EXISTS '${user}'@'%'`, backendA());
    await directSql(`DROP USER IF EXISTS '${user}'@'%'`, backendB());
  });

  test('a password changed on the servers works at once; the old one is refused', async () => {
    const c1 = await connect(ep, { user, password: 'first_pw' });
    c1.destroy();
    await directSql(`ALTER USER '${user}'@'%' IDENTIFIED BY 'second_pw'`, backendA());
    await directSql(`ALTER USER '${user}'@'%' IDENTIFIED BY 'second_pw'`, backendB());
    await new Promise((r) => setTimeout(r, 1100)); // the reload is rate-limited to once a second
    const c2 = await connect(ep, { user, password: 'second_pw' });
    const [r] = await c2.query<mysql.RowDataPacket[]>('SELECT CURRENT_USER() AS u');
    assert.match(String(r[0]!['u']), new RegExp(`^${user}@`));
    c2.destroy();
    await assert.rejects(connect(ep, { user, password: 'first_pw' }), (e: { errno?: number }) => e.errno === 1045);
  });
});
