// The variable table, server naming and the SQL literals of read-back values. Expected literals are written by
// hand from the MySQL literal grammar; the round-trip test (roundtrip.test.ts) checks them on a real server.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalVarName, collatedString, renderSysReadBack, renderTracked, renderUserReadBack, serverVarName, sysString,
  varNamingFor, varPolicy,
} from '../../../src/session/vars.js';

const LONGLONG = 8;
const NEWDECIMAL = 246;
const DOUBLE = 5;
const VAR_STRING = 253;
const MEDIUM_BLOB = 250;

describe('variable table', () => {
  test('policies', () => {
    assert.equal(varPolicy('sql_mode'), 'replay');
    assert.equal(varPolicy('some_future_variable'), 'replay');
    assert.equal(varPolicy('INSERT_ID'), 'one_shot');
    assert.equal(varPolicy('rand_seed2'), 'one_shot');
    assert.equal(varPolicy('gtid_next'), 'pin');
    assert.equal(varPolicy('pseudo_replica_mode'), 'pin');
    assert.equal(varPolicy('character_set_database'), 'ignore');
    assert.equal(varPolicy('ob_proxy_partition_hit'), 'ignore');
  });

  test('aliases resolve to one canonical lower-case name', () => {
    assert.equal(canonicalVarName('TX_ISOLATION'), 'transaction_isolation');
    assert.equal(canonicalVarName('tx_read_only'), 'transaction_read_only');
    assert.equal(canonicalVarName('identity'), 'last_insert_id');
    assert.equal(canonicalVarName('Storage_Engine'), 'default_storage_engine');
    assert.equal(canonicalVarName('Time_Zone'), 'time_zone');
  });

  test('server naming from handshake versions', () => {
    assert.equal(varNamingFor('10.11.19-MariaDB-0+deb12u1'), 'legacy');
    assert.equal(varNamingFor('5.5.5-10.6.12-MariaDB'), 'legacy');
    assert.equal(varNamingFor('11.4.2-MariaDB'), 'modern');
    assert.equal(varNamingFor('8.0.36'), 'modern');
    assert.equal(varNamingFor('5.7.19-log'), 'legacy');
    assert.equal(varNamingFor('5.7.25-OceanBase-v4.2.1.0'), 'legacy');
    assert.equal(serverVarName('transaction_read_only', 'legacy'), 'tx_read_only');
    assert.equal(serverVarName('sql_mode', 'legacy'), 'sql_mode');
  });
});

describe('read-back literals', () => {
  const b = (s: string): Buffer => Buffer.from(s, 'latin1');
  const userStr = (raw: Buffer, coll: string): string => renderUserReadBack(b('ignored'), MEDIUM_BLOB, b(coll), raw);

  test('numbers keep their type', () => {
    const num = (s: string, type: number): string => renderUserReadBack(b(s), type, b('binary'), b(s));
    assert.equal(num('-42', LONGLONG), '-42');
    assert.equal(num('18446744073709551615', LONGLONG), '18446744073709551615');
    assert.equal(num('2.50', NEWDECIMAL), '2.50');
    assert.equal(num('1.5', DOUBLE), '1.5e0');
    assert.equal(num('1e300', DOUBLE), '1e300');
    assert.equal(renderSysReadBack(b('1.5'), DOUBLE, 63), '1.5');
    assert.equal(renderSysReadBack(b('0'), LONGLONG, 63), '0');
    assert.equal(renderUserReadBack(null, LONGLONG, b('binary'), null), 'NULL');
    assert.equal(renderSysReadBack(null, VAR_STRING, 45), 'NULL');
  });

  test('user strings: unconverted bytes with their own charset and collation', () => {
    assert.equal(userStr(b('abc'), 'utf8mb4_bin'), "_utf8mb4 'abc' COLLATE utf8mb4_bin");
    assert.equal(userStr(Buffer.from("it's", 'utf8'), 'utf8mb4_general_ci'), "_utf8mb4 X'69742773' COLLATE utf8mb4_general_ci");
    assert.equal(userStr(Buffer.from([0, 0xff]), 'binary'), "_binary X'00ff'");
    assert.equal(userStr(b(''), 'binary'), "_binary ''");
    assert.equal(userStr(b('a\\b'), 'latin1_swedish_ci'), "_latin1 X'615c62' COLLATE latin1_swedish_ci");
    // ASCII bytes in UCS-2 are not ASCII characters: always hex.
    assert.equal(userStr(Buffer.from([0, 0x61]), 'ucs2_general_ci'), "_ucs2 X'0061' COLLATE ucs2_general_ci");
    // A number-looking string stays a string.
    assert.equal(userStr(b('12'), 'utf8mb3_general_ci'), "_utf8mb3 '12' COLLATE utf8mb3_general_ci");
    // An odd collation answer: no COLLATE clause is built from it.
    assert.equal(renderUserReadBack(b('x'), VAR_STRING, b("x' OR 1"), b('x')), "'x'");
  });

  test('system variable strings: quoted when plain ASCII, else hex with the column charset', () => {
    assert.equal(renderSysReadBack(b('ANSI,STRICT'), VAR_STRING, 45), "'ANSI,STRICT'");
    assert.equal(renderSysReadBack(Buffer.from('é', 'utf8'), VAR_STRING, 45), "_utf8mb4 X'c3a9'");
    assert.equal(renderSysReadBack(b('a\\b'), VAR_STRING, 8), "_latin1 X'615c62'");
    assert.equal(renderSysReadBack(Buffer.from([0x80]), VAR_STRING, 9999), "X'80'");
    // A bad number in a numeric column falls back to a string, never to raw text.
    assert.equal(renderSysReadBack(b("1'; DROP"), LONGLONG, 63), "_binary X'31273b2044524f50'");
    assert.equal(sysString(b('+00:00'), 45), "'+00:00'");
    assert.equal(collatedString(b('x'), 'latin1_bin'), "_latin1 'x' COLLATE latin1_bin");
  });

  test('session-tracked values: numbers bare, the rest quoted or hex', () => {
    assert.equal(renderTracked('1'), '1');
    assert.equal(renderTracked('-2.5'), '-2.5');
    assert.equal(renderTracked('ON'), "'ON'");
    assert.equal(renderTracked('+08:00'), "'+08:00'");
    assert.equal(renderTracked("a'b"), "_utf8mb4 X'612762'");
    assert.equal(renderTracked('Europe/Zürich'), "_utf8mb4 X'4575726f70652f5ac3bc72696368'");
  });
});
