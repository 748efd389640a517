import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  Capability,
  Charset,
  ColumnFlag,
  ColumnType,
  Command,
  MariadbCapability,
  ServerStatus,
  SessionTrack,
  commandName,
} from '../../../src/protocol/constants.js';
import { repoRoot } from './codec-helpers.js';

// Oracle: mysql2's constant tables (hand-extracted by its authors from mysql_com.h), loaded by file path.
const requireFile = createRequire(import.meta.url);
const dir = join(repoRoot(), 'node_modules', 'mysql2', 'lib', 'constants');
const load = (name: string): Record<string, number> => requireFile(join(dir, name)) as Record<string, number>;

function sameValues(ours: Record<string, number>, theirs: Record<string, number>, rename: (k: string) => string = (k) => k): number {
  let compared = 0;
  for (const [k, v] of Object.entries(ours)) {
    const other = theirs[rename(k)];
    if (other === undefined) continue;
    assert.equal(v, other, k);
    compared++;
  }
  return compared;
}

void describe('protocol constants agree with an independent table (mysql2)', () => {
  void test('capabilities', () => {
    const n = sameValues(Capability, load('client.js'), (k) => (k === 'QUERY_ATTRIBUTES' ? 'CLIENT_QUERY_ATTRIBUTES' : k));
    assert.ok(n >= 27, `compared ${n}`);
    assert.equal(Capability.REMEMBER_OPTIONS, 2 ** 31, 'unsigned');
    assert.equal(Capability.QUERY_ATTRIBUTES, 1 << 27);
  });

  void test('commands', () => {
    assert.equal(sameValues(Command, load('commands.js')), 32);
    assert.equal(Command.STMT_PREPARE_EXECUTE, 0xa1);
    assert.equal(Command.STMT_BULK_EXECUTE, 0xfa);
  });

  void test('column types, flags, session-track types, MariaDB capabilities, charsets', () => {
    const types = load('types.js');
    sameValues(ColumnType, types);
    assert.deepEqual(Object.keys(ColumnType).filter((k) => !(k in types)),
      ['TIMESTAMP2', 'DATETIME2', 'TIME2', 'TYPED_ARRAY', 'INVALID', 'BOOL']);
    assert.equal(sameValues(ColumnFlag, load('field_flags.js')), Object.keys(ColumnFlag).length);
    assert.equal(sameValues(SessionTrack, load('session_track.js'), (k) => (k === 'GTIDS' ? 'STATE_GTIDS' : k)), 6);
    const mariadb = sameValues(MariadbCapability, load('mariadb_client.js'), (k) =>
      k === 'EXTENDED_TYPE_INFO' ? 'MARIADB_CLIENT_EXTENDED_METADATA' : `MARIADB_CLIENT_${k}`);
    assert.equal(mariadb, Object.keys(MariadbCapability).length);
    assert.equal(sameValues(Charset, load('charsets.js'), (k) => k.toUpperCase().replace('UTF8MB3', 'UTF8')), Object.keys(Charset).length);
  });

  void test('server status flags', () => {
    const theirs = load('server_status.js');
    const n = sameValues(ServerStatus, theirs, (k) => {
      for (const prefix of ['SERVER_STATUS_', 'SERVER_QUERY_', 'SERVER_']) if (`${prefix}${k}` in theirs) return `${prefix}${k}`;
      return k;
    });
    assert.equal(n, Object.keys(ServerStatus).length - 1);
  });
});

void describe('commandName', () => {
  void test('known and unknown bytes', () => {
    assert.equal(commandName(0x03), 'COM_QUERY');
    assert.equal(commandName(0x17), 'COM_STMT_EXECUTE');
    assert.equal(commandName(0xa1), 'COM_STMT_PREPARE_EXECUTE');
    assert.equal(commandName(0xfa), 'COM_STMT_BULK_EXECUTE');
    assert.equal(commandName(0x2a), 'COM_UNKNOWN(0x2a)');
    assert.equal(commandName(0x05), 'COM_CREATE_DB');
  });
});
