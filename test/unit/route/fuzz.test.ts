// Property tests of the route parser: total on arbitrary input, well-formed results, sound key extraction on
// generated WHERE clauses (an independent generator knows the expected conditions), and truncation never
// inventing a key. Inputs that ever broke the parser live in test/fixtures/route/crashers/ and are replayed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseRoute, RouteParseCache, STMT_KINDS, type ParseOptions, type RouteParse, type ValueRef } from '../../../src/route/sql/index.js';

const crashersDir = fileURLToPath(new URL('../../../../test/fixtures/route/crashers/', import.meta.url));

// ── Independent shape checker ────────────────────────────────────────────────────────────────────────
const LITERAL_TYPES = new Set(['int', 'decimal', 'float', 'string', 'hex', 'bit', 'null', 'bool', 'date', 'time', 'timestamp']);
const OPS = new Set(['=', '<=>', '!=', '<', '<=', '>', '>=', 'IN', 'BETWEEN', 'IS_NULL', 'IS_NOT_NULL']);

function checkValue(v: ValueRef, placeholders: number, where: string, allowExpr: boolean, out: string[], depth = 0): void {
  if (depth > 64) { out.push(`${where}: value nesting too deep`); return; }
  switch (v.kind) {
    case 'literal':
      if (!LITERAL_TYPES.has(v.type) || typeof v.text !== 'string') out.push(`${where}: bad literal ${JSON.stringify(v)}`);
      if (v.type === 'int' && !/^-?\d+$/.test(v.text)) out.push(`${where}: bad int text ${v.text}`);
      if (v.type === 'hex' && !/^([0-9a-f]{2})*$/.test(v.text)) out.push(`${where}: bad hex text ${v.text}`);
      return;
    case 'placeholder':
      if (!Number.isInteger(v.index) || v.index < 0 || v.index >= placeholders) out.push(`${where}: placeholder ${v.index} of ${placeholders}`);
      return;
    case 'user_var': case 'sys_var':
      if (typeof v.name !== 'string') out.push(`${where}: bad var`);
      return;
    case 'func':
      if (typeof v.name !== 'string' || v.name.length === 0) out.push(`${where}: bad func name`);
      for (const a of v.args) checkValue(a, placeholders, where, false, out, depth + 1);
      return;
    case 'default':
      return;
    case 'expr':
      if (!allowExpr) out.push(`${where}: expr where a constant is required`);
      return;
    default:
      out.push(`${where}: unknown value kind ${JSON.stringify(v)}`);
  }
}

function wellFormed(r: RouteParse, input: string, opts: ParseOptions | undefined): string[] {
  const out: string[] = [];
  if (!(STMT_KINDS as readonly string[]).includes(r.kind)) out.push(`kind ${r.kind}`);
  if (r.noKeyReason !== null && r.noKeyReason.startsWith('internal')) out.push(`internal error: ${r.noKeyReason}`);
  if (!Array.isArray(r.tables) || r.tables.length > 16) out.push('tables');
  if ((r.tables.length > 0) !== (r.tableName !== null) && r.kind !== 'CALL') out.push('tableName vs tables');
  if (r.tables.length > 0 && r.tables[0]!.name !== r.tableName) out.push('tables[0] is not tableName');
  for (const t of r.tables) if (typeof t.name !== 'string') out.push('table name');
  if (!Number.isInteger(r.placeholderCount) || r.placeholderCount < 0) out.push('placeholderCount');
  if (r.firstStatementEnd < 0 || r.firstStatementEnd > input.length) out.push(`firstStatementEnd ${r.firstStatementEnd}`);
  if (r.truncated !== input.length > (opts?.maxLength ?? 4096)) out.push('truncated flag');
  if (r.conditions.length > 0 && r.tables.length === 0) out.push('conditions without a table');
  for (const c of r.conditions) {
    if (!OPS.has(c.op)) out.push(`op ${c.op}`);
    if (c.column !== c.column.toLowerCase()) out.push('column not lower-cased');
    if (c.tableIndex < -1 || c.tableIndex >= r.tables.length) out.push(`tableIndex ${c.tableIndex}`);
    const arity = c.op === 'BETWEEN' ? 2 : c.op === 'IS_NULL' || c.op === 'IS_NOT_NULL' ? 0 : c.op === 'IN' ? -1 : 1;
    if (arity >= 0 ? c.values.length !== arity : c.values.length < 1) out.push(`arity of ${c.op}: ${c.values.length}`);
    for (const v of c.values) checkValue(v, r.placeholderCount, 'condition', false, out);
  }
  for (const v of r.insertValues ?? []) checkValue(v, r.placeholderCount, 'insert', true, out);
  for (const s of r.setAssignments) {
    if (typeof s.valueText !== 'string' || s.valueText.length === 0) out.push('set valueText');
    checkValue(s.value, r.placeholderCount, 'set', true, out);
  }
  if (r.insertColumns !== null && r.insertValues !== null && r.kind === 'INSERT' && r.insertColumns.length === 0 && r.insertValues.length > 0) out.push('insert shape');
  return out;
}

function assertTotal(sql: string, opts?: ParseOptions): RouteParse {
  let r: RouteParse;
  try {
    r = parseRoute(sql, opts);
  } catch (e) {
    assert.fail(`parseRoute threw on ${JSON.stringify(sql.slice(0, 300))}: ${String(e)}`);
  }
  const problems = wellFormed(r, sql, opts);
  assert.deepEqual(problems, [], `malformed result for ${JSON.stringify(sql.slice(0, 300))}`);
  return r;
}

// ── Generators ───────────────────────────────────────────────────────────────────────────────────────
const FRAGMENTS = [
  'SELECT ', 'INSERT INTO ', 'UPDATE ', 'DELETE FROM ', 'SET ', 'REPLACE ', 'FROM ', 'WHERE ', ' AND ', ' OR ', ' t ',
  'db.t', '`x`', '`', "'", '"', "'a''b'", "'\\'", '\\', '(', ')', '((', '))', ',', ';', '=', '<=>', '!=', ' IN ',
  ' BETWEEN ', ' IS NULL', ' NOT ', '?', '@a', '@@session.x', '@', '/*', '*/', '/*+ READ_CONSISTENCY(WEAK) */',
  '/*!50000 ', '-- ', '#', '\n', ' ', '0x', 'X\'', "b'01'", '1', '-', '1.5e3', '.', '_utf8mb4', 'N', 'VALUES ',
  'ON DUPLICATE KEY UPDATE ', 'JOIN ', 'LEFT JOIN ', ' ON ', 'PARTITION (p0)', 'CASE WHEN ', ' END', 'COLLATE ',
  'FOR UPDATE', 'UNION ', 'WITH x AS ', 'EXPLAIN ROUTE ', 'PREPARE s FROM ', 'EXECUTE s USING ', 'NAMES ',
  'TRANSACTION ', 'XA START ', 'found_rows()', 'substr(', 'DATE ', '\u0000', '😀', '\ud800', 'ü',
];

const fragmentSql = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((a) => a.join(''));
const anyString = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fragmentSql,
);
const parseOpts = fc.record({
  maxLength: fc.oneof(fc.constant(4096), fc.integer({ min: 0, max: 120 })),
  noBackslashEscapes: fc.boolean(),
  ansiQuotes: fc.boolean(),
});

interface Rel { col: string; sql: string; op: string; values: string[] }
const colName = fc.constantFrom('id', 'k', 'c1', 'user_id', 'region');
const intLit = fc.integer({ min: -1_000_000, max: 1_000_000 });
const relation: fc.Arbitrary<Rel> = fc.oneof(
  fc.record({ col: colName, v: intLit, op: fc.constantFrom('=', '<', '<=', '>', '>=', '!=', '<=>') })
    .map(({ col, v, op }) => ({ col, op, sql: `${col} ${op} ${v}`, values: [String(v)] })),
  fc.record({ col: colName, vs: fc.array(intLit, { minLength: 1, maxLength: 5 }) })
    .map(({ col, vs }) => ({ col, op: 'IN', sql: `${col} IN (${vs.join(', ')})`, values: vs.map(String) })),
  fc.record({ col: colName, a: intLit, b: intLit })
    .map(({ col, a, b }) => ({ col, op: 'BETWEEN', sql: `${col} BETWEEN ${a} AND ${b}`, values: [String(a), String(b)] })),
  fc.record({ col: colName, s: fc.string({ maxLength: 8 }).filter((s) => !s.includes('\\')) })
    .map(({ col, s }) => ({ col, op: '=', sql: `${col} = '${s.replace(/'/g, "''")}'`, values: [s] })),
);
const blank = fc.constantFrom(' ', '  ', '\n', ' /* c */ ', '\t');
/** Joins relations with AND, some wrapped in parentheses, with random blanks. */
const conjunction = fc.record({
  rels: fc.array(relation, { minLength: 1, maxLength: 6 }),
  parens: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
  gap: blank,
  and: fc.constantFrom('AND', 'and', '&&'),
}).map(({ rels, parens, gap, and }) => ({
  rels,
  sql: rels.map((r, i) => (parens[i] === true ? `(${r.sql})` : r.sql)).join(`${gap}${and}${gap}`),
}));

function textOf(v: ValueRef): string {
  return v.kind === 'literal' ? v.text : `<${v.kind}>`;
}

// ── Tests ────────────────────────────────────────────────────────────────────────────────────────────
describe('route parser fuzz', () => {
  test('total and well-formed on arbitrary strings and SQL fragment splices', () => {
    fc.assert(fc.property(anyString, parseOpts, (sql, opts) => {
      assertTotal(sql, opts);
      assertTotal(sql);
    }), { numRuns: 3000 });
  });

  test('deterministic, and the cache agrees with a fresh parse', () => {
    const cache = new RouteParseCache(64);
    fc.assert(fc.property(anyString, (sql) => {
      const a = parseRoute(sql);
      assert.deepEqual(parseRoute(sql), a);
      assert.deepEqual(cache.get(sql), a);
    }), { numRuns: 1000 });
  });

  test('AND-only WHERE clauses: every relation is extracted exactly', () => {
    fc.assert(fc.property(conjunction, fc.constantFrom('SELECT * FROM t WHERE ', 'DELETE FROM t WHERE ', 'UPDATE t SET a = 1 WHERE '), ({ rels, sql }, head) => {
      const r = assertTotal(head + sql);
      assert.equal(r.tableName, 't');
      assert.deepEqual(
        r.conditions.map((c) => ({ col: c.column, op: c.op, values: c.values.map(textOf) })),
        rels.map((x) => ({ col: x.col, op: x.op, values: x.values })),
      );
    }), { numRuns: 500 });
  });

  test('an OR at the top level yields no condition', () => {
    fc.assert(fc.property(conjunction, conjunction, (a, b) => {
      const r = assertTotal(`SELECT * FROM t WHERE ${a.sql} OR ${b.sql}`);
      assert.deepEqual(r.conditions, []);
    }), { numRuns: 300 });
  });

  test('truncation never invents a key: conditions of a cut parse are a subset of the full parse', () => {
    fc.assert(fc.property(conjunction, fc.boolean(), fc.integer({ min: 0, max: 300 }), ({ sql }, orTail, cut) => {
      const full = `SELECT * FROM t WHERE ${sql}${orTail ? ' OR k = 1' : ''} ORDER BY id`;
      const whole = parseRoute(full, { maxLength: Infinity });
      const part = assertTotal(full, { maxLength: cut });
      const key = (c: RouteParse['conditions'][number]): string => JSON.stringify([c.column, c.op, c.values]);
      const allowed = new Set(whole.conditions.map(key));
      for (const c of part.conditions) assert.ok(allowed.has(key(c)), `cut at ${cut} invented ${key(c)} in ${full}`);
    }), { numRuns: 500 });
  });

  test('INSERT first row is exact for generated rows', () => {
    fc.assert(fc.property(fc.array(intLit, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 4 }), (vals, rows) => {
      const cols = vals.map((_, i) => `c${i}`);
      const row = `(${vals.join(', ')})`;
      const sql = `INSERT INTO t (${cols.join(', ')}) VALUES ${Array.from({ length: rows }, () => row).join(', ')}`;
      const r = assertTotal(sql);
      assert.deepEqual(r.insertColumns, cols);
      assert.deepEqual(r.insertValues?.map(textOf), vals.map(String));
      assert.equal(r.insertRowCount, rows);
    }), { numRuns: 300 });
  });

  test('1 MiB pathological inputs complete (no catastrophic backtracking)', () => {
    const mib = 1 << 20;
    const patterns = ['(', ')', "'", '`', '/*', 'a AND ', 'id = 1 AND ', 'x OR ', '((a=1) AND ', 'CASE ', '- ', '\\',
      'SELECT ', ', ', 'IN (1', '@', '?', '/*!', '-- \n', 'f(', '"', 'EXPLAIN ROUTE ', 'WITH a AS (SELECT 1) '];
    for (const p of patterns) {
      const body = p.repeat(Math.ceil(mib / p.length)).slice(0, mib);
      for (const head of ['', 'SELECT * FROM t WHERE ', 'INSERT INTO t VALUES (', 'SET @a = ']) {
        assertTotal(head + body, { maxLength: Infinity });
        assertTotal(head + body);
      }
    }
  });

  test('crasher fixtures replay', () => {
    const files = readdirSync(crashersDir).filter((f) => f.endsWith('.sql'));
    assert.ok(files.length > 0, 'no crasher fixtures found');
    for (const f of files) {
      const sql = readFileSync(join(crashersDir, f), 'utf8');
      assertTotal(sql);
      assertTotal(sql, { maxLength: Infinity, noBackslashEscapes: true });
      assertTotal(sql, { maxLength: 7, ansiQuotes: true });
      // Fixtures are kept small; recursion-depth crashers need the input repeated.
      assertTotal(sql.repeat(Math.ceil((1 << 20) / Math.max(1, sql.length))), { maxLength: Infinity });
    }
  });
});
