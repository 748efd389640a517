// The proxy in `oceanbase` mode in front of the lab's observer emulators (issue 5): bootstrap from the rs list, login
// as user@tenant with the proxy-scramble scheme, statements routed to partition leaders (asserted from the emulators'
// executed log), data correct through the shared MariaDB.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type mysql from 'mysql2/promise';
import { startLabCluster, type LabCluster } from '../../lab/observer/cluster.js';
import { backendA, startProxy, type Endpoint, type ProxyProcess } from './harness.js';
import { connect } from './target.js';

const sha1hex = (s: string): string => createHash('sha1').update(s).digest('hex');

describe('oceanbase mode against the lab emulators', () => {
  let lab: LabCluster;
  let proxy: ProxyProcess;
  let ep: Endpoint;

  before(async () => {
    lab = await startLabCluster({ mysql: backendA(), sqlPort: 0, controlPort: null });
    proxy = await startProxy(['-c', 'lab_cluster', '-o', `server_routing_mode=oceanbase,observer_sys_password=${sha1hex('proxyro_pw')}`], {
      backends: lab.rsList.split(';').map((x) => ({ host: x.slice(0, x.lastIndexOf(':')), port: Number(x.slice(x.lastIndexOf(':') + 1)) })),
    });
    ep = { host: '127.0.0.1', port: proxy.port };
  });
  after(async () => {
    await proxy.stop();
    await lab.stop();
  });

  test('root@test logs in through the proxy and runs SQL on the shared database', async () => {
    const c = await connect(ep, { user: 'root@test', password: 'root_pw', database: 'lab_db' });
    try {
      const [r] = await c.query<mysql.RowDataPacket[]>('SELECT 1 + 1 AS two, DATABASE() AS db');
      assert.equal(Number(r[0]!['two']), 2);
      assert.equal(r[0]!['db'], 'lab_db');
    } finally {
      c.destroy();
    }
  });

  test('a wrong password and an unknown tenant get the observer\'s errors', async () => {
    await assert.rejects(connect(ep, { user: 'root@test', password: 'nope' }), (e: { errno?: number }) => e.errno === 1045);
    await assert.rejects(connect(ep, { user: 'root@no_such_tenant', password: 'x' }), (e: { errno?: number }) => typeof e.errno === 'number' && e.errno !== 0);
  });

  test('the session uses several observers of its tenant without a password (proxy scramble saved login)', async () => {
    const c = await connect(ep, { user: 'odp_app@test', password: 'odp_app_pw', database: 'lab_db' });
    try {
      lab.clearLog();
      await c.query("SET @who = 'me'");
      for (let i = 0; i < 30; i++) {
        const [r] = await c.query<mysql.RowDataPacket[]>('SELECT @who AS w');
        assert.equal(r[0]!['w'], 'me');
      }
      const servers = new Set(lab.executedLog().filter((e) => e.user.startsWith('odp_app')).map((e) => e.server));
      assert.ok(servers.size >= 2, `statements ran on ${[...servers].join(', ')}`);
    } finally {
      c.destroy();
    }
  });
});
