// Formats of spec §10, checked by formatting records and parsing the lines back with independent parsers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  escapeMonitorText, formatDiagnosisLine, formatDigestLine, formatErrorLine, formatLogTime, formatSlowLine,
  formatStatLine, formatSyslogLine, formatTraceId, newDigestRecord, truncateSql,
} from '../../../src/observe/log-formats.js';
import type { DigestRecord, StatRecord } from '../../../src/observe/log-formats.js';
import { LogLevel } from '../../../src/observe/log.js';
import { parseDiagnosisLine, parseDigestLine, parseErrorLine, parseStatLine, parseSyslogLine, parseTime } from './parsers.js';

/** 2024-03-05 06:07:08.009010 local time, in µs. */
const T = new Date(2024, 2, 5, 6, 7, 8).getTime() * 1000 + 9010;

function record(over: Partial<DigestRecord> = {}): DigestRecord {
  return Object.assign(newDigestRecord(), {
    timeUs: T, logicTenant: 'obproxy', logicDb: '', cluster: 'obcluster', tenant: 'tenant1', db: 'test',
    dbType: 'OB_MYSQL', table: 't1', sqlCmd: 'COM_QUERY', stmtType: 'SELECT', sql: 'select * from t1',
    totalUs: 18425, prepareUs: 36, serverUs: 18258, traceId: 'Y7F000001-00000000000000AB',
    serverTraceId: 'YB42AC1E-0005F6C6F0B9E5B4', clientAddr: '127.0.0.1:49548', serverAddr: '10.0.0.2:2881',
  }, over);
}

describe('time and trace id', () => {
  test('local time with microseconds', () => {
    assert.equal(formatLogTime(T), '2024-03-05 06:07:08.009010');
    assert.equal(formatLogTime(T - 9010 + 7), '2024-03-05 06:07:08.000007');
    assert.equal(formatLogTime(T + 1_000_000 - 9010 - 1), '2024-03-05 06:07:08.999999');
    assert.equal(parseTime(formatLogTime(T)), T);
  });

  test('trace id is Y<hex>-<16 hex>, upper case', () => {
    assert.equal(formatTraceId(0xb420ba1c, 0x5f6c6f0b9e5b4), 'YB420BA1C-0005F6C6F0B9E5B4');
    assert.equal(formatTraceId(0, 0), 'Y0-0000000000000000');
  });
});

describe('SQL escaping and truncation', () => {
  test('only , and \\n are escaped, as %2C and %0A', () => {
    assert.equal(escapeMonitorText("select a,b from t where x='1\n2'"), "select a%2Cb from t where x='1%0A2'");
    assert.equal(escapeMonitorText('100% done\r\t'), '100% done\r\t');
  });

  test('escaping leaves no separator and is undone by decoding when the text had no %', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      const e = escapeMonitorText(s);
      assert.ok(!e.includes(',') && !e.includes('\n'));
      if (!s.includes('%')) assert.equal(e.replaceAll('%2C', ',').replaceAll('%0A', '\n'), s);
    }));
  });

  test('truncation to digest_sql_length, 0 meaning 1024, never inside a surrogate pair', () => {
    assert.equal(truncateSql('abcdef', 3), 'abc');
    assert.equal(truncateSql('a'.repeat(2000), 0).length, 1024);
    assert.equal(truncateSql('ab\u{1F600}c', 3), 'ab');
    assert.equal(truncateSql('ab\u{1F600}c', 4), 'ab\u{1F600}');
  });
});

describe('digest / slow line', () => {
  test('fields in the documented order', () => {
    const f = parseDigestLine(formatDigestLine(record(), 1024));
    assert.equal(f.timeUs, T);
    assert.deepEqual({ ...f, timeUs: 0 }, {
      timeUs: 0, logicTenant: 'obproxy', antTraceId: '', rpcId: '', logicDb: '', clusterTenantDb: 'obcluster:tenant1:test',
      dbType: 'OB_MYSQL', logicTable: '', table: 't1', sqlCmd: 'COM_QUERY', stmtType: 'SELECT', result: 'success',
      errorCode: '', sql: 'select * from t1', totalTime: '18425us', prepareTime: '36us', connectTime: '0us',
      serverTime: '18258us', traceId: 'Y7F000001-00000000000000AB', serverTraceId: 'YB42AC1E-0005F6C6F0B9E5B4',
      clientAddr: '127.0.0.1:49548', shardName: '', encBeyondTrust: '0', serverAddr: '10.0.0.2:2881',
    });
  });

  test('SQL is truncated first, then escaped', () => {
    const f = parseDigestLine(formatDigestLine(record({ sql: 'select 1,\n2,3' }), 11));
    assert.equal(f.sql, 'select 1%2C%0A2');
  });

  test('failed requests print failed and the error code', () => {
    const f = parseDigestLine(formatDigestLine(record({ failed: true, errorCode: 1146 }), 0));
    assert.equal(f.result, 'failed');
    assert.equal(f.errorCode, '1146');
  });

  test('non-SQL commands leave stmt_type and sql empty', () => {
    const f = parseDigestLine(formatDigestLine(record({ sqlCmd: 'COM_PING', stmtType: 'SELECT', sql: 'x' }), 0));
    assert.equal(f.sqlCmd, 'COM_PING');
    assert.equal(f.stmtType, '');
    assert.equal(f.sql, '');
  });

  test('enc_beyond_trust prints 1, and the slow log uses the same format', () => {
    const r = record({ encBeyondTrust: true });
    assert.equal(parseDigestLine(formatSlowLine(r, 0)).encBeyondTrust, '1');
    assert.equal(formatSlowLine(r, 0), formatDigestLine(r, 0));
  });
});

describe('error line', () => {
  test('digest fields then error message and server trace id', () => {
    const r = record({ failed: true, errorCode: 1064, errorMsg: "syntax error near 'a,b'\nat line 1", sql: 'selec a,b' });
    const f = parseErrorLine(formatErrorLine(r, 0));
    assert.equal(f.result, 'failed');
    assert.equal(f.errorCode, '1064');
    assert.equal(f.sql, 'selec a%2Cb');
    assert.equal(f.errorMsg, "syntax error near 'a%2Cb'%0Aat line 1");
    assert.equal(f.lastServerTraceId, 'YB42AC1E-0005F6C6F0B9E5B4');
  });
});

describe('stat line', () => {
  const stat: StatRecord = {
    timeUs: T, logicTenant: 'obproxy', logicDb: '', cluster: 'c1', tenant: 't1', db: 'd1', dbType: 'MYSQL',
    stmtType: 'INSERT', errorCode: '', totalCount: 10, lowCount: 3, middleCount: 2, highCount: 1,
    totalUs: 1500, prepareUs: 20, serverUs: 1234,
  };

  test('fields in the documented order, times in us', () => {
    const f = parseStatLine(formatStatLine(stat, false));
    assert.equal(f.timeUs, T);
    assert.deepEqual({ ...f, timeUs: 0 }, {
      timeUs: 0, logicTenant: 'obproxy', logicDb: '', clusterTenantDb: 'c1:t1:d1', dbType: 'MYSQL', stmtType: 'INSERT',
      result: 'success', errorCode: '', totalCount: '10', lowCount: '3', middleCount: '2', highCount: '1',
      totalTime: '1500us', prepareTime: '20us', serverTime: '1234us',
    });
  });

  test('monitor_cost_ms_unit prints %.3fms; an error code makes the row failed', () => {
    const f = parseStatLine(formatStatLine({ ...stat, errorCode: '1062' }, true));
    assert.equal(f.totalTime, '1.500ms');
    assert.equal(f.prepareTime, '0.020ms');
    assert.equal(f.serverTime, '1.234ms');
    assert.equal(f.result, 'failed');
    assert.equal(f.errorCode, '1062');
  });
});

describe('obproxy.log line', () => {
  const base = { timeUs: T, mod: 'PROXY.SM', func: 'setup_client', location: 'client-session.ts:120', tid: 4242,
    traceId: 'Y0-0000000000000000', ltUs: 17, dropped: 3, msg: 'hello\nworld' };

  test('INFO: file:line, no function', () => {
    const f = parseSyslogLine(formatSyslogLine({ ...base, level: LogLevel.INFO }));
    assert.deepEqual(f, { timeUs: T, level: 'INFO', mod: 'PROXY.SM', func: null, location: 'client-session.ts:120',
      tid: 4242, traceId: 'Y0-0000000000000000', lt: 17, dc: 3, msg: 'hello\\nworld' });
  });

  test('ERROR, USER_ERR and WARN insert the function name', () => {
    for (const level of [LogLevel.ERROR, LogLevel.USER_ERR, LogLevel.WARN]) {
      const f = parseSyslogLine(formatSyslogLine({ ...base, level }));
      assert.equal(f.func, 'setup_client');
      assert.equal(f.location, 'client-session.ts:120');
    }
    assert.equal(parseSyslogLine(formatSyslogLine({ ...base, level: LogLevel.WDIAG })).func, null);
  });
});

describe('diagnosis line', () => {
  test('[time] [tid][trace] [TAG](body), single line', () => {
    const line = formatDiagnosisLine(T, 7, 'Y1-0000000000000002', 'ROUTE', '*route_diagnosis=> SQL_PARSE:{cmd:"COM_QUERY"}\n> X');
    assert.ok(!line.includes('\n'));
    assert.deepEqual(parseDiagnosisLine(line), { timeUs: T, tid: 7, traceId: 'Y1-0000000000000002', tag: 'ROUTE',
      body: '*route_diagnosis=> SQL_PARSE:{cmd:"COM_QUERY"}/n> X' });
  });
});
