// Metadata connections (spec §3.1): every metadata query of the cluster resource runs on a connection of this pool,
// logged in as `${user}@${tenant}#${cluster}` (proxyro@sys#<cluster>) with the stage1 hash of the metadata account
// (observer_sys_password, spec §3.1) through a saved login; never on a client's session.
//
// Bounds (constants, not parameters): at most MAX_CONNECTIONS_PER_SERVER connections per server (open, opening or
// busy) and MAX_WAITERS_PER_SERVER queued queries per server; a queued query waits at most queryTimeoutMs for a
// connection, then its query gets queryTimeoutMs more. Connect + greeting + login are bounded by connectTimeoutMs.
// Ownership: the pool owns every connection. A query holds one exclusively; a connection whose exchange failed
// (timeout, loss, malformed bytes) is destroyed, one that answered (rows, OK or ERR) goes back idle. Idle sockets are
// unref'd so an idle pool never keeps the process alive. The stage1 hash is never logged nor put in an error.
// The login is a plain client login (no `__ob_proxy` attributes): the observer then checks the token against its own
// handshake scramble, which is what a saved login computes.

import { internalQuery, type QueryResult } from '../backend/internal-query.js';
import { savedLogin, type SavedCredentials } from '../backend/saved-login.js';
import { formatAddress, ServerConnection, type ServerAddress } from '../backend/server-connection.js';
import { isOdpError } from '../errors/catalogue.js';
import type { Logger } from '../observe/log.js';
import { nativeTokenFromStage1, randomScramble } from '../protocol/auth.js';
import { Capability, Charset } from '../protocol/constants.js';

export const MAX_CONNECTIONS_PER_SERVER = 2;
export const MAX_WAITERS_PER_SERVER = 64;
/** A server whose last attempt failed less than this long ago is tried last by queryAny. */
export const FAILURE_MEMORY_MS = 30_000;
/** Rows kept from one metadata result (a partitioned table has one row per replica and tablet). */
const MAX_ROWS = 1_000_000;
const KEEPALIVE_IDLE_MS = 30_000;
/** No DEPRECATE_EOF: results end with EOF packets, which internalQuery then expects (deprecateEof: false). */
const META_CAPABILITIES = Capability.LONG_PASSWORD | Capability.LONG_FLAG | Capability.PROTOCOL_41 |
  Capability.TRANSACTIONS | Capability.SECURE_CONNECTION | Capability.MULTI_RESULTS | Capability.PLUGIN_AUTH |
  Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA | Capability.CONNECT_ATTRS;
/** The metadata user's default database (spec §3.1). */
const META_DATABASE = 'oceanbase';

export interface MetadataClientOptions {
  /** metadata_user, e.g. 'proxyro'. */
  readonly user: string;
  /** 'sys'. */
  readonly tenant: string;
  /** rootservice_cluster_name; '' = no `#cluster` in the login name. */
  readonly cluster: string;
  /** observer_sys_password: SHA1(password) as 40 hex digits, '' = empty password. */
  readonly stage1Hex: string;
  readonly connectTimeoutMs: number;
  readonly queryTimeoutMs: number;
  readonly log: Logger;
}

/** What a queued query receives: an idle connection handed over, or a reserved slot to open one in. */
type Grant = { readonly conn: ServerConnection } | { readonly slot: true };

interface Waiter {
  grant(g: Grant): void;
  fail(e: Error): void;
}

interface Lease {
  readonly conn: ServerConnection;
  readonly reused: boolean;
}

/** The connections to one server. `size` counts opening, idle and busy connections (and reserved slots). */
class ServerPool {
  readonly address: ServerAddress;
  readonly key: string;
  readonly idle: ServerConnection[] = [];
  readonly busy = new Set<ServerConnection>();
  readonly waiters: Waiter[] = [];
  size = 0;
  lastFailureAt = 0;

  constructor(address: ServerAddress) {
    this.address = address;
    this.key = formatAddress(address);
  }
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
}

/** 'a:1, b:2: same reason; c:3: other reason', in first-seen order (reasons without a key stand alone). */
function groupReasons(reasons: readonly { key: string; text: string }[]): string {
  const groups = new Map<string, string[]>();
  for (const r of reasons) {
    const keys = groups.get(r.text) ?? [];
    if (r.key !== '') keys.push(r.key);
    groups.set(r.text, keys);
  }
  return [...groups].map(([text, keys]) => (keys.length === 0 ? text : `${keys.join(', ')}: ${text}`)).join('; ');
}

function stage1FromHex(hex: string): Buffer | null {
  if (hex === '') return null;
  if (!/^[0-9a-fA-F]{40}$/.test(hex)) throw new Error('observer_sys_password must be the SHA1 of the password as 40 hex digits, or empty');
  return Buffer.from(hex, 'hex');
}

export class MetadataClient {
  private readonly opts: MetadataClientOptions;
  private readonly stage1: Buffer | null;
  /** `user@tenant[#cluster]`, as sent and as named in errors. */
  readonly loginName: string;
  private readonly pools = new Map<string, ServerPool>();
  private closed = false;

  constructor(opts: MetadataClientOptions) {
    this.opts = opts;
    this.stage1 = stage1FromHex(opts.stage1Hex);
    this.loginName = `${opts.user}@${opts.tenant}${opts.cluster === '' ? '' : `#${opts.cluster}`}`;
  }

  /**
   * Runs one statement on `target`. Resolves with the server's answer, an ERR included; rejects with a one-line
   * Error naming the server on connect, login, pool-full or timeout failure. A reused idle connection that turns
   * out to be lost is replaced once.
   */
  async query(target: ServerAddress, sql: string): Promise<QueryResult> {
    const pool = this.poolOf(target);
    for (let attempt = 0; ; attempt++) {
      const lease = await this.acquire(pool).catch((e: unknown) => {
        pool.lastFailureAt = Date.now();
        throw new Error(this.describe(pool, e));
      });
      try {
        const result = await internalQuery(lease.conn, sql, { timeoutMs: this.opts.queryTimeoutMs, deprecateEof: false, maxRows: MAX_ROWS });
        this.release(pool, lease.conn);
        pool.lastFailureAt = 0;
        return result;
      } catch (e) {
        this.discard(pool, lease.conn);
        if (lease.reused && attempt === 0 && isOdpError(e) && e.code === 'BACKEND_LOST' && !this.closed) continue;
        pool.lastFailureAt = Date.now();
        throw new Error(this.describe(pool, e));
      }
    }
  }

  /**
   * Tries `targets` in order, servers that failed within FAILURE_MEMORY_MS last, and resolves with the first result
   * set or OK. When every server that could be reached answered with an ERR, resolves with the first ERR; when none
   * could be reached, rejects with one line listing each server's failure.
   */
  async queryAny(targets: readonly ServerAddress[], sql: string): Promise<{ from: ServerAddress; result: QueryResult }> {
    const now = Date.now();
    const recentFailure = (t: ServerAddress): boolean => now - (this.pools.get(formatAddress(t))?.lastFailureAt ?? 0) < FAILURE_MEMORY_MS;
    const ordered = [...targets.filter((t) => !recentFailure(t)), ...targets.filter(recentFailure)];
    const reasons: { key: string; text: string }[] = [];
    let firstErr: { from: ServerAddress; result: QueryResult } | null = null;
    for (const from of ordered) {
      const key = formatAddress(from);
      try {
        const result = await this.query(from, sql);
        if (result.kind !== 'err') return { from, result };
        firstErr ??= { from, result };
        reasons.push({ key, text: `${result.errno} ${result.message}` });
      } catch (e) {
        const msg = oneLine(e);
        reasons.push(msg.startsWith(`${key}: `) ? { key, text: msg.slice(key.length + 2) } : { key: '', text: msg });
      }
    }
    if (firstErr !== null) return firstErr;
    throw new Error(ordered.length === 0 ? 'no metadata server to ask' : `no metadata server answered (${groupReasons(reasons)})`);
  }

  /**
   * Whether `target` accepts the proxy-scramble login client sessions use in oceanbase mode (spec §2.1:
   * `__mysql_client_type=__ob_proxy`, `__proxy_scramble` = P XOR its scramble, token computed against P): one login
   * as the metadata user on a connection of its own, closed at once. Resolves false when the server answers the
   * login with an ERR (seekdb: 1045, its ObMPConnect no longer recognises proxy connections), true on OK; rejects
   * (one line naming the server) when it cannot be reached. With an empty metadata password the token is empty
   * whatever the scramble, so the answer says nothing about the scheme: true.
   */
  async acceptsProxyLogin(target: ServerAddress): Promise<boolean> {
    const key = formatAddress(target);
    const conn = await ServerConnection.open(target, { connectTimeoutMs: this.opts.connectTimeoutMs, keepAliveIdleMs: KEEPALIVE_IDLE_MS })
      .catch((e: unknown) => { throw new Error(`${key}: ${oneLine(e)}`); });
    try {
      const proxyScramble = randomScramble();
      const token = this.stage1 === null ? Buffer.alloc(0) : nativeTokenFromStage1(this.stage1, proxyScramble);
      const cred: SavedCredentials = {
        user: this.loginName, stage1: null, database: null, capabilities: META_CAPABILITIES, mariadbCapabilities: 0,
        charset: Charset.utf8mb4_general_ci, attributes: new Map([['program_name', 'odp-metadata']]), ob: { token, proxyScramble },
      };
      const r = await savedLogin(conn, cred, this.opts.connectTimeoutMs);
      if (!r.ok) this.opts.log.debug('PROXY', `${key} refused a proxy-scramble login as ${this.loginName}: ${r.errno} ${r.message}`);
      return r.ok;
    } catch (e) {
      throw new Error(this.describe(this.poolOf(target), e));
    } finally {
      conn.destroy();
    }
  }

  /** Destroys every connection; queued and later queries reject. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const pool of this.pools.values()) {
      for (const c of pool.idle) c.destroy();
      for (const c of pool.busy) c.destroy();
      pool.idle.length = 0;
      for (const w of pool.waiters.splice(0)) w.fail(new Error('metadata client closed'));
    }
  }

  /** Open connections per server key (idle + busy), for diagnostics and tests. */
  connectionCounts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [k, p] of this.pools) out.set(k, p.idle.length + p.busy.size);
    return out;
  }

  private poolOf(target: ServerAddress): ServerPool {
    const key = formatAddress(target);
    let pool = this.pools.get(key);
    if (pool === undefined) {
      pool = new ServerPool(target);
      this.pools.set(key, pool);
    }
    return pool;
  }

  private describe(pool: ServerPool, e: unknown): string {
    const msg = oneLine(e);
    return msg.includes(pool.key) ? msg : `${pool.key}: ${msg}`;
  }

  private async acquire(pool: ServerPool): Promise<Lease> {
    if (this.closed) throw new Error('metadata client closed');
    let conn: ServerConnection | undefined;
    while ((conn = pool.idle.pop()) !== undefined) {
      if (!conn.closed) return this.lend(pool, conn, true);
      pool.size--;
    }
    if (pool.size < MAX_CONNECTIONS_PER_SERVER) {
      pool.size++;
      return this.openInSlot(pool);
    }
    if (pool.waiters.length >= MAX_WAITERS_PER_SERVER) throw new Error(`metadata pool full (${MAX_WAITERS_PER_SERVER} queries queued)`);
    const grant = await this.wait(pool);
    return 'conn' in grant ? this.lend(pool, grant.conn, true) : this.openInSlot(pool);
  }

  private wait(pool: ServerPool): Promise<Grant> {
    return new Promise<Grant>((resolve, reject) => {
      const waiter: Waiter = {
        grant: (g) => {
          clearTimeout(timer);
          resolve(g);
        },
        fail: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        const i = pool.waiters.indexOf(waiter);
        if (i >= 0) pool.waiters.splice(i, 1);
        reject(new Error(`no metadata connection free within ${this.opts.queryTimeoutMs} ms`));
      }, this.opts.queryTimeoutMs);
      pool.waiters.push(waiter);
    });
  }

  /** Opens and logs in a connection in a slot already counted in `size`; on failure the slot is passed on or freed. */
  private async openInSlot(pool: ServerPool): Promise<Lease> {
    try {
      const conn = await this.open(pool);
      if (this.closed) {
        conn.destroy();
        throw new Error('metadata client closed');
      }
      return this.lend(pool, conn, false);
    } catch (e) {
      this.freeSlot(pool);
      throw e;
    }
  }

  private async open(pool: ServerPool): Promise<ServerConnection> {
    const timeoutMs = this.opts.connectTimeoutMs;
    const conn = await ServerConnection.open(pool.address, { connectTimeoutMs: timeoutMs, keepAliveIdleMs: KEEPALIVE_IDLE_MS });
    try {
      const cred: SavedCredentials = {
        user: this.loginName, stage1: this.stage1, database: META_DATABASE, capabilities: META_CAPABILITIES,
        mariadbCapabilities: 0, charset: Charset.utf8mb4_general_ci, attributes: new Map([['program_name', 'odp-metadata']]),
      };
      const r = await savedLogin(conn, cred, timeoutMs);
      if (!r.ok) throw new Error(`login as ${this.loginName} refused: ${r.errno} ${r.message}`);
      this.opts.log.debug('PROXY', `metadata connection to ${pool.key} as ${this.loginName} opened`);
      return conn;
    } catch (e) {
      conn.destroy();
      throw e;
    }
  }

  private lend(pool: ServerPool, conn: ServerConnection, reused: boolean): Lease {
    pool.busy.add(conn);
    conn.socket.ref();
    return { conn, reused };
  }

  private release(pool: ServerPool, conn: ServerConnection): void {
    pool.busy.delete(conn);
    if (this.closed || conn.closed) {
      conn.destroy();
      this.freeSlot(pool);
      return;
    }
    const w = pool.waiters.shift();
    if (w !== undefined) return w.grant({ conn });
    conn.socket.unref();
    pool.idle.push(conn);
  }

  private discard(pool: ServerPool, conn: ServerConnection): void {
    pool.busy.delete(conn);
    conn.destroy();
    this.freeSlot(pool);
  }

  /** A slot became free: a queued query takes it over (size unchanged), else the count drops. */
  private freeSlot(pool: ServerPool): void {
    const w = this.closed ? undefined : pool.waiters.shift();
    if (w !== undefined) w.grant({ slot: true });
    else pool.size--;
  }
}
