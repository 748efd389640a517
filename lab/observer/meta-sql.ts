// Answers the proxy's metadata SQL (spec §3.2–§3.4) from the topology: the statement is recognised by the
// views it reads, its literal filters pick the rows, and its own select list is projected over them, so
// the columns are exactly the ones the statement asks for (aliases, `A.*`, `x is not null`, literals).
// Statements naming an unknown `oceanbase.` view get ERROR 1146; anything else is not metadata (null).

import { ColumnType } from '../../src/protocol/constants.js';
import { textColumn, type ColumnDef as WireColumn } from '../../src/protocol/resultset.js';
import { noSuchView, type ObError } from './errors.js';
import { intFilter, limitOf, oceanbaseNames, selectItems, strFilter, stripComments, tableAliases, type SelectItem } from './sql-text.js';
import { findServer, findTable, findTenant, tabletsOf, type ServerDef, type TableDef, type Topology } from './topology.js';
import {
  clusterRow, dummyRows, parameterRow, partitionInfoRows, partitionRows, proxySchemaRows, serverRow, subPartitionRows,
  sysVariableRows, tenantRow, VIEW_COLUMNS, zoneRow, type Cell, type Row,
} from './views.js';

export interface MetaContext {
  readonly topology: Topology;
  /** The answering server (V$OB_PARAMETERS rows are its own). */
  readonly self: ServerDef;
  /** Whether the emulator of a server is serving (DBA_OB_SERVERS.status ACTIVE / INACTIVE). */
  isAlive(serverName: string): boolean;
}

export interface MetaAnswer {
  readonly columns: WireColumn[];
  readonly rows: (string | Buffer | null)[][];
}

export type MetaOutcome = { readonly ok: true; readonly answer: MetaAnswer } | { readonly ok: false; readonly err: ObError };

/** One result row: the row of each source view by name, plus computed values by alias under ''. */
type Joined = Record<string, Row>;

const KNOWN = new Set([...Object.keys(VIEW_COLUMNS), 'cdb_ob_ls_locations', 'cdb_ob_services', '__all_virtual_tablet_to_ls', '__all_dummy']);

const has = (aliases: Map<string, string>, view: string): boolean => [...aliases.values()].includes(view);

function schemaJoined(ctx: MetaContext, text: string): Joined[] {
  const t = ctx.topology;
  const tenantName = strFilter(text, 'tenant_name') ?? '';
  const db = strFilter(text, 'database_name') ?? '';
  const name = strFilter(text, 'table_name') ?? '';
  let rows: Row[];
  if (db.toLowerCase() === 'oceanbase' && name.toLowerCase() === '__all_dummy') {
    const tenant = findTenant(t, tenantName);
    rows = tenant === undefined ? [] : dummyRows(t, tenant);
  } else {
    const table = findTable(t, tenantName, db, name);
    rows = table === undefined ? [] : proxySchemaRows(t, table, intFilter(text, 'tablet_id') ?? tabletsOf(table).map((p) => p.tabletId));
  }
  const byTablet = /order by\s+(\w+\.)?tablet_id/i.test(text);
  rows.sort((a, b) => (byTablet ? Number(a['tablet_id']) - Number(b['tablet_id']) : 0) || Number(a['role']) - Number(b['role']));
  return rows.map((r) => {
    const s = t.servers.findIndex((x) => x.ip === r['svr_ip'] && x.sqlPort === r['sql_port']);
    const server = t.servers[s];
    return { __all_virtual_proxy_schema: r, dba_ob_servers: server === undefined ? {} : serverRow(server, ctx.isAlive(server.name), s) };
  });
}

function tableById(ctx: MetaContext, text: string): TableDef | undefined {
  const id = intFilter(text, 'table_id')?.[0];
  const tenant = strFilter(text, 'tenant_name');
  return ctx.topology.tables.find((x) => x.id === id && (tenant === null || x.tenant.toLowerCase() === tenant.toLowerCase()));
}

function serversJoined(ctx: MetaContext, aliases: Map<string, string>): Joined[] {
  const t = ctx.topology;
  const servers = t.servers.map((s, i) => ({ s, i })).sort((a, b) => a.s.zone.localeCompare(b.s.zone));
  return servers.map(({ s, i }) => {
    const zone = t.zones.find((z) => z.name === s.zone);
    const j: Joined = { dba_ob_servers: serverRow(s, ctx.isAlive(s.name), i) };
    if (has(aliases, 'dba_ob_zones') && zone !== undefined) j['dba_ob_zones'] = zoneRow(zone);
    if (has(aliases, 'v$ob_parameters')) j['v$ob_parameters'] = parameterRow(ctx.self, 'cluster', t.clusterName);
    return j;
  });
}

/** Spec §3.2 single-leader detection: per tenant, whether all its leaders are on one server. */
function singleLeaderJoined(ctx: MetaContext): Joined[] {
  const t = ctx.topology;
  return t.tenants.filter((tn) => tn.id !== 1).map((tn) => {
    const leaders = new Set(t.tables.filter((x) => x.tenant === tn.name).flatMap((x) => tabletsOf(x).map((p) => p.leader)));
    const first = findServer(t, [...leaders][0] ?? tn.servers[0] ?? '');
    return { '': { tenant_name: tn.name, leader_addr: first === undefined ? null : `${first.ip}:${first.sqlPort}`, is_single_leader: leaders.size <= 1 ? 1 : 0 } };
  });
}

function tenantsJoined(ctx: MetaContext, text: string): Joined[] {
  const name = strFilter(text, 'tenant_name');
  const skipSys = /tenant_id\s*(!=|<>)\s*1(?!\d)/i.test(text);
  return ctx.topology.tenants
    .filter((tn) => !(skipSys && tn.id === 1) && (name === null || tn.name.toLowerCase() === name.toLowerCase()))
    .map((tn) => ({ dba_ob_tenants: tenantRow(ctx.topology, tn) }));
}

function parametersJoined(ctx: MetaContext, text: string): Joined[] {
  const t = ctx.topology;
  const all = [parameterRow(ctx.self, 'cluster', t.clusterName), parameterRow(ctx.self, 'cluster_id', String(t.clusterId))];
  const name = strFilter(text, 'name');
  return all.filter((r) => name === null || r['name'] === name).map((r) => ({ 'v$ob_parameters': r }));
}

/** The rows of a recognised metadata statement, or null when it reads no known metadata source. */
function joinedRows(ctx: MetaContext, text: string, aliases: Map<string, string>): Joined[] | null {
  const single = (view: string, rows: Row[]): Joined[] => rows.map((r) => ({ [view]: r }));
  const table = (): TableDef | undefined => tableById(ctx, text);
  if (has(aliases, '__all_virtual_proxy_schema')) return schemaJoined(ctx, text);
  if (has(aliases, '__all_virtual_proxy_partition_info')) {
    const rows = partitionInfoRows(table() ?? NO_TABLE);
    if (/order by\s+(\w+\.)?part_key_idx/i.test(text)) rows.sort((a, b) => Number(a['part_key_idx']) - Number(b['part_key_idx']));
    return single('__all_virtual_proxy_partition_info', rows);
  }
  if (has(aliases, '__all_virtual_proxy_sub_partition')) return single('__all_virtual_proxy_sub_partition', subPartitionRows(table() ?? NO_TABLE));
  if (has(aliases, '__all_virtual_proxy_partition')) return single('__all_virtual_proxy_partition', partitionRows(table() ?? NO_TABLE));
  if (has(aliases, '__all_virtual_proxy_routine')) return [];
  if (has(aliases, '__all_virtual_proxy_sys_variable')) return single('__all_virtual_proxy_sys_variable', sysVariableRows());
  if (has(aliases, 'cdb_ob_ls_locations')) return singleLeaderJoined(ctx);
  if (has(aliases, 'cdb_ob_services')) return [];
  if (has(aliases, 'dba_ob_servers')) return serversJoined(ctx, aliases);
  if (has(aliases, 'dba_ob_zones')) return single('dba_ob_zones', ctx.topology.zones.map(zoneRow));
  if (has(aliases, 'dba_ob_tenants')) return tenantsJoined(ctx, text);
  if (has(aliases, 'v$ob_cluster')) return single('v$ob_cluster', [clusterRow(ctx.topology)]);
  if (has(aliases, 'v$ob_parameters')) return parametersJoined(ctx, text);
  if (/\bob_version\s*\(\s*\)/i.test(text)) return [{}];
  // the liveness probe `select 'detect server' from dual` (spec §7.3) is answered by the observer itself
  if (/\bfrom dual$/i.test(text) && (selectItems(text) ?? []).every((i) => /^('[^']*'|-?\d+)$/.test(i.expr))) return [{}];
  return null;
}

const NO_TABLE: TableDef = { tenant: '', database: '', name: '', id: -1, columns: [], primaryKey: [], level1: null, level2: null, parts: [] };

interface OutColumn {
  readonly name: string;
  value(j: Joined): Cell;
}

function lookup(j: Joined, aliases: Map<string, string>, qualifier: string | null, name: string): Cell {
  const col = name.toLowerCase();
  if (qualifier !== null) return j[aliases.get(qualifier.toLowerCase()) ?? qualifier.toLowerCase()]?.[col] ?? null;
  for (const row of Object.values(j)) if (col in row) return row[col] ?? null;
  return null;
}

function evaluate(expr: string, alias: string | null, j: Joined, ctx: MetaContext, aliases: Map<string, string>): Cell {
  const e = expr.trim();
  let m: RegExpExecArray | null;
  if ((m = /^'((?:[^']|'')*)'$/.exec(e)) !== null) return m[1]!.replace(/''/g, "'");
  if (/^-?\d+$/.test(e)) return Number(e);
  if (/^ob_version\s*\(\s*\)$/i.test(e)) return ctx.topology.obVersion;
  if ((m = /^([\s\S]+?)\s+is\s+(not\s+)?null$/i.exec(e)) !== null) {
    const isNull = evaluate(m[1]!, null, j, ctx, aliases) === null;
    return (m[2] === undefined) === isNull ? 1 : 0;
  }
  if ((m = /^(?:`?([\w$]+)`?\.)?`?([\w$]+)`?$/.exec(e)) !== null) return lookup(j, aliases, m[1] ?? null, m[2]!);
  // computed columns (sub-selects, aggregates) are provided under their alias by the row builders
  return alias === null ? null : lookup(j, aliases, null, alias);
}

function outColumns(items: readonly SelectItem[], joined: readonly Joined[], ctx: MetaContext, aliases: Map<string, string>): OutColumn[] {
  const out: OutColumn[] = [];
  for (const it of items) {
    const star = /^(?:`?([\w$]+)`?\.)?\*$/.exec(it.expr);
    if (star !== null) {
      const view = star[1] === undefined ? [...aliases.values()][0] ?? '' : aliases.get(star[1].toLowerCase()) ?? star[1].toLowerCase();
      const names = VIEW_COLUMNS[view] ?? Object.keys(joined[0]?.[view] ?? {});
      for (const n of names) out.push({ name: n, value: (j) => j[view]?.[n] ?? null });
      continue;
    }
    // MySQL names an unaliased column after the column, a string literal after its text, else the expression
    const ref = /^(?:`?[\w$]+`?\.)?`?([\w$]+)`?$/.exec(it.expr) ?? /^'((?:[^']|'')*)'$/.exec(it.expr);
    out.push({ name: it.alias ?? ref?.[1] ?? it.expr, value: (j) => evaluate(it.expr, it.alias, j, ctx, aliases) });
  }
  return out;
}

/** Integer columns by name, for result sets without a non-NULL value to tell. */
const INT_NAME = /(^|_)(id|num|port|role|idx|level|percent|position|flags|length|precision|scale)$|^(spare[123]|schema_version|.*_type|is_.*)$/;

function wireColumn(name: string, cells: readonly Cell[]): WireColumn {
  const first = cells.find((c) => c !== null);
  const numeric = first === undefined ? INT_NAME.test(name) : typeof first === 'number' || typeof first === 'bigint';
  return { ...textColumn(name, numeric ? ColumnType.LONGLONG : ColumnType.VAR_STRING), schema: 'oceanbase' };
}

const wireCell = (c: Cell): string | Buffer | null => (c === null || Buffer.isBuffer(c) ? c : typeof c === 'string' ? c : String(c));

/** The answer to a metadata statement, an error for an unknown `oceanbase.` view, or null (not metadata). */
export function answerMeta(sql: string, ctx: MetaContext): MetaOutcome | null {
  const text = stripComments(sql);
  const items = selectItems(text);
  if (items === null) return null;
  const aliases = tableAliases(text);
  const unknown = oceanbaseNames(text).find((n) => !KNOWN.has(n));
  if (unknown !== undefined) return { ok: false, err: noSuchView(unknown) };
  let joined = joinedRows(ctx, text, aliases);
  if (joined === null) return null;
  const limit = limitOf(text);
  if (limit !== null) joined = joined.slice(0, limit);
  const cols = outColumns(items, joined, ctx, aliases);
  const cells = joined.map((j) => cols.map((c) => c.value(j)));
  return {
    ok: true,
    answer: {
      columns: cols.map((c, i) => wireColumn(c.name, cells.map((r) => r[i] ?? null))),
      rows: cells.map((r) => r.map(wireCell)),
    },
  };
}
