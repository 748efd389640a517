// OceanBase-style login checks of one emulator (spec §2.1, §2.2, §2.5), in the observer's order: the name
// `user@tenant#cluster:id` (tenant defaults to sys), the cluster (name or `__cluster_name` /
// `__cluster_id` attributes), the tenant (exists, has a unit here), then mysql_native_password.
// The scramble the token is checked against (OceanBase ObMPConnect::extract_real_scramble, spec §2.1):
//   - a client that is not a proxy: this connection's handshake scramble;
//   - `__mysql_client_type=__ob_proxy` with a 20-byte `__proxy_scramble`: proxy scramble =
//     __proxy_scramble XOR handshake scramble (the proxy sent XOR(proxy scramble, our scramble));
//   - `__ob_proxy` without it: the fixed scramble 'aaaaaaaabbbbbbbbbbbb' (ODP's default handshake filler).
// Attribute values arrive as text; both scrambles are 7-bit bytes (MySQL scramble generation), so the
// XOR is 7-bit and the text holds the raw bytes unchanged. Pure.

import { nativeRecoverStage1, nativeStage1, nativeStage2 } from '../../src/protocol/auth.js';
import type { HandshakeResponse } from '../../src/protocol/handshake-response.js';
import { parseUsername } from '../../src/protocol/username.js';
import { accessDenied, clusterNoMatch, invalidTenant, tenantNotInServer, type ObError } from './errors.js';
import { findTenant, type ServerDef, type TenantDef, type Topology } from './topology.js';

export const PROXY_DEFAULT_SCRAMBLE = Buffer.from('aaaaaaaabbbbbbbbbbbb', 'latin1');
const SCRAMBLE_LEN = 20;

export interface LoginInput {
  readonly hs: HandshakeResponse;
  /** This connection's handshake scramble (20 bytes). */
  readonly scramble: Buffer;
  /** The mysql_native_password token: hs.authResponse, or the auth-switch response. */
  readonly token: Buffer;
  readonly clientHost: string;
}

export type ScrambleSource = 'handshake' | 'proxy_scramble' | 'proxy_default';

export type LoginResult =
  | { readonly ok: true; readonly tenant: TenantDef; readonly user: string; readonly scrambleSource: ScrambleSource }
  | { readonly ok: false; readonly err: ObError };

/** The scramble the client's token must have been computed with (see the header). */
export function effectiveScramble(attrs: ReadonlyMap<string, string>, handshakeScramble: Buffer): { scramble: Buffer; source: ScrambleSource } {
  if (attrs.get('__mysql_client_type') !== '__ob_proxy') return { scramble: handshakeScramble, source: 'handshake' };
  const sent = attrs.get('__proxy_scramble');
  const bytes = sent === undefined ? null : Buffer.from(sent, 'latin1');
  if (bytes === null || bytes.length !== SCRAMBLE_LEN) return { scramble: PROXY_DEFAULT_SCRAMBLE, source: 'proxy_default' };
  const out = Buffer.alloc(SCRAMBLE_LEN);
  for (let i = 0; i < SCRAMBLE_LEN; i++) out[i] = bytes[i]! ^ handshakeScramble[i]!;
  return { scramble: out, source: 'proxy_scramble' };
}

function clusterError(t: Topology, name: string | null, id: number | null, attrs: ReadonlyMap<string, string>): ObError | null {
  const cluster = name ?? attrs.get('__cluster_name') ?? null;
  if (cluster !== null && cluster !== t.clusterName) return clusterNoMatch(cluster);
  const idText = attrs.get('__cluster_id');
  const clusterId = id ?? (idText === undefined ? null : Number(idText));
  if (clusterId !== null && clusterId !== t.clusterId) return clusterNoMatch(cluster ?? t.clusterName);
  return null;
}

/** True when `token` proves knowledge of `password` for `scramble` (empty password: empty token). */
export function verifyNative(password: string, scramble: Buffer, token: Buffer): boolean {
  if (password === '') return token.length === 0;
  return nativeRecoverStage1(token, scramble, nativeStage2(nativeStage1(password))) !== null;
}

export function checkLogin(t: Topology, self: ServerDef, input: LoginInput): LoginResult {
  const { hs } = input;
  const name = parseUsername(hs.user);
  const cErr = clusterError(t, name.cluster, name.clusterId, hs.attributes);
  if (cErr !== null) return { ok: false, err: cErr };
  const tenant = findTenant(t, name.tenant ?? 'sys');
  if (tenant === undefined) return { ok: false, err: invalidTenant() };
  if (!tenant.servers.includes(self.name)) return { ok: false, err: tenantNotInServer() };
  const account = tenant.accounts.find((a) => a.user === name.user);
  const { scramble, source } = effectiveScramble(hs.attributes, input.scramble);
  if (account === undefined || !verifyNative(account.password, scramble, input.token)) {
    return { ok: false, err: accessDenied(name.user, input.clientHost, input.token.length > 0) };
  }
  return { ok: true, tenant, user: name.user, scrambleSource: source };
}
