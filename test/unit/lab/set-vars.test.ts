// SET statements with OceanBase-only variables: what the emulator keeps and what it runs on MariaDB.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { splitSet } from '../../../lab/observer/set-vars.js';
import { parseRoute } from '../../../src/route/sql/index.js';

const split = (sql: string): ReturnType<typeof splitSet> => splitSet(parseRoute(sql));

describe('SET splitting', () => {
  test('OceanBase-only variables are kept, with plain values', () => {
    assert.deepEqual(split("SET @@ob_query_timeout = 1000, ob_read_consistency = 'WEAK'"), {
      local: [{ name: 'ob_query_timeout', value: '1000' }, { name: 'ob_read_consistency', value: 'WEAK' }], forward: null,
    });
  });

  test('the rest runs on MariaDB as one SET, user variables included', () => {
    assert.deepEqual(split("SET @@session.ob_trx_timeout = 5, @@session.autocommit = 1, @a = 'x'"), {
      local: [{ name: 'ob_trx_timeout', value: '5' }], forward: "SET @@session.autocommit = 1, @`a` = 'x'",
    });
  });

  test('MySQL 8 names are renamed for MariaDB 10.x', () => {
    assert.deepEqual(split("SET @@transaction_isolation = 'READ-COMMITTED'"), { local: [], forward: "SET @@session.tx_isolation = 'READ-COMMITTED'" });
  });

  test('statements MariaDB runs as they are are left alone', () => {
    assert.equal(split('SET @@session.autocommit = 0'), null);
    assert.equal(split("SET @a = 1"), null);
    assert.equal(split('SET NAMES utf8mb4'), null);
    assert.equal(split('SELECT 1'), null);
  });
});
