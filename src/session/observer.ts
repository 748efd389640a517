// A client session's share of observability (spec §10, §12): its metrics scope (labels: cluster, tenant, database,
// listener), the one digest record it reuses for every request, and the ring of its last requests' phase times that
// SHOW TRACE reads (trace.ts). Per request: field stores and one monitor call, no allocation.

import type { RouteParse } from '../route/sql/index.js';
import type { ResponseTracker } from '../protocol/response.js';
import { commandName } from '../protocol/constants.js';
import type { ParsedUsername } from '../protocol/username.js';
import { newDigestRecord } from '../observe/log-formats.js';
import type { MetricScope } from '../observe/metrics.js';
import type { SessionContext } from './context.js';
import type { ServerSession } from './server-session.js';
import type { AdminResult } from '../admin/index.js';
import { TraceRing, showTrace } from './trace.js';

/** performance.timeOrigin (ms since the epoch), fixed for the process: read once instead of per request. */
const TIME_ORIGIN = performance.timeOrigin;

export class SessionObserver {
  private scope: MetricScope | null = null;
  private readonly rec = newDigestRecord();
  private readonly traces = new TraceRing();

  constructor(private readonly ctx: SessionContext, remote: string) {
    this.rec.clientAddr = remote;
    this.rec.dbType = 'MYSQL';
  }

  /** After a login or a change of user: the session counts under its (new) labels. */
  open(id: ParsedUsername | null, database: string | null, vip: string): void {
    this.scope?.sessionClosed(true);
    this.scope = this.ctx.metrics.scope({ cluster: id?.cluster ?? '', tenant: id?.tenant ?? '', schema: database ?? '', vip, dbType: 'MYSQL' });
    this.scope.sessionOpened(true);
    this.scope.newClientConnection(true);
    this.rec.cluster = id?.cluster ?? '';
    this.rec.tenant = id?.tenant ?? '';
  }

  /**
   * One finished request into the trace ring, the digest/slow/error logs and the metrics. Times are performance.now()
   * ms: arrival, route parse done, routing decided, request sent (server session ready), first response byte.
   */
  done(
    t: ResponseTracker, cmd: number, parse: RouteParse | null, sql: string | null, database: string | null,
    ss: ServerSession | null, arrivedAt: number, sentAt: number, parsedAt: number, routedAt: number, firstByteAt: number,
  ): void {
    const now = performance.now();
    const tr = this.traces.claim();
    if (tr !== null) {
      tr.command = cmd;
      tr.sql = sql ?? '';
      tr.server = ss?.key ?? '';
      tr.errno = t.errno;
      tr.arrivedAt = arrivedAt;
      tr.parsedAt = parsedAt;
      tr.routedAt = routedAt;
      tr.sentAt = sentAt;
      tr.firstByteAt = firstByteAt;
      tr.doneAt = now;
    }
    const m = this.ctx.monitor;
    if (m === null || this.scope === null) return;
    const r = this.rec;
    r.timeUs = Math.round((TIME_ORIGIN + now) * 1000); // nowUs() of the same instant: one clock read per request
    r.db = database ?? '';
    r.sqlCmd = commandName(cmd);
    r.stmtType = parse?.kind ?? '';
    r.table = parse?.tableName ?? '';
    r.traceLog = parse?.hints.traceLog ?? false;
    r.sql = sql ?? '';
    r.failed = t.errno !== 0;
    r.errorCode = t.errno;
    r.errorMsg = t.errorMessage;
    r.totalUs = Math.round((now - arrivedAt) * 1000);
    r.prepareUs = Math.round((sentAt - arrivedAt) * 1000);
    r.serverUs = Math.round((now - sentAt) * 1000);
    r.serverAddr = ss?.key ?? '';
    m.done(this.scope, r);
  }

  /** The answer to `SHOW TRACE [SUMMARY [LIMIT n]]` from this session's last requests. */
  showTrace(sql: string): AdminResult {
    return showTrace(this.traces, sql);
  }

  close(): void {
    this.scope?.sessionClosed(true);
    this.scope = null;
  }
}
