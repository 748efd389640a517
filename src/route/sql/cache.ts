// LRU cache of route parses keyed by the exact statement text (§4.1: parsed once per distinct SQL), for the texts that
// recur (see admit()). Cached results are deep-frozen on insertion: every caller shares them and must not mutate
// (RouteParse is read-only to its users either way). Memory: at most
// `capacity` entries, each holding its key string (statements longer than maxKeyLength are parsed but not
// cached, so one huge statement cannot pin megabytes). Cost of a hit: one Map lookup plus a delete/set to
// refresh recency.

import { parseRoute } from './parse.js';
import type { ParseOptions, RouteParse } from './types.js';

export interface RouteParseCacheOptions extends ParseOptions {
  /** Longest statement (characters) kept in the cache; default 65536. */
  maxKeyLength?: number;
}

/** Prefix of the cache key of a truncated statement's parse (no SQL text starts with NUL). */
const TRUNCATED_KEY = '\u0000';

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

  /**
   * The parse of `sql`, from the cache or parsed now (and cached). `truncated`: `sql` is the first part of a longer
   * statement (cut by the caller); such parses are cached apart from a complete statement with the same text.
   */
  get(sql: string, truncated = false): RouteParse {
    // A truncated statement's parse is cached apart from a complete statement with the same text (rare: only
    // statements longer than the parse limit).
    const key = truncated ? TRUNCATED_KEY + sql : sql;
    const map = this.map;
    const hit = map.get(key);
    if (hit !== undefined) {
      this.hits++;
      map.delete(key);
      map.set(key, hit);
      return hit;
    }
    this.misses++;
    const r = parseRoute(sql, truncated ? { ...this.opts, truncated: true } : this.opts);
    if (this.capacity > 0 && key.length <= this.maxKeyLength && (truncated || admit(sql, r))) {
      map.set(key, deepFreeze(r));
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

/** Longest text cached although it has literals (`SELECT 1`, `SET autocommit=1`, `LIMIT 1` pings of pools). */
const SHORT_TEXT = 32;

/**
 * Only texts that recur verbatim are worth a cache slot: without literals (prepared texts with `?`, BEGIN, COMMIT,
 * `SELECT @@...`) or short. A statement with literal values is usually unique (`WHERE id=4711`): caching it costs a
 * freeze, an insertion and an eviction per statement and evicts the texts that do recur.
 */
function admit(sql: string, r: RouteParse): boolean {
  return r.literalCount === 0 || sql.length <= SHORT_TEXT;
}

function deepFreeze<V>(v: V): V {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return v;
  Object.freeze(v);
  for (const x of Object.values(v)) deepFreeze(x);
  return v;
}
