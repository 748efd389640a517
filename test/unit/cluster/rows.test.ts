// Row parsing of src/cluster/rows.ts and the server join of src/cluster/resource.ts. Oracles: result sets built by
// hand with the column names the spec §3.2/§3.3 queries select (their aliases), values written as the text protocol
// carries them (integers and `x is not null` flags as decimal text); the SQL texts are checked against the lab's own
// transcription of the spec (lab/seekdb/metadata.ts bootstrapSql, written separately from src/cluster).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueryResult } from '../../../src/backend/internal-query.js';
import {
  dummyEntrySql, escapeTenant, SERVER_ZONE_INIT_SQL, SERVERS_SQL, TENANTS_SQL, VERSION_SQL, ZONES_SQL,
} from '../../../src/cluster/metadata-sql.js';
import { joinServers, toServer } from '../../../src/cluster/resource.js';
import {
  majorVersion, MetadataShapeError, parseDummyEntry, parseServers, parseServerZoneInit, parseTenants, parseVersion, parseZones, serverKey,
} from '../../../src/cluster/rows.js';
import { bootstrapSql } from '../../../lab/seekdb/metadata.js';

type Cell = string | number | null;

/** A text result set: every value as the bytes of its decimal/text form, null as SQL NULL. */
function result(columns: readonly string[], rows: readonly (readonly Cell[])[]): QueryResult {
  return {
    kind: 'rows',
    columns: columns.map((name) => ({ name, type: 253, charset: 45, flags: 0 })),
    rows: rows.map((r) => r.map((v) => (v === null ? null : Buffer.from(String(v), 'utf8')))),
    status: 2,
  };
}

const INIT_COLS = ['cluster', 'zone', 'zone_status', 'server_status', 'region', 'spare4', 'spare5', 'svr_ip', 'svr_port', 'rpc_port', 'start_service_time', 'stop_time'];
const SERVER_COLS = ['svr_ip', 'rpc_port', 'svr_port', 'zone', 'status', 'start_service_time', 'stop_time'];
const ZONE_COLS = ['zone', 'status', 'is_merging', 'region', 'spare4', 'spare5'];
const TENANT_COLS = ['tenant_name', 'tenant_id', 'locality', 'previous_locality', 'primary_zone', 'status'];
/** `A.*` of __all_virtual_proxy_schema (OceanBase 4.x column order) plus `B.svr_port as svr_port`. */
const DUMMY_COLS = ['tenant_name', 'database_name', 'table_name', 'tablet_id', 'svr_ip', 'sql_port', 'table_id', 'role', 'part_num',
  'replica_num', 'table_type', 'schema_version', 'replica_type', 'dup_replica_type', 'memstore_percent', 'spare1', 'spare2', 'spare3',
  'spare4', 'spare5', 'spare6', 'complex_table_type', 'level1_decoded_db_name', 'level1_decoded_table_name', 'level2_decoded_db_name',
  'level2_decoded_table_name', 'svr_port'];

function dummyRow(ip: string, sqlPort: number, role: Cell): Cell[] {
  return ['test', 'oceanbase', '__all_dummy', 0, ip, sqlPort, 1, role, 1, 3, 0, 1735689600000000, 0, 0, 100, 0, 0, 0, '', '', '', 0, '', '', '', '', 2882];
}

describe('metadata SQL text (spec §3.2, §3.3)', () => {
  const lab = bootstrapSql();
  test('matches the lab transcription of the spec', () => {
    assert.equal(VERSION_SQL, lab['version']);
    assert.equal(SERVER_ZONE_INIT_SQL, lab['serverZoneInit']);
    assert.equal(ZONES_SQL, lab['zones']);
    assert.equal(SERVERS_SQL, lab['servers']);
    assert.equal(TENANTS_SQL, lab['tenants']);
    assert.equal(dummyEntrySql('sys'), lab['dummyEntry']);
  });
  test('tenant names are escaped as spec §3.3 says', () => {
    assert.equal(escapeTenant("a'b\\c"), "a''b\\\\c");
    assert.ok(dummyEntrySql("x' OR '1'='1").includes("A.tenant_name = 'x'' OR ''1''=''1' AND"));
  });
});

describe('version', () => {
  test('ob_version() text and its major version', () => {
    assert.equal(parseVersion(result(['cluster_version'], [['4.3.5.3']])), '4.3.5.3');
    assert.equal(majorVersion('4.3.5.3'), 4);
    assert.equal(majorVersion('3.2.4.1'), 3);
    assert.equal(majorVersion('10.0.0'), 10);
    assert.equal(majorVersion('OceanBase'), null);
    assert.equal(majorVersion(''), null);
  });
  test('an ERR, a missing column, no row or a NULL row is an unusable result', () => {
    const err: QueryResult = { kind: 'err', errno: 1305, sqlState: '42000', message: 'FUNCTION ob_version does not exist' };
    assert.throws(() => parseVersion(err), (e: Error) => e instanceof MetadataShapeError && /1305/.test(e.message));
    assert.throws(() => parseVersion(result(['version'], [['4.3']])), /lacks column\(s\) cluster_version/);
    assert.throws(() => parseVersion(result(['cluster_version'], [])), /no usable row/);
    assert.throws(() => parseVersion(result(['cluster_version'], [[null]])), /cluster_version is NULL/);
    const ok: QueryResult = { kind: 'ok', affectedRows: 0, lastInsertId: 0n, status: 2, warnings: 0 };
    assert.throws(() => parseVersion(ok), /no result set/);
  });
});

describe('server/zone bootstrap rows', () => {
  test('three servers with zones, regions, IDC and zone types', () => {
    const p = parseServerZoneInit(result(INIT_COLS, [
      ['lab_cluster', 'zone1', 'ACTIVE', 'ACTIVE', 'hangzhou', 'hz1', 'ReadWrite', '127.0.0.2', 2881, 2882, 1, 0],
      ['lab_cluster', 'zone2', 'ACTIVE', 'INACTIVE', 'hangzhou', 'hz2', 'ReadWrite', '127.0.0.3', 2881, 2882, 1, 0],
      ['lab_cluster', 'zone3', 'ACTIVE', 'ACTIVE', 'shanghai', 'sh1', 'ReadOnly', '127.0.0.4', 3881, 3882, 0, 1],
    ]));
    assert.deepEqual(p.skipped, []);
    assert.deepEqual(p.items[0], {
      ip: '127.0.0.2', port: 2881, rpcPort: 2882, zone: 'zone1', status: 'ACTIVE', startService: true, stopped: false,
      cluster: 'lab_cluster', zoneStatus: 'ACTIVE', region: 'hangzhou', idc: 'hz1', zoneType: 'ReadWrite',
    });
    assert.equal(p.items[1]?.status, 'INACTIVE');
    assert.deepEqual([p.items[2]?.port, p.items[2]?.rpcPort, p.items[2]?.startService, p.items[2]?.stopped, p.items[2]?.zoneType], [3881, 3882, false, true, 'ReadOnly']);
  });
  test('a server without a zone row (left join: NULL zone columns) is kept with empty zone data', () => {
    const p = parseServerZoneInit(result(INIT_COLS, [['c', null, null, 'ACTIVE', null, null, null, '10.0.0.1', 2881, 2882, 1, 0]]));
    assert.deepEqual(p.skipped, []);
    assert.deepEqual([p.items[0]?.zone, p.items[0]?.zoneStatus, p.items[0]?.region, p.items[0]?.idc], ['', null, '', '']);
  });
  test('column names are matched case-insensitively', () => {
    const p = parseServerZoneInit(result(INIT_COLS.map((c) => c.toUpperCase()), [['c', 'z1', 'ACTIVE', 'ACTIVE', 'r', 'i', 'ReadWrite', '::1', 2881, 2882, 1, 0]]));
    assert.equal(p.items[0]?.ip, '::1');
  });
  test('a missing column makes the whole result unusable, naming the columns', () => {
    assert.throws(() => parseServerZoneInit(result(INIT_COLS.filter((c) => c !== 'spare4' && c !== 'rpc_port'), [])),
      (e: Error) => e instanceof MetadataShapeError && /lacks column\(s\) spare4, rpc_port/.test(e.message));
  });
});

describe('periodic server and zone rows', () => {
  test('bad server rows are skipped with their reason, good ones kept', () => {
    const p = parseServers(result(SERVER_COLS, [
      ['127.0.0.2', 2882, 2881, 'zone1', 'ACTIVE', 1, 0],
      [null, 2882, 2881, 'zone1', 'ACTIVE', 1, 0],
      ['127.0.0.3', 2882, 'abc', 'zone2', 'ACTIVE', 1, 0],
      ['127.0.0.3', 2882, 0, 'zone2', 'ACTIVE', 1, 0],
      ['127.0.0.3', 2882, 70000, 'zone2', 'ACTIVE', 1, 0],
      ['not-an-ip', 2882, 2881, 'zone2', 'ACTIVE', 1, 0],
      ['127.0.0.4', 2882, 2881, 'zone3', 'ACTIVE', 2, 0],
      ['127.0.0.4', 2882, 2881, null, 'ACTIVE', 1, 0],
      ['127.0.0.4', 2882, 2881, 'zone3', 'ACTIVE', 1, '99999999999999999999'],
      ['127.0.0.4', 2882, 2881],
      ['127.0.0.5', 2882, 2881, 'zone3', 'DELETING', 1, 0],
    ]));
    assert.deepEqual(p.items.map((s) => `${s.ip}:${s.port} ${s.status}`), ['127.0.0.2:2881 ACTIVE', '127.0.0.5:2881 DELETING']);
    assert.equal(p.skipped.length, 9);
    assert.match(p.skipped[0]!, /^server list row 2: svr_ip is NULL$/);
    assert.match(p.skipped[1]!, /row 3: svr_port 'abc' is not an integer/);
    assert.match(p.skipped[2]!, /row 4: svr_port 0 is not a port/);
    assert.match(p.skipped[3]!, /row 5: svr_port 70000 is not a port/);
    assert.match(p.skipped[4]!, /row 6: svr_ip 'not-an-ip' is not an IP address/);
    assert.match(p.skipped[5]!, /row 7: start_service_time 2 is not 0 or 1/);
    assert.match(p.skipped[6]!, /row 8: zone is NULL/);
    assert.match(p.skipped[7]!, /row 9: stop_time .* is not an integer/);
    assert.match(p.skipped[8]!, /row 10: no value for/);
  });
  test('control characters and long values are clipped in the reasons', () => {
    const p = parseServers(result(SERVER_COLS, [['127.0.0.2', 2882, `x\n${'y'.repeat(100)}`, 'z', 'ACTIVE', 1, 0]]));
    assert.ok(!p.skipped[0]!.includes('\n'));
    assert.ok(p.skipped[0]!.length < 140);
  });
  test('zones: region, IDC (spare4), type (spare5); NULL region/IDC become empty', () => {
    const p = parseZones(result(ZONE_COLS, [['zone1', 'ACTIVE', 0, 'hangzhou', 'hz1', 'ReadWrite'], ['zone9', 'INACTIVE', 0, null, null, null], [null, 'ACTIVE', 0, 'r', 'i', 't']]));
    assert.deepEqual(p.items, [
      { zone: 'zone1', status: 'ACTIVE', region: 'hangzhou', idc: 'hz1', type: 'ReadWrite' },
      { zone: 'zone9', status: 'INACTIVE', region: '', idc: '', type: '' },
    ]);
    assert.match(p.skipped[0]!, /zone list row 3: zone is NULL/);
  });
});

describe('server join and activity', () => {
  const srv = (ip: string, zone: string, status = 'ACTIVE', startService = true, stopped = false) => ({ ip, port: 2881, rpcPort: 2882, zone, status, startService, stopped });
  test('joinServers takes region, IDC and type from the zone; active needs ACTIVE, started, not stopped, zone ACTIVE', () => {
    const zones = [
      { zone: 'z1', status: 'ACTIVE', region: 'r1', idc: 'i1', type: 'ReadWrite' },
      { zone: 'z2', status: 'INACTIVE', region: 'r2', idc: 'i2', type: 'ReadOnly' },
    ];
    const out = joinServers([srv('10.0.0.1', 'z1'), srv('10.0.0.2', 'z2'), srv('10.0.0.3', 'z1', 'INACTIVE'), srv('10.0.0.4', 'z1', 'ACTIVE', false),
      srv('10.0.0.5', 'z1', 'ACTIVE', true, true), srv('10.0.0.6', 'nozone')], zones);
    assert.deepEqual(out[0], { key: '10.0.0.1:2881', ip: '10.0.0.1', port: 2881, rpcPort: 2882, zone: 'z1', region: 'r1', idc: 'i1', zoneType: 'ReadWrite', status: 'ACTIVE', active: true });
    assert.deepEqual(out.map((s) => s.active), [true, false, false, false, false, true]);
    assert.deepEqual([out[5]?.region, out[5]?.idc], ['', '']);
  });
  test('server keys are ip:port, IPv6 in brackets', () => {
    assert.equal(serverKey('127.0.0.2', 2881), '127.0.0.2:2881');
    assert.equal(serverKey('::1', 2881), '[::1]:2881');
    assert.equal(toServer(srv('::1', 'z'), null, '', '', '').key, '[::1]:2881');
  });
});

describe('tenants and __all_dummy entries', () => {
  test('tenant rows; bad ids and empty names are skipped', () => {
    const p = parseTenants(result(TENANT_COLS, [
      ['test', 1002, 'FULL{1}@zone1, FULL{1}@zone2', null, 'RANDOM', 'NORMAL'],
      ['bad', 'x', '', null, '', 'NORMAL'],
      ['', 1006, '', null, '', 'NORMAL'],
      ['solo', 1004, null, null, null, 'NORMAL'],
    ]));
    assert.deepEqual(p.items, [
      { name: 'test', id: 1002, locality: 'FULL{1}@zone1, FULL{1}@zone2', primaryZone: 'RANDOM', status: 'NORMAL' },
      { name: 'solo', id: 1004, locality: '', primaryZone: '', status: 'NORMAL' },
    ]);
    assert.equal(p.skipped.length, 2);
    assert.match(p.skipped[1]!, /tenant list row 3: tenant_name is empty/);
  });
  test('dummy entry: leader and followers; bad roles skipped; 0.0.0.0:0 dropped silently', () => {
    const p = parseDummyEntry(result(DUMMY_COLS, [
      dummyRow('127.0.0.2', 2881, 1), dummyRow('127.0.0.3', 2881, 2), dummyRow('127.0.0.4', 2881, 3), dummyRow('0.0.0.0', 0, 1),
    ]));
    assert.deepEqual(p.items, [
      { ip: '127.0.0.2', port: 2881, role: 1, tabletId: 0 },
      { ip: '127.0.0.3', port: 2881, role: 2, tabletId: 0 },
    ]);
    assert.deepEqual(p.skipped, ['__all_dummy entry row 3: role 3 is neither leader (1) nor follower (2)']);
  });
});
