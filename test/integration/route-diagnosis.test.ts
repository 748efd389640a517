// Route diagnosis against the lab (spec §9, issue 7): EXPLAIN ROUTE shows the partition and leader a statement then
// really runs on (the emulators' executed log is the oracle), a killed leader shows as CONNECT_ERROR / dead congestion
// with a RETRY, and a partition miss after a leader move is a line of obproxy_diagnosis.log, parsed back here with a
// parser written from the spec's line format (not the proxy's formatter).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type mysql from 'mysql2/promise';
import { startLabCluster, type LabCluster } from '../../lab/observer/cluster.js';
import { backendA, startProxy, waitForOutput, type Endpoint, type ProxyProcess } from './harness.js';
import { connect, waitUntil } from './target.js';

const sha1hex = (s: string): string => createHash('sha1').update(s).digest('hex');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Fields = Record<string, string | number | boolean>;
interface PlanPoint { name: string; depth: number; fields: Fields }

/** `k:v, k:"v, with comma", ...` -> fields (strings unquoted, numbers and booleans typed). */
function parseFields(body: string): Fields {
  const out: Fields = {};
  const re = /([a-z_]+):("([^"]*)"|[^,]*)(, |$)/g;
  for (let m = re.exec(body); m !== null && m[0] !== ''; m = re.exec(body)) {
    const raw = m[2]!;
    out[m[1]!] = m[3] !== undefined ? m[3] : raw === 'true' ? true : raw === 'false' ? false : Number(raw);
  }
  return out;
}

/** The Route Plan section of a diagnosis text: one entry per `> NAME:{...}` line. */
function parsePlan(text: string): PlanPoint[] {
  const plan = text.split('Route Plan\n-----------------\n')[1];
  assert.ok(plan !== undefined, text);
  return plan.split('\n').filter((l) => l.trim() !== '').map((l) => {
    const m = /^( *)> ([A-Z_]+):\{(.*)\}$/.exec(l);
    assert.ok(m !== null, `plan line: ${l}`);
    return { name: m[2]!, depth: m[1]!.length / 2 + 1, fields: parseFields(m[3]!) };
  });
}

const find = (plan: PlanPoint[], name: string): PlanPoint | undefined => plan.find((p) => p.name === name);
const findAll = (plan: PlanPoint[], name: string): PlanPoint[] => plan.filter((p) => p.name === name);

/** obproxy_diagnosis.log [ROUTE] lines: `[time] [tid][trace] [ROUTE](*route_diagnosis=<text with /n>)`. */
function routeLines(root: string): string[] {
  const file = join(root, 'log', 'obproxy_diagnosis.log');
  if (!existsSync(file)) return [];
  const out: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\] \[\d+\]\[Y[0-9A-F]+-[0-9A-F]{16}\] \[ROUTE\]\(\*route_diagnosis=(.*)\)$/.exec(line);
    if (m !== null) out.push(m[1]!.replace(/\/n/g, '\n'));
  }
  return out;
}

async function waitForLine(root: string, pred: (text: string) => boolean, ms = 15_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const hit = routeLines(root).find(pred);
    if (hit !== undefined) return hit;
    if (Date.now() > end) assert.fail(`no diagnosis line matched; lines: ${routeLines(root).join('\n----\n')}`);
    await sleep(50);
  }
}

describe('route diagnosis in the lab', () => {
  let lab: LabCluster;
  let proxy: ProxyProcess;
  let ep: Endpoint;
  const addrOf = (name: string): string => {
    const s = lab.topology.servers.find((x) => x.name === name)!;
    return `${s.ip}:${s.sqlPort}`;
  };
  const nameOf = (addr: string): string => lab.topology.servers.find((x) => `${x.ip}:${x.sqlPort}` === addr)!.name;

  before(async () => {
    lab = await startLabCluster({ mysql: backendA(), sqlPort: 0, controlPort: null });
    proxy = await startProxy(['-c', 'lab_cluster', '-o', `server_routing_mode=oceanbase,route_diagnosis_level=2,delay_update_entry_interval=100ms,observer_query_timeout_delta=1s,min_keep_congestion_interval=60s,short_async_task_timeout=1s,observer_sys_password=${sha1hex('proxyro_pw')}`], {
      backends: lab.rsList.split(';').map((x) => ({ host: x.slice(0, x.lastIndexOf(':')), port: Number(x.slice(x.lastIndexOf(':') + 1)) })),
    });
    ep = { host: '127.0.0.1', port: proxy.port };
  });
  after(async () => {
    await proxy.stop();
    await lab.stop();
  });

  async function explain(c: mysql.Connection, sql: string): Promise<string> {
    const [rows, fields] = await c.query<mysql.RowDataPacket[]>(`EXPLAIN ROUTE ${sql}`);
    assert.deepEqual(fields.map((f) => f.name), ['Route Plan']);
    assert.equal(rows.length, 1);
    return String(rows[0]!['Route Plan']);
  }

  for (const [kind, table, sql, probe] of [
    ['KEY', 't_key', "UPDATE t_key SET v = 'e' WHERE k = 39", 'k = 39'],
    ['RANGE', 't_range', "UPDATE t_range SET v = 'e' WHERE id = 150", 'id = 150'],
  ] as const) {
    test(`EXPLAIN ROUTE on the ${kind}-partitioned ${table}: the partition and leader it shows are where the statement runs`, async () => {
      const c = await connect(ep, { user: 'root@test', password: 'root_pw', database: 'lab_db' });
      try {
        lab.clearLog();
        const text = await explain(c, sql);
        assert.match(text, new RegExp(`^\\nTrans Current Query:"${sql.replace(/[()*?]/g, '\\$&')}"\\n\\nRoute Prompts\\n-----------------\\n`));
        const plan = parsePlan(text);
        assert.deepEqual(plan.slice(0, 3).map((p) => p.name), ['SQL_PARSE', 'ROUTE_INFO', 'LOCATION_CACHE_LOOKUP']);
        assert.equal(find(plan, 'SQL_PARSE')!.fields['table'], table);
        assert.equal(find(plan, 'ROUTE_INFO')!.fields['route_info_type'], 'USE_PARTITION_LOCATION_LOOKUP');
        assert.equal(find(plan, 'TABLE_ENTRY_LOOKUP_DONE')!.fields['table'], table);
        assert.equal(find(plan, 'TABLE_ENTRY_LOOKUP_DONE')!.depth, 2);
        assert.match(String(find(plan, 'CALC_PARTITION_ID')!.fields['part_description']), new RegExp(`^partition by ${kind.toLowerCase()}\\(`));
        assert.equal(find(plan, 'RESOLVE_TOKEN')!.depth, 4);
        const done = find(plan, 'PARTITION_ID_CALC_DONE')!;
        const leader = String(find(plan, 'PARTITION_ENTRY_LOOKUP_DONE')!.fields['leader']);
        assert.equal(find(plan, 'CONGESTION_CONTROL')!.fields['svr_addr'], leader);
        assert.equal(find(plan, 'HANDLE_RESPONSE'), undefined, 'EXPLAIN ROUTE sends nothing');
        assert.deepEqual(lab.executedLog().filter((e) => e.user.startsWith('root') && e.sql.includes(probe)), [], 'nothing was sent');
        await c.query(sql);
        const ran = lab.executedLog().filter((e) => e.user.startsWith('root') && e.sql.includes(probe));
        assert.equal(ran.length, 1);
        assert.equal(ran[0]!.server, nameOf(leader), `EXPLAIN said ${leader}`);
        assert.equal(ran[0]!.tabletId, done.fields['partition_id']);
        assert.equal(ran[0]!.partitionHit, 1);
        const leaders = await lab.command(`leaders lab_db.${table}`);
        const row = (leaders.result as { partition: string; tabletId: number; leader: string }[]).find((p) => p.tabletId === done.fields['partition_id']);
        assert.equal(row?.partition, done.fields['part_name']);
        assert.equal(row?.leader, nameOf(leader));
      } finally {
        c.destroy();
      }
    });
  }

  test('a failed login is a [LOGIN] LOGIN_TRACE line of obproxy_diagnosis.log', async () => {
    await assert.rejects(connect(ep, { user: 'root@test', password: 'wrong' }));
    const file = join(proxy.root, 'log', 'obproxy_diagnosis.log');
    const end = Date.now() + 15_000;
    let line: string | undefined;
    while (line === undefined && Date.now() < end) {
      line = existsSync(file) ? readFileSync(file, 'utf8').split('\n').find((l) => l.includes('[LOGIN](')) : undefined;
      if (line === undefined) await sleep(50);
    }
    const m = /^\[[^\]]+\] \[\d+\]\[[^\]]+\] \[LOGIN\]\(trace_type="LOGIN_TRACE", connection_diagnosis=\{cs_id:(\d+), ss_id:0, .*tenant_name:"test", user_name:"root", .*\}\{\}\)$/.exec(line ?? '');
    assert.ok(m !== null, line);
  });

  test('unsupported statements and text PS get the documented texts', async () => {
    const c = await connect(ep, { user: 'root@test', password: 'root_pw', database: 'lab_db' });
    try {
      assert.equal(await explain(c, "PREPARE s FROM 'SELECT 1'"), 'Route diagnosis not supports this query');
      const inTxn = await (async () => {
        await c.query('BEGIN');
        await c.query("UPDATE t_range SET v = 't' WHERE id = 10");
        const t = await explain(c, 'SELECT v FROM t_range WHERE id = 10');
        await c.query('ROLLBACK');
        return t;
      })();
      assert.match(inTxn, /^\nTrans First Query:"UPDATE t_range SET v = 't' WHERE id = 10"\nTrans Current Query:"SELECT v FROM t_range WHERE id = 10"\n/);
      const ri = find(parsePlan(inTxn), 'ROUTE_INFO')!;
      assert.equal(ri.fields['route_info_type'], 'USE_LAST_SESSION');
      assert.equal(ri.fields['in_transaction'], true);
    } finally {
      c.destroy();
    }
  });

  test('a partition miss after a leader move is a line of obproxy_diagnosis.log with its points', async () => {
    const c = await connect(ep, { user: 'root@test', password: 'root_pw', database: 'lab_db' });
    try {
      await c.query("REPLACE INTO t_hash (id, v) VALUES (12, 'm')");
      const before = parsePlan(await explain(c, "UPDATE t_hash SET v = 'x' WHERE id = 12"));
      const leader = String(find(before, 'PARTITION_ENTRY_LOOKUP_DONE')!.fields['leader']);
      const part = String(find(before, 'PARTITION_ID_CALC_DONE')!.fields['part_name']);
      const other = lab.topology.servers.map((s) => s.name).find((n) => n !== nameOf(leader))!;
      assert.ok((await lab.command(`move-leader lab_db.t_hash ${part} ${other}`)).ok);
      await sleep(200); // past delay_update_entry_interval since the entry's fetch, so the miss refetches it at once
      await c.query("UPDATE t_hash SET v = 'miss' WHERE id = 12");
      const text = await waitForLine(proxy.root, (t) => t.includes("UPDATE t_hash SET v = 'miss' WHERE id = 12"));
      const plan = parsePlan(text);
      const hr = find(plan, 'HANDLE_RESPONSE')!;
      assert.equal(hr.fields['is_parititon_hit'], false);
      assert.equal(hr.fields['state'], 'TRANSACTION_COMPLETE');
      assert.equal(hr.fields['send_action'], 'SERVER_SEND_REQUEST');
      assert.equal(find(plan, 'PARTITION_ENTRY_LOOKUP_DONE')!.fields['leader'], leader, 'the stale leader it used');
      assert.equal(find(plan, 'SQL_PARSE')!.fields['table'], 't_hash');
      // the miss refreshed the entry (asynchronously): the next statement goes to the new leader and is not logged
      const hit = "UPDATE t_hash SET v = 'hit' WHERE id = 12";
      const routed = await waitUntil(5000, async () => find(parsePlan(await explain(c, hit)), 'PARTITION_ENTRY_LOOKUP_DONE')?.fields['leader'], (l) => l === addrOf(other));
      assert.equal(routed, addrOf(other), 'the proxy refreshed the location within 5 s');
      lab.clearLog();
      await c.query(hit);
      const ran = lab.executedLog().filter((e) => e.sql.includes("'hit' WHERE id = 12"));
      assert.equal(ran[0]?.server, other);
      await sleep(300);
      assert.ok(!routeLines(proxy.root).some((t) => t.includes("'hit' WHERE id = 12")), 'a hit is not logged at level 2');
    } finally {
      c.destroy();
    }
  });

  test('with the leader\'s emulator killed: CONNECT_ERROR and a RETRY, then dead congestion in EXPLAIN ROUTE', { timeout: 30_000 }, async () => {
    const c = await connect(ep, { user: 'root@test', password: 'root_pw', database: 'lab_db' });
    const sql = "UPDATE t_range SET v = 'k' WHERE id = 250";
    let killed = '';
    try {
      const leader = String(find(parsePlan(await explain(c, sql)), 'PARTITION_ENTRY_LOOKUP_DONE')!.fields['leader']);
      killed = nameOf(leader);
      // A read of that row runs on the leader (a hit: not logged), so the session surely has a connection there. The
      // proxy must see it close before the next statement, else that statement is sent into it and fails.
      await c.query('SELECT v FROM t_range WHERE id = 250');
      const mark = proxy.output().length;
      await lab.command(`kill ${killed}`);
      await waitForOutput(proxy, new RegExp(`server ${leader.replace(/\./g, '\\.')} closed the connection of cs_id=${c.threadId!}\\b`), mark);
      lab.clearLog();
      await c.query(sql);
      const ran = lab.executedLog().filter((e) => e.sql === sql);
      assert.equal(ran.length, 1);
      assert.notEqual(ran[0]!.server, killed);
      // it ran on a follower: a partition miss, so the whole story is in the diagnosis log
      const text = await waitForLine(proxy.root, (t) => t.includes(`Trans Current Query:"${sql}"`));
      const plan = parsePlan(text);
      const responses = findAll(plan, 'HANDLE_RESPONSE');
      assert.equal(responses[0]!.fields['state'], 'CONNECT_ERROR');
      assert.equal(responses[0]!.fields['send_action'], 'SERVER_SEND_HANDSHAKE');
      const retry = find(plan, 'RETRY')!;
      assert.equal(retry.fields['retry_status'], 'FOUND_EXISTING_ADDR');
      assert.equal(retry.fields['retry_type'], 'PARTITION_LOCATION_LOOKUP');
      assert.equal(retry.fields['retry_addr'], addrOf(ran[0]!.server));
      assert.equal(retry.fields['attempts'], 1);
      const congestion = findAll(plan, 'CONGESTION_CONTROL').map((p) => p.fields['svr_addr']);
      assert.deepEqual(congestion, [leader, addrOf(ran[0]!.server)]);
      assert.equal(responses.at(-1)!.fields['is_parititon_hit'], false);
      const names = plan.map((p) => p.name);
      assert.ok(names.indexOf('RETRY') > names.indexOf('HANDLE_RESPONSE'));
      // the leader is now marked down: EXPLAIN shows the congestion and the retry it implies
      const again = parsePlan(await explain(c, sql));
      const cc = findAll(again, 'CONGESTION_CONTROL');
      assert.equal(cc[0]!.fields['svr_addr'], leader);
      assert.equal(cc[0]!.fields['dead_congested'], true);
      assert.equal(find(again, 'HANDLE_RESPONSE')!.fields['state'], 'DEAD_CONGESTED');
      assert.equal(find(again, 'RETRY')!.fields['retry_status'], 'FOUND_EXISTING_ADDR');
      assert.notEqual(find(again, 'RETRY')!.fields['retry_addr'], leader);
    } finally {
      if (killed !== '') await lab.command(`revive ${killed}`);
      c.destroy();
    }
  });
});

describe('route diagnosis in mysql mode', () => {
  test('level 4 logs every statement with its route; level 2 (no partition routing, so no miss to log) logs none', { timeout: 30_000 }, async () => {
    for (const level of [4, 2]) {
      const proxy = await startProxy(['-o', `route_diagnosis_level=${level}`]);
      try {
        const c = await connect({ host: '127.0.0.1', port: proxy.port }, { user: 'root', password: '' });
        try {
          await c.query('SELECT 1 AS diag_probe_a');
          await c.query('SELECT 2 AS diag_probe_b');
        } finally {
          c.destroy();
        }
        if (level === 4) {
          const text = await waitForLine(proxy.root, (t) => t.includes('diag_probe_b'), 15_000);
          const plan = parsePlan(text);
          assert.equal(find(plan, 'SQL_PARSE')?.fields['cmd'], 'COM_QUERY', text);
          assert.equal(find(plan, 'ROUTE_INFO')?.fields['route_info_type'], 'USE_LAST_SESSION', text);
          assert.ok(routeLines(proxy.root).some((t) => t.includes('diag_probe_a')), 'the first statement too');
        } else {
          await sleep(500);
          assert.deepEqual(routeLines(proxy.root).filter((t) => t.includes('diag_probe')), []);
        }
      } finally {
        await proxy.stop();
      }
    }
  });
});
