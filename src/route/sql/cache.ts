// LRU cache of route parses keyed by the exact statement text (§4.1: parsed once per distinct SQL).
// Results are deep-frozen on insertion: every caller shares them and must not mutate. Memory: at most
// `capacity` entries, each holding its key string (statements longer than maxKeyLength are parsed but not
// cached, so one huge statement cannot pin megabytes). Cost of a hit: one Map lookup plus a delete/set to
// refresh recency.

import { parseRoute } from './parse.js';
import type { ParseOptions, RouteParse } from './types.js';

export interface RouteParseCacheOptions extends ParseOptions {
  /** Longest statement (characters) kept in the cache; default 65536. */
  maxKeyLength?: number;
}

export class RouteParseCache {
  readonly capacity: number;
  hits = 0;
  misses = 0;
  private readonly map = new Map<string, RouteParse>();
  private readonly opts: ParseOptions;
  private readonly maxKeyLength: number;

  constructor(capacity: number, opts: RouteParseCacheOptions = {}) {
    this.capacity = Math.max(0, Math.floor(capacity));
    this.maxKeyLength = opts.maxKeyLength ?? 65536;
    const parseOpts: ParseOptions = {};
    if (opts.maxLength !== undefined) parseOpts.maxLength = opts.maxLength;
    if (opts.noBackslashEscapes !== undefined) parseOpts.noBackslashEscapes = opts.noBackslashEscapes;
    if (opts.ansiQuotes !== undefined) parseOpts.ansiQuotes = opts.ansiQuotes;
    this.opts = parseOpts;
  }

  get size(): number {
    return this.map.size;
  }

  /** The parse of `sql`, from the cache or parsed now (and cached). */
  get(sql: string): RouteParse {
    const map = this.map;
    const hit = map.get(sql);
    if (hit !== undefined) {
      this.hits++;
      map.delete(sql);
      map.set(sql, hit);
      return hit;
    }
    this.misses++;
    const r = deepFreeze(parseRoute(sql, this.opts));
    if (this.capacity > 0 && sql.length <= this.maxKeyLength) {
      map.set(sql, r);
      if (map.size > this.capacity) {
        const oldest = map.keys().next();
        if (oldest.done !== true) map.delete(oldest.value);
      }
    }
    return r;
  }

  clear(): void {
    this.map.clear();
  }
}

function deepFreeze<V>(v: V): V {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return v;
  Object.freeze(v);
  for (const x of Object.values(v)) deepFreeze(x);
  return v;
}
