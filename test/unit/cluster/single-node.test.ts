// The single-node bootstrap fallback (src/cluster/single-node.ts, ClusterResource): a kernel that answers the
// server list query with ER_NO_SUCH_TABLE is its own whole cluster. The fake metadata source answers the way seekdb
// does: every result and error is taken from the recordings in test/fixtures/seekdb/metadata-*.json (pylibseekdb
// 1.4.0.post1), matched by the exact SQL the recording sent; the recorded "ERROR n (state): message" text is parsed
// into an ERR here, independently of the code under test. No sockets.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { QueryResult } from '../../../src/backend/internal-query.js';
import type { ServerAddress } from '../../../src/backend/server-connection.js';
import { CLUSTER_ID_SQL, SERVER_ZONE_INIT_SQL, TENANTS_SQL, VERSION_SQL } from '../../../src/cluster/metadata-sql.js';
import { ClusterResource } from '../../../src/cluster/resource.js';
import { decideSingleNode, ER_NO_SUCH_TABLE } from '../../../src/cluster/single-node.js';
import { Logger } from '../../../src/observe/log.js';

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/seekdb/', import.meta.url));
const SEEKDB: ServerAddress = { host: '127.0.0.1', port: 12882 };

interface Recording { sql: string; rows: Record<string, string | null>[] | null; error: string | null }
const recording = (name: string): Recording => JSON.parse(readFileSync(`${FIXTURES}metadata-${name}.json`, 'utf8')) as Recording;

/** "ERROR 1146 (42S02): Table '...' doesn't exist" as the ERR packet it was. */
function errOf(text: string): QueryResult {
  const m = /^ERROR (\d+) \(([0-9A-Z]{5})\): (.*)$/s.exec(text);
  if (m === null) throw new Error(`not an error line: ${text}`);
  return { kind: 'err', errno: Number(m[1]), sqlState: m[2]!, message: m[3]! };
}

function rowsOf(rows: readonly Record<string, string | null>[], columns = Object.keys(rows[0] ?? {})): QueryResult {
  return {
    kind: 'rows',
    columns: columns.map((name) => ({ name, type: 253, charset: 45, flags: 0 })),
    rows: rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? null : Buffer.from(r[c]!, 'utf8')))),
    status: 2,
  };
}

function replay(r: Recording): QueryResult {
  return r.error !== null ? errOf(r.error) : rowsOf(r.rows ?? []);
}

const VERSION_COMMENT = recording('seekdb-versionComment').rows![0]!['version_comment']!;

/** Answers like seekdb: recorded statements from the fixtures, everything else per the notes below. */
class FakeSeekdb {
  readonly asked: string[] = [];
  probes = 0;
  down = false;
  proxyLogin: boolean | Error = false;
  readonly answers = new Map<string, QueryResult>();

  constructor() {
    for (const name of ['version', 'serverZoneInit', 'servers', 'zones', 'tenants', 'dummyEntry', 'clusterRole', 'sysVariables']) {
      const r = recording(name);
      this.answers.set(r.sql, replay(r));
    }
    // Not in the recordings, answered as seekdb does (checked by hand with the mariadb CLI against pylibseekdb
    // 1.4.0.post1): V$OB_PARAMETERS exists but has no cluster_id row; @@version_comment is the recorded one.
    this.answers.set(CLUSTER_ID_SQL, rowsOf([], ['cluster_id']));
    this.answers.set('SELECT @@version_comment', rowsOf([{ '@@version_comment': VERSION_COMMENT }]));
  }

  readonly client = {
    queryAny: (targets: readonly ServerAddress[], sql: string): Promise<{ from: ServerAddress; result: QueryResult }> => {
      this.asked.push(sql);
      if (this.down) return Promise.reject(new Error(`no metadata server answered (${targets.map((t) => `${t.host}:${t.port}`).join(', ')}: connect ECONNREFUSED)`));
      const result = this.answers.get(sql) ?? errOf(`ERROR 1146 (42S02): unscripted statement ${sql}`);
      return Promise.resolve({ from: SEEKDB, result });
    },
    acceptsProxyLogin: (target: ServerAddress): Promise<boolean> => {
      this.probes++;
      assert.deepEqual(target, SEEKDB, 'the probe goes to the server that answered');
      return this.proxyLogin instanceof Error ? Promise.reject(this.proxyLogin) : Promise.resolve(this.proxyLogin);
    },
  };
}

function resource(fake: FakeSeekdb, lines: string[] = []): ClusterResource {
  return new ClusterResource({ rsList: [SEEKDB], clusterName: '', client: fake.client, refreshIntervalMs: 3_600_000, log: new Logger(7, (l) => lines.push(l)) });
}

describe('decideSingleNode', () => {
  test('ER_NO_SUCH_TABLE on the server list query: the answering server is the only one, tenant sys the only tenant', () => {
    const err = replay(recording('serverZoneInit'));
    assert.equal(ER_NO_SUCH_TABLE, 1146);
    const d = decideSingleNode(err, SEEKDB, VERSION_COMMENT);
    assert.ok(d !== null);
    assert.deepEqual(d.server, { ip: '127.0.0.1', port: 12882, rpcPort: 0, zone: 'single_node', status: 'ACTIVE', startService: true, stopped: false });
    assert.deepEqual(d.tenant, { name: 'sys', id: 1, servers: ['127.0.0.1:12882'], primaryZone: 'single_node', locality: null, status: 'NORMAL' });
    assert.ok(d.reason.includes("127.0.0.1:12882 answered 1146 (42S02) Table 'oceanbase.dba_ob_servers' doesn't exist"), d.reason);
    assert.ok(d.reason.includes('OceanBase 4.3.5.3 seekdb'), d.reason);
  });

  test('any other answer is not a single-node kernel', () => {
    assert.equal(decideSingleNode(errOf("ERROR 1142 (42000): SELECT command denied to user 'proxyro'@'%' for table 'dba_ob_servers'"), SEEKDB, null), null);
    assert.equal(decideSingleNode(errOf('ERROR 1045 (42000): Access denied'), SEEKDB, null), null);
    assert.equal(decideSingleNode(replay(recording('version')), SEEKDB, null), null);
  });
});

describe('ClusterResource in front of seekdb', () => {
  test('bootstrap falls back to one active server and one tenant, with one WARN line saying why', async () => {
    const fake = new FakeSeekdb();
    const lines: string[] = [];
    const r = resource(fake, lines);
    await r.start();
    try {
      assert.equal(r.version, '4.3.5.3');
      assert.deepEqual(r.servers(), [{
        key: '127.0.0.1:12882', ip: '127.0.0.1', port: 12882, rpcPort: 0, zone: 'single_node', region: '', idc: '', zoneType: 'ReadWrite', status: 'ACTIVE', active: true,
      }]);
      assert.equal(r.clusterId, null);
      assert.equal(r.lastError, null);
      assert.equal(r.proxyLogin, false);
      assert.equal(fake.probes, 1);
      const reason = r.singleNodeReason ?? '';
      assert.ok(reason.includes("answered 1146 (42S02) Table 'oceanbase.dba_ob_servers' doesn't exist"), reason);
      assert.ok(reason.includes('refuses proxy-scramble logins'), reason);
      const warn = lines.filter((l) => / WARN /.test(l));
      assert.equal(warn.length, 1, lines.join(''));
      assert.ok(warn[0]!.includes(reason));
      assert.deepEqual(r.tenant('sys')?.servers, ['127.0.0.1:12882']);
      assert.deepEqual(r.tenant('SYS')?.servers, ['127.0.0.1:12882']);
      assert.ok(!fake.asked.includes(TENANTS_SQL), 'the tenant list the kernel lacks is not asked for');
    } finally {
      r.stop();
    }
  });

  test('after the fallback, unknown tenants and refreshes send no failing metadata query', async () => {
    const fake = new FakeSeekdb();
    const r = resource(fake);
    await r.start();
    try {
      const before = fake.asked.length;
      for (let i = 0; i < 50; i++) assert.equal(r.tenant(`t${i % 3}`), null);
      assert.equal(await r.refreshTenant('test'), null);
      assert.deepEqual((await r.refreshTenant('sys'))?.servers, ['127.0.0.1:12882']);
      await new Promise((res) => setImmediate(res));
      assert.deepEqual(fake.asked.slice(before), [], 'no tenant lookups');
      await r.refresh();
      assert.deepEqual(fake.asked.slice(before), [VERSION_SQL], 'a refresh only checks that the server answers');
      assert.equal(r.lastError, null);
      fake.down = true;
      await r.refresh();
      assert.match(r.lastError ?? '', /servers: no metadata server answered/);
      assert.equal(r.servers().length, 1, 'the only server is kept');
      fake.down = false;
      await r.refresh();
      assert.equal(r.lastError, null);
    } finally {
      r.stop();
    }
  });

  test('a failing proxy-login probe counts as refused and is named in the reason', async () => {
    const fake = new FakeSeekdb();
    fake.proxyLogin = new Error('127.0.0.1:12882: connect ECONNREFUSED');
    const r = resource(fake);
    await r.start();
    r.stop();
    assert.equal(r.proxyLogin, false);
    assert.match(r.singleNodeReason ?? '', /proxy-scramble login probe failed \(127\.0\.0\.1:12882: connect ECONNREFUSED\)/);
  });

  test('a single-node kernel that accepts proxy logins keeps them', async () => {
    const fake = new FakeSeekdb();
    fake.proxyLogin = true;
    const r = resource(fake);
    await r.start();
    r.stop();
    assert.equal(r.proxyLogin, true);
    assert.match(r.singleNodeReason ?? '', /accepts proxy-scramble logins/);
  });

  test('another error on the server list query fails the bootstrap (no fallback)', async () => {
    const fake = new FakeSeekdb();
    const denied = "ERROR 1142 (42000): SELECT command denied to user 'proxyro'@'%' for table 'dba_ob_servers'";
    fake.answers.set(SERVER_ZONE_INIT_SQL, errOf(denied));
    const r = resource(fake);
    await assert.rejects(r.start(), /bootstrap from rootservice_list 127\.0\.0\.1:12882 failed: 127\.0\.0\.1:12882 answered 1142 SELECT command denied/);
    assert.equal(r.singleNodeReason, null);
    assert.equal(fake.probes, 0);
  });
});

describe('ClusterResource in front of a normal cluster', () => {
  test('the server list answers: no single-node mode, no probe, proxy logins assumed', async () => {
    const fake = new FakeSeekdb();
    const INIT_COLS = ['cluster', 'zone', 'zone_status', 'server_status', 'region', 'spare4', 'spare5', 'svr_ip', 'svr_port', 'rpc_port', 'start_service_time', 'stop_time'];
    const row = (ip: string, zone: string): Record<string, string> => ({
      cluster: 'c1', zone, zone_status: 'ACTIVE', server_status: 'ACTIVE', region: 'r', spare4: 'idc', spare5: 'ReadWrite', svr_ip: ip, svr_port: '2881', rpc_port: '2882', start_service_time: '1', stop_time: '0',
    });
    const answers = fake.answers;
    answers.set(SERVER_ZONE_INIT_SQL, rowsOf([row('10.0.0.1', 'z1'), row('10.0.0.2', 'z2')], INIT_COLS));
    answers.set(TENANTS_SQL, rowsOf([], ['tenant_name', 'tenant_id', 'locality', 'previous_locality', 'primary_zone', 'status']));
    const r = resource(fake);
    await r.start();
    r.stop();
    assert.equal(r.singleNodeReason, null);
    assert.equal(r.proxyLogin, true);
    assert.equal(fake.probes, 0);
    assert.deepEqual(r.servers().map((s) => s.key), ['10.0.0.1:2881', '10.0.0.2:2881']);
  });
});
