// The running configuration: every registry parameter with a value per source (slot.ts), typed getters, change
// listeners, ALTER with persistence, SIGHUP reload and multi-level values. Precedence and persistence rules are
// documented for users in docs/CONFIGURATION.md ("Sources and precedence"); spec §11.3.
//
// Ownership: one ProxyConfig per process, owned by the primary; the admin path calls set/alter/reloadFile, the
// data path reads getters (O(1) map lookups; hot paths should subscribe with onChange and cache).
import { createHash } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import type { ParamDef } from './param-types.js';
import { PARAMS, unknownParamMessage } from './params.js';
import { ScopedValues, scopeLevel } from './scoped.js';
import type { ScopeKey, ScopeLevel, ScopedEntry } from './scoped.js';
import { RANK, SOURCES, Slot } from './slot.js';
import type { ConfigSource, Layer } from './slot.js';
import { writeStateFile } from './state-file.js';
import type { RuntimeRecord } from './state-file.js';
import { checkSessionIdPair, validateValue } from './validate.js';
import type { ParsedValue } from './validate.js';
import { loadInto, reloadFileInto } from './load.js';

export type { ConfigSource } from './slot.js';
export type { ScopeKey, ScopeLevel, ScopedEntry } from './scoped.js';
export { ConfigError } from './errors.js';

export type SetResult = { readonly ok: true; readonly needReboot: boolean } | { readonly ok: false; readonly error: string };
export type ReloadResult =
  | { readonly ok: true; readonly changed: readonly string[]; readonly notices: readonly string[] }
  | { readonly ok: false; readonly error: string };

export interface ConfigEntry {
  readonly def: ParamDef;
  /** The configured value: that of the highest source that set one. What SHOW PROXYCONFIG prints. */
  readonly value: string;
  readonly source: ConfigSource;
  /** Lower, non-default sources whose values are shadowed by `source`, lowest first. */
  readonly overridden: readonly { readonly source: ConfigSource; readonly value: string }[];
  /** The value in use; differs from `value` only for a need_reboot item changed since start. */
  readonly activeValue: string;
  readonly rebootPending: boolean;
}

type Listener = (value: string) => void;

/** SHA1 stage-1 hash, in hex, as ODP stores password items (spec §8). */
export function passwordHash(plaintext: string): string {
  return plaintext === '' ? '' : createHash('sha1').update(plaintext, 'utf8').digest('hex');
}

export class ProxyConfig {
  /** Absolute path of the YAML configuration file, if one was given. */
  readonly filePath: string | undefined;
  /** Absolute path of the runtime state file (ALTER values). */
  statePath: string;
  /** What loading or reloading changed on its own (e.g. an ALTER value superseded); to be logged by the caller. */
  readonly notices: string[] = [];
  /** @internal True while load() applies start-up sources: need_reboot items then follow their top layer. */
  loading = true;
  /** @internal */ readonly slots = new Map<string, Slot>();
  /** @internal */ readonly runtimeMeta = new Map<string, { base: string; at: string }>();
  /** @internal */ readonly scoped = new ScopedValues();
  private readonly listeners = new Map<string, Set<Listener>>();

  private constructor(filePath: string | undefined) {
    this.filePath = filePath;
    this.statePath = '';
    for (const def of PARAMS) {
      const checked = validateValue(def, def.default);
      if (!checked.ok) throw new Error(checked.error);
      this.slots.set(def.name, new Slot(def, { value: checked.value, parsed: checked.parsed }));
    }
  }

  /**
   * Defaults, then the file, then `options` (-o and the -p/-n/-r/-c flags), then the state file. Throws ConfigError
   * (one line naming file:line or option, parameter, value, allowed range) on any bad value, unknown name or bad file.
   */
  static load(opts: { file?: string; options?: Record<string, string>; stateFile?: string }): ProxyConfig {
    const cfg = new ProxyConfig(opts.file === undefined ? undefined : resolvePath(opts.file));
    loadInto(cfg, opts.options ?? {}, opts.stateFile);
    cfg.loading = false;
    return cfg;
  }

  private slotOf(name: string): Slot | undefined {
    return this.slots.get(name.trim().toLowerCase());
  }

  private need(name: string): Slot {
    const slot = this.slotOf(name);
    if (slot === undefined) throw new Error(`config: ${unknownParamMessage(name)}`);
    return slot;
  }

  private typed(name: string, types: readonly string[]): ParsedValue {
    const slot = this.need(name);
    if (!types.includes(slot.def.type)) throw new TypeError(`config: ${name} is ${slot.def.type}, not ${types.join('/')}`);
    return slot.active.parsed;
  }

  /** The value in use, as text. */
  get(name: string): string {
    return this.need(name).active.value;
  }

  getInt(name: string): number {
    return this.typed(name, ['INT']) as number;
  }

  getBool(name: string): boolean {
    return this.typed(name, ['BOOL']) as boolean;
  }

  getTimeUs(name: string): number {
    return this.typed(name, ['TIME']) as number;
  }

  /** Milliseconds, rounded down. */
  getTimeMs(name: string): number {
    return Math.floor(this.getTimeUs(name) / 1000);
  }

  getBytes(name: string): number {
    return this.typed(name, ['CAP']) as number;
  }

  getList(name: string): string[] {
    return [...(this.typed(name, ['STR_LIST']) as readonly string[])];
  }

  /**
   * Validates and stores `value` for `source`; the old value is kept on error. Values are taken as stored: a
   * password item expects its hash here (alter() hashes plaintext). needReboot: the item only takes effect after
   * a restart.
   */
  set(name: string, value: string, source: ConfigSource): SetResult {
    const slot = this.slotOf(name);
    if (slot === undefined) return { ok: false, error: unknownParamMessage(name) };
    if (source === 'default') return { ok: false, error: `${slot.def.name}: built-in defaults cannot be set` };
    const checked = validateValue(slot.def, value);
    if (!checked.ok) return checked;
    const cross = this.crossCheck(slot.def.name, checked.parsed);
    if (cross !== undefined) return { ok: false, error: cross };
    const rank = RANK[source];
    const base = slot.below(RANK.runtime).layer.value;
    const error = this.applyLayer(slot, rank, { value: checked.value, parsed: checked.parsed });
    if (error !== undefined) return { ok: false, error };
    if (source === 'runtime') this.runtimeMeta.set(slot.def.name, { base, at: new Date().toISOString() });
    return { ok: true, needReboot: slot.def.needReboot };
  }

  /** ALTER PROXYCONFIG SET: password items take plaintext (stored hashed); persisted atomically to the state file. */
  alter(name: string, value: string): SetResult {
    const slot = this.slotOf(name);
    if (slot === undefined) return { ok: false, error: unknownParamMessage(name) };
    const def = slot.def;
    if (def.name === 'app_name') return { ok: false, error: 'app_name cannot be changed while running; restart with -n' };
    const stored = def.format === 'password' ? passwordHash(value) : value;
    const before = { layer: slot.layers[RANK.runtime], meta: this.runtimeMeta.get(def.name) };
    const result = this.set(def.name, stored, 'runtime');
    if (!result.ok || def.visibleLevel === 'MEMORY') return result;
    try {
      this.persist();
    } catch (e) {
      this.applyLayer(slot, RANK.runtime, before.layer);
      if (before.meta === undefined) this.runtimeMeta.delete(def.name);
      else this.runtimeMeta.set(def.name, before.meta);
      return { ok: false, error: `cannot save ${def.name} to ${this.statePath}: ${(e as Error).message}; value unchanged` };
    }
    return result;
  }

  /** Every parameter in registry order, with its source. Allocates; for the admin path. */
  *entries(): Iterable<ConfigEntry> {
    for (const slot of this.slots.values()) yield this.entryOf(slot);
  }

  /** Every parameter set by a file, an option or ALTER, even to its default value, with the winning source. */
  diff(): ConfigEntry[] {
    return [...this.entries()].filter((e) => e.source !== 'default');
  }

  /**
   * Calls `cb` with the new value whenever the value in use changes (never for need_reboot items while running).
   * A callback that throws rejects the change: the value is rolled back and the setter gets the error.
   */
  onChange(name: string, cb: Listener): () => void {
    const key = this.need(name).def.name;
    const set = this.listeners.get(key) ?? new Set<Listener>();
    set.add(cb);
    this.listeners.set(key, set);
    return () => { set.delete(cb); };
  }

  /** SIGHUP: re-reads the configuration file. A file with any error changes nothing. */
  reloadFile(): ReloadResult {
    return reloadFileInto(this);
  }

  /** Sets a cluster/tenant/VIP value of a LEVEL_VIP item (password items take plaintext); persisted. */
  setScoped(name: string, value: string, scope: ScopeKey): SetResult {
    const slot = this.slotOf(name);
    if (slot === undefined) return { ok: false, error: unknownParamMessage(name) };
    const def = slot.def;
    const level = scopeLevel(scope);
    if (def.configLevel !== 'LEVEL_VIP') return { ok: false, error: `${def.name} can only be set globally` };
    if (level === undefined) return { ok: false, error: `${def.name}: a scope needs a cluster, a cluster and tenant, or a VIP` };
    const checked = validateValue(def, def.format === 'password' ? passwordHash(value) : value);
    if (!checked.ok) return checked;
    const old = this.scoped.get(def.name, scope);
    this.scoped.put({ def, scope: { ...scope }, level, value: checked.value, parsed: checked.parsed });
    try {
      this.persist();
    } catch (e) {
      if (old === undefined) this.scoped.remove(def.name, scope);
      else this.scoped.put(old);
      return { ok: false, error: `cannot save ${def.name} to ${this.statePath}: ${(e as Error).message}; value unchanged` };
    }
    return { ok: true, needReboot: def.needReboot };
  }

  /** Removes a cluster/tenant/VIP value; false when there was none. Persisted. */
  deleteScoped(name: string, scope: ScopeKey): boolean {
    const removed = this.scoped.remove(name.trim().toLowerCase(), scope);
    if (removed === undefined) return false;
    try {
      this.persist();
    } catch (e) {
      this.scoped.put(removed);
      throw e;
    }
    return true;
  }

  /** The value for a session at `at`: the most specific of VIP, tenant, cluster rows, else the global value. */
  resolve(name: string, at: ScopeKey): { value: string; parsed: ParsedValue; level: ScopeLevel | 'LEVEL_GLOBAL' } {
    const slot = this.need(name);
    const row = this.scoped.lookup(slot.def.name, at);
    if (row !== undefined) return { value: row.value, parsed: row.parsed, level: row.level };
    return { value: slot.active.value, parsed: slot.active.parsed, level: 'LEVEL_GLOBAL' };
  }

  scopedEntries(): Iterable<ScopedEntry> {
    return this.scoped.entries();
  }

  /** @internal Writes runtime and scoped values to the state file. Throws the fs error. */
  persist(): void {
    const runtime: RuntimeRecord[] = [];
    for (const [name, meta] of this.runtimeMeta) {
      const layer = this.slots.get(name)?.layers[RANK.runtime];
      if (layer !== undefined && this.slots.get(name)?.def.visibleLevel !== 'MEMORY') {
        runtime.push({ name, value: layer.value, base: meta.base, at: meta.at });
      }
    }
    const scoped = [...this.scoped.entries()].map((e) => ({ name: e.def.name, value: e.value, ...e.scope }));
    writeStateFile(this.statePath, { runtime, scoped });
  }

  /**
   * @internal Puts `layer` at `rank` and brings the value in use up to date, telling listeners. If a listener
   * throws, everything is put back and the error is returned.
   */
  applyLayer(slot: Slot, rank: number, layer: Layer | undefined): string | undefined {
    const previous = slot.layers[rank];
    slot.layers[rank] = layer;
    const next = slot.top().layer;
    if (slot.active.value === next.value || (slot.def.needReboot && !this.loading)) return undefined;
    const old = slot.active;
    slot.active = next;
    const error = this.notify(slot.def.name, next.value, old.value);
    if (error === undefined) return undefined;
    slot.layers[rank] = previous;
    slot.active = old;
    return `cannot apply ${slot.def.name}='${next.value}': ${error}; value unchanged`;
  }

  private notify(name: string, value: string, oldValue: string): string | undefined {
    const called: Listener[] = [];
    for (const cb of this.listeners.get(name) ?? []) {
      try {
        cb(value);
        called.push(cb);
      } catch (e) {
        for (const done of called) {
          try { done(oldValue); } catch { /* already failing: the first error is the one reported */ }
        }
        return e instanceof Error ? e.message : String(e);
      }
    }
    return undefined;
  }

  /** @internal Checks between items, with `name` about to become `parsed` ('' checks the current values). */
  crossCheck(name: string, parsed: ParsedValue): string | undefined {
    const value = (n: string): ParsedValue => (n === name ? parsed : (this.slots.get(n)?.top().layer.parsed ?? 0));
    return checkSessionIdPair(value('proxy_id') as number, value('client_session_id_version') as number);
  }

  private entryOf(slot: Slot): ConfigEntry {
    const { layer, source } = slot.top();
    const overridden: { source: ConfigSource; value: string }[] = [];
    for (let r = 1; r < RANK[source]; r++) {
      const lower = slot.layers[r];
      if (lower !== undefined) overridden.push({ source: SOURCES[r] ?? 'default', value: lower.value });
    }
    return {
      def: slot.def, value: layer.value, source, overridden,
      activeValue: slot.active.value, rebootPending: slot.active.value !== layer.value,
    };
  }
}
