// INSERT / REPLACE INTO proxy_config and DELETE FROM proxy_config (spec §11.3) against a real ProxyConfig with a
// temp state file. Oracles: the rows written by hand here, ProxyConfig.resolve, and a fresh load of the state file.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ProxyConfig } from '../../../src/config/config.js';
import type { ScopeKey } from '../../../src/config/config.js';
import { adminCommandOf, mayBeAdminCommand } from '../../../src/admin/index.js';
import { USERS, errorOf, fakeContext, rowsOf, run } from './helpers.js';

const SLOW = 'slow_query_time_threshold';
const T1: ScopeKey = { cluster: 'c1', tenant: 't1', vip: '', vport: 0, vid: -1 };
const C1: ScopeKey = { cluster: 'c1', tenant: '', vip: '', vport: 0, vid: -1 };
const ELSEWHERE: ScopeKey = { cluster: 'c1', tenant: 't2', vip: '', vport: 0, vid: -1 };

function all(ctx: ReturnType<typeof fakeContext>): readonly (readonly (string | null)[])[] {
  return rowsOf(ctx, 'SHOW PROXYCONFIG ALL').rows;
}

function okRows(ctx: ReturnType<typeof fakeContext>, sql: string): number | undefined {
  const r = run(ctx, sql);
  assert.equal(r.kind, 'ok', `${sql} -> ${JSON.stringify(r)}`);
  return r.kind === 'ok' ? r.affectedRows : undefined;
}

void describe('INSERT / REPLACE INTO proxy_config', () => {
  void test('an inserted tenant row is listed by SHOW PROXYCONFIG ALL and wins over the global value there only', () => {
    const ctx = fakeContext();
    const n = okRows(ctx, "INSERT INTO proxy_config (vip, vport, vid, tenant_name, cluster_name, name, value, config_level) " +
      `VALUES ('', 0, -1, 't1', 'c1', '${SLOW}', '2s', 'LEVEL_TENANT')`);
    assert.equal(n, 1);
    assert.deepEqual(all(ctx), [['-1', '', '0', 't1', 'c1', SLOW, '2s', 'LEVEL_TENANT']]);
    assert.deepEqual(ctx.config.resolve(SLOW, T1), { value: '2s', parsed: 2_000_000, level: 'LEVEL_TENANT' });
    assert.equal(ctx.config.resolve(SLOW, ELSEWHERE).value, '500ms');
    assert.equal(ctx.config.resolve(SLOW, ELSEWHERE).level, 'LEVEL_GLOBAL');
  });

  void test('columns in any order, omitted ones default, several rows at once; tenant beats cluster', () => {
    const ctx = fakeContext();
    const n = okRows(ctx, `insert into PROXY_CONFIG (value, name, cluster_name, tenant_name) values ('3s', '${SLOW}', 'c1', ''), ` +
      `('4s', '${SLOW}', 'c1', 't1');`);
    assert.equal(n, 2);
    assert.deepEqual([...all(ctx)].sort(), [
      ['-1', '', '0', '', 'c1', SLOW, '3s', 'LEVEL_CLUSTER'],
      ['-1', '', '0', 't1', 'c1', SLOW, '4s', 'LEVEL_TENANT'],
    ]);
    assert.equal(ctx.config.resolve(SLOW, T1).value, '4s');
    assert.equal(ctx.config.resolve(SLOW, ELSEWHERE).value, '3s');
    assert.equal(ctx.config.resolve(SLOW, ELSEWHERE).level, 'LEVEL_CLUSTER');
  });

  void test('a VIP row: vip, vport and vid given', () => {
    const ctx = fakeContext();
    okRows(ctx, `REPLACE INTO proxy_config (vip, vport, vid, name, value) VALUES ('10.0.0.1', 2883, 7, '${SLOW}', '1s')`);
    assert.deepEqual(all(ctx), [['7', '10.0.0.1', '2883', '', '', SLOW, '1s', 'LEVEL_VIP']]);
    assert.equal(ctx.config.resolve(SLOW, { ...T1, vip: '10.0.0.1', vport: 2883, vid: 7 }).value, '1s');
  });

  void test('REPLACE (and INSERT) of an existing key updates the row instead of adding one', () => {
    const ctx = fakeContext();
    okRows(ctx, `INSERT INTO proxy_config (cluster_name, tenant_name, name, value) VALUES ('c1', 't1', '${SLOW}', '2s')`);
    okRows(ctx, `REPLACE INTO proxy_config (cluster_name, tenant_name, name, value) VALUES ('c1', 't1', '${SLOW}', '9s')`);
    assert.deepEqual(all(ctx), [['-1', '', '0', 't1', 'c1', SLOW, '9s', 'LEVEL_TENANT']]);
    assert.equal(ctx.config.resolve(SLOW, T1).value, '9s');
  });

  void test('rows survive a restart: a fresh load of the state file has them', () => {
    const ctx = fakeContext();
    okRows(ctx, `INSERT INTO proxy_config (cluster_name, tenant_name, name, value) VALUES ('c1', 't1', '${SLOW}', '2s')`);
    const reloaded = ProxyConfig.load({ options: { rootservice_cluster_name: 'obcluster' }, stateFile: ctx.statePath });
    assert.equal(reloaded.resolve(SLOW, T1).value, '2s');
    assert.equal(reloaded.resolve(SLOW, T1).level, 'LEVEL_TENANT');
  });

  void test('a bad value is refused naming parameter, value and range; no row of the statement is written', () => {
    const ctx = fakeContext();
    const e = errorOf(ctx, `INSERT INTO proxy_config (cluster_name, name, value) VALUES ('c1', '${SLOW}', '1s'), ('c2', '${SLOW}', '31d')`);
    assert.deepEqual([e.errno, e.sqlState], [1231, '42000']);
    assert.match(e.message, new RegExp(`'31d'.*${SLOW}`));
    assert.match(e.message, /row 2/);
    assert.deepEqual(all(ctx), []);
    assert.equal(ctx.config.resolve(SLOW, C1).value, '500ms');
  });

  void test('a global-only parameter, a key naming no scope, a wrong config_level are refused', () => {
    const ctx = fakeContext();
    let e = errorOf(ctx, "INSERT INTO proxy_config (cluster_name, name, value) VALUES ('c1', 'listen_port', '3000')");
    assert.equal(e.errno, 1231);
    assert.match(e.message, /listen_port can only be set globally/);
    e = errorOf(ctx, `INSERT INTO proxy_config (name, value) VALUES ('${SLOW}', '1s')`);
    assert.match(e.message, /needs cluster_name/);
    e = errorOf(ctx, `INSERT INTO proxy_config (tenant_name, name, value) VALUES ('t1', '${SLOW}', '1s')`);
    assert.match(e.message, /needs cluster_name/);
    e = errorOf(ctx, `INSERT INTO proxy_config (cluster_name, name, value, config_level) VALUES ('c1', '${SLOW}', '1s', 'LEVEL_VIP')`);
    assert.match(e.message, /config_level 'LEVEL_VIP' does not match the row's key \(LEVEL_CLUSTER\)/);
    assert.deepEqual(all(ctx), []);
  });

  void test('unknown parameter, unknown or repeated column, count mismatch, non-integer vport', () => {
    const ctx = fakeContext();
    let e = errorOf(ctx, "INSERT INTO proxy_config (cluster_name, name, value) VALUES ('c1', 'slow_query_time_treshold', '1s')");
    assert.deepEqual([e.errno, e.sqlState], [1193, 'HY000']);
    assert.match(e.message, /did you mean 'slow_query_time_threshold'/);
    e = errorOf(ctx, "INSERT INTO proxy_config (cluster, name, value) VALUES ('c1', 'x', '1')");
    assert.deepEqual([e.errno, e.sqlState, e.message], [1054, '42S22', "Unknown column 'cluster' in 'field list'"]);
    e = errorOf(ctx, "INSERT INTO proxy_config (name, name) VALUES ('a', 'b')");
    assert.deepEqual([e.errno, e.message], [1110, "Column 'name' specified twice"]);
    e = errorOf(ctx, "INSERT INTO proxy_config (cluster_name, name, value) VALUES ('c1', 'x')");
    assert.deepEqual([e.errno, e.sqlState, e.message], [1136, '21S01', "Column count doesn't match value count at row 1"]);
    e = errorOf(ctx, `INSERT INTO proxy_config (vip, vport, name, value) VALUES ('1.1.1.1', 'abc', '${SLOW}', '1s')`);
    assert.match(e.message, /Incorrect integer value: 'abc' for column 'vport'/);
    assert.equal(errorOf(ctx, 'INSERT INTO proxy_config VALUES (1)').errno, 1064);
    assert.deepEqual(all(ctx), []);
  });

  void test('a state file that cannot be written: ER_ERROR_ON_WRITE and no row', () => {
    const ctx = fakeContext();
    const file = join(dirname(ctx.statePath), 'a-file');
    writeFileSync(file, '');
    ctx.config.statePath = join(file, 'state.yaml');
    const e = errorOf(ctx, `INSERT INTO proxy_config (cluster_name, name, value) VALUES ('c1', '${SLOW}', '1s')`);
    assert.equal(e.errno, 1026);
    assert.deepEqual(all(ctx), []);
  });
});

void describe('DELETE FROM proxy_config', () => {
  void test('removes exactly the rows the WHERE names; the global value applies again; persisted', () => {
    const ctx = fakeContext();
    okRows(ctx, `INSERT INTO proxy_config (cluster_name, tenant_name, name, value) VALUES ('c1', 't1', '${SLOW}', '2s'), ` +
      `('c1', '', '${SLOW}', '3s'), ('c1', 't1', 'proxy_idc_name', 'hz')`);
    const n = okRows(ctx, `DELETE FROM proxy_config WHERE name = '${SLOW}' AND tenant_name = 't1' AND cluster_name = 'c1'`);
    assert.equal(n, 1);
    assert.deepEqual([...all(ctx)].sort(), [
      ['-1', '', '0', '', 'c1', SLOW, '3s', 'LEVEL_CLUSTER'],
      ['-1', '', '0', 't1', 'c1', 'proxy_idc_name', 'hz', 'LEVEL_TENANT'],
    ]);
    assert.equal(ctx.config.resolve(SLOW, T1).value, '3s');
    assert.equal(okRows(ctx, `delete from proxy_config where name = '${SLOW}' and cluster_name = 'c1' and tenant_name = ''`), 1);
    assert.equal(ctx.config.resolve(SLOW, T1).level, 'LEVEL_GLOBAL');
    const reloaded = ProxyConfig.load({ options: { rootservice_cluster_name: 'obcluster' }, stateFile: ctx.statePath });
    assert.equal(reloaded.resolve(SLOW, T1).value, '500ms');
    assert.equal(reloaded.resolve('proxy_idc_name', T1).value, 'hz');
  });

  void test('a VIP row is deleted by vip and vport; no match is 0 rows; unknown column in WHERE', () => {
    const ctx = fakeContext();
    okRows(ctx, `INSERT INTO proxy_config (vip, vport, vid, name, value) VALUES ('10.0.0.1', 2883, 7, '${SLOW}', '1s')`);
    assert.equal(okRows(ctx, `DELETE FROM proxy_config WHERE name = '${SLOW}' AND vip = '10.0.0.2'`), 0);
    assert.equal(all(ctx).length, 1);
    const e = errorOf(ctx, "DELETE FROM proxy_config WHERE port = 1");
    assert.deepEqual([e.errno, e.message], [1054, "Unknown column 'port' in 'where clause'"]);
    assert.equal(okRows(ctx, `DELETE FROM proxy_config WHERE name = '${SLOW}' AND vip = '10.0.0.1' AND vport = 2883`), 1);
    assert.deepEqual(all(ctx), []);
  });
});

void describe('proxy_config statements: privilege and recognition', () => {
  void test('only root@proxysys and root@sys may write; others are denied and nothing changes', () => {
    for (const user of [USERS.app, USERS.inspector]) {
      const ctx = fakeContext({ user });
      for (const sql of [`INSERT INTO proxy_config (cluster_name, name, value) VALUES ('c1', '${SLOW}', '1s')`,
        `REPLACE INTO proxy_config (cluster_name, name, value) VALUES ('c1', '${SLOW}', '1s')`,
        `DELETE FROM proxy_config WHERE name = '${SLOW}'`]) {
        const e = errorOf(ctx, sql);
        assert.deepEqual([e.errno, e.sqlState], [1227, '42000']);
      }
      assert.deepEqual([...ctx.config.scopedEntries()], []);
    }
    const root = fakeContext({ user: USERS.rootSys });
    assert.equal(okRows(root, `INSERT INTO proxy_config (cluster_name, name, value) VALUES ('c1', '${SLOW}', '1s')`), 1);
  });

  void test('only the proxy_config table is taken; other INSERT/REPLACE/DELETE statements are not admin commands', () => {
    assert.ok(mayBeAdminCommand('/* c */ insert  into\n proxy_config (name) values (1)'));
    assert.equal(adminCommandOf('replace INTO Proxy_Config (a) VALUES (1)'), 'REPLACE INTO PROXY_CONFIG');
    for (const sql of ['INSERT INTO t VALUES (1)', 'INSERT INTO proxy_configs VALUES (1)', 'DELETE FROM t WHERE a = 1',
      'REPLACE INTO white_list VALUES (1)', 'DELETE proxy_config', 'INSERT proxy_config VALUES (1)']) {
      assert.equal(mayBeAdminCommand(sql), false, sql);
      assert.equal(adminCommandOf(sql), null, sql);
    }
  });
});
