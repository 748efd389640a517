// Replica choice (spec §5.3, §5.4) over hand-built replica lists. Oracle: the class orders of spec §5.3
// (FOLLOWER_FIRST: AF, BF, AL, BL, CF, CL; MERGE_IDC_ORDER: A, B, C; DUP_REPLICA_FIRST: dup nearest first, leader).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseReplica, weakPolicyOf, type PolicyInput } from '../../../src/route/policy/index.js';
import type { ReplicaLocation } from '../../../src/route/location/types.js';
import type { IdcType } from '../../../src/route/policy/index.js';

const L = '10.0.0.1:2881';
const F1 = '10.0.0.2:2881';
const F2 = '10.0.0.3:2881';
const rep = (server: string, role: 'leader' | 'follower', dup = false, replicaType = 'FULL'): ReplicaLocation => ({ server, role, replicaType, dup });
const THREE = [rep(L, 'leader'), rep(F1, 'follower'), rep(F2, 'follower')];
const DUP3 = [rep(L, 'leader', true), rep(F1, 'follower', true), rep(F2, 'follower', true)];

function input(over: Partial<PolicyInput>): PolicyInput {
  return { replicas: THREE, duplicate: false, read: true, consistency: 'STRONG', weakPolicy: '', idc: null, current: null, down: new Set(), seed: 0, ...over };
}
const idc = (m: Record<string, IdcType>): ReadonlyMap<string, IdcType> => new Map(Object.entries(m));

describe('writes and strong reads', () => {
  test('a write goes to the leader whatever the current server', () => {
    const c = chooseReplica(input({ read: false, current: F1 }));
    assert.equal(c.server, L);
    assert.equal(c.leader, true);
    assert.equal(c.routeType, 'ROUTE_TYPE_LEADER');
    assert.equal(c.policy, 'MERGE_IDC_ORDER');
  });

  test('a strong read of an ordinary table goes to the leader; a write to a replicated table too', () => {
    assert.equal(chooseReplica(input({ current: F2 })).server, L);
    assert.equal(chooseReplica(input({ replicas: DUP3, duplicate: true, read: false, current: F2 })).server, L);
  });

  test('no leader in the list: no server', () => {
    assert.equal(chooseReplica(input({ replicas: [rep(F1, 'follower')] })).server, null);
  });
});

describe('weak reads', () => {
  const weak = (over: Partial<PolicyInput>): PolicyInput => input({ consistency: 'WEAK', ...over });

  test('default MERGE_IDC_ORDER without an IDC: every replica is equal, the current server stays', () => {
    const c = chooseReplica(weak({ current: L }));
    assert.deepEqual([c.server, c.policy, c.routeType, c.idcType], [L, 'MERGE_IDC_ORDER', 'ROUTE_TYPE_PARTITION_UNMERGE_LOCAL', 'SAME_IDC']);
    assert.equal(chooseReplica(weak({ current: F2 })).server, F2);
  });

  test('no current replica: the seed picks, stable per seed and covering every replica', () => {
    const picks = [0, 1, 2, 3].map((seed) => chooseReplica(weak({ current: '10.9.9.9:2881', seed })).server);
    assert.deepEqual(picks, [L, F1, F2, L]);
  });

  test('FOLLOWER_FIRST leaves the leader even when it is the current server', () => {
    const c = chooseReplica(weak({ weakPolicy: 'follower_first', current: L, seed: 1 }));
    assert.equal(c.server, F2);
    assert.equal(c.leader, false);
    assert.equal(c.policy, 'FOLLOWER_FIRST');
    assert.equal(c.routeType, 'ROUTE_TYPE_FOLLOWER_PARTITION_UNMERGE_LOCAL');
    assert.equal(chooseReplica(weak({ weakPolicy: 'FOLLOWER_FIRST', current: F1 })).server, F1, 'a follower current server stays');
  });

  test('FOLLOWER_FIRST with an IDC: AF, BF, AL before a remote follower', () => {
    // leader in my IDC, F1 in my region, F2 in another region
    const m = idc({ [L]: 'SAME_IDC', [F1]: 'SAME_REGION', [F2]: 'OTHER_REGION' });
    const c = chooseReplica(weak({ weakPolicy: 'follower_first', idc: m, current: F2 }));
    assert.deepEqual([c.server, c.idcType, c.routeType], [F1, 'SAME_REGION', 'ROUTE_TYPE_FOLLOWER_PARTITION_UNMERGE_REGION']);
    // without F1 the same-IDC leader beats the other-region follower
    const d = chooseReplica(weak({ weakPolicy: 'follower_first', idc: m, current: F2, down: new Set([F1]) }));
    assert.deepEqual([d.server, d.routeType], [L, 'ROUTE_TYPE_LEADER_PARTITION_UNMERGE_LOCAL']);
  });

  test('MERGE_IDC_ORDER with an IDC: same IDC first, whatever the role', () => {
    const m = idc({ [L]: 'OTHER_REGION', [F1]: 'OTHER_REGION', [F2]: 'SAME_IDC' });
    assert.equal(chooseReplica(weak({ idc: m, current: L })).server, F2);
    assert.equal(chooseReplica(weak({ idc: new Map(), current: L })).server, L, 'unknown servers are all OTHER_REGION: the current one stays');
  });

  test('FOLLOWER_ONLY never takes the leader', () => {
    const c = chooseReplica(weak({ weakPolicy: "'follower_only'", down: new Set([F1, F2]) }));
    assert.equal(c.server, null);
    assert.equal(c.policy, 'FOLLOWER_ONLY');
    assert.equal(chooseReplica(weak({ weakPolicy: 'follower_only', current: L, down: new Set([F1]) })).server, F2);
  });

  test('down servers and replicas without data are skipped', () => {
    const list = [rep(L, 'leader'), rep(F1, 'follower', false, 'LOGONLY'), rep(F2, 'follower')];
    assert.equal(chooseReplica(weak({ replicas: list, weakPolicy: 'follower_first', seed: 0 })).server, F2);
    assert.equal(chooseReplica(weak({ replicas: list, weakPolicy: 'follower_first', down: new Set([F2]) })).server, L);
  });

  test('a weak read of a replicated table follows the weak policy, not DUP_REPLICA_FIRST', () => {
    const c = chooseReplica(weak({ replicas: DUP3, duplicate: true, weakPolicy: 'follower_first', current: L }));
    assert.equal(c.policy, 'FOLLOWER_FIRST');
    assert.notEqual(c.server, L);
  });

  test('weakPolicyOf: case-insensitive, quoted, unknown -> MERGE_IDC_ORDER', () => {
    assert.equal(weakPolicyOf('Follower_First'), 'FOLLOWER_FIRST');
    assert.equal(weakPolicyOf('"unmerge_follower_first"'), 'UNMERGE_FOLLOWER_FIRST');
    assert.equal(weakPolicyOf(' follower_only '), 'FOLLOWER_ONLY');
    assert.equal(weakPolicyOf(''), 'MERGE_IDC_ORDER');
    assert.equal(weakPolicyOf('weakread_weight_load_balance'), 'MERGE_IDC_ORDER');
  });
});

describe('strong reads of replicated tables (DUP_REPLICA_FIRST)', () => {
  const dup = (over: Partial<PolicyInput>): PolicyInput => input({ replicas: DUP3, duplicate: true, ...over });

  test('the current server holds a dup replica: it stays, even when another is nearer', () => {
    const m = idc({ [L]: 'SAME_IDC', [F1]: 'SAME_REGION', [F2]: 'OTHER_REGION' });
    const c = chooseReplica(dup({ current: F2, idc: m }));
    assert.deepEqual([c.server, c.policy, c.leader, c.consistency], [F2, 'DUP_REPLICA_FIRST', false, 'STRONG']);
    assert.equal(c.routeType, 'ROUTE_TYPE_PARTITION_UNMERGE_REMOTE');
    assert.equal(c.replica?.dup, true);
  });

  test('otherwise the nearest dup replica', () => {
    const m = idc({ [L]: 'OTHER_REGION', [F1]: 'SAME_IDC', [F2]: 'SAME_REGION' });
    assert.equal(chooseReplica(dup({ current: null, idc: m })).server, F1);
    assert.equal(chooseReplica(dup({ current: '10.9.9.9:2881', idc: m, down: new Set([F1]) })).server, F2);
  });

  test('followers that are not dup replicas are never used; the leader is the last resort', () => {
    const mixed = [rep(L, 'leader'), rep(F1, 'follower'), rep(F2, 'follower', true)];
    assert.equal(chooseReplica(dup({ replicas: mixed, current: F1 })).server, F2);
    const c = chooseReplica(dup({ replicas: mixed, current: F1, down: new Set([F2]) }));
    assert.deepEqual([c.server, c.leader], [L, true]);
  });

  test('a locking read (not a read) goes to the leader', () => {
    assert.equal(chooseReplica(dup({ read: false, current: F1 })).server, L);
  });
});
