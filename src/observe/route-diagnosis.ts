// Route diagnosis (spec §9): the points one statement passes on its way to a server, recorded while it really runs
// (and by EXPLAIN ROUTE, which runs the routing path without sending). One RouteDiagnosis per client session, reused
// for every statement.
//
// Cost: with route_diagnosis_level = 0 the session does one integer compare per statement (`level !== 0`) and
// nothing else. When recording, a point is a few stores into preallocated slots (keys are string literals, values
// are the caller's strings and numbers, never formatted here); the tree text is built only by format(), which
// runs for EXPLAIN ROUTE and for a diagnosis log line.
//
// Ownership: values stored are read at format() time; callers store immutable strings and numbers only.

/** Points of spec §9 with their level (recorded when level >= it) and tree depth (indentation = 2 × (depth − 1)). */
export const POINTS = {
  SQL_PARSE: { level: 1, depth: 1 },
  ROUTE_INFO: { level: 1, depth: 1 },
  LOCATION_CACHE_LOOKUP: { level: 1, depth: 1 },
  ROUTINE_ENTRY_LOOKUP_DONE: { level: 2, depth: 2 },
  FETCH_TABLE_RELATED_DATA: { level: 3, depth: 3 },
  TABLE_ENTRY_LOOKUP_DONE: { level: 2, depth: 2 },
  EXPR_PARSE: { level: 3, depth: 3 },
  CALC_ROWID: { level: 3, depth: 3 },
  RESOLVE_EXPR: { level: 3, depth: 3 },
  RESOLVE_TOKEN: { level: 4, depth: 4 },
  CALC_PARTITION_ID: { level: 3, depth: 3 },
  PARTITION_ID_CALC_DONE: { level: 2, depth: 2 },
  PARTITION_ENTRY_LOOKUP_DONE: { level: 2, depth: 2 },
  ROUTE_POLICY: { level: 1, depth: 1 },
  CONGESTION_CONTROL: { level: 1, depth: 1 },
  HANDLE_RESPONSE: { level: 1, depth: 1 },
  RETRY: { level: 1, depth: 1 },
} as const;

export type PointName = keyof typeof POINTS;

/** A field value: strings are printed quoted, numbers and booleans bare. */
export type DiagValue = string | number | boolean;

/** Most points per statement (spec §9); later points are dropped. */
export const MAX_POINTS = 128;

/** HANDLE_RESPONSE `state` values (the server entry state of ODP's transaction state machine, HANDLE_RESPONSE doc). */
export type ResponseState =
  | 'ACTIVE_TIMEOUT' | 'CONNECTION_ALIVE' | 'CONNECTION_CLOSED' | 'CONNECTION_ERROR' | 'CONNECT_ERROR' | 'RESPONSE_ERROR'
  | 'INACTIVE_TIMEOUT' | 'ANALYZE_ERROR' | 'CMD_COMPLETE' | 'TRANSACTION_COMPLETE' | 'DEAD_CONGESTED' | 'ALIVE_CONGESTED'
  | 'DETECT_CONGESTED' | 'INTERNAL_ERROR';

class Point {
  name: PointName = 'SQL_PARSE';
  /** Non-zero: printed first as `error:<ret>`. */
  ret = 0;
  n = 0;
  readonly keys: string[] = [];
  readonly vals: DiagValue[] = [];
  prompt: string | null = null;
  warn = false;

  reset(name: PointName): void {
    this.name = name;
    this.ret = 0;
    this.n = 0;
    this.prompt = null;
    this.warn = false;
  }
}

export class RouteDiagnosis {
  /** Level in effect for the statement being recorded (EXPLAIN ROUTE: 4); 0 = not recording. */
  level = 0;
  /** The statement is an EXPLAIN ROUTE: nothing is sent, nothing is logged. */
  explain = false;
  /** Text of the statement (Trans Current Query). */
  sql = '';
  /** First statement of the open transaction, null outside one (Trans First Query). */
  transFirst: string | null = null;
  /** The statement is the first of a transaction (its log line is INFO, else TRACE). */
  firstInTxn = false;
  /** ob_proxy_partition_hit of the response; true unless the server reported a miss. */
  partitionHit = true;
  /** The table entry used by this statement was fetched for it (entry_from_remote), not found in the cache. */
  fromRemote = false;
  private count = 0;
  private readonly points: Point[] = [];
  private cur: Point | null = null;
  private inTxnSeen = false;

  /**
   * Starts recording one statement at `level` (1–4). `inTxn`: the session is inside a transaction as the statement
   * arrives (its first statement is remembered as Trans First Query).
   */
  begin(level: number, explain: boolean, sql: string, inTxn: boolean): void {
    this.level = explain ? 4 : level;
    this.explain = explain;
    this.sql = sql;
    this.count = 0;
    this.cur = null;
    this.partitionHit = true;
    this.fromRemote = false;
    this.firstInTxn = inTxn && !this.inTxnSeen;
    if (!inTxn) this.transFirst = null;
    else if (this.firstInTxn || this.transFirst === null) this.transFirst = sql;
    if (!explain) this.inTxnSeen = inTxn;
  }

  /** Stops recording (the statement is done). */
  end(): void {
    this.level = 0;
    this.explain = false;
    this.cur = null;
  }

  /** Number of points recorded. */
  get size(): number {
    return this.count;
  }

  /** Drops the points after the first `n` (a statement routed again after a metadata fetch). */
  truncate(n: number): void {
    if (n < this.count) this.count = n;
    this.cur = null;
  }

  /**
   * Opens point `name` when the level records it; the fields that follow go to it. Returns false (and later field
   * calls do nothing) when it is not recorded.
   */
  point(name: PointName): boolean {
    if (this.level < pointLevel(name) || this.count >= MAX_POINTS) {
      this.cur = null;
      return false;
    }
    let p = this.points[this.count];
    if (p === undefined) {
      p = new Point();
      this.points.push(p);
    }
    p.reset(name);
    this.count++;
    this.cur = p;
    return true;
  }

  /** Index of the last point opened (to add fields later with reopen()), or -1 when it was not recorded. */
  lastIndex(): number {
    return this.cur === null ? -1 : this.count - 1;
  }

  /** Makes the point at `index` current again (a field known only later, e.g. ROUTE_INFO after the lookup). */
  reopen(index: number): void {
    this.cur = index >= 0 && index < this.count ? this.points[index]! : null;
  }

  /** Adds a field to the current point. */
  f(key: string, value: DiagValue): this {
    const p = this.cur;
    if (p !== null) {
      p.keys[p.n] = key;
      p.vals[p.n] = value;
      p.n++;
    }
    return this;
  }

  /** Sets the current point's error code (printed first as `error:<code>`). */
  error(code: number): this {
    if (this.cur !== null) this.cur.ret = code;
    return this;
  }

  /** A Route Prompts line for the current point: a hint ([INFO]) or the problem found ([WARN]). */
  prompt(warn: boolean, text: string): this {
    if (this.cur !== null) {
      this.cur.prompt = text;
      this.cur.warn = warn;
    }
    return this;
  }

  /** Name of the point at `index` (tests, callers checking what was recorded). */
  nameAt(index: number): PointName | null {
    return index >= 0 && index < this.count ? this.points[index]!.name : null;
  }

  /** Value of field `key` of the last point named `name`, or undefined. */
  field(name: PointName, key: string): DiagValue | undefined {
    for (let i = this.count - 1; i >= 0; i--) {
      const p = this.points[i]!;
      if (p.name !== name) continue;
      for (let j = 0; j < p.n; j++) if (p.keys[j] === key) return p.vals[j];
      return undefined;
    }
    return undefined;
  }

  /** The whole text of spec §9 (newline-separated): header, Route Prompts, Route Plan. */
  format(): string {
    const out: string[] = [''];
    if (this.transFirst !== null) out.push(`Trans First Query:"${this.transFirst}"`);
    out.push(`Trans Current Query:"${this.sql}"`, '', 'Route Prompts', '-----------------');
    for (let i = 0; i < this.count; i++) {
      const p = this.points[i]!;
      if (p.prompt === null) continue;
      out.push(`> ${p.name}`, `  ${p.warn ? '[WARN]' : '[INFO]'} ${p.prompt}`);
      if (p.warn) break;
    }
    out.push('', '', 'Route Plan', '-----------------');
    this.formatPlan(out);
    return out.join('\n');
  }

  private formatPlan(out: string[]): void {
    let tableHeader = false;
    let calcHeader = false;
    for (let i = 0; i < this.count; i++) {
      const p = this.points[i]!;
      if (p.name === 'LOCATION_CACHE_LOOKUP') {
        tableHeader = false;
        calcHeader = false;
      } else if (p.name === 'FETCH_TABLE_RELATED_DATA' && !tableHeader) {
        out.push('  > TABLE_ENTRY_LOOKUP_START:{}');
        tableHeader = true;
      } else if (p.name === 'EXPR_PARSE' && !calcHeader) {
        out.push('  > PARTITION_ID_CALC_START:{}');
        calcHeader = true;
      }
      out.push(formatPoint(p));
    }
  }
}

/** POINTS[name].level as a switch: interned-string compares instead of a megamorphic keyed load (hot path). */
function pointLevel(name: PointName): number {
  switch (name) {
    case 'SQL_PARSE':
    case 'ROUTE_INFO':
    case 'LOCATION_CACHE_LOOKUP':
    case 'ROUTE_POLICY':
    case 'CONGESTION_CONTROL':
    case 'HANDLE_RESPONSE':
    case 'RETRY':
      return 1;
    case 'ROUTINE_ENTRY_LOOKUP_DONE':
    case 'TABLE_ENTRY_LOOKUP_DONE':
    case 'PARTITION_ID_CALC_DONE':
    case 'PARTITION_ENTRY_LOOKUP_DONE':
      return 2;
    case 'FETCH_TABLE_RELATED_DATA':
    case 'EXPR_PARSE':
    case 'CALC_ROWID':
    case 'RESOLVE_EXPR':
    case 'CALC_PARTITION_ID':
      return 3;
    case 'RESOLVE_TOKEN':
      return 4;
  }
}

function formatValue(v: DiagValue): string {
  return typeof v === 'string' ? `"${v}"` : String(v);
}

/** `<indent>> NAME:{[error:<ret>, ]k:v, ...}`. */
function formatPoint(p: Point): string {
  let s = `${'  '.repeat(POINTS[p.name].depth - 1)}> ${p.name}:{`;
  let first = true;
  if (p.ret !== 0) {
    s += `error:${p.ret}`;
    first = false;
  }
  for (let j = 0; j < p.n; j++) {
    s += `${first ? '' : ', '}${p.keys[j]!}:${formatValue(p.vals[j]!)}`;
    first = false;
  }
  return `${s}}`;
}

/** The body of the obproxy_diagnosis.log line (spec §9): the tree on one line, newlines as the two characters `/n`. */
export function diagnosisLogBody(text: string): string {
  return `*route_diagnosis=${text.replace(/\n/g, '/n')}`;
}

/** The reply text of EXPLAIN ROUTE when route_diagnosis_level is 0 (spec §9). */
export const DIAGNOSIS_DISABLED = 'Route diagnosis disabled';
/** The reply text of EXPLAIN ROUTE for a statement it cannot diagnose (spec §9). */
export const DIAGNOSIS_UNSUPPORTED = 'Route diagnosis not supports this query';
