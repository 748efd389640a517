// RouteParseCache: LRU order, sharing of frozen results, the key-length bound and per-cache parse options.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RouteParseCache, parseRoute } from '../../../src/route/sql/index.js';

describe('RouteParseCache', () => {
  test('hits return the same frozen object; misses parse', () => {
    const cache = new RouteParseCache(4);
    const a = cache.get('SELECT * FROM t WHERE id = 1');
    const b = cache.get('SELECT * FROM t WHERE id = 1');
    assert.equal(a, b);
    assert.equal(cache.hits, 1);
    assert.equal(cache.misses, 1);
    assert.ok(Object.isFrozen(a) && Object.isFrozen(a.conditions) && Object.isFrozen(a.conditions[0]!.values[0]));
    assert.throws(() => { (a.conditions as unknown[]).push(1); });
  });

  test('least recently used entry is evicted', () => {
    const cache = new RouteParseCache(2);
    cache.get('SELECT 1');
    cache.get('SELECT 2');
    cache.get('SELECT 1'); // refresh 1
    cache.get('SELECT 3'); // evicts 2
    assert.equal(cache.size, 2);
    const misses = cache.misses;
    cache.get('SELECT 1');
    assert.equal(cache.misses, misses);
    cache.get('SELECT 2');
    assert.equal(cache.misses, misses + 1);
  });

  test('only texts that recur are admitted: no literals, or short; literal-heavy statements are parsed each time', () => {
    const cache = new RouteParseCache(8);
    const unique = "SELECT c FROM sbtest1 WHERE id = 4711 AND k = 'abc'";
    assert.equal(cache.get(unique).literalCount, 2);
    assert.equal(cache.size, 0, 'a statement with literal values is not cached');
    assert.equal(cache.get(unique).conditions.length, 2, 'and still parsed in full');
    const prepared = 'SELECT c FROM sbtest1 WHERE id = ? AND k = ?';
    assert.equal(cache.get(prepared).literalCount, 0);
    assert.equal(cache.size, 1, 'a text without literals (placeholders, identifiers with digits) is cached');
    cache.get('SET autocommit=1');
    assert.equal(cache.size, 2, 'a short text with a literal is cached');
    assert.equal(cache.get(prepared), cache.get(prepared));
  });

  test('a statement cut by the caller is parsed as truncated and cached apart from the same complete text', () => {
    const cache = new RouteParseCache(8, { maxLength: Infinity });
    const cut = 'SELECT * FROM t WHERE id = 12';
    const whole = cache.get(cut);
    assert.equal(whole.truncated, false);
    assert.equal(whole.conditions.length, 1);
    const part = cache.get(cut, true);
    assert.equal(part.truncated, true);
    assert.notEqual(part, whole);
    assert.equal(part.conditions.length, 0, 'the value may continue past the cut: no key from it');
    assert.equal(cache.get(cut, true), part, 'the truncated parse is cached under its own key');
    // Multi-byte text cut at a byte limit decodes to fewer characters than the limit: still truncated.
    const mb = "SELECT * FROM t WHERE name = '\u00e9\u00e9\u00e9' AND id = 3";
    assert.equal(cache.get(mb.slice(0, 40), true).truncated, true);
  });

  test('statements longer than maxKeyLength are parsed but not cached', () => {
    const cache = new RouteParseCache(8, { maxKeyLength: 10 });
    const sql = 'SELECT * FROM t WHERE id = 1';
    assert.equal(cache.get(sql).tableName, 't');
    assert.equal(cache.size, 0);
  });

  test('capacity 0 caches nothing', () => {
    const cache = new RouteParseCache(0);
    cache.get('SELECT 1');
    assert.equal(cache.size, 0);
  });

  test('parse options apply to every entry', () => {
    const sql = "SELECT * FROM t WHERE a = 'x\\' AND b = 1";
    const cache = new RouteParseCache(4, { noBackslashEscapes: true });
    assert.deepEqual(cache.get(sql).conditions.map((c) => c.column), ['a', 'b']);
    assert.deepEqual(parseRoute(sql).conditions, []);
  });
});
