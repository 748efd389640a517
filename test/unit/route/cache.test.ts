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
