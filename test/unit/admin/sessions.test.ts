// Session commands against the fake context's sessions: SHOW PROXYSESSION [ATTRIBUTE | VARIABLES | STAT],
// SHOW PROCESSLIST, SHOW PROXYSM, KILL and KILL PROXYSESSION. Expected rows are written from the session data.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { T0, USERS, errorOf, fakeContext, records, rowsOf, run } from './helpers.js';

function localTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

void describe('SHOW PROXYSESSION', () => {
  void test('root sees every session with its live values', () => {
    const rows = rowsOf(fakeContext(), 'SHOW PROXYSESSION').rows;
    assert.deepEqual(rows.map((r) => r[1]), ['1', '2', '3']);
    assert.deepEqual(rows[1], ['7230691421644980002', '2', 'obcluster', 'sys', 'app', '127.0.0.1:49999', 'test', '5', '1',
      'MCS_KEEP_ALIVE', '4242', '4242', '0']);
    assert.equal(rows[0]?.[9], 'MCS_ACTIVE_READER', 'busy');
    assert.equal(rows[0]?.[6], null, 'no database is NULL');
    assert.equal(rows[2]?.[9], 'MCS_ACTIVE_READER', 'idle inside a transaction');
    assert.equal(rows[2]?.[12], '1', 'using_ssl');
  });

  void test('a normal user sees only the sessions of the same user, tenant and cluster', () => {
    const ctx = fakeContext({ user: USERS.app, current: 2 });
    assert.deepEqual(rowsOf(ctx, 'SHOW PROXYSESSION').rows.map((r) => r[1]), ['2']);
    assert.deepEqual(rowsOf(ctx, 'SHOW PROCESSLIST').rows.map((r) => r[0]), ['2']);
  });
});

void describe('SHOW PROXYSESSION ATTRIBUTE', () => {
  void test('the current session by default, ODP attribute names, LIKE on the name', () => {
    const ctx = fakeContext({ current: 2 });
    const attrs = Object.fromEntries(records(ctx, 'SHOW PROXYSESSION ATTRIBUTE').map((r) => [r.attribute_name, [r.value, r.info]]));
    assert.deepEqual(attrs.cs_id, ['2', 'cs common']);
    assert.deepEqual(attrs.proxy_sessid, ['7230691421644980002', 'cs common']);
    assert.deepEqual(attrs.host_ip, ['127.0.0.1', 'cs common']);
    assert.deepEqual(attrs.host_port, ['49999', 'cs common']);
    assert.deepEqual(attrs.db, ['test', 'cs common']);
    assert.deepEqual(attrs.total_trans_cnt, ['5', 'cs common']);
    assert.deepEqual(attrs.read_state, ['MCS_KEEP_ALIVE', 'cs common']);
    assert.deepEqual(attrs.server_ip, ['127.0.0.2', 'curr used ss']);
    assert.deepEqual(attrs.server_port, ['2881', 'curr used ss']);
    assert.deepEqual(attrs.server_sessid, ['3221487617', 'curr used ss']);
    assert.deepEqual(attrs.connected_time, [localTime(T0), 'cs odp']);
    assert.deepEqual(records(ctx, "SHOW PROXYSESSION ATTRIBUTE LIKE 'host%'").map((r) => r.attribute_name), ['host_ip', 'host_port']);
  });

  void test('another session by id; IPv6 host; no server session means no ss rows', () => {
    const ctx = fakeContext({ current: 1 });
    const v6 = Object.fromEntries(records(ctx, 'SHOW PROXYSESSION ATTRIBUTE 3').map((r) => [r.attribute_name, r.value]));
    assert.equal(v6.host_ip, '::1');
    assert.equal(v6.host_port, '50001');
    const own = records(ctx, 'SHOW PROXYSESSION ATTRIBUTE 1').map((r) => r.attribute_name);
    assert.ok(!own.includes('server_ip'));
    assert.equal(records(ctx, "SHOW PROXYSESSION ATTRIBUTE 1 LIKE 'current_cmd'")[0]?.value, 'COM_QUERY');
  });

  void test('unknown or invisible sessions are ER_NO_SUCH_THREAD', () => {
    let e = errorOf(fakeContext(), 'SHOW PROXYSESSION ATTRIBUTE 77');
    assert.deepEqual([e.errno, e.sqlState, e.message], [1094, 'HY000', 'Unknown thread id: 77']);
    e = errorOf(fakeContext({ user: USERS.app, current: 2 }), 'SHOW PROXYSESSION STAT 3');
    assert.equal(e.errno, 1094);
  });
});

void describe('SHOW PROXYSESSION STAT / VARIABLES', () => {
  void test('per-session counters under ODP stat names', () => {
    const ctx = fakeContext({ current: 2 });
    assert.deepEqual(rowsOf(ctx, 'SHOW PROXYSESSION STAT').rows, [
      ['total_transaction_count', '5'], ['client_requests', '42'], ['client_request_total_size', '1234'],
      ['client_response_total_size', '56789'], ['current_server_connections', '1'],
    ]);
    assert.deepEqual(rowsOf(ctx, "SHOW PROXYSESSION STAT 2 LIKE '%size'").rows.map((r) => r[0]),
      ['client_request_total_size', 'client_response_total_size']);
  });

  void test('VARIABLES: no tracked variables yet, but the session is checked', () => {
    assert.deepEqual(rowsOf(fakeContext(), 'SHOW PROXYSESSION VARIABLES ALL 2').rows, []);
    assert.equal(errorOf(fakeContext(), "SHOW PROXYSESSION VARIABLES 9 LIKE 'a%'").errno, 1094);
  });
});

void describe('SHOW PROCESSLIST and SHOW PROXYSM', () => {
  void test('processlist rows', () => {
    assert.deepEqual(rowsOf(fakeContext(), 'SHOW PROCESSLIST').rows[1],
      ['2', 'sys', 'app', '127.0.0.1:49999', 'test', '5', '1', 'MCS_KEEP_ALIVE', '4242', '4242']);
  });

  void test('proxysm rows, all or one', () => {
    const ctx = fakeContext();
    assert.deepEqual(rowsOf(ctx, 'SHOW PROXYSM 2').rows,
      [['2', null, '3221487617', '127.0.0.2:2881', '2', '7230691421644980002', 'obcluster', 'state=ready in_trans=false']]);
    assert.equal(rowsOf(ctx, 'SHOW PROXYSM').rows.length, 3);
    assert.equal(rowsOf(ctx, 'SHOW PROXYSM').rows[0]?.[6], 'obcluster', 'a session without a cluster shows the configured one');
  });
});

void describe('KILL', () => {
  void test('KILL and KILL CONNECTION close a session; unknown ids are ER_NO_SUCH_THREAD', () => {
    const ctx = fakeContext();
    assert.deepEqual(run(ctx, 'KILL 3'), { kind: 'ok' });
    assert.deepEqual(run(ctx, 'kill connection 2'), { kind: 'ok' });
    assert.deepEqual(ctx.killed, [3, 2]);
    assert.equal(errorOf(ctx, 'KILL 3').errno, 1094);
  });

  void test('a normal user may kill their own sessions only', () => {
    const ctx = fakeContext({ user: USERS.app, current: 2 });
    const e = errorOf(ctx, 'KILL 3');
    assert.deepEqual([e.errno, e.sqlState, e.message], [1095, 'HY000', 'You are not owner of thread 3']);
    assert.deepEqual(run(ctx, 'KILL 2'), { kind: 'ok' });
    assert.deepEqual(ctx.killed, [2]);
  });

  void test('KILL QUERY is not supported yet', () => {
    const ctx = fakeContext();
    const e = errorOf(ctx, 'KILL QUERY 2');
    assert.deepEqual([e.errno, e.sqlState], [1235, '42000']);
    assert.match(e.message, /KILL QUERY/);
    assert.deepEqual(ctx.killed, []);
  });

  void test('KILL PROXYSESSION closes a session; the ss_id form is not supported yet', () => {
    const ctx = fakeContext();
    assert.deepEqual(run(ctx, 'KILL PROXYSESSION 2'), { kind: 'ok' });
    assert.equal(errorOf(ctx, 'KILL PROXYSESSION 2').errno, 1094);
    assert.equal(errorOf(ctx, 'KILL PROXYSESSION 3 1').errno, 1235);
    assert.deepEqual(ctx.killed, [2]);
  });
});
