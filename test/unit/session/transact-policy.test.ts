// decideServer with a route policy answer (spec §5.3 rule 4): the chosen replica when usable, else the leader,
// else any alive server; the reason tells a deliberate replica from the leader (partition-miss feedback uses it).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decideServer, type RouteInput } from '../../../src/session/transact.js';
import type { PolicyChoice } from '../../../src/route/policy/index.js';

const L = '10.0.0.1:2881';
const F = '10.0.0.2:2881';
const follower: PolicyChoice = {
  server: F, leader: false, policy: 'FOLLOWER_FIRST', routeType: 'ROUTE_TYPE_FOLLOWER_PARTITION_UNMERGE_LOCAL',
  replica: { server: F, role: 'follower', replicaType: 'FULL', dup: false }, idcType: 'SAME_IDC', consistency: 'WEAK',
};

function input(over: Partial<RouteInput>): RouteInput {
  return {
    multiServer: true, inTransaction: false, pinReason: null, pinNext: false, dependent: false, current: L, home: L,
    alive: [L, F], down: new Set(), mode: 'oceanbase', hintTargets: null, configTargets: null, leader: L,
    leaderDetail: 'db.t tablet 1', partition: null, random: () => 0, ...over,
  };
}

describe('decideServer and the route policy', () => {
  test('no policy answer: the leader (partition_leader)', () => {
    const d = decideServer(input({}));
    assert.deepEqual([d.key, d.reason, d.policy], [L, 'partition_leader', undefined]);
  });

  test('a follower chosen by the policy: partition_replica with the answer', () => {
    const d = decideServer(input({ partition: follower }));
    assert.deepEqual([d.key, d.reason, d.detail], [F, 'partition_replica', 'db.t tablet 1']);
    assert.equal(d.policy, follower);
  });

  test('the policy chose the leader: partition_leader', () => {
    const d = decideServer(input({ partition: { ...follower, server: L, leader: true } }));
    assert.deepEqual([d.key, d.reason], [L, 'partition_leader']);
  });

  test('no usable replica: the leader, then any server', () => {
    assert.equal(decideServer(input({ partition: { ...follower, server: null } })).reason, 'partition_leader');
    const d = decideServer(input({ partition: follower, down: new Set([F, L]), alive: ['10.0.0.3:2881'] }));
    assert.deepEqual([d.key, d.reason], ['10.0.0.3:2881', 'random']);
  });

  test('a transaction still pins to its server', () => {
    assert.equal(decideServer(input({ partition: follower, inTransaction: true })).reason, 'in_transaction');
  });
});
