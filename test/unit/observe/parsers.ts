// Test oracles: parsers of ODP's log lines written from the field lists of spec §10 (not from the formatters),
// and a parser of the Prometheus text exposition format (https://prometheus.io/docs/instrumenting/exposition_formats/).

const TIME = String.raw`(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{6})`;
const TIME_RE = new RegExp(`^${TIME}$`);

/** Local-time `YYYY-MM-DD HH:MM:SS.uuuuuu` -> epoch µs. */
export function parseTime(text: string): number {
  const m = TIME_RE.exec(text);
  if (m === null) throw new Error(`bad time ${JSON.stringify(text)}`);
  const [y, mo, d, h, mi, s, us] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  return new Date(y, mo - 1, d, h, mi, s).getTime() * 1000 + us;
}

/** Spec §10 MONITOR_LOG_FORMAT, in order, after the time. */
export const DIGEST_FIELDS = [
  'logicTenant', 'antTraceId', 'rpcId', 'logicDb', 'clusterTenantDb', 'dbType', 'logicTable', 'table', 'sqlCmd',
  'stmtType', 'result', 'errorCode', 'sql', 'totalTime', 'prepareTime', 'connectTime', 'serverTime', 'traceId',
  'serverTraceId', 'clientAddr', 'shardName', 'encBeyondTrust', 'serverAddr',
] as const;
export type DigestFields = Record<(typeof DIGEST_FIELDS)[number], string> & { timeUs: number };

function splitTimed(line: string): { timeUs: number; rest: string[] } {
  if (line.includes('\n')) throw new Error('a log line must not contain a newline');
  const comma = line.indexOf(',');
  return { timeUs: parseTime(line.slice(0, comma)), rest: line.slice(comma + 1).split(',') };
}

export function parseDigestLine(line: string): DigestFields {
  const { timeUs, rest } = splitTimed(line);
  if (rest.length !== DIGEST_FIELDS.length) throw new Error(`digest line has ${rest.length} fields, expected ${DIGEST_FIELDS.length}: ${line}`);
  const out: Record<string, string | number> = { timeUs };
  DIGEST_FIELDS.forEach((name, i) => { out[name] = rest[i] ?? ''; });
  return out as DigestFields;
}

/** Digest fields + error_msg + server_trace_id. */
export function parseErrorLine(line: string): DigestFields & { errorMsg: string; lastServerTraceId: string } {
  const { rest } = splitTimed(line);
  if (rest.length !== DIGEST_FIELDS.length + 2) throw new Error(`error line has ${rest.length} fields: ${line}`);
  const digest = parseDigestLine(line.slice(0, line.lastIndexOf(',', line.lastIndexOf(',') - 1)));
  return { ...digest, errorMsg: rest[rest.length - 2] ?? '', lastServerTraceId: rest[rest.length - 1] ?? '' };
}

export const STAT_FIELDS = [
  'logicTenant', 'logicDb', 'clusterTenantDb', 'dbType', 'stmtType', 'result', 'errorCode', 'totalCount', 'lowCount',
  'middleCount', 'highCount', 'totalTime', 'prepareTime', 'serverTime',
] as const;
export type StatFields = Record<(typeof STAT_FIELDS)[number], string> & { timeUs: number };

export function parseStatLine(line: string): StatFields {
  const { timeUs, rest } = splitTimed(line);
  if (rest.length !== STAT_FIELDS.length) throw new Error(`stat line has ${rest.length} fields: ${line}`);
  const out: Record<string, string | number> = { timeUs };
  STAT_FIELDS.forEach((name, i) => { out[name] = rest[i] ?? ''; });
  return out as StatFields;
}

export interface SyslogFields {
  timeUs: number; level: string; mod: string; func: string | null; location: string; tid: number; traceId: string;
  lt: number; dc: number; msg: string;
}

const SYSLOG_RE = new RegExp(String.raw`^\[(${TIME})\] (\S+)\s+\[([^\]]+)\] (?:(\S+) \((\S+:\d+)\)|(\S+:\d+)) \[(\d+)\]\[(Y[0-9A-F]+-[0-9A-F]{16})\] \[lt=(\d+)\] \[dc=(\d+)\] (.*)$`);

/** `[time] LEVEL [MOD] file:line [tid][trace] [lt=N] [dc=N] msg` or with `func (file:line)` (spec §10). */
export function parseSyslogLine(line: string): SyslogFields {
  const m = SYSLOG_RE.exec(line);
  if (m === null) throw new Error(`not an obproxy.log line: ${line}`);
  return {
    timeUs: parseTime(m[1] ?? ''), level: m[9] ?? '', mod: m[10] ?? '', func: m[11] ?? null,
    location: m[12] ?? m[13] ?? '', tid: Number(m[14]), traceId: m[15] ?? '', lt: Number(m[16]), dc: Number(m[17]),
    msg: m[18] ?? '',
  };
}

const DIAG_RE = new RegExp(String.raw`^\[(${TIME})\] \[(\d+)\]\[(Y[0-9A-F]+-[0-9A-F]{16})\] \[([A-Z]+)\]\((.*)\)$`);

export function parseDiagnosisLine(line: string): { timeUs: number; tid: number; traceId: string; tag: string; body: string } {
  const m = DIAG_RE.exec(line);
  if (m === null) throw new Error(`not a diagnosis line: ${line}`);
  return { timeUs: parseTime(m[1] ?? ''), tid: Number(m[9]), traceId: m[10] ?? '', tag: m[11] ?? '', body: m[12] ?? '' };
}

// ── Prometheus text format ───────────────────────────────────────────────────────────────────────────────

export interface Sample { name: string; labels: Record<string, string>; value: number }
export interface Exposition {
  help: Map<string, string>;
  type: Map<string, string>;
  samples: Sample[];
}

function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    const name = text.slice(i, eq).trim();
    if (text[eq + 1] !== '"') throw new Error(`bad label set ${text}`);
    let j = eq + 2;
    let value = '';
    for (; text[j] !== '"'; j++) {
      if (j >= text.length) throw new Error(`unterminated label value in ${text}`);
      if (text[j] === '\\') {
        j++;
        value += text[j] === 'n' ? '\n' : (text[j] ?? '');
      } else {
        value += text[j];
      }
    }
    out[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
  }
  return out;
}

/** Sample values are Go floats: ParseFloat accepts NaN and Inf in any letter case (prom-client prints `Nan`). */
function parseValue(v: string): number {
  if (/^\+?inf$/i.test(v)) return Infinity;
  if (/^-inf$/i.test(v)) return -Infinity;
  if (/^nan$/i.test(v)) return NaN;
  const n = Number(v);
  if (v === '' || Number.isNaN(n)) throw new Error(`bad sample value ${v}`);
  return n;
}

export function parseExposition(text: string): Exposition {
  const out: Exposition = { help: new Map(), type: new Map(), samples: [] };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta !== null) {
      (meta[1] === 'HELP' ? out.help : out.type).set(meta[2] ?? '', meta[3] ?? '');
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (m === null) throw new Error(`bad exposition line: ${line}`);
    out.samples.push({ name: m[1] ?? '', labels: parseLabels(m[2] ?? ''), value: parseValue(m[3] ?? '') });
  }
  return out;
}

/** Samples of `name` whose labels include `match`. */
export function samples(e: Exposition, name: string, match: Record<string, string> = {}): Sample[] {
  return e.samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

export function sum(list: readonly Sample[]): number {
  return list.reduce((n, s) => n + s.value, 0);
}
