// Emulator login rules (spec §2.1, §2.2, §2.5, §7.4). Tokens are computed here with node:crypto from the
// documented mysql_native_password formula, independently of src/protocol/auth.ts.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { checkLogin, effectiveScramble, type LoginResult } from '../../../lab/observer/auth.js';
import { defaultTopology } from '../../../lab/observer/default-topology.js';
import type { HandshakeResponse } from '../../../src/protocol/handshake-response.js';

const sha1 = (...b: Buffer[]): Buffer => b.reduce((h, x) => h.update(x), createHash('sha1')).digest();

/** SHA1(pw) XOR SHA1(scramble || SHA1(SHA1(pw))); empty for an empty password. */
function token(password: string, scramble: Buffer): Buffer {
  if (password === '') return Buffer.alloc(0);
  const s1 = sha1(Buffer.from(password));
  const mix = sha1(scramble, sha1(s1));
  return Buffer.from(s1.map((b, i) => b ^ mix[i]!));
}

/** 20 bytes in 1..127, like a MySQL scramble. */
const scramble7 = (): Buffer => Buffer.from(randomBytes(20).map((b) => (b & 0x7f) || 1));

const t = defaultTopology();
const obs1 = t.servers[0]!;
const obs2 = t.servers[1]!;

function hs(user: string, authResponse: Buffer, attrs: Record<string, string> = {}): HandshakeResponse {
  return {
    capabilities: 0, maxPacketSize: 1 << 24, charset: 45, user, authResponse, database: null,
    authPluginName: 'mysql_native_password', attributes: new Map(Object.entries(attrs)), mariadbCapabilities: 0,
  };
}

function login(user: string, password: string, opts: { server?: typeof obs1; attrs?: Record<string, string>; tokenScramble?: Buffer } = {}): LoginResult {
  const scramble = scramble7();
  const tok = token(password, opts.tokenScramble ?? scramble);
  return checkLogin(t, opts.server ?? obs1, { hs: hs(user, tok, opts.attrs), scramble, token: tok, clientHost: '127.0.0.1' });
}

const errno = (r: LoginResult): number => (r.ok ? 0 : r.err.errno);

describe('login', () => {
  test('user@tenant, user@tenant#cluster and a bare user (sys) log in with the right password', () => {
    const r = login('root@test', 'root_pw');
    assert.ok(r.ok && r.tenant.name === 'test' && r.user === 'root' && r.scrambleSource === 'handshake');
    assert.equal(errno(login('odp_app@test#lab_cluster', 'odp_app_pw')), 0);
    assert.equal(errno(login('odp_app@test#lab_cluster:1', 'odp_app_pw')), 0);
    const sys = login('proxyro', 'proxyro_pw');
    assert.ok(sys.ok && sys.tenant.name === 'sys');
    assert.equal(errno(login('root@sys', '')), 0, 'empty password: empty token');
  });

  test('errors in the observer\'s order: cluster, tenant, unit on this server, password', () => {
    assert.equal(errno(login('root@test#other', 'root_pw')), 4666);
    assert.equal(errno(login('root@test#lab_cluster:9', 'root_pw')), 4666);
    assert.equal(errno(login('root@test', 'root_pw', { attrs: { __cluster_name: 'other' } })), 4666);
    assert.equal(errno(login('root@nope', 'root_pw')), 5160);
    assert.equal(errno(login('root@solo', '', { server: obs2 })), 5150, 'solo has a unit on obs1 only');
    assert.equal(errno(login('root@solo', '', { server: obs1 })), 0);
    const bad = login('root@test', 'wrong');
    assert.ok(!bad.ok && bad.err.errno === 1045 && bad.err.sqlState === '28000');
    assert.match(bad.ok ? '' : bad.err.message, /Access denied for user 'root'@'127\.0\.0\.1' \(using password: YES\)/);
    assert.equal(errno(login('nobody@test', 'root_pw')), 1045);
    assert.equal(errno(login('root@test', '')), 1045, 'no password where one is set');
  });

  test('a proxy without __proxy_scramble signs with the fixed scramble aaaaaaaabbbbbbbbbbbb', () => {
    const fixed = Buffer.from('aaaaaaaabbbbbbbbbbbb');
    const proxy = { __mysql_client_type: '__ob_proxy' };
    const r = login('root@test', 'root_pw', { attrs: proxy, tokenScramble: fixed });
    assert.ok(r.ok && r.scrambleSource === 'proxy_default');
    assert.equal(errno(login('root@test', 'root_pw', { attrs: proxy })), 1045, 'the handshake scramble is not used');
  });

  test('a proxy with __proxy_scramble = XOR(proxy scramble, server scramble) signs with its own scramble', () => {
    const serverScramble = scramble7();
    const proxyScramble = scramble7();
    const sent = Buffer.from(proxyScramble.map((b, i) => b ^ serverScramble[i]!));
    const attrs = new Map([['__mysql_client_type', '__ob_proxy'], ['__proxy_scramble', sent.toString('latin1')]]);
    assert.deepEqual(effectiveScramble(attrs, serverScramble), { scramble: proxyScramble, source: 'proxy_scramble' });
    const tok = token('root_pw', proxyScramble);
    const r = checkLogin(t, obs1, { hs: { ...hs('root@test', tok), attributes: attrs }, scramble: serverScramble, token: tok, clientHost: '127.0.0.1' });
    assert.ok(r.ok && r.scrambleSource === 'proxy_scramble');
    const wrong = token('root_pw', serverScramble);
    assert.equal(errno(checkLogin(t, obs1, { hs: { ...hs('root@test', wrong), attributes: attrs }, scramble: serverScramble, token: wrong, clientHost: '' })), 1045);
  });
});
