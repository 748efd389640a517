// Tenants of a cluster resource and their server lists (spec §3.2 tenant list, §3.3 `__all_dummy` entry).
// The known set is the union of the last DBA_OB_TENANTS list (which leaves out sys and tenants changing locality),
// sys itself, and tenants found by a lookup; each gets its `__all_dummy` entry per refresh. A tenant leaves the set
// only when it is neither listed nor has an `__all_dummy` location. The sys entry falls back to the rootservice list
// when its `__all_dummy` entry is empty or unreadable (ODP synthesises it from the RS list, spec §3.3).
// Names are matched case-insensitively. Unknown names trigger at most one background lookup per LOOKUP_RETRY_MS and
// name, with at most MAX_LOOKUPS_IN_FLIGHT at a time, so a client repeating a bad tenant cannot flood the cluster.

import type { QueryResult } from '../backend/internal-query.js';
import type { ServerAddress } from '../backend/server-connection.js';
import type { Logger } from '../observe/log.js';
import { dummyEntrySql, TENANTS_SQL } from './metadata-sql.js';
import { parseDummyEntry, parseTenants, serverKey, type Parsed, type TenantRow } from './rows.js';

export interface TenantEntry {
  /** As the cluster spells it (DBA_OB_TENANTS), else as it was asked for. */
  readonly name: string;
  /** null: found by a lookup, not (yet) in the tenant list. */
  readonly id: number | null;
  /**
   * Server keys ('ip:port') with a replica of the tenant's `__all_dummy` entry, leader first, then followers in the
   * order the cluster reported them. [] = a known tenant without a readable location: any active server may do.
   */
  readonly servers: readonly string[];
  readonly primaryZone: string | null;
  readonly locality: string | null;
  readonly status: string | null;
}

export interface TenantBookOptions {
  /** Runs a metadata statement; rejects (one line) on failure or an ERR answer. */
  query(sql: string): Promise<{ from: ServerAddress; result: QueryResult }>;
  /** Server keys of the rootservice list, for the sys entry. */
  sysFallback(): string[];
  readonly log: Logger;
  onChange(): void;
}

const SYS = 'sys';
const SYS_ID = 1;
export const LOOKUP_RETRY_MS = 1000;
export const MAX_LOOKUPS_IN_FLIGHT = 8;
const MAX_REMEMBERED_LOOKUPS = 1024;
/** Longer than any OceanBase tenant name: such a name is unknown without asking. */
const MAX_NAME_LENGTH = 128;
/** `__all_dummy` queries run at once during a full refresh (the metadata pool has 2 connections per server). */
const REFRESH_CONCURRENCY = 2;

type DummyOutcome = { readonly ok: true; readonly servers: string[] } | { readonly ok: false; readonly error: string };

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
}

const sameEntry = (a: TenantEntry | undefined, b: TenantEntry | undefined): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Runs `fn` over `items` with at most `n` calls in flight; results in input order. */
async function mapLimited<T, R>(items: readonly T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

export class TenantBook {
  private readonly opts: TenantBookOptions;
  /** Replaced, never mutated in place, by a full refresh; single entries are set by lookups. */
  private entries = new Map<string, TenantEntry>();
  /** The last tenant list (lower-case name -> row), sys included. */
  private listed = new Map<string, TenantRow>();
  private readonly inflight = new Map<string, Promise<TenantEntry | null>>();
  private readonly lastLookup = new Map<string, number>();
  /** Set by pin(): the entries are final and no metadata query is sent any more (single-node kernel). */
  private pinned = false;

  constructor(opts: TenantBookOptions) {
    this.opts = opts;
  }

  get size(): number {
    return this.entries.size;
  }

  get(name: string, allowLookup: boolean): TenantEntry | null {
    const key = name.toLowerCase();
    const e = this.entries.get(key);
    if (e !== undefined) return e;
    if (allowLookup && !this.pinned && this.mayLookUp(key)) {
      this.refreshOne(name).catch((err: unknown) => this.opts.log.debug('PROXY', `tenant ${name}: lookup failed: ${oneLine(err)}`));
    }
    return null;
  }

  /** Fetches one tenant's `__all_dummy` entry (coalesced per name); null = no such tenant. Rejects on failure. */
  refreshOne(name: string): Promise<TenantEntry | null> {
    const key = name.toLowerCase();
    if (name === '' || name.length > MAX_NAME_LENGTH || name.includes('\0')) return Promise.resolve(null);
    if (this.pinned) return Promise.resolve(this.entries.get(key) ?? null);
    let p = this.inflight.get(key);
    if (p === undefined) {
      this.remember(key);
      p = this.lookUp(name, key).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  /** Full refresh: tenant list, then every known tenant's `__all_dummy` entry. Resolves with one line per failure. */
  async refreshAll(): Promise<string[]> {
    if (this.pinned) return [];
    let list: Parsed<TenantRow>;
    try {
      list = parseTenants((await this.opts.query(TENANTS_SQL)).result);
    } catch (e) {
      return [oneLine(e)];
    }
    this.logSkipped(list);
    const listed = new Map<string, TenantRow>([[SYS, { name: SYS, id: SYS_ID, locality: '', primaryZone: '', status: 'NORMAL' }]]);
    for (const t of list.items) listed.set(t.name.toLowerCase(), t);
    const keys = [...new Set([...listed.keys(), ...this.entries.keys()])];
    const names = keys.map((k) => listed.get(k)?.name ?? this.entries.get(k)?.name ?? k);
    const outcomes = await mapLimited(names, REFRESH_CONCURRENCY, (n) => this.fetchDummy(n));
    const errors: string[] = [];
    const next = new Map<string, TenantEntry>();
    keys.forEach((k, i) => {
      const o = outcomes[i]!;
      if (!o.ok) errors.push(`${k}: ${o.error}`);
      const e = this.decide(names[i]!, listed.get(k), this.entries.get(k), o);
      if (e !== null) next.set(k, e);
    });
    this.listed = listed;
    this.replace(next);
    return errors;
  }

  /**
   * Makes `entries` the whole and final tenant set: later refreshes and lookups answer from it without a query
   * (a single-node kernel has neither the tenant list nor the `__all_dummy` views; see single-node.ts).
   */
  pin(entries: readonly TenantEntry[]): void {
    this.pinned = true;
    this.replace(new Map(entries.map((e) => [e.name.toLowerCase(), e])));
  }

  private async lookUp(name: string, key: string): Promise<TenantEntry | null> {
    const asked = this.entries.get(key)?.name ?? name;
    const o = await this.fetchDummy(asked);
    if (!o.ok) throw new Error(`tenant ${name}: ${o.error}`);
    const e = this.decide(asked, this.listed.get(key), this.entries.get(key), o);
    const next = new Map(this.entries);
    if (e === null) next.delete(key);
    else next.set(key, e);
    this.replace(next);
    return e;
  }

  /** The entry a tenant gets from its list row, previous entry and `__all_dummy` outcome; null = not a tenant. */
  private decide(asked: string, row: TenantRow | undefined, prev: TenantEntry | undefined, o: DummyOutcome): TenantEntry | null {
    let servers: readonly string[];
    if (o.ok && o.servers.length > 0) servers = o.servers;
    else if (asked.toLowerCase() === SYS) servers = o.ok || prev === undefined ? this.opts.sysFallback() : prev.servers;
    else if (!o.ok && prev !== undefined) servers = prev.servers;
    else if (row !== undefined) servers = [];
    else return o.ok ? null : prev ?? null;
    return {
      name: row?.name ?? prev?.name ?? asked,
      id: row?.id ?? prev?.id ?? null,
      servers,
      primaryZone: row?.primaryZone ?? prev?.primaryZone ?? null,
      locality: row?.locality ?? prev?.locality ?? null,
      status: row?.status ?? prev?.status ?? null,
    };
  }

  private async fetchDummy(name: string): Promise<DummyOutcome> {
    try {
      const p = parseDummyEntry((await this.opts.query(dummyEntrySql(name))).result);
      this.logSkipped(p);
      const servers: string[] = [];
      for (const r of p.items) {
        const k = serverKey(r.ip, r.port);
        if (!servers.includes(k)) servers.push(k);
      }
      return { ok: true, servers };
    } catch (e) {
      return { ok: false, error: oneLine(e) };
    }
  }

  private replace(next: Map<string, TenantEntry>): void {
    const changed = next.size !== this.entries.size || [...next].some(([k, e]) => !sameEntry(e, this.entries.get(k)));
    this.entries = next;
    if (changed) this.opts.onChange();
  }

  private mayLookUp(key: string): boolean {
    if (this.inflight.has(key) || this.inflight.size >= MAX_LOOKUPS_IN_FLIGHT) return false;
    return Date.now() - (this.lastLookup.get(key) ?? Number.NEGATIVE_INFINITY) >= LOOKUP_RETRY_MS;
  }

  private remember(key: string): void {
    if (this.lastLookup.size >= MAX_REMEMBERED_LOOKUPS) this.lastLookup.clear();
    this.lastLookup.set(key, Date.now());
  }

  private logSkipped(p: Parsed<unknown>): void {
    for (const line of p.skipped) this.opts.log.warn('PROXY', `skipped a metadata row: ${line}`);
  }
}
