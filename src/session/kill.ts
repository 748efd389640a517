// KILL and SHOW PROCESSLIST in the proxy's terms (spec §6.4, §6.5): the ids clients see are the proxy's client session
// ids, so these statements are answered (or translated) by the proxy, never passed through with a foreign id.
//
// KILL [CONNECTION] <id>: closes that client session (and its server sessions). KILL QUERY <id>: the caller sends
// `KILL QUERY <server thread id>` to the server running that session's statement, through its own server session
// there, so the server checks the privilege. Permission for KILL CONNECTION follows MySQL: your own sessions, or any
// session for root.
//
// Ids are looked up in this order: a proxy session id (what the handshake, SHOW PROCESSLIST and ODP use); then a
// thread id of a server connection, on the server the caller's session is on, that belongs to a proxy session (what
// `CONNECTION_ID()` returns behind a MySQL/MariaDB server: that session is killed as if named by its proxy id); then,
// when the caller has a server session, the statement goes to that server unchanged (a connection that does not
// belong to the proxy: the server decides, as it would direct). A number that is both a proxy id and a thread id
// names the proxy session.

import { Capability } from '../protocol/constants.js';
import { writeErr } from '../protocol/err.js';
import { textColumn, writeTextResultSet } from '../protocol/resultset.js';
import type { PacketWriter } from '../protocol/writer.js';
import type { RouteParse } from '../route/sql/index.js';
import type { PeerSession, SessionContext } from './context.js';

export interface KillHost extends PeerSession {
  readonly ctx: SessionContext;
  readonly writer: PacketWriter;
  readonly status: number;
  readonly capabilities: number;
  readonly mariadbCapabilities: number;
  readonly multiServer: boolean;
  /** Server session of the last statement. */
  readonly active: { readonly key: string } | null;
  okPacket(status: number): Buffer;
}

export type KillTarget =
  | { readonly kind: 'answer'; readonly packet: Buffer }
  | { readonly kind: 'server'; readonly key: string; readonly threadId: number }
  /** Not a proxy session: the caller's own server answers the statement as sent. */
  | { readonly kind: 'forward' };

function err(w: PacketWriter, errno: number, sqlState: string, message: string): Buffer {
  writeErr(w, errno, sqlState, message, 1);
  return w.take();
}

function mayKill(self: KillHost, target: PeerSession): boolean {
  return target.user === self.user && target.tenant === self.tenant || self.user === 'root';
}

/** The proxy session owning server thread `threadId` on server `key`, if any. */
function byServerThread(self: KillHost, key: string, threadId: number): PeerSession | undefined {
  for (const p of self.ctx.peers()) if (p.serverThread(key) === threadId) return p;
  return undefined;
}

/**
 * Finds the session `idText` names (see the lookup order above) and checks the caller may kill it: the session, an
 * ERR packet, or 'forward' when the id is not the proxy's and the caller's server should decide.
 */
function lookup(self: KillHost, idText: string): PeerSession | Buffer | 'forward' {
  const id = Number(idText);
  let target = Number.isSafeInteger(id) ? self.ctx.findPeer(id) : undefined;
  if (target === undefined && Number.isSafeInteger(id) && self.active !== null) {
    target = byServerThread(self, self.active.key, id);
    if (target === undefined) return 'forward';
  }
  if (target === undefined) return err(self.writer, 1094, 'HY000', `Unknown thread id: ${idText}`);
  if (!mayKill(self, target)) return err(self.writer, 1095, 'HY000', `You are not owner of thread ${idText}`);
  return target;
}

/**
 * KILL [CONNECTION] <id> and COM_PROCESS_KILL: the answer packet (the target is closed here), or 'forward' (the
 * caller sends the statement to its own server).
 */
export function answerKill(self: KillHost, idText: string, _query: boolean): Buffer | 'forward' {
  const t = lookup(self, idText);
  if (t === 'forward' || Buffer.isBuffer(t)) return t;
  if (t.id === self.id) {
    // As MySQL/MariaDB: killing your own connection ends it; the statement reports that.
    const p = err(self.writer, 1927, '70100', 'Connection was killed');
    setImmediate(() => self.close(`KILL of its own connection ${self.id}`));
    return p;
  }
  t.close(`killed by cs_id=${self.id} (KILL ${idText})`);
  return self.okPacket(self.status);
}

/** KILL QUERY <id>: an answer, or the server and thread the caller must send `KILL QUERY` to. */
export function killTarget(self: KillHost, idText: string): KillTarget {
  const t = lookup(self, idText);
  if (t === 'forward') return { kind: 'forward' };
  if (Buffer.isBuffer(t)) return { kind: 'answer', packet: t };
  if (t.id === self.id) return { kind: 'answer', packet: err(self.writer, 1317, '70100', 'Query execution was interrupted') };
  const on = t.runningOn();
  if (on === null) return { kind: 'answer', packet: self.okPacket(self.status) }; // nothing running: nothing to kill
  if (!self.multiServer && self.active?.key !== on.key) {
    return { kind: 'answer', packet: err(self.writer, 1235, '42000', `This version of odp doesn't yet support 'KILL QUERY of a session on another server from a pass-through session (${on.key})'`) };
  }
  return { kind: 'server', key: on.key, threadId: on.threadId };
}

export function isProcesslist(parse: RouteParse): boolean {
  return (parse.kind === 'SHOW' || parse.kind === 'INTERNAL_CMD') && parse.objectType === 'processlist';
}

const COLUMNS = ['Id', 'User', 'Host', 'db', 'Command', 'Time', 'State', 'Info'];

/** SHOW [FULL] PROCESSLIST: the proxy's client sessions; others' only for root (as without PROCESS privilege). */
export function answerProcesslist(self: KillHost, _parse: RouteParse): Buffer {
  const rows: (string | null)[][] = [];
  for (const p of self.ctx.peers()) {
    if (self.user !== 'root' && (p.user !== self.user || p.tenant !== self.tenant)) continue;
    const cmd = p.id === self.id ? 'Query' : p.processCommand();
    rows.push([
      String(p.id), p.user, p.remote, p.database, cmd, String(p.id === self.id ? 0 : p.processTime()),
      cmd === 'Sleep' ? '' : 'executing', p.id === self.id ? 'SHOW PROCESSLIST' : p.processInfo(),
    ]);
  }
  rows.sort((a, b) => Number(a[0]) - Number(b[0]));
  const cols = COLUMNS.map((c) => textColumn(c));
  writeTextResultSet(self.writer, cols, rows, {
    seq: 1,
    deprecateEof: (self.capabilities & Capability.DEPRECATE_EOF) !== 0,
    status: self.status,
    capabilities: self.capabilities,
    mariadbCapabilities: self.mariadbCapabilities,
  });
  return self.writer.take();
}

const KILL_USER = /^\s*kill\s+(?:(?:hard|soft)\s+)?(?:connection\s+)?user\s+(?:'([^']*)'|`([^`]*)`|"([^"]*)"|([^\s@;]+))/i;

/**
 * MariaDB's `KILL [HARD|SOFT] [CONNECTION] USER name[@host]`: the user name whose connections the server kills, or
 * null for any other statement (KILL QUERY USER only interrupts statements: sessions survive it, as direct).
 */
export function killConnectionUser(sql: string): string | null {
  const m = KILL_USER.exec(sql);
  return m === null ? null : (m[1] ?? m[2] ?? m[3] ?? m[4] ?? null);
}

/**
 * After the server accepted `KILL CONNECTION USER name`: it killed that user's server connections, so the proxy ends
 * that user's client sessions too (a multi-server session would otherwise go on with another server session, unlike
 * a direct connection). The caller's own session ends after its answer, as on a direct connection.
 */
export function closeSessionsOfUser(self: KillHost, user: string): void {
  for (const p of [...self.ctx.peers()]) {
    if (p.user !== user) continue;
    if (p.id === self.id) setImmediate(() => self.close(`KILL CONNECTION USER ${user} (its own user)`));
    else p.close(`killed by cs_id=${self.id} (KILL CONNECTION USER ${user})`);
  }
}
