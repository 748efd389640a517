// The one table of session system variables (spec §6.2): how each one is carried from the client's authoritative
// state to another server session. Every per-variable decision lives in VARS below; code elsewhere asks this
// module and never names a variable (the one exception: last_insert_id, which SessionState keeps as a bigint).
//
// Policies:
//   replay    state of the session: stored, and replayed with `SET @@session.x = v` on any server session that
//             is behind. Default for every variable not listed.
//   one_shot  affects only the next statement (insert_id, rand seeds): never stored; the statement after the
//             SET must run on the same server.
//   pin       cannot be reproduced on another server (replication/binlog-replay tooling, debug hooks): the
//             client session stays on the server where it was set.
//   ignore    not client state: read-only counters, values derived from the current database, ODP/OceanBase
//             feedback variables sent in session tracking.
// Names are compared lower-case; aliases resolve to one canonical name before any lookup.

import type { ValueRef } from '../route/sql/index.js';

export type VarPolicy = 'replay' | 'one_shot' | 'pin' | 'ignore';

/**
 * How a server spells the renamed variables (transaction_isolation / tx_isolation ...).
 * modern: MySQL >= 5.7.20 and MariaDB >= 11.1 (transaction_*); legacy: MariaDB < 11.1 and OceanBase (tx_*).
 */
export type VarNaming = 'modern' | 'legacy';

export interface VarRow {
  readonly policy: VarPolicy;
  /** Spelling used towards servers with naming 'legacy' (null: same name everywhere). */
  readonly legacy: string | null;
  /** Setting this variable re-derives these ones on the server (character set <-> collation pairs). */
  readonly resets: readonly string[];
  /** `SET x = DEFAULT` is itself the state (a dynamic default, e.g. the clock): replayed as DEFAULT. */
  readonly keepDefault: boolean;
  /** `SET @@x = v` without a scope word applies to the next transaction only (MySQL and MariaDB rule). */
  readonly bareIsNextTx: boolean;
  /**
   * Not a variable but a SET item of its own, replayed as `<keyword> <value>` (`NAMES utf8mb4 COLLATE x`); it
   * cannot be read back: its `resets` are read instead.
   */
  readonly keyword: string | null;
}

type Opt = Partial<Omit<VarRow, 'policy'>>;
const row = (policy: VarPolicy, o: Opt = {}): VarRow => ({
  policy, legacy: o.legacy ?? null, resets: o.resets ?? [], keepDefault: o.keepDefault ?? false,
  bareIsNextTx: o.bareIsNextTx ?? false, keyword: o.keyword ?? null,
});

/** The variables SET NAMES / SET CHARACTER SET change, in replay order (the collation last: it fixes the charset). */
export const CONNECTION_CHARSET_VARS: readonly string[] =
  ['character_set_client', 'character_set_results', 'character_set_connection', 'collation_connection'];

/** THE table. Unlisted session variables are `replay`. */
const VARS: ReadonlyMap<string, VarRow> = new Map<string, VarRow>([
  // Renamed in MySQL 5.7.20 / MariaDB 11.1; MariaDB 10.11 knows only tx_* (checked on 10.11.19).
  ['transaction_isolation', row('replay', { legacy: 'tx_isolation', bareIsNextTx: true })],
  ['transaction_read_only', row('replay', { legacy: 'tx_read_only', bareIsNextTx: true })],
  // SET NAMES cs [COLLATE c]: sets the result collation too, which no variable shows (MariaDB 10.11: result
  // columns carry utf8mb4_bin after SET NAMES utf8mb4 COLLATE utf8mb4_bin, utf8mb4_general_ci after setting the
  // three variables), so it is replayed as itself.
  ['names', row('replay', { keyword: 'NAMES', resets: CONNECTION_CHARSET_VARS })],
  // A character set and its collation: setting one re-derives the other.
  ['character_set_connection', row('replay', { resets: ['collation_connection'] })],
  ['collation_connection', row('replay', { resets: ['character_set_connection'] })],
  ['character_set_server', row('replay', { resets: ['collation_server'] })],
  ['collation_server', row('replay', { resets: ['character_set_server'] })],
  ['max_join_size', row('replay', { resets: ['sql_big_selects'] })],
  ['timestamp', row('replay', { keepDefault: true })],
  ['last_insert_id', row('replay')],
  // Next statement only.
  ['insert_id', row('one_shot')],
  ['rand_seed1', row('one_shot')],
  ['rand_seed2', row('one_shot')],
  // Binlog replay and debugging: meaningful on one server session only.
  ['gtid_next', row('pin')],
  ['gtid_next_list', row('pin')],
  ['gtid_seq_no', row('pin')],
  ['pseudo_thread_id', row('pin')],
  ['pseudo_slave_mode', row('pin')],
  ['original_commit_timestamp', row('pin')],
  ['original_server_version', row('pin')],
  ['immediate_server_version', row('pin')],
  ['debug', row('pin')], ['debug_dbug', row('pin')], ['debug_sync', row('pin')],
  // Derived from the current database (COM_INIT_DB replay re-derives them); read-only counters.
  ['character_set_database', row('ignore')],
  ['collation_database', row('ignore')],
  ['warning_count', row('ignore')],
  ['error_count', row('ignore')],
  ['in_transaction', row('ignore')],
  ['last_gtid', row('ignore')],
  // ODP/OceanBase feedback carried in session tracking (spec §6.2), not client state.
  ['ob_proxy_global_variables_version', row('ignore')],
  ['ob_proxy_user_privilege', row('ignore')],
  ['ob_proxy_set_trx_executed', row('ignore')],
  ['ob_proxy_partition_hit', row('ignore')],
  ['ob_capability_flag', row('ignore')],
  ['ob_statement_trace_id', row('ignore')],
  ['ob_client_reroute_info', row('ignore')],
]);

/** Other spellings -> canonical name. */
const ALIASES: ReadonlyMap<string, string> = new Map([
  ['tx_isolation', 'transaction_isolation'], ['tx_read_only', 'transaction_read_only'], ['identity', 'last_insert_id'],
  ['storage_engine', 'default_storage_engine'], ['sql_max_join_size', 'max_join_size'],
  ['pseudo_replica_mode', 'pseudo_slave_mode'],
]);

const DEFAULT_ROW = row('replay');

function lookup(canonical: string): VarRow {
  return VARS.get(canonical) ?? DEFAULT_ROW;
}

/** Lower-case canonical name (aliases resolved). Cost: one lower-casing and one map probe. */
export function canonicalVarName(name: string): string {
  const n = name.toLowerCase();
  return ALIASES.get(n) ?? n;
}

export function varPolicy(name: string): VarPolicy {
  return lookup(canonicalVarName(name)).policy;
}

/** The table row of `name` (any spelling). */
export function varInfo(name: string): VarRow {
  return lookup(canonicalVarName(name));
}

/** The spelling of canonical variable `name` that a server with `naming` accepts. */
export function serverVarName(name: string, naming: VarNaming): string {
  if (naming === 'modern') return name;
  return lookup(name).legacy ?? name;
}

/**
 * Naming of a server from its handshake version string: OceanBase ("5.7.25-OceanBase-v4.2.1") and MariaDB
 * before 11.1 ("10.11.19-MariaDB-...", or the "5.5.5-" prefixed form) use tx_*; MySQL before 5.7.20 too.
 */
export function varNamingFor(serverVersion: string): VarNaming {
  if (/oceanbase/i.test(serverVersion)) return 'legacy';
  const v = serverVersion.replace(/^5\.5\.5-/, '');
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(v);
  if (m === null) return 'modern';
  const n = Number(m[1]) * 10000 + Number(m[2]) * 100 + Number(m[3]);
  if (/mariadb/i.test(v)) return n < 110100 ? 'legacy' : 'modern';
  return n < 50720 ? 'legacy' : 'modern';
}

/** One item of a replay SET: `@@session.x = v`, or `NAMES v` for keyword rows. */
export function sysAssignSql(name: string, sql: string, naming: VarNaming): string {
  const kw = lookup(name).keyword;
  return kw !== null ? `${kw} ${sql}` : `${sysVarSql(name, naming)} = ${sql}`;
}

/** The variables to read back for `name`: itself, or for a keyword row the variables it sets. */
export function varReadBackNames(name: string): readonly string[] {
  const r = lookup(name);
  return r.keyword !== null ? r.resets : [name];
}

/** `x` with backticks doubled: safe for any name under every sql_mode (ANSI_QUOTES keeps backticks). */
export function quoteIdent(name: string): string {
  return '`' + name.replaceAll('`', '``') + '`';
}

/** `@@session.<name>` as the server spells it. The explicit scope matters: a bare `@@transaction_isolation`
 *  would only set the next transaction. */
export function sysVarSql(name: string, naming: VarNaming): string {
  // System variable names are plain identifiers; quoted only if one ever is not (some parsers, OceanBase's proxy-side
  // ones included, do not accept a quoted name after @@session.).
  const n = serverVarName(name, naming);
  return '@@session.' + (/^[A-Za-z_][A-Za-z0-9_]*$/.test(n) ? n : quoteIdent(n));
}

export function userVarSql(name: string): string {
  return '@' + quoteIdent(name);
}

// ── SQL text of values ──────────────────────────────────────────────────────────────────────────────────────
// Every literal produced here means the same under any sql_mode (ANSI_QUOTES, NO_BACKSLASH_ESCAPES): strings
// are single-quoted only when they hold no quote and no backslash, otherwise hex.

/** Collation ids of column definitions -> collation name (charset = the name's first word; `binary`). */
const COLLATIONS: ReadonlyMap<number, string> = new Map([
  [1, 'big5_chinese_ci'], [8, 'latin1_swedish_ci'], [11, 'ascii_general_ci'], [28, 'gbk_chinese_ci'],
  [33, 'utf8mb3_general_ci'], [45, 'utf8mb4_general_ci'], [46, 'utf8mb4_bin'], [47, 'latin1_bin'],
  [48, 'latin1_general_ci'], [63, 'binary'], [65, 'ascii_bin'], [83, 'utf8mb3_bin'], [87, 'gbk_bin'],
  [192, 'utf8mb3_unicode_ci'], [224, 'utf8mb4_unicode_ci'], [246, 'utf8mb4_unicode_520_ci'],
  [248, 'gb18030_chinese_ci'], [249, 'gb18030_bin'], [255, 'utf8mb4_0900_ai_ci'], [309, 'utf8mb4_0900_bin'],
]);
const UTF8MB4_GENERAL_CI = 45;

const INTEGER_TYPES = new Set([1, 2, 3, 8, 9, 13]); // TINY SHORT LONG LONGLONG INT24 YEAR (protocol ColumnType)
const DECIMAL_TYPES = new Set([0, 246]); // DECIMAL NEWDECIMAL
const FLOAT_TYPES = new Set([4, 5]); // FLOAT DOUBLE

function printable(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c < 0x20 || c > 0x7e || c === 0x27 || c === 0x5c) return false;
  }
  return true;
}

function charsetOf(collation: string): string {
  const u = collation.indexOf('_');
  return u < 0 ? collation : collation.slice(0, u);
}

/** Charsets in which printable ASCII bytes mean the same characters (an introducer on `'..'` is safe). */
const ASCII_SUPERSETS = new Set(['utf8mb4', 'utf8mb3', 'utf8', 'latin1', 'ascii', 'gbk', 'gb18030', 'big5', 'binary']);

/**
 * A plain `'..'` literal pinned to the connection collation (or charset) it was parsed under, so a replay parsed
 * under another connection charset gives the same value; null when that cannot be written safely.
 * `collation` / `charset`: the unquoted names, or null when unknown.
 */
export function bindPlainString(sql: string, collation: string | null, charset: string | null): string | null {
  const cs = collation !== null ? charsetOf(collation) : charset;
  if (cs === null || !ASCII_SUPERSETS.has(cs)) return null;
  return `_${cs} ${sql}` + (collation !== null && cs !== 'binary' ? ` COLLATE ${collation}` : '');
}

/** `'text'` when text is printable ASCII without quote or backslash, else null. */
export function simpleString(text: string): string | null {
  return /^[\x20-\x26\x28-\x5b\x5d-\x7e]*$/.test(text) ? `'${text}'` : null;
}

function quotedOrHex(bytes: Buffer, asciiOk: boolean): string {
  return asciiOk && printable(bytes) ? `'${bytes.toString('latin1')}'` : `X'${bytes.toString('hex')}'`;
}

/**
 * A string in `collation` (a name: from COLLATION() or the id table), exactly: `_cs '..' COLLATE c`, or hex
 * when not printable or when the charset is not an ASCII superset (`_ucs2 'ab'` would be one character).
 */
export function collatedString(bytes: Buffer, collation: string): string {
  const cs = charsetOf(collation);
  const body = quotedOrHex(bytes, ASCII_SUPERSETS.has(cs));
  return collation === 'binary' ? `_binary ${body}` : `_${cs} ${body} COLLATE ${collation}`;
}

/** A system variable string (its collation is not part of the value): `'..'`, else hex with the bytes' charset. */
export function sysString(bytes: Buffer, collationId: number): string {
  if (printable(bytes)) return `'${bytes.toString('latin1')}'`;
  const coll = COLLATIONS.get(collationId);
  return coll === undefined ? `X'${bytes.toString('hex')}'` : `_${charsetOf(coll)} X'${bytes.toString('hex')}'`;
}

/** Digits of a numeric column as a literal of the same type (a DOUBLE user variable gets `e0`), else null. */
function numberSql(v: Buffer, type: number, user: boolean): string | null {
  const s = v.toString('latin1');
  if (INTEGER_TYPES.has(type) && /^-?\d+$/.test(s)) return s;
  if (DECIMAL_TYPES.has(type) && /^-?\d*\.?\d+$/.test(s)) return s;
  if (FLOAT_TYPES.has(type) && /^-?\d*\.?\d+(e[-+]?\d+)?$/i.test(s)) return user && !/e/i.test(s) ? s + 'e0' : s;
  return null;
}

/** A system variable read back with `SELECT @@session.x` (column type and collation id from its definition). */
export function renderSysReadBack(v: Buffer | null, type: number, collationId: number): string {
  if (v === null) return 'NULL';
  return numberSql(v, type, false) ?? sysString(v, collationId);
}

/**
 * A user variable read back as `@u, COLLATION(@u), CAST(@u AS BINARY)`: the first column gives the type (its
 * bytes are converted to character_set_results and its column collation is the results one, so neither is the
 * variable's), the second the variable's collation, the third its bytes unconverted.
 */
export function renderUserReadBack(v: Buffer | null, type: number, collation: Buffer | null, raw: Buffer | null): string {
  if (v === null) return 'NULL';
  const n = numberSql(v, type, true);
  if (n !== null) return n;
  const coll = collation?.toString('latin1') ?? '';
  if (raw === null || !/^[a-z0-9_]+$/.test(coll)) return quotedOrHex(v, true);
  return collatedString(raw, coll);
}

/** A session-tracked system variable value (UTF-8 text): numbers as they are, anything else a string. */
export function renderTracked(value: string): string {
  if (/^-?\d+(\.\d+)?$/.test(value)) return value;
  return sysString(Buffer.from(value, 'utf8'), UTF8MB4_GENERAL_CI);
}

/**
 * SQL for a literal whose meaning does not depend on the session (charset of a plain string apart), else null.
 * Text with a backslash depends on NO_BACKSLASH_ESCAPES; strings with an introducer, a collation or
 * non-printable characters are read back (the server knows their charset).
 */
export function literalValueSql(v: ValueRef, text: string): string | null {
  if (v.kind !== 'literal' || text.includes('\\')) return null;
  switch (v.type) {
    case 'int': case 'decimal': case 'float': case 'bool': return v.text;
    case 'null': return 'NULL';
    case 'hex': return `X'${v.text}'`;
    case 'bit': return `b'${v.text}'`;
    case 'string': return v.charsetIntroducer === null && v.collation === null ? simpleString(v.text) : null;
    case 'date': case 'time': case 'timestamp': return null;
  }
}
