// What a client session needs from the proxy around it. Implemented by src/main.ts; tests may build their own.
import type { ServerAddress } from '../backend/server-connection.js';
import type { Logger } from '../observe/log.js';

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
  /** Called once when a session closes. */
  onSessionClosed(id: number): void;
}
