// The response deadline of a client session's request in flight (spec §6.1): how long the proxy waits for a server's
// answer, and the one timer that enforces it. Times are performance.now() milliseconds.
//
// Invariants:
//  - the timer is lazy: one armed by an earlier request stays when it fires no later than the new deadline; on firing
//    it re-arms for what is left of the request then running. A request therefore costs no timer create/clear, only a
//    timer per `limit` ms of busy time;
//  - clear() only forgets the request (the armed timer stays and finds nothing waiting); dispose() cancels the timer;
//  - the limit is recomputed only when the session state's version changes: no map lookups per request.

import type { SessionContext } from './context.js';
import type { ServerSession } from './server-session.js';
import type { SessionState } from './state.js';

/** What the deadline needs of its client session. */
export interface DeadlineHost {
  readonly ctx: SessionContext;
  /** The client's session state: its statement timeout variables give the limit. */
  readonly sstate: SessionState;
  /** Runs a timer callback; a throw closes that session only. */
  guard(fn: () => void): void;
  /** `ss` did not answer the request in flight within `limit` ms; the deadline is already cleared. */
  onResponseTimeout(ss: ServerSession, limit: number): void;
}

export class ResponseDeadline {
  private readonly host: DeadlineHost;
  /** State version the cached limit was computed for; -1: none yet. */
  private limitVersion = -1;
  private limitMs = 0;
  private timer: NodeJS.Timeout | null = null;
  /** When `timer` fires. */
  private timerDueAt = 0;
  /** By when the request in flight must be answered; 0 = none waiting. */
  private deadline = 0;
  private limit = 0;
  private server: ServerSession | null = null;

  constructor(host: DeadlineHost) {
    this.host = host;
  }

  /** The request just sent to `ss` at `sentAt` must be answered within the session's limit (none when it is 0). */
  start(ss: ServerSession, sentAt: number): void {
    const limit = this.limitFor();
    if (limit > 0) this.arm(ss, sentAt, limit);
  }

  /** The request in flight was answered (or failed): nothing waits. The lazy timer stays armed. */
  clear(): void {
    this.deadline = 0;
    this.server = null;
  }

  /** The session closed: nothing waits and the timer is cancelled. */
  dispose(): void {
    this.clear();
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private arm(ss: ServerSession, sentAt: number, limit: number): void {
    this.server = ss;
    this.limit = limit;
    this.deadline = sentAt + limit;
    if (this.timer !== null) {
      if (this.timerDueAt <= this.deadline) return;
      clearTimeout(this.timer);
    }
    this.startTimer(limit);
  }

  private startTimer(ms: number): void {
    this.timerDueAt = performance.now() + ms;
    this.timer = setTimeout(() => this.host.guard(() => this.onTimer()), ms);
  }

  private onTimer(): void {
    this.timer = null;
    const ss = this.server;
    if (this.deadline === 0 || ss === null) return; // no request waiting: the next one arms a timer
    const left = this.deadline - performance.now();
    if (left > 0) {
      this.startTimer(left);
      return;
    }
    this.clear();
    this.host.onResponseTimeout(ss, this.limit);
  }

  /**
   * How long the proxy waits for a server's response (spec §6.1): the session's statement timeout (ob_query_timeout
   * in µs; MariaDB max_statement_time in s; MySQL max_execution_time in ms; OceanBase's default 10 s in oceanbase
   * mode) plus observer_query_timeout_delta. 0: no timeout (mysql mode without a statement timeout).
   */
  private limitFor(): number {
    const st = this.host.sstate;
    if (st.version === this.limitVersion) return this.limitMs;
    const num = (name: string, scale: number): number => {
      const v = Number.parseFloat((st.sysVars.get(name) ?? '').replace(/'/g, ''));
      return Number.isFinite(v) && v > 0 ? v * scale : 0;
    };
    let base = num('ob_query_timeout', 1 / 1000) || num('max_statement_time', 1000) || num('max_execution_time', 1);
    const ctx = this.host.ctx;
    if (base === 0 && ctx.obMode()) base = 10_000;
    this.limitVersion = st.version;
    this.limitMs = base > 0 ? Math.ceil(base + ctx.settings.queryTimeoutDeltaMs) : 0;
    return this.limitMs;
  }
}
