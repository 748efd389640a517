// Read consistency of a statement (spec §5.2) from the route parse, the session variable and the VIP default.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isRead, isWeakSetting, readConsistency, unquote } from '../../../src/route/policy/index.js';
import { parseRoute } from '../../../src/route/sql/index.js';

const rc = (sql: string, session = false, vip = false): string => readConsistency(parseRoute(sql), session, vip);

describe('read consistency', () => {
  test('only a single SELECT without FOR UPDATE is a read', () => {
    assert.equal(isRead(parseRoute('SELECT * FROM t WHERE id = 1')), true);
    assert.equal(isRead(parseRoute('select v from t where id = 1 for update')), false);
    assert.equal(isRead(parseRoute("UPDATE t SET v = 'x' WHERE id = 1")), false);
    assert.equal(isRead(parseRoute('INSERT INTO t VALUES (1)')), false);
    assert.equal(isRead(parseRoute('SELECT 1 FROM t; DELETE FROM t')), false);
    assert.equal(isRead(parseRoute('EXPLAIN ROUTE SELECT * FROM t WHERE id = 1')), true);
  });

  test('the hint beats the session variable, which beats the VIP default', () => {
    assert.equal(rc('SELECT /*+ READ_CONSISTENCY(WEAK) */ * FROM t WHERE id = 1'), 'WEAK');
    assert.equal(rc('SELECT /*+ read_consistency(weak) */ v FROM t'), 'WEAK');
    assert.equal(rc('SELECT /*+ READ_CONSISTENCY(STRONG) */ * FROM t', true, true), 'STRONG');
    assert.equal(rc('SELECT * FROM t', true, false), 'WEAK');
    assert.equal(rc('SELECT * FROM t', false, true), 'WEAK');
    assert.equal(rc('SELECT * FROM t'), 'STRONG');
  });

  test('writes and locking reads are STRONG whatever asks for WEAK', () => {
    assert.equal(rc('SELECT /*+ READ_CONSISTENCY(WEAK) */ * FROM t WHERE id = 1 FOR UPDATE'), 'STRONG');
    assert.equal(rc('SELECT /*+ READ_CONSISTENCY(WEAK) */ * FROM t WHERE id = 1 LOCK IN SHARE MODE', true), 'STRONG');
    assert.equal(rc('select v from t where id = 1 lock   in share mode', true, true), 'STRONG');
    assert.equal(rc('SELECT v FROM t WHERE id IN (1, 2) ORDER BY v FOR SHARE', true), 'STRONG');
    assert.equal(rc('(SELECT v FROM t WHERE id = 1) LOCK IN SHARE MODE', true), 'STRONG');
    assert.equal(rc('SELECT v FROM t WHERE id = 1 UNION SELECT v FROM t WHERE id = 2 FOR UPDATE', true), 'STRONG');
    assert.equal(rc('SELECT v FROM t UNION ALL (SELECT v FROM u LOCK IN SHARE MODE)', true), 'STRONG');
    assert.equal(rc('SELECT v FROM t WHERE id = 1 UNION SELECT v FROM t WHERE id = 2', true), 'WEAK');
    assert.equal(rc('SELECT v FROM t AS `lock` WHERE `share` = 1', true), 'WEAK', 'quoted words are not the clause');
    assert.equal(rc("UPDATE /*+ READ_CONSISTENCY(WEAK) */ t SET v = 'x'", true, true), 'STRONG');
  });

  test('ob_read_consistency values: WEAK by name or enum 2', () => {
    assert.equal(isWeakSetting("'WEAK'"), true);
    assert.equal(isWeakSetting('"weak"'), true);
    assert.equal(isWeakSetting('2'), true);
    assert.equal(isWeakSetting("_utf8mb4 'weak' COLLATE utf8mb4_general_ci"), true);
    assert.equal(isWeakSetting("'STRONG'"), false);
    assert.equal(isWeakSetting('3'), false);
    assert.equal(isWeakSetting(undefined), false);
  });

  test('unquote strips quotes, introducer and COLLATE only', () => {
    assert.equal(unquote(" 'hz1' "), 'hz1');
    assert.equal(unquote("_latin1'a b'"), 'a b');
    assert.equal(unquote('NULL'), 'NULL');
    assert.equal(unquote("'it''s'"), "it''s");
  });
});
