// The cluster resource of `server_routing_mode=oceanbase` (spec §3.1, §3.2): bootstrap from the rootservice list
// (version check, server/zone list with region and IDC, tenants and their server lists), then a refresh every
// refreshIntervalMs. All metadata goes through the MetadataClient (proxyro@sys), never a client session.
// Failure policy: start() rejects with one line naming what failed; a failing refresh keeps the last good data and
// records lastError; a bad row is skipped with a log line. Readers (servers(), tenant()) are synchronous and see
// whole snapshots: a refresh replaces the arrays/maps, it never mutates one a reader may hold.
// Lifecycle: new -> starting -> ready -> stopped (a failed start goes back to new and may be retried).
// Not owned: the MetadataClient (the caller closes it after stop()).
// Single-node kernel (seekdb): when the server list query answers ER_NO_SUCH_TABLE, the server that answered is the
// whole cluster (single-node.ts); singleNodeReason says so, tenants are pinned and a refresh only checks that the
// server still answers. Decided once at bootstrap: the views do not appear on a running kernel.

import type { QueryResult } from '../backend/internal-query.js';
import { formatAddress, type ServerAddress } from '../backend/server-connection.js';
import type { Logger } from '../observe/log.js';
import type { MetadataClient } from './metadata-client.js';
import { CLUSTER_ID_SQL, SERVER_ZONE_INIT_SQL, SERVERS_SQL, VERSION_SQL, ZONES_SQL } from './metadata-sql.js';
import { majorVersion, parseServers, parseServerZoneInit, parseVersion, parseZones, serverKey, type Parsed, type ServerRow, type ZoneRow } from './rows.js';
import { decideSingleNode, type SingleNodeDecision } from './single-node.js';
import { TenantBook, type TenantEntry } from './tenants.js';

export type { TenantEntry } from './tenants.js';

export interface ClusterServer {
  /** 'ip:port' (SQL port): the key used by tenants, congestion and routing. */
  readonly key: string;
  readonly ip: string;
  /** SQL port. */
  readonly port: number;
  readonly rpcPort: number;
  readonly zone: string;
  readonly region: string;
  readonly idc: string;
  /** Zone type: ReadWrite, ReadOnly, Encryption ('' when unknown). */
  readonly zoneType: string;
  /** DBA_OB_SERVERS.status: ACTIVE, INACTIVE, DELETING, ... */
  readonly status: string;
  /**
   * status ACTIVE, service started, not stopped, and its zone (when known) ACTIVE. The zone condition is our reading
   * of ODP's zone states (spec §7.1 names them, not the rule) **(inferred)**.
   */
  readonly active: boolean;
}

export interface ClusterResourceOptions {
  /** rootservice_list; tried in order at bootstrap, and as a fallback later. */
  readonly rsList: readonly ServerAddress[];
  /** rootservice_cluster_name; '' = accept the name the cluster reports. */
  readonly clusterName: string;
  /** The metadata connections (tests pass a scripted one). */
  readonly client: Pick<MetadataClient, 'queryAny' | 'acceptsProxyLogin'>;
  /** server_state_refresh_interval in ms (spec §3.2 default 20 s). */
  readonly refreshIntervalMs: number;
  readonly log: Logger;
}

type State = 'new' | 'starting' | 'ready' | 'stopped';

const MOD = 'PROXY';
/** Asked only on the single-node path, to name the kernel in the log line. */
const VERSION_COMMENT_SQL = 'SELECT @@version_comment';
/** OceanBase major version whose SQL this file sends (spec §3.2 "V4"). */
const REQUIRED_MAJOR = 4;

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
}

/** Servers of the refresh queries joined with their zones. */
export function joinServers(servers: readonly ServerRow[], zones: readonly ZoneRow[]): ClusterServer[] {
  const byZone = new Map(zones.map((z) => [z.zone, z]));
  return servers.map((s) => {
    const z = byZone.get(s.zone);
    return toServer(s, z === undefined ? null : z.status, z?.region ?? '', z?.idc ?? '', z?.type ?? '');
  });
}

export function toServer(s: ServerRow, zoneStatus: string | null, region: string, idc: string, zoneType: string): ClusterServer {
  const active = s.status.toUpperCase() === 'ACTIVE' && s.startService && !s.stopped && (zoneStatus === null || zoneStatus.toUpperCase() === 'ACTIVE');
  return { key: serverKey(s.ip, s.port), ip: s.ip, port: s.port, rpcPort: s.rpcPort, zone: s.zone, region, idc, zoneType, status: s.status, active };
}

function describeErr(from: ServerAddress, e: { readonly errno: number; readonly message: string }): string {
  return `${formatAddress(from)} answered ${e.errno} ${e.message}`;
}

const sameServers = (a: readonly ClusterServer[], b: readonly ClusterServer[]): boolean => JSON.stringify(a) === JSON.stringify(b);

export class ClusterResource {
  private readonly opts: ClusterResourceOptions;
  private readonly log: Logger;
  private state: State = 'new';
  private versionText = '';
  private reportedName: string | null = null;
  private clusterIdValue: number | null = null;
  private serverList: readonly ClusterServer[] = [];
  private readonly book: TenantBook;
  /** The server that answered last: asked first next time. */
  private preferred: ServerAddress | null = null;
  private refreshing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private intervalMs: number;
  private lastRefreshAtMs = 0;
  private lastErrorText: string | null = null;
  private singleNodeText: string | null = null;
  private proxyLoginOk = true;
  private readonly listeners = new Set<() => void>();

  constructor(opts: ClusterResourceOptions) {
    this.opts = opts;
    this.log = opts.log;
    this.intervalMs = opts.refreshIntervalMs;
    this.book = new TenantBook({
      query: (sql) => this.ask(sql),
      sysFallback: () => opts.rsList.map(formatAddress),
      log: opts.log,
      onChange: () => this.emit(),
    });
  }

  /** ob_version() of the cluster, e.g. '4.3.5.3' ('' before start). */
  get version(): string {
    return this.versionText;
  }

  /** The name the cluster reports once started, the configured name before. */
  get clusterName(): string {
    return this.reportedName ?? this.opts.clusterName;
  }

  get clusterId(): number | null {
    return this.clusterIdValue;
  }

  /** Date.now() of the last refresh (or bootstrap) that fully succeeded; 0 = never. */
  get lastRefreshAt(): number {
    return this.lastRefreshAtMs;
  }

  /**
   * Non-null when bootstrap found a single-node kernel (no server list views): one line naming the server, its
   * answer and what the proxy does instead. Location lookups must be skipped then (there are no views to read).
   */
  get singleNodeReason(): string | null {
    return this.singleNodeText;
  }

  /**
   * Whether client sessions may log in with the proxy-scramble scheme (spec §2.1). True for a normal cluster; for a
   * single-node kernel, what the bootstrap probe found (seekdb refuses it: its logins must be passed through).
   */
  get proxyLogin(): boolean {
    return this.proxyLoginOk;
  }

  /** Why the last refresh failed (one line), null after a full success. */
  get lastError(): string | null {
    return this.lastErrorText;
  }

  /**
   * Bootstrap (spec §3.1 INIT_RS -> CHECK_VERSION -> INIT_SS_INFO, then tenants): rejects with one line naming the
   * cluster and what failed. Starts the periodic refresh on success.
   */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`cluster ${this.clusterName}: start() called in state ${this.state}`);
    this.state = 'starting';
    try {
      await this.bootstrap();
    } catch (e) {
      this.state = 'new';
      const rs = this.opts.rsList.map(formatAddress).join(';');
      throw new Error(`cluster ${this.clusterName || '(unnamed)'}: bootstrap from rootservice_list ${rs || '(empty)'} failed: ${oneLine(e)}`);
    }
    if (this.state !== 'starting') return; // stopped while starting
    this.state = 'ready';
    this.lastRefreshAtMs = Date.now();
    this.schedule();
  }

  stop(): void {
    this.state = 'stopped';
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  servers(): readonly ClusterServer[] {
    return this.serverList;
  }

  /** The tenant's entry, or null when unknown; an unknown name triggers a (rate-limited) lookup in the background. */
  tenant(name: string): TenantEntry | null {
    return this.book.get(name, this.state === 'ready');
  }

  /** Fetches the tenant's server list now (spec §3.3 `__all_dummy`); null when the cluster has no such tenant. */
  refreshTenant(name: string): Promise<TenantEntry | null> {
    return this.book.refreshOne(name);
  }

  /** One full refresh now (coalesced with one in flight). Never rejects: failures go to lastError. */
  refresh(): Promise<void> {
    this.refreshing ??= this.refreshOnce().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** server_state_refresh_interval changed; takes effect from the next tick. */
  setRefreshInterval(ms: number): void {
    this.intervalMs = ms;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.schedule();
    }
  }

  /** `cb` runs after the server list or a tenant entry changed. Returns the unsubscribe function. */
  onChange(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  // ---- bootstrap and refresh -----------------------------------------------------------------------------------

  private async bootstrap(): Promise<void> {
    const v = await this.ask(VERSION_SQL);
    const version = parseVersion(v.result);
    const major = majorVersion(version);
    if (major === null || major < REQUIRED_MAJOR) {
      throw new Error(`OceanBase ${REQUIRED_MAJOR}.x required, ${formatAddress(v.from)} reports ob_version() '${version}'`);
    }
    this.versionText = version;
    const answer = await this.askRaw(SERVER_ZONE_INIT_SQL);
    if (answer.result.kind === 'err') {
      const single = decideSingleNode(answer.result, answer.from, await this.versionComment());
      if (single === null) throw new Error(describeErr(answer.from, answer.result));
      return this.enterSingleNode(single, answer.from);
    }
    const init = parseServerZoneInit(answer.result);
    this.logSkipped(init);
    if (init.items.length === 0) throw new Error('the server list (DBA_OB_SERVERS) has no usable row');
    const reported = init.items[0]!.cluster;
    if (this.opts.clusterName !== '' && reported !== this.opts.clusterName) {
      throw new Error(`the servers belong to cluster '${reported}', not '${this.opts.clusterName}'`);
    }
    this.reportedName = reported;
    this.serverList = init.items.map((s) => toServer(s, s.zoneStatus, s.region, s.idc, s.zoneType));
    this.clusterIdValue = await this.fetchClusterId();
    const tenantErrors = await this.book.refreshAll();
    if (tenantErrors.length > 0) this.lastErrorText = `tenants: ${tenantErrors.join('; ')}`;
    this.log.info(MOD, `cluster ${reported} (OceanBase ${version}): ${this.serverList.length} servers, ${this.book.size} tenants`);
  }

  private async fetchClusterId(): Promise<number | null> {
    try {
      const r = await this.ask(CLUSTER_ID_SQL);
      if (r.result.kind !== 'rows') return null;
      const text = r.result.rows[0]?.[0]?.toString('utf8') ?? '';
      return /^\d{1,15}$/.test(text) ? Number(text) : null;
    } catch (e) {
      this.log.warn(MOD, `cluster ${this.clusterName}: cluster id unknown: ${oneLine(e)}`);
      return null;
    }
  }

  /** The single-node kernel is the whole cluster; its answer to a proxy-scramble login decides how clients log in. */
  private async enterSingleNode(single: SingleNodeDecision, from: ServerAddress): Promise<void> {
    let probe: string;
    try {
      this.proxyLoginOk = await this.opts.client.acceptsProxyLogin(from);
      probe = this.proxyLoginOk ? 'it accepts proxy-scramble logins' : 'it refuses proxy-scramble logins (spec §2.1), so client logins must be passed through';
    } catch (e) {
      this.proxyLoginOk = false;
      probe = `proxy-scramble login probe failed (${oneLine(e)}), so client logins must be passed through`;
    }
    this.reportedName = this.opts.clusterName;
    this.serverList = [toServer(single.server, 'ACTIVE', '', '', 'ReadWrite')];
    this.singleNodeText = `${single.reason}; ${probe}`;
    this.clusterIdValue = await this.fetchClusterId();
    this.book.pin([single.tenant]);
    this.log.warn(MOD, `cluster ${this.clusterName || '(unnamed)'} (OceanBase ${this.versionText}): ${this.singleNodeText}`);
  }

  /** @@version_comment of the single-node kernel, for its log line; null when it cannot be read. */
  private async versionComment(): Promise<string | null> {
    try {
      const r = await this.ask(VERSION_COMMENT_SQL);
      return r.result.kind === 'rows' ? r.result.rows[0]?.[0]?.toString('utf8') ?? null : null;
    } catch {
      return null;
    }
  }

  private async refreshOnce(): Promise<void> {
    const errors: string[] = [];
    try {
      if (this.singleNodeText !== null) await this.ask(VERSION_SQL); // the only server still answers
      else await this.refreshServers();
    } catch (e) {
      errors.push(`servers: ${oneLine(e)}`);
    }
    const tenantErrors = await this.book.refreshAll().catch((e: unknown) => [oneLine(e)]);
    if (tenantErrors.length > 0) errors.push(`tenants: ${tenantErrors.join('; ')}`);
    if (errors.length === 0) {
      this.lastRefreshAtMs = Date.now();
      this.lastErrorText = null;
      return;
    }
    this.lastErrorText = errors.join('; ');
    this.log.warn(MOD, `cluster ${this.clusterName}: refresh failed, keeping the last good data: ${this.lastErrorText}`);
  }

  private async refreshServers(): Promise<void> {
    const zones = parseZones((await this.ask(ZONES_SQL)).result);
    const servers = parseServers((await this.ask(SERVERS_SQL)).result);
    this.logSkipped(zones);
    this.logSkipped(servers);
    if (servers.items.length === 0) throw new Error('the server list (DBA_OB_SERVERS) has no usable row');
    const next = joinServers(servers.items, zones.items);
    if (sameServers(next, this.serverList)) return;
    for (const s of next) {
      const old = this.serverList.find((x) => x.key === s.key);
      if (old?.active !== s.active) this.log.info(MOD, `cluster ${this.clusterName}: server ${s.key} (${s.zone}) is now ${s.active ? 'active' : `inactive (${s.status})`}`);
    }
    this.serverList = next;
    this.emit();
  }

  /**
   * Runs a metadata statement on the first server that answers: the last one that did, then the active servers,
   * then the rootservice list, then the inactive servers. An ERR answer becomes a rejection naming the server.
   */
  private async ask(sql: string): Promise<{ from: ServerAddress; result: QueryResult }> {
    const r = await this.askRaw(sql);
    if (r.result.kind === 'err') throw new Error(describeErr(r.from, r.result));
    return r;
  }

  /** As ask(), but an ERR answer (every reachable server gave one) resolves. */
  private async askRaw(sql: string): Promise<{ from: ServerAddress; result: QueryResult }> {
    const r = await this.opts.client.queryAny(this.targets(), sql);
    if (r.result.kind !== 'err') this.preferred = r.from;
    return r;
  }

  private targets(): ServerAddress[] {
    const seen = new Set<string>();
    const out: ServerAddress[] = [];
    const add = (a: ServerAddress): void => {
      const k = formatAddress(a);
      if (seen.has(k)) return;
      seen.add(k);
      out.push(a);
    };
    if (this.preferred !== null) add(this.preferred);
    for (const s of this.serverList) if (s.active) add({ host: s.ip, port: s.port });
    for (const a of this.opts.rsList) add(a);
    for (const s of this.serverList) add({ host: s.ip, port: s.port });
    return out;
  }

  private schedule(): void {
    if (this.state !== 'ready') return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh().then(() => this.schedule());
    }, Math.max(1, this.intervalMs));
    this.timer.unref();
  }

  private logSkipped(p: Parsed<unknown>): void {
    for (const line of p.skipped) this.log.warn(MOD, `cluster ${this.clusterName}: skipped a metadata row: ${line}`);
  }

  private emit(): void {
    for (const cb of [...this.listeners]) {
      try {
        cb();
      } catch (e) {
        this.log.error(MOD, `cluster ${this.clusterName}: change listener failed: ${oneLine(e)}`);
      }
    }
  }
}
