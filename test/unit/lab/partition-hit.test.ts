// ob_proxy_partition_hit decisions. Expected partitions come from the partitioning rules themselves (HASH:
// id mod 4; RANGE/LIST: the bounds) or from the real kernel (KEY and two-level cases, kernel vectors of
// t_key_int / t2_range_key_tpl); leaders are the default topology's, spelled out here.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { defaultTopology } from '../../../lab/observer/default-topology.js';
import { decideHit } from '../../../lab/observer/partition-hit.js';
import { moveLeader } from '../../../lab/observer/topology.js';

const T_HASH_LEADERS = ['obs1', 'obs2', 'obs3', 'obs1'];

function leaderOf(sql: string, params: (number | string)[] | null = null, db: string | null = 'lab_db', t = defaultTopology()): string | null {
  const d = decideHit(t, 'test', db, sql, 'obs1', params);
  return d.leader;
}

describe('partition of a statement', () => {
  test('HASH: id mod 4, from INSERT values (with and without a column list) and WHERE', () => {
    for (const id of [0, 5, 6, 7, 12, 1001]) {
      const want = T_HASH_LEADERS[id % 4]!;
      assert.equal(leaderOf(`INSERT INTO t_hash (id, v) VALUES (${id}, 'x')`), want, `insert ${id}`);
      assert.equal(leaderOf(`INSERT INTO t_hash VALUES (${id}, 'x')`), want, `insert by position ${id}`);
      assert.equal(leaderOf(`SELECT v FROM t_hash WHERE v = 'a' AND id = ${id}`), want, `select ${id}`);
      assert.equal(leaderOf(`UPDATE lab_db.t_hash SET v = 'b' WHERE id IN (${id}, 3)`), want, `update ${id}`);
    }
  });

  test('RANGE: high bounds 100, 200, MAXVALUE', () => {
    assert.equal(leaderOf('DELETE FROM t_range WHERE id = 99'), 'obs1');
    assert.equal(leaderOf('DELETE FROM t_range WHERE id = 100'), 'obs2');
    assert.equal(leaderOf('DELETE FROM t_range WHERE id = 199'), 'obs2');
    assert.equal(leaderOf('DELETE FROM t_range WHERE id = 200'), 'obs3');
    assert.equal(leaderOf('DELETE FROM t_range WHERE id = -5'), 'obs1');
  });

  test('RANGE COLUMNS over a binary-collated varchar: < h, < p, MAXVALUE', () => {
    assert.equal(leaderOf("SELECT * FROM t_range_cols WHERE name = 'apple'"), 'obs3');
    assert.equal(leaderOf("SELECT * FROM t_range_cols WHERE name = 'h'"), 'obs1');
    assert.equal(leaderOf("SELECT * FROM t_range_cols WHERE name = 'Zed'"), 'obs3', "'Z' < 'h' in binary order");
    assert.equal(leaderOf("SELECT * FROM t_range_cols WHERE name = 'zed'"), 'obs2');
  });

  test('LIST with DEFAULT', () => {
    assert.equal(leaderOf('SELECT * FROM t_list WHERE region = 2'), 'obs2');
    assert.equal(leaderOf('SELECT * FROM t_list WHERE region = 5'), 'obs3');
    assert.equal(leaderOf('SELECT * FROM t_list WHERE region = 42'), 'obs1');
  });

  test('KEY and two-level tables follow the kernel', () => {
    // kernel (t_key_int, 7 partitions): k=3 -> p0, k=2 -> p5, k=100 -> p4, k=127 -> p2; leaders rotate obs1..obs3
    assert.equal(leaderOf('SELECT * FROM t_key WHERE k = 3'), 'obs1');
    assert.equal(leaderOf('SELECT * FROM t_key WHERE k = 2'), 'obs3');
    assert.equal(leaderOf('SELECT * FROM t_key WHERE k = 100'), 'obs2');
    assert.equal(leaderOf('SELECT * FROM t_key WHERE k = 127'), 'obs3');
    // kernel (t2_range_key_tpl): (a=-2, c='ss') -> p0sp2; (a=7, c='b') -> p1sp3; leaves rotate obs1.. over p0sp0..p1sp3
    assert.equal(leaderOf("SELECT * FROM t_sub WHERE a = -2 AND c = 'ss'"), 'obs3');
    assert.equal(leaderOf("SELECT * FROM t_sub WHERE a = 7 AND c = 'b'"), 'obs2');
  });

  test('placeholders take the COM_STMT_EXECUTE parameters', () => {
    assert.equal(leaderOf('SELECT * FROM t_hash WHERE id = ?', [6]), 'obs3');
    assert.equal(leaderOf('INSERT INTO t_range (id, v) VALUES (?, ?)', [150, 'x']), 'obs2');
    assert.equal(leaderOf('SELECT * FROM t_hash WHERE id = ?', null), null, 'unknown parameter: no partition');
  });
});

describe('hit or miss', () => {
  test('hit only on the leader of the computed partition; move-leader flips it', () => {
    const t = defaultTopology();
    const sql = "UPDATE t_hash SET v = 'z' WHERE id = 5";
    assert.equal(decideHit(t, 'test', 'lab_db', sql, 'obs2').hit, true);
    assert.equal(decideHit(t, 'test', 'lab_db', sql, 'obs1').hit, false);
    assert.equal(moveLeader(t, 't_hash', 'p1', 'obs1'), null);
    assert.equal(decideHit(t, 'test', 'lab_db', sql, 'obs2').hit, false);
    assert.equal(decideHit(t, 'test', 'lab_db', sql, 'obs1').hit, true);
  });

  test('no computable partition: hit only where every tablet of the table is led', () => {
    const t = defaultTopology();
    const sql = 'SELECT count(*) FROM t_range';
    assert.equal(decideHit(t, 'test', 'lab_db', sql, 'obs1').hit, false);
    for (const p of ['p0', 'p1', 'p2']) assert.equal(moveLeader(t, 't_range', p, 'obs1'), null);
    assert.equal(decideHit(t, 'test', 'lab_db', sql, 'obs1').hit, true);
    assert.equal(decideHit(t, 'test', 'lab_db', sql, 'obs2').hit, false);
  });

  test('statements without a topology table always hit; a non-partitioned table has one leader', () => {
    const t = defaultTopology();
    assert.equal(decideHit(t, 'test', 'lab_db', 'SELECT 1', 'obs3').hit, true);
    assert.equal(decideHit(t, 'test', 'lab_db', 'CREATE TABLE lab_tmp (a int)', 'obs3').hit, true);
    assert.equal(decideHit(t, 'test', null, 'SELECT * FROM t_hash WHERE id = 1', 'obs3').hit, true, 'no database: not the topology table');
    assert.equal(decideHit(t, 'sys', 'lab_db', 'SELECT * FROM t_hash WHERE id = 1', 'obs3').hit, true, 'another tenant');
    assert.equal(decideHit(t, 'test', 'lab_db', 'SELECT * FROM t_plain', 'obs2').hit, true);
    assert.equal(decideHit(t, 'test', 'lab_db', 'SELECT * FROM t_plain', 'obs3').hit, false);
  });
});
