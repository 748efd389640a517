// Which transaction starts the proxy may hold until the first statement (spec §5.6) and which go to the server at once.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { holdableBegin } from '../../../src/session/transact.js';

describe('holdableBegin', () => {
  test('plain starts are held', () => {
    for (const sql of ['BEGIN', 'begin work', ' START TRANSACTION ;', 'start transaction read only', 'START\tTRANSACTION READ WRITE']) {
      assert.equal(holdableBegin(sql), true, sql);
    }
  });

  test('a consistent snapshot, combinations the server may reject, and anything unusual go to the server now', () => {
    for (const sql of [
      'START TRANSACTION WITH CONSISTENT SNAPSHOT', // the snapshot is taken when it runs
      'START TRANSACTION READ ONLY, READ WRITE', // ER_PARSE_ERROR from the server, not OK from the proxy
      'START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT',
      '/* c */ BEGIN', 'BEGIN; SELECT 1', 'BEGIN NOT ATOMIC SELECT 1; END', 'START TRANSACTION READ',
    ]) {
      assert.equal(holdableBegin(sql), false, sql);
    }
  });
});

describe('killConnectionUser', () => {
  test('the user of KILL [HARD|SOFT] [CONNECTION] USER; null for KILL QUERY USER and other statements', async () => {
    const { killConnectionUser } = await import('../../../src/session/kill.js');
    assert.equal(killConnectionUser('kill hard connection user test@localhost'), 'test');
    assert.equal(killConnectionUser('KILL USER `bob`'), 'bob');
    assert.equal(killConnectionUser("kill soft connection user 'a b'@'%'"), 'a b');
    assert.equal(killConnectionUser('kill soft query user test@localhost'), null);
    assert.equal(killConnectionUser('KILL 17'), null);
  });
});
