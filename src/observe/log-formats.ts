// Line formats of ODP's log files (spec §10; obproxy ob_proxy_monitor_utils.cpp, ob_tenant_stat_struct.cpp).
// Pure: no I/O, no clock except nowUs(). Lines are returned WITHOUT the trailing newline; log-files.ts adds it.
//
// Monitor lines (digest, slow, error, stat) start with the local time `YYYY-MM-DD HH:MM:SS.uuuuuu` followed by
// comma-separated fields. Only the SQL text (and, here, the error message, which may quote SQL) is escaped:
// `,` -> `%2C`, `\n` -> `%0A`; `%` is not escaped, exactly as ODP, so the escaping is not reversible.
// Cost: a formatter builds one string per line; callers only format lines they are going to write.

import { LogLevel } from './log.js';

/** Database type names of ObProxyMonitorUtils::get_database_type_name. */
export type DbType = 'MYSQL' | 'OB_MYSQL' | 'OB_ORACLE' | 'UNKNOWN_DBTYPE';

/** The ODP trace id printed when a line belongs to no request. */
export const NO_TRACE_ID = 'Y0-0000000000000000';

/** Characters of SQL printed when digest_sql_length is 0 (spec §10). */
export const DEFAULT_DIGEST_SQL_LENGTH = 1024;

/** Wall clock in microseconds since the epoch (sub-millisecond from the monotonic clock). */
export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

let cachedSecond = -1;
let cachedPrefix = '';

/** `YYYY-MM-DD HH:MM:SS.uuuuuu` in local time; the seconds part is cached, so a second costs one Date. */
export function formatLogTime(epochUs: number): string {
  const second = Math.floor(epochUs / 1_000_000);
  if (second !== cachedSecond) {
    const d = new Date(second * 1000);
    cachedPrefix = `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
      `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
    cachedSecond = second;
  }
  const micros = epochUs - second * 1_000_000;
  return `${cachedPrefix}.${String(micros).padStart(6, '0')}`;
}

/** `YYYYMMDDHHMMSS` (local time): the suffix of a rotated log file (spec §10). */
export function formatArchiveStamp(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getFullYear()}${pad2(d.getMonth() + 1)}${pad2(d.getDate())}${pad2(d.getHours())}${pad2(d.getMinutes())}${pad2(d.getSeconds())}`;
}

/**
 * ODP's trace id `Y<hi hex>-<lo 16 hex>` (upper case). Both halves must be safe integers; ODP packs the proxy
 * ip:port into `hi` and a sequence into `lo`.
 */
export function formatTraceId(hi: number, lo: number): string {
  return `Y${hi.toString(16).toUpperCase()}-${lo.toString(16).toUpperCase().padStart(16, '0')}`;
}

/** Monitor-log escaping of ObProxyMonitorUtils::sql_escape. Returns `s` itself when nothing needs escaping. */
export function escapeMonitorText(s: string): string {
  if (s.indexOf(',') < 0 && s.indexOf('\n') < 0) return s;
  return s.replace(/[,\n]/g, (c) => (c === ',' ? '%2C' : '%0A'));
}

/**
 * The first `maxChars` UTF-16 units of `sql` (0 means DEFAULT_DIGEST_SQL_LENGTH), never ending inside a
 * surrogate pair. Truncation happens before escaping, as in ODP.
 */
export function truncateSql(sql: string, maxChars: number): string {
  const limit = maxChars > 0 ? maxChars : DEFAULT_DIGEST_SQL_LENGTH;
  if (sql.length <= limit) return sql;
  const last = sql.charCodeAt(limit - 1);
  return sql.slice(0, last >= 0xd800 && last <= 0xdbff ? limit - 1 : limit);
}

/** Commands whose digest line carries stmt_type and SQL text; for the others both fields are empty (spec §10). */
const SQL_COMMANDS: ReadonlySet<string> = new Set(['COM_QUERY', 'COM_STMT_PREPARE', 'COM_STMT_EXECUTE', 'COM_STMT_PREPARE_EXECUTE']);

/**
 * One finished request, as the digest, slow and error logs, the stat log and the metrics see it. A session keeps
 * ONE instance (newDigestRecord) and overwrites its fields per statement; the tenant fields change on login and
 * USE only. All times in microseconds.
 */
export interface DigestRecord {
  /** End of the request, µs since the epoch. */
  timeUs: number;
  /** Logical tenant; app_name when not in sharding mode. */
  logicTenant: string;
  antTraceId: string;
  rpcId: string;
  logicDb: string;
  cluster: string;
  tenant: string;
  db: string;
  dbType: DbType;
  logicTable: string;
  /** Physical table name ('' if none). */
  table: string;
  /** 'COM_QUERY', 'COM_PING', ... */
  sqlCmd: string;
  /** ODP statement type name: 'SELECT', 'INSERT', ... ('' for non-SQL commands). */
  stmtType: string;
  failed: boolean;
  /** MySQL/OceanBase error number; printed only when failed. */
  errorCode: number;
  /** Full SQL text; the formatter truncates to digest_sql_length and escapes. */
  sql: string;
  totalUs: number;
  /** Proxy time before the request was sent to the server. */
  prepareUs: number;
  serverUs: number;
  /** ODP trace id, `Y<hex>-<016hex>` (formatTraceId). */
  traceId: string;
  serverTraceId: string;
  /** Client ip:port. */
  clientAddr: string;
  shardName: string;
  encBeyondTrust: boolean;
  /** Server ip:port ('' if none was reached). */
  serverAddr: string;
  /** Error log only. */
  errorMsg: string;
  /** Metrics only: the server reported the statement as a partition hit. */
  partitionHit: boolean;
  /** The statement carried the TRACE_LOG hint: it goes to the digest log whatever its time. */
  traceLog: boolean;
  /** The error was raised by the proxy itself (logged at ERROR level rather than INFO). */
  internalError: boolean;
}

export function newDigestRecord(): DigestRecord {
  return {
    timeUs: 0, logicTenant: '', antTraceId: '', rpcId: '', logicDb: '', cluster: '', tenant: '', db: '',
    dbType: 'UNKNOWN_DBTYPE', logicTable: '', table: '', sqlCmd: '', stmtType: '', failed: false, errorCode: 0,
    sql: '', totalUs: 0, prepareUs: 0, serverUs: 0, traceId: NO_TRACE_ID, serverTraceId: '', clientAddr: '',
    shardName: '', encBeyondTrust: false, serverAddr: '', errorMsg: '', partitionHit: false, traceLog: false,
    internalError: false,
  };
}

/** The MONITOR fields of a digest/slow line, in the documented order (spec §10), timestamp first. */
export function formatDigestLine(r: DigestRecord, sqlLength: number): string {
  const sqlText = SQL_COMMANDS.has(r.sqlCmd);
  const stmt = sqlText ? r.stmtType : '';
  const sql = sqlText ? escapeMonitorText(truncateSql(r.sql, sqlLength)) : '';
  return `${formatLogTime(r.timeUs)},${r.logicTenant},${r.antTraceId},${r.rpcId},${r.logicDb},` +
    `${r.cluster}:${r.tenant}:${r.db},${r.dbType},${r.logicTable},${r.table},${r.sqlCmd},${stmt},` +
    `${r.failed ? 'failed' : 'success'},${r.failed ? String(r.errorCode) : ''},${sql},` +
    `${r.totalUs}us,${r.prepareUs}us,0us,${r.serverUs}us,${r.traceId},${r.serverTraceId},${r.clientAddr},` +
    `${r.shardName},${r.encBeyondTrust ? 1 : 0},${r.serverAddr}`;
}

/** obproxy_slow.log uses the digest format. */
export const formatSlowLine = formatDigestLine;

/** obproxy_error.log: the digest fields, then the error message (escaped like SQL) and the server trace id. */
export function formatErrorLine(r: DigestRecord, sqlLength: number): string {
  return `${formatDigestLine(r, sqlLength)},${escapeMonitorText(r.errorMsg)},${r.serverTraceId}`;
}

/** One aggregated row of obproxy_stat.log (ObTenantStatItem). Times are sums over the interval, in µs. */
export interface StatRecord {
  timeUs: number;
  logicTenant: string;
  logicDb: string;
  cluster: string;
  tenant: string;
  db: string;
  dbType: DbType;
  stmtType: string;
  /** '' for successful requests; failed rows carry their error code. */
  errorCode: string;
  totalCount: number;
  lowCount: number;
  middleCount: number;
  highCount: number;
  totalUs: number;
  prepareUs: number;
  serverUs: number;
}

function statTime(us: number, msUnit: boolean): string {
  return msUnit ? `${(us / 1000).toFixed(3)}ms` : `${us}us`;
}

/** An obproxy_stat.log line; `msUnit` is monitor_cost_ms_unit. success/failed follows the error code. */
export function formatStatLine(r: StatRecord, msUnit: boolean): string {
  return `${formatLogTime(r.timeUs)},${r.logicTenant},${r.logicDb},${r.cluster}:${r.tenant}:${r.db},${r.dbType},` +
    `${r.stmtType},${r.errorCode === '' ? 'success' : 'failed'},${r.errorCode},${r.totalCount},${r.lowCount},` +
    `${r.middleCount},${r.highCount},${statTime(r.totalUs, msUnit)},${statTime(r.prepareUs, msUnit)},` +
    `${statTime(r.serverUs, msUnit)}`;
}

const LEVEL_NAMES: readonly string[] = (() => {
  const names: string[] = [];
  for (const [name, n] of Object.entries(LogLevel)) names[n] = name;
  return names;
})();

/** The name of a LogLevel number ('INFO' for an unknown number). */
export function levelName(level: number): string {
  return LEVEL_NAMES[level] ?? 'INFO';
}

/** One obproxy.log line (spec §10). */
export interface SyslogRecord {
  timeUs: number;
  /** LogLevel number. */
  level: number;
  /** Module, e.g. 'PROXY' or 'PROXY.SM'. */
  mod: string;
  /** Function name; printed for ERROR, USER_ERR and WARN only. */
  func: string;
  /** `file:line` of the call site ('-:0' when unknown). */
  location: string;
  /** Thread id: the worker's pid here. */
  tid: number;
  traceId: string;
  /** µs since the previous line of this writer. */
  ltUs: number;
  /** Lines dropped since the previous line was queued. */
  dropped: number;
  /** Newlines are printed as the two characters `\n`. */
  msg: string;
}

/**
 * `[time] LEVEL [MOD] file:line [tid][trace] [lt=N] [dc=N] msg`, or for ERROR/USER_ERR/WARN
 * `[time] LEVEL [MOD] func (file:line) [tid][trace] [lt=N] [dc=N] msg`. LEVEL is left-aligned in 5 columns.
 */
export function formatSyslogLine(r: SyslogRecord): string {
  const withFunc = r.level <= LogLevel.WARN;
  const where = withFunc ? `${r.func} (${r.location})` : r.location;
  const msg = r.msg.indexOf('\n') < 0 ? r.msg : r.msg.replace(/\n/g, '\\n');
  return `[${formatLogTime(r.timeUs)}] ${levelName(r.level).padEnd(5)} [${r.mod}] ${where} [${r.tid}][${r.traceId}] ` +
    `[lt=${r.ltUs}] [dc=${r.dropped}] ${msg}`;
}

/**
 * An obproxy_diagnosis.log line `[time] [tid][trace] [TAG](body)` (spec §9); `body` is the caller's single-line
 * text (route diagnosis trees already use the two characters `/n` for newlines). Newlines left in the body are
 * printed as `/n` so the line stays one line.
 */
export function formatDiagnosisLine(timeUs: number, tid: number, traceId: string, tag: string, body: string): string {
  const text = body.indexOf('\n') < 0 ? body : body.replace(/\n/g, '/n');
  return `[${formatLogTime(timeUs)}] [${tid}][${traceId}] [${tag}](${text})`;
}
