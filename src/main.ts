// Start-up and lifecycle: validate configuration, probe backends, listen, accept sessions; SIGTERM drains,
// a second SIGTERM or SIGQUIT stops at once.

import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { OdpError } from './errors/catalogue.js';
import { writeErr } from './protocol/err.js';
import { PacketWriter } from './protocol/writer.js';
import { ServerConnection, formatAddress, parseAddressList, type ServerAddress } from './backend/server-connection.js';
import type { ProxyConfig } from './config/config.js';
import { Logger } from './observe/log.js';
import { Capability, commandName } from './protocol/constants.js';
import type { AdminContext, AdminSessionView } from './admin/index.js';
import { ServerStatusBits } from './protocol/response.js';
import { maskCapabilities } from './session/commands.js';
import { ClientSession } from './session/client-session.js';
import type { SessionContext, SessionSettings } from './session/context.js';
import { SessionIdAllocator } from './session/session-id.js';
import type { LocateParams, LocateResult, PeerSession, PolicySettings, RoutingSettings } from './session/context.js';
import type { RouteParse } from './route/sql/index.js';
import type { RoutingMode } from './session/transact.js';
import { AuthSource } from './backend/auth-source.js';
import { RouteParseCache } from './route/sql/index.js';
import type { LogFiles } from './observe/log-files.js';
import { Metrics } from './observe/metrics.js';
import { RequestMonitor } from './observe/request-monitor.js';
import { ObserveHttpServer } from './observe/http.js';
import type { IdcMap } from './route/policy/index.js';
import { ClusterBootstrapError, ObCluster } from './ob-cluster.js';
import type { RouteDiagnosis } from './observe/route-diagnosis.js';

export interface ProxyOptions {
  readonly config: ProxyConfig;
  readonly log: Logger;
  /** ODP's log files (digest, slow, error, stat); null: none (embedded use). */
  readonly files?: LogFiles | null;
  /** Version string for `-V` / handshake default. */
  readonly version: string;
}

export class StartupError extends Error {}

export interface BackendProbe {
  readonly address: ServerAddress;
  readonly ok: boolean;
  readonly version: string;
  readonly capabilities: number;
  readonly mariadbCapabilities: number;
  readonly charset: number;
  /** The proxy's own address on that connection (auth-source host matching). */
  readonly localAddress: string;
  readonly error: string;
}

/** Greeting capabilities when no backend answered at start-up (a MySQL 5.7-like classic set). */
const DEFAULT_CAPABILITIES = Capability.LONG_PASSWORD | Capability.FOUND_ROWS | Capability.LONG_FLAG |
  Capability.CONNECT_WITH_DB | Capability.LOCAL_FILES | Capability.PROTOCOL_41 | Capability.INTERACTIVE |
  Capability.TRANSACTIONS | Capability.SECURE_CONNECTION | Capability.MULTI_STATEMENTS | Capability.MULTI_RESULTS |
  Capability.PS_MULTI_RESULTS | Capability.PLUGIN_AUTH | Capability.CONNECT_ATTRS |
  Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA | Capability.SESSION_TRACK | Capability.DEPRECATE_EOF;

/** Connects to each backend and reads its greeting (no login). */
export async function probeBackends(list: readonly ServerAddress[], timeoutMs: number): Promise<BackendProbe[]> {
  return Promise.all(list.map(async (address) => {
    try {
      const c = await ServerConnection.open(address, { connectTimeoutMs: timeoutMs, keepAliveIdleMs: 60_000 });
      const hs = c.handshake;
      const localAddress = c.socket.localAddress ?? '127.0.0.1';
      c.destroy();
      return {
        address, ok: true, version: hs?.serverVersion ?? '', capabilities: hs?.capabilities ?? 0,
        mariadbCapabilities: hs?.mariadbCapabilities ?? 0, charset: hs?.charset ?? 45, localAddress, error: '',
      };
    } catch (e) {
      return {
        address, ok: false, version: '', capabilities: 0, mariadbCapabilities: 0, charset: 45, localAddress: '',
        error: e instanceof OdpError ? e.message : String(e),
      };
    }
  }));
}

export class Proxy implements SessionContext {
  readonly settings: SessionSettings;
  readonly log: Logger;
  readonly sessions = new Map<number, ClientSession>();
  private readonly config: ProxyConfig;
  private readonly ids: SessionIdAllocator;
  private readonly backends: ServerAddress[];
  private readonly probes: readonly BackendProbe[];
  readonly version: string;
  readonly startedAt = Date.now();
  private server: Server | null = null;
  private readonly counters = { accepted: 0, refused: 0, loginFailures: 0, closedRequests: 0, closedBytesIn: 0, closedBytesOut: 0, closedTransactions: 0 };
  /** SIGTERM received: no new sessions; a session closes as soon as it is idle outside a transaction. */
  draining = false;
  listenPort = 0;
  /** Sessions cut statements at request_buffer_length bytes themselves and say so (get(sql, truncated)). */
  readonly routeCache = new RouteParseCache(8192, { maxLength: Infinity });
  private source: AuthSource | null = null;
  /** Configured server key -> address, in configured order. */
  private readonly configured = new Map<string, ServerAddress>();
  /** Server key -> when it was found unreachable. */
  private readonly downSince = new Map<string, number>();
  private routingCache: RoutingSettings | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  /** Metrics behind /metrics and SHOW PROXYSTAT (one set of numbers), and the per-request monitor (spec §10, §12). */
  readonly metrics: Metrics;
  readonly monitor: RequestMonitor | null;
  private readonly unbindMetrics: () => void;
  private http: ObserveHttpServer | null = null;
  /** oceanbase mode: the cluster's servers and tenants, metadata connections and location cache (spec §3). */
  private ob: ObCluster | null = null;
  private policySettings: PolicySettings | null = null;
  private readonly idcOf = (proxyIdc: string): IdcMap => this.ob?.idcOf(proxyIdc) ?? null; // null: all SAME_IDC

  constructor(opts: ProxyOptions, probes: readonly BackendProbe[]) {
    this.config = opts.config;
    this.log = opts.log;
    this.version = opts.version;
    this.probes = probes;
    this.backends = probes.filter((p) => p.ok).map((p) => p.address);
    for (const p of probes) {
      this.configured.set(formatAddress(p.address), p.address);
      if (!p.ok) this.downSince.set(formatAddress(p.address), Date.now());
    }
    const m = Metrics.fromConfig(opts.config);
    this.metrics = m.metrics;
    this.unbindMetrics = m.unbind;
    this.metrics.addStatSource(() => this.liveStats());
    const files = opts.files ?? null;
    if (files !== null) this.metrics.setLogDropSource(() => files.droppedByFile());
    this.monitor = files !== null ? RequestMonitor.fromConfig(this.metrics, files, opts.config) : null;
    this.monitor?.start();
    for (const name of ['server_routing_mode', 'target_db_server', 'min_keep_congestion_interval']) {
      opts.config.onChange(name, () => {
        this.routingCache = null;
        this.ob?.clear(); // oceanbase mode keeps its routing inputs per tenant
      });
    }
    for (const name of ['proxy_route_policy', 'proxy_idc_name', 'obproxy_read_consistency']) {
      opts.config.onChange(name, () => { this.policySettings = null; });
    }
    const c = opts.config;
    const explicitVersion = c.get('mysql_version');
    this.settings = {
      connectTimeoutMs: c.getTimeMs('short_async_task_timeout'),
      authTimeoutMs: 30_000,
      clientKeepAliveIdleMs: c.getInt('client_tcp_keepidle') * 1000,
      serverKeepAliveIdleMs: c.getInt('server_tcp_keepidle') * 1000,
      queryTimeoutDeltaMs: c.getTimeMs('observer_query_timeout_delta'),
      // mysql mode: clients see the backend's own version unless mysql_version is set explicitly.
      serverVersion: explicitVersion === '' || explicitVersion === '5.6.25' ? null : explicitVersion,
      parseBytes: c.getBytes('request_buffer_length'),
    };
    c.onChange('request_buffer_length', () => {
      (this.settings as { parseBytes: number }).parseBytes = c.getBytes('request_buffer_length');
    });
    const version = c.getInt('client_session_id_version') === 2 ? 2 : 1;
    this.ids = new SessionIdAllocator(
      { version, proxyId: c.getInt('proxy_id'), upgradeVersion: 0, threadId: 0, threadCount: 1 },
      (id) => this.sessions.has(id),
    );
  }

  pickServer(): ServerAddress {
    const first = this.loginOrder()[0];
    return first !== undefined ? this.addressOf(first) : this.backends[0]!;
  }

  // ---- connection management -----------------------------------------------------------------------------------

  /**
   * Loads the auth source when `enable_proxy_scramble` is on (docs/AUTH.md §2): at start-up a failure is a one-line
   * StartupError; switched on at run time, a failure is logged and new sessions stay pass-through.
   */
  async loadAuthSource(): Promise<void> {
    const c = this.config;
    c.onChange('enable_proxy_scramble', () => {
      if (c.getBool('enable_proxy_scramble') && this.source === null) {
        this.buildAuthSource().catch((e: unknown) => this.log.error('PROXY', (e as Error).message));
      }
    });
    if (c.getBool('enable_proxy_scramble')) await this.buildAuthSource().catch((e: unknown) => { throw new StartupError((e as Error).message); });
  }

  private async buildAuthSource(): Promise<void> {
    const c = this.config;
    const source = new AuthSource({
      servers: () => this.loginOrder().map((k) => this.addressOf(k)),
      user: c.get('metadata_user'),
      stage1Hex: c.get('observer_sys_password'),
      connectTimeoutMs: c.getTimeMs('short_async_task_timeout'),
      queryTimeoutMs: c.getTimeMs('short_async_task_timeout'),
      refreshMinIntervalMs: 1000,
    });
    try {
      await source.load();
    } catch (e) {
      throw new Error(`enable_proxy_scramble: cannot load password hashes as ${c.get('metadata_user')}: ${(e as Error).message}`);
    }
    this.source = source;
    this.log.info('PROXY', `auth source loaded: ${source.size} accounts; new sessions may use every server`);
  }

  authSource(): AuthSource | null {
    return this.config.getBool('enable_proxy_scramble') ? this.source : null;
  }

  greetingDefaults(): { capabilities: number; mariadbCapabilities: number; serverVersion: string; charset: number } {
    const p = this.probes.find((x) => x.ok);
    return {
      capabilities: this.defaultCapabilities(),
      mariadbCapabilities: p?.mariadbCapabilities ?? 0,
      serverVersion: this.defaultServerVersion(),
      charset: p?.charset ?? 45,
    };
  }

  outgoingHost(): string {
    return this.probes.find((x) => x.ok)?.localAddress ?? '127.0.0.1';
  }

  loginOrder(): readonly string[] {
    return this.routing().alive;
  }

  addressOf(key: string): ServerAddress {
    return this.configured.get(key) ?? parseAddressList(key)[0]!;
  }

  reportServerDown(key: string, why: string): void {
    if (this.downSince.has(key)) return;
    this.downSince.set(key, Date.now());
    this.routingCache = null;
    this.ob?.clear();
    this.log.warn('PROXY', `server ${key} marked down: ${why}`);
  }

  reportServerUp(key: string): void {
    if (!this.downSince.delete(key)) return;
    this.routingCache = null;
    this.ob?.clear();
    this.log.info('PROXY', `server ${key} is reachable again`);
  }

  locate(tenant: string, db: string | null, parse: RouteParse, params: LocateParams, allowFetch: boolean, dg: RouteDiagnosis | null = null): LocateResult {
    return this.ob === null ? { kind: 'none', detail: 'no table' } : this.ob.locate(tenant, db, parse, params, allowFetch, dg);
  }

  invalidateLocation(tenant: string, db: string, table: string, reason: string): void {
    this.ob?.invalidateLocation(tenant, db, table, reason);
  }

  /** Route policy inputs (spec §5.2, §5.3, §3.6): cached until one of their parameters changes; LDC classes cached. */
  routePolicy(): PolicySettings {
    let p = this.policySettings;
    if (p === null) {
      const c = this.config;
      p = { weakPolicy: c.get('proxy_route_policy'), proxyIdc: c.get('proxy_idc_name'), weakByDefault: c.getInt('obproxy_read_consistency') === 1, idc: this.idcOf };
      this.policySettings = p;
    }
    return p;
  }

  obMode(): boolean {
    return this.ob !== null;
  }

  defaultTenant(): string {
    return this.config.get('proxy_tenant_name') || 'sys';
  }

  clusterName(): string {
    return this.ob?.resource.clusterName ?? '';
  }

  tenantLoginOrder(tenant: string): readonly string[] {
    const alive = [...this.routing(tenant).alive];
    // Spread new sessions over the tenant's servers (Fisher-Yates).
    for (let i = alive.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [alive[i], alive[j]] = [alive[j]!, alive[i]!];
    }
    return alive;
  }

  /** oceanbase mode: bootstrap from the rs list as metadata_user@sys (spec §3.1). One-line StartupError on failure. */
  async startCluster(rsList: readonly ServerAddress[]): Promise<void> {
    if (this.config.get('server_routing_mode') !== 'oceanbase') return;
    try {
      this.ob = await ObCluster.start(this.config, this.log, rsList, (res) => {
        for (const srv of res.servers()) this.configured.set(srv.key, { host: srv.ip, port: srv.port });
      });
    } catch (e) {
      throw e instanceof ClusterBootstrapError ? new StartupError(e.message) : e;
    }
  }

  /**
   * Routing inputs, cached until something changes. A server marked down is avoided for min_keep_congestion_interval
   * (spec §7.1), then tried again by the next session that needs it; when every server is down, all are tried.
   */
  routing(tenant: string | null = null): RoutingSettings {
    const expired = this.expireDown();
    if (this.ob !== null) {
      if (expired) this.ob.clear();
      return this.ob.routing(tenant ?? this.defaultTenant(), this.downSince);
    }
    let r = this.routingCache;
    if (!expired && r !== null) return r;
    const all = [...this.configured.keys()];
    const alive = all.filter((k) => !this.downSince.has(k));
    r = {
      mode: this.config.get('server_routing_mode') === 'random' ? 'random' : 'mysql' as RoutingMode,
      targetDbServer: this.config.get('target_db_server'),
      alive: alive.length > 0 ? alive : all,
      down: new Set(this.downSince.keys()),
    };
    this.routingCache = r;
    return r;
  }

  /** Forgets servers down for min_keep_congestion_interval or longer (they are tried again); true if any was. */
  private expireDown(): boolean {
    if (this.downSince.size === 0) return false;
    const now = Date.now();
    const keep = this.config.getTimeMs('min_keep_congestion_interval');
    let expired = false;
    for (const [k, t] of this.downSince) {
      if (now - t < keep) continue;
      this.downSince.delete(k);
      expired = true;
    }
    return expired;
  }

  findPeer(id: number): PeerSession | undefined {
    const s = this.sessions.get(id);
    return s === undefined || s.identity === null ? undefined : s;
  }

  peers(): Iterable<PeerSession> {
    return [...this.sessions.values()].filter((s) => s.identity !== null);
  }

  /**
   * Once a second: client sessions idle longer than default_inactivity_timeout are closed (spec §6.1); so are server
   * sessions idle in a pool that long. Cost: one pass over the sessions.
   */
  startSweeper(): void {
    this.sweeper = setInterval(() => this.sweep(), 1000);
    this.sweeper.unref();
  }

  private sweeps = 0;

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

  /** enable_client_connection_lru_disconnect: the least recently active idle session makes room. */
  private evictLru(): boolean {
    let victim: ClientSession | null = null;
    for (const s of this.sessions.values()) {
      if (s.state !== 'ready' || s.inTransaction) continue;
      if (victim === null || s.lastActiveAt < victim.lastActiveAt) victim = s;
    }
    if (victim === null) return false;
    victim.close('evicted: client_max_connections reached and enable_client_connection_lru_disconnect is on');
    return true;
  }

  onSessionClosed(id: number): void {
    const s = this.sessions.get(id);
    if (s === undefined) return;
    this.sessions.delete(id);
    this.counters.closedRequests += s.requests;
    this.counters.closedBytesIn += s.bytesFromClient;
    this.counters.closedBytesOut += s.bytesToClient;
    this.counters.closedTransactions += s.transCount;
    if (s.identity === null) this.counters.loginFailures++;
  }

  defaultCapabilities(): number {
    const p = this.probes.find((x) => x.ok);
    return p !== undefined ? maskCapabilities(p.capabilities) : maskCapabilities(DEFAULT_CAPABILITIES);
  }

  defaultServerVersion(): string {
    return this.probes.find((x) => x.ok)?.version ?? '5.6.25';
  }

  /**
   * mysql mode: backend account names are not OceanBase identities, so only the standard `user@tenant#cluster`
   * form is recognised (no separator forms that would read `acme-sys-root` as root@sys).
   */
  usernameSeparators(): readonly string[] {
    return this.config.get('server_routing_mode') === 'oceanbase' ? this.config.getList('username_separator') : [];
  }

  proxysysPasswordHash(user: string): string | null {
    if (user === 'root') return this.config.get('obproxy_sys_password');
    if (user === 'inspector') return this.config.get('inspector_password');
    return null;
  }

  adminContext(sessionId: number): AdminContext {
    const self = this;
    const s = this.sessions.get(sessionId);
    const id = s?.identity ?? null;
    const tenant = id?.tenant ?? 'sys';
    return {
      config: this.config,
      version: this.version,
      startedAt: this.startedAt,
      pid: process.pid,
      routingMode: this.config.get('server_routing_mode'),
      backends: this.probes.map((p) => ({ address: formatAddress(p.address), up: p.ok, version: p.version })),
      sessions: () => [...this.sessions.values()].map((x) => this.viewOf(x)),
      session: (n: number) => {
        const x = this.sessions.get(n);
        return x === undefined ? undefined : this.viewOf(x);
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
        const x = self.sessions.get(n);
        if (x === undefined) return false;
        x.close(`killed by session ${sessionId}`);
        return true;
      },
      stats: () => this.stats(),
      // ODP's REFRESH brings per-thread totals up to date; odp's counters are computed live, so nothing to do.
      refreshStats: () => undefined,
    };
  }

  private viewOf(s: ClientSession): AdminSessionView {
    const local = s.socket.localAddress ?? '';
    return {
      id: s.id,
      proxySessId: String(this.listenPort * 2 ** 32 + s.id),
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

  stats(): Map<string, number> {
    return this.metrics.stats();
  }

  /** Counters the sessions keep themselves, merged into metrics.stats() (so SHOW PROXYSTAT and /metrics agree). */
  private liveStats(): Map<string, number> {
    let requests = this.counters.closedRequests;
    let bytesIn = this.counters.closedBytesIn;
    let bytesOut = this.counters.closedBytesOut;
    let transactions = this.counters.closedTransactions;
    let servers = 0;
    for (const s of this.sessions.values()) {
      requests += s.requests;
      bytesIn += s.bytesFromClient;
      bytesOut += s.bytesToClient;
      transactions += s.transCount;
      servers += s.pool.size;
    }
    // Names follow ODP's SHOW PROXYSTAT where one exists.
    return new Map([
      ['total_client_connections', this.counters.accepted],
      ['current_client_connections', this.sessions.size],
      ['current_server_connections', servers],
      ['refused_client_connections', this.counters.refused],
      ['client_login_failures', this.counters.loginFailures],
      ['client_requests', requests],
      ['total_transaction_count', transactions],
      ['net_total_read_bytes', bytesIn],
      ['net_total_write_bytes', bytesOut],
      ['uptime_seconds', Math.floor((Date.now() - this.startedAt) / 1000)],
    ]);
  }

  /** /metrics, /healthz, /readyz on prometheus_listen_port (spec §12). A busy port is a one-line StartupError. */
  async startHttp(): Promise<void> {
    const c = this.config;
    const host = c.get('local_bound_ip') || '0.0.0.0';
    const http = new ObserveHttpServer({
      host,
      port: c.getInt('prometheus_listen_port'),
      metrics: this.metrics,
      prometheusEnabled: () => c.getBool('enable_prometheus'),
      readiness: () => ({ listening: this.server !== null && this.server.listening, metadataLoaded: true, draining: this.draining }),
    });
    try {
      await http.start();
    } catch (e) {
      throw new StartupError(`cannot serve metrics on ${host}:${c.getInt('prometheus_listen_port')}: ${(e as Error).message}`);
    }
    this.http = http;
  }

  private async stopObserve(): Promise<void> {
    this.ob?.stop();
    this.monitor?.stop();
    this.unbindMetrics();
    await this.http?.stop();
  }

  /** Listens on local_bound_ip:listen_port. Rejects with a one-line StartupError (e.g. port busy). */
  listen(): Promise<void> {
    const host = this.config.get('local_bound_ip') || '0.0.0.0';
    const port = this.config.getInt('listen_port');
    const srv = createServer({ noDelay: true, keepAlive: true }, (socket) => this.accept(socket));
    this.server = srv;
    return new Promise((resolve, reject) => {
      srv.once('error', (err: NodeJS.ErrnoException) => {
        reject(new StartupError(`cannot listen on ${host}:${port}: ${err.code === 'EADDRINUSE' ? 'address already in use' : err.message}`));
      });
      srv.listen({ host, port, backlog: 1024 }, () => {
        const addr = srv.address();
        this.listenPort = typeof addr === 'object' && addr !== null ? addr.port : port;
        srv.on('error', (err) => this.log.error('NET', `listener error: ${err.message}`));
        resolve();
      });
    });
  }

  private accept(socket: Socket): void {
    socket.on('error', () => undefined); // session installs its own handler; this one covers early errors
    const max = this.config.getInt('client_max_connections');
    const full = max > 0 && this.sessions.size >= max;
    if (this.draining || (full && !(this.config.getBool('enable_client_connection_lru_disconnect') && this.evictLru()))) {
      const w = new PacketWriter(64);
      const e = new OdpError(this.draining ? 'SERVER_SHUTDOWN' : 'TOO_MANY_CONNECTIONS');
      writeErr(w, e.errno, e.sqlState, e.clientMessage, 0);
      socket.end(w.take());
      this.counters.refused++;
      this.metrics.clientRefused();
      this.log.warn('PROXY', `refused client ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}: ${e.clientMessage}`);
      return;
    }
    let id: number;
    try {
      id = this.ids.next();
    } catch {
      socket.destroy();
      return;
    }
    this.counters.accepted++;
    const session = new ClientSession(id, socket, this);
    this.sessions.set(id, session);
    void session.start();
  }

  /**
   * Graceful stop: no new connections; idle sessions close at once; sessions with a statement or transaction in
   * flight get until `timeoutMs`, then ERR 1053 and a close.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.server?.close();
    const deadline = Date.now() + timeoutMs;
    while (this.sessions.size > 0 && Date.now() < deadline) {
      for (const s of [...this.sessions.values()]) {
        if (s.state === 'ready' && !s.inTransaction) s.close('proxy is shutting down');
      }
      if (this.sessions.size === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const s of [...this.sessions.values()]) {
      // Sequence id: 0 for an unsolicited ERR in the command phase or in place of the greeting's answer; after the
      // client's handshake response the server side speaks next with 2.
      if (s.state === 'ready' || s.state === 'handshake' || s.state === 'auth') s.sendError('SERVER_SHUTDOWN', [], s.state === 'auth' ? 2 : 0);
      s.close('drain timeout');
    }
    await this.stopObserve();
    await flushDelay();
  }

  async stopNow(): Promise<void> {
    this.draining = true;
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.server?.close();
    for (const s of [...this.sessions.values()]) s.close('immediate stop');
    await this.stopObserve();
    await flushDelay();
  }
}


/**
 * Each client session needs a descriptor plus one per server session: warn when client_max_connections cannot be
 * reached within the process's open-file limit (Linux: /proc/self/limits), since accept() then fails silently.
 */
function warnOpenFileLimit(maxConnections: number, log: Logger): void {
  let soft = Infinity;
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m !== null && m[1] !== 'unlimited') soft = Number(m[1]);
  } catch {
    return; // not Linux: nothing to check
  }
  const need = (maxConnections === 0 ? 8192 : maxConnections) * 2 + 64;
  if (need > soft) {
    log.warn('PROXY', `open-file limit ${soft} is below the ${need} descriptors client_max_connections=${maxConnections} needs (client plus server socket each); raise it (ulimit -n / LimitNOFILE)`);
  }
}

/** Lets the last ERR/COM_QUIT writes reach the kernel before the process exits. */
function flushDelay(): Promise<void> {
  return new Promise((r) => setTimeout(r, 100));
}

/** Validates, probes and starts listening. Throws StartupError with a one-line message on any problem. */
export async function startProxy(opts: ProxyOptions): Promise<Proxy> {
  const c = opts.config;
  const mode = c.get('server_routing_mode');
  if (mode !== 'mysql' && mode !== 'random' && mode !== 'oceanbase') {
    throw new StartupError(`server_routing_mode=${mode} is not available yet; use oceanbase, mysql or random`);
  }
  const rs = c.get('rootservice_list');
  if (rs.trim() === '') throw new StartupError('no backend servers: give -r ip:port[;ip:port...]');
  let backends: ServerAddress[];
  try {
    backends = parseAddressList(rs);
  } catch (e) {
    throw new StartupError((e as Error).message);
  }
  const probes = await probeBackends(backends, c.getTimeMs('short_async_task_timeout'));
  const up = probes.filter((p) => p.ok);
  if (up.length === 0) {
    throw new StartupError(`no backend reachable: ${probes.map((p) => `${formatAddress(p.address)} (${p.error})`).join(', ')}`);
  }
  const proxy = new Proxy(opts, probes);
  await proxy.startCluster(backends);
  await proxy.loadAuthSource();
  await proxy.startHttp();
  await proxy.listen();
  proxy.startSweeper();
  // Logged only once listening succeeded, so a start-up failure stays a single line on stderr.
  warnOpenFileLimit(c.getInt('client_max_connections'), opts.log);
  if (c.get('obproxy_sys_password') === '') {
    opts.log.warn('PROXY', 'root@proxysys has an empty password: anyone who reaches this port can change the configuration; set obproxy_sys_password');
  }
  for (const p of probes) {
    if (p.ok) opts.log.info('PROXY', `backend ${formatAddress(p.address)} is up, version ${p.version}`);
    else opts.log.warn('PROXY', `backend ${formatAddress(p.address)} is down: ${p.error}`);
  }
  return proxy;
}
