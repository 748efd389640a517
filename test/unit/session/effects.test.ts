// statementEffects over SQL forms (expected effects written by hand from MySQL/MariaDB semantics, checked on
// MariaDB 10.11 where noted), readBackQuery text, applyReadBack and applySessionTrack with hand-built bytes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRoute } from '../../../src/route/sql/index.js';
import { parseSessionTrack } from '../../../src/protocol/ok.js';
import {
  applyReadBack, applySessionTrack, readBackQuery, statementEffects, type StatementEffects,
} from '../../../src/session/effects.js';
import { SessionState } from '../../../src/session/state.js';

type Fx = Partial<StatementEffects>;
const NONE: StatementEffects = { direct: [], readBack: [], useDb: null, pinNext: false, pinSession: null, textPs: null };

function fx(sql: string): StatementEffects | null {
  return statementEffects(parseRoute(sql), sql);
}
function expectFx(sql: string, want: Fx | null): void {
  assert.deepEqual(fx(sql), want === null ? null : { ...NONE, ...want }, sql);
}
const sys = (name: string, sql: string) => ({ kind: 'sys' as const, name, sql });
const user = (name: string, sql: string) => ({ kind: 'user' as const, name, sql });
const rsys = (name: string) => ({ kind: 'sys' as const, name });
const ruser = (name: string) => ({ kind: 'user' as const, name });
const CHARSET_READ = ['character_set_client', 'character_set_results', 'character_set_connection', 'collation_connection'].map(rsys);

describe('statementEffects: SET', () => {
  test('literal system variables are direct', () => {
    expectFx('SET autocommit=0', { direct: [sys('autocommit', '0')] });
    expectFx("SET SESSION sql_mode='ANSI'", { direct: [sys('sql_mode', "'ANSI'")] });
    expectFx('SET LOCAL autocommit = ON', { direct: [sys('autocommit', "'ON'")] });
    expectFx('set @@SESSION.Time_Zone = "+01:00"', { direct: [sys('time_zone', "'+01:00'")] });
  });

  test('expressions and DEFAULT are read back', () => {
    expectFx("SET @@sql_mode = CONCAT(@@sql_mode, ',X')", { readBack: [rsys('sql_mode')] });
    expectFx('SET sql_mode = DEFAULT', { readBack: [rsys('sql_mode')] });
    expectFx('SET @a = @a + 1', { readBack: [ruser('a')] });
    expectFx("SET @s = 'a\\\\b'", { readBack: [ruser('s')] }); // backslash: meaning depends on sql_mode
    expectFx("SET @s = 'it''s'", { readBack: [ruser('s')] });
    expectFx("SET @s = _latin1'x'", { readBack: [ruser('s')] });
  });

  test('timestamp = DEFAULT is kept as DEFAULT (a read-back would freeze the clock)', () => {
    expectFx('SET timestamp = DEFAULT', { direct: [sys('timestamp', 'DEFAULT')] });
  });

  test('user variables: literals direct, in order', () => {
    expectFx("set @a=1, @b:='x'", { direct: [user('a', '1'), user('b', "'x'")] });
    expectFx("SET @u = X'00ff', @v = 0x41, @w = b'101', @n = NULL, @t = TRUE, @d = -1.50, @f = 1e3", {
      direct: [user('u', "X'00ff'"), user('v', "X'41'"), user('w', "b'101'"), user('n', 'NULL'), user('t', '1'),
        user('d', '-1.50'), user('f', '1e3')],
    });
    expectFx('SET @`Mixed Case` = 2', { direct: [user('mixed case', '2')] });
  });

  test('the last assignment of a variable decides', () => {
    expectFx('SET @a = @b, @a = 5', { direct: [user('a', '5')] });
    expectFx('SET @a = 5, @a = @a + 1', { readBack: [ruser('a')] });
  });

  test('nested := inside a SET value is read back too', () => {
    expectFx('SET @a = (@b := 2) + 1', { readBack: [ruser('a'), ruser('b')] });
  });

  test('SET NAMES is replayed as itself; SET CHARACTER SET reads the four connection charset variables back', () => {
    expectFx('SET NAMES utf8mb4 COLLATE utf8mb4_bin', { direct: [sys('names', 'utf8mb4 COLLATE utf8mb4_bin')] });
    expectFx("SET NAMES 'LATIN1'", { direct: [sys('names', 'latin1')] });
    expectFx('SET NAMES DEFAULT', { direct: [sys('names', 'DEFAULT')] });
    expectFx('SET CHARACTER SET latin1', { readBack: CHARSET_READ });
    expectFx('SET CHARSET DEFAULT', { readBack: CHARSET_READ });
    // Read back with something else: NAMES cannot be selected, the variables it sets are.
    expectFx('SET NAMES latin1, @@sql_mode = CONCAT(@@sql_mode, \'\')', { readBack: [...CHARSET_READ, rsys('sql_mode')] });
  });

  test('one system variable read back -> all of the statement read back, in order', () => {
    expectFx("SET collation_connection='utf8mb4_bin', character_set_connection=@cs, @u = 1", {
      direct: [user('u', '1')], readBack: [rsys('collation_connection'), rsys('character_set_connection')],
    });
  });

  test('plain strings in a query that changes the connection collation are read back', () => {
    expectFx("SET NAMES latin1; SET @s = 'x', @i = 1", { direct: [sys('names', 'latin1'), user('i', '1')], readBack: [ruser('s')] });
    expectFx("SET @s = 'x', collation_connection = 'latin1_bin'", {
      direct: [sys('collation_connection', "'latin1_bin'")], readBack: [ruser('s')],
    });
  });

  test('GLOBAL / PERSIST are not session state', () => {
    expectFx('SET GLOBAL x=1', null);
    expectFx('SET @@global.max_connections = 10, PERSIST y = 2', null);
    expectFx('SET GLOBAL x = 1, SESSION autocommit = 1', { direct: [sys('autocommit', '1')] });
  });

  test('one_shot variables pin the next statement; pin variables the session; ignore ones nothing', () => {
    expectFx('SET insert_id=5', { pinNext: true });
    expectFx('SET rand_seed1 = 1, rand_seed2 = 2', { pinNext: true });
    expectFx('SET pseudo_thread_id = 5', { pinSession: 'SET pseudo_thread_id' });
    expectFx("SET gtid_next = 'AUTOMATIC'", { pinSession: 'SET gtid_next' });
    expectFx('SET warning_count = 1', null);
  });

  test('transaction characteristics', () => {
    expectFx('SET TRANSACTION ISOLATION LEVEL READ COMMITTED', { pinNext: true });
    expectFx('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED, READ ONLY', {
      direct: [sys('transaction_isolation', "'READ-COMMITTED'"), sys('transaction_read_only', '1')],
    });
    expectFx('SET GLOBAL TRANSACTION READ WRITE', null);
    // Bare @@: next transaction only (MariaDB 10.11: session value unchanged) -> pin next + read back.
    expectFx("SET @@tx_isolation='READ-COMMITTED'", { readBack: [rsys('transaction_isolation')], pinNext: true });
    expectFx("SET @@session.tx_isolation='READ-COMMITTED'", { direct: [sys('transaction_isolation', "'READ-COMMITTED'")] });
    expectFx("SET tx_isolation='SERIALIZABLE'", { direct: [sys('transaction_isolation', "'SERIALIZABLE'")] });
  });

  test('SET ROLE pins; SET PASSWORD is not session state; unparsable SET pins', () => {
    expectFx('SET ROLE r', { pinSession: 'SET ROLE' });
    expectFx("SET PASSWORD = 'x'", null);
    expectFx('SET @a 1', { pinSession: 'SET statement not understood' });
  });

  test('MariaDB SET STATEMENT ... FOR: only the inner statement counts', () => {
    expectFx('SET STATEMENT max_statement_time=1 FOR SELECT 1', null);
    expectFx('SET STATEMENT max_statement_time=1 FOR SELECT @a := 1', { readBack: [ruser('a')] });
  });

  test('a SET longer than the route parse limit is parsed in full', () => {
    const long = "'" + 'x'.repeat(5000) + "'";
    expectFx(`SET @a = ${long}, @b = 2`, { direct: [user('a', long), user('b', '2')] });
  });
});

describe('statementEffects: other statements', () => {
  test('ordinary statements: null', () => {
    for (const q of ['SELECT * FROM t WHERE id = 1', 'INSERT INTO t VALUES (1, 2)', "INSERT INTO t VALUES ('a@b.com')",
      'UPDATE t SET a = 1', 'DELETE FROM t', 'select @x', 'SELECT LAST_INSERT_ID()', 'BEGIN', 'COMMIT', 'SHOW TABLES',
      "SELECT * FROM t WHERE a = ':='", 'select 1 /* @a := 1 */', "SELECT 'into @a'", 'EXECUTE s', 'CALL p()']) {
      expectFx(q, null);
    }
  });

  test('user variable writes outside SET are read back', () => {
    expectFx('select @x := 5', { readBack: [ruser('x')] });
    expectFx('select 1 into @a', { readBack: [ruser('a')] });
    expectFx('SELECT a, b INTO @x, @y FROM t', { readBack: [ruser('x'), ruser('y')] });
    expectFx('SELECT a FROM t WHERE b = 1 INTO @Z', { readBack: [ruser('z')] });
    expectFx('UPDATE t SET a = (@n := @n + 1)', { readBack: [ruser('n')] });
    expectFx('DO @a := 1', { readBack: [ruser('a')] });
  });

  test('LAST_INSERT_ID(expr) sets last_insert_id: read back', () => {
    expectFx('SELECT LAST_INSERT_ID(5)', { readBack: [rsys('last_insert_id')] });
    expectFx('UPDATE t SET id = LAST_INSERT_ID(id + 1)', { readBack: [rsys('last_insert_id')] });
  });

  test('USE, PREPARE, DEALLOCATE', () => {
    expectFx('USE db', { useDb: 'db' });
    expectFx("PREPARE s FROM 'select 1';", { textPs: { name: 's', prepareSql: "PREPARE s FROM 'select 1'", fromVar: null } });
    expectFx('PREPARE St FROM @q', { textPs: { name: 'st', prepareSql: 'PREPARE St FROM @q', fromVar: 'q' } });
    expectFx('DEALLOCATE PREPARE s', { textPs: { name: 's', prepareSql: null, fromVar: null } });
    expectFx('DROP PREPARE s', { textPs: { name: 's', prepareSql: null, fromVar: null } });
    expectFx("PREPARE s FROM 'SET @a = ?'", {
      textPs: { name: 's', prepareSql: "PREPARE s FROM 'SET @a = ?'", fromVar: null }, pinSession: 'prepared statement changes session state',
    });
  });

  test('session resources pin the session', () => {
    expectFx('CREATE TEMPORARY TABLE t (a int)', { pinSession: 'temporary table' });
    expectFx("SELECT GET_LOCK('a', 1)", { pinSession: 'session lock function' });
    expectFx('LOCK TABLES t WRITE', { pinSession: 'LOCK TABLES' });
    expectFx('FLUSH TABLES WITH READ LOCK', { pinSession: 'FLUSH ... LOCK' });
    expectFx('HANDLER t OPEN', { pinSession: 'HANDLER' });
    expectFx('CREATE TABLE t (a int)', null);
    expectFx('FLUSH TABLES', null);
  });

  test('multi-statement: every statement counts', () => {
    expectFx('set @a = 1; set @b = @a + 1; USE d', { direct: [user('a', '1')], readBack: [ruser('b')], useDb: 'd' });
    expectFx('SELECT 1; SET autocommit = 0', { direct: [sys('autocommit', '0')] });
  });

  test('never throws on garbage', () => {
    for (const q of ['', ';;;', 'SET', 'SET @', "SELECT '", 'PREPARE', 'SET STATEMENT x=1', '\u0000@:=', 'select @ := 1']) {
      assert.doesNotThrow(() => fx(q), q);
    }
  });
});

describe('read-back', () => {
  test('query text: backtick-quoted names, session scope, server naming; user variables with collation and bytes', () => {
    assert.equal(readBackQuery([rsys('sql_mode'), ruser('x')]),
      'SELECT @@session.sql_mode, @`x`, COLLATION(@`x`), CAST(@`x` AS BINARY)');
    assert.equal(readBackQuery([rsys('transaction_isolation'), ruser('a`b')], 'legacy'),
      'SELECT @@session.tx_isolation, @`a``b`, COLLATION(@`a``b`), CAST(@`a``b` AS BINARY)');
  });

  test('applyReadBack walks the columns: one per system variable, three per user variable', () => {
    const s = new SessionState();
    const items = [rsys('sql_mode'), ruser('i'), ruser('s'), ruser('n'), rsys('last_insert_id')];
    const B = (x: string): Buffer => Buffer.from(x, 'utf8');
    const cols = [{ type: 253, charset: 45 }, { type: 8, charset: 63 }, { type: 253, charset: 45 }, { type: 250, charset: 63 },
      { type: 250, charset: 45 }, { type: 253, charset: 45 }, { type: 250, charset: 63 },
      { type: 6, charset: 63 }, { type: 253, charset: 45 }, { type: 250, charset: 63 }, { type: 8, charset: 63 }];
    const vals = [B('ANSI'), B('42'), B('binary'), B('42'), B('é'), B('latin1_bin'), Buffer.from([0xe9]),
      null, B('binary'), null, B('99')];
    applyReadBack(s, items, cols, vals);
    assert.deepEqual([...s.sysVars], [['sql_mode', "'ANSI'"]]);
    assert.deepEqual([...s.userVars], [['i', '42'], ['s', "_latin1 X'e9' COLLATE latin1_bin"], ['n', 'NULL']]);
    assert.equal(s.lastInsertId, 99n);
  });

  test('applyReadBack stops at a short row instead of misreading it', () => {
    const s = new SessionState();
    applyReadBack(s, [ruser('a'), rsys('time_zone')], [{ type: 8, charset: 63 }], [Buffer.from('1')]);
    assert.equal(s.userVars.size + s.sysVars.size, 0);
  });
});

describe('applySessionTrack', () => {
  /** One session-state entry: type byte, lenenc length, data (all lengths < 251 here). */
  function entry(type: number, ...strings: string[]): Buffer {
    const data = Buffer.concat(strings.map((x) => { const b = Buffer.from(x, 'utf8'); return Buffer.concat([Buffer.from([b.length]), b]); }));
    return Buffer.concat([Buffer.from([type, data.length]), data]);
  }

  test('system variables and schema from OK-packet bytes', () => {
    const bytes = Buffer.concat([
      entry(0, 'autocommit', 'OFF'), entry(0, 'TX_ISOLATION', 'READ-COMMITTED'), entry(0, 'sql_select_limit', '10'),
      entry(0, 'ob_proxy_partition_hit', '1'), entry(0, 'insert_id', '3'), entry(1, 'shop'), entry(2, '1'),
    ]);
    const s = new SessionState();
    assert.equal(applySessionTrack(s, parseSessionTrack(bytes)), null);
    assert.deepEqual([...s.sysVars], [
      ['autocommit', "'OFF'"], ['transaction_isolation', "'READ-COMMITTED'"], ['sql_select_limit', '10'],
    ]);
    assert.equal(s.database, 'shop');
  });

  test('a pin variable in tracking returns the reason', () => {
    const s = new SessionState();
    assert.equal(applySessionTrack(s, parseSessionTrack(entry(0, 'pseudo_thread_id', '12'))), 'session variable pseudo_thread_id');
    assert.equal(s.sysVars.size, 0);
  });
});

describe('PREPARE ... FROM @v: the variable value as a PREPARE string literal', () => {
  test('plain and introduced strings pass (collation dropped); hex, numbers, NULL and unknown do not', async () => {
    const { prepareText } = await import('../../../src/session/learn.js');
    assert.equal(prepareText("'SELECT 1'"), "'SELECT 1'");
    assert.equal(prepareText("'SELECT ''it''''s'''"), "'SELECT ''it''''s'''");
    assert.equal(prepareText("_utf8mb4 'SELECT 1' COLLATE utf8mb4_general_ci"), "_utf8mb4 'SELECT 1'");
    assert.equal(prepareText("_latin1 'SELECT 2'"), "_latin1 'SELECT 2'");
    assert.equal(prepareText("_binary X'53454c454354'"), null, 'binary: no charset to spell it in');
    assert.equal(prepareText("X'53454c454354'"), "'SELECT'");
    const itS = Buffer.from("SELECT 'it''s', 'é'", 'utf8').toString('hex');
    assert.equal(prepareText(`_utf8mb4 X'${itS}' COLLATE utf8mb4_general_ci`), "_utf8mb4 'SELECT ''it''''s'', ''é'''");
    assert.equal(prepareText(`_latin1 X'${Buffer.from('SELECT 1', 'latin1').toString('hex')}'`), "_latin1 'SELECT 1'");
    assert.equal(prepareText("_utf8mb4 X'53454c4543540a31'"), "_utf8mb4 'SELECT\n1'", 'a newline is fine');
    assert.equal(prepareText("_utf8mb4 X'53454c45435400'"), null, 'a control character is not spelled out');
    assert.equal(prepareText("_utf8mb4 X'53ff'"), null, 'invalid UTF-8');
    assert.equal(prepareText("_utf8mb4 X'535c'"), null, 'a backslash (sql_mode dependent)');
    assert.equal(prepareText("_ucs2 X'0053'"), null, 'not ASCII-compatible');
    assert.equal(prepareText('42'), null);
    assert.equal(prepareText('NULL'), null);
    assert.equal(prepareText(undefined), null);
    assert.equal(prepareText("'a' 'b'"), null, 'two literals are not one');
    assert.equal(prepareText("'a\\' '"), null, 'a backslash is not taken (its meaning depends on sql_mode)');
  });
});
