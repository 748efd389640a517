// The emulator's partition-hit answer for reads a non-leader may serve (spec §5.2 weak reads, §5.4 replicated
// tables): hit on any server of the tenant; writes and strong reads still hit only on the leader.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decideHit } from '../../../lab/observer/partition-hit.js';
import { defaultTopology } from '../../../lab/observer/default-topology.js';
import { findTable, tabletsOf } from '../../../lab/observer/topology.js';

const t = defaultTopology();
const hit = (sql: string, self: string): boolean => decideHit(t, 'test', 'lab_db', sql, self).hit;

describe('partition hit of reads on replicas', () => {
  test('the lab has a replicated table with dup replicas, led by obs3', () => {
    const dup = findTable(t, 'test', 'lab_db', 't_dup');
    assert.equal(dup?.duplicate, true);
    assert.equal(tabletsOf(dup!)[0]?.leader, 'obs3');
  });

  test('a weak read is a hit on a follower, a strong read is not', () => {
    // t_hash id = 1 -> p1, led by obs2 (test/unit/lab/partition-hit.test.ts)
    assert.equal(hit('SELECT /*+ READ_CONSISTENCY(WEAK) */ * FROM t_hash WHERE id = 1', 'obs1'), true);
    assert.equal(hit('SELECT * FROM t_hash WHERE id = 1', 'obs1'), false);
    assert.equal(hit('SELECT /*+ READ_CONSISTENCY(WEAK) */ * FROM t_hash WHERE id = 1 FOR UPDATE', 'obs1'), false);
  });

  test('any read of the replicated table is a hit everywhere; a write only on its leader', () => {
    for (const s of ['obs1', 'obs2', 'obs3']) assert.equal(hit('SELECT v FROM t_dup WHERE id = 3', s), true, s);
    assert.equal(hit("UPDATE t_dup SET v = 'x' WHERE id = 3", 'obs1'), false);
    assert.equal(hit("UPDATE t_dup SET v = 'x' WHERE id = 3", 'obs3'), true);
    assert.equal(hit('SELECT v FROM t_dup WHERE id = 3 FOR UPDATE', 'obs2'), false);
  });

  test('a tenant without a unit on the server: no local replica, a miss', () => {
    const solo = decideHit(t, 'test', 'lab_db', 'SELECT * FROM t_dup', 'obs9');
    assert.equal(solo.hit, false);
  });
});
