// Auth source for hash-based saved logins (docs/AUTH.md §2): the proxy's metadata account reads mysql.user from a
// backend; the proxy verifies a client's mysql_native_password token against the stored stage2 = SHA1(SHA1(pw)),
// recovers stage1 and later answers any server scramble with it (saved-login.ts).
//
// Which row a server uses (the one whose stage2 the proxy must check) is the FIRST row, in the server's own order,
// whose User equals the login name or is '' (anonymous) and whose Host matches the address the server sees: the
// proxy's own address. Orders (smaller rank first):
//  - MariaDB 10.4+ (sql_acl_getsort.ic, "magic sort"): host genericness first, then named before anonymous, ties by
//    host text descending. Checked against MariaDB 10.11: ''@'127.0.0.1' wins over 'u'@'%' (host first); '%.0.0.1'
//    over '127.%' (more literal characters); 'localhost' over '127.0.0.1' and '1.2.3.4/255.255.255.255' over
//    '1.2.3.4' (tie by text); 'ip/mask' is as specific as a literal.
//  - MySQL (dev.mysql.com/doc/refman/8.0/en/connection-access.html): literal hosts and ip/mask first, then wildcard
//    patterns by the position of their first wildcard (later = more specific), '%' then ''; named before anonymous;
//    other ties in load order. CIDR 'ip/nn' (8.0.23+) is read as a netmask. MySQL ≥ 8.0.23 may order netmask rows
//    differently among literals: not verified here (no MySQL server in the lab).
// Host matching (both): 'ip/mask' matches when (ip & mask) == the stored ip, exactly; otherwise LIKE-style '%'/'_'
// with '\' escapes, case-insensitively against the host name and case-sensitively against the IP. The host name is
// known only for loopback with name resolution on (the server then sees 'localhost'); other host-name patterns
// never match, since the proxy does no reverse DNS.

import { isIP } from 'node:net';
import { nativeRecoverStage1, parseNativeHash } from '../protocol/auth.js';
import { AuthPlugin, Capability, Charset } from '../protocol/constants.js';
import { internalQuery, type QueryResult } from './internal-query.js';
import { savedLogin } from './saved-login.js';
import { formatAddress, ServerConnection, type ServerAddress } from './server-connection.js';

export interface AuthEntry {
  readonly user: string;
  readonly host: string;
  /** Effective plugin: MariaDB's '' is resolved to mysql_native_password / mysql_old_password. */
  readonly plugin: string;
  /** null = empty password, or an unusable entry (see `unusable`). */
  readonly stage2: Buffer | null;
  /** Why a saved login cannot use this entry (other plugin, malformed hash); null when it can. Check it first. */
  readonly unusable: string | null;
}

export interface AuthSourceOptions {
  /** Tried in order. */
  readonly servers: () => readonly ServerAddress[];
  /** Metadata account, e.g. 'proxyro'. */
  readonly user: string;
  /** SHA1(password) hex of that account ('' = empty password). */
  readonly stage1Hex: string;
  readonly connectTimeoutMs: number;
  readonly queryTimeoutMs: number;
  /** A miss triggers at most one reload per interval. */
  readonly refreshMinIntervalMs: number;
}

export type ServerFlavor = 'mariadb' | 'mysql';

// ---- token verification ----

/**
 * Verifies a client's mysql_native_password token against the proxy's scramble and a stored stage2. Constant-time.
 *  - stage2 null (empty password): ok only for an empty token; stage1 null (saved logins then send an empty token).
 *  - otherwise: ok with stage1 = SHA1(password) (a fresh Buffer the caller owns) or { ok: false, stage1: null }.
 * Callers with an AuthEntry use verifyEntryToken, which also refuses unusable entries.
 */
export function verifyNativeToken(token: Buffer, scramble: Buffer, stage2: Buffer | null): { ok: boolean; stage1: Buffer | null } {
  if (stage2 === null) return { ok: token.length === 0, stage1: null };
  const stage1 = nativeRecoverStage1(token, scramble, stage2);
  return { ok: stage1 !== null, stage1 };
}

export function verifyEntryToken(entry: AuthEntry, token: Buffer, scramble: Buffer): { ok: boolean; stage1: Buffer | null } {
  if (entry.unusable !== null) return { ok: false, stage1: null };
  return verifyNativeToken(token, scramble, entry.stage2);
}

// ---- host patterns ----

/** What the server knows about the connecting proxy: its IP and, with name resolution, its host name. */
export interface ConnectingHost {
  readonly ip: string | null;
  readonly hostname: string | null;
}

export function connectingHost(proxyHost: string, nameResolve: boolean): ConnectingHost {
  let ip = proxyHost.toLowerCase();
  if (ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4) ip = ip.slice(7); // servers see IPv4-mapped as IPv4
  if (isIP(ip) === 0) return { ip: null, hostname: ip };
  const loopback = ip === '::1' || (isIP(ip) === 4 && ip.startsWith('127.'));
  return { ip, hostname: nameResolve && loopback ? 'localhost' : null };
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function ipv4ToInt(s: string): number | null {
  const m = IPV4.exec(s);
  if (m === null) return null;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return null;
    v = v * 256 + octet;
  }
  return v;
}

function parseNetmask(host: string, flavor: ServerFlavor): { net: number; mask: number } | null {
  const slash = host.indexOf('/');
  if (slash < 0) return null;
  const net = ipv4ToInt(host.slice(0, slash));
  const maskText = host.slice(slash + 1);
  let mask = ipv4ToInt(maskText);
  if (mask === null && flavor === 'mysql' && /^\d{1,2}$/.test(maskText) && Number(maskText) <= 32) {
    const bits = Number(maskText);
    mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  }
  return net === null || mask === null ? null : { net, mask };
}

function likeToRegExp(pattern: string, flags: string): RegExp {
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) src += escapeRe(pattern[++i] as string);
    else if (c === '%') src += '.*';
    else if (c === '_') src += '.';
    else src += escapeRe(c);
  }
  return new RegExp(`^${src}$`, `s${flags}`);
}

function escapeRe(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

/** Counts of a LIKE pattern: literal chars N, '_' M, runs of '%' K, literal prefix before the first wildcard P. */
function patternCounts(p: string): { n: number; m: number; k: number; prefix: number; firstWild: number } {
  let n = 0, m = 0, k = 0, prefix = 0, firstWild = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '%' || c === '_') {
      if (k === 0 && m === 0) { prefix = n; firstWild = i + 1; }
      if (c === '_') m++;
      else { k++; while (p[i + 1] === '%') i++; }
      continue;
    }
    if (c === '\\' && i + 1 < p.length) i++;
    n++;
  }
  return { n, m, k, prefix, firstWild };
}

/** MariaDB's host length limit (mysql.global_priv.Host is char(255)), the `maxlen` of its magic sort. */
const MARIADB_HOST_MAXLEN = 255;

/** Genericness of a host pattern, MariaDB 10.4+ (larger = more generic); 0 for a literal. */
export function mariadbHostMagic(host: string): number {
  const { n, m, k, prefix } = patternCounts(host);
  const d = MARIADB_HOST_MAXLEN + 1;
  const l = k > 0 ? MARIADB_HOST_MAXLEN - n - m : 0;
  if (l > m) return (((l * 2 + 1) * d + k) * d + m) * d + prefix;
  return ((m * 2 * d + l) * d + k) * d + prefix;
}

/** Specificity of a host pattern, MySQL (larger = more specific): 128 literal, else the first wildcard's position. */
export function mysqlHostSort(host: string): number {
  if (host === '') return 0;
  const { firstWild } = patternCounts(host);
  return firstWild === 0 ? 128 : Math.min(firstWild, 127);
}

/** One mysql.user row ready for matching. */
export class CompiledEntry {
  readonly entry: AuthEntry;
  /** Smaller = tried first. */
  readonly rank: number;
  private readonly netmask: { net: number; mask: number } | null;
  /** LIKE pattern, case-sensitive for the IP and case-insensitive for the host name; null for a netmask. */
  private readonly like: { readonly ip: RegExp; readonly name: RegExp } | null;

  constructor(entry: AuthEntry, flavor: ServerFlavor) {
    this.entry = entry;
    // MariaDB stores '' as '%' ("historical convention"); MySQL keeps '' and sorts it after '%'.
    const host = flavor === 'mariadb' && entry.host === '' ? '%' : entry.host;
    const anonymous = entry.user === '' ? 1 : 0;
    this.rank = flavor === 'mariadb' ? mariadbHostMagic(host) * 2 + anonymous : (255 - mysqlHostSort(host)) * 2 + anonymous;
    this.netmask = parseNetmask(host, flavor);
    const pattern = host === '' ? '%' : host;
    this.like = this.netmask === null ? { ip: likeToRegExp(pattern, ''), name: likeToRegExp(pattern, 'i') } : null;
  }

  matches(user: string, h: ConnectingHost): boolean {
    if (this.entry.user !== '' && this.entry.user !== user) return false;
    if (this.like === null) {
      const ip = h.ip === null ? null : ipv4ToInt(h.ip);
      return ip !== null && this.netmask !== null && ((ip & this.netmask.mask) >>> 0) === this.netmask.net;
    }
    return (h.hostname !== null && this.like.name.test(h.hostname)) || (h.ip !== null && this.like.ip.test(h.ip));
  }
}

/** A loaded mysql.user snapshot, sorted in the server's order. */
export class UserTable {
  readonly flavor: ServerFlavor;
  readonly nameResolve: boolean;
  private readonly compiled: readonly CompiledEntry[];

  constructor(entries: readonly AuthEntry[], flavor: ServerFlavor, nameResolve: boolean) {
    this.flavor = flavor;
    this.nameResolve = nameResolve;
    const c = entries.map((e) => new CompiledEntry(e, flavor));
    // Array.prototype.sort is stable: MySQL ties keep load order.
    c.sort((a, b) => a.rank - b.rank || (flavor === 'mariadb' ? compareDesc(a.entry.host, b.entry.host) : 0));
    this.compiled = c;
  }

  get size(): number {
    return this.compiled.length;
  }

  /** Rows the server could use for `user` connecting from `proxyHost`, the one it uses first. */
  match(user: string, proxyHost: string): AuthEntry[] {
    const h = connectingHost(proxyHost, this.nameResolve);
    const out: AuthEntry[] = [];
    for (const c of this.compiled) if (c.matches(user, h)) out.push(c.entry);
    return out;
  }
}

function compareDesc(a: string, b: string): number {
  return Buffer.compare(Buffer.from(b, 'utf8'), Buffer.from(a, 'utf8'));
}

// ---- mysql.user rows ----

/**
 * AuthEntries from the rows of `SELECT * FROM mysql.user` (columns found by name, so MariaDB's view, MySQL 5.7/8
 * and old tables with only `Password` all work). Roles (MariaDB is_role = 'Y') are skipped. Throws a one-line
 * Error when User or Host is missing.
 */
export function parseUserRows(result: Extract<QueryResult, { kind: 'rows' }>): AuthEntry[] {
  const col = (name: string): number => result.columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase());
  const iUser = col('User'), iHost = col('Host');
  if (iUser < 0 || iHost < 0) throw new Error('mysql.user has no User/Host column');
  const iPlugin = col('plugin'), iAuth = col('authentication_string'), iPassword = col('Password'), iRole = col('is_role');
  const text = (row: readonly (Buffer | null)[], i: number, enc: BufferEncoding = 'utf8'): string =>
    i < 0 ? '' : (row[i]?.toString(enc) ?? '');
  const out: AuthEntry[] = [];
  for (const row of result.rows) {
    if (text(row, iRole).toUpperCase() === 'Y') continue;
    // Hashes are ASCII when valid; latin1 keeps any other byte 1:1 so a malformed one stays malformed.
    out.push(entryOf(text(row, iUser), text(row, iHost), text(row, iPlugin), text(row, iAuth, 'latin1'), text(row, iPassword, 'latin1')));
  }
  return out;
}

const OLD_PASSWORD_HASH = /^[0-9a-fA-F]{16}$/;

export function entryOf(user: string, host: string, pluginColumn: string, authString: string, password: string): AuthEntry {
  const hash = authString !== '' ? authString : password;
  const plugin = pluginColumn !== '' ? pluginColumn
    : OLD_PASSWORD_HASH.test(hash) ? 'mysql_old_password' : AuthPlugin.MYSQL_NATIVE_PASSWORD;
  if (plugin !== AuthPlugin.MYSQL_NATIVE_PASSWORD) return { user, host, plugin, stage2: null, unusable: `plugin ${plugin}` };
  if (hash === '') return { user, host, plugin, stage2: null, unusable: null };
  const stage2 = parseNativeHash(hash);
  if (stage2 === null) return { user, host, plugin, stage2: null, unusable: 'malformed mysql_native_password hash' };
  return { user, host, plugin, stage2, unusable: null };
}

// ---- the source ----

/** Client capabilities of the metadata account's own login (no DEPRECATE_EOF: its queries use EOF framing). */
const META_CAPABILITIES = Capability.LONG_PASSWORD | Capability.LONG_FLAG | Capability.PROTOCOL_41 |
  Capability.TRANSACTIONS | Capability.SECURE_CONNECTION | Capability.MULTI_RESULTS | Capability.PLUGIN_AUTH |
  Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA | Capability.CONNECT_ATTRS;
/** Rows of mysql.user read at most (SELECT * is ~50 columns, some 100 bytes per row: ~10 MB at the cap). */
const MAX_USER_ROWS = 100_000;
const KEEPALIVE_IDLE_MS = 30_000;

function stage1FromHex(hex: string): Buffer | null {
  if (hex === '') return null;
  if (!/^[0-9a-fA-F]{40}$/.test(hex)) throw new Error('auth source: the metadata password hash must be 40 hex digits (SHA1) or empty');
  return Buffer.from(hex, 'hex');
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ');
}

/** Longest a login waits for the reload interval to pass before a reload (beyond it the miss is answered now). */
const MAX_RELOAD_WAIT_MS = 2000;

/**
 * mysql.user as seen by the metadata account, cached. Loads are coalesced (one in flight) and a miss reloads at
 * most once per refreshMinIntervalMs. Each load uses one short-lived connection (login, two queries, COM_QUIT).
 */
export class AuthSource {
  private readonly opts: AuthSourceOptions;
  private readonly stage1: Buffer | null;
  private table: UserTable | null = null;
  private loadedAtMs = 0;
  private lastAttemptMs = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | null = null;
  /** Why the last load failed (one line), null after a success. */
  lastError: string | null = null;

  constructor(opts: AuthSourceOptions) {
    this.opts = opts;
    this.stage1 = stage1FromHex(opts.stage1Hex);
  }

  /** Date.now() of the last successful load; 0 = never. */
  get loadedAt(): number {
    return this.loadedAtMs;
  }

  get size(): number {
    return this.table?.size ?? 0;
  }

  /** Loads mysql.user from the first server that answers; rejects with a one-line Error naming each failure. */
  load(): Promise<void> {
    this.inflight ??= this.loadOnce().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /**
   * Entries for `user` (and anonymous ones) matching `proxyHost`, the address the proxy connects FROM, in the
   * server's order: the first is the one the server will check. With no entry naming `user`, reloads once (rate
   * limited) before answering. Rejects only when no snapshot was ever loaded and loading fails.
   */
  async lookup(user: string, proxyHost: string): Promise<readonly AuthEntry[]> {
    if (this.table === null) {
      if (!this.mayReload() && this.inflight === null) throw new Error(this.lastError ?? 'auth source: not loaded yet');
      await this.load();
    }
    let found = this.table?.match(user, proxyHost) ?? [];
    if (!found.some((e) => e.user === user) && (await this.refresh())) found = this.table?.match(user, proxyHost) ?? [];
    return found;
  }

  /**
   * Reloads, at most once per refreshMinIntervalMs (a caller inside the interval waits for its end); true when the
   * reload succeeded. Concurrent callers share one load.
   */
  async refresh(): Promise<boolean> {
    if (this.inflight === null && !this.mayReload()) {
      // An account created right after the last load (a script's CREATE USER, then a login) must not be refused:
      // wait for the interval to pass (if that is soon) and reload then. Logins waiting meanwhile share that load.
      const waitMs = this.opts.refreshMinIntervalMs - (Date.now() - this.lastAttemptMs);
      if (waitMs > MAX_RELOAD_WAIT_MS) return false;
      if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
    }
    try {
      await this.load();
      return true;
    } catch {
      return false; // the previous snapshot stays; lastError says why
    }
  }

  private mayReload(): boolean {
    return Date.now() - this.lastAttemptMs >= this.opts.refreshMinIntervalMs;
  }

  private async loadOnce(): Promise<void> {
    this.lastAttemptMs = Date.now();
    const reasons: string[] = [];
    for (const addr of this.opts.servers()) {
      try {
        this.table = await this.fetch(addr);
        this.loadedAtMs = Date.now();
        this.lastError = null;
        return;
      } catch (e) {
        reasons.push(`${formatAddress(addr)}: ${oneLine(e)}`);
      }
    }
    this.lastError = `auth source: cannot load mysql.user as ${this.opts.user} (${reasons.length === 0 ? 'no server configured' : reasons.join('; ')})`;
    throw new Error(this.lastError);
  }

  private async fetch(addr: ServerAddress): Promise<UserTable> {
    const conn = await ServerConnection.open(addr, { connectTimeoutMs: this.opts.connectTimeoutMs, keepAliveIdleMs: KEEPALIVE_IDLE_MS });
    try {
      const login = await savedLogin(conn, {
        user: this.opts.user,
        stage1: this.stage1,
        database: null,
        capabilities: META_CAPABILITIES,
        mariadbCapabilities: 0,
        charset: Charset.utf8mb4_general_ci,
        attributes: new Map([['program_name', 'odp-auth-source']]),
      }, this.opts.connectTimeoutMs);
      if (!login.ok) throw new Error(`login refused: ${login.errno} ${login.message}`);
      const q = { timeoutMs: this.opts.queryTimeoutMs, deprecateEof: false };
      const users = await internalQuery(conn, 'SELECT * FROM mysql.user', { ...q, maxRows: MAX_USER_ROWS });
      if (users.kind === 'err') throw new Error(`SELECT * FROM mysql.user: ${users.errno} ${users.message}`);
      if (users.kind !== 'rows') throw new Error('SELECT * FROM mysql.user returned no result set');
      const entries = parseUserRows(users);
      // The server's default is name resolution on; an unreadable variable keeps that default.
      const snr = await internalQuery(conn, 'SELECT @@skip_name_resolve', q);
      const snrValue = snr.kind === 'rows' ? (snr.rows[0]?.[0]?.toString() ?? '0') : '0';
      const flavor: ServerFlavor = /mariadb/i.test(conn.handshake?.serverVersion ?? '') ? 'mariadb' : 'mysql';
      conn.quit();
      return new UserTable(entries, flavor, !(snrValue === '1' || snrValue.toUpperCase() === 'ON'));
    } finally {
      if (!conn.closed) conn.destroy();
    }
  }
}
