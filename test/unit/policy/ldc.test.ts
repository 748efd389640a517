// LDC classes (spec §3.6) over hand-built server lists.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyIdc, IdcCache, idcTypeOf, type LdcServer } from '../../../src/route/policy/index.js';

const S: LdcServer[] = [
  { key: 'a:1', zone: 'zone1', region: 'hangzhou', idc: 'hz1' },
  { key: 'b:1', zone: 'zone2', region: 'hangzhou', idc: 'hz2' },
  { key: 'c:1', zone: 'zone3', region: 'shanghai', idc: 'sh1' },
];

describe('IDC classification', () => {
  test('no proxy IDC: every server SAME_IDC', () => {
    const m = classifyIdc('', S);
    assert.equal(m, null);
    assert.equal(idcTypeOf(m, 'c:1'), 'SAME_IDC');
  });

  test('IDC match (case-insensitive): same IDC, same region, other region', () => {
    const m = classifyIdc('HZ1', S);
    assert.deepEqual(['a:1', 'b:1', 'c:1', 'unknown:1'].map((k) => idcTypeOf(m, k)), ['SAME_IDC', 'SAME_REGION', 'OTHER_REGION', 'OTHER_REGION']);
    assert.deepEqual(['a:1', 'b:1', 'c:1'].map((k) => idcTypeOf(classifyIdc('sh1', S), k)), ['OTHER_REGION', 'OTHER_REGION', 'SAME_IDC']);
  });

  test('no IDC matches: zones whose name starts with it give the region', () => {
    const m = classifyIdc('zone3', S);
    assert.deepEqual(['a:1', 'c:1'].map((k) => idcTypeOf(m, k)), ['OTHER_REGION', 'SAME_REGION']);
  });

  test('an IDC nothing matches: all SAME_IDC', () => {
    assert.equal(classifyIdc('bj9', S), null);
  });

  test('the cache recomputes when the server list object changes', () => {
    const c = new IdcCache();
    const first = c.get('hz1', S);
    assert.equal(c.get('hz1', S), first);
    const moved = S.map((s) => (s.key === 'b:1' ? { ...s, region: 'shanghai' } : s));
    assert.equal(idcTypeOf(c.get('hz1', moved), 'b:1'), 'OTHER_REGION');
    assert.equal(c.get('', S), null);
  });
});
