// The parser's fast paths (a bare table name before a clause keyword, `col op v` / `col BETWEEN v AND w`
// clauses, one-token values) must give exactly what the general parser gives. Oracle: the same statement with
// the table and the clause in parentheses, `FROM (t) WHERE (cond)`, which never takes a fast path (a group is
// parsed by refList / level) and means the same thing in SQL. Values are checked against the SQL text too.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseRoute, type RouteParse } from '../../../src/route/sql/index.js';

const column = fc.constantFrom('id', 'k', 'ID', 'user_id', 'c2', 'x$');
const op = fc.constantFrom('=', '<', '<=', '>', '>=', '!=', '<>', '<=>');
const lone = fc.oneof(
  fc.nat({ max: 99_999_999 }).map((n) => ({ sql: String(n), text: String(n), kind: 'int' })),
  fc.constant({ sql: '?', text: '', kind: 'placeholder' }),
  fc.tuple(fc.nat({ max: 999 }), fc.nat({ max: 99 })).map(([a, b]) => ({ sql: `${a}.${b}`, text: `${a}.${b}`, kind: 'decimal' })),
  fc.constantFrom('v', 'uid').map((n) => ({ sql: `@${n}`, text: n, kind: 'user_var' })),
);
const tail = fc.constantFrom('', ' ORDER BY c', ' LIMIT 1', ' FOR UPDATE', ' FOR SHARE', ' LOCK IN SHARE MODE', ' GROUP BY c', ' AND k = 2', ' OR id = 3');
const table = fc.constantFrom('t', 'sbtest1', 'T2');

type Lone = { sql: string; text: string; kind: string };

/** The parts the fast paths fill; the rest of the result does not depend on them. */
function keyParts(r: RouteParse): unknown {
  return { kind: r.kind, tables: r.tables, conditions: r.conditions, skipped: r.skippedConditions, noKey: r.noKeyReason,
    forUpdate: r.hasForUpdate };
}

function expectValue(got: unknown, v: Lone): void {
  if (v.kind === 'placeholder') assert.equal((got as { kind: string }).kind, 'placeholder');
  else if (v.kind === 'user_var') assert.deepEqual(got, { kind: 'user_var', name: v.text });
  else assert.deepEqual(got, { kind: 'literal', type: v.kind, text: v.text, charsetIntroducer: null, collation: null });
}

describe('route parser fast paths agree with the general parser', () => {
  test('`col op v` and the parenthesised form', () => {
    fc.assert(fc.property(table, column, op, lone, tail, (t, col, o, v, rest) => {
      const fast = parseRoute(`SELECT c FROM ${t} WHERE ${col} ${o} ${v.sql}${rest}`);
      const slow = parseRoute(`SELECT c FROM (${t}) WHERE (${col} ${o} ${v.sql})${rest}`);
      assert.deepEqual(keyParts(fast), keyParts(slow));
      assert.deepEqual(fast.tables.map((x) => x.name), [t]);
      assert.equal(fast.hasForUpdate, rest === ' FOR UPDATE' || rest === ' FOR SHARE' || rest === ' LOCK IN SHARE MODE');
      if (rest === '' || rest.startsWith(' ORDER') || rest === ' LIMIT 1' || rest.startsWith(' FOR ') || rest.startsWith(' LOCK') || rest.startsWith(' GROUP')) {
        assert.equal(fast.conditions.length, 1);
        assert.equal(fast.conditions[0]!.column, col.toLowerCase());
        expectValue(fast.conditions[0]!.values[0], v);
      }
    }), { numRuns: 1500 });
  });

  test('`col BETWEEN v AND w` and the parenthesised form', () => {
    fc.assert(fc.property(table, column, lone, lone, tail, (t, col, lo, hi, rest) => {
      const fast = parseRoute(`DELETE FROM ${t} WHERE ${col} BETWEEN ${lo.sql} AND ${hi.sql}${rest}`);
      const slow = parseRoute(`DELETE FROM (${t}) WHERE (${col} BETWEEN ${lo.sql} AND ${hi.sql})${rest}`);
      assert.deepEqual(keyParts(fast), keyParts(slow));
    }), { numRuns: 1000 });
  });

  test('one-token values in UPDATE SET and INSERT VALUES equal the same value in parentheses', () => {
    const value = fc.oneof(lone.map((v) => v.sql), fc.constantFrom("'x'", "'it''s'", "'a\\'b'", "''", "'a' 'b'", 'k + 1', 'NULL'));
    fc.assert(fc.property(value, value, (a, b) => {
      const fastU = parseRoute(`UPDATE t SET c = ${a}, d = ${b} WHERE id = 1`);
      const slowU = parseRoute(`UPDATE t SET c = (${a}), d = (${b}) WHERE id = 1`);
      const exprFree = (r: RouteParse): unknown => r.updateSet?.map((s) => (s.value.kind === 'expr' ? 'expr' : s.value));
      assert.deepEqual(exprFree(fastU), exprFree(slowU));
      const fastI = parseRoute(`INSERT INTO t (c, d) VALUES (${a}, ${b})`);
      const slowI = parseRoute(`INSERT INTO t (c, d) VALUES ((${a}), (${b}))`);
      assert.deepEqual(fastI.insertValues?.map((v) => (v.kind === 'expr' ? 'expr' : v)), slowI.insertValues?.map((v) => (v.kind === 'expr' ? 'expr' : v)));
    }), { numRuns: 800 });
  });
});
