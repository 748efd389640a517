// SHOW TRACE's ring and formatting (src/session/trace.ts). Expected phases are worked out by hand from the stamps;
// span names are ODP's (ob_trace_def.h in OceanBase: ob_proxy, ob_proxy_partition_location_lookup,
// ob_proxy_do_observer_open, ob_proxy_server_process_req, ob_proxy_server_response_read).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  StatementTrace, TraceRing, TRACE_RING_SIZE, formatElapse, parseShowTrace, phases, showTrace, spanRows, summaryRow,
} from '../../../src/session/trace.js';
import { parseRoute } from '../../../src/route/sql/index.js';
import { Command } from '../../../src/protocol/constants.js';

/** A trace with stamps in ms (performance.now() scale). */
function traceOf(a: number, p: number, r: number, s: number, f: number, d: number): StatementTrace {
  const t = new StatementTrace();
  t.seq = 1;
  t.command = Command.QUERY;
  t.sql = 'SELECT SLEEP(0.2)';
  t.server = '127.0.0.1:3306';
  t.arrivedAt = a;
  t.parsedAt = p;
  t.routedAt = r;
  t.sentAt = s;
  t.firstByteAt = f;
  t.doneAt = d;
  return t;
}

function fill(ring: TraceRing, n: number): StatementTrace[] {
  const got: StatementTrace[] = [];
  for (let i = 0; i < n; i++) {
    const t = ring.claim();
    assert.ok(t !== null);
    t.sql = `q${i + 1}`;
    got.push(t);
  }
  return got;
}

void describe('TraceRing', () => {
  void test('keeps the last 16 requests, oldest first, numbered from 1', () => {
    const ring = new TraceRing();
    assert.equal(ring.capacity, 16);
    assert.equal(TRACE_RING_SIZE, 16);
    assert.equal(ring.last(), null);
    assert.deepEqual(ring.recent(), []);
    fill(ring, 20);
    assert.equal(ring.size, 16);
    assert.deepEqual(ring.recent().map((t) => t.seq), [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    assert.deepEqual(ring.recent().map((t) => t.sql), Array.from({ length: 16 }, (_, i) => `q${i + 5}`));
    assert.equal(ring.last()?.seq, 20);
    assert.deepEqual(ring.recent(3).map((t) => t.seq), [18, 19, 20]);
    assert.deepEqual(ring.recent(100).length, 16);
    assert.deepEqual(ring.recent(0), []);
  });

  void test('before wrapping, recent() has only what was recorded', () => {
    const ring = new TraceRing(4);
    fill(ring, 3);
    assert.deepEqual(ring.recent().map((t) => t.seq), [1, 2, 3]);
    assert.equal(ring.last()?.sql, 'q3');
  });

  void test('slots are preallocated and reused: the 17th request fills the object of the 1st', () => {
    const ring = new TraceRing();
    const first = fill(ring, 16);
    const again = fill(ring, 16);
    for (let i = 0; i < 16; i++) assert.equal(again[i], first[i]);
    assert.equal(first[0]!.seq, 17);
  });

  void test('capacity 0 records nothing', () => {
    const ring = new TraceRing(0);
    assert.equal(ring.claim(), null);
    assert.equal(ring.last(), null);
    assert.equal(ring.size, 0);
  });
});

void describe('phases', () => {
  void test('each phase is the distance between consecutive stamps, in µs, and they add up to the total', () => {
    // parse 50 µs, route 150 µs, connect 800 µs, server 200 ms, transfer 500 µs.
    const p = phases(traceOf(1000, 1000.05, 1000.2, 1001, 1201, 1201.5));
    assert.deepEqual(p, { parse: 50, route: 150, connect: 800, server: 200_000, transfer: 500, total: 201_500 });
  });

  void test('a stamp from an earlier request (older than the arrival) collapses onto the previous boundary', () => {
    // No routing this time (parsedAt and routedAt are stale): parse and route are 0, connect starts at arrival.
    const p = phases(traceOf(5000, 10, 20, 5000.3, 5001, 5002));
    assert.deepEqual(p, { parse: 0, route: 0, connect: 300, server: 700, transfer: 1000, total: 2000 });
  });

  void test('out-of-order or future stamps never make a phase negative or exceed the total', () => {
    const p = phases(traceOf(100, 100.5, 100.2, 99, 500, 101));
    for (const v of [p.parse, p.route, p.connect, p.server, p.transfer]) assert.ok(v >= 0, JSON.stringify(p));
    assert.equal(p.parse + p.route + p.connect + p.server + p.transfer, p.total);
    assert.equal(p.total, 1000);
  });
});

void describe('SHOW TRACE rows', () => {
  void test('ob_proxy with five children in tree order, OceanBase-style time formats', () => {
    const rows = spanRows(traceOf(1000, 1000.05, 1000.2, 1001, 1201, 1201.5));
    assert.deepEqual(rows.map((r) => r[0]), [
      'ob_proxy',
      '├── ob_proxy_sql_parse',
      '├── ob_proxy_partition_location_lookup',
      '├── ob_proxy_do_observer_open',
      '├── ob_proxy_server_process_req',
      '└── ob_proxy_server_response_read',
    ]);
    assert.deepEqual(rows.map((r) => r[2]), ['201.500 ms', '0.050 ms', '0.150 ms', '0.800 ms', '200.000 ms', '0.500 ms']);
    for (const r of rows) assert.match(r[1]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    // The root and the first child start at arrival; the server span starts 1 ms later.
    assert.equal(rows[0]![1], rows[1]![1]);
    const micros = (s: string): number => Number(s.slice(-6));
    assert.equal((micros(rows[4]![1]!) - micros(rows[0]![1]!) + 1_000_000) % 1_000_000, 1000);
  });

  void test('formatElapse', () => {
    assert.equal(formatElapse(191_999), '191.999 ms');
    assert.equal(formatElapse(0), '0.000 ms');
    assert.equal(formatElapse(7), '0.007 ms');
  });

  void test('summary row: identity then µs phases', () => {
    const t = traceOf(1000, 1000.05, 1000.2, 1001, 1201, 1201.5);
    t.errno = 1064;
    const r = summaryRow(t);
    assert.equal(r.length, 12);
    assert.deepEqual([r[0], r[2], r[3], r[4], r[5]], ['1', 'COM_QUERY', 'SELECT SLEEP(0.2)', '127.0.0.1:3306', '1064']);
    assert.deepEqual(r.slice(6), ['50', '150', '800', '200000', '500', '201500']);
    t.sql = '';
    t.server = '';
    const n = summaryRow(t);
    assert.equal(n[3], null);
    assert.equal(n[4], null);
  });
});

void describe('SHOW TRACE statement', () => {
  void test('the route parser classifies every accepted form as SHOW / trace', () => {
    for (const sql of ['SHOW TRACE', 'show trace;', '/* c */ SHOW TRACE', 'SHOW TRACE SUMMARY', 'show trace summary limit 3']) {
      const p = parseRoute(sql);
      assert.equal(p.kind, 'SHOW', sql);
      assert.equal(p.objectType, 'trace', sql);
    }
  });

  void test('forms', () => {
    assert.deepEqual(parseShowTrace('SHOW TRACE'), { kind: 'spans' });
    assert.deepEqual(parseShowTrace('  show   trace ; '), { kind: 'spans' });
    assert.deepEqual(parseShowTrace('/* hint */ SHOW /* x */ TRACE -- tail'), { kind: 'spans' });
    assert.deepEqual(parseShowTrace('SHOW TRACE SUMMARY'), { kind: 'summary', limit: 16 });
    assert.deepEqual(parseShowTrace('show trace summary limit 3;'), { kind: 'summary', limit: 3 });
    assert.equal(parseShowTrace("SHOW TRACE FORMAT='JSON'").kind, 'unsupported');
    assert.equal(parseShowTrace('SHOW TRACE SUMMARY LIMIT -1').kind, 'unsupported');
  });

  void test('answers: columns, rows from the ring, 1235 for other forms', () => {
    const ring = new TraceRing();
    const empty = showTrace(ring, 'SHOW TRACE');
    assert.equal(empty.kind, 'rows');
    if (empty.kind === 'rows') {
      assert.deepEqual(empty.columns, ['Operation', 'StartTime', 'ElapseTime']);
      assert.equal(empty.rows.length, 0);
    }
    for (let i = 0; i < 3; i++) {
      const t = ring.claim()!;
      t.command = Command.QUERY;
      t.sql = `SELECT ${i}`;
      t.arrivedAt = 10 * i;
      t.parsedAt = t.routedAt = t.sentAt = t.firstByteAt = 10 * i + 1;
      t.doneAt = 10 * i + 2;
    }
    const spans = showTrace(ring, 'SHOW TRACE');
    assert.ok(spans.kind === 'rows');
    assert.equal(spans.rows.length, 6);
    assert.equal(spans.rows[0]![2], '2.000 ms');
    const sum = showTrace(ring, 'SHOW TRACE SUMMARY LIMIT 2');
    assert.ok(sum.kind === 'rows');
    assert.deepEqual(sum.columns.slice(0, 4), ['seq', 'start_time', 'command', 'sql']);
    assert.deepEqual(sum.rows.map((r) => r[3]), ['SELECT 1', 'SELECT 2']);
    const bad = showTrace(ring, "SHOW TRACE FORMAT='JSON'");
    assert.ok(bad.kind === 'error');
    assert.equal(bad.errno, 1235);
  });
});
