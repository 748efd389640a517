// Start-up and lifecycle: validate configuration, probe backends, listen, accept sessions; SIGTERM drains,
// a second SIGTERM or SIGQUIT stops at once. The Proxy is every session's SessionContext: it owns the session table,
// the configured servers and their down marks, and the routing inputs sessions read per statement. Split out:
// startup.ts (checks and notes before and after listening), admin-views.ts (what admin commands see, proxy-wide
// counters), session-sweep.ts (inactivity sweep, LRU eviction), auth-loader.ts (enable_proxy_scramble), ob-cluster.ts.

import { createServer, type Server, type Socket } from 'node:net';
import { OdpError } from './errors/catalogue.js';
import { writeErr } from './protocol/err.js';
import { PacketWriter } from './protocol/writer.js';
import { formatAddress, parseAddressList, type ServerAddress } from './backend/server-connection.js';
import type { ProxyConfig } from './config/config.js';
import { Logger } from './observe/log.js';
import { Capability } from './protocol/constants.js';
import type { AdminContext } from './admin/index.js';
import { maskCapabilities } from './session/commands.js';
import { ClientSession } from './session/client-session.js';
import type { SessionContext, SessionSettings } from './session/context.js';
import { SessionIdAllocator } from './session/session-id.js';
import type { LocateParams, LocateResult, PeerSession, PolicySettings, RoutingSettings } from './session/context.js';
import type { RouteParse } from './route/sql/index.js';
import type { RoutingMode } from './session/transact.js';
import type { AuthSource } from './backend/auth-source.js';
import { RouteParseCache } from './route/sql/index.js';
import type { LogFiles } from './observe/log-files.js';
import { Metrics } from './observe/metrics.js';
import { RequestMonitor } from './observe/request-monitor.js';
import type { ObserveHttpServer } from './observe/http.js';
import type { IdcMap } from './route/policy/index.js';
import { ClusterBootstrapError, ObCluster } from './ob-cluster.js';
import type { RouteDiagnosis } from './observe/route-diagnosis.js';
import { StartupError, logStartupNotes, probeConfiguredBackends, startObserveHttp, type BackendProbe } from './startup.js';
import { ProxyCounters, buildAdminContext } from './admin-views.js';
import { SessionSweeper, evictLru } from './session-sweep.js';
import { AuthLoader } from './auth-loader.js';

// Moved to startup.ts; still exported here for cli.ts and embedders.
export { StartupError, probeBackends, type BackendProbe } from './startup.js';

export interface ProxyOptions {
  readonly config: ProxyConfig;
  readonly log: Logger;
  /** ODP's log files (digest, slow, error, stat); null: none (embedded use). */
  readonly files?: LogFiles | null;
  /** Version string for `-V` / handshake default. */
  readonly version: string;
}

/** Greeting capabilities when no backend answered at start-up (a MySQL 5.7-like classic set). */
const DEFAULT_CAPABILITIES = Capability.LONG_PASSWORD | Capability.FOUND_ROWS | Capability.LONG_FLAG |
  Capability.CONNECT_WITH_DB | Capability.LOCAL_FILES | Capability.PROTOCOL_41 | Capability.INTERACTIVE |
  Capability.TRANSACTIONS | Capability.SECURE_CONNECTION | Capability.MULTI_STATEMENTS | Capability.MULTI_RESULTS |
  Capability.PS_MULTI_RESULTS | Capability.PLUGIN_AUTH | Capability.CONNECT_ATTRS |
  Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA | Capability.SESSION_TRACK | Capability.DEPRECATE_EOF;

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
  private readonly counters = new ProxyCounters();
  /** SIGTERM received: no new sessions; a session closes as soon as it is idle outside a transaction. */
  draining = false;
  listenPort = 0;
  /** Sessions cut statements at request_buffer_length bytes themselves and say so (get(sql, truncated)). */
  readonly routeCache = new RouteParseCache(8192, { maxLength: Infinity });
  private readonly auth: AuthLoader;
  /** Configured server key -> address, in configured order. */
  private readonly configured = new Map<string, ServerAddress>();
  /** Server key -> when it was found unreachable. */
  private readonly downSince = new Map<string, number>();
  private routingCache: RoutingSettings | null = null;
  private readonly sweeper: SessionSweeper;
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
    this.metrics.addStatSource(() => this.counters.live(this.sessions, this.startedAt));
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
    this.auth = new AuthLoader(c, this.log, () => this.loginOrder().map((k) => this.addressOf(k)));
    this.sweeper = new SessionSweeper(this.sessions, c, this.metrics, this.log);
  }

  pickServer(): ServerAddress {
    const first = this.loginOrder()[0];
    return first !== undefined ? this.addressOf(first) : this.backends[0]!;
  }

  // ---- connection management -----------------------------------------------------------------------------------

  /** Loads the auth source when `enable_proxy_scramble` is on (docs/AUTH.md §2); see AuthLoader.load(). */
  loadAuthSource(): Promise<void> {
    return this.auth.load();
  }

  authSource(): AuthSource | null {
    return this.auth.current();
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

  /** The inactivity sweep (spec §6.1), once a second until drain or stop. */
  startSweeper(): void {
    this.sweeper.start();
  }

  onSessionClosed(id: number): void {
    const s = this.sessions.get(id);
    if (s === undefined) return;
    this.sessions.delete(id);
    this.counters.addClosed(s);
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
    return buildAdminContext(this, this.config, this.probes, sessionId);
  }

  stats(): Map<string, number> {
    return this.metrics.stats();
  }

  /** /metrics, /healthz, /readyz on prometheus_listen_port (spec §12). A busy port is a one-line StartupError. */
  async startHttp(): Promise<void> {
    this.http = await startObserveHttp(this.config, this.metrics,
      () => ({ listening: this.server !== null && this.server.listening, metadataLoaded: true, draining: this.draining }));
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
    if (this.draining || (full && !(this.config.getBool('enable_client_connection_lru_disconnect') && evictLru(this.sessions)))) {
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
    this.sweeper.stop();
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
    this.sweeper.stop();
    this.server?.close();
    for (const s of [...this.sessions.values()]) s.close('immediate stop');
    await this.stopObserve();
    await flushDelay();
  }
}

/** Lets the last ERR/COM_QUIT writes reach the kernel before the process exits. */
function flushDelay(): Promise<void> {
  return new Promise((r) => setTimeout(r, 100));
}

/** Validates, probes and starts listening. Throws StartupError with a one-line message on any problem. */
export async function startProxy(opts: ProxyOptions): Promise<Proxy> {
  const { backends, probes } = await probeConfiguredBackends(opts.config);
  const proxy = new Proxy(opts, probes);
  await proxy.startCluster(backends);
  await proxy.loadAuthSource();
  await proxy.startHttp();
  await proxy.listen();
  proxy.startSweeper();
  // Logged only once listening succeeded, so a start-up failure stays a single line on stderr.
  logStartupNotes(opts.config, opts.log, probes);
  return proxy;
}
