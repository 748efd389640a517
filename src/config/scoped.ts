// Multi-level values (spec §11.3): items whose config level is LEVEL_VIP may be overridden for one cluster,
// one tenant of a cluster, or one virtual address (vid, vip, vport), as ODP's proxy_config table rows do.
// A session resolves an item most specific first: VIP, then tenant, then cluster, then the global value.
// Lookups scan the few rows of one parameter: O(rows for that name).
import type { ParamDef } from './param-types.js';
import type { ParsedValue } from './validate.js';

/** Where a session is, or which sessions a row applies to. '' / -1 / 0 mean "not part of the key". */
export interface ScopeKey {
  readonly cluster: string;
  readonly tenant: string;
  readonly vip: string;
  readonly vport: number;
  readonly vid: number;
}

export type ScopeLevel = 'LEVEL_CLUSTER' | 'LEVEL_TENANT' | 'LEVEL_VIP';

export interface ScopedEntry {
  readonly def: ParamDef;
  readonly scope: ScopeKey;
  readonly level: ScopeLevel;
  readonly value: string;
  readonly parsed: ParsedValue;
}

/** The level a row key describes, or undefined for a key that names nothing (or a tenant without its cluster). */
export function scopeLevel(k: ScopeKey): ScopeLevel | undefined {
  if (k.vip !== '' || k.vid >= 0) return 'LEVEL_VIP';
  if (k.tenant !== '') return k.cluster !== '' ? 'LEVEL_TENANT' : undefined;
  if (k.cluster !== '') return 'LEVEL_CLUSTER';
  return undefined;
}

function sameRow(a: ScopeKey, b: ScopeKey): boolean {
  return a.cluster === b.cluster && a.tenant === b.tenant && a.vip === b.vip && a.vport === b.vport && a.vid === b.vid;
}

function matches(row: ScopedEntry, at: ScopeKey): boolean {
  switch (row.level) {
    case 'LEVEL_VIP': return row.scope.vip === at.vip && row.scope.vport === at.vport && row.scope.vid === at.vid;
    case 'LEVEL_TENANT': return row.scope.cluster === at.cluster && row.scope.tenant === at.tenant;
    case 'LEVEL_CLUSTER': return row.scope.cluster === at.cluster;
  }
}

const ORDER: readonly ScopeLevel[] = ['LEVEL_VIP', 'LEVEL_TENANT', 'LEVEL_CLUSTER'];

export class ScopedValues {
  private readonly rows = new Map<string, ScopedEntry[]>();

  /** Inserts or replaces the row for (def.name, scope). */
  put(entry: ScopedEntry): void {
    const list = this.rows.get(entry.def.name) ?? [];
    const i = list.findIndex((r) => sameRow(r.scope, entry.scope));
    if (i >= 0) list[i] = entry;
    else list.push(entry);
    this.rows.set(entry.def.name, list);
  }

  /** Removes the row for (name, scope); returns what was there. */
  remove(name: string, scope: ScopeKey): ScopedEntry | undefined {
    const list = this.rows.get(name);
    const i = list?.findIndex((r) => sameRow(r.scope, scope)) ?? -1;
    if (list === undefined || i < 0) return undefined;
    const [old] = list.splice(i, 1);
    return old;
  }

  get(name: string, scope: ScopeKey): ScopedEntry | undefined {
    return this.rows.get(name)?.find((r) => sameRow(r.scope, scope));
  }

  /** The most specific row applying to a session at `at`, if any. */
  lookup(name: string, at: ScopeKey): ScopedEntry | undefined {
    const list = this.rows.get(name);
    if (list === undefined || list.length === 0) return undefined;
    for (const level of ORDER) {
      const hit = list.find((r) => r.level === level && matches(r, at));
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  *entries(): Iterable<ScopedEntry> {
    for (const list of this.rows.values()) yield* list;
  }
}
