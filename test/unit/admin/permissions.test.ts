// Who may run what (spec §8): root@proxysys and root@sys everything; any user SHOW PROXYSESSION (own sessions),
// SHOW PROCESSLIST, KILL of own sessions, SELECT proxy_version(), PING PROXY; inspector@proxysys only PING PROXY.
// Denied: ER_SPECIFIC_ACCESS_DENIED_ERROR 1227 / 42000, and nothing changes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminCommands } from '../../../src/admin/index.js';
import type { AdminUser } from '../../../src/admin/context.js';
import { USERS, fakeContext, run } from './helpers.js';

type Who = 'ping' | 'user' | 'admin';

/** One statement per command, and who may run it, from spec §8. */
const MATRIX: readonly (readonly [sql: string, who: Who])[] = [
  ['PING PROXY', 'ping'],
  ['SELECT proxy_version()', 'user'],
  ['SHOW PROXYSESSION', 'user'],
  ['SHOW PROXYSESSION ATTRIBUTE', 'user'],
  ['SHOW PROXYSESSION VARIABLES', 'user'],
  ['SHOW PROXYSESSION STAT', 'user'],
  ['SHOW PROCESSLIST', 'user'],
  ['KILL 99', 'user'],
  ['SHOW PROXYCONFIG', 'admin'],
  ['ALTER PROXYCONFIG SET client_max_connections = 7', 'admin'],
  ["INSERT INTO proxy_config (cluster_name, name, value) VALUES ('c1', 'slow_query_time_threshold', '1s')", 'admin'],
  ["REPLACE INTO proxy_config (cluster_name, name, value) VALUES ('c1', 'slow_query_time_threshold', '1s')", 'admin'],
  ["DELETE FROM proxy_config WHERE name = 'slow_query_time_threshold'", 'admin'],
  ['SHOW PROXYSM', 'admin'],
  ['SHOW PROXYNET THREAD', 'admin'],
  ['SHOW PROXYNET CONNECTION', 'admin'],
  ['SHOW PROXYSTAT', 'admin'],
  ['SHOW PROXYCONGESTION', 'admin'],
  ['SHOW PROXYROUTE', 'admin'],
  ['SHOW PROXYINFO BINARY', 'admin'],
  ['SHOW PROXYINFO IDC', 'admin'],
  ['SHOW PROXYCLUSTER', 'admin'],
  ['SHOW PROXYCLUSTER IDC', 'admin'],
  ['SHOW PROXYRESOURCE', 'admin'],
  ["ALTER PROXYRESOURCE DELETE 'obcluster'", 'admin'],
  ['SHOW PROXYMEMORY', 'admin'],
  ['KILL PROXYSESSION 99', 'admin'],
  ['SHOW PROXYSESSION READ_STALE', 'admin'],
  ['SHOW PROXYINFO UPGRADE', 'admin'],
  ['SHOW PROXYMEMORY OBJPOOL', 'admin'],
  ['SHOW PROXYVIP', 'admin'],
  ['SHOW SQLAUDIT', 'admin'],
  ['SHOW WARNLOG', 'admin'],
  ['SHOW PROXYTRACE', 'admin'],
  ['SHOW GLOBALSESSION', 'admin'],
  ['KILL GLOBALSESSION x', 'admin'],
];

function mayRun(who: Who, u: AdminUser): boolean {
  const root = u.isProxysysRoot || u.isRootSys;
  return who === 'ping' || root || (who === 'user' && !u.isInspector);
}

void describe('permission matrix', () => {
  void test('the matrix covers every registered command', () => {
    const covered = new Set(MATRIX.map(([sql]) => sql));
    for (const c of adminCommands()) {
      const kw = c.keywords.join(' ');
      assert.ok([...covered].some((sql) => sql.toUpperCase().startsWith(kw)), `${kw} is not in the matrix`);
    }
  });

  for (const [name, user] of Object.entries(USERS)) {
    void test(name, () => {
      for (const [sql, who] of MATRIX) {
        const ctx = fakeContext({ user, current: 2 });
        const r = run(ctx, sql);
        const denied = r.kind === 'error' && r.errno === 1227;
        assert.equal(!denied, mayRun(who, user), `${name}: ${sql} -> ${JSON.stringify(r)}`);
        if (denied) {
          assert.equal(r.sqlState, '42000');
          assert.equal(r.message, 'Access denied; you need (at least one of) the SUPER privilege(s) for this operation');
          assert.equal(ctx.config.getInt('client_max_connections'), 8192);
          assert.deepEqual(ctx.killed, []);
        }
      }
    });
  }

  void test('a normal user cannot ALTER PROXYCONFIG, even with a bad name or value', () => {
    const ctx = fakeContext({ user: USERS.app, current: 2 });
    for (const sql of ['ALTER PROXYCONFIG SET nope = 1', "ALTER PROXYCONFIG SET client_max_connections = 'x'"]) {
      const r = run(ctx, sql);
      assert.equal(r.kind === 'error' ? r.errno : 0, 1227, sql);
    }
  });
});
