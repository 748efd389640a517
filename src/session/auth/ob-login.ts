// Login in `oceanbase` mode (spec §2.1, §2.2, §6.3): the proxy greets with its own random scramble P, the client's
// token T (against P) is relayed unchanged to an observer of the client's tenant with the connect attributes ODP
// sends (`__mysql_client_type=__ob_proxy`, `__proxy_scramble` = P XOR the observer's scramble, cluster name, client
// address, proxy session id); the observer recovers P and verifies T itself. The proxy never sees a password, and the
// same T logs the session in to every further observer (the saved login). A wrong password, an unknown tenant or a
// cluster mismatch is the observer's own ERR.

import { OdpError } from '../../errors/catalogue.js';
import { writeAuthSwitchRequest } from '../../protocol/auth-switch.js';
import { AuthPlugin, Capability } from '../../protocol/constants.js';
import { writeErr } from '../../protocol/err.js';
import type { HandshakeResponse } from '../../protocol/handshake-response.js';
import { writeOk } from '../../protocol/ok.js';
import type { ParsedUsername } from '../../protocol/username.js';
import { PacketWriter } from '../../protocol/writer.js';
import type { SavedCredentials } from '../../backend/saved-login.js';
import { maskCapabilities } from '../commands.js';
import type { SessionContext } from '../context.js';
import { openSavedSession } from '../server-open.js';
import type { ClientLeg, LoginOutcome } from './types.js';

export interface ObLoginInput {
  readonly hr: HandshakeResponse;
  readonly identity: ParsedUsername;
  readonly scramble: Buffer;
  readonly seq: number;
  readonly greetCaps: number;
  readonly greetMariadbCaps: number;
}

export async function obLogin(client: ClientLeg, ctx: SessionContext, input: ObLoginInput): Promise<LoginOutcome> {
  const { hr, identity, scramble } = input;
  const w = new PacketWriter(128);
  let seq = input.seq + 1;
  let token = hr.authResponse;
  if (hr.authPluginName !== null && hr.authPluginName !== AuthPlugin.MYSQL_NATIVE_PASSWORD) {
    if ((hr.capabilities & Capability.PLUGIN_AUTH) === 0) throw new OdpError('AUTH_PLUGIN_UNSUPPORTED');
    writeAuthSwitchRequest(w, AuthPlugin.MYSQL_NATIVE_PASSWORD, scramble, seq);
    client.write(w.take());
    const reply = await client.readAuthPacket();
    token = Buffer.from(reply.payload);
    seq = reply.seq + 1;
  }
  const tenant = identity.tenant ?? ctx.defaultTenant();
  const cluster = ctx.clusterName();
  const caps = (maskCapabilities(hr.capabilities) & input.greetCaps) >>> 0;
  const attributes = new Map<string, string>();
  for (const [k, v] of hr.attributes) if (!k.startsWith('__') || k.startsWith('__ob_client')) attributes.set(k, v);
  attributes.set('__proxy_client_session_id', String(client.id));
  attributes.set('__client_session_id', String(client.id));
  attributes.set('__connection_id', String(client.id));
  attributes.set('__client_addr_port', client.remote);
  attributes.set('__client_ip', client.remote.slice(0, client.remote.lastIndexOf(':')));
  attributes.set('__proxy_version', ctx.version);
  if (cluster !== '') attributes.set('__cluster_name', cluster);
  const credentials: SavedCredentials = {
    user: `${identity.user}@${tenant}`, stage1: null, database: hr.database, capabilities: caps,
    mariadbCapabilities: hr.mariadbCapabilities & input.greetMariadbCaps, charset: hr.charset, attributes,
    ob: { token, proxyScramble: scramble },
  };
  const failures: string[] = [];
  for (const key of ctx.tenantLoginOrder(tenant)) {
    const r = await openSavedSession(ctx, key, credentials);
    if (r.kind === 'ok') {
      writeOk(w, { status: r.status }, seq, caps);
      client.write(w.take());
      return {
        ok: true, server: r.conn, user: hr.user, identity: { ...identity, tenant }, database: hr.database, capabilities: caps,
        mariadbCapabilities: credentials.mariadbCapabilities, status: r.status, credentials, scramble,
      };
    }
    if (r.kind === 'server_error') {
      writeErr(w, r.errno, r.sqlState, r.message, seq);
      client.write(w.take());
      return { ok: false, server: null, user: hr.user, reason: `observer ${key} answered ${r.errno} ${r.message}` };
    }
    failures.push(`${key} (${r.message})`);
  }
  const e = new OdpError('NO_BACKEND', [failures.length > 0 ? failures.join(', ') : `no server of tenant ${tenant}`]);
  writeErr(w, e.errno, e.sqlState, e.clientMessage, seq);
  client.write(w.take());
  return { ok: false, server: null, user: hr.user, reason: e.message };
}
