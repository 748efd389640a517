// What a client session needs from the proxy around it. Implemented by src/main.ts; tests may build their own.
import type { ServerAddress } from '../backend/server-connection.js';
import type { Logger } from '../observe/log.js';
import type { AdminContext } from '../admin/index.js';

export interface SessionSettings {
  readonly connectTimeoutMs: number;
  readonly authTimeoutMs: number;
  readonly clientKeepAliveIdleMs: number;
  readonly serverKeepAliveIdleMs: number;
  /** Handshake server version sent to clients; null = the backend's own version string. */
  readonly serverVersion: string | null;
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
}
