// Every SHOW command's columns against spec §8's table. The expected lists are copied here from the spec text
// (not imported from the code under test); ROUTINE's "routine_num (type)" is read as the column routine_type and
// the abbreviated time columns are spelled out.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeContext, rowsOf } from './helpers.js';
import { SPEC } from './spec-columns.js';

void describe('columns are exactly those of spec §8', () => {
  for (const [sql, columns] of SPEC) {
    void test(sql, () => {
      const r = rowsOf(fakeContext(), sql);
      assert.deepEqual(r.columns, columns);
      for (const row of r.rows) assert.equal(row.length, columns.length, `row width of ${sql}`);
    });
  }
});
