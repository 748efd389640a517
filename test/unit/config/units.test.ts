// Value syntax: expected numbers are computed by hand from the unit definitions (1s = 10^6 us, 1KB = 1024 B,
// bare TIME = seconds, bare CAP = megabytes, as ODP's ob_config.cpp parses them).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  formatBytes, formatTimeUs, parseBool, parseBytes, parseInteger, parseLogLevel, parseTimeUs, splitList,
} from '../../../src/config/units.js';
import { findParam } from '../../../src/config/params.js';
import type { ParamDef } from '../../../src/config/params.js';
import { validateValue } from '../../../src/config/validate.js';

const US_PER: Record<string, number> = { us: 1, ms: 1e3, s: 1e6, m: 6e7, h: 3.6e9, d: 8.64e10 };
const BYTES_PER: Record<string, number> = { b: 1, kb: 1024, k: 1024, mb: 1048576, m: 1048576, gb: 1073741824, g: 1073741824 };

function def(name: string): ParamDef {
  const d = findParam(name);
  assert.ok(d !== undefined, name);
  return d;
}

function accepts(name: string, raw: string): string {
  const v = validateValue(def(name), raw);
  assert.ok(v.ok, `${name}=${raw} refused: ${v.ok ? '' : v.error}`);
  return v.value;
}

function refuses(name: string, raw: string): string {
  const v = validateValue(def(name), raw);
  assert.ok(!v.ok, `${name}=${raw} accepted`);
  return v.error;
}

void describe('TIME', () => {
  void test('units and the bare-number default (seconds)', () => {
    assert.equal(parseTimeUs('500ms'), 500_000);
    assert.equal(parseTimeUs('10'), 10_000_000);
    assert.equal(parseTimeUs('10s'), 10_000_000);
    assert.equal(parseTimeUs('2h'), 7_200_000_000);
    assert.equal(parseTimeUs('1d'), 86_400_000_000);
    assert.equal(parseTimeUs('3M'), 180_000_000);
    assert.equal(parseTimeUs('7US'), 7);
    assert.equal(parseTimeUs('0d'), 0);
    assert.equal(parseTimeUs(' 180000s '), 180_000_000_000);
  });

  void test('bad text', () => {
    for (const bad of ['', 's', '1.5s', '-1s', '10 sec', '1w', '0x10', 'ms10', '1e3']) assert.equal(parseTimeUs(bad), undefined, bad);
    assert.equal(parseTimeUs('99999999999999d'), undefined); // beyond 2^53 microseconds
  });

  void test('any n with any unit is n times the unit; formatting reads back', () => {
    // 100000d is 8.64e15 us, inside 2^53; the parser refuses larger values (tested above).
    fc.assert(fc.property(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom(...Object.keys(US_PER)), (n, unit) => {
      const us = parseTimeUs(`${n}${unit}`);
      assert.equal(us, n * (US_PER[unit] ?? NaN));
      assert.equal(parseTimeUs(formatTimeUs(us ?? 0)), us);
    }));
    assert.equal(formatTimeUs(90_000_000), '90s');
    assert.equal(formatTimeUs(7_200_000_000), '2h');
    assert.equal(formatTimeUs(1_500), '1500us');
  });

  void test('ranges: inclusive and exclusive edges in the item units', () => {
    accepts('congestion_fail_window', '1h');
    accepts('congestion_fail_window', '3600000ms');
    accepts('congestion_fail_window', '1');
    refuses('congestion_fail_window', '3601s');
    refuses('congestion_fail_window', '999ms');
    accepts('slow_query_time_threshold', '0');
    accepts('slow_query_time_threshold', '30d');
    refuses('slow_query_time_threshold', '721h');
    assert.equal(accepts('slow_query_time_threshold', ' 10ms '), '10ms');
  });

  void test('message names parameter, value and range', () => {
    assert.equal(refuses('congestion_fail_window', '2h'),
      "invalid value '2h' for congestion_fail_window: expected a time (us, ms, s, m, h, d; bare number = seconds) in [1s, 1h]");
  });
});

void describe('CAP', () => {
  void test('units (powers of 1024) and the bare-number default (megabytes)', () => {
    assert.equal(parseBytes('4KB'), 4096);
    assert.equal(parseBytes('64K'), 65536);
    assert.equal(parseBytes('2G'), 2147483648);
    assert.equal(parseBytes('1T'), 1099511627776);
    assert.equal(parseBytes('16'), 16777216);
    assert.equal(parseBytes('4B'), 4);
    assert.equal(parseBytes('4byte'), 4);
    assert.equal(parseBytes('0'), 0);
    for (const bad of ['', 'KB', '1.5MB', '-1MB', '1XB', '1 K B']) assert.equal(parseBytes(bad), undefined, bad);
  });

  void test('any n with any unit is n times the unit; formatting reads back', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom(...Object.keys(BYTES_PER)), (n, unit) => {
      const b = parseBytes(`${n}${unit.toUpperCase()}`);
      assert.equal(b, n * (BYTES_PER[unit] ?? NaN));
      assert.equal(parseBytes(formatBytes(b ?? 0)), b);
    }));
  });

  void test('ranges', () => {
    accepts('request_buffer_length', '1KB');
    accepts('request_buffer_length', '16MB');
    accepts('request_buffer_length', '1024B');
    refuses('request_buffer_length', '1023B');
    refuses('request_buffer_length', '16777217B');
    refuses('request_buffer_length', '1023'); // bare = 1023 MB
    refuses('tunnel_request_size_threshold', '0');
    accepts('tunnel_request_size_threshold', '1B');
    accepts('log_dir_size_threshold', '256M');
    refuses('log_dir_size_threshold', '255MB');
  });
});

void describe('INT', () => {
  void test('parse', () => {
    assert.equal(parseInteger('8192'), 8192);
    assert.equal(parseInteger('-1'), -1);
    assert.equal(parseInteger('+7'), 7);
    for (const bad of ['', '1.0', '0x10', '1e3', '12a', '9007199254740993']) assert.equal(parseInteger(bad), undefined, bad);
  });

  void test('ranges with open and closed bounds', () => {
    refuses('listen_port', '1024');
    accepts('listen_port', '1025');
    accepts('listen_port', '65535');
    refuses('listen_port', '65536');
    accepts('client_max_connections', '0');
    accepts('client_max_connections', '9007199254740991');
    refuses('client_max_connections', '-1');
    accepts('hot_upgrade_exit_timeout', '-1');
    accepts('hot_upgrade_exit_timeout', '86400000000');
    refuses('hot_upgrade_exit_timeout', '86400000001');
    accepts('partition_location_expire_relative_time', '-36000000');
    accepts('digest_sql_length', '-5'); // no range in ODP
    assert.equal(accepts('proxy_id', '007'), '7');
  });

  void test('the message of the brief', () => {
    assert.equal(refuses('client_max_connections', 'abc'),
      "invalid value 'abc' for client_max_connections: expected an integer in [0, +inf)");
    assert.equal(refuses('listen_port', '80'), "invalid value '80' for listen_port: expected an integer in (1024, 65536)");
  });
});

void describe('BOOL, STR_LIST, enumerations, formats, levels, IPs', () => {
  void test('BOOL words, shown as True/False', () => {
    for (const t of ['true', 'TRUE', 'on', 'Yes', 't', '1']) assert.equal(parseBool(t), true, t);
    for (const f of ['false', 'Off', 'NO', 'F', '0']) assert.equal(parseBool(f), false, f);
    for (const bad of ['', '2', 'enabled', 'tru']) assert.equal(parseBool(bad), undefined, bad);
    assert.equal(accepts('enable_congestion', 'yes'), 'True');
    assert.equal(refuses('enable_congestion', 'maybe'), "invalid value 'maybe' for enable_congestion: expected true or false");
  });

  void test('STR_LIST splits on semicolons', () => {
    assert.deepEqual(splitList(':;-;.'), [':', '-', '.']);
    assert.deepEqual(splitList('10.0.0.1:2881;10.0.0.2:2881;'), ['10.0.0.1:2881', '10.0.0.2:2881']);
    assert.deepEqual(splitList(''), []);
    const v = validateValue(def('username_separator'), ':;-;.');
    assert.ok(v.ok);
    assert.deepEqual(v.parsed, [':', '-', '.']);
  });

  void test('address lists', () => {
    accepts('rootservice_list', '10.0.0.1:2881;10.0.0.2:2881');
    accepts('rootservice_list', '[::1]:2881;obs1.local:2881');
    accepts('rootservice_list', '');
    refuses('rootservice_list', '10.0.0.1');
    refuses('rootservice_list', '10.0.0.1:99999');
    refuses('rootservice_list', '[zz]:1');
    accepts('target_db_server', '10.0.0.1:2881,10.0.0.2:2881;10.0.0.3:2881');
    refuses('target_db_server', '10.0.0.1:2881,abc');
    refuses('target_db_server', '10.0.0.1:2881;;10.0.0.2');
  });

  void test('enumerations are case-insensitive and stored in their canonical spelling', () => {
    assert.equal(accepts('server_routing_mode', 'MySQL'), 'mysql');
    assert.equal(accepts('proxy_route_policy', ''), '');
    assert.equal(refuses('server_routing_mode', 'postgres'),
      "invalid value 'postgres' for server_routing_mode: expected one of 'oceanbase', 'random', 'mock', 'mysql'");
  });

  void test('compression and password formats', () => {
    accepts('compression_algorithm', 'zlib:6');
    accepts('compression_algorithm', '');
    refuses('compression_algorithm', 'lz4:1');
    refuses('compression_algorithm', 'zlib:10');
    accepts('obproxy_sys_password', 'a9993e364706816aba3e25717850c26c9cd0d89d');
    accepts('obproxy_sys_password', '');
    refuses('obproxy_sys_password', 'secret');
  });

  void test('log levels, alone or per module', () => {
    assert.equal(parseLogLevel('wdiag'), 'WDIAG');
    assert.equal(parseLogLevel('ALL.*:INFO, proxy.*:debug'), 'ALL.*:INFO,PROXY.*:DEBUG');
    assert.equal(parseLogLevel('LOUD'), undefined);
    assert.equal(parseLogLevel('ALL.*:LOUD'), undefined);
    assert.equal(parseLogLevel(''), undefined);
  });

  void test('IP items take IPv4 or IPv6 addresses only', () => {
    accepts('local_bound_ip', '127.0.0.1');
    accepts('local_bound_ipv6_ip', '::1');
    refuses('local_bound_ip', 'localhost');
    refuses('local_bound_ip', '256.0.0.1');
  });

  void test('text items refuse line breaks and over-long values', () => {
    refuses('init_sql', 'set a=1;\nset b=2');
    const long = validateValue(def('init_sql'), 'x'.repeat(4097));
    assert.ok(!long.ok && long.error.includes('4097 characters'));
    accepts('init_sql', 'x'.repeat(4096));
  });
});
