// What a client session needs from the proxy around it. Implemented by src/main.ts; tests may build their own.
import type { ServerAddress } from '../backend/server-connection.js';
import type { Logger } from '../observe/log.js';
import type { AdminContext } from '../admin/index.js';
import type { AuthSource } from '../backend/auth-source.js';
import type { RouteParse, RouteParseCache } from '../route/sql/index.js';
import type { ReplicaLocation } from '../route/location/types.js';
import type { IdcMap } from '../route/policy/index.js';
import type { RoutingMode } from './transact.js';
import type { Metrics } from '../observe/metrics.js';
import type { RequestMonitor } from '../observe/request-monitor.js';
import type { RouteDiagnosis } from '../observe/route-diagnosis.js';

/** What KILL and SHOW PROCESSLIST see of a client session (its own or another one). */
export interface PeerSession {
  readonly id: number;
  readonly user: string;
  readonly tenant: string | null;
  readonly remote: string;
  readonly database: string | null;
  /** processlist Command: 'Sleep', 'Query', 'Execute', 'Connect' ... */
  processCommand(): string;
  /** Seconds in the current command (or idle). */
  processTime(): number;
  processInfo(): string | null;
  /** Server running this session's statement now (key, that server's thread id); null when idle. */
  runningOn(): { readonly key: string; readonly threadId: number } | null;
  /** Thread id of this session's server connection to server `key`, or null when it has none there. */
  serverThread(key: string): number | null;
  close(reason: string | null): void;
}

export type LocateResult =
  | {
      readonly kind: 'leader';
      readonly key: string;
      readonly detail: string;
      /** The tablet's replicas, leader first, and whether the table is replicated: the route policy's input (§5.3). */
      readonly replicas?: readonly ReplicaLocation[];
      readonly duplicate?: boolean;
    }
  | { readonly kind: 'none'; readonly detail: string }
  | { readonly kind: 'fetch'; readonly wait: Promise<void> };

/** Values a statement's placeholders and user variables take (COM_STMT_EXECUTE parameters, EXECUTE ... USING). */
export interface LocateParams {
  readonly placeholders: readonly unknown[] | null;
  readonly userVars: ReadonlyMap<string, string> | null;
}

export interface RoutingSettings {
  readonly mode: RoutingMode;
  /** `target_db_server` parameter (spec §5.8), '' when unset. */
  readonly targetDbServer: string;
  /** Configured servers believed up, in configured order. */
  readonly alive: readonly string[];
  readonly down: ReadonlySet<string>;
}

/** Route policy parameters (spec §5.2, §5.3, §3.6) and the servers' LDC classes. */
export interface PolicySettings {
  /** proxy_route_policy ('' = default). */
  readonly weakPolicy: string;
  /** proxy_idc_name ('' = no LDC). */
  readonly proxyIdc: string;
  /** obproxy_read_consistency = 1: reads are WEAK unless the hint or the session says otherwise. */
  readonly weakByDefault: boolean;
  /** LDC classes of the cluster's servers for a proxy IDC (cached; null = all SAME_IDC). */
  idc(proxyIdc: string): IdcMap;
}

export interface SessionSettings {
  readonly connectTimeoutMs: number;
  readonly authTimeoutMs: number;
  readonly clientKeepAliveIdleMs: number;
  readonly serverKeepAliveIdleMs: number;
  /** observer_query_timeout_delta: added to the session's statement timeout to bound the wait for a response. */
  readonly queryTimeoutDeltaMs: number;
  /** Handshake server version sent to clients; null = the backend's own version string. */
  readonly serverVersion: string | null;
  /** request_buffer_length: bytes of a statement's text the route parser sees (spec §4.1); follows the parameter. */
  readonly parseBytes: number;
}

export interface SessionContext {
  readonly settings: SessionSettings;
  readonly log: Logger;
  /** Backend for a new session (mysql mode: -r list, skipping servers known to be down). */
  pickServer(): ServerAddress;
  /** Greeting when no backend could be reached (admin logins still work): capabilities and version. */
  defaultCapabilities(): number;
  defaultServerVersion(): string;
  usernameSeparators(): readonly string[];
  /** Stored SHA1 stage1 hex of a proxysys user's password ('' = empty password), null = no such user. */
  proxysysPasswordHash(user: string): string | null;
  readonly version: string;
  /** The view admin commands get, for the session with this id. */
  adminContext(sessionId: number): AdminContext;
  /** Called once when a session closes. */
  onSessionClosed(id: number): void;
  /** Graceful stop in progress: a session closes once its request is answered and no transaction is open. */
  readonly draining: boolean;

  // ---- connection management (issue 3) ----
  /** The password-hash source for proxy-scramble logins (enable_proxy_scramble=true), or null: pass-through. */
  authSource(): AuthSource | null;
  /** Greeting of a proxy-scramble login: what the backends showed at start-up. */
  greetingDefaults(): { capabilities: number; mariadbCapabilities: number; serverVersion: string; charset: number };
  /** Address the proxy connects to backends from (auth-source host matching). */
  outgoingHost(): string;
  /** Servers to try for a new session's first server session, best first. */
  loginOrder(): readonly string[];
  addressOf(key: string): ServerAddress;
  reportServerDown(key: string, why: string): void;
  reportServerUp(key: string): void;
  /** Routing inputs; in oceanbase mode for the given tenant (its servers), ignored otherwise. */
  routing(tenant?: string | null): RoutingSettings;
  /** Route policy inputs for statements routed by partition (spec §5.2–§5.4). */
  routePolicy(): PolicySettings;
  /** server_routing_mode=oceanbase: logins and routing follow the cluster's tenants (spec §2.2, §5.1). */
  obMode(): boolean;
  /** Tenant of a user name that names none (proxy_tenant_name, else sys). */
  defaultTenant(): string;
  /** The cluster's name (rootservice_cluster_name or what the cluster reported); '' in mysql mode. */
  clusterName(): string;
  /**
   * oceanbase mode: the partition leader a statement needs (spec §5.1), from the location cache. 'fetch': the table's
   * entry is being fetched; wait, then ask again. Never called in mysql mode. `dg`: the session's route diagnosis
   * when it records (spec §9), which gets the table entry and partition points.
   */
  locate(tenant: string, db: string | null, parse: RouteParse, params: LocateParams, allowFetch: boolean, dg?: RouteDiagnosis | null): LocateResult;
  /** Partition-miss feedback (ob_proxy_partition_hit=0): refresh that table's locations. */
  invalidateLocation(tenant: string, db: string, table: string, reason: string): void;
  /** Observers to try for a new session of `tenant`, best first. */
  tenantLoginOrder(tenant: string): readonly string[];
  readonly routeCache: RouteParseCache;
  findPeer(id: number): PeerSession | undefined;
  peers(): Iterable<PeerSession>;

  // ---- observability (spec §10, §12) ----
  readonly metrics: Metrics;
  /** Digest/slow/error/stat logging of each request; null when the proxy has no log files. */
  readonly monitor: RequestMonitor | null;
}
