// Pass-through login (docs/AUTH.md): the proxy opens the backend connection first and greets the client with
// that server's own scramble and auth plugin, so the client's token is valid for that server as is; every later
// auth packet (auth switch, caching_sha2 fast/full auth, RSA key exchange) is relayed unchanged. The proxy never
// sees a password or anything password-equivalent, and a wrong password gets the server's own ERR 1045.
// Limitation, by design: such a session is bound to that one server (the hash-based scheme lifts it).

import { OdpError } from '../../errors/catalogue.js';
import { Capability } from '../../protocol/constants.js';
import { decodeErr, type ErrPacket } from '../../protocol/err.js';
import { writeHandshake } from '../../protocol/handshake.js';
import { decodeHandshakeResponse, isSslRequest, writeHandshakeResponse } from '../../protocol/handshake-response.js';
import { okStatus } from '../../protocol/ok.js';
import { frameHeader, type QueuedPacket } from '../../protocol/packet-queue.js';
import { PacketWriter } from '../../protocol/writer.js';
import { ServerConnection } from '../../backend/server-connection.js';
import { ALLOWED_MARIADB_CAPABILITIES, maskCapabilities } from '../commands.js';
import type { SessionContext } from '../context.js';

/** The part of a client session the login relay uses. */
export interface ClientLeg {
  readonly id: number;
  readonly remote: string;
  state: string;
  write(bytes: Buffer): boolean;
  readAuthPacket(): Promise<QueuedPacket>;
}

export type LoginOutcome =
  | { ok: true; server: ServerConnection; user: string; database: string | null; capabilities: number; status: number }
  | { ok: false; server: ServerConnection | null; user: string; reason: string };

type RelayResult = { ok: true; status: number } | { ok: false; err: ErrPacket };

function framed(p: QueuedPacket): Buffer {
  return Buffer.concat([frameHeader(p.payload.length, p.seq), p.payload]);
}

export async function passthroughLogin(client: ClientLeg, ctx: SessionContext): Promise<LoginOutcome> {
  const settings = ctx.settings;
  const server = await ServerConnection.open(ctx.pickServer(), {
    connectTimeoutMs: settings.connectTimeoutMs,
    keepAliveIdleMs: settings.serverKeepAliveIdleMs,
  });
  try {
    const hs = server.handshake!;
    const w = new PacketWriter(256);
    writeHandshake(w, {
      protocolVersion: 10,
      serverVersion: settings.serverVersion ?? hs.serverVersion,
      connectionId: client.id,
      scramble: hs.scramble,
      capabilities: maskCapabilities(hs.capabilities),
      charset: hs.charset,
      status: hs.status,
      authPluginName: hs.authPluginName,
      mariadbCapabilities: hs.mariadbCapabilities & ALLOWED_MARIADB_CAPABILITIES,
    }, 0);
    client.write(w.take());
    client.state = 'auth';
    const first = await client.readAuthPacket();
    if (isSslRequest(first.payload, 0, first.payload.length)) {
      throw new OdpError('HANDSHAKE_ERROR', [], 'client asked for TLS, which this listener does not offer');
    }
    let hr;
    try {
      hr = decodeHandshakeResponse(first.payload, 0, first.payload.length);
    } catch (e) {
      throw new OdpError('HANDSHAKE_ERROR', [], (e as Error).message);
    }
    const caps = (maskCapabilities(hr.capabilities) & hs.capabilities) >>> 0;
    const attributes = new Map(hr.attributes);
    if ((caps & Capability.CONNECT_ATTRS) !== 0) {
      attributes.set('__client_addr_port', client.remote);
      attributes.set('__proxy_client_session_id', String(client.id));
    }
    writeHandshakeResponse(w, {
      ...hr,
      capabilities: caps,
      mariadbCapabilities: hr.mariadbCapabilities & hs.mariadbCapabilities & ALLOWED_MARIADB_CAPABILITIES,
      attributes,
    }, first.seq);
    server.write(w.take());
    const r = await relayAuth(client, server, settings.authTimeoutMs);
    if (!r.ok) return { ok: false, server, user: hr.user, reason: `server ${server.name} answered ${r.err.errno} ${r.err.message}` };
    return { ok: true, server, user: hr.user, database: hr.database, capabilities: caps, status: r.status };
  } catch (e) {
    server.destroy();
    throw e;
  }
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
export async function relayChangeUser(client: ClientLeg, server: ServerConnection, packet: Buffer): Promise<{ ok: true; user: string; status: number } | { ok: false }> {
  const end = packet.indexOf(0, 1);
  const user = packet.toString('utf8', 1, end < 0 ? packet.length : end);
  server.write(Buffer.concat([frameHeader(packet.length, 0), packet]));
  const r = await relayAuth(client, server, 30_000);
  return r.ok ? { ok: true, user, status: r.status } : { ok: false };
}
