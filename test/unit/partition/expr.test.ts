// Partition expressions over literals (ODP "Function partition key routing" functions, MySQL semantics).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { evalExpr, parseExpr } from '../../../src/route/partition/expr.js';
import type { Lit } from '../../../src/route/partition/cast.js';

function run(src: string, vars: Record<string, Lit> = {}): Lit {
  const e = parseExpr(src);
  if (typeof e === 'string') assert.fail(`parse ${src}: ${e}`);
  const r = evalExpr(e, { lookup: (n) => vars[n], tzOffsetSec: 8 * 3600 });
  if ('err' in r) assert.fail(`eval ${src}: ${r.err}`);
  return r.v;
}

describe('partition expressions', () => {
  test('string functions', () => {
    assert.equal(run("substr('hello world', 7)"), 'world');
    assert.equal(run("substring('hello', 2, 3)"), 'ell');
    assert.equal(run("substr('hello', -3, 2)"), 'll');
    assert.equal(run("substr('héllo', 2, 1)"), 'é', 'character positions, not bytes');
    assert.equal(run("concat(`a`, '-', b)", { a: 'x', b: 12n }), 'x-12');
    assert.equal(run("concat('a', NULL)"), null);
  });

  test('date functions', () => {
    assert.equal(run("year('2024-05-06 07:08:09')"), 2024n);
    assert.equal(run('month(d)', { d: '2024-05-06' }), 5n);
    assert.equal(run("to_days('2023-01-01')"), 738886n);
    assert.equal(run("date_format('2024-05-06 07:08:09', '%Y%m%d %H:%i:%s')"), '20240506 07:08:09');
    assert.equal(run("date_format('2024-05-06', '%y-%c-%e %W %M %j')"), '24-5-6 Monday May 127');
    assert.equal(run("unix_timestamp('2023-01-01 08:00:00')"), 1672531200n);
    const t = run("to_date('2024/05/06 13:14:15', 'YYYY/MM/DD HH24:MI:SS')");
    assert.ok(t !== null && typeof t === 'object' && 'kind' in t && t.kind === 'datetime' && t.h === 13 && t.d === 6);
    const s = run("str_to_date('06-05-2024', '%d-%m-%Y')");
    assert.ok(s !== null && typeof s === 'object' && 'kind' in s && s.kind !== 'decimal' && s.y === 2024 && s.mo === 5);
  });

  test('numeric functions and operators', () => {
    assert.equal(run('abs(-7)'), 7n);
    assert.equal(run('mod(-7, 3)'), -1n, 'sign of the dividend');
    assert.equal(run('-7 % 3'), -1n);
    assert.equal(run('7 div 2'), 3n);
    assert.equal(run('-7 div 2'), -3n);
    assert.equal(run('floor(-2.5)'), -3n);
    assert.equal(run('ceil(2.1)'), 3n);
    assert.equal(run('c * 10 + 1', { c: 4n }), 41n);
    assert.deepEqual(run('1 / 4'), { kind: 'decimal', v: 2500n, scale: 4 });
    assert.equal(run('10 div 0'), null);
  });

  test('errors are values, not exceptions', () => {
    assert.equal(typeof parseExpr('substr('), 'string');
    assert.equal(typeof parseExpr('unknown_fn(1)'), 'string');
    const e = parseExpr('9223372036854775807 + 1');
    assert.ok(typeof e !== 'string');
    const r = evalExpr(e, { lookup: () => undefined, tzOffsetSec: 0 });
    assert.ok('err' in r);
  });
});
