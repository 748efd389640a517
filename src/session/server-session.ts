// One server session of a client session (spec §6.1): a logged-in connection to one backend server plus what that
// server has applied of the client's state (spec §6.2) and which prepared statements it holds (server ids).
//
// Ownership: a ServerSession belongs to exactly one client session and lives in that session's pool (at most one per
// server address, as ODP). The client session attaches its handlers once; `active` tells the handlers whether the
// bytes belong to the request in flight.

import type { ServerConnection } from '../backend/server-connection.js';
import { AppliedState } from './state.js';
import { varNamingFor, type VarNaming } from './vars.js';

export class ServerSession {
  readonly conn: ServerConnection;
  /** Key of the pool: the server's address as 'ip:port'. */
  readonly key: string;
  readonly applied: AppliedState;
  /** The server's own thread id (from its greeting): what `KILL QUERY` must name on that server. */
  readonly threadId: number;
  /** CLIENT_DEPRECATE_EOF negotiated on this connection (result-set framing of internal queries). */
  readonly deprecateEof: boolean;
  /** Proxy statement id -> this server's statement id. */
  readonly statements = new Map<number, number>();
  /** Proxy statement id -> parameter types (2 bytes each) last sent to this server for it. */
  readonly boundTypes = new Map<number, Buffer>();
  /** Which spelling of renamed variables this server accepts (MariaDB tx_isolation, MySQL 8 transaction_isolation). */
  readonly naming: VarNaming;
  lastUsedAt = Date.now();
  requests = 0;

  constructor(conn: ServerConnection, database: string | null, deprecateEof: boolean) {
    this.conn = conn;
    this.key = conn.name;
    this.applied = new AppliedState(database);
    this.threadId = conn.handshake?.connectionId ?? 0;
    this.deprecateEof = deprecateEof;
    this.naming = varNamingFor(conn.handshake?.serverVersion ?? '');
  }

  get closed(): boolean {
    return this.conn.closed;
  }
}

/** The per-client pool: server address -> its one server session. */
export class ServerSessionPool {
  private readonly byKey = new Map<string, ServerSession>();

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): ServerSession | undefined {
    const s = this.byKey.get(key);
    if (s !== undefined && s.closed) {
      this.byKey.delete(key);
      return undefined;
    }
    return s;
  }

  add(s: ServerSession): void {
    this.byKey.get(s.key)?.conn.quit();
    this.byKey.set(s.key, s);
  }

  remove(s: ServerSession): void {
    if (this.byKey.get(s.key) === s) this.byKey.delete(s.key);
  }

  values(): IterableIterator<ServerSession> {
    return this.byKey.values();
  }

  /** Closes every server session except `keep` (COM_CHANGE_USER, COM_RESET_CONNECTION: their state is gone). */
  closeAllBut(keep: ServerSession | null): void {
    for (const s of [...this.byKey.values()]) {
      if (s === keep) continue;
      this.byKey.delete(s.key);
      s.conn.quit();
    }
  }
}
