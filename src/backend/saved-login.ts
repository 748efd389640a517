// Saved login (docs/AUTH.md §2): the proxy logs a session's user in to another server without the password, with
// mysql_native_password's stage1 = SHA1(password): token = stage1 XOR SHA1(scramble || SHA1(stage1)).
// HandshakeResponse41: dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_response.html
// AuthSwitchRequest: .../page_protocol_connection_phase_packets_protocol_auth_switch_request.html
// Secrets: stage1 is password-equivalent for mysql_native_password. It is never logged, never put in an error
// message, and the token buffers built from it are not kept.

import { OdpError } from '../errors/catalogue.js';
import { nativeTokenFromStage1 } from '../protocol/auth.js';
import { decodeAuthSwitchRequest, writeRawPayload } from '../protocol/auth-switch.js';
import { AUTH_SWITCH_HEADER, AuthPlugin, Capability, ERR_HEADER, OK_HEADER } from '../protocol/constants.js';
import { decodeErr } from '../protocol/err.js';
import { writeHandshakeResponse } from '../protocol/handshake-response.js';
import { okStatus } from '../protocol/ok.js';
import { PacketWriter } from '../protocol/writer.js';
import { ExchangeReader } from './internal-query.js';
import type { ServerConnection } from './server-connection.js';

export interface SavedCredentials {
  readonly user: string;
  /** SHA1(password); null = the account has an empty password (empty token). Never logged. */
  readonly stage1: Buffer | null;
  readonly database: string | null;
  /** Client capability flags to send (the client's negotiated ones). */
  readonly capabilities: number;
  readonly mariadbCapabilities: number;
  readonly charset: number;
  readonly attributes: ReadonlyMap<string, string>;
  /**
   * OceanBase proxy-scramble login (spec §2.1): the client's own token against the proxy's scramble P, replayed to
   * every observer with connect attribute `__proxy_scramble` = P XOR that observer's scramble; `stage1` is unused.
   */
  readonly ob?: { readonly token: Buffer; readonly proxyScramble: Buffer };
}

export type SavedLoginResult =
  | { readonly ok: true; readonly status: number }
  | { readonly ok: false; readonly errno: number; readonly sqlState: string; readonly message: string };

/** Never sent: TLS and compression need a leg of their own; multi-factor auth cannot be answered from stage1. */
const NEVER = Capability.SSL | Capability.COMPRESS | Capability.ZSTD_COMPRESSION_ALGORITHM |
  Capability.SSL_VERIFY_SERVER_CERT | Capability.MULTI_FACTOR_AUTHENTICATION;
/**
 * Always asked for when the server offers them: 4.1 auth and AuthSwitchRequest (they only shape the login).
 * CONNECT_WITH_DB follows `database`: set when one is given, cleared when not.
 */
const AUTH_CAPS = Capability.PROTOCOL_41 | Capability.SECURE_CONNECTION | Capability.PLUGIN_AUTH;
/** 1 GiB, the protocol's largest max_allowed_packet: the proxy imposes no limit of its own here. */
const MAX_PACKET = 0x4000_0000;
/** A server may switch plugins at most this many times before the login is called malformed. */
const MAX_SWITCHES = 2;

const ER_NOT_SUPPORTED_AUTH_MODE = 1251;
const SQLSTATE_UNABLE_TO_CONNECT = '08004';

/** The capability flags a saved login sends to a server that greeted with `serverCaps`. */
export function savedLoginCapabilities(cred: SavedCredentials, serverCaps: number): number {
  const db = cred.database === null ? 0 : Capability.CONNECT_WITH_DB;
  const caps = ((cred.capabilities | AUTH_CAPS | db) & serverCaps & ~NEVER) >>> 0;
  return cred.database === null ? (caps & ~Capability.CONNECT_WITH_DB) >>> 0 : caps;
}

/** P XOR S over 20 bytes: what the observer XORs with its own scramble S to recover the proxy's P (spec §2.1). */
export function xorScramble(proxyScramble: Buffer, serverScramble: Buffer): Buffer {
  const out = Buffer.alloc(proxyScramble.length);
  for (let i = 0; i < out.length; i++) out[i] = proxyScramble[i]! ^ (serverScramble[i] ?? 0);
  return out;
}

function refused(message: string): SavedLoginResult {
  return { ok: false, errno: ER_NOT_SUPPORTED_AUTH_MODE, sqlState: SQLSTATE_UNABLE_TO_CONNECT, message };
}

function nativeToken(stage1: Buffer | null, scramble: Buffer): Buffer {
  return stage1 === null ? Buffer.alloc(0) : nativeTokenFromStage1(stage1, scramble);
}

/**
 * Logs in on a freshly opened connection (greeting read: conn.handshake). Resolves with the server's OK status, the
 * server's own ERR as is (1045 wrong password, 1049 unknown database, ...), or 1251/08004 when the server wants a
 * plugin other than mysql_native_password. Rejects (OdpError) on timeout, connection loss or malformed packets.
 * Whenever the result is not ok the connection is unusable: the caller destroys it.
 */
export async function savedLogin(conn: ServerConnection, cred: SavedCredentials, timeoutMs: number): Promise<SavedLoginResult> {
  const hs = conn.handshake;
  if (hs === null) throw new OdpError('INTERNAL', ['savedLogin on a connection without a greeting']);
  if (cred.stage1 !== null && cred.stage1.length !== 20) throw new OdpError('INTERNAL', ['saved login stage1 is not 20 bytes']);
  if ((hs.capabilities & Capability.PROTOCOL_41) === 0 || (hs.capabilities & Capability.SECURE_CONNECTION) === 0) {
    return refused(`server ${conn.name} does not offer 4.1 authentication, which a saved login needs`);
  }
  const caps = savedLoginCapabilities(cred, hs.capabilities);
  const attributes = new Map(cred.attributes);
  if (cred.ob !== undefined) {
    attributes.set('__mysql_client_type', '__ob_proxy');
    attributes.set('__proxy_scramble', xorScramble(cred.ob.proxyScramble, hs.scramble).toString('latin1'));
  }
  const w = new PacketWriter(256);
  writeHandshakeResponse(w, {
    capabilities: caps,
    maxPacketSize: MAX_PACKET,
    charset: cred.charset,
    user: cred.user,
    authResponse: cred.ob !== undefined ? cred.ob.token : nativeToken(cred.stage1, hs.scramble),
    database: cred.database,
    authPluginName: AuthPlugin.MYSQL_NATIVE_PASSWORD,
    attributes,
    mariadbCapabilities: cred.mariadbCapabilities & hs.mariadbCapabilities,
  }, 1);
  conn.write(w.take());
  const rd = new ExchangeReader(conn, timeoutMs);
  for (let switches = 0; ; switches++) {
    const p = await rd.next();
    const head = p.payload[0];
    if (head === OK_HEADER) return { ok: true, status: okStatus(p.payload, 0, p.payload.length) };
    if (head === ERR_HEADER) {
      const e = decodeErr(p.payload, 0, p.payload.length);
      return { ok: false, errno: e.errno, sqlState: e.sqlState, message: e.message };
    }
    if (head !== AUTH_SWITCH_HEADER || switches >= MAX_SWITCHES) {
      throw new OdpError('HANDSHAKE_ERROR', [], `unexpected packet 0x${(head ?? 0).toString(16)} from ${conn.name} during a saved login`);
    }
    if (cred.ob !== undefined) return refused(`observer ${conn.name} asked for an auth switch, which a proxy-scramble login cannot answer`);
    const sw = decodeAuthSwitchRequest(p.payload, 0, p.payload.length);
    if (sw.pluginName !== AuthPlugin.MYSQL_NATIVE_PASSWORD) {
      return refused(`server ${conn.name} asks for plugin ${sw.pluginName}, which a saved login cannot answer`);
    }
    writeRawPayload(w, nativeToken(cred.stage1, sw.data), p.seq + 1);
    conn.write(w.take());
  }
}
