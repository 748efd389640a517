// Opening a new server session with a saved login (spec §6.3): connect, read the greeting, log in with a token derived
// from the session's stage1 (docs/AUTH.md §2). Used by the login (first server) and by the client session (every
// further server). A connect failure marks the server down for everybody; a server's ERR (wrong password, unknown
// database, too many connections) is the server's own answer and is handed back as is.

import { ServerConnection } from '../backend/server-connection.js';
import { savedLogin, type SavedCredentials } from '../backend/saved-login.js';
import { isOdpError } from '../errors/catalogue.js';
import type { SessionContext } from './context.js';

export type OpenResult =
  | { readonly kind: 'ok'; readonly conn: ServerConnection; readonly status: number }
  | { readonly kind: 'connect_failed'; readonly message: string }
  | { readonly kind: 'server_error'; readonly errno: number; readonly sqlState: string; readonly message: string };

export async function openSavedSession(ctx: SessionContext, key: string, cred: SavedCredentials): Promise<OpenResult> {
  const s = ctx.settings;
  let conn: ServerConnection;
  try {
    conn = await ServerConnection.open(ctx.addressOf(key), { connectTimeoutMs: s.connectTimeoutMs, keepAliveIdleMs: s.serverKeepAliveIdleMs });
  } catch (e) {
    const message = isOdpError(e) ? e.message : String(e);
    ctx.reportServerDown(key, message);
    return { kind: 'connect_failed', message };
  }
  try {
    // The proxy logs in by itself (no person types a password here): a server that accepts the connection but never
    // greets or answers (hung) must fail as fast as one that refuses it, so the statement can go elsewhere.
    const r = await savedLogin(conn, cred, s.connectTimeoutMs);
    if (r.ok) {
      ctx.reportServerUp(key);
      return { kind: 'ok', conn, status: r.status };
    }
    conn.destroy();
    return { kind: 'server_error', errno: r.errno, sqlState: r.sqlState, message: r.message };
  } catch (e) {
    conn.destroy();
    const message = isOdpError(e) ? e.message : String(e);
    ctx.reportServerDown(key, message);
    return { kind: 'connect_failed', message };
  }
}
