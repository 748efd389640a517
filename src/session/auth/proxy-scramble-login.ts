// Login with the proxy's own scramble (docs/AUTH.md §2, `enable_proxy_scramble=true`): the client's
// mysql_native_password token is verified against the stage2 hash the auth source loaded from `mysql.user`; the
// recovered stage1 then logs the session in to any number of servers (saved login, spec §6.3). The first server
// session is opened here, so the server's own checks (host rules, locked accounts, unknown database, connection
// limits) still answer the client with the server's own ERR.

import { OdpError } from '../../errors/catalogue.js';
import { randomScramble } from '../../protocol/auth.js';
import { writeAuthSwitchRequest } from '../../protocol/auth-switch.js';
import { AuthPlugin, Capability } from '../../protocol/constants.js';
import { writeErr } from '../../protocol/err.js';
import { writeHandshake } from '../../protocol/handshake.js';
import type { HandshakeResponse } from '../../protocol/handshake-response.js';
import { writeOk } from '../../protocol/ok.js';
import type { ParsedUsername } from '../../protocol/username.js';
import { PacketWriter } from '../../protocol/writer.js';
import { verifyEntryToken, type AuthSource } from '../../backend/auth-source.js';
import type { SavedCredentials } from '../../backend/saved-login.js';
import { ALLOWED_MARIADB_CAPABILITIES, maskCapabilities } from '../commands.js';
import type { SessionContext } from '../context.js';
import { openSavedSession } from '../server-open.js';
import type { ClientLeg, LoginOutcome } from './types.js';

const AUTOCOMMIT = 0x0002;

/** The greeting: the proxy's scramble, the capabilities and version the backends showed at start-up. */
export function greetWithProxyScramble(client: ClientLeg, ctx: SessionContext, w: PacketWriter): { scramble: Buffer; caps: number; mariadbCaps: number } {
  const g = ctx.greetingDefaults();
  const scramble = randomScramble();
  const caps = maskCapabilities(g.capabilities);
  const mariadbCaps = g.mariadbCapabilities & ALLOWED_MARIADB_CAPABILITIES;
  writeHandshake(w, {
    protocolVersion: 10,
    serverVersion: ctx.settings.serverVersion ?? g.serverVersion,
    connectionId: client.id,
    scramble,
    capabilities: caps,
    charset: g.charset,
    status: AUTOCOMMIT,
    authPluginName: AuthPlugin.MYSQL_NATIVE_PASSWORD,
    mariadbCapabilities: mariadbCaps,
  }, 0);
  client.write(w.take());
  return { scramble, caps, mariadbCaps };
}

export interface ScrambleLoginInput {
  readonly hr: HandshakeResponse;
  readonly identity: ParsedUsername;
  readonly scramble: Buffer;
  /** Sequence id of the client's handshake response. */
  readonly seq: number;
  readonly greetCaps: number;
  readonly greetMariadbCaps: number;
}

export async function proxyScrambleLogin(client: ClientLeg, ctx: SessionContext, source: AuthSource, input: ScrambleLoginInput): Promise<LoginOutcome> {
  const { hr, identity, scramble } = input;
  const w = new PacketWriter(128);
  let seq = input.seq + 1;
  let token = hr.authResponse;
  if (hr.authPluginName !== null && hr.authPluginName !== AuthPlugin.MYSQL_NATIVE_PASSWORD) {
    // e.g. a MySQL 8 client starting with caching_sha2_password: ask for a native token on the same scramble.
    if ((hr.capabilities & Capability.PLUGIN_AUTH) === 0) throw new OdpError('AUTH_PLUGIN_UNSUPPORTED');
    writeAuthSwitchRequest(w, AuthPlugin.MYSQL_NATIVE_PASSWORD, scramble, seq);
    client.write(w.take());
    const reply = await client.readAuthPacket();
    token = reply.payload;
    seq = reply.seq + 1;
  }
  const clientHost = client.remote.slice(0, client.remote.lastIndexOf(':'));
  const deny = (reason: string): LoginOutcome => {
    const e = new OdpError('ACCESS_DENIED', [hr.user, clientHost, token.length > 0 ? 'YES' : 'NO']);
    writeErr(w, e.errno, e.sqlState, e.clientMessage, seq);
    client.write(w.take());
    return { ok: false, server: null, user: hr.user, reason };
  };
  // The server uses the first row its ordering matches (host, then user); so does the proxy.
  let entry = (await source.lookup(hr.user, ctx.outgoingHost()))[0];
  // A password changed since the hashes were read: reload once (rate-limited) before saying no.
  if (entry !== undefined && entry.unusable === null && !verifyEntryToken(entry, token, scramble).ok && await source.refresh()) {
    entry = (await source.lookup(hr.user, ctx.outgoingHost()))[0];
  }
  if (entry === undefined) {
    // A reload that failed (e.g. an anonymous ''@localhost row now shadows the metadata user's '%' row) leaves an old
    // snapshot: say so, or the operator only sees "no such account" for an account that exists.
    return deny(source.lastError === null ? 'no such account in the auth source' : `no such account in the auth source; its last reload failed: ${source.lastError}`);
  }
  if (entry.unusable !== null) {
    writeErr(w, 1251, '08004', `Account '${hr.user}'@'${entry.host}' cannot log in through odp with enable_proxy_scramble=true: ${entry.unusable} (only mysql_native_password can be verified)`, seq);
    client.write(w.take());
    return { ok: false, server: null, user: hr.user, reason: `account unusable with a proxy scramble: ${entry.unusable}` };
  }
  const v = verifyEntryToken(entry, token, scramble);
  if (!v.ok) return deny('wrong password');
  const stage1 = v.stage1;
  const caps = (maskCapabilities(hr.capabilities) & input.greetCaps) >>> 0;
  const attributes = new Map(hr.attributes);
  if ((caps & Capability.CONNECT_ATTRS) !== 0) {
    attributes.set('__client_addr_port', client.remote);
    attributes.set('__proxy_client_session_id', String(client.id));
  }
  const credentials: SavedCredentials = {
    user: hr.user, stage1, database: hr.database, capabilities: caps,
    mariadbCapabilities: hr.mariadbCapabilities & input.greetMariadbCaps, charset: hr.charset, attributes,
  };
  // The home server first, then the others: a server that is down must not keep a client out.
  const failures: string[] = [];
  for (const key of ctx.loginOrder()) {
    const r = await openSavedSession(ctx, key, credentials);
    if (r.kind === 'ok') {
      writeOk(w, { status: r.status }, seq, caps);
      client.write(w.take());
      return {
        ok: true, server: r.conn, user: hr.user, identity, database: hr.database, capabilities: caps,
        mariadbCapabilities: credentials.mariadbCapabilities, status: r.status, credentials, scramble,
      };
    }
    if (r.kind === 'server_error') {
      writeErr(w, r.errno, r.sqlState, r.message, seq);
      client.write(w.take());
      return { ok: false, server: null, user: hr.user, reason: `server ${key} answered ${r.errno} ${r.message}` };
    }
    failures.push(`${key} (${r.message})`);
  }
  const e = new OdpError('NO_BACKEND', [failures.length > 0 ? failures.join(', ') : 'no server configured']);
  writeErr(w, e.errno, e.sqlState, e.clientMessage, seq);
  client.write(w.take());
  return { ok: false, server: null, user: hr.user, reason: e.message };
}
