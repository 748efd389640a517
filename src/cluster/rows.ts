// Parsing of the metadata result sets of spec §3.2/§3.3 into plain records. Pure, never throws for a bad ROW: a row
// with a missing or malformed value is skipped and the reason returned (the caller logs it). A RESULT that is an ERR,
// not a result set, or lacks a required column is unusable as a whole: MetadataShapeError (one line).
// Column names are matched case-insensitively (OceanBase reports view columns in upper case for `*`).
// Values arrive as text-protocol strings: integers as decimal text, booleans (`x is not null`) as '1'/'0'.

import { isIP } from 'node:net';
import type { QueryResult } from '../backend/internal-query.js';
import { formatAddress } from '../backend/server-connection.js';

export class MetadataShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetadataShapeError';
  }
}

export interface Parsed<T> {
  readonly items: T[];
  /** One line per skipped row: `<what> row <n>: <reason>`. */
  readonly skipped: string[];
}

/** One server as DBA_OB_SERVERS reports it (spec §3.2 periodic query). */
export interface ServerRow {
  readonly ip: string;
  /** SQL port. */
  readonly port: number;
  readonly rpcPort: number;
  readonly zone: string;
  /** ACTIVE, INACTIVE, DELETING, ... */
  readonly status: string;
  readonly startService: boolean;
  readonly stopped: boolean;
}

/** One zone as DBA_OB_ZONES reports it. */
export interface ZoneRow {
  readonly zone: string;
  readonly status: string;
  readonly region: string;
  readonly idc: string;
  /** ReadWrite, ReadOnly, Encryption. */
  readonly type: string;
}

/** A row of the bootstrap query: a server with its zone (null zone fields: the left join found no zone). */
export interface ServerZoneRow extends ServerRow {
  readonly cluster: string;
  readonly zoneStatus: string | null;
  readonly region: string;
  readonly idc: string;
  readonly zoneType: string;
}

export interface TenantRow {
  readonly name: string;
  readonly id: number;
  readonly locality: string;
  readonly primaryZone: string;
  readonly status: string;
}

/** A replica of a table entry (here: `__all_dummy`, the tenant's server list). */
export interface ReplicaRow {
  readonly ip: string;
  readonly port: number;
  /** 1 = leader, 2 = follower (spec §3.3). */
  readonly role: number;
  readonly tabletId: number;
}

class BadValue extends Error {}

/** Read access to one row by column name; every accessor throws BadValue for a value it cannot use. */
class RowView {
  private readonly cols: ReadonlyMap<string, number>;
  private readonly row: readonly (Buffer | null)[];

  constructor(cols: ReadonlyMap<string, number>, row: readonly (Buffer | null)[]) {
    this.cols = cols;
    this.row = row;
  }

  optStr(name: string): string | null {
    const i = this.cols.get(name);
    const cell = i === undefined ? undefined : this.row[i];
    if (cell === undefined) throw new BadValue(`no value for ${name}`);
    return cell === null ? null : cell.toString('utf8');
  }

  str(name: string): string {
    const v = this.optStr(name);
    if (v === null) throw new BadValue(`${name} is NULL`);
    return v;
  }

  int(name: string): number {
    const v = this.str(name);
    const n = /^-?\d{1,19}$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n)) throw new BadValue(`${name} '${clip(v)}' is not an integer`);
    return n;
  }

  flag(name: string): boolean {
    const n = this.int(name);
    if (n !== 0 && n !== 1) throw new BadValue(`${name} ${n} is not 0 or 1`);
    return n === 1;
  }

  ip(name: string): string {
    const v = this.str(name);
    if (isIP(v) === 0) throw new BadValue(`${name} '${clip(v)}' is not an IP address`);
    return v;
  }

  port(name: string): number {
    const n = this.int(name);
    if (n < 1 || n > 65535) throw new BadValue(`${name} ${n} is not a port`);
    return n;
  }
}

/** Keeps log lines short and free of control characters whatever a server sends. */
function clip(s: string): string {
  const t = s.replace(/[\x00-\x1f\x7f]/g, '?');
  return t.length > 64 ? `${t.slice(0, 64)}...` : t;
}

/** Rows of `result` through `build` (null: dropped silently); the result must have every column of `required`. */
function parseRows<T>(result: QueryResult, what: string, required: readonly string[], build: (r: RowView) => T | null): Parsed<T> {
  if (result.kind === 'err') throw new MetadataShapeError(`${what}: ${result.errno} ${clip(result.message)}`);
  if (result.kind !== 'rows') throw new MetadataShapeError(`${what}: no result set`);
  const cols = new Map<string, number>();
  result.columns.forEach((c, i) => {
    const key = c.name.toLowerCase();
    if (!cols.has(key)) cols.set(key, i);
  });
  const missing = required.filter((n) => !cols.has(n));
  if (missing.length > 0) throw new MetadataShapeError(`${what}: result lacks column(s) ${missing.join(', ')}`);
  const out: Parsed<T> = { items: [], skipped: [] };
  result.rows.forEach((row, i) => {
    try {
      const item = build(new RowView(cols, row));
      if (item !== null) out.items.push(item);
    } catch (e) {
      if (!(e instanceof BadValue)) throw e;
      out.skipped.push(`${what} row ${i + 1}: ${e.message}`);
    }
  });
  return out;
}

/** `ob_version()` text of the version check (spec §3.2). */
export function parseVersion(result: QueryResult): string {
  const p = parseRows(result, 'version', ['cluster_version'], (r) => r.str('cluster_version'));
  const v = p.items[0];
  if (v === undefined) throw new MetadataShapeError(`version: no usable row${p.skipped.length > 0 ? ` (${p.skipped[0]})` : ''}`);
  return v;
}

/** Major version of an `ob_version()` text ('4.3.5.3' -> 4), null when it does not start with digits and a dot. */
export function majorVersion(version: string): number | null {
  const m = /^\s*(\d+)\./.exec(version);
  return m === null ? null : Number(m[1]);
}

/** `zone` may be NULL only in the bootstrap query (a left join); the status column differs between the queries. */
function serverFields(r: RowView, statusColumn: string, zone: string): ServerRow {
  return {
    ip: r.ip('svr_ip'), port: r.port('svr_port'), rpcPort: r.int('rpc_port'), zone, status: r.str(statusColumn),
    startService: r.flag('start_service_time'), stopped: r.flag('stop_time'),
  };
}

/** The bootstrap server + zone query (spec §3.2, V4). */
export function parseServerZoneInit(result: QueryResult): Parsed<ServerZoneRow> {
  const required = ['cluster', 'zone', 'zone_status', 'server_status', 'region', 'spare4', 'spare5', 'svr_ip', 'svr_port', 'rpc_port', 'start_service_time', 'stop_time'];
  return parseRows(result, 'server/zone list', required, (r) => ({
    ...serverFields(r, 'server_status', r.optStr('zone') ?? ''),
    cluster: r.str('cluster'),
    zoneStatus: r.optStr('zone_status'),
    region: r.optStr('region') ?? '',
    idc: r.optStr('spare4') ?? '',
    zoneType: r.optStr('spare5') ?? '',
  }));
}

/** The periodic DBA_OB_SERVERS query (spec §3.2, V4). */
export function parseServers(result: QueryResult): Parsed<ServerRow> {
  const required = ['svr_ip', 'rpc_port', 'svr_port', 'zone', 'status', 'start_service_time', 'stop_time'];
  return parseRows(result, 'server list', required, (r) => serverFields(r, 'status', r.str('zone')));
}

/** The periodic DBA_OB_ZONES query (spec §3.2, V4). */
export function parseZones(result: QueryResult): Parsed<ZoneRow> {
  return parseRows(result, 'zone list', ['zone', 'status', 'region', 'spare4', 'spare5'], (r) => ({
    zone: r.str('zone'), status: r.str('status'), region: r.optStr('region') ?? '', idc: r.optStr('spare4') ?? '', type: r.optStr('spare5') ?? '',
  }));
}

/** The DBA_OB_TENANTS query (spec §3.2). */
export function parseTenants(result: QueryResult): Parsed<TenantRow> {
  const required = ['tenant_name', 'tenant_id', 'locality', 'primary_zone', 'status'];
  return parseRows(result, 'tenant list', required, (r) => {
    const name = r.str('tenant_name');
    if (name === '') throw new BadValue('tenant_name is empty');
    return { name, id: r.int('tenant_id'), locality: r.optStr('locality') ?? '', primaryZone: r.optStr('primary_zone') ?? '', status: r.str('status') };
  });
}

/**
 * The `__all_dummy` table entry query (spec §3.3): one row per replica. A `0.0.0.0:0` row means "exists, no location"
 * and is dropped without a message.
 */
export function parseDummyEntry(result: QueryResult): Parsed<ReplicaRow> {
  return parseRows(result, '__all_dummy entry', ['svr_ip', 'sql_port', 'role', 'tablet_id'], (r) => {
    if (r.optStr('svr_ip') === '0.0.0.0' && r.optStr('sql_port') === '0') return null;
    const role = r.int('role');
    if (role !== 1 && role !== 2) throw new BadValue(`role ${role} is neither leader (1) nor follower (2)`);
    return { ip: r.ip('svr_ip'), port: r.port('sql_port'), role, tabletId: r.int('tablet_id') };
  });
}

/** The key a server is known by everywhere in odp: 'ip:port' ('[v6]:port'). */
export function serverKey(ip: string, port: number): string {
  return formatAddress({ host: ip, port });
}
