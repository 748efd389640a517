// Show Trace: the time of each of a session's last requests, split into the proxy's phases, readable with SQL.
//
// OceanBase 4.x records full-link trace spans when a session sets `ob_enable_show_trace` and prints the last
// statement's spans with `SHOW TRACE` (columns Operation | StartTime | ElapseTime, child spans indented with tree
// glyphs). ODP contributes the spans `ob_proxy` (request received -> response complete), `ob_proxy_partition_
// location_lookup`, `ob_proxy_server_process_req` (request sent -> first response byte), and at lower levels
// `ob_proxy_do_observer_open`, `ob_proxy_server_response_read`; spec §2.3 (full_trc). odp cannot take part in that
// protocol (no OB 2.0 yet), so it answers `SHOW TRACE` from its own clock: the same span names where ODP has one,
// `ob_proxy_sql_parse` for the parse ODP does not report separately. docs/COMMANDS.md "Statement tracing".
//
// Cost per request: three performance.now() calls besides the session's own (parsed, routed, first response byte;
// arrival, sent and done were taken already) and ten field stores into a preallocated ring slot; nothing is
// allocated. Strings are built only when SHOW TRACE runs.

import { commandName } from '../protocol/constants.js';
import { formatLogTime } from '../observe/log-formats.js';
import type { AdminResult } from '../admin/index.js';
import { notSupported, rows } from '../admin/results.js';

/** Requests kept per session. */
export const TRACE_RING_SIZE = 16;

/** One finished request. Times are performance.now() milliseconds; a slot is overwritten in place. */
export class StatementTrace {
  /** 1-based number of the request among the session's traced ones. */
  seq = 0;
  command = 0;
  /** Statement text (COM_QUERY / COM_STMT_PREPARE, bounded by the session's parse limit), else ''. */
  sql = '';
  /** ip:port of the server that answered. */
  server = '';
  errno = 0;
  arrivedAt = 0;
  parsedAt = 0;
  routedAt = 0;
  sentAt = 0;
  firstByteAt = 0;
  doneAt = 0;
}

/** Durations in microseconds; they add up to `total`. */
export interface TracePhases {
  parse: number;
  route: number;
  connect: number;
  server: number;
  transfer: number;
  total: number;
}

/** Fixed-size ring of a session's last requests. Owned by one session, used on its event loop only. */
export class TraceRing {
  private readonly slots: StatementTrace[];
  private next = 0;
  private count = 0;
  private seq = 0;

  constructor(readonly capacity: number = TRACE_RING_SIZE) {
    this.slots = Array.from({ length: capacity }, () => new StatementTrace());
  }

  /**
   * The slot for a request that just finished: the oldest one, numbered and handed back for the caller to fill in
   * place (every field; nothing is cleared). With capacity 0 there is no slot.
   */
  claim(): StatementTrace | null {
    if (this.capacity === 0) return null;
    const t = this.slots[this.next]!;
    t.seq = ++this.seq;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    return t;
  }

  get size(): number {
    return this.count;
  }

  /** The newest request, or null. */
  last(): StatementTrace | null {
    return this.count === 0 ? null : this.slots[(this.next - 1 + this.capacity) % this.capacity]!;
  }

  /** Up to `n` newest requests, oldest first. */
  recent(n: number = this.count): StatementTrace[] {
    const k = Math.max(0, Math.min(n, this.count));
    const out: StatementTrace[] = [];
    for (let i = k; i > 0; i--) out.push(this.slots[(this.next - i + this.capacity) % this.capacity]!);
    return out;
  }
}

/**
 * The phase boundaries of `t`, made monotonic: a stamp that was not taken for this request (older than its
 * arrival, e.g. no routing for a forced server) or out of order collapses onto the previous boundary.
 */
function boundaries(t: StatementTrace): [number, number, number, number, number, number] {
  const a = t.arrivedAt;
  const end = Math.max(a, t.doneAt);
  const clamp = (v: number, prev: number): number => (v >= prev && v <= end ? v : prev);
  const p = clamp(t.parsedAt, a);
  const r = clamp(t.routedAt, p);
  const s = clamp(t.sentAt, r);
  const f = clamp(t.firstByteAt, s);
  return [a, p, r, s, f, end];
}

const us = (ms: number): number => Math.round(ms * 1000);

export function phases(t: StatementTrace): TracePhases {
  const [a, p, r, s, f, e] = boundaries(t);
  // Each phase is the difference of rounded boundaries, so the phases add up to the total exactly.
  return {
    parse: us(p) - us(a), route: us(r) - us(p), connect: us(s) - us(r), server: us(f) - us(s), transfer: us(e) - us(f),
    total: us(e) - us(a),
  };
}

/** Wall-clock µs since the epoch of a performance.now() time. */
function wallUs(ms: number): number {
  return Math.round((performance.timeOrigin + ms) * 1000);
}

/** `191.999 ms`, as OceanBase prints ElapseTime. */
export function formatElapse(micros: number): string {
  return `${(micros / 1000).toFixed(3)} ms`;
}

export const SPAN_COLUMNS = ['Operation', 'StartTime', 'ElapseTime'] as const;

/** Span names in tree order, children of `ob_proxy`. */
export const CHILD_SPANS = [
  'ob_proxy_sql_parse',
  'ob_proxy_partition_location_lookup',
  'ob_proxy_do_observer_open',
  'ob_proxy_server_process_req',
  'ob_proxy_server_response_read',
] as const;

/** `SHOW TRACE` rows for one request: `ob_proxy` and its five phases as children. */
export function spanRows(t: StatementTrace): string[][] {
  const b = boundaries(t);
  const rows: string[][] = [['ob_proxy', formatLogTime(wallUs(b[0])), formatElapse(us(b[5]) - us(b[0]))]];
  for (let i = 0; i < CHILD_SPANS.length; i++) {
    const glyph = i === CHILD_SPANS.length - 1 ? '└── ' : '├── ';
    rows.push([glyph + CHILD_SPANS[i]!, formatLogTime(wallUs(b[i]!)), formatElapse(us(b[i + 1]!) - us(b[i]!))]);
  }
  return rows;
}

export const SUMMARY_COLUMNS = [
  'seq', 'start_time', 'command', 'sql', 'server_addr', 'error_code',
  'parse_us', 'route_us', 'connect_us', 'server_us', 'transfer_us', 'total_us',
] as const;

/** `SHOW TRACE SUMMARY` row for one request. */
export function summaryRow(t: StatementTrace): (string | null)[] {
  const ph = phases(t);
  return [
    String(t.seq), formatLogTime(wallUs(t.arrivedAt)), commandName(t.command), t.sql === '' ? null : t.sql,
    t.server === '' ? null : t.server, String(t.errno),
    String(ph.parse), String(ph.route), String(ph.connect), String(ph.server), String(ph.transfer), String(ph.total),
  ];
}

export type ShowTraceRequest =
  | { readonly kind: 'spans' }
  | { readonly kind: 'summary'; readonly limit: number }
  | { readonly kind: 'unsupported'; readonly text: string };

const SHOW_TRACE = /^show\s+trace(?:\s+(summary)(?:\s+limit\s+(\d{1,9}))?)?$/i;

/**
 * Reads a statement the route parser classified as `SHOW TRACE` (kind SHOW, object 'trace'): `SHOW TRACE` or
 * `SHOW TRACE SUMMARY [LIMIT n]`; comments and a trailing `;` are ignored. Anything else (OceanBase's
 * `SHOW TRACE FORMAT=...` forms) is reported as unsupported.
 */
export function parseShowTrace(sql: string): ShowTraceRequest {
  const text = sql.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(?:--\s|#)[^\n]*/g, ' ').replace(/[\s;]+$/, '').trim();
  const m = SHOW_TRACE.exec(text);
  if (m === null) return { kind: 'unsupported', text: text.slice(0, 64) };
  if (m[1] === undefined) return { kind: 'spans' };
  return { kind: 'summary', limit: m[2] === undefined ? TRACE_RING_SIZE : Number(m[2]) };
}

/** The answer to a SHOW TRACE statement from `ring` (result columns as for an internal command: all strings). */
export function showTrace(ring: TraceRing, sql: string): AdminResult {
  const q = parseShowTrace(sql);
  switch (q.kind) {
    case 'spans': {
      const t = ring.last();
      return rows(SPAN_COLUMNS, t === null ? [] : spanRows(t));
    }
    case 'summary':
      return rows(SUMMARY_COLUMNS, ring.recent(q.limit).map(summaryRow));
    case 'unsupported':
      return notSupported(q.text);
  }
}
