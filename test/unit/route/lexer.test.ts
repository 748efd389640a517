// Tokenizer and keyword table, checked against hand-written token lists.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Lexer } from '../../../src/route/sql/lexer.js';
import { K, KW_TEXT } from '../../../src/route/sql/keywords.js';
import { T } from '../../../src/route/sql/tokens.js';

const NAMES = ['END', 'WORD', 'QIDENT', 'STRING', 'NSTRING', 'HEX', 'BIT', 'INT', 'DECIMAL', 'FLOAT', 'PARAM', 'USERVAR', 'SYSVAR', 'OP', 'ERROR'];

function tokens(sql: string, limit = sql.length, truncated = false): string[] {
  const lx = new Lexer();
  lx.lex(sql, limit, truncated, false, false);
  const out: string[] = [];
  for (let i = 0; i < lx.count; i++) out.push(`${NAMES[lx.type(i)]}:${sql.slice(lx.startOf(i), lx.stopOf(i))}`);
  return out;
}

describe('route lexer', () => {
  test('words, quoted names, strings, numbers, operators', () => {
    assert.deepEqual(tokens("SELECT a.`b``c`, 'x''y' FROM t WHERE c>=1.5e3 AND d<=>-2 OR e<>.5"), [
      'WORD:SELECT', 'WORD:a', 'OP:.', 'QIDENT:`b``c`', 'OP:,', "STRING:'x''y'", 'WORD:FROM', 'WORD:t', 'WORD:WHERE',
      'WORD:c', 'OP:>=', 'FLOAT:1.5e3', 'WORD:AND', 'WORD:d', 'OP:<=>', 'OP:-', 'INT:2', 'WORD:OR', 'WORD:e', 'OP:<>',
      'DECIMAL:.5',
    ]);
  });

  test('literal prefixes and digit-led identifiers', () => {
    assert.deepEqual(tokens("x'4A' X'4a' b'01' N'n' 0x1F 0b10 0xg 1abc db.1t t.5 _utf8'z'"), [
      "HEX:x'4A'", "HEX:X'4a'", "BIT:b'01'", "NSTRING:N'n'", 'HEX:0x1F', 'BIT:0b10', 'WORD:0xg', 'WORD:1abc',
      'WORD:db', 'OP:.', 'WORD:1t', 'WORD:t', 'OP:.', 'WORD:5', 'WORD:_utf8', "STRING:'z'",
    ]);
  });

  test('variables, placeholders, assignment', () => {
    assert.deepEqual(tokens("SET @a := ?, @'q r' = @@global.x, @@y"), [
      'WORD:SET', 'USERVAR:@a', 'OP::=', 'PARAM:?', 'OP:,', "USERVAR:@'q r'", 'OP:=', 'SYSVAR:@@global.x', 'OP:,', 'SYSVAR:@@y',
    ]);
  });

  test('comments are skipped; version comments are transparent; -- needs a blank', () => {
    assert.deepEqual(tokens('/* c */ SELECT /*!50000 1 */ # x\n -- y\n --2'), ['WORD:SELECT', 'INT:1', 'OP:-', 'OP:-', 'INT:2']);
  });

  test('block comments are recorded with the index of the next token', () => {
    const lx = new Lexer();
    const sql = '/* lead */ SELECT /*+ hint */ 1';
    lx.lex(sql, sql.length, false, false, false);
    assert.equal(lx.nComments, 2);
    assert.deepEqual([sql.slice(lx.cStart[0], lx.cStop[0]), lx.cNext[0]], [' lead ', 0]);
    assert.deepEqual([sql.slice(lx.cStart[1], lx.cStop[1]), lx.cNext[1]], ['+ hint ', 1]);
  });

  test('parentheses are matched; unbalanced ones get -1', () => {
    const lx = new Lexer();
    const sql = '( a ( b ) ) ) (';
    lx.lex(sql, sql.length, false, false, false);
    const ops = Array.from({ length: lx.count }, (_, i) => i).filter((i) => lx.type(i) === T.OP);
    assert.deepEqual(ops.map((i) => lx.matchOf(i)), [5, 4, 2, 0, -1, -1]);
  });

  test('the first statement ends at ;', () => {
    const lx = new Lexer();
    const sql = 'SELECT 1; SELECT 2';
    lx.lex(sql, sql.length, false, false, false);
    assert.equal(lx.count, 2);
    assert.equal(lx.stmtEnd, 9);
    assert.equal(lx.more, true);
  });

  test('a token cut by the parse limit is dropped, a complete `)` is kept', () => {
    assert.deepEqual(tokens('SELECT 12345', 9, true), ['WORD:SELECT']);
    assert.deepEqual(tokens('f(1) + 2', 4, true), ['WORD:f', 'OP:(', 'INT:1', 'OP:)']);
    assert.deepEqual(tokens("WHERE a = 'abc", 12, true), ['WORD:WHERE', 'WORD:a', 'OP:=']);
  });

  test('unterminated literals produce an ERROR token and a message', () => {
    const lx = new Lexer();
    lx.lex("SELECT 'x", 9, false, false, false);
    assert.equal(lx.error, 'unterminated string literal');
    assert.equal(lx.type(lx.count - 1), T.ERROR);
  });

  test('every keyword is recognised in any case, near misses are not', () => {
    const lx = new Lexer();
    for (let id = 1; id < KW_TEXT.length && KW_TEXT[id] !== ''; id++) {
      const w = KW_TEXT[id]!;
      for (const form of [w, w.toUpperCase(), w[0]!.toUpperCase() + w.slice(1)]) {
        lx.lex(form, form.length, false, false, false);
        assert.equal(lx.packed(0) >> 5, id, form);
      }
      for (const miss of [w + 'x', w.slice(0, -1), '`' + w + '`']) {
        lx.lex(miss, miss.length, false, false, false);
        if (KW_TEXT.indexOf(miss) < 0) assert.equal(lx.type(0) === T.WORD ? lx.packed(0) >> 5 : 0, 0, miss);
      }
    }
  });

  test('keyword ids match their names', () => {
    const expected: [number, string][] = [
      [K.SELECT, 'select'], [K.WHERE, 'where'], [K.STRAIGHT_JOIN, 'straight_join'], [K.LAST_INSERT_ID, 'last_insert_id'],
      [K.CURRENT_TIMESTAMP, 'current_timestamp'], [K.PERSIST_ONLY, 'persist_only'], [K.PROXYSESSION, 'proxysession'],
      [K.SQL_CALC_FOUND_ROWS, 'sql_calc_found_rows'], [K.NULL, 'null'], [K.XA, 'xa'],
    ];
    for (const [id, w] of expected) assert.equal(KW_TEXT[id], w);
  });
});
