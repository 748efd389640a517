// The contract between the admin commands (src/admin) and the session glue that runs them (src/session).
// The glue builds an AdminContext per statement from live proxy state; commands only read it, except for
// ProxyConfig.alter, killSession and refreshStats. Everything here is synchronous: admin commands run inside the
// session's COM_QUERY handling and return plain values that the glue encodes as MySQL packets.
import type { ProxyConfig } from '../config/config.js';

/** One client session as the admin commands see it: a snapshot, read once per row. */
export interface AdminSessionView {
  /** Client session id (cs_id, spec §6.4). */
  readonly id: number;
  /** 64-bit proxy session id as a decimal string. */
  readonly proxySessId: string;
  readonly user: string;
  readonly tenant: string | null;
  readonly cluster: string | null;
  /** Client ip:port. */
  readonly host: string;
  readonly db: string | null;
  readonly state: string; // 'handshake' | 'auth' | 'ready' | 'busy' | 'infile' | 'closed'
  readonly inTransaction: boolean;
  /** Transactions completed. */
  readonly transCount: number;
  readonly serverSessionCount: number;
  /** Current server ip:port. */
  readonly serverAddress: string | null;
  /** The server's connection id. */
  readonly serverConnectionId: number | null;
  /** ms since the epoch. */
  readonly connectedAt: number;
  /** ms since the epoch. */
  readonly lastActiveAt: number;
  readonly requests: number;
  readonly bytesFromClient: number;
  readonly bytesToClient: number;
  /** 'COM_QUERY' ... */
  readonly currentCommand: string | null;
  readonly commandStartedAt: number | null;
  readonly usingSsl: boolean;
  /** Proxy ip:port of the client connection. */
  readonly localAddress: string;
}

export interface AdminUser {
  readonly user: string;
  readonly tenant: string | null;
  readonly cluster: string | null;
  readonly isProxysysRoot: boolean;
  readonly isInspector: boolean;
  readonly isRootSys: boolean;
}

export interface AdminContext {
  readonly config: ProxyConfig;
  /** odp version, e.g. '0.1.0'. */
  readonly version: string;
  /** ms since the epoch. */
  readonly startedAt: number;
  readonly pid: number;
  /** server_routing_mode in effect. */
  readonly routingMode: string;
  /** mysql mode: the -r servers. */
  readonly backends: readonly { address: string; up: boolean; version: string }[];
  sessions(): Iterable<AdminSessionView>;
  session(id: number): AdminSessionView | undefined;
  readonly currentSessionId: number;
  readonly currentUser: AdminUser;
  /** Closes a client session (KILL PROXYSESSION / KILL CONNECTION); false if unknown. */
  killSession(id: number): boolean;
  /**
   * Live counters (name -> value). SHOW PROXYSTAT lists every entry in map order. The commands also read these
   * names when present (an absent name reads as 0): `net_<column>` for the counter columns of SHOW PROXYNET
   * THREAD (e.g. net_total_read_bytes, net_total_calls_read), and `global_current_do_accept_count`.
   * ODP's names are the model: total_client_connections, current_client_connections, client_requests,
   * total_transaction_count, current_server_connections, ...
   */
  stats(): ReadonlyMap<string, number>;
  /** Resets the counters that SHOW PROXYSTAT REFRESH resets. */
  refreshStats(): void;
}

export type AdminResult =
  | { kind: 'ok'; affectedRows?: number; info?: string; warnings?: number }
  | { kind: 'rows'; columns: readonly string[]; rows: readonly (readonly (string | null)[])[] }
  | { kind: 'error'; errno: number; sqlState: string; message: string };
