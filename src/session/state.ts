// Session state (spec §6.2): the client's authoritative state and, per server session, what that server session
// has applied; planSync computes the difference to replay before a statement runs there: COM_INIT_DB for the
// database and ONE `SET @@session.a = v, ..., @u = w` statement. Pure: no I/O.
//
// Versions come from one module-wide counter, so equal versions mean "same snapshot of the same SessionState"
// and the common case (server already in sync) costs one integer compare.
//
// Limitations (documented, not handled):
//  - A database cannot be un-selected in MySQL: when the client has no database but the server session has
//    one, the server keeps it.
//  - A system variable is never forgotten (there is no "unset"): after COM_RESET_CONNECTION / COM_CHANGE_USER
//    reset() the SessionState and reset/close the server sessions too. User variables missing from the wanted
//    state are replayed as NULL.
//  - Text PS are synced lazily, one name at a time (planTextPs), never by planSync/markApplied.

import type { SessionTrackItem } from '../protocol/ok.js';
import {
  bindPlainString, canonicalVarName, quoteIdent, renderSysReadBack, renderTracked, renderUserReadBack, sysAssignSql,
  sysVarSql, userVarSql, varInfo, varPolicy, type VarNaming,
} from './vars.js';

let versionCounter = 0;
function nextVersion(): number {
  return ++versionCounter;
}

const LAST_INSERT_ID = 'last_insert_id';

/** The client's authoritative session state. Values are SQL text ready to put after `=`. */
export class SessionState {
  version: number;
  database: string | null;
  /** canonical lower-case name -> SQL value; Map order = order of the last assignment (replay order). */
  readonly sysVars = new Map<string, string>();
  /** lower-case name without '@' -> SQL literal. */
  readonly userVars = new Map<string, string>();
  /** 0n = never set. */
  lastInsertId = 0n;
  /** lower-case text-PS name -> the verbatim `PREPARE name FROM ...` statement. */
  readonly textPs = new Map<string, string>();

  constructor(database: string | null = null) {
    this.version = nextVersion();
    this.database = database;
  }

  setDatabase(db: string | null): void {
    if (db === this.database) return;
    this.database = db;
    this.version = nextVersion();
  }

  /**
   * Stores a `replay` variable (others are ignored: one_shot/pin/ignore variables are never state). The
   * variables the server re-derives from this one are dropped: replaying this one reproduces them.
   * last_insert_id goes to lastInsertId (decimal digits only).
   */
  setSysVar(name: string, sql: string): void {
    const n = canonicalVarName(name);
    if (n === LAST_INSERT_ID) {
      if (/^\d+$/.test(sql)) this.setLastInsertId(BigInt(sql));
      return;
    }
    if (varPolicy(n) !== 'replay') return;
    let changed = moveLast(this.sysVars, n, sql);
    for (const r of varInfo(n).resets) changed = this.sysVars.delete(r) || changed;
    if (changed) this.version = nextVersion();
  }

  /**
   * A plain `'..'` literal takes the connection collation at parse time: when the state knows it (after SET NAMES
   * and the like), the literal is bound to it with an introducer, since the replay may be parsed under another.
   */
  setUserVar(name: string, sql: string): void {
    const v = sql.charCodeAt(0) === 39 ? this.bindConnectionCharset(sql) : sql;
    if (moveLast(this.userVars, name.toLowerCase(), v)) this.version = nextVersion();
  }

  /** The newest of collation_connection / character_set_connection / NAMES wins (each one drops the others). */
  private bindConnectionCharset(sql: string): string {
    let coll = unquoteName(this.sysVars.get('collation_connection'));
    let cs = unquoteName(this.sysVars.get('character_set_connection'));
    const names = /^(\w+)(?: COLLATE (\w+))?$/.exec(this.sysVars.get('names') ?? '');
    if (coll === null && cs === null && names !== null) {
      cs = names[1]!.toLowerCase();
      coll = names[2]?.toLowerCase() ?? null;
    }
    if (coll === null && (cs === null || cs === 'default')) return sql;
    return bindPlainString(sql, coll, cs) ?? sql;
  }

  setLastInsertId(v: bigint): void {
    if (v === this.lastInsertId) return;
    this.lastInsertId = v;
    this.version = nextVersion();
  }

  /** Back to a fresh login (COM_RESET_CONNECTION / COM_CHANGE_USER): no database, variables or text PS. */
  reset(): void {
    this.database = null;
    this.sysVars.clear();
    this.userVars.clear();
    this.lastInsertId = 0n;
    this.textPs.clear();
    this.version = nextVersion();
  }

  /** null = DEALLOCATE. Text PS do not change `version`: they are synced per EXECUTE (planTextPs). */
  setTextPs(name: string, prepareSql: string | null): void {
    const n = name.toLowerCase();
    if (prepareSql === null) this.textPs.delete(n);
    else this.textPs.set(n, prepareSql);
  }
}

/** `'name'` (a stored value of a charset/collation variable) -> name; null when absent or not a plain name. */
function unquoteName(sql: string | undefined): string | null {
  if (sql === undefined) return null;
  const m = /^(?:_\w+ )?'([a-z0-9_]+)'(?: COLLATE \w+)?$/i.exec(sql);
  return m === null ? null : m[1]!.toLowerCase();
}

/** Sets key to value as the last entry; true when the value changed. */
function moveLast(m: Map<string, string>, key: string, value: string): boolean {
  const old = m.get(key);
  m.delete(key);
  m.set(key, value);
  return old !== value;
}

/** What ONE server session has applied; starts as a fresh login. */
export class AppliedState {
  version = -1;
  database: string | null;
  readonly sysVars = new Map<string, string>();
  readonly userVars = new Map<string, string>();
  lastInsertId = 0n;
  readonly textPs = new Map<string, string>();

  /** database: the one the server session logged in with. */
  constructor(database: string | null) {
    this.database = database;
  }

  /** The server session was reset (COM_RESET_CONNECTION / COM_CHANGE_USER) and now has `database`. */
  reset(database: string | null): void {
    this.version = -1;
    this.database = database;
    this.sysVars.clear();
    this.userVars.clear();
    this.lastInsertId = 0n;
    this.textPs.clear();
  }
}

export interface SyncPlan {
  readonly initDb: string | null;
  readonly setSql: string | null;
}

const IN_SYNC: SyncPlan = Object.freeze({ initDb: null, setSql: null });

/**
 * The difference to replay on `have` so it matches `want`: initDb when the database differs (see the header
 * for an un-selected database) and one SET for changed system variables (in last-assignment order), changed
 * user variables, user variables `have` holds but `want` does not (set to NULL), and last_insert_id.
 * Cost: O(1) when versions are equal, else O(variables).
 * naming: how the server spells renamed variables (vars.ts varNamingFor); default 'modern'.
 */
export function planSync(want: SessionState, have: AppliedState, naming: VarNaming = 'modern'): SyncPlan {
  if (want.version === have.version) return IN_SYNC;
  const initDb = want.database !== null && want.database !== have.database ? want.database : null;
  const items: string[] = [];
  for (const [k, v] of want.sysVars) {
    if (have.sysVars.get(k) !== v || reDerived(want, have, k)) items.push(sysAssignSql(k, v, naming));
  }
  for (const [k, v] of want.userVars) if (have.userVars.get(k) !== v) items.push(`${userVarSql(k)} = ${v}`);
  for (const k of have.userVars.keys()) if (!want.userVars.has(k)) items.push(`${userVarSql(k)} = NULL`);
  if (want.lastInsertId !== have.lastInsertId) {
    items.push(`${sysVarSql(LAST_INSERT_ID, naming)} = ${want.lastInsertId.toString()}`);
  }
  if (initDb === null && items.length === 0) return IN_SYNC;
  return { initDb, setSql: items.length === 0 ? null : 'SET ' + items.join(', ') };
}

/**
 * `have` holds a variable that `k` re-derives and `want` dropped it (k was set again after it): k must be sent
 * again even with an unchanged value, or the server keeps the later value of the re-derived variable.
 */
function reDerived(want: SessionState, have: AppliedState, k: string): boolean {
  for (const r of varInfo(k).resets) if (have.sysVars.has(r) && !want.sysVars.has(r)) return true;
  return false;
}

/** Records that `have` now matches `want`: after the plan succeeded, or after a statement that changed the
 *  state ran on this very server session (which was in sync before it). Text PS are not touched. */
export function markApplied(have: AppliedState, want: SessionState): void {
  have.version = want.version;
  if (want.database !== null) have.database = want.database;
  copyMap(have.sysVars, want.sysVars);
  copyMap(have.userVars, want.userVars);
  have.lastInsertId = want.lastInsertId;
}

function copyMap(dst: Map<string, string>, src: ReadonlyMap<string, string>): void {
  dst.clear();
  for (const [k, v] of src) dst.set(k, v);
}

/**
 * Text PS (spec §6.2): the statement to run on this server before `EXECUTE name`: the PREPARE text when the
 * server lacks it or has another text; `DEALLOCATE PREPARE name` when the client deallocated it but this server
 * still has it (so EXECUTE fails as the client expects); null when nothing is needed. Run it after planSync
 * (a `PREPARE s FROM @v` reads the synced @v) and then call markTextPsApplied.
 */
export function planTextPs(want: SessionState, have: AppliedState, name: string): string | null {
  const n = name.toLowerCase();
  const sql = want.textPs.get(n);
  const cur = have.textPs.get(n);
  if (sql === undefined) return cur === undefined ? null : 'DEALLOCATE PREPARE ' + quoteIdent(n);
  return sql === cur ? null : sql;
}

export function markTextPsApplied(have: AppliedState, want: SessionState, name: string): void {
  const n = name.toLowerCase();
  const sql = want.textPs.get(n);
  if (sql === undefined) have.textPs.delete(n);
  else have.textPs.set(n, sql);
}

// ── read-back and session tracking (statement effects, effects.ts) ────────────────────────────────────────────────────────────────────────

/** A variable to read back (effects.ts). */
export interface VarItem { readonly kind: 'sys' | 'user'; readonly name: string }

/**
 * The read-back SELECT: `@@session.`x`` for a system variable; `@`u`, COLLATION(@`u`), CAST(@`u` AS BINARY)` for a
 * user variable (type, collation and unconverted bytes: see vars.ts renderUserReadBack). Items non-empty.
 */
export function readBackQuery(items: readonly VarItem[], naming: VarNaming = 'modern'): string {
  const cols = items.map((it) => {
    if (it.kind === 'sys') return sysVarSql(it.name, naming);
    const u = userVarSql(it.name);
    return `${u}, COLLATION(${u}), CAST(${u} AS BINARY)`;
  });
  return 'SELECT ' + cols.join(', ');
}

/** Applies the row answering readBackQuery(items): all its column definitions (type, collation id) and values. */
export function applyReadBack(
  state: SessionState, items: readonly VarItem[], columns: readonly { type: number; charset: number }[],
  values: readonly (Buffer | null)[],
): void {
  let c = 0;
  for (const it of items) {
    const col = columns[c];
    if (col === undefined || values.length < c + (it.kind === 'sys' ? 1 : 3)) return;
    if (it.kind === 'sys') {
      state.setSysVar(it.name, renderSysReadBack(values[c]!, col.type, col.charset));
      c += 1;
    } else {
      state.setUserVar(it.name, renderUserReadBack(values[c]!, col.type, values[c + 1]!, values[c + 2]!));
      c += 3;
    }
  }
}

/**
 * Applies OK-packet session tracking (CLIENT_SESSION_TRACK): changed system variables and the schema.
 * Returns why the session must now stay on this server (a `pin` variable changed), else null.
 */
export function applySessionTrack(state: SessionState, items: readonly SessionTrackItem[]): string | null {
  let pin: string | null = null;
  for (const it of items) {
    if (it.kind === 'schema') state.setDatabase(it.name === '' ? null : it.name);
    if (it.kind !== 'system_variable') continue;
    const name = canonicalVarName(it.name);
    const policy = varPolicy(name);
    if (policy === 'replay') state.setSysVar(name, renderTracked(it.value));
    else if (policy === 'pin') pin ??= 'session variable ' + name;
  }
  return pin;
}
