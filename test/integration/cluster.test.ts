// The cluster resource (src/cluster) against the lab's observer emulators (lab/observer, the suite's real MariaDB
// behind them): bootstrap from the rootservice list as proxyro@sys, servers with zone/region/IDC, tenants with their
// server lists, refresh across killed/hung servers, and the one-line failures (wrong password, dead list, cluster
// mismatch, OceanBase 3.x). Oracles: the lab topology (the emulators' own description of the cluster), the
// emulators' executed-statement log (which user ran which SQL where), and the spec SQL as the lab transcribed it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { startLabCluster, type LabCluster } from '../../lab/observer/cluster.js';
import { defaultTopology } from '../../lab/observer/default-topology.js';
import { bootstrapSql } from '../../lab/seekdb/metadata.js';
import { parseAddressList, type ServerAddress } from '../../src/backend/server-connection.js';
import { MAX_CONNECTIONS_PER_SERVER, MetadataClient } from '../../src/cluster/metadata-client.js';
import { dummyEntrySql, VERSION_SQL } from '../../src/cluster/metadata-sql.js';
import { ClusterResource } from '../../src/cluster/resource.js';
import { Logger } from '../../src/observe/log.js';
import { backendA } from './harness.js';

const sha1Hex = (s: string): string => createHash('sha1').update(s).digest('hex');
const PROXYRO = sha1Hex('proxyro_pw');

let lab: LabCluster;
const keyOf = (name: string): string => {
  const s = lab.topology.servers.find((x) => x.name === name)!;
  return `${s.ip}:${s.sqlPort}`;
};
const addrOf = (name: string): ServerAddress => parseAddressList(keyOf(name))[0]!;

interface Made {
  readonly res: ClusterResource;
  readonly client: MetadataClient;
  readonly lines: string[];
  done(): void;
}

function make(o: { rsList?: string; stage1Hex?: string; cluster?: string; intervalMs?: number; timeoutMs?: number } = {}): Made {
  const lines: string[] = [];
  const log = new Logger(3, (l) => lines.push(l));
  const cluster = o.cluster ?? 'lab_cluster';
  const timeoutMs = o.timeoutMs ?? 3000;
  const client = new MetadataClient({ user: 'proxyro', tenant: 'sys', cluster, stage1Hex: o.stage1Hex ?? PROXYRO, connectTimeoutMs: timeoutMs, queryTimeoutMs: timeoutMs, log });
  const res = new ClusterResource({ rsList: parseAddressList(o.rsList ?? lab.rsList), clusterName: cluster, client, refreshIntervalMs: o.intervalMs ?? 3_600_000, log });
  return { res, client, lines, done: () => { res.stop(); client.close(); } };
}

async function deadAddresses(n: number): Promise<string> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
    out.push(`127.0.0.1:${port}`);
  }
  return out.join(';');
}

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

before(async () => {
  lab = await startLabCluster({ mysql: backendA(), sqlPort: 0, controlPort: null });
});
after(async () => {
  await lab.stop();
});

describe('cluster bootstrap (spec §3.1, §3.2)', () => {
  test('version, cluster, three servers in three zones with region and IDC, tenants with their servers', async () => {
    lab.clearLog();
    const m = make();
    try {
      await m.res.start();
      const { res } = m;
      assert.equal(res.version, lab.topology.obVersion);
      assert.match(res.version, /^4\./);
      assert.equal(res.clusterName, 'lab_cluster');
      assert.equal(res.clusterId, lab.topology.clusterId);
      const expected = lab.topology.servers.map((s) => {
        const z = lab.topology.zones.find((x) => x.name === s.zone)!;
        return { key: `${s.ip}:${s.sqlPort}`, zone: z.name, region: z.region, idc: z.idc, zoneType: z.type, rpcPort: s.rpcPort, active: true, status: 'ACTIVE' };
      });
      assert.deepEqual(res.servers().map((s) => ({ key: s.key, zone: s.zone, region: s.region, idc: s.idc, zoneType: s.zoneType, rpcPort: s.rpcPort, active: s.active, status: s.status })), expected);
      assert.deepEqual(new Set(res.servers().map((s) => s.zone)).size, 3);
      assert.deepEqual([res.tenant('sys')?.id, res.tenant('sys')?.servers], [1, ['obs1', 'obs2', 'obs3'].map(keyOf)]);
      assert.deepEqual([res.tenant('test')?.id, res.tenant('test')?.servers], [1002, ['obs1', 'obs2', 'obs3'].map(keyOf)]);
      assert.deepEqual([res.tenant('solo')?.id, res.tenant('solo')?.servers, res.tenant('solo')?.primaryZone], [1004, [keyOf('obs1')], 'zone1']);
      assert.equal(res.tenant('nope'), null);
      assert.equal(await res.refreshTenant('nope'), null);
      assert.deepEqual(await res.refreshTenant('test').then((t) => t?.servers), ['obs1', 'obs2', 'obs3'].map(keyOf));
      assert.equal(res.lastError, null);
      assert.ok(res.lastRefreshAt > 0);

      // every metadata statement ran as proxyro@sys, answered by the metadata views, with the spec's SQL
      const log = lab.executedLog();
      assert.ok(log.length >= 5);
      for (const e of log) assert.deepEqual([e.user, e.tenant, e.handledBy, e.errno], ['proxyro', 'sys', 'metadata', 0], e.sql);
      const sent = new Set(log.map((e) => e.sql));
      const spec = bootstrapSql();
      for (const k of ['version', 'serverZoneInit', 'tenants', 'dummyEntry']) assert.ok(sent.has(spec[k]!), `sent the spec's ${k} query`);
      assert.ok(sent.has(dummyEntrySql('test')) && sent.has(dummyEntrySql('solo')));
      for (const [k, n] of m.client.connectionCounts()) assert.ok(n <= MAX_CONNECTIONS_PER_SERVER, `${k}: ${n} connections`);
    } finally {
      m.done();
    }
  });

  test('a wrong observer_sys_password: one line naming the server and 1045, never the hash', async () => {
    const wrong = sha1Hex('not the password');
    const m = make({ stage1Hex: wrong });
    try {
      await assert.rejects(m.res.start(), (e: Error) => {
        assert.ok(!e.message.includes('\n'), e.message);
        assert.match(e.message, /^cluster lab_cluster: bootstrap from rootservice_list .* failed: /);
        // the same reason from every server is said once, after the servers' list
        const all = ['obs1', 'obs2', 'obs3'].map(keyOf).join(', ');
        assert.ok(e.message.includes(`(${all}: login as proxyro@sys#lab_cluster refused: 1045 Access denied for user 'proxyro'`), e.message);
        assert.ok(!e.message.includes(wrong));
        return true;
      });
    } finally {
      m.done();
    }
  });

  test('a rootservice list of dead addresses fails fast with one line naming each', async () => {
    const rs = await deadAddresses(2);
    // A 10 s connect timeout: failing fast (refused at once) is then told apart from waiting for any timeout.
    const m = make({ rsList: rs, timeoutMs: 10_000 });
    const t0 = Date.now();
    try {
      await assert.rejects(m.res.start(), (e: Error) => {
        assert.ok(!e.message.includes('\n'), e.message);
        for (const a of rs.split(';')) assert.ok(e.message.includes(a), e.message);
        assert.match(e.message, /ECONNREFUSED/);
        return true;
      });
      assert.ok(Date.now() - t0 < 4000, `took ${Date.now() - t0} ms`);
    } finally {
      m.done();
    }
  });

  test('another cluster name: the observer refuses the login (4666), one line', async () => {
    const m = make({ cluster: 'other_cluster' });
    try {
      await assert.rejects(m.res.start(), (e: Error) => !e.message.includes('\n') && /^cluster other_cluster: .*4666/.test(e.message));
    } finally {
      m.done();
    }
  });

  test('an OceanBase 3.x cluster is refused at the version check', async () => {
    const topology = defaultTopology();
    const old = await startLabCluster({ mysql: backendA(), sqlPort: 0, controlPort: null, prepareBackend: false, topology: { ...topology, obVersion: '3.2.4.1' } });
    const m = make({ rsList: old.rsList });
    try {
      await assert.rejects(m.res.start(), (e: Error) => !e.message.includes('\n') && /OceanBase 4\.x required, 127\.0\.0\.2:\d+ reports ob_version\(\) '3\.2\.4\.1'/.test(e.message));
    } finally {
      m.done();
      await old.stop();
    }
  });
});

describe('cluster refresh (spec §3.2 periodic queries)', () => {
  test('a killed server becomes inactive; the refresh keeps working with the other members; revived it is active again', async () => {
    const m = make();
    let changes = 0;
    try {
      await m.res.start();
      m.res.onChange(() => changes++);
      await lab.command('kill obs2');
      await m.res.refresh();
      assert.equal(m.res.lastError, null);
      const obs2 = m.res.servers().find((s) => s.key === keyOf('obs2'));
      assert.deepEqual([obs2?.active, obs2?.status], [false, 'INACTIVE']);
      assert.deepEqual(m.res.servers().filter((s) => s.active).map((s) => s.key), [keyOf('obs1'), keyOf('obs3')]);
      assert.ok(changes >= 1);
      // the first rootservice member (and the last one that answered) dies too: obs3 still answers
      await lab.command('kill obs1');
      await m.res.refresh();
      assert.equal(m.res.lastError, null);
      assert.deepEqual(m.res.servers().filter((s) => s.active).map((s) => s.key), [keyOf('obs3')]);
      await lab.command('revive obs1');
      await lab.command('revive obs2');
      await m.res.refresh();
      assert.deepEqual(m.res.servers().map((s) => s.active), [true, true, true]);
    } finally {
      m.done();
      await lab.command('revive obs1');
      await lab.command('revive obs2');
    }
  });

  test('the periodic refresh notices a killed server by itself', async () => {
    const m = make({ intervalMs: 50 });
    try {
      await m.res.start();
      const seen = new Promise<void>((resolve) => {
        m.res.onChange(() => {
          if (m.res.servers().find((s) => s.key === keyOf('obs3'))?.active === false) resolve();
        });
      });
      await lab.command('kill obs3');
      await Promise.race([seen, until('obs3 inactive', () => false, 5000)]);
    } finally {
      m.done();
      await lab.command('revive obs3');
    }
  });

  test('with every server down the refresh keeps the last good data and records why', async () => {
    const m = make({ timeoutMs: 1000 });
    try {
      await m.res.start();
      const before = m.res.servers();
      const at = m.res.lastRefreshAt;
      for (const s of ['obs1', 'obs2', 'obs3']) await lab.command(`kill ${s}`);
      await m.res.refresh();
      assert.match(m.res.lastError ?? '', /^servers: no metadata server answered \(.*ECONNREFUSED/);
      assert.ok(!(m.res.lastError ?? '').includes('\n'));
      assert.equal(m.res.servers(), before);
      assert.deepEqual(m.res.tenant('solo')?.servers, [keyOf('obs1')]);
      assert.equal(m.res.lastRefreshAt, at);
      assert.ok(m.lines.some((l) => /WARN .*refresh failed, keeping the last good data/.test(l)));
      for (const s of ['obs1', 'obs2', 'obs3']) await lab.command(`revive ${s}`);
      await m.res.refresh();
      assert.equal(m.res.lastError, null);
      assert.ok(m.res.lastRefreshAt > at);
    } finally {
      m.done();
      for (const s of ['obs1', 'obs2', 'obs3']) await lab.command(`revive ${s}`);
    }
  });

  test('a hung server costs one query timeout, then the others answer', async () => {
    const m = make({ timeoutMs: 400 });
    try {
      await m.res.start();
      await lab.command('hang obs1 on');
      const t0 = Date.now();
      await m.res.refresh();
      assert.equal(m.res.lastError, null);
      assert.ok(Date.now() - t0 < 6000, `took ${Date.now() - t0} ms`);
      assert.equal(m.res.servers().length, 3);
    } finally {
      m.done();
      await lab.command('hang obs1 off');
    }
  });
});

describe('metadata client pool', () => {
  test(`at most ${MAX_CONNECTIONS_PER_SERVER} connections per server; queued queries are served in turn`, async () => {
    const m = make();
    const obs1 = lab.emulator('obs1');
    let peak = 0;
    const poll = setInterval(() => { peak = Math.max(peak, obs1.sessions.size); }, 5);
    try {
      await lab.command('slow obs1 100');
      const results = await Promise.all(Array.from({ length: 6 }, () => m.client.query(addrOf('obs1'), VERSION_SQL)));
      for (const r of results) assert.equal(r.kind, 'rows');
      assert.ok(peak >= 1 && peak <= MAX_CONNECTIONS_PER_SERVER, `peak ${peak}`);
      assert.equal(m.client.connectionCounts().get(keyOf('obs1')), MAX_CONNECTIONS_PER_SERVER);
      // re-used, not reopened: still the same sessions after more queries
      const ids = [...obs1.sessions.keys()].sort();
      await m.client.query(addrOf('obs1'), VERSION_SQL);
      assert.deepEqual([...obs1.sessions.keys()].sort(), ids);
    } finally {
      clearInterval(poll);
      await lab.command('slow obs1 0');
      m.done();
    }
    await until('sessions closed', () => obs1.sessions.size === 0, 10_000);
  });

  test('an ERR answer resolves (the connection stays usable); a closed client rejects', async () => {
    const m = make();
    try {
      const r = await m.client.query(addrOf('obs2'), 'SELECT * FROM oceanbase.__all_no_such_view');
      assert.deepEqual(r.kind === 'err' ? r.errno : r.kind, 1146);
      assert.equal((await m.client.query(addrOf('obs2'), VERSION_SQL)).kind, 'rows');
      assert.equal(m.client.connectionCounts().get(keyOf('obs2')), 1);
    } finally {
      m.done();
    }
    await assert.rejects(m.client.query(addrOf('obs2'), VERSION_SQL), /metadata client closed/);
  });
});
