// Login (docs/AUTH.md).
// Pass-through: the proxy opens the backend connection first and greets the client with that server's own
// scramble and auth plugin, so the client's token is valid for that server as is; every later auth packet (auth
// switch, caching_sha2 fast/full auth, RSA key exchange) is relayed unchanged. The proxy never sees a password or
// anything password-equivalent, and a wrong password gets the server's own ERR 1045. Limitation, by design: such
// a session is bound to that one server (the hash-based scheme lifts it).
// Local: root@proxysys and inspector@proxysys (spec §8) are verified by the proxy against the stored SHA1 stage1
// and never reach a backend; when the backend is down the greeting uses a random scramble so admins still get in.

import { timingSafeEqual } from 'node:crypto';
import { OdpError, isOdpError } from '../../errors/catalogue.js';
import { nativeTokenFromStage1, randomScramble } from '../../protocol/auth.js';
import { writeAuthSwitchRequest } from '../../protocol/auth-switch.js';
import { AuthPlugin, Capability } from '../../protocol/constants.js';
import { decodeErr, writeErr, type ErrPacket } from '../../protocol/err.js';
import { writeHandshake } from '../../protocol/handshake.js';
import { decodeHandshakeResponse, isSslRequest, writeHandshakeResponse, type HandshakeResponse } from '../../protocol/handshake-response.js';
import { okStatus, writeOk } from '../../protocol/ok.js';
import { parseUsername, type ParsedUsername } from '../../protocol/username.js';
import { frameHeader, type QueuedPacket } from '../../protocol/packet-queue.js';
import { PacketWriter } from '../../protocol/writer.js';
import { ServerConnection } from '../../backend/server-connection.js';
import { ALLOWED_MARIADB_CAPABILITIES, maskCapabilities } from '../commands.js';
import type { SessionContext } from '../context.js';
import type { ClientLeg, LoginOutcome } from './types.js';
import { greetWithProxyScramble, proxyScrambleLogin } from './proxy-scramble-login.js';
import { obLogin } from './ob-login.js';

export type { ClientLeg, LoginOutcome, LoginSuccess } from './types.js';

const AUTOCOMMIT = 0x0002;

type RelayResult = { ok: true; status: number } | { ok: false; err: ErrPacket };

function framed(p: QueuedPacket): Buffer {
  return Buffer.concat([frameHeader(p.payload.length, p.seq), p.payload]);
}

/** Reads and decodes the client's HandshakeResponse41 (TLS is refused: this listener offers none). */
async function readHandshakeResponse(client: ClientLeg): Promise<{ hr: HandshakeResponse; seq: number }> {
  const first = await client.readAuthPacket();
  if (isSslRequest(first.payload, 0, first.payload.length)) {
    throw new OdpError('HANDSHAKE_ERROR', [], 'client asked for TLS, which this listener does not offer');
  }
  try {
    return { hr: decodeHandshakeResponse(first.payload, 0, first.payload.length), seq: first.seq };
  } catch (e) {
    throw new OdpError('HANDSHAKE_ERROR', [], (e as Error).message);
  }
}

export async function login(client: ClientLeg, ctx: SessionContext): Promise<LoginOutcome> {
  const source = ctx.authSource();
  if (source !== null || ctx.obMode()) {
    const w = new PacketWriter(256);
    const g = greetWithProxyScramble(client, ctx, w);
    if (client.state !== 'closed') client.state = 'auth';
    const { hr, seq } = await readHandshakeResponse(client);
    const identity = parseUsername(hr.user, ctx.usernameSeparators());
    if (identity.tenant === 'proxysys') return localLogin(client, ctx, hr, identity, g.scramble, seq + 1, g.caps, g.mariadbCaps);
    if (ctx.obMode()) return obLogin(client, ctx, { hr, identity, scramble: g.scramble, seq, greetCaps: g.caps, greetMariadbCaps: g.mariadbCaps });
    if (source === null) throw new OdpError('INTERNAL', ['no auth source']);
    return proxyScrambleLogin(client, ctx, source, { hr, identity, scramble: g.scramble, seq, greetCaps: g.caps, greetMariadbCaps: g.mariadbCaps });
  }
  const settings = ctx.settings;
  let server: ServerConnection | null = null;
  let connectError: OdpError | null = null;
  try {
    server = await ServerConnection.open(ctx.pickServer(), {
      connectTimeoutMs: settings.connectTimeoutMs,
      keepAliveIdleMs: settings.serverKeepAliveIdleMs,
    });
  } catch (e) {
    connectError = isOdpError(e) ? e : new OdpError('BACKEND_CONNECT_FAILED', ['?', String(e)]);
  }
  try {
    const hs = server?.handshake ?? null;
    const scramble = hs?.scramble ?? randomScramble();
    const greetCaps = hs !== null ? maskCapabilities(hs.capabilities) : ctx.defaultCapabilities();
    const w = new PacketWriter(256);
    writeHandshake(w, {
      protocolVersion: 10,
      serverVersion: settings.serverVersion ?? hs?.serverVersion ?? ctx.defaultServerVersion(),
      connectionId: client.id,
      scramble,
      capabilities: greetCaps,
      charset: hs?.charset ?? 45,
      status: hs?.status ?? AUTOCOMMIT,
      authPluginName: hs?.authPluginName ?? AuthPlugin.MYSQL_NATIVE_PASSWORD,
      mariadbCapabilities: (hs?.mariadbCapabilities ?? 0) & ALLOWED_MARIADB_CAPABILITIES,
    }, 0);
    client.write(w.take());
    if (client.state !== 'closed') client.state = 'auth';
    const { hr, seq: firstSeq } = await readHandshakeResponse(client);
    const identity = parseUsername(hr.user, ctx.usernameSeparators());
    if (identity.tenant === 'proxysys') {
      server?.destroy();
      return await localLogin(client, ctx, hr, identity, scramble, firstSeq + 1, greetCaps, (hs?.mariadbCapabilities ?? 0) & ALLOWED_MARIADB_CAPABILITIES);
    }
    if (server === null || hs === null) throw connectError ?? new OdpError('NO_BACKEND', ['no server']);
    const caps = (maskCapabilities(hr.capabilities) & hs.capabilities) >>> 0;
    const attributes = new Map(hr.attributes);
    if ((caps & Capability.CONNECT_ATTRS) !== 0) {
      attributes.set('__client_addr_port', client.remote);
      attributes.set('__proxy_client_session_id', String(client.id));
    }
    const mariadbCapabilities = hr.mariadbCapabilities & hs.mariadbCapabilities & ALLOWED_MARIADB_CAPABILITIES;
    writeHandshakeResponse(w, { ...hr, capabilities: caps, mariadbCapabilities, attributes }, firstSeq);
    server.write(w.take());
    const r = await relayAuth(client, server, settings.authTimeoutMs);
    if (!r.ok) return { ok: false, server, user: hr.user, reason: `server ${server.name} answered ${r.err.errno} ${r.err.message}` };
    return { ok: true, server, user: hr.user, identity, database: hr.database, capabilities: caps, mariadbCapabilities, status: r.status, credentials: null, scramble: null };
  } catch (e) {
    server?.destroy();
    throw e;
  }
}

/** root@proxysys / inspector@proxysys: mysql_native_password against the stored stage1 (SHA1 of the password). */
export async function localLogin(
  client: ClientLeg, ctx: SessionContext, hr: HandshakeResponse, identity: ParsedUsername,
  scramble: Buffer, seq: number, greetCaps: number, greetMariadbCaps: number,
): Promise<LoginOutcome> {
  let token = hr.authResponse;
  const w = new PacketWriter(128);
  if (hr.authPluginName !== null && hr.authPluginName !== AuthPlugin.MYSQL_NATIVE_PASSWORD) {
    if ((hr.capabilities & Capability.PLUGIN_AUTH) === 0) throw new OdpError('AUTH_PLUGIN_UNSUPPORTED');
    writeAuthSwitchRequest(w, AuthPlugin.MYSQL_NATIVE_PASSWORD, scramble, seq);
    client.write(w.take());
    const reply = await client.readAuthPacket();
    token = reply.payload;
    seq = reply.seq + 1;
  }
  const stage1Hex = ctx.proxysysPasswordHash(identity.user);
  const host = client.remote.slice(0, client.remote.lastIndexOf(':'));
  if (stage1Hex === null || !verifyNative(token, scramble, stage1Hex)) {
    const e = new OdpError('ACCESS_DENIED', [hr.user, host, token.length > 0 ? 'YES' : 'NO']);
    writeErr(w, e.errno, e.sqlState, e.clientMessage, seq);
    client.write(w.take());
    return { ok: false, server: null, user: hr.user, reason: 'wrong proxysys password or unknown proxysys user' };
  }
  const caps = (maskCapabilities(hr.capabilities) & greetCaps) >>> 0;
  writeOk(w, { status: AUTOCOMMIT }, seq, caps);
  client.write(w.take());
  return { ok: true, server: null, user: hr.user, identity, database: hr.database, capabilities: caps, mariadbCapabilities: hr.mariadbCapabilities & greetMariadbCaps, status: AUTOCOMMIT, credentials: null, scramble: null };
}

function verifyNative(token: Buffer, scramble: Buffer, stage1Hex: string): boolean {
  if (stage1Hex === '') return token.length === 0;
  if (!/^[0-9a-fA-F]{40}$/.test(stage1Hex) || token.length !== 20) return false;
  const expected = nativeTokenFromStage1(Buffer.from(stage1Hex, 'hex'), scramble);
  return timingSafeEqual(expected, token);
}

/**
 * Relays an auth exchange until the server says OK or ERR. Sequence ids line up on both legs because the
 * proxy adds no packet of its own. caching_sha2_password's "fast auth success" (0x01 0x03) needs no reply.
 */
async function relayAuth(client: ClientLeg, server: ServerConnection, timeoutMs: number): Promise<RelayResult> {
  for (;;) {
    const p = await server.readPacket(timeoutMs);
    client.write(framed(p));
    const head = p.payload[0];
    if (head === 0x00) return { ok: true, status: okStatus(p.payload, 0, p.payload.length) };
    if (head === 0xff) return { ok: false, err: decodeErr(p.payload, 0, p.payload.length) };
    if (head === 0x01 && p.payload.length === 2 && p.payload[1] === 0x03) continue;
    const c = await client.readAuthPacket();
    server.write(framed(c));
  }
}

/** COM_CHANGE_USER: forwarded as is (its token is for this server's scramble), then the exchange relayed. */
export async function relayChangeUser(
  client: ClientLeg, server: ServerConnection, packet: Buffer, timeoutMs: number, capabilities: number,
): Promise<{ ok: true; user: string; database: string | null; status: number } | { ok: false }> {
  const { user, database } = changeUserTarget(packet, capabilities);
  server.write(Buffer.concat([frameHeader(packet.length, 0), packet]));
  const r = await relayAuth(client, server, timeoutMs);
  return r.ok ? { ok: true, user, database, status: r.status } : { ok: false };
}

/** User and database of a COM_CHANGE_USER payload (layout: 0x11, user NUL, auth data, database NUL, ...). */
export function changeUserTarget(p: Buffer, capabilities: number): { user: string; database: string | null } {
  const userEnd = p.indexOf(0, 1);
  if (userEnd < 0) return { user: p.toString('utf8', 1), database: null };
  let pos = userEnd + 1;
  if ((capabilities & Capability.SECURE_CONNECTION) !== 0) pos += 1 + (p[pos] ?? 0);
  else {
    const authEnd = p.indexOf(0, pos);
    pos = authEnd < 0 ? p.length : authEnd + 1;
  }
  const dbEnd = p.indexOf(0, pos);
  const database = pos < p.length ? p.toString('utf8', pos, dbEnd < 0 ? p.length : dbEnd) : '';
  return { user: p.toString('utf8', 1, userEnd), database: database === '' ? null : database };
}
