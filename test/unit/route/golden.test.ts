// Golden route-parse cases: test/golden/route/*.json, each an array of { comment, sql, opts?, expected } where
// `expected` is a hand-written SUBSET of the RouteParse (objects match on the keys given; arrays must have the
// same length and match element by element). The expectations come from SQL semantics, not from this parser.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseRoute, RouteParseCache, type ParseOptions } from '../../../src/route/sql/index.js';

interface GoldenCase { comment: string; sql: string; opts?: ParseOptions & { repeat?: { text: string; times: number; suffix?: string } }; expected: Record<string, unknown> }

// dist-*/test/unit/route/ → repository root is four levels up; the JSON files are not compiled.
const goldenDir = fileURLToPath(new URL('../../../../test/golden/route/', import.meta.url));

/** Path of the first mismatch between `actual` and the subset `expected`, or null. */
function subsetMismatch(actual: unknown, expected: unknown, path = '$'): string | null {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${JSON.stringify(actual)}`;
    if (actual.length !== expected.length) return `${path}: expected ${expected.length} items, got ${actual.length}: ${JSON.stringify(actual)}`;
    for (let i = 0; i < expected.length; i++) {
      const m = subsetMismatch(actual[i], expected[i], `${path}[${i}]`);
      if (m !== null) return m;
    }
    return null;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return `${path}: expected an object, got ${JSON.stringify(actual)}`;
    for (const [k, v] of Object.entries(expected)) {
      if (!(k in actual)) return `${path}.${k}: missing`;
      const m = subsetMismatch((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
      if (m !== null) return m;
    }
    return null;
  }
  return Object.is(actual, expected) ? null : `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

function loadCases(): { file: string; cases: GoldenCase[] }[] {
  return readdirSync(goldenDir).filter((f) => f.endsWith('.json')).sort().map((file) => ({
    file,
    cases: JSON.parse(readFileSync(join(goldenDir, file), 'utf8')) as GoldenCase[],
  }));
}

function sqlOf(c: GoldenCase): string {
  const rep = c.opts?.repeat;
  return rep === undefined ? c.sql : c.sql + rep.text.repeat(rep.times) + (rep.suffix ?? '');
}

function optsOf(c: GoldenCase): ParseOptions | undefined {
  if (c.opts === undefined) return undefined;
  const { repeat: _repeat, ...rest } = c.opts;
  return rest;
}

const files = loadCases();

describe('route parser golden cases', () => {
  test('at least 150 cases across the files, each with a distinct comment', () => {
    const all = files.flatMap((f) => f.cases);
    assert.ok(all.length >= 150, `only ${all.length} golden cases`);
    assert.equal(new Set(all.map((c) => c.comment)).size, all.length, 'duplicate comments');
  });

  for (const { file, cases } of files) {
    test(file, () => {
      const failures: string[] = [];
      for (const c of cases) {
        const got = parseRoute(sqlOf(c), optsOf(c));
        const m = subsetMismatch(got, c.expected);
        if (m !== null) failures.push(`[${c.comment}] ${JSON.stringify(c.sql.slice(0, 200))}\n    ${m}`);
      }
      assert.equal(failures.length, 0, `${failures.length} failing case(s) in ${file}:\n  ${failures.join('\n  ')}`);
    });
  }

  test('the cache returns the same parse as parseRoute for every golden case', () => {
    const cache = new RouteParseCache(1000);
    for (const c of files.flatMap((f) => f.cases)) {
      if (c.opts !== undefined) continue;
      assert.deepEqual(cache.get(c.sql), parseRoute(c.sql), c.comment);
      assert.deepEqual(cache.get(c.sql), parseRoute(c.sql), c.comment);
    }
    assert.ok(cache.hits > 0);
  });
});
