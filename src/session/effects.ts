// Statement effects on session state (spec §6.2, §5.6): what a statement that just succeeded changed in the
// client's session, so SessionState follows it without decoding results. Pure: no I/O.
//  - literal assignments are applied as written (`direct`);
//  - anything the proxy cannot evaluate (expressions, DEFAULT, SET NAMES side effects, `@x := ...`,
//    `SELECT ... INTO @x`) is read back from the same server afterwards (readBackQuery / applyReadBack);
//  - what cannot be replayed at all pins the next statement or the whole session to that server.
// Limitations: CALL (a procedure may change variables; session tracking reports system variables only),
// PREPARE s FROM @v (the prepared text is not visible; its replay reads @v as synced at EXECUTE time), and
// the first statement only of a COM_STMT_PREPARE (the caller passes its text here if it wants effects).

import { parseRoute } from '../route/sql/index.js';
import type { RouteParse, SetAssignment, StmtKind } from '../route/sql/index.js';
import { K } from '../route/sql/keywords.js';
import { Lexer } from '../route/sql/lexer.js';
import { O, T } from '../route/sql/tokens.js';
import type { VarItem } from './state.js';
import {
  CONNECTION_CHARSET_VARS, canonicalVarName, literalValueSql, varInfo, varPolicy, varReadBackNames,
} from './vars.js';

export interface DirectItem { readonly kind: 'sys' | 'user'; readonly name: string; readonly sql: string }
export interface TextPsEffect {
  readonly name: string;
  readonly prepareSql: string | null;
  /** PREPARE name FROM @v: the variable (lower case); its value at PREPARE time is the statement (learn.ts). */
  readonly fromVar: string | null;
}

export interface StatementEffects {
  /** Literal values to apply after OK as they are: system variables (canonical names) in statement order, then
   *  user variables (lower-case names) in statement order. */
  readonly direct: readonly DirectItem[];
  /** Read back from the same server after OK (readBackQuery), then applyReadBack. Applied after `direct`. */
  readonly readBack: readonly VarItem[];
  readonly useDb: string | null;
  /** The NEXT statement must run on this server (SET TRANSACTION without scope, one_shot variables). */
  readonly pinNext: boolean;
  /** Why the whole session must stay on this server from now on, else null. */
  readonly pinSession: string | null;
  /** PREPARE (verbatim statement text) / DEALLOCATE (null). */
  readonly textPs: TextPsEffect | null;
}

/** Statements of one multi-statement COM_QUERY examined; beyond that the session is pinned. */
const MAX_STATEMENTS = 256;
const FULL = { maxLength: Infinity } as const;

/** An assignment in statement order: sql = the literal to apply, or null = read it back. */
interface Pending { readonly name: string; readonly sql: string | null }

class Builder {
  sys: Pending[] = [];
  user: Pending[] = [];
  useDb: string | null = null;
  pinNext = false;
  pinSession: string | null = null;
  textPs: TextPsEffect | null = null;

  /** The last assignment of a variable decides its value: an earlier one is dropped. */
  addSys(name: string, sql: string | null): void {
    this.sys = this.sys.filter((p) => p.name !== name).concat({ name, sql });
  }
  addUser(name: string, sql: string | null): void {
    this.user = this.user.filter((p) => p.name !== name).concat({ name, sql });
  }
  pin(reason: string): void {
    this.pinSession ??= reason;
  }
  /**
   * When any system variable is read back, all are, in order: a read-back one may re-derive a direct one
   * (charset/collation pairs), and state order must follow the statement.
   */
  result(): StatementEffects | null {
    if (this.sys.length === 0 && this.user.length === 0 && this.useDb === null && !this.pinNext &&
      this.pinSession === null && this.textPs === null) return null;
    const readAllSys = this.sys.some((p) => p.sql === null);
    const direct: DirectItem[] = [];
    const readBack: VarItem[] = [];
    const add = (kind: 'sys' | 'user', p: Pending, read: boolean): void => {
      if (read || p.sql === null) readBack.push({ kind, name: p.name });
      else direct.push({ kind, name: p.name, sql: p.sql });
    };
    for (const p of this.sys) {
      if (readAllSys) for (const n of varReadBackNames(p.name)) add('sys', { name: n, sql: null }, true);
      else add('sys', p, false);
    }
    // A plain string is bound to the connection collation when applied (SessionState.setUserVar): read it back
    // when this query changes that collation (it may have been parsed before or after the change).
    const charsetChange = readAllSys || this.sys.some((p) => p.name === 'names' || CONNECTION_CHARSET_VARS.includes(p.name));
    for (const p of this.user) add('user', p, charsetChange && p.sql !== null && p.sql.startsWith("'"));
    return {
      direct, readBack, useDb: this.useDb, pinNext: this.pinNext, pinSession: this.pinSession, textPs: this.textPs,
    };
  }
}

/**
 * Effects of a statement that succeeded; null when it changes no tracked state. Cost for ordinary DML: a
 * switch on parse.kind and a few substring tests; the statement is lexed again only when it may assign a user
 * variable or calls LAST_INSERT_ID. Never throws (an internal fault pins the session).
 */
export function statementEffects(parse: RouteParse, sql: string): StatementEffects | null {
  if (!parse.multiStatement && !parse.truncated && !ACTIVE_KINDS.has(parse.kind) && !parse.usesTempTable &&
    !parse.hasGetLock && !needsScan(parse, sql)) return null; // the common case: no allocation
  try {
    const b = new Builder();
    let p = parse;
    let text = sql;
    for (let n = 0; ; n++) {
      if (n === MAX_STATEMENTS) { b.pin('too many statements in one query'); break; }
      // Cut at the parse limit: SET/PREPARE need every assignment, and a `;` past the cut may end the statement.
      if (p.truncated && (FULL_PARSE_KINDS.has(p.kind) || text.indexOf(';', p.firstStatementEnd) >= 0)) p = parseRoute(text, FULL);
      collect(p, text, b, 0);
      if (!p.multiStatement) break;
      text = text.slice(p.firstStatementEnd);
      p = parseRoute(text, FULL);
    }
    return b.result();
  } catch (e) {
    const b = new Builder();
    b.pin('statement effects: ' + (e instanceof Error ? e.message : String(e)));
    return b.result();
  }
}

function collect(p: RouteParse, sql: string, b: Builder, depth: number): void {
  switch (p.kind) {
    case 'SET': case 'SET_NAMES': case 'SET_CHARSET': setEffects(p, sql, b, depth); break;
    case 'SET_TRANSACTION': txEffects(p, b); break;
    case 'USE': b.useDb = p.useDb; break;
    case 'PREPARE': prepareEffects(p, sql, b, depth); break;
    case 'DEALLOCATE': if (p.textPs !== null) b.textPs = { name: p.textPs.name, prepareSql: null, fromVar: null }; break;
    case 'LOCK_TABLES': b.pin('LOCK TABLES'); break;
    case 'CREATE': case 'DROP': if (p.usesTempTable) b.pin('temporary table'); break;
    case 'OTHER': otherEffects(sql, b); break;
    default: break;
  }
  if (p.hasGetLock) b.pin('session lock function');
  if (needsScan(p, sql)) scanAssignments(sql, b, p.kind === 'SET');
}

/** Kinds handled by collect's switch. */
const ACTIVE_KINDS: ReadonlySet<StmtKind> = new Set(['SET', 'SET_NAMES', 'SET_CHARSET', 'SET_TRANSACTION', 'USE',
  'PREPARE', 'DEALLOCATE', 'LOCK_TABLES', 'OTHER']);

/** The statement may assign a user variable or last_insert_id outside SET targets (cheap substring tests). */
function needsScan(p: RouteParse, sql: string): boolean {
  return p.hasLastInsertId || sql.includes(':=') || (p.kind === 'SELECT' && sql.includes('@') && /into/i.test(sql));
}

const FULL_PARSE_KINDS: ReadonlySet<StmtKind> = new Set(['SET', 'SET_NAMES', 'SET_CHARSET', 'SET_TRANSACTION', 'PREPARE']);

function setEffects(p: RouteParse, sql: string, b: Builder, depth: number): void {
  if (p.objectType === 'role') { b.pin('SET ROLE'); return; }
  if (p.objectType !== null) return; // SET PASSWORD, SET DEFAULT ROLE: not session state
  if (p.noKeyReason !== null) {
    if (!setStatementEffects(sql, b, depth)) b.pin('SET statement not understood');
    return;
  }
  for (const a of p.setAssignments) {
    switch (a.scope) {
      case 'user': b.addUser(a.name, literalValueSql(a.value, a.valueText)); break;
      case 'names': b.addSys('names', namesSql(a)); break;
      case 'charset': for (const n of CONNECTION_CHARSET_VARS) b.addSys(n, null); break;
      case 'session': sysAssign(a, sql, b); break;
      case 'transaction': b.pinNext = true; break;
      case 'global': case 'persist': case 'persist_only': break;
    }
  }
}

/** `cs [COLLATE c]` / `DEFAULT` when both are plain names, else null (read the variables back). */
function namesSql(a: SetAssignment): string | null {
  if (a.value.kind === 'default') return a.collation === null ? 'DEFAULT' : null;
  const cs = a.value.kind === 'literal' ? a.value.text.toLowerCase() : '';
  if (!/^[a-z0-9_]+$/.test(cs) || (a.collation !== null && !/^[a-z0-9_]+$/.test(a.collation))) return null;
  return a.collation === null ? cs : `${cs} COLLATE ${a.collation}`;
}

function sysAssign(a: SetAssignment, sql: string, b: Builder): void {
  const name = canonicalVarName(a.name);
  if (name.includes('.')) { b.pin('structured variable ' + name); return; }
  switch (varPolicy(name)) {
    case 'ignore': return;
    case 'one_shot': b.pinNext = true; return;
    case 'pin': b.pin('SET ' + name); return;
    case 'replay': break;
  }
  if (varInfo(name).bareIsNextTx && new RegExp('@@`?' + a.name.replace(/\W/g, '\\$&') + '\\b', 'i').test(sql)) {
    b.pinNext = true; // `SET @@transaction_isolation = x`: next transaction only; the read-back shows the session value
    b.addSys(name, null);
    return;
  }
  const v = a.value.kind === 'default' && varInfo(name).keepDefault ? 'DEFAULT' : literalValueSql(a.value, a.valueText);
  b.addSys(name, v);
}

function txEffects(p: RouteParse, b: Builder): void {
  if (p.noKeyReason !== null) { b.pin('SET TRANSACTION not understood'); return; }
  for (const a of p.setAssignments) {
    if (a.scope === 'transaction') b.pinNext = true;
    else if (a.scope === 'session') b.addSys(canonicalVarName(a.name), a.valueText);
  }
}

function prepareEffects(p: RouteParse, sql: string, b: Builder, depth: number): void {
  const tp = p.textPs;
  if (tp === null) { b.pin('PREPARE not understood'); return; }
  b.textPs = { name: tp.name, prepareSql: trimEnd(sql, p.firstStatementEnd), fromVar: tp.fromVar };
  if (tp.sql === null || depth > 0) return;
  const inner = new Builder();
  collect(parseRoute(tp.sql, FULL), tp.sql, inner, depth + 1);
  if (inner.result() !== null) b.pin('prepared statement changes session state');
}

/** sql[0, end) without trailing blanks and `;` (a loop: a regex here could backtrack quadratically). */
function trimEnd(sql: string, end: number): string {
  let e = end;
  while (e > 0 && (sql.charCodeAt(e - 1) === 59 || sql.charCodeAt(e - 1) <= 32)) e--;
  return sql.slice(0, e);
}

// Read-back and session tracking update SessionState: they live in state.ts.
export { applyReadBack, applySessionTrack, readBackQuery, type VarItem } from './state.js';

// ── token scans (a private Lexer: parseRoute keeps its own) ────────────────────────────────────────────────

const lx = new Lexer();

function lexFirst(sql: string): void {
  lx.lex(sql, sql.length, false, false, false);
}
function tokType(i: number): number {
  return i < lx.count ? lx.tok[i]! & 31 : T.END;
}
function isKw(i: number, kw: K): boolean {
  return i < lx.count && lx.tok[i] === ((kw << 5) | T.WORD);
}
function isOp(i: number, op: O): boolean {
  return i < lx.count && lx.tok[i] === ((op << 5) | T.OP);
}
function word(i: number): string {
  return tokType(i) === T.WORD ? lx.src.slice(lx.start[i], lx.stop[i]).toLowerCase() : '';
}

/** `@u := expr` anywhere (except SET targets), `INTO @a, @b`, `LAST_INSERT_ID(expr)`: read back. */
function scanAssignments(sql: string, b: Builder, inSet: boolean): void {
  lexFirst(sql);
  let depth = 0;
  for (let i = 0; i < lx.count; i++) {
    if (isOp(i, O.LPAREN)) depth++;
    else if (isOp(i, O.RPAREN)) depth--;
    else if (tokType(i) === T.USERVAR && isOp(i + 1, O.ASSIGN)) {
      if (!(inSet && depth === 0 && isSetTarget(i))) b.addUser(userVarName(i), null);
    } else if (isKw(i, K.INTO)) {
      for (let j = i + 1; tokType(j) === T.USERVAR; j += 2) {
        b.addUser(userVarName(j), null);
        if (!isOp(j + 1, O.COMMA)) break;
      }
    } else if (isKw(i, K.LAST_INSERT_ID) && isOp(i + 1, O.LPAREN) && !isOp(i + 2, O.RPAREN)) {
      b.addSys('last_insert_id', null);
    }
  }
}

function isSetTarget(i: number): boolean {
  return i === 1 || isOp(i - 1, O.COMMA) || isKw(i - 1, K.SESSION) || isKw(i - 1, K.LOCAL) ||
    isKw(i - 1, K.GLOBAL) || isKw(i - 1, K.PERSIST) || isKw(i - 1, K.PERSIST_ONLY);
}

/** `@name`, @`na``me`, @'name', @"name" -> lower-case name. */
function userVarName(i: number): string {
  const t = lx.src.slice(lx.start[i], lx.stop[i]);
  const q = t[1];
  if (q !== '`' && q !== "'" && q !== '"') return t.slice(1).toLowerCase();
  return t.slice(2, -1).replaceAll(q + q, q).toLowerCase();
}

/** MariaDB `SET STATEMENT v = x [, ...] FOR stmt`: the variables hold for stmt only; stmt's own effects count. */
function setStatementEffects(sql: string, b: Builder, depth: number): boolean {
  lexFirst(sql);
  if (word(1) !== 'statement') return false;
  let at = -1;
  for (let i = 2; i < lx.count && at < 0; i++) {
    if (isOp(i, O.LPAREN)) i = Math.max(i, lx.match[i]!);
    else if (isKw(i, K.FOR)) at = lx.start[i + 1] ?? -1;
  }
  if (at < 0 || at >= sql.length) return false;
  const inner = sql.slice(at);
  collect(parseRoute(inner, FULL), inner, b, depth + 1);
  return true;
}

/** Statements the route parser leaves as OTHER that hold server-side session resources. */
function otherEffects(sql: string, b: Builder): void {
  lexFirst(sql);
  const w0 = word(0);
  if (w0 === 'handler') b.pin('HANDLER');
  if (w0 === 'lock' && word(1) === 'instance') b.pin('LOCK INSTANCE');
  if (w0 === 'backup' && word(1) === 'stage') b.pin('BACKUP STAGE');
  for (let i = 1; w0 === 'flush' && i < lx.count; i++) {
    if ((isKw(i, K.READ) && isKw(i + 1, K.LOCK)) || (isKw(i, K.FOR) && word(i + 1) === 'export')) b.pin('FLUSH ... LOCK');
  }
}
