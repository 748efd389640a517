// oceanbase mode (spec §3, §5.1): the cluster resource (servers, tenants), the metadata connections and the location
// cache, and the routing inputs derived from them per tenant. The Proxy owns one when the cluster bootstrapped and
// delegates to it; everything that is the same in every mode (servers marked down, configured servers) stays there.

import { formatAddress, type ServerAddress } from './backend/server-connection.js';
import type { ProxyConfig } from './config/config.js';
import type { Logger } from './observe/log.js';
import { MetadataClient } from './cluster/metadata-client.js';
import { ClusterResource } from './cluster/resource.js';
import { LocationCache } from './route/location/index.js';
import { routeByPartition } from './route/router.js';
import { IdcCache, type IdcMap } from './route/policy/index.js';
import { diagTableEntry } from './route/location/diagnose.js';
import type { RouteDiagnosis } from './observe/route-diagnosis.js';
import type { ExecValue } from './protocol/binary-value.js';
import type { RouteParse } from './route/sql/index.js';
import type { LocateParams, LocateResult, RoutingSettings } from './session/context.js';

export class ClusterBootstrapError extends Error {}

export class ObCluster {
  /** Tenant -> routing inputs, until a server list, a down mark or a routing parameter changes (clear()). */
  private readonly tenantRouting = new Map<string, RoutingSettings>();
  private readonly idcCache = new IdcCache();

  private constructor(
    readonly resource: ClusterResource,
    private readonly client: MetadataClient,
    /** null for a single-node kernel without the location views (seekdb): every statement goes to its one server. */
    readonly location: LocationCache | null,
    private readonly config: ProxyConfig,
    private readonly log: Logger,
  ) {}

  /**
   * Bootstraps from the rs list as metadata_user@sys (spec §3.1). Null for a single-node kernel that refuses
   * proxy-scramble logins (seekdb; the resource logged why): sessions then log in by pass-through to the rs-list
   * server. `onServers` gets every server list, the first one before this returns.
   */
  static async start(
    config: ProxyConfig, log: Logger, rsList: readonly ServerAddress[], onServers: (res: ClusterResource) => void,
  ): Promise<ObCluster | null> {
    const c = config;
    const name = c.get('rootservice_cluster_name');
    const clusterName = name === 'undefined' ? '' : name;
    const client = new MetadataClient({
      user: c.get('metadata_user'), tenant: 'sys', cluster: clusterName, stage1Hex: c.get('observer_sys_password'),
      connectTimeoutMs: c.getTimeMs('short_async_task_timeout'), queryTimeoutMs: c.getTimeMs('short_async_task_timeout'), log,
    });
    const res = new ClusterResource({ rsList, clusterName, client, refreshIntervalMs: c.getTimeMs('server_state_refresh_interval'), log });
    try {
      await res.start();
    } catch (e) {
      client.close();
      throw new ClusterBootstrapError(`cannot bootstrap the OceanBase cluster from ${rsList.map(formatAddress).join(';')}: ${(e as Error).message}`);
    }
    if (res.singleNodeReason !== null && !res.proxyLogin) {
      res.stop();
      client.close();
      return null;
    }
    c.onChange('server_state_refresh_interval', () => res.setRefreshInterval(c.getTimeMs('server_state_refresh_interval')));
    // A single-node kernel (seekdb) has no location views: no cache, so locate() never queries; its one server leads
    // every partition and takes every statement (res.singleNodeReason says why, logged once by the resource).
    const location = res.singleNodeReason !== null ? null : new LocationCache({
      expireMs: () => c.getTimeMs('location_expire_period_time') || Infinity, // 0: no forced expiry (ODP)
      minRefreshIntervalMs: () => c.getTimeMs('delay_update_entry_interval'),
      log,
    });
    const ob = new ObCluster(res, client, location, c, log);
    const learn = (): void => {
      onServers(res);
      ob.clear();
    };
    learn();
    res.onChange(learn);
    log.info('PROXY', `OceanBase cluster ${res.clusterName} ${res.version}: ${res.servers().length} servers`);
    return ob;
  }

  stop(): void {
    this.resource.stop();
    this.client.close();
  }

  /** Forgets the per-tenant routing inputs (they are rebuilt at the next statement). */
  clear(): void {
    this.tenantRouting.clear();
  }

  readonly idcOf = (proxyIdc: string): IdcMap => this.idcCache.get(proxyIdc, this.resource.servers());

  /** A tenant's routing inputs: its servers that the cluster reports active and the proxy could reach. */
  routing(tenant: string, downSince: ReadonlyMap<string, number>): RoutingSettings {
    const cached = this.tenantRouting.get(tenant);
    if (cached !== undefined && sameKeys(cached.down, downSince)) return cached;
    const res = this.resource;
    const active = new Set(res.servers().filter((x) => x.active).map((x) => x.key));
    const entry = res.tenant(tenant);
    const servers = entry !== null && entry.servers.length > 0 ? entry.servers : [...active];
    const usable = servers.filter((k) => active.has(k) && !downSince.has(k));
    const r: RoutingSettings = {
      mode: 'oceanbase',
      targetDbServer: this.config.get('target_db_server'),
      alive: usable.length > 0 ? usable : servers,
      down: new Set(downSince.keys()),
    };
    this.tenantRouting.set(tenant, r);
    return r;
  }

  /**
   * The partition leader of a statement (spec §5.1): from the location cache; a table not cached yet is fetched once
   * (every session asking meanwhile waits for the same fetch); a dirty entry still routes while it is refreshed.
   */
  locate(tenant: string, db: string | null, parse: RouteParse, params: LocateParams, allowFetch: boolean, dg: RouteDiagnosis | null): LocateResult {
    const cache = this.location;
    const table = parse.tableName;
    const dbName = parse.dbName ?? db;
    if (cache === null || table === null) return { kind: 'none', detail: 'no table' };
    if (dbName === null) return { kind: 'none', detail: 'no database selected' };
    const entry = cache.get(tenant, dbName, table);
    if (entry === undefined) {
      if (!allowFetch || cache.stateOf(tenant, dbName, table) === 'deleted') {
        if (dg !== null) diagTableEntry(dg, table, undefined, !allowFetch, `no location for ${dbName}.${table}`);
        return { kind: 'none', detail: `no location for ${dbName}.${table}` };
      }
      return { kind: 'fetch', wait: this.fetchEntry(tenant, dbName, table) };
    }
    if (entry.state === 'dirty') void this.fetchEntry(tenant, dbName, table);
    if (dg !== null) {
      // the second pass after a fetch (allowFetch false) routes with the entry that fetch brought
      dg.fromRemote = !allowFetch;
      diagTableEntry(dg, table, entry, dg.fromRemote, null);
    }
    const r = routeByPartition(entry, parse, { placeholders: params.placeholders as readonly (ExecValue | null)[] | null ?? NO_VALUES, userVars: params.userVars ?? NO_VARS }, dg);
    return r.kind === 'leader'
      ? {
          kind: 'leader', key: r.server, detail: `${dbName}.${table} tablet ${r.tabletId}${r.partName !== null ? ` (${r.partName})` : ''}`,
          replicas: entry.tablets.get(r.tabletId) ?? [], duplicate: entry.duplicate,
        }
      : { kind: 'none', detail: r.reason };
  }

  /** Partition-miss feedback and OB_NOT_MASTER (spec §3.7): the entry is refreshed before it is trusted again. */
  invalidateLocation(tenant: string, db: string, table: string, reason: string): void {
    this.log.info('ROUTE', `location of ${tenant}.${db}.${table} is stale (${reason}): refreshing`);
    if (this.location === null) return;
    this.location.invalidate(tenant, db, table, reason);
    void this.fetchEntry(tenant, db, table); // refreshed now, not at the next statement that needs it
  }

  /** One metadata fetch of a table entry; failures are logged and routing falls back (never rejects). */
  private fetchEntry(tenant: string, db: string, table: string): Promise<void> {
    const cache = this.location!;
    const targets = (): ServerAddress[] => this.resource.servers().filter((x) => x.active).map((x) => ({ host: x.ip, port: x.port }));
    return cache.fetch(tenant, db, table, async (sql) => (await this.client.queryAny(targets(), sql)).result).then(
      () => undefined,
      (e: unknown) => this.log.warn('ROUTE', `location of ${tenant}.${db}.${table} could not be fetched: ${(e as Error).message}`),
    );
  }
}

/** Shared empties for statements without parameters or user variables (read only: no allocation per statement). */
const NO_VALUES: readonly (ExecValue | null)[] = Object.freeze([]);
const NO_VARS: ReadonlyMap<string, string> = new Map();

/** The same set of server keys (no allocation: routing() runs per statement). */
function sameKeys(a: ReadonlySet<string>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const k of a) if (!b.has(k)) return false;
  return true;
}
