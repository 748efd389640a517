// COM_CHANGE_USER on a proxy-scramble session (docs/AUTH.md §2): the client computed its token against the scramble
// of the proxy's greeting, so the proxy verifies it against the auth source, drops every server session (they belong
// to the old user and state) and logs the new user in to a server with a fresh saved login. The client gets the
// server's own ERR when that server refuses (unknown database, host rules), or 1045 when the password is wrong.
//
// Payload (protocol docs "COM_CHANGE_USER"): 0x11 | user NUL | auth (u8 length + bytes with SECURE_CONNECTION, else
// NUL-terminated) | database NUL | [charset u16 | [plugin NUL with PLUGIN_AUTH]] | [attributes with CONNECT_ATTRS].

import { OdpError } from '../../errors/catalogue.js';
import { writeAuthSwitchRequest } from '../../protocol/auth-switch.js';
import { AuthPlugin, Capability } from '../../protocol/constants.js';
import { writeErr } from '../../protocol/err.js';
import { writeOk } from '../../protocol/ok.js';
import { PacketWriter } from '../../protocol/writer.js';
import type { ServerConnection } from '../../backend/server-connection.js';
import { verifyEntryToken, type AuthSource } from '../../backend/auth-source.js';
import type { SavedCredentials } from '../../backend/saved-login.js';
import type { SessionContext } from '../context.js';
import { openSavedSession } from '../server-open.js';
import type { ClientLeg } from './types.js';

export interface ChangeUserRequest {
  readonly user: string;
  readonly token: Buffer;
  readonly database: string | null;
  readonly charset: number | null;
  readonly plugin: string | null;
}

/** Decodes a COM_CHANGE_USER payload; ProtocolError-free: a truncated packet yields what it has. */
export function decodeChangeUser(p: Buffer, capabilities: number): ChangeUserRequest {
  const nul = (from: number): number => {
    const i = p.indexOf(0, from);
    return i < 0 ? p.length : i;
  };
  const userEnd = nul(1);
  const user = p.toString('utf8', 1, userEnd);
  let pos = userEnd + 1;
  let token: Buffer;
  if ((capabilities & Capability.SECURE_CONNECTION) !== 0) {
    const len = p[pos] ?? 0;
    token = Buffer.from(p.subarray(pos + 1, Math.min(p.length, pos + 1 + len)));
    pos += 1 + len;
  } else {
    const e = nul(pos);
    token = Buffer.from(p.subarray(pos, e));
    pos = e + 1;
  }
  const dbEnd = nul(pos);
  const db = pos < p.length ? p.toString('utf8', pos, dbEnd) : '';
  pos = dbEnd + 1;
  const charset = pos + 2 <= p.length ? p.readUInt16LE(pos) : null;
  pos += 2;
  const plugin = (capabilities & Capability.PLUGIN_AUTH) !== 0 && pos < p.length ? p.toString('utf8', pos, nul(pos)) : null;
  return { user, token, database: db === '' ? null : db, charset, plugin: plugin === '' ? null : plugin };
}

export type ChangeUserOutcome =
  | { readonly ok: true; readonly server: ServerConnection; readonly credentials: SavedCredentials; readonly status: number }
  | { readonly ok: false; readonly reason: string };

export async function proxyScrambleChangeUser(
  client: ClientLeg, ctx: SessionContext, source: AuthSource, packet: Buffer, scramble: Buffer, old: SavedCredentials,
): Promise<ChangeUserOutcome> {
  const req = decodeChangeUser(packet, old.capabilities);
  const w = new PacketWriter(128);
  let seq = 1;
  let token = req.token;
  if (req.plugin !== null && req.plugin !== AuthPlugin.MYSQL_NATIVE_PASSWORD) {
    writeAuthSwitchRequest(w, AuthPlugin.MYSQL_NATIVE_PASSWORD, scramble, seq);
    client.write(w.take());
    const reply = await client.readAuthPacket();
    token = reply.payload;
    seq = reply.seq + 1;
  }
  const fail = (errno: number, sqlState: string, message: string, reason: string): ChangeUserOutcome => {
    writeErr(w, errno, sqlState, message, seq);
    client.write(w.take());
    return { ok: false, reason };
  };
  const host = client.remote.slice(0, client.remote.lastIndexOf(':'));
  const entry = (await source.lookup(req.user, ctx.outgoingHost()))[0];
  const v = entry !== undefined ? verifyEntryToken(entry, token, scramble) : { ok: false, stage1: null };
  if (entry === undefined || !v.ok) {
    const e = new OdpError('ACCESS_DENIED', [req.user, host, token.length > 0 ? 'YES' : 'NO']);
    return fail(e.errno, e.sqlState, e.clientMessage, entry?.unusable ?? 'wrong password or unknown user');
  }
  const credentials: SavedCredentials = { ...old, user: req.user, stage1: v.stage1, database: req.database, charset: req.charset ?? old.charset };
  const failures: string[] = [];
  for (const key of ctx.loginOrder()) {
    const r = await openSavedSession(ctx, key, credentials);
    if (r.kind === 'ok') {
      writeOk(w, { status: r.status }, seq, old.capabilities);
      client.write(w.take());
      return { ok: true, server: r.conn, credentials, status: r.status };
    }
    if (r.kind === 'server_error') return fail(r.errno, r.sqlState, r.message, `server ${key} answered ${r.errno} ${r.message}`);
    failures.push(`${key} (${r.message})`);
  }
  const e = new OdpError('NO_BACKEND', [failures.join(', ')]);
  return fail(e.errno, e.sqlState, e.clientMessage, e.message);
}
