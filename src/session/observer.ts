// A client session's share of observability (spec §10, §12): its metrics scope (labels: cluster, tenant, database,
// listener) and the one digest record it reuses for every request. Per request: field stores and one monitor call,
// no allocation.

import type { RouteParse } from '../route/sql/index.js';
import type { ResponseTracker } from '../protocol/response.js';
import { commandName } from '../protocol/constants.js';
import type { ParsedUsername } from '../protocol/username.js';
import { newDigestRecord, nowUs } from '../observe/log-formats.js';
import type { MetricScope } from '../observe/metrics.js';
import type { SessionContext } from './context.js';
import type { ServerSession } from './server-session.js';

export class SessionObserver {
  private scope: MetricScope | null = null;
  private readonly rec = newDigestRecord();

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

  /** One finished request into the digest/slow/error logs and the metrics. Times are performance.now() ms. */
  done(
    t: ResponseTracker, cmd: number, parse: RouteParse | null, sql: string | null, database: string | null,
    ss: ServerSession | null, arrivedAt: number, sentAt: number,
  ): void {
    const m = this.ctx.monitor;
    if (m === null || this.scope === null) return;
    const now = performance.now();
    const r = this.rec;
    r.timeUs = nowUs();
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

  close(): void {
    this.scope?.sessionClosed(true);
    this.scope = null;
  }
}
