// LIKE patterns (spec §8: `%`, `_`; MySQL's backslash escape) and the tokenizer's string rules that feed them.
// Oracles: MySQL's documented LIKE semantics, written out case by case.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { likePattern } from '../../../src/admin/like.js';
import { tokenize } from '../../../src/admin/lexer.js';

function like(subject: string, pattern: string): boolean {
  return likePattern(pattern).test(subject);
}

/** The value of the single string literal `literal` (as written in SQL). */
function stringValue(literal: string): string {
  const [t] = tokenize(literal);
  assert.equal(t?.kind, 'string', literal);
  return t.value;
}

void describe('LIKE', () => {
  void test('% matches any run, _ exactly one character', () => {
    assert.ok(like('listen_port', 'listen%'));
    assert.ok(like('listen_port', '%port'));
    assert.ok(like('listen_port', '%'));
    assert.ok(like('', '%'));
    assert.ok(!like('', '_'));
    assert.ok(like('abc', 'a_c'));
    assert.ok(!like('abbc', 'a_c'));
    assert.ok(like('abbc', 'a%c'));
    assert.ok(like('aXbXc', '%X%X%'));
    assert.ok(!like('aXb', '%X%X%'));
    assert.ok(like('mississippi', 'm%iss%ppi'));
    assert.ok(!like('mississippi', 'm%iss%ppx'));
  });

  void test('matching is case-insensitive and whole-string', () => {
    assert.ok(like('Listen_Port', 'LISTEN_PORT'));
    assert.ok(!like('listen_port2', 'listen_port'));
    assert.ok(!like('xlisten_port', 'listen_port'));
  });

  void test('backslash makes % _ and itself literal; a trailing backslash is literal', () => {
    assert.ok(like('a%b', 'a\\%b'));
    assert.ok(!like('axb', 'a\\%b'));
    assert.ok(like('a_b', 'a\\_b'));
    assert.ok(!like('axb', 'a\\_b'));
    assert.ok(like('a\\b', 'a\\\\b'));
    assert.ok(like('a\\', 'a\\'));
    assert.ok(like('ab', 'a\\b'), 'an escaped ordinary character is itself');
  });

  void test('quotes are ordinary characters in a pattern', () => {
    assert.ok(like("it's", "it's"));
    assert.ok(like('say "x"', 'say "_"'));
  });

  void test('SQL string literals keep \\% and \\_ for LIKE, as MySQL does', () => {
    assert.equal(stringValue("'a\\%b'"), 'a\\%b');
    assert.equal(stringValue("'a\\_b'"), 'a\\_b');
    assert.equal(stringValue("'a\\\\b'"), 'a\\b');
    assert.equal(stringValue("'it''s'"), "it's");
    assert.equal(stringValue("'it\\'s'"), "it's");
    assert.equal(stringValue('"say \\"x\\""'), 'say "x"');
    assert.equal(stringValue("'tab\\there\\n'"), 'tab\there\n');
    assert.ok(like('slow_query', stringValue("'slow\\_query'")));
    assert.ok(!like('slowXquery', stringValue("'slow\\_query'")));
  });

  void test('a pattern without wildcards matches exactly its text (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (a, b) => {
      const escaped = a.replace(/[\\%_]/g, (m) => `\\${m}`);
      assert.equal(like(b, escaped), a.toLowerCase() === b.toLowerCase());
      assert.ok(like(a, escaped));
    }));
  });

  void test('% around any substring matches (property), and long patterns stay fast', () => {
    fc.assert(fc.property(fc.string({ maxLength: 30 }), fc.nat(30), fc.nat(30), (s, i, j) => {
      const sub = s.slice(Math.min(i, j), Math.max(i, j)).replace(/[\\%_]/g, (m) => `\\${m}`);
      assert.ok(like(s, `%${sub}%`));
    }));
    const started = process.hrtime.bigint();
    assert.ok(!like('a'.repeat(5000), `${'%a'.repeat(200)}b`));
    assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 2000);
  });
});
