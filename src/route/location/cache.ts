// Table location cache (spec §3.7): one slot per (tenant, database, table), holding the current entry and at
// most ONE in-flight fetch that every caller joins. get() never blocks and is the per-statement path (one
// Map lookup plus a delete/set to keep LRU order); fetch() is the async cache-miss / refresh path.
//
// Rules:
//  - invalidate() marks the entry dirty; get() keeps returning it (stale but usable) until a refetch lands.
//  - fetch() re-queries unless the slot's entry is usable, unexpired and was fetched (or attempted) less than
//    minRefreshIntervalMs ago (delay_update_entry_interval: anti-thrash); then the cached entry is the answer.
//    A table found missing, or a failed fetch, is remembered for the same interval so a burst of statements
//    on a broken table costs one metadata round, not one each.
//  - Expiry (location_expire_period_time): an entry expires at a random point in [period/2, period] after
//    it was fetched; expired entries are not returned by get() and are refetched by fetch().
//  - Capacity: least recently used slots beyond maxEntries are dropped (their entries become deleted).

import type { Logger } from '../../observe/log.js';
import { fetchTableEntry } from './fetch.js';
import type { EntryState, MetaQuery, TableEntry } from './types.js';

export type { EntryState, MetaQuery, MetaResult, ReplicaLocation, TableEntry } from './types.js';

export interface LocationCacheOptions {
  /** location_expire_period_time in ms; 0 = entries never expire. Read on every check. */
  readonly expireMs: () => number;
  /** delay_update_entry_interval in ms. */
  readonly minRefreshIntervalMs: () => number;
  readonly log: Logger;
  /** Slot bound; default 10000. */
  readonly maxEntries?: number;
  /** Clock in ms (tests); default Date.now. */
  readonly now?: () => number;
  /** Uniform [0, 1) source for the expiry jitter (tests); default Math.random. */
  readonly random?: () => number;
}

interface Slot {
  entry: TableEntry | null;
  inflight: Promise<TableEntry | null> | null;
  /** The entry expires at fetchedAt + expireMs() * jitter; jitter in [0.5, 1]. */
  jitter: number;
  /** Start of the last fetch (ms), -Infinity before the first. */
  lastAttemptAt: number;
  /** The last fetch found no such table. */
  missing: boolean;
  /** Message of the last failed fetch when no entry is usable, else null. */
  lastError: string | null;
  /** invalidate() arrived while a fetch was in flight: the new entry starts dirty. */
  invalidatedInFlight: boolean;
}

const LOG_MOD = 'ROUTE';

function keyOf(tenant: string, db: string, table: string): string {
  return `${tenant}\u0000${db}\u0000${table}`;
}

function usable(e: TableEntry | null): e is TableEntry {
  return e !== null && e.state !== 'deleted' && e.state !== 'building';
}

export class LocationCache {
  /** get() answered with an entry / without one. */
  hits = 0;
  misses = 0;
  /** Metadata fetches started / failed. */
  fetches = 0;
  failures = 0;
  private readonly slots = new Map<string, Slot>();
  private readonly opts: LocationCacheOptions;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly random: () => number;
  /** Entries fetched before this time (ms) are expired (partition_location_expire_relative_time). */
  private expireCutoff = -Infinity;

  constructor(opts: LocationCacheOptions) {
    this.opts = opts;
    this.maxEntries = Math.max(1, Math.floor(opts.maxEntries ?? 10_000));
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
  }

  get size(): number {
    return this.slots.size;
  }

  /** Cached usable entry (avail, dirty or updating, not expired) or undefined; never blocks. */
  get(tenant: string, db: string, table: string): TableEntry | undefined {
    const key = keyOf(tenant, db, table);
    const slot = this.slots.get(key);
    const e = slot?.entry ?? null;
    if (slot === undefined || !usable(e) || this.expired(slot, e)) {
      this.misses++;
      return undefined;
    }
    this.slots.delete(key);
    this.slots.set(key, slot);
    this.hits++;
    return e;
  }

  /** Lifecycle state of a key: 'building' during the first fetch; undefined when nothing is cached. */
  stateOf(tenant: string, db: string, table: string): EntryState | undefined {
    const slot = this.slots.get(keyOf(tenant, db, table));
    if (slot === undefined) return undefined;
    if (slot.entry === null) return slot.inflight === null ? undefined : 'building';
    return slot.entry.state;
  }

  /**
   * Fetches (or joins the in-flight fetch of) one entry with the §3.3/§3.4 SQL; null = no such table.
   * Rejects with a one-line Error when the metadata cannot be read.
   */
  fetch(tenant: string, db: string, table: string, query: MetaQuery): Promise<TableEntry | null> {
    const key = keyOf(tenant, db, table);
    let slot = this.slots.get(key);
    if (slot?.inflight != null) return slot.inflight;
    const now = this.now();
    if (slot !== undefined && now - slot.lastAttemptAt < this.opts.minRefreshIntervalMs()) {
      const e = slot.entry;
      if (usable(e) && !this.expired(slot, e)) return Promise.resolve(e);
      if (slot.missing) return Promise.resolve(null);
      if (slot.lastError !== null) return Promise.reject(new Error(slot.lastError));
    }
    if (slot === undefined) {
      slot = { entry: null, inflight: null, jitter: 1, lastAttemptAt: -Infinity, missing: false, lastError: null, invalidatedInFlight: false };
      this.slots.set(key, slot);
    }
    const s = slot;
    const previous = usable(s.entry) ? s.entry : null;
    const force = previous !== null && previous.state === 'dirty';
    if (previous !== null) previous.state = 'updating';
    s.lastAttemptAt = now;
    s.invalidatedInFlight = false;
    this.fetches++;
    const p = fetchTableEntry(tenant, db, table, query, { force, previous, now }).then(
      (entry) => this.landed(s, key, previous, entry),
      (e: unknown) => this.failed(s, key, previous, e),
    );
    s.inflight = p;
    this.evict();
    return p;
  }

  /**
   * Marks an entry dirty after partition-miss feedback (ob_proxy_partition_hit=0), OB_NOT_MASTER, a
   * tenant-not-in-server answer or a schema-version change (spec §3.7). It stays usable until refetched.
   */
  invalidate(tenant: string, db: string, table: string, reason: string): void {
    const slot = this.slots.get(keyOf(tenant, db, table));
    if (slot === undefined) return;
    if (slot.inflight !== null) slot.invalidatedInFlight = true;
    const e = slot.entry;
    if (e === null || e.state !== 'avail') return;
    e.state = 'dirty';
    this.opts.log.info(LOG_MOD, `table entry ${tenant}.${db}.${table} marked dirty: ${reason}`);
  }

  /** Marks every entry of a tenant dirty (locality change, tenant moved). */
  invalidateTenant(tenant: string, reason: string): void {
    for (const slot of this.slots.values()) {
      const e = slot.entry;
      if (e === null || e.tenant !== tenant) continue;
      if (slot.inflight !== null) slot.invalidatedInFlight = true;
      if (e.state === 'avail') e.state = 'dirty';
    }
    this.opts.log.info(LOG_MOD, `table entries of tenant ${tenant} marked dirty: ${reason}`);
  }

  /** Entries fetched before `cutoffMs` count as expired (partition_location_expire_relative_time). */
  expireFetchedBefore(cutoffMs: number): void {
    this.expireCutoff = cutoffMs;
  }

  /** Usable entries, least recently used first (SHOW PROXYROUTE). */
  *entries(): IterableIterator<TableEntry> {
    for (const slot of this.slots.values()) if (usable(slot.entry)) yield slot.entry;
  }

  private expired(slot: Slot, e: TableEntry): boolean {
    if (e.fetchedAt < this.expireCutoff) return true;
    const period = this.opts.expireMs();
    return period > 0 && this.now() - e.fetchedAt >= period * slot.jitter;
  }

  private landed(s: Slot, key: string, previous: TableEntry | null, entry: TableEntry | null): TableEntry | null {
    s.inflight = null;
    s.lastError = null;
    if (previous !== null) previous.state = 'deleted';
    if (entry === null) {
      s.entry = null;
      s.missing = true;
      this.opts.log.info(LOG_MOD, `table ${key.replace(/\u0000/g, '.')} does not exist`);
      return null;
    }
    if (s.invalidatedInFlight) entry.state = 'dirty';
    s.invalidatedInFlight = false;
    s.entry = entry;
    s.missing = false;
    s.jitter = 0.5 + this.random() * 0.5;
    this.evict(); // slots are not evicted while in flight, so the bound is restored here
    return entry;
  }

  private failed(s: Slot, key: string, previous: TableEntry | null, e: unknown): never {
    s.inflight = null;
    this.failures++;
    const msg = (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ');
    if (previous !== null) previous.state = 'dirty';
    else {
      s.lastError = msg;
      s.missing = false;
    }
    this.opts.log.warn(LOG_MOD, `fetching table entry ${key.replace(/\u0000/g, '.')} failed: ${msg}`);
    throw new Error(msg);
  }

  private evict(): void {
    if (this.slots.size <= this.maxEntries) return;
    for (const [key, slot] of this.slots) {
      if (this.slots.size <= this.maxEntries) break;
      if (slot.inflight !== null) continue;
      this.slots.delete(key);
      if (slot.entry !== null) slot.entry.state = 'deleted';
    }
  }
}
