// Host matching/ordering, token verification and mysql.user row parsing of src/backend/auth-source.ts.
// Oracles: the MariaDB cases were each checked against a real MariaDB 10.11 (two accounts for one user with
// different passwords; the password that logs in from 127.0.0.1 tells which row the server picked). The MySQL
// cases follow dev.mysql.com/doc/refman/8.0/en/connection-access.html. Token vectors are computed here step by step
// with node:crypto; the stored hash of 'odp_app_pw' is the value a real MariaDB wrote to mysql.user.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  UserTable, entryOf, parseUserRows, verifyEntryToken, verifyNativeToken, type AuthEntry, type ServerFlavor,
} from '../../../src/backend/auth-source.js';
import type { QueryResult } from '../../../src/backend/internal-query.js';

const sha1 = (...parts: Buffer[]): Buffer => {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
};

function entry(user: string, host: string): AuthEntry {
  return { user, host, plugin: 'mysql_native_password', stage2: null, unusable: null };
}

interface Case {
  name: string;
  flavor: ServerFlavor;
  nameResolve: boolean;
  rows: [string, string][];
  user: string;
  from: string;
  /** 'user@host' of the matching rows, the one the server uses first. */
  expected: string[];
}

const cases: Case[] = [
  // MariaDB 10.11, verified on a real server.
  { name: 'anonymous exact host beats named %', flavor: 'mariadb', nameResolve: false, rows: [['ua', '%'], ['', '127.0.0.1']], user: 'ua', from: '127.0.0.1', expected: ['@127.0.0.1', 'ua@%'] },
  { name: 'anonymous 127.% beats named %', flavor: 'mariadb', nameResolve: false, rows: [['ua', '%'], ['', '127.%']], user: 'ua', from: '127.0.0.1', expected: ['@127.%', 'ua@%'] },
  { name: 'same host: named before anonymous', flavor: 'mariadb', nameResolve: false, rows: [['', '%'], ['ua', '%']], user: 'ua', from: '127.0.0.1', expected: ['ua@%', '@%'] },
  { name: 'anonymous % after named 127.%', flavor: 'mariadb', nameResolve: false, rows: [['', '%'], ['ua', '127.%']], user: 'ua', from: '127.0.0.1', expected: ['ua@127.%', '@%'] },
  { name: 'more literal characters first: %.0.0.1 over 127.%', flavor: 'mariadb', nameResolve: false, rows: [['ua', '127.%'], ['ua', '%.0.0.1']], user: 'ua', from: '127.0.0.1', expected: ['ua@%.0.0.1', 'ua@127.%'] },
  { name: '%.1 over 1%', flavor: 'mariadb', nameResolve: false, rows: [['ua', '1%'], ['ua', '%.1']], user: 'ua', from: '127.0.0.1', expected: ['ua@%.1', 'ua@1%'] },
  { name: '_ over %', flavor: 'mariadb', nameResolve: false, rows: [['ua', '127.0.0.%'], ['ua', '127.0.0._']], user: 'ua', from: '127.0.0.1', expected: ['ua@127.0.0._', 'ua@127.0.0.%'] },
  { name: 'equal counts: shorter literal prefix first', flavor: 'mariadb', nameResolve: false, rows: [['ua', '127.0.%'], ['ua', '127.%.1']], user: 'ua', from: '127.0.0.1', expected: ['ua@127.%.1', 'ua@127.0.%'] },
  { name: 'exact beats netmask (tie by text)', flavor: 'mariadb', nameResolve: false, rows: [['ua', '127.0.0.0/255.0.0.0'], ['ua', '127.0.0.1']], user: 'ua', from: '127.0.0.1', expected: ['ua@127.0.0.1', 'ua@127.0.0.0/255.0.0.0'] },
  { name: 'netmask beats wildcard', flavor: 'mariadb', nameResolve: false, rows: [['ua', '127.0.0.%'], ['ua', '127.0.0.0/255.0.0.0']], user: 'ua', from: '127.0.0.1', expected: ['ua@127.0.0.0/255.0.0.0', 'ua@127.0.0.%'] },
  { name: '/255.255.255.0 over /255.0.0.0', flavor: 'mariadb', nameResolve: false, rows: [['ua', '127.0.0.0/255.0.0.0'], ['ua', '127.0.0.0/255.255.255.0']], user: 'ua', from: '127.0.0.1', expected: ['ua@127.0.0.0/255.255.255.0', 'ua@127.0.0.0/255.0.0.0'] },
  { name: '1.2.3.4/255.255.255.255 over 1.2.3.4', flavor: 'mariadb', nameResolve: false, rows: [['ua', '127.0.0.1'], ['ua', '127.0.0.1/255.255.255.255']], user: 'ua', from: '127.0.0.1', expected: ['ua@127.0.0.1/255.255.255.255', 'ua@127.0.0.1'] },
  { name: 'netmask needs (ip & mask) == stored ip exactly', flavor: 'mariadb', nameResolve: false, rows: [['ua', '127.0.0.1/255.0.0.0'], ['ua', '%']], user: 'ua', from: '127.0.0.1', expected: ['ua@%'] },
  { name: 'CIDR is not a MariaDB netmask', flavor: 'mariadb', nameResolve: false, rows: [['ua', '127.0.0.0/8'], ['ua', '%']], user: 'ua', from: '127.0.0.1', expected: ['ua@%'] },
  { name: '_ matches exactly one character', flavor: 'mariadb', nameResolve: false, rows: [['ua', '127.0.0.__'], ['ua', '127.0.0.%']], user: 'ua', from: '127.0.0.1', expected: ['ua@127.0.0.%'] },
  { name: 'skip_name_resolve: localhost does not match 127.0.0.1', flavor: 'mariadb', nameResolve: false, rows: [['ua', 'localhost'], ['ua', '%']], user: 'ua', from: '127.0.0.1', expected: ['ua@%'] },
  { name: 'name resolution: localhost first', flavor: 'mariadb', nameResolve: true, rows: [['ua', '%'], ['ua', 'localhost']], user: 'ua', from: '127.0.0.1', expected: ['ua@localhost', 'ua@%'] },
  { name: 'name resolution: localhost over 127.0.0.1 (tie by text)', flavor: 'mariadb', nameResolve: true, rows: [['ua', '127.0.0.1'], ['ua', 'localhost']], user: 'ua', from: '127.0.0.1', expected: ['ua@localhost', 'ua@127.0.0.1'] },
  { name: 'name resolution: 127.0.% over local%', flavor: 'mariadb', nameResolve: true, rows: [['ua', 'local%'], ['ua', '127.0.%']], user: 'ua', from: '127.0.0.1', expected: ['ua@127.0.%', 'ua@local%'] },
  { name: 'name resolution: anonymous localhost over named %', flavor: 'mariadb', nameResolve: true, rows: [['ua', '%'], ['', 'localhost']], user: 'ua', from: '127.0.0.1', expected: ['@localhost', 'ua@%'] },
  // Matching details.
  { name: 'other users are not returned', flavor: 'mariadb', nameResolve: false, rows: [['other', '%'], ['ua', '%'], ['UA', '%']], user: 'ua', from: '127.0.0.1', expected: ['ua@%'] },
  { name: 'host name matching is case-insensitive', flavor: 'mariadb', nameResolve: true, rows: [['ua', 'LocalHost']], user: 'ua', from: '127.0.0.1', expected: ['ua@LocalHost'] },
  { name: 'IPv4-mapped address is matched as IPv4', flavor: 'mariadb', nameResolve: false, rows: [['ua', '127.0.0.1'], ['ua', '10.%']], user: 'ua', from: '::ffff:127.0.0.1', expected: ['ua@127.0.0.1'] },
  { name: '::1 is loopback', flavor: 'mariadb', nameResolve: true, rows: [['ua', '::1'], ['ua', 'localhost'], ['ua', '127.0.0.1']], user: 'ua', from: '::1', expected: ['ua@localhost', 'ua@::1'] },
  { name: 'escaped % is literal', flavor: 'mariadb', nameResolve: false, rows: [['ua', '127.0.0.\\%'], ['ua', '127.0.0.1']], user: 'ua', from: '127.0.0.1', expected: ['ua@127.0.0.1'] },
  { name: 'non-loopback: no host name, only IP patterns', flavor: 'mariadb', nameResolve: true, rows: [['ua', 'localhost'], ['ua', 'app.example.com'], ['ua', '10.1.%']], user: 'ua', from: '10.1.2.3', expected: ['ua@10.1.%'] },
  { name: 'empty host is % (MariaDB)', flavor: 'mariadb', nameResolve: false, rows: [['ua', ''], ['ua', '127.%']], user: 'ua', from: '127.0.0.1', expected: ['ua@127.%', 'ua@'] },
  // MySQL: host by first-wildcard position, '' after '%', netmask as specific as a literal, CIDR accepted.
  { name: 'mysql: 127.% over %.0.0.1 (later first wildcard)', flavor: 'mysql', nameResolve: false, rows: [['ua', '%.0.0.1'], ['ua', '127.%']], user: 'ua', from: '127.0.0.1', expected: ['ua@127.%', 'ua@%.0.0.1'] },
  { name: 'mysql: % before empty host', flavor: 'mysql', nameResolve: false, rows: [['ua', ''], ['ua', '%']], user: 'ua', from: '127.0.0.1', expected: ['ua@%', 'ua@'] },
  { name: 'mysql: anonymous literal host before named %', flavor: 'mysql', nameResolve: false, rows: [['ua', '%'], ['', '127.0.0.1']], user: 'ua', from: '127.0.0.1', expected: ['@127.0.0.1', 'ua@%'] },
  { name: 'mysql: same host, named first', flavor: 'mysql', nameResolve: false, rows: [['', '127.%'], ['ua', '127.%']], user: 'ua', from: '127.0.0.1', expected: ['ua@127.%', '@127.%'] },
  { name: 'mysql: netmask before wildcard, CIDR accepted', flavor: 'mysql', nameResolve: false, rows: [['ua', '127.%'], ['ua', '127.0.0.0/8']], user: 'ua', from: '127.0.0.1', expected: ['ua@127.0.0.0/8', 'ua@127.%'] },
];

describe('UserTable.match: which rows the server can use, in its order', () => {
  for (const c of cases) {
    test(c.name, () => {
      const table = new UserTable(c.rows.map(([u, h]) => entry(u, h)), c.flavor, c.nameResolve);
      assert.deepEqual(table.match(c.user, c.from).map((e) => `${e.user}@${e.host}`), c.expected);
    });
  }

  test('order does not depend on load order (MariaDB)', () => {
    const rows: [string, string][] = [['ua', '%'], ['', '127.0.0.1'], ['ua', '127.%'], ['ua', '127.0.0.1'], ['', '%']];
    const want = new UserTable(rows.map(([u, h]) => entry(u, h)), 'mariadb', false).match('ua', '127.0.0.1');
    const reversed = new UserTable([...rows].reverse().map(([u, h]) => entry(u, h)), 'mariadb', false).match('ua', '127.0.0.1');
    assert.deepEqual(reversed.map((e) => `${e.user}@${e.host}`), want.map((e) => `${e.user}@${e.host}`));
    assert.deepEqual(want.map((e) => `${e.user}@${e.host}`), ['ua@127.0.0.1', '@127.0.0.1', 'ua@127.%', 'ua@%', '@%']);
  });
});

describe('verifyNativeToken', () => {
  const password = Buffer.from('odp_app_pw');
  const scramble = Buffer.from('0123456789abcdefghij');
  const stage1 = sha1(password);
  const stage2 = sha1(stage1);
  const mask = sha1(scramble, stage2);
  const token = Buffer.alloc(20);
  for (let i = 0; i < 20; i++) token[i] = stage1[i]! ^ mask[i]!;

  test('stage2 of odp_app_pw is what MariaDB stores in mysql.user', () => {
    assert.equal(`*${stage2.toString('hex').toUpperCase()}`, '*B4EE0D07225BA9D2EEA0CBD192B1DB257AB39D48');
  });

  test('right token: ok and stage1 = SHA1(password), a fresh buffer', () => {
    const r = verifyNativeToken(token, scramble, stage2);
    assert.equal(r.ok, true);
    assert.deepEqual(r.stage1, stage1);
    assert.notEqual(r.stage1?.buffer, token.buffer);
    r.stage1?.fill(0);
    assert.deepEqual(verifyNativeToken(token, scramble, stage2).stage1, stage1);
  });

  test('one flipped bit anywhere fails', () => {
    for (let i = 0; i < 20; i++) {
      const bad = Buffer.from(token);
      bad[i] = bad[i]! ^ 1;
      assert.deepEqual(verifyNativeToken(bad, scramble, stage2), { ok: false, stage1: null });
    }
  });

  test('token for another scramble fails', () => {
    assert.equal(verifyNativeToken(token, Buffer.from('jihgfedcba9876543210'), stage2).ok, false);
  });

  test('wrong lengths fail', () => {
    assert.equal(verifyNativeToken(token.subarray(0, 19), scramble, stage2).ok, false);
    assert.equal(verifyNativeToken(Buffer.concat([token, Buffer.from([0])]), scramble, stage2).ok, false);
    assert.equal(verifyNativeToken(Buffer.alloc(0), scramble, stage2).ok, false);
    assert.equal(verifyNativeToken(token, scramble, stage2.subarray(0, 19)).ok, false);
  });

  test('empty password: only an empty token, stage1 null', () => {
    assert.deepEqual(verifyNativeToken(Buffer.alloc(0), scramble, null), { ok: true, stage1: null });
    assert.deepEqual(verifyNativeToken(token, scramble, null), { ok: false, stage1: null });
  });

  test('verifyEntryToken refuses unusable entries, even with an empty token', () => {
    const ed: AuthEntry = { user: 'u', host: '%', plugin: 'ed25519', stage2: null, unusable: 'plugin ed25519' };
    assert.deepEqual(verifyEntryToken(ed, Buffer.alloc(0), scramble), { ok: false, stage1: null });
    const good: AuthEntry = { user: 'u', host: '%', plugin: 'mysql_native_password', stage2, unusable: null };
    assert.deepEqual(verifyEntryToken(good, token, scramble), { ok: true, stage1 });
  });
});

describe('mysql.user values', () => {
  const hash = '*B4EE0D07225BA9D2EEA0CBD192B1DB257AB39D48';
  const stage2 = Buffer.from(hash.slice(1), 'hex');

  test('valid native hashes (any hex case), from authentication_string or Password', () => {
    assert.deepEqual(entryOf('u', '%', 'mysql_native_password', hash, '').stage2, stage2);
    assert.deepEqual(entryOf('u', '%', 'mysql_native_password', hash.toLowerCase(), '').stage2, stage2);
    assert.deepEqual(entryOf('u', '%', '', '', hash), { user: 'u', host: '%', plugin: 'mysql_native_password', stage2, unusable: null });
    assert.deepEqual(entryOf('u', '%', 'mysql_native_password', '', hash).stage2, stage2);
  });

  test('empty hash = empty password, usable', () => {
    assert.deepEqual(entryOf('root', '127.0.0.1', 'mysql_native_password', '', ''), { user: 'root', host: '127.0.0.1', plugin: 'mysql_native_password', stage2: null, unusable: null });
    assert.equal(entryOf('root', 'localhost', '', '', '').unusable, null);
  });

  test('malformed native hashes are unusable, never an empty password', () => {
    const bad = [
      hash.slice(0, 40), // 39 hex digits
      `${hash}0`, // 41 hex digits
      hash.slice(1), // no '*'
      `#${hash.slice(1)}`,
      `*${'G'.repeat(40)}`,
      `*${'0'.repeat(39)} `,
      ' ' + hash,
      '\u00ff\u0000\u0001',
      'invalid',
    ];
    for (const s of bad) {
      const e = entryOf('u', '%', 'mysql_native_password', s, '');
      assert.equal(e.stage2, null, s);
      assert.match(e.unusable ?? '', /malformed/, s);
    }
  });

  test('other plugins are unusable; MariaDB empty plugin with a 16-digit hash is mysql_old_password', () => {
    assert.deepEqual(entryOf('u', '%', 'ed25519', 'ZIgUREUg5PVgQ6LskhXmO+eZLS0nC8be6HPjYWR4YJY', ''), {
      user: 'u', host: '%', plugin: 'ed25519', stage2: null, unusable: 'plugin ed25519',
    });
    assert.equal(entryOf('u', '%', 'caching_sha2_password', '$A$005$xyz', '').unusable, 'plugin caching_sha2_password');
    assert.equal(entryOf('u', '%', 'unix_socket', '', '').unusable, 'plugin unix_socket');
    assert.equal(entryOf('u', '%', '', '', '6f8c114b58f2ce9e').plugin, 'mysql_old_password');
    assert.notEqual(entryOf('u', '%', '', '', '6f8c114b58f2ce9e').unusable, null);
  });

  test('parseUserRows finds columns by name in any case and skips roles', () => {
    const col = (name: string): { name: string; type: number; charset: number; flags: number } => ({ name, type: 253, charset: 33, flags: 0 });
    const b = (s: string | null): Buffer | null => (s === null ? null : Buffer.from(s, 'latin1'));
    const result: Extract<QueryResult, { kind: 'rows' }> = {
      kind: 'rows',
      status: 2,
      columns: [col('Host'), col('User'), col('Password'), col('PLUGIN'), col('Authentication_String'), col('is_role')],
      rows: [
        [b('%'), b('app'), b(hash), b('mysql_native_password'), b(hash), b('N')],
        [b(''), b('a_role'), b(''), b(''), b(''), b('Y')],
        [b('localhost'), b('root'), b(''), b(''), b(''), b('N')],
        [b('%'), b('broken'), b(null), b('mysql_native_password'), b('*12'), b(null)],
      ],
    };
    const entries = parseUserRows(result);
    assert.deepEqual(entries.map((e) => [e.user, e.host, e.stage2?.toString('hex') ?? null, e.unusable]), [
      ['app', '%', stage2.toString('hex'), null],
      ['root', 'localhost', null, null],
      ['broken', '%', null, 'malformed mysql_native_password hash'],
    ]);
  });

  test('parseUserRows without User/Host throws a one-line error', () => {
    assert.throws(() => parseUserRows({ kind: 'rows', status: 0, columns: [{ name: 'User', type: 253, charset: 33, flags: 0 }], rows: [] }), /no User\/Host column/);
  });
});
