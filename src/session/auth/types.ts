// What the login code shares: the client leg it talks to and the outcome it hands the client session.
import type { ServerConnection } from '../../backend/server-connection.js';
import type { SavedCredentials } from '../../backend/saved-login.js';
import type { QueuedPacket } from '../../protocol/packet-queue.js';
import type { ParsedUsername } from '../../protocol/username.js';

/** The part of a client session the login relay uses. */
export interface ClientLeg {
  readonly id: number;
  readonly remote: string;
  state: string;
  write(bytes: Buffer): boolean;
  readAuthPacket(): Promise<QueuedPacket>;
}

export interface LoginSuccess {
  readonly ok: true;
  /** null for a local (proxysys) session, which never reaches a backend. */
  readonly server: ServerConnection | null;
  readonly user: string;
  readonly identity: ParsedUsername;
  readonly database: string | null;
  readonly capabilities: number;
  /** Negotiated MariaDB extended capabilities. */
  readonly mariadbCapabilities: number;
  readonly status: number;
  /** Saved login for further servers (proxy-scramble login); null: the session is bound to its one server. */
  readonly credentials: SavedCredentials | null;
  /** The proxy's scramble of a proxy-scramble login (COM_CHANGE_USER tokens are computed against it), else null. */
  readonly scramble: Buffer | null;
}

export type LoginOutcome = LoginSuccess | { ok: false; server: ServerConnection | null; user: string; reason: string };

