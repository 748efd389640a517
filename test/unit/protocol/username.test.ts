import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseUsername, type ParsedUsername } from '../../../src/protocol/username.js';

type Row = [raw: string, user: string, tenant: string | null, cluster: string | null, clusterId: number | null, form: ParsedUsername['form']];

// Spec §2.5 plus the decisions documented in username.ts.
const CASES: Row[] = [
  // plain
  ['root', 'root', null, null, null, 'plain'],
  ['', '', null, null, null, 'plain'],
  ['a-b', 'a-b', null, null, null, 'plain'],
  ['a.b:c', 'a.b:c', null, null, null, 'plain'],
  ['用户', '用户', null, null, null, 'plain'],
  // standard, every optional part
  ['root@sys', 'root', 'sys', null, null, 'standard'],
  ['root#obcluster', 'root', null, 'obcluster', null, 'standard'],
  ['root@sys#obcluster', 'root', 'sys', 'obcluster', null, 'standard'],
  ['root@sys#obcluster:2', 'root', 'sys', 'obcluster', 2, 'standard'],
  ['root#obcluster:15', 'root', null, 'obcluster', 15, 'standard'],
  ['root@sys:1', 'root', 'sys:1', null, null, 'standard'],
  ['user@SERVICE:svc1#cl', 'user', 'SERVICE:svc1', 'cl', null, 'standard'],
  ['用户@租户#集群:3', '用户', '租户', '集群', 3, 'standard'],
  ['a.b-c@t#c', 'a.b-c', 't', 'c', null, 'standard'],
  // empty parts
  ['root@', 'root', null, null, null, 'standard'],
  ['root@#', 'root', null, null, null, 'standard'],
  ['root@#c', 'root', null, 'c', null, 'standard'],
  ['@t', '', 't', null, null, 'standard'],
  ['#c', '', null, 'c', null, 'standard'],
  ['@', '', null, null, null, 'standard'],
  ['root@t#', 'root', 't', null, null, 'standard'],
  ['root@t#:5', 'root', 't', null, 5, 'standard'],
  // cluster id edge cases
  ['root@t#c:', 'root', 't', 'c', null, 'standard'],
  ['root@t#c:x', 'root', 't', 'c:x', null, 'standard'],
  ['root@t#c:1x', 'root', 't', 'c:1x', null, 'standard'],
  ['root@t#c:-1', 'root', 't', 'c:-1', null, 'standard'],
  ['root@t#c:99999999999999999999', 'root', 't', 'c:99999999999999999999', null, 'standard'],
  ['root@t#c:0', 'root', 't', 'c', 0, 'standard'],
  ['root@t#c:1:2', 'root', 't', 'c:1:2', null, 'standard'],
  // first '@' / '#' win
  ['a@b@c#d', 'a', 'b@c', 'd', null, 'standard'],
  ['a#b@c', 'a', null, 'b@c', null, 'standard'],
  ['a@b#c#d', 'a', 'b', 'c#d', null, 'standard'],
  // non-standard: cluster<S>tenant<S>user[<S>cluster_id]
  ['obcluster:sys:root', 'root', 'sys', 'obcluster', null, 'nonstandard'],
  ['obcluster:sys:root:3', 'root', 'sys', 'obcluster', 3, 'nonstandard'],
  ['obcluster;sys;root', 'root', 'sys', 'obcluster', null, 'nonstandard'],
  ['obcluster-sys-root', 'root', 'sys', 'obcluster', null, 'nonstandard'],
  ['obcluster.sys.root', 'root', 'sys', 'obcluster', null, 'nonstandard'],
  ['obcluster-sys-root-7', 'root', 'sys', 'obcluster', 7, 'nonstandard'],
  ['obcluster-sys-root:7', 'root', 'sys', 'obcluster', 7, 'nonstandard'],
  ['c-t-my-user', 'my-user', 't', 'c', null, 'nonstandard'],
  ['c-t-my-user:9', 'my-user', 't', 'c', 9, 'nonstandard'],
  ['c-t-u-', 'u', 't', 'c', null, 'nonstandard'],
  ['c-t-', '', 't', 'c', null, 'nonstandard'],
  ['--u', 'u', null, null, null, 'nonstandard'],
  ['c.t.u', 'u', 't', 'c', null, 'nonstandard'],
  ['集群.租户.用户', '用户', '租户', '集群', null, 'nonstandard'],
  // separator priority: the first of [':', ';', '-', '.'] occurring twice
  ['a-b.c.d:e', 'd:e', 'c', 'a-b', null, 'nonstandard'],
  ['a.b-c-d.e', 'd.e', 'c', 'a.b', null, 'nonstandard'],
  ['a:b-c-d', 'd', 'c', 'a:b', null, 'nonstandard'],
  ['a:b:c-d-e', 'c-d-e', 'b', 'a', null, 'nonstandard'],
];

void describe('parseUsername (spec §2.5)', () => {
  for (const [raw, user, tenant, cluster, clusterId, form] of CASES) {
    void test(JSON.stringify(raw), () => {
      assert.deepEqual(parseUsername(raw), { user, tenant, cluster, clusterId, form });
    });
  }

  void test('custom separators', () => {
    assert.deepEqual(parseUsername('c|t|u|4', ['|']), { user: 'u', tenant: 't', cluster: 'c', clusterId: 4, form: 'nonstandard' });
    assert.equal(parseUsername('c-t-u', ['|']).form, 'plain');
    assert.equal(parseUsername('c-t-u', []).form, 'plain');
    assert.equal(parseUsername('c::t::u', ['::']).tenant, 't');
  });

  void test('a standard name rebuilds to itself (property)', () => {
    const part = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/[@#:]/.test(s));
    fc.assert(
      fc.property(part, fc.option(part), fc.option(part), fc.option(fc.integer({ min: 0, max: 2 ** 31 })), (user, tenant, cluster, id) => {
        const raw = `${user}${tenant === null ? '' : `@${tenant}`}${cluster === null ? '' : `#${cluster}`}` +
          `${cluster !== null && id !== null ? `:${id}` : ''}`;
        const p = parseUsername(raw);
        if (tenant === null && cluster === null) return;
        assert.deepEqual(p, { user, tenant, cluster, clusterId: cluster !== null ? id : null, form: 'standard' });
      }),
    );
  });

  void test('never throws (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => void parseUsername(s)));
  });
});
