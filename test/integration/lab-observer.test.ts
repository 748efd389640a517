// The lab's observer emulators against the suite's real MariaDB (ODP_TEST_MYSQL_A), driven directly by
// real clients: mysql2 and hand-built packets (raw-client.ts, written from the protocol documentation).
// Checks OceanBase-style login, data SQL landing in the shared MariaDB, metadata rows, partition hits in
// OK packets, the control interface (HTTP) and its faults, and the executed log.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type mysql from 'mysql2/promise';
import { startLabCluster, type LabCluster } from '../../lab/observer/cluster.js';
import type { ExecutedEntry } from '../../lab/observer/state.js';
import { bootstrapSql, specTableSql } from '../../lab/seekdb/metadata.js';
import { backendA, type Endpoint } from './harness.js';
import { frame, parseErr, parseGreeting, nativeScramble, RawConn } from './raw-client.js';
import { connect, directSql } from './target.js';

let lab: LabCluster;
const ep = (name: string): Endpoint => {
  const s = lab.topology.servers.find((x) => x.name === name)!;
  return { host: s.ip, port: s.sqlPort };
};
const testUser = { user: 'root@test', password: 'root_pw', database: 'lab_db' };
/** 0 on success, the server's errno, or the socket error code (mysql2 puts a negative errno there). */
const errnoOf = async (p: Promise<unknown>): Promise<number | string> =>
  p.then(() => 0, (e: { errno?: number; code?: string }) => (e.errno !== undefined && e.errno > 0 ? e.errno : e.code ?? '?'));

async function control(line: string): Promise<{ ok: boolean; result?: unknown; error?: string }> {
  const res = await fetch(`${lab.controlUrl!}/command`, { method: 'POST', body: line });
  return (await res.json()) as { ok: boolean; result?: unknown; error?: string };
}

async function hitOf(c: mysql.Connection, sql: string): Promise<string | undefined> {
  const [r] = await c.query<mysql.ResultSetHeader>(sql);
  return (r as unknown as { stateChanges?: { systemVariables: Record<string, string> } }).stateChanges?.systemVariables['ob_proxy_partition_hit'];
}

// --- raw client with CLIENT_DEPRECATE_EOF | CLIENT_SESSION_TRACK and connect attributes ---
const CAPS = 0x1 | 0x8 | 0x200 | 0x2000 | 0x8000 | 0x20000 | 0x80000 | 0x100000 | 0x800000 | 0x1000000;
const lenStr = (s: Buffer): Buffer => Buffer.concat([Buffer.from([s.length]), s]);

function loginPacket(user: string, token: Buffer, db: string, attrs: Record<string, string>): Buffer {
  const fixed = Buffer.alloc(32);
  fixed.writeUInt32LE(CAPS, 0);
  fixed.writeUInt32LE(1 << 24, 4);
  fixed[8] = 45;
  const a = Buffer.concat(Object.entries(attrs).flatMap(([k, v]) => [lenStr(Buffer.from(k)), lenStr(Buffer.from(v, 'latin1'))]));
  return Buffer.concat([fixed, Buffer.from(`${user}\0`), lenStr(token), Buffer.from(`${db}\0mysql_native_password\0`), lenStr(a)]);
}

/** Logs in; `sign` picks the scramble the token is computed with (default: the greeting's). */
async function rawLogin(at: Endpoint, password: string, attrs: (s: Buffer) => Record<string, string> = () => ({}), sign?: (s: Buffer) => Buffer): Promise<{ c: RawConn; reply: Buffer }> {
  const c = await RawConn.open(at);
  const { scramble } = parseGreeting((await c.read()).payload);
  c.write(frame(loginPacket('root@test', nativeScramble(password, sign?.(scramble) ?? scramble), 'lab_db', attrs(scramble)), 1));
  return { c, reply: (await c.read()).payload };
}

/**
 * System variables of an OK packet's session state: header, affected rows, last insert id (lenenc),
 * status(2), warnings(2), info (lenenc), then with SERVER_SESSION_STATE_CHANGED (0x4000) the state
 * (lenenc) = entries of type(1) data(lenenc); SYSTEM_VARIABLES (0) data = name(lenenc) value(lenenc).
 */
function trackedVars(ok: Buffer): Record<string, string> {
  let p = 1;
  const lenenc = (): number => {
    const b = ok[p++]!;
    if (b < 0xfb) return b;
    const n = ok.readUIntLE(p, b === 0xfc ? 2 : b === 0xfd ? 3 : 6);
    p += b === 0xfc ? 2 : b === 0xfd ? 3 : 8;
    return n;
  };
  const str = (): string => {
    const n = lenenc();
    p += n;
    return ok.toString('utf8', p - n, p);
  };
  lenenc();
  lenenc();
  const status = ok.readUInt16LE(p);
  p += 4;
  const out: Record<string, string> = {};
  if ((status & 0x4000) === 0) return out;
  str();
  const end = lenenc() + p;
  while (p < end) {
    const type = ok[p++]!;
    const entryEnd = lenenc() + p;
    if (type === 0) {
      const name = str();
      out[name] = str();
    }
    p = entryEnd;
  }
  return out;
}

/** Runs a SELECT over a DEPRECATE_EOF connection; returns the closing OK packet's tracked variables. */
async function rawSelectVars(c: RawConn, sql: string): Promise<Record<string, string>> {
  c.write(frame(Buffer.concat([Buffer.from([0x03]), Buffer.from(sql)]), 0));
  for (;;) {
    const p = (await c.read()).payload;
    if (p[0] === 0xff) throw new Error(JSON.stringify(parseErr(p)));
    if (p[0] === 0xfe && p.length < 0xffffff && p.length >= 7) return trackedVars(p);
  }
}

before(async () => {
  lab = await startLabCluster({ mysql: { ...backendA(), user: 'root', password: '' }, sqlPort: 0 });
  await directSql('DELETE FROM lab_db.t_hash; DELETE FROM lab_db.t_plain; DELETE FROM lab_db.t_sub');
});

after(async () => {
  await lab?.stop();
});

describe('lab observer emulators', () => {
  test('OceanBase-style greeting and login errors', async () => {
    const c = await connect(ep('obs2'), testUser);
    const id = c.threadId ?? 0;
    assert.ok(id >= 0xc0000000, `session id ${id}`);
    const [v] = await c.query<mysql.RowDataPacket[]>('SELECT ob_version() AS v');
    assert.equal(v[0]?.['v'], '4.3.5.3');
    c.destroy();
    assert.equal(await errnoOf(connect(ep('obs2'), { ...testUser, password: 'wrong' })), 1045);
    assert.equal(await errnoOf(connect(ep('obs2'), { ...testUser, user: 'root@nope' })), 5160);
    assert.equal(await errnoOf(connect(ep('obs2'), { user: 'root@solo', password: '' })), 5150);
    assert.equal(await errnoOf(connect(ep('obs1'), { user: 'root@solo', password: '' })), 0);
    assert.equal(await errnoOf(connect(ep('obs2'), { ...testUser, user: 'root@test#elsewhere' })), 4666);
  });

  test('data SQL runs in the shared MariaDB wherever it lands', async () => {
    const a = await connect(ep('obs1'), testUser);
    const b = await connect(ep('obs3'), testUser);
    await a.query("INSERT INTO t_hash (id, v) VALUES (1, 'one'), (2, 'two')");
    await b.query("INSERT INTO t_plain (id, v) VALUES (10, 'ten')");
    const [rows] = await b.query<mysql.RowDataPacket[]>('SELECT id, v FROM t_hash ORDER BY id');
    assert.deepEqual(rows.map((r) => [r['id'], r['v']]), [[1, 'one'], [2, 'two']]);
    assert.deepEqual(await directSql('SELECT v FROM lab_db.t_plain WHERE id = 10'), [{ v: 'ten' }]);
    const [ps] = await a.execute<mysql.RowDataPacket[]>('SELECT v FROM t_hash WHERE id = ?', [2]);
    assert.deepEqual(ps.map((r) => r['v']), ['two']);
    a.destroy();
    b.destroy();
  });

  test('ob_proxy_partition_hit in OK packets: DML through mysql2, SELECT through a DEPRECATE_EOF client', async () => {
    // t_hash: HASH(id) over 4 partitions; id 5 -> p1 (leader obs2), id 6 -> p2 (leader obs3)
    const on2 = await connect(ep('obs2'), testUser);
    const on1 = await connect(ep('obs1'), testUser);
    assert.equal(await hitOf(on2, "INSERT INTO t_hash (id, v) VALUES (5, 'five')"), '1');
    assert.equal(await hitOf(on1, "UPDATE t_hash SET v = 'FIVE' WHERE id = 5"), '0');
    assert.equal(await hitOf(on1, "INSERT INTO t_sub (id, a, c, v) VALUES (1, 7, 'b', 'x')"), '0', 'kernel: (7, b) -> p1sp3, leader obs2');
    assert.equal(await hitOf(on2, "UPDATE t_sub SET v = 'y' WHERE a = 7 AND c = 'b'"), '1');
    on1.destroy();
    on2.destroy();
    const { c, reply } = await rawLogin(ep('obs3'), 'root_pw');
    assert.equal(reply[0], 0x00);
    assert.deepEqual(await rawSelectVars(c, 'SELECT v FROM t_hash WHERE id = 6'), { ob_proxy_partition_hit: '1' });
    assert.deepEqual(await rawSelectVars(c, 'SELECT v FROM t_hash WHERE id = 5'), { ob_proxy_partition_hit: '0' });
    c.destroy();
  });

  test('SET of OceanBase-only variables is kept by the emulator and tracked back', async () => {
    const c = await connect(ep('obs2'), testUser);
    const [r] = await c.query<mysql.ResultSetHeader>("SET @@ob_query_timeout = 5000000, @@session.transaction_isolation = 'READ-COMMITTED'");
    const vars = (r as unknown as { stateChanges?: { systemVariables: Record<string, string> } }).stateChanges?.systemVariables;
    assert.equal(vars?.['ob_query_timeout'], '5000000');
    const [iso] = await c.query<mysql.RowDataPacket[]>('SELECT @@tx_isolation AS i');
    assert.equal(iso[0]?.['i'], 'READ-COMMITTED', 'the MariaDB part ran');
    await c.query('BEGIN');
    const [local] = await c.query<mysql.ResultSetHeader>('SET @@ob_trx_timeout = 100');
    assert.equal(local.serverStatus & 1, 1, 'an answer made by the emulator keeps SERVER_STATUS_IN_TRANS');
    await c.query('ROLLBACK');
    c.destroy();
  });

  test('proxy logins: __proxy_scramble XOR scheme and the fixed default scramble', async () => {
    const proxyScramble = Buffer.from('0123456789abcdefghij');
    const xor = (s: Buffer): string => Buffer.from(proxyScramble.map((b, i) => b ^ s[i]!)).toString('latin1');
    const viaProxy = await rawLogin(ep('obs1'), 'root_pw', (s) => ({ __mysql_client_type: '__ob_proxy', __proxy_scramble: xor(s) }), () => proxyScramble);
    assert.equal(viaProxy.reply[0], 0x00, JSON.stringify(viaProxy.reply[0] === 0xff ? parseErr(viaProxy.reply) : null));
    viaProxy.c.destroy();
    const fixed = await rawLogin(ep('obs1'), 'root_pw', () => ({ __mysql_client_type: '__ob_proxy' }), () => Buffer.from('aaaaaaaabbbbbbbbbbbb'));
    assert.equal(fixed.reply[0], 0x00);
    fixed.c.destroy();
    const wrong = await rawLogin(ep('obs1'), 'root_pw', () => ({ __mysql_client_type: '__ob_proxy' }));
    assert.equal(parseErr(wrong.reply).errno, 1045, 'signed with the handshake scramble instead');
    wrong.c.destroy();
  });

  test('metadata SQL as proxyro@sys: OceanBase column names, integer types, topology values', async () => {
    const c = await connect(ep('obs1'), { user: 'proxyro@sys', password: 'proxyro_pw', database: 'oceanbase' });
    const [servers] = await c.query<mysql.RowDataPacket[]>(bootstrapSql()['serverZoneInit']!);
    assert.deepEqual(servers.map((r) => [r['svr_ip'], r['svr_port'], r['zone'], r['spare4'], r['server_status']]),
      lab.topology.servers.map((s) => [s.ip, s.sqlPort, s.zone, { zone1: 'hz1', zone2: 'hz2', zone3: 'sh1' }[s.zone], 'ACTIVE']));
    const [entry] = await c.query<mysql.RowDataPacket[]>(specTableSql('test', 'lab_db', 't_hash', '500010').schema.replace('tablet_id = 0', 'tablet_id = 200012'));
    assert.deepEqual(entry.map((r) => [r['svr_ip'], r['role'], r['table_id'], r['part_num']]), [['127.0.0.4', 1, 500010, 4], ['127.0.0.2', 2, 500010, 4], ['127.0.0.3', 2, 500010, 4]]);
    const [parts] = await c.query<mysql.RowDataPacket[]>(specTableSql('test', 'lab_db', 't_hash', '500010').partitions);
    assert.deepEqual(parts.map((r) => [r['part_name'], r['tablet_id']]), [['p0', 200010], ['p1', 200011], ['p2', 200012], ['p3', 200013]]);
    c.destroy();
  });

  test('faults: kill / revive, error injection, reject-logins, slow, hang', async () => {
    const victim = await connect(ep('obs3'), testUser);
    assert.deepEqual(await control('kill obs3'), { ok: true, result: 'ok' });
    assert.equal(await errnoOf(connect(ep('obs3'), testUser)), 'ECONNREFUSED');
    assert.notEqual(await errnoOf(victim.query('SELECT 1')), 0, 'sessions are closed');
    const meta = await connect(ep('obs1'), { user: 'proxyro@sys', password: 'proxyro_pw' });
    const [st] = await meta.query<mysql.RowDataPacket[]>(bootstrapSql()['servers']!);
    assert.deepEqual(st.map((r) => r['status']), ['ACTIVE', 'ACTIVE', 'INACTIVE']);
    meta.destroy();
    await control('revive obs3');
    (await connect(ep('obs3'), testUser)).destroy();

    const c = await connect(ep('obs2'), testUser);
    assert.equal((await control('error obs2 4038 HY000 2 Not master')).ok, true);
    await assert.rejects(c.query('SELECT 1'), { errno: 4038, sqlState: 'HY000', message: 'Not master' });
    await assert.rejects(c.query('SELECT 1'), { errno: 4038 });
    await c.query('SELECT 1');
    c.destroy();

    await control('reject-logins obs2 on');
    assert.equal(await errnoOf(connect(ep('obs2'), testUser)), 8002);
    await control('reject-logins obs2 off');
    const s = await connect(ep('obs2'), testUser);
    await control('slow obs2 300');
    const t0 = Date.now();
    await s.query('SELECT 1');
    assert.ok(Date.now() - t0 >= 290, `slow answer after ${Date.now() - t0} ms`);
    await control('slow obs2 0');
    s.destroy();

    await control('hang obs1');
    assert.equal(await errnoOf(connect(ep('obs1'), { ...testUser, connectTimeout: 500 })), 'ETIMEDOUT');
    await control('hang obs1 off');
    (await connect(ep('obs1'), testUser)).destroy();
    assert.deepEqual(await control('hang obs9'), { ok: false, error: 'no server \'obs9\' (servers: obs1, obs2, obs3)' });
  });

  test('move-leader changes the partition hit of the same statement', async () => {
    const c = await connect(ep('obs1'), testUser);
    const sql = "UPDATE t_hash SET v = 'x' WHERE id = 6"; // p2, leader obs3
    assert.equal(await hitOf(c, sql), '0');
    assert.equal((await control('move-leader lab_db.t_hash p2 obs1')).ok, true);
    assert.equal(await hitOf(c, sql), '1');
    const [entry] = await c.query<mysql.RowDataPacket[]>(specTableSql('test', 'lab_db', 't_hash', '500010').schema.replace('tablet_id = 0', 'tablet_id = 200012'));
    assert.equal(entry[0]?.['svr_ip'], '127.0.0.2', 'the location rows follow the move');
    await control('move-leader lab_db.t_hash p2 obs3');
    c.destroy();
  });

  test('executed log: which server ran which statement, for which session; KILL of a session', async () => {
    await control('clear-log');
    const c = await connect(ep('obs2'), testUser);
    await c.query("SELECT v FROM t_hash WHERE id = 5 /* marker-1 */");
    const victim = await connect(ep('obs2'), testUser);
    await c.query(`KILL ${victim.threadId ?? 0}`);
    assert.notEqual(await errnoOf(victim.query('SELECT 1')), 0);
    const res = await fetch(`${lab.controlUrl!}/executed-log?server=obs2`);
    const log = ((await res.json()) as { result: ExecutedEntry[] }).result;
    const mine = log.find((e) => e.sql.includes('marker-1'));
    assert.ok(mine, JSON.stringify(log));
    assert.equal(mine.server, 'obs2');
    assert.equal(mine.sessionId, c.threadId);
    assert.equal(mine.handledBy, 'backend');
    assert.equal(mine.partitionHit, 1);
    assert.equal(mine.tabletId, 200011);
    assert.ok(log.some((e) => e.sql.startsWith('KILL') && e.handledBy === 'local' && e.errno === 0));
    assert.deepEqual((await control('executed-log obs1')).result, []);
    await control('clear-log obs2');
    assert.deepEqual(lab.executedLog('obs2'), []);
    c.destroy();
  });
});
