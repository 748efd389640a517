// Housekeeping over the proxy's session table, off the per-packet path: the once-a-second inactivity sweep (spec §6.1)
// and the choice of the session that makes room when client_max_connections is reached. The Proxy owns the table;
// this only closes sessions (each then leaves the table through onSessionClosed) and quits idle pooled server sessions.

import type { ProxyConfig } from './config/config.js';
import type { Logger } from './observe/log.js';
import type { Metrics } from './observe/metrics.js';
import type { ClientSession } from './session/client-session.js';

/**
 * Once a second: client sessions idle longer than default_inactivity_timeout are closed; so are server sessions idle
 * in a pool that long. Cost: one pass over the sessions.
 */
export class SessionSweeper {
  private timer: NodeJS.Timeout | null = null;
  private sweeps = 0;

  constructor(
    private readonly sessions: ReadonlyMap<number, ClientSession>,
    private readonly config: ProxyConfig,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.sweep(), 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private sweep(): void {
    const limit = this.config.getTimeMs('default_inactivity_timeout');
    const now = Date.now();
    // Monitor items with no session for monitor_item_max_idle_period are dropped (their totals stay), once a minute.
    if (++this.sweeps % 60 === 0) this.metrics.sweep(now, this.config.getTimeMs('monitor_item_max_idle_period'));
    for (const s of [...this.sessions.values()]) {
      if (s.state === 'ready' && now - s.lastActiveAt > limit) {
        this.log.info('PROXY', `cs_id=${s.id} idle for ${Math.round((now - s.lastActiveAt) / 1000)} s > default_inactivity_timeout`);
        s.close(null);
        continue;
      }
      for (const ss of [...s.pool.values()]) {
        if (ss !== s.active && now - ss.lastUsedAt > limit) {
          s.pool.remove(ss);
          ss.conn.quit();
        }
      }
    }
  }
}

/** enable_client_connection_lru_disconnect: the least recently active idle session makes room. False: none is idle. */
export function evictLru(sessions: ReadonlyMap<number, ClientSession>): boolean {
  let victim: ClientSession | null = null;
  for (const s of sessions.values()) {
    if (s.state !== 'ready' || s.inTransaction) continue;
    if (victim === null || s.lastActiveAt < victim.lastActiveAt) victim = s;
  }
  if (victim === null) return false;
  victim.close('evicted: client_max_connections reached and enable_client_connection_lru_disconnect is on');
  return true;
}
