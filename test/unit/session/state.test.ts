// SessionState / AppliedState / planSync / planTextPs (spec §6.2): the replay SQL is compared with hand-written
// statements; the naming rule with the variable names real servers accept (MariaDB 10.11.19 rejects
// transaction_isolation, MySQL 8 rejects tx_isolation).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AppliedState, SessionState, markApplied, markTextPsApplied, planSync, planTextPs,
} from '../../../src/session/state.js';

function synced(db: string | null = null): { want: SessionState; have: AppliedState } {
  const want = new SessionState(db);
  const have = new AppliedState(db);
  markApplied(have, want);
  return { want, have };
}

describe('planSync', () => {
  test('in sync: no work, both null', () => {
    const { want, have } = synced('d');
    assert.deepEqual(planSync(want, have), { initDb: null, setSql: null });
  });

  test('fresh server session with the same login database and no variables: nothing to do', () => {
    assert.deepEqual(planSync(new SessionState('d'), new AppliedState('d')), { initDb: null, setSql: null });
  });

  test('one variable changed: exactly that variable', () => {
    const { want, have } = synced();
    want.setSysVar('autocommit', '0');
    markApplied(have, want);
    want.setSysVar('SQL_MODE', "'ANSI'");
    assert.deepEqual(planSync(want, have), { initDb: null, setSql: "SET @@session.sql_mode = 'ANSI'" });
  });

  test('replay order follows the last assignment', () => {
    const { want, have } = synced();
    want.setSysVar('a_var', '1');
    want.setSysVar('b_var', '2');
    want.setSysVar('a_var', '3');
    assert.equal(planSync(want, have).setSql, 'SET @@session.b_var = 2, @@session.a_var = 3');
  });

  test('system variables, then user variables, then last_insert_id, in one statement', () => {
    const { want, have } = synced();
    want.setUserVar('U', "'x'");
    want.setSysVar('time_zone', "'+00:00'");
    want.setLastInsertId(42n);
    assert.equal(planSync(want, have).setSql,
      "SET @@session.time_zone = '+00:00', @`u` = 'x', @@session.last_insert_id = 42");
  });

  test('database change -> initDb only', () => {
    const { want, have } = synced('a');
    want.setDatabase('b');
    assert.deepEqual(planSync(want, have), { initDb: 'b', setSql: null });
    markApplied(have, want);
    assert.equal(have.database, 'b');
    assert.deepEqual(planSync(want, have), { initDb: null, setSql: null });
  });

  test('no database wanted but the server has one: left as it is (cannot be un-selected)', () => {
    const want = new SessionState(null);
    want.setUserVar('a', '1');
    assert.deepEqual(planSync(want, new AppliedState('x')), { initDb: null, setSql: 'SET @`a` = 1' });
  });

  test('last_insert_id: setSysVar of last_insert_id / identity lands in lastInsertId', () => {
    const { want, have } = synced();
    want.setSysVar('IDENTITY', '7');
    assert.equal(want.lastInsertId, 7n);
    assert.equal(want.sysVars.size, 0);
    assert.equal(planSync(want, have).setSql, 'SET @@session.last_insert_id = 7');
    markApplied(have, want);
    want.setLastInsertId(0n);
    assert.equal(planSync(want, have).setSql, 'SET @@session.last_insert_id = 0');
  });

  test('user variable the server has but the client state lacks is set to NULL', () => {
    const old = new SessionState();
    old.setUserVar('gone', '5');
    const have = new AppliedState(null);
    markApplied(have, old);
    const want = new SessionState();
    want.setUserVar('kept', '1');
    assert.equal(planSync(want, have).setSql, 'SET @`kept` = 1, @`gone` = NULL');
  });

  test('legacy naming spells transaction_isolation as tx_isolation', () => {
    const { want, have } = synced();
    want.setSysVar('tx_isolation', "'READ-COMMITTED'");
    assert.deepEqual([...want.sysVars.keys()], ['transaction_isolation']);
    assert.equal(planSync(want, have, 'legacy').setSql, "SET @@session.tx_isolation = 'READ-COMMITTED'");
    assert.equal(planSync(want, have, 'modern').setSql, "SET @@session.transaction_isolation = 'READ-COMMITTED'");
  });

  test('names needing quotes are backtick-quoted', () => {
    const { want, have } = synced();
    want.setUserVar('we`ird name', '1');
    assert.equal(planSync(want, have).setSql, 'SET @`we``ird name` = 1');
  });
});

describe('charset/collation pairs', () => {
  test('setting one drops the other (the server re-derives it)', () => {
    const s = new SessionState();
    s.setSysVar('collation_connection', "'utf8mb4_bin'");
    s.setSysVar('character_set_connection', "'latin1'");
    assert.deepEqual([...s.sysVars], [['character_set_connection', "'latin1'"]]);
  });

  test('re-setting a collation the server had before a charset change is replayed', () => {
    const { want, have } = synced();
    want.setSysVar('collation_connection', "'utf8mb4_bin'");
    markApplied(have, want);
    want.setSysVar('character_set_connection', "'latin1'");
    assert.equal(planSync(want, have).setSql, "SET @@session.character_set_connection = 'latin1'");
    markApplied(have, want);
    want.setSysVar('collation_connection', "'utf8mb4_bin'");
    assert.equal(planSync(want, have).setSql, "SET @@session.collation_connection = 'utf8mb4_bin'");
  });
});

describe('SET NAMES', () => {
  test('replayed as NAMES; it drops the connection charset variables', () => {
    const { want, have } = synced();
    want.setSysVar('collation_connection', "'latin1_bin'");
    want.setSysVar('names', 'utf8mb4 COLLATE utf8mb4_bin');
    assert.deepEqual([...want.sysVars], [['names', 'utf8mb4 COLLATE utf8mb4_bin']]);
    assert.equal(planSync(want, have).setSql, 'SET NAMES utf8mb4 COLLATE utf8mb4_bin');
  });

  test('SET NAMES again with the same value after a later charset variable is sent again', () => {
    const { want, have } = synced();
    want.setSysVar('names', 'utf8mb4');
    want.setSysVar('character_set_results', "'latin1'");
    markApplied(have, want);
    want.setSysVar('names', 'utf8mb4');
    assert.equal(planSync(want, have).setSql, 'SET NAMES utf8mb4');
  });

  test('user variable strings bind to the NAMES collation', () => {
    const s = new SessionState();
    s.setSysVar('names', 'latin1 COLLATE latin1_bin');
    s.setUserVar('a', "'x'");
    s.setSysVar('names', 'DEFAULT');
    s.setUserVar('b', "'x'");
    assert.deepEqual([...s.userVars], [['a', "_latin1 'x' COLLATE latin1_bin"], ['b', "'x'"]]);
  });
});

describe('user variable strings and the connection collation', () => {
  test('a plain literal is bound to the collation the state knows, else left plain', () => {
    const s = new SessionState();
    s.setUserVar('a', "'x'");
    s.setSysVar('collation_connection', "'utf8mb4_bin'");
    s.setUserVar('b', "'x'");
    s.setSysVar('character_set_connection', "'latin1'");
    s.setUserVar('c', "'x'");
    s.setUserVar('d', "X'00'");
    s.setSysVar('character_set_connection', "'ucs2'"); // an introducer on ASCII bytes would change the value
    s.setUserVar('e', "'x'");
    assert.deepEqual([...s.userVars], [
      ['a', "'x'"], ['b', "_utf8mb4 'x' COLLATE utf8mb4_bin"], ['c', "_latin1 'x'"], ['d', "X'00'"], ['e', "'x'"],
    ]);
  });
});

describe('SessionState versions', () => {
  test('bumped on change only; distinct states never share a version', () => {
    const s = new SessionState();
    const v0 = s.version;
    s.setSysVar('autocommit', '0');
    const v1 = s.version;
    assert.notEqual(v1, v0);
    s.setSysVar('autocommit', '0');
    s.setUserVar('a', '1');
    const v2 = s.version;
    s.setUserVar('A', '1');
    s.setDatabase(null);
    s.setLastInsertId(0n);
    assert.equal(s.version, v2);
    assert.notEqual(new SessionState().version, new SessionState().version);
    assert.equal(new AppliedState(null).version, -1);
  });

  test('one_shot, pin and ignore variables are never stored', () => {
    const s = new SessionState();
    const v = s.version;
    for (const n of ['insert_id', 'rand_seed1', 'gtid_next', 'pseudo_thread_id', 'warning_count', 'ob_proxy_partition_hit']) {
      s.setSysVar(n, '1');
    }
    assert.equal(s.sysVars.size, 0);
    assert.equal(s.version, v);
  });
});

describe('planTextPs', () => {
  test('PREPARE text when missing or different, null when present, DEALLOCATE when dropped', () => {
    const want = new SessionState();
    const have = new AppliedState(null);
    assert.equal(planTextPs(want, have, 's'), null);
    want.setTextPs('S', "PREPARE S FROM 'select 1'");
    assert.equal(planTextPs(want, have, 's'), "PREPARE S FROM 'select 1'");
    markTextPsApplied(have, want, 's');
    assert.equal(planTextPs(want, have, 'S'), null);
    want.setTextPs('s', "PREPARE s FROM 'select 2'");
    assert.equal(planTextPs(want, have, 's'), "PREPARE s FROM 'select 2'");
    markTextPsApplied(have, want, 's');
    want.setTextPs('s', null);
    assert.equal(planTextPs(want, have, 's'), 'DEALLOCATE PREPARE `s`');
    markTextPsApplied(have, want, 's');
    assert.equal(have.textPs.size, 0);
    assert.equal(planTextPs(want, have, 's'), null);
  });

  test('markApplied leaves text PS alone', () => {
    const want = new SessionState();
    want.setTextPs('s', "PREPARE s FROM 'select 1'");
    const have = new AppliedState(null);
    markApplied(have, want);
    assert.equal(have.textPs.size, 0);
  });
});
