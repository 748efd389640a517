// What admin commands see of the proxy (spec §8): the AdminContext one internal command gets, the per-session view
// behind SHOW PROXYSESSION and SHOW PROCESSLIST, and the proxy-wide counters merged into metrics.stats() (so SHOW
// PROXYSTAT and /metrics show one set of numbers). Admin path: everything here may allocate; the session table is
// read, and changed only by KILL closing a session.

import type { AdminContext, AdminSessionView } from './admin/index.js';
import { formatAddress } from './backend/server-connection.js';
import type { ProxyConfig } from './config/config.js';
import { commandName } from './protocol/constants.js';
import { ServerStatusBits } from './protocol/response.js';
import type { ClientSession } from './session/client-session.js';
import type { BackendProbe } from './startup.js';

/** The parts of the Proxy an AdminContext reads, each read when a command asks (listenPort, the session table). */
export interface AdminSource {
  readonly sessions: ReadonlyMap<number, ClientSession>;
  readonly version: string;
  readonly startedAt: number;
  readonly listenPort: number;
  stats(): Map<string, number>;
}

/** The view admin commands get, for the session with this id (its user decides what it may do). */
export function buildAdminContext(proxy: AdminSource, config: ProxyConfig, probes: readonly BackendProbe[], sessionId: number): AdminContext {
  const s = proxy.sessions.get(sessionId);
  const id = s?.identity ?? null;
  const tenant = id?.tenant ?? 'sys';
  return {
    config,
    version: proxy.version,
    startedAt: proxy.startedAt,
    pid: process.pid,
    routingMode: config.get('server_routing_mode'),
    backends: probes.map((p) => ({ address: formatAddress(p.address), up: p.ok, version: p.version })),
    sessions: () => [...proxy.sessions.values()].map((x) => viewOf(x, proxy.listenPort)),
    session: (n: number) => {
      const x = proxy.sessions.get(n);
      return x === undefined ? undefined : viewOf(x, proxy.listenPort);
    },
    currentSessionId: sessionId,
    currentUser: {
      user: id?.user ?? '',
      tenant,
      cluster: id?.cluster ?? null,
      isProxysysRoot: tenant === 'proxysys' && id?.user === 'root',
      isInspector: tenant === 'proxysys' && id?.user === 'inspector',
      isRootSys: tenant === 'sys' && id?.user === 'root',
    },
    killSession(n: number): boolean {
      const x = proxy.sessions.get(n);
      if (x === undefined) return false;
      x.close(`killed by session ${sessionId}`);
      return true;
    },
    stats: () => proxy.stats(),
    // ODP's REFRESH brings per-thread totals up to date; odp's counters are computed live, so nothing to do.
    refreshStats: () => undefined,
  };
}

/** proxy_sessid is the listen port in the high 32 bits and the session id in the low ones. */
function viewOf(s: ClientSession, listenPort: number): AdminSessionView {
  const local = s.socket.localAddress ?? '';
  return {
    id: s.id,
    proxySessId: String(listenPort * 2 ** 32 + s.id),
    user: s.identity?.user ?? s.user,
    tenant: s.identity?.tenant ?? null,
    cluster: s.identity?.cluster ?? null,
    host: s.remote,
    db: s.database,
    state: s.state,
    inTransaction: (s.status & ServerStatusBits.IN_TRANS) !== 0,
    transCount: s.transCount,
    serverSessionCount: s.pool.size,
    serverAddress: s.server?.name ?? null,
    serverConnectionId: s.server?.handshake?.connectionId ?? null,
    connectedAt: s.connectedAt,
    lastActiveAt: s.lastActiveAt,
    requests: s.requests,
    bytesFromClient: s.bytesFromClient,
    bytesToClient: s.bytesToClient,
    currentCommand: s.currentCommand >= 0 ? commandName(s.currentCommand) : null,
    commandStartedAt: s.currentCommand >= 0 ? s.commandStartedAt : null,
    usingSsl: false,
    localAddress: `${local}:${s.socket.localPort ?? 0}`,
  };
}

/**
 * Proxy-wide totals: clients accepted and refused, failed logins, and what closed sessions counted. Live sessions
 * keep their own counters; live() adds them in, one pass over the session table per read (SHOW PROXYSTAT, scrape).
 */
export class ProxyCounters {
  accepted = 0;
  refused = 0;
  loginFailures = 0;
  closedRequests = 0;
  closedBytesIn = 0;
  closedBytesOut = 0;
  closedTransactions = 0;

  /** Called once per session, when it leaves the session table. */
  addClosed(s: ClientSession): void {
    this.closedRequests += s.requests;
    this.closedBytesIn += s.bytesFromClient;
    this.closedBytesOut += s.bytesToClient;
    this.closedTransactions += s.transCount;
    if (s.identity === null) this.loginFailures++;
  }

  /** Counters the sessions keep themselves, merged into metrics.stats() (so SHOW PROXYSTAT and /metrics agree). */
  live(sessions: ReadonlyMap<number, ClientSession>, startedAt: number): Map<string, number> {
    let requests = this.closedRequests;
    let bytesIn = this.closedBytesIn;
    let bytesOut = this.closedBytesOut;
    let transactions = this.closedTransactions;
    let servers = 0;
    for (const s of sessions.values()) {
      requests += s.requests;
      bytesIn += s.bytesFromClient;
      bytesOut += s.bytesToClient;
      transactions += s.transCount;
      servers += s.pool.size;
    }
    // Names follow ODP's SHOW PROXYSTAT where one exists.
    return new Map([
      ['total_client_connections', this.accepted],
      ['current_client_connections', sessions.size],
      ['current_server_connections', servers],
      ['refused_client_connections', this.refused],
      ['client_login_failures', this.loginFailures],
      ['client_requests', requests],
      ['total_transaction_count', transactions],
      ['net_total_read_bytes', bytesIn],
      ['net_total_write_bytes', bytesOut],
      ['uptime_seconds', Math.floor((Date.now() - startedAt) / 1000)],
    ]);
  }
}
