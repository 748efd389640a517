// The admin statement parser: keywords, quoting, comments, the syntax errors (ER_PARSE_ERROR naming the token),
// the hot-path pre-check and executeAdmin's never-throw contract.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { adminCommandOf, adminCommands, executeAdmin, mayBeAdminCommand } from '../../../src/admin/index.js';
import { errorOf, fakeContext, rowsOf, run } from './helpers.js';

void describe('keywords and lexical rules', () => {
  void test('keywords are case-insensitive; blanks, comments and trailing semicolons are tolerated', () => {
    const ctx = fakeContext();
    for (const sql of ['ping proxy', 'PING PROXY;', '  Ping\n\tProxy ;; ', '/* lead */ PING /* mid */ PROXY -- tail',
      '# hash comment\nPING PROXY', 'PING PROXY # trailing']) {
      assert.deepEqual(run(ctx, sql), { kind: 'ok' }, sql);
    }
    assert.equal(rowsOf(ctx, 'select PROXY_VERSION ( ) ;').rows[0]?.[0], '0.1.0');
  });

  void test('statements that are not admin commands are not taken', () => {
    const ctx = fakeContext();
    for (const sql of ['SELECT 1', 'SHOW TABLES', 'SHOW FULL PROCESSLIST', 'ALTER TABLE t ADD c INT', 'SELECT proxy_versionx()',
      'PING', 'select * from proxy_version', '', '   ', '/* unterminated', "'SHOW PROXYCONFIG'", 'SHOWPROXYCONFIG']) {
      assert.equal(executeAdmin(sql, ctx), null, sql);
    }
  });
});

void describe('syntax errors name the token that was not expected', () => {
  const cases: readonly (readonly [sql: string, near: string])[] = [
    ['SHOW PROXYCONFIG DIFF ALL', "near 'ALL' at line 1"],
    ['SHOW PROXYCONFIG LIKE listen', "near 'listen' at line 1"],
    ["SHOW PROXYCONFIG LIKE 'a' extra", "near 'extra' at line 1"],
    ['SHOW PROXYCONFIG LIKE', "near '' at line 1"],
    ["SHOW PROXYCONFIG LIKE 'unterminated", "near ''unterminated' at line 1"],
    ['ALTER PROXYCONFIG listen_port = 1', "near 'listen_port = 1' at line 1"],
    ['ALTER PROXYCONFIG SET listen_port 1', "near '1' at line 1"],
    ['ALTER PROXYCONFIG SET listen_port =', "near '' at line 1"],
    ['ALTER PROXYCONFIG SET a = 1.5', "near '.5' at line 1"],
    ['ALTER PROXYCONFIG SET a = 1, b = 2', "near ', b = 2' at line 1"],
    ['SHOW PROXYSESSION ATTRIBUTE abc', "near 'abc' at line 1"],
    ['SHOW PROXYSESSION STAT 1 2', "near '2' at line 1"],
    ['KILL PROXYSESSION', "near '' at line 1"],
    ['KILL CONNECTION x', "near 'x' at line 1"],
    ['SELECT proxy_version(1)', "near '1)' at line 1"],
    ['SHOW PROXYCONFIG; SELECT 1', "near 'SELECT 1' at line 1"],
    ['SHOW PROXYSTAT\nREFRESH\nREFRESH', "near 'REFRESH' at line 3"],
    ["SHOW PROXYROUTE LIKE 'a b c d e'", "near 'LIKE 'a b c d e'' at line 1"],
    ['SHOW PROXYCONFIG /* unterminated', "near '/* unterminated' at line 1"],
  ];
  for (const [sql, near] of cases) {
    void test(sql.replace(/\n/g, ' '), () => {
      const e = errorOf(fakeContext(), sql);
      assert.deepEqual([e.errno, e.sqlState], [1064, '42000']);
      assert.ok(e.message.startsWith('You have an error in your SQL syntax; '), e.message);
      assert.ok(e.message.includes(near), `${e.message} should contain ${near}`);
    });
  }

  void test('the message says what was expected instead', () => {
    const e = errorOf(fakeContext(), 'SHOW PROXYSESSION ATTRIBUTE abc');
    assert.match(e.message, /\(unexpected 'abc', expected end of statement\)$/);
    assert.match(errorOf(fakeContext(), 'KILL PROXYSESSION').message, /\(end of statement, expected a client session id\)$/);
  });

  void test('nothing runs when the statement has a syntax error', () => {
    const ctx = fakeContext();
    errorOf(ctx, 'ALTER PROXYCONFIG SET client_max_connections = 5 6');
    assert.equal(ctx.config.getInt('client_max_connections'), 8192);
    errorOf(ctx, 'KILL 2 3');
    assert.deepEqual(ctx.killed, []);
  });
});

void describe('mayBeAdminCommand', () => {
  void test('passes every registered command, in any case, after comments', () => {
    for (const c of adminCommands()) {
      const sql = c.keywords.join(' ');
      assert.ok(mayBeAdminCommand(sql), sql);
      assert.ok(mayBeAdminCommand(`/* x */ ${sql.toLowerCase()}`), sql);
      assert.equal(adminCommandOf(sql), sql);
    }
  });

  void test('rejects ordinary statements', () => {
    for (const sql of ['SELECT 1', 'select * from t', 'SHOW TABLES', 'SHOW DATABASES', 'ALTER TABLE t', 'INSERT INTO t VALUES (1)',
      'SET NAMES utf8', 'BEGIN', 'PINGS', 'SELECT proxy_versions()']) {
      assert.equal(mayBeAdminCommand(sql), false, sql);
    }
  });

  void test('whenever executeAdmin takes a statement, mayBeAdminCommand passed it; executeAdmin never throws', () => {
    const ctx = fakeContext();
    const words = ['SHOW', 'show', 'PROXYCONFIG', 'PROXYSESSION', 'ATTRIBUTE', 'KILL', 'ALTER', 'SET', 'PING', 'PROXY', 'SELECT',
      'proxy_version', 'LIKE', 'DIFF', 'USER', 'ALL', 'QUERY', 'CONNECTION', '1', '2', "'x%'", '"a\\"b"', '`q`', '(', ')', '=', ';',
      '/*', '*/', '--', '#', '\n', "'", '\\', '-', 'PROXYROUTE', 'PARTITION', 'PROXYNET', 'THREAD', 'LIMIT', ','];
    const statement = fc.array(fc.constantFrom(...words), { maxLength: 8 }).map((w) => w.join(' '));
    fc.assert(fc.property(fc.oneof(statement, fc.string({ maxLength: 40 })), (sql) => {
      const r = executeAdmin(sql, ctx);
      if (r !== null) assert.ok(mayBeAdminCommand(sql), sql);
      if (r?.kind === 'error') assert.notEqual(r.errno, 1815, `${sql}: ${r.message}`);
    }), { numRuns: 3000 });
  });
});
