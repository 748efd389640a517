// The counters behind /metrics and SHOW PROXYSTAT (spec §12, §8; issue 7 part 5).
//
// A MetricScope is one label tuple (logic tenant, logic schema, cluster, tenant, schema, vip, db type), interned by
// Metrics.scope() and held by the sessions using it; its methods are the hot-path API. Every method bumps the
// scope's cells AND the process-wide ProxyStats in the same call, so SHOW PROXYSTAT totals and the sums of the
// exported series are the same numbers (until an idle scope is swept, which removes only its series).
// Cost: numeric stores into preallocated typed arrays, one Map lookup by statement type (the string is the
// caller's constant); nothing is allocated after a (scope, statement type) pair is first seen.
import type { DbType, DigestRecord } from './log-formats.js';
import { StatTable, bump } from './monitor-stat.js';
import type { StatBudget } from './monitor-stat.js';

export interface ScopeLabels {
  /** app_name when not in sharding mode. */
  readonly logicTenant: string;
  readonly logicSchema: string;
  readonly cluster: string;
  readonly tenant: string;
  /** Physical database (schema) name. */
  readonly schema: string;
  /** The proxy address the client connected to (ip:port or ip). */
  readonly vip: string;
  readonly dbType: DbType;
}

/** entryType label of odp_entry_total. */
export const ENTRY_TYPES = ['table_entry', 'partition_info', 'partition_entry', 'route_entry'] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];
const ENTRY_INDEX: Readonly<Record<EntryType, number>> = { table_entry: 0, partition_info: 1, partition_entry: 2, route_entry: 3 };

/** SHOW PROXYSTAT names (obproxy stat/ob_mysql_stats.cpp where ODP has one), in display order. */
export const PROXY_STAT_NAMES = [
  'total_client_connections', 'current_client_connections', 'total_server_connections', 'current_server_connections',
  'refused_client_connections', 'client_login_failures', 'client_requests', 'client_select_requests',
  'client_insert_requests', 'client_update_requests', 'client_delete_requests', 'client_other_requests',
  'client_error_requests', 'client_slow_requests', 'total_transaction_count', 'client_request_total_size',
  'client_response_total_size', 'server_request_total_size', 'server_response_total_size',
] as const;
export type ProxyStatName = (typeof PROXY_STAT_NAMES)[number];
const STAT_INDEX = new Map<string, number>(PROXY_STAT_NAMES.map((n, i) => [n, i]));

/** Index into ProxyStats.values. */
export const S = Object.fromEntries(PROXY_STAT_NAMES.map((n, i) => [n, i])) as Readonly<Record<ProxyStatName, number>>;

/** Process-wide totals, by ODP stat name. */
export class ProxyStats {
  readonly values = new Float64Array(PROXY_STAT_NAMES.length);

  get(name: string): number | undefined {
    const i = STAT_INDEX.get(name);
    return i === undefined ? undefined : this.values[i];
  }
}

/** Which client_*_requests counter a statement type feeds. */
function kindIndex(sqlType: string): number {
  switch (sqlType) {
    case 'SELECT': return S.client_select_requests;
    case 'INSERT': case 'REPLACE': return S.client_insert_requests;
    case 'UPDATE': return S.client_update_requests;
    case 'DELETE': return S.client_delete_requests;
    default: return S.client_other_requests;
  }
}

/** Cells of one (scope, sqlType). requests index: slow*4 + failed*2 + partitionHit. cost: prepare, server, total µs. */
export class SqlTypeCells {
  readonly sqlType: string;
  readonly kind: number;
  readonly requests = new Float64Array(8);
  readonly cost = new Float64Array(3);

  constructor(sqlType: string) {
    this.sqlType = sqlType;
    this.kind = kindIndex(sqlType);
  }
}

export class MetricScope {
  readonly labels: ScopeLabels;
  /** False for the overflow scope used past monitor_item_limit: counted in ProxyStats, not exported. */
  readonly exported: boolean;
  readonly sqlTypes = new Map<string, SqlTypeCells>();
  /** Open sessions: [client, server]. */
  readonly sessions = new Float64Array(2);
  /** odp_new_client_connections: [success, fail]. */
  readonly newConnections = new Float64Array(2);
  /** odp_request_byte: transType*2 + sessionType, with request=0/response=1 and client=0/server=1. */
  readonly bytes = new Float64Array(4);
  /** odp_entry_total: entryType*4 + routeHit*2 + routeResult(success=0, fail=1). */
  readonly entries = new Float64Array(16);
  /** Aggregation for obproxy_stat.log. */
  readonly stat: StatTable;
  transactions = 0;
  /** Set by every hot-path call; cleared by Metrics.sweep(). */
  touched = true;
  idleSinceMs = 0;
  private readonly totals: Float64Array;

  constructor(labels: ScopeLabels, totals: ProxyStats, budget: StatBudget, exported = true) {
    this.labels = labels;
    this.stat = new StatTable(budget);
    this.totals = totals.values;
    this.exported = exported;
  }

  /** One finished request. `slow`: total time above slow_query_time_threshold. */
  request(r: DigestRecord, slow: boolean): void {
    let cells = this.sqlTypes.get(r.stmtType);
    if (cells === undefined) {
      cells = new SqlTypeCells(r.stmtType);
      this.sqlTypes.set(r.stmtType, cells);
    }
    bump(cells.requests, (slow ? 4 : 0) + (r.failed ? 2 : 0) + (r.partitionHit ? 1 : 0), 1);
    bump(cells.cost, 0, r.prepareUs);
    bump(cells.cost, 1, r.serverUs);
    bump(cells.cost, 2, r.totalUs);
    const t = this.totals;
    bump(t, S.client_requests, 1);
    bump(t, cells.kind, 1);
    if (r.failed) bump(t, S.client_error_requests, 1);
    if (slow) bump(t, S.client_slow_requests, 1);
    this.touched = true;
  }

  /** A committed or rolled-back user transaction. */
  transaction(): void {
    this.transactions++;
    bump(this.totals, S.total_transaction_count, 1);
    this.touched = true;
  }

  /** A new client (client=true) or server session in this scope. */
  sessionOpened(client: boolean): void {
    bump(this.sessions, client ? 0 : 1, 1);
    bump(this.totals, client ? S.current_client_connections : S.current_server_connections, 1);
    bump(this.totals, client ? S.total_client_connections : S.total_server_connections, 1);
    this.touched = true;
  }

  sessionClosed(client: boolean): void {
    bump(this.sessions, client ? 0 : 1, -1);
    bump(this.totals, client ? S.current_client_connections : S.current_server_connections, -1);
    this.touched = true;
  }

  /** The login result of a client connection (odp_new_client_connections). */
  newClientConnection(success: boolean): void {
    bump(this.newConnections, success ? 0 : 1, 1);
    if (!success) bump(this.totals, S.client_login_failures, 1);
    this.touched = true;
  }

  /** Bytes read from (request) or written to (response) a client or server socket. */
  bytesTransferred(request: boolean, client: boolean, n: number): void {
    bump(this.bytes, (request ? 0 : 2) + (client ? 0 : 1), n);
    const stat = client ? (request ? S.client_request_total_size : S.client_response_total_size)
      : (request ? S.server_request_total_size : S.server_response_total_size);
    bump(this.totals, stat, n);
    this.touched = true;
  }

  /** A routing cache lookup (odp_entry_total, extra metric). */
  entryLookup(type: EntryType, hit: boolean, success: boolean): void {
    bump(this.entries, ENTRY_INDEX[type] * 4 + (hit ? 2 : 0) + (success ? 0 : 1), 1);
    this.touched = true;
  }

  /** Sessions still attached: a scope with any is never swept. */
  get openSessions(): number {
    return (this.sessions[0] ?? 0) + (this.sessions[1] ?? 0);
  }
}

/** Moves an open session between scopes (login, USE db) without counting a new connection. */
export function moveSession(from: MetricScope, to: MetricScope, client: boolean): void {
  if (from === to) return;
  bump(from.sessions, client ? 0 : 1, -1);
  bump(to.sessions, client ? 0 : 1, 1);
  from.touched = true;
  to.touched = true;
}
