// INSERT / REPLACE INTO proxy_config and DELETE FROM proxy_config (spec §11.3): root@proxysys manages the
// cluster/tenant/VIP values of LEVEL_VIP parameters as rows of ODP's `proxy_config` table. The storage is
// ProxyConfig's scoped values (setScoped/deleteScoped), persisted to the state file; SHOW PROXYCONFIG ALL lists it.
//
// A statement is all-or-nothing: every row is checked before the first one is written, and rows already written
// are put back if a later write fails. A row's key is (vid, vip, vport, tenant_name, cluster_name, name); omitted
// columns are '' for text, 0 for vport and -1 for vid (-1 = "no VIP id", scoped.ts), so a tenant row needs no vid.
import { findParam, unknownParamMessage } from '../../config/params.js';
import { passwordHash } from '../../config/config.js';
import type { ProxyConfig, ScopeKey, ScopedEntry } from '../../config/config.js';
import { scopeLevel } from '../../config/scoped.js';
import type { ParamDef } from '../../config/param-types.js';
import { validateValue } from '../../config/validate.js';
import type { AdminContext, AdminResult } from '../context.js';
import type { Cursor } from '../cursor.js';
import type { AdminCommand } from '../registry.js';
import { error, ok, unknownParameter, writeFailed, wrongValue } from '../results.js';

const TABLE = 'proxy_config';
const COLUMNS = ['vid', 'vip', 'vport', 'tenant_name', 'cluster_name', 'name', 'value', 'config_level'] as const;
type Column = typeof COLUMNS[number];
const INT_COLUMNS: ReadonlySet<Column> = new Set<Column>(['vid', 'vport']);

/** A literal: a string, an integer (text kept) or NULL. */
type Literal = string | null;

interface WriteArgs { readonly columns: readonly string[]; readonly rows: readonly (readonly Literal[])[] }
interface DeleteArgs { readonly where: readonly (readonly [string, Literal])[] }

interface Row {
  readonly def: ParamDef;
  readonly scope: ScopeKey;
  readonly value: string;
}

/** ER_BAD_FIELD_ERROR 1054 / 42S22. */
function unknownColumn(name: string, where: string): AdminResult {
  return error(1054, '42S22', `Unknown column '${name}' in '${where}'`);
}

function literal(c: Cursor): Literal {
  const t = c.peek();
  if (t.kind === 'punct' && (t.text === '-' || t.text === '+')) {
    c.acceptPunct(t.text);
    const n = c.expectInt('an integer');
    return t.text === '-' ? `-${n}` : String(n);
  }
  if (t.kind === 'number') return String(c.expectInt('an integer'));
  if (c.accept('NULL')) return null;
  return c.expectString('a quoted string, an integer or NULL');
}

function list<T>(c: Cursor, item: (c: Cursor) => T): T[] {
  c.expectPunct('(');
  const out = [item(c)];
  while (c.acceptPunct(',')) out.push(item(c));
  c.expectPunct(')');
  return out;
}

function parseWrite(c: Cursor): WriteArgs {
  const columns = list(c, (x) => x.expectName('a column name'));
  if (!c.accept('VALUES')) c.expect('VALUE');
  const rows = [list(c, literal)];
  while (c.acceptPunct(',')) rows.push(list(c, literal));
  c.end();
  return { columns, rows };
}

function parseDelete(c: Cursor): DeleteArgs {
  const where: [string, Literal][] = [];
  if (c.accept('WHERE')) {
    do {
      const column = c.expectName('a column name');
      c.expectPunct('=');
      where.push([column, literal(c)]);
    } while (c.accept('AND'));
  }
  c.end();
  return { where };
}

function asColumn(name: string): Column | undefined {
  const lower = name.toLowerCase();
  return COLUMNS.find((col) => col === lower);
}

/** Column -> value for one row; an error for an unknown or repeated column or a non-integer vid/vport. */
function fields(pairs: readonly (readonly [string, Literal])[], where: string, rowNo: number): Map<Column, string> | AdminResult {
  const out = new Map<Column, string>();
  for (const [name, value] of pairs) {
    const col = asColumn(name);
    if (col === undefined) return unknownColumn(name, where);
    if (out.has(col)) return error(1110, '42000', `Column '${col}' specified twice`);
    const text = value ?? '';
    if (INT_COLUMNS.has(col) && value !== null && !/^-?[0-9]+$/.test(text.trim())) {
      return wrongValue(`Incorrect integer value: '${text}' for column '${col}' at row ${rowNo}`);
    }
    out.set(col, INT_COLUMNS.has(col) ? text.trim() : text);
  }
  return out;
}

function scopeOf(f: ReadonlyMap<Column, string>): ScopeKey {
  const vid = f.get('vid');
  return {
    cluster: f.get('cluster_name') ?? '', tenant: f.get('tenant_name') ?? '', vip: f.get('vip') ?? '',
    vport: Number(f.get('vport') ?? '0'), vid: vid === undefined || vid === '' ? -1 : Number(vid),
  };
}

/** Checks one row as setScoped will, plus a config_level that must agree with the key. */
function checkRow(f: ReadonlyMap<Column, string>, rowNo: number): Row | AdminResult {
  const name = f.get('name') ?? '';
  const def = findParam(name.trim().toLowerCase());
  if (def === undefined) return unknownParameter(unknownParamMessage(name));
  if (def.configLevel !== 'LEVEL_VIP') {
    return wrongValue(`${def.name} can only be set globally (use ALTER PROXYCONFIG SET); row ${rowNo}`);
  }
  const scope = scopeOf(f);
  const level = scopeLevel(scope);
  if (level === undefined) {
    return wrongValue(`${def.name}: row ${rowNo} needs cluster_name, cluster_name and tenant_name, or a VIP (vip/vid)`);
  }
  const given = f.get('config_level');
  if (given !== undefined && given !== '' && given.toUpperCase() !== level) {
    return wrongValue(`${def.name}: config_level '${given}' does not match the row's key (${level}) at row ${rowNo}`);
  }
  const value = f.get('value') ?? '';
  const checked = validateValue(def, def.format === 'password' ? passwordHash(value) : value);
  if (!checked.ok) return wrongValue(`${checked.error} (row ${rowNo})`);
  return { def, scope, value };
}

function isResult(x: unknown): x is AdminResult {
  return typeof x === 'object' && x !== null && 'kind' in x;
}

function sameScope(a: ScopeKey, b: ScopeKey): boolean {
  return a.cluster === b.cluster && a.tenant === b.tenant && a.vip === b.vip && a.vport === b.vport && a.vid === b.vid;
}

function current(config: ProxyConfig, name: string, scope: ScopeKey): ScopedEntry | undefined {
  for (const e of config.scopedEntries()) if (e.def.name === name && sameScope(e.scope, scope)) return e;
  return undefined;
}

/** Best effort: puts back the rows a failed statement already wrote (a stored password hash is not re-hashed). */
function rollback(config: ProxyConfig, done: readonly { row: Row; old: ScopedEntry | undefined }[]): void {
  for (const { row, old } of [...done].reverse()) {
    try {
      if (old === undefined) config.deleteScoped(row.def.name, row.scope);
      else if (old.def.format !== 'password') config.setScoped(old.def.name, old.value, old.scope);
    } catch { /* the state file is failing: the first error is the one reported */ }
  }
}

function runWrite(args: WriteArgs, ctx: AdminContext): AdminResult {
  const checked: Row[] = [];
  for (const [i, values] of args.rows.entries()) {
    if (values.length !== args.columns.length) return error(1136, '21S01', `Column count doesn't match value count at row ${i + 1}`);
    const f = fields(args.columns.map((col, j) => [col, values[j] ?? null] as const), 'field list', i + 1);
    if (isResult(f)) return f;
    const row = checkRow(f, i + 1);
    if (isResult(row)) return row;
    checked.push(row);
  }
  const done: { row: Row; old: ScopedEntry | undefined }[] = [];
  for (const row of checked) {
    const old = current(ctx.config, row.def.name, row.scope);
    const r = ctx.config.setScoped(row.def.name, row.value, row.scope);
    if (!r.ok) {
      rollback(ctx.config, done);
      return r.error.startsWith('cannot save') ? writeFailed(r.error) : wrongValue(r.error);
    }
    done.push({ row, old });
  }
  return ok(undefined, checked.length);
}

/** Whether row `e` satisfies every `column = value` of the WHERE clause (vid/vport compared as integers). */
function matches(e: ScopedEntry, where: ReadonlyMap<Column, string>): boolean {
  const cell: Record<Column, string> = {
    vid: String(e.scope.vid), vip: e.scope.vip, vport: String(e.scope.vport), tenant_name: e.scope.tenant,
    cluster_name: e.scope.cluster, name: e.def.name, value: e.value, config_level: e.level,
  };
  for (const [col, want] of where) {
    const hit = INT_COLUMNS.has(col) ? Number(want) === Number(cell[col])
      : col === 'name' || col === 'config_level' ? want.trim().toLowerCase() === cell[col].toLowerCase() : want === cell[col];
    if (!hit) return false;
  }
  return true;
}

function runDelete(args: DeleteArgs, ctx: AdminContext): AdminResult {
  const where = fields(args.where, 'where clause', 1);
  if (isResult(where)) return where;
  const victims = [...ctx.config.scopedEntries()].filter((e) => matches(e, where));
  const done: { row: Row; old: ScopedEntry | undefined }[] = [];
  for (const e of victims) {
    try {
      ctx.config.deleteScoped(e.def.name, e.scope);
    } catch (err) {
      rollback(ctx.config, done);
      return writeFailed(`cannot save to ${ctx.config.statePath}: ${(err as Error).message}; nothing deleted`);
    }
    done.push({ row: { def: e.def, scope: e.scope, value: e.value }, old: e });
  }
  return ok(undefined, victims.length);
}

function writeCommand(verb: 'INSERT' | 'REPLACE'): AdminCommand<WriteArgs> {
  return {
    keywords: [verb, 'INTO', TABLE.toUpperCase()],
    syntax: `${verb} INTO ${TABLE} (column, ...) VALUES (value, ...) [, (value, ...) ...]`,
    privilege: 'admin',
    parse: parseWrite,
    run: runWrite,
  };
}

export const insertProxyConfig = writeCommand('INSERT');
export const replaceProxyConfig = writeCommand('REPLACE');

export const deleteProxyConfig: AdminCommand<DeleteArgs> = {
  keywords: ['DELETE', 'FROM', TABLE.toUpperCase()],
  syntax: `DELETE FROM ${TABLE} [WHERE column = value [AND column = value ...]]`,
  privilege: 'admin',
  parse: parseDelete,
  run: runDelete,
};
