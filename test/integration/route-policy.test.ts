// Route policy against the lab emulators (spec §5.2–§5.4): weak reads on a follower of their partition, strong reads
// and writes on the leader, reads of a replicated table on the session's current server (no switch), writes to it on
// its leader, and EXPLAIN ROUTE's ROUTE_POLICY point naming the replica. Oracle: the lab topology's leaders and the
// emulators' executed log (which server ran each statement).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type mysql from 'mysql2/promise';
import { startLabCluster, type LabCluster } from '../../lab/observer/cluster.js';
import { LAB_DB } from '../../lab/observer/default-topology.js';
import { findTable, tabletsOf } from '../../lab/observer/topology.js';
import { backendA, startProxy, type Endpoint, type ProxyProcess } from './harness.js';
import { connect } from './target.js';

const sha1hex = (s: string): string => createHash('sha1').update(s).digest('hex');
/** Row ids of this file (other files use small ids on the shared database). */
const ONE = 930001;
const FOUR = 930004;

describe('route policy in the lab', () => {
  let lab: LabCluster;
  let proxy: ProxyProcess;
  let ep: Endpoint;
  /** Lab server name leading partition `part` of `table`. */
  const leaderOf = (table: string, part: string): string => {
    const def = findTable(lab.topology, 'test', LAB_DB, table)!;
    return tabletsOf(def).find((p) => def.level1 === null || p.name === part)!.leader;
  };
  const addrOf = (name: string): string => {
    const s = lab.topology.servers.find((x) => x.name === name)!;
    return `${s.ip}:${s.sqlPort}`;
  };
  /** Servers that ran statements containing `probe` since the last clearLog, in order. */
  const ranOn = (probe: string): string[] => lab.executedLog().filter((e) => e.user.startsWith('root') && e.sql.includes(probe)).map((e) => e.server);

  before(async () => {
    lab = await startLabCluster({ mysql: backendA(), sqlPort: 0, controlPort: null });
    proxy = await startProxy(['-c', 'lab_cluster', '-o', `server_routing_mode=oceanbase,proxy_route_policy=follower_first,delay_update_entry_interval=100ms,observer_query_timeout_delta=1s,min_keep_congestion_interval=60s,short_async_task_timeout=1s,observer_sys_password=${sha1hex('proxyro_pw')}`], {
      backends: lab.rsList.split(';').map((x) => ({ host: x.slice(0, x.lastIndexOf(':')), port: Number(x.slice(x.lastIndexOf(':') + 1)) })),
    });
    ep = { host: '127.0.0.1', port: proxy.port };
    const c = await connect(ep, { user: 'root@test', password: 'root_pw', database: LAB_DB });
    try {
      // t_hash is HASH(id) over 4 partitions: id mod 4 -> p0..p3 (ONE -> p1, FOUR -> p0)
      await c.query(`REPLACE INTO t_hash (id, v) VALUES (${ONE}, 'one'), (${FOUR}, 'four')`);
      await c.query(`REPLACE INTO t_dup (id, v) VALUES (${ONE}, 'dup')`);
    } finally {
      c.destroy();
    }
  });
  after(async () => {
    const c = await connect(ep, { user: 'root@test', password: 'root_pw', database: LAB_DB });
    try {
      await c.query(`DELETE FROM t_hash WHERE id IN (${ONE}, ${FOUR})`);
      await c.query(`DELETE FROM t_dup WHERE id = ${ONE}`);
    } finally {
      c.destroy();
    }
    await proxy.stop();
    await lab.stop();
  });

  test('a weak read runs on a follower of its partition; a strong read and a write on the same key on the leader', async () => {
    const leader = leaderOf('t_hash', 'p1');
    const c = await connect(ep, { user: 'root@test', password: 'root_pw', database: LAB_DB });
    try {
      lab.clearLog();
      for (let i = 0; i < 3; i++) {
        const [rows] = await c.query<mysql.RowDataPacket[]>(`SELECT /*+ READ_CONSISTENCY(WEAK) */ v, ${i} AS weak_probe FROM t_hash WHERE id = ${ONE}`);
        assert.equal(rows[0]!['v'], 'one', 'the data is right wherever it ran');
        await c.query(`SELECT v, ${i} AS strong_probe FROM t_hash WHERE id = ${ONE}`);
        await c.query(`UPDATE t_hash SET v = 'one' WHERE id = ${ONE} AND ${i} = ${i}`);
      }
      const weak = ranOn('weak_probe');
      assert.equal(weak.length, 3);
      for (const s of weak) assert.notEqual(s, leader, `weak read ran on ${s}, the leader of p1`);
      assert.ok(weak.every((s) => lab.topology.servers.some((x) => x.name === s)));
      assert.deepEqual(ranOn('strong_probe'), [leader, leader, leader]);
      assert.deepEqual(ranOn("UPDATE t_hash SET v = 'one'"), [leader, leader, leader]);
      const hits = lab.executedLog().filter((e) => e.sql.includes('t_hash')).map((e) => e.partitionHit);
      assert.ok(hits.every((h) => h === 1), `partition hits: ${hits.join(',')}`);
    } finally {
      c.destroy();
    }
  });

  test('session ob_read_consistency = WEAK: follower reads, and their partition misses do not unseat the leader', async () => {
    const leader = leaderOf('t_hash', 'p1');
    const c = await connect(ep, { user: 'root@test', password: 'root_pw', database: LAB_DB });
    try {
      await c.query("SET ob_read_consistency = 'WEAK'");
      lab.clearLog();
      await c.query(`SELECT v, 1 AS session_weak FROM t_hash WHERE id = ${ONE}`);
      await c.query(`UPDATE t_hash SET v = 'one' WHERE id = ${ONE} AND 7 = 7`);
      await c.query(`SELECT v, 2 AS session_weak FROM t_hash WHERE id = ${ONE}`);
      await c.query(`UPDATE t_hash SET v = 'one' WHERE id = ${ONE} AND 8 = 8`);
      assert.ok(ranOn('session_weak').every((s) => s !== leader), ranOn('session_weak').join(','));
      assert.deepEqual(ranOn("UPDATE t_hash SET v = 'one'"), [leader, leader]);
    } finally {
      c.destroy();
    }
  });

  test('reads of the replicated table stay on the current server; writes to it go to its leader', async () => {
    const dupLeader = leaderOf('t_dup', 'p0');
    const other = leaderOf('t_hash', 'p0') !== dupLeader ? leaderOf('t_hash', 'p0') : leaderOf('t_hash', 'p1');
    assert.notEqual(other, dupLeader);
    const c = await connect(ep, { user: 'root@test', password: 'root_pw', database: LAB_DB });
    try {
      lab.clearLog();
      // a write led by `other` makes it the session's current server
      const key = other === leaderOf('t_hash', 'p0') ? FOUR : ONE;
      await c.query(`UPDATE t_hash SET v = v WHERE id = ${key}`);
      for (let i = 0; i < 3; i++) {
        const [rows] = await c.query<mysql.RowDataPacket[]>(`SELECT v, ${i} AS dup_read FROM t_dup WHERE id = ${ONE}`);
        assert.equal(rows[0]!['v'], 'dup');
      }
      assert.deepEqual(ranOn('dup_read'), [other, other, other], 'no server switch for dup reads');
      await c.query(`UPDATE t_dup SET v = 'dup' WHERE id = ${ONE}`);
      assert.deepEqual(ranOn('UPDATE t_dup'), [dupLeader]);
      await c.query(`SELECT v, 9 AS dup_after FROM t_dup WHERE id = ${ONE}`);
      assert.deepEqual(ranOn('dup_after'), [dupLeader], 'the leader now is the current server and holds a dup replica');
      await c.query(`SELECT v, 10 AS dup_locked FROM t_dup WHERE id = ${ONE} FOR UPDATE`);
      assert.deepEqual(ranOn('dup_locked'), [dupLeader]);
      const hits = lab.executedLog().filter((e) => e.sql.includes('t_dup')).map((e) => e.partitionHit);
      assert.ok(hits.every((h) => h === 1), `partition hits: ${hits.join(',')}`);
    } finally {
      c.destroy();
    }
  });

  test('EXPLAIN ROUTE of a weak read shows ROUTE_POLICY with the chosen follower', async () => {
    const leader = addrOf(leaderOf('t_hash', 'p1'));
    const c = await connect(ep, { user: 'root@test', password: 'root_pw', database: LAB_DB });
    try {
      const [rows] = await c.query<mysql.RowDataPacket[]>(`EXPLAIN ROUTE SELECT /*+ READ_CONSISTENCY(WEAK) */ v FROM t_hash WHERE id = ${ONE}`);
      const plan = String(rows[0]!['Route Plan']);
      const line = plan.split('\n').find((l) => l.startsWith('> ROUTE_POLICY:'));
      assert.ok(line !== undefined, plan);
      assert.match(line, /route_policy:"FOLLOWER_FIRST"/);
      assert.match(line, /role:"FOLLOWER"/);
      assert.match(line, /chosen_route_type:"ROUTE_TYPE_FOLLOWER_PARTITION_UNMERGE_LOCAL"/);
      assert.match(line, /trans_consistency:"WEAK"/);
      const replica = /replica:"([^"]+)"/.exec(line)?.[1];
      assert.ok(replica !== undefined && replica !== leader, `replica ${replica ?? '?'} vs leader ${leader}`);
      assert.ok(lab.topology.servers.some((s) => `${s.ip}:${s.sqlPort}` === replica));
      assert.match(plan, new RegExp(`> CONGESTION_CONTROL:\\{svr_addr:"${replica.replace(/\./g, '\\.')}"`));

      const [strong] = await c.query<mysql.RowDataPacket[]>(`EXPLAIN ROUTE SELECT v FROM t_hash WHERE id = ${ONE}`);
      assert.match(String(strong[0]!['Route Plan']), /> ROUTE_POLICY:\{route_policy:"MERGE_IDC_ORDER", chosen_route_type:"ROUTE_TYPE_LEADER"\}/);
      const [dup] = await c.query<mysql.RowDataPacket[]>(`EXPLAIN ROUTE SELECT v FROM t_dup WHERE id = ${ONE}`);
      assert.match(String(dup[0]!['Route Plan']), /> ROUTE_POLICY:\{route_policy:"DUP_REPLICA_FIRST", replica:"[^"]+", idc_type:"SAME_IDC", role:"(LEADER|FOLLOWER)", type:"FULL", is_dup_replica:true, chosen_route_type:"ROUTE_TYPE_PARTITION_UNMERGE_LOCAL", trans_consistency:"STRONG"\}/);
    } finally {
      c.destroy();
    }
  });
});
