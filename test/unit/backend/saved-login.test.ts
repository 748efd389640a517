// savedLogin against a scripted fake server on loopback. A fake is used for what the lab's MariaDB cannot show:
// a greeting that announces another default plugin and AuthSwitchRequests (to mysql_native_password with a new
// scramble, and to a plugin a saved login cannot answer). The real-server cases are in
// test/integration/backend-helpers.test.ts. Packets here are built and parsed by hand from the protocol pages
// (HandshakeV10, HandshakeResponse41, AuthSwitchRequest), not with src/protocol.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { savedLogin, type SavedCredentials } from '../../../src/backend/saved-login.js';
import { ServerConnection } from '../../../src/backend/server-connection.js';

const sha1 = (...parts: Buffer[]): Buffer => {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
};

function tokenFor(stage1: Buffer, scramble: Buffer): Buffer {
  const mask = sha1(scramble, sha1(stage1));
  return Buffer.from(stage1.map((b, i) => b ^ mask[i]!));
}

const CAP = {
  LONG_PASSWORD: 1, CONNECT_WITH_DB: 8, COMPRESS: 32, PROTOCOL_41: 512, SSL: 2048, TRANSACTIONS: 8192,
  SECURE_CONNECTION: 32768, MULTI_STATEMENTS: 1 << 16, PLUGIN_AUTH: 1 << 19, DEPRECATE_EOF: 1 << 24,
};
const SERVER_CAPS = CAP.LONG_PASSWORD | CAP.CONNECT_WITH_DB | CAP.COMPRESS | CAP.PROTOCOL_41 | CAP.SSL | CAP.TRANSACTIONS |
  CAP.SECURE_CONNECTION | CAP.MULTI_STATEMENTS | CAP.PLUGIN_AUTH;

function packet(seq: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUIntLE(payload.length, 0, 3);
  h[3] = seq;
  return Buffer.concat([h, payload]);
}

function greeting(scramble: Buffer, plugin: string): Buffer {
  return Buffer.concat([
    Buffer.from([10]), Buffer.from('8.0.99-fake\0'), Buffer.from([7, 0, 0, 0]),
    scramble.subarray(0, 8), Buffer.from([0]),
    Buffer.from([SERVER_CAPS & 0xff, (SERVER_CAPS >>> 8) & 0xff]),
    Buffer.from([45, 2, 0]), Buffer.from([(SERVER_CAPS >>> 16) & 0xff, (SERVER_CAPS >>> 24) & 0xff]),
    Buffer.from([21]), Buffer.alloc(10), scramble.subarray(8), Buffer.from([0]), Buffer.from(`${plugin}\0`),
  ]);
}

interface Response { caps: number; user: string; token: Buffer; database: string | null; plugin: string }

/** HandshakeResponse41 with a 1-byte auth length (the fake offers no PLUGIN_AUTH_LENENC_CLIENT_DATA). */
function parseResponse(p: Buffer): Response {
  const caps = p.readUInt32LE(0);
  let pos = 32;
  const userEnd = p.indexOf(0, pos);
  const user = p.toString('utf8', pos, userEnd);
  pos = userEnd + 1;
  const token = p.subarray(pos + 1, pos + 1 + p[pos]!);
  pos += 1 + p[pos]!;
  let database: string | null = null;
  if ((caps & CAP.CONNECT_WITH_DB) !== 0) {
    const end = p.indexOf(0, pos);
    database = p.toString('utf8', pos, end);
    pos = end + 1;
  }
  const plugin = p.toString('utf8', pos, p.indexOf(0, pos));
  return { caps, user, token: Buffer.from(token), database, plugin };
}

const OK = Buffer.from([0, 0, 0, 2, 0, 0, 0]);

/** A one-connection fake: greets, then answers each client packet with `script[i](payload)`. */
async function fakeServer(scramble: Buffer, plugin: string, script: ((p: Buffer) => Buffer)[]): Promise<{ server: Server; port: number; got: Buffer[] }> {
  const got: Buffer[] = [];
  const server = createServer((s: Socket) => {
    let buf = Buffer.alloc(0);
    s.write(packet(0, greeting(scramble, plugin)));
    s.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readUIntLE(0, 3)) {
        const len = buf.readUIntLE(0, 3);
        const seq = buf[3]!;
        const payload = buf.subarray(4, 4 + len);
        buf = buf.subarray(4 + len);
        got.push(Buffer.from(payload));
        const step = script[got.length - 1];
        if (step !== undefined) s.write(packet(seq + 1, step(payload)));
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return { server, port: addr.port, got };
}

const stage1 = sha1(Buffer.from('secret'));
const S1 = Buffer.from('AAAAAAAABBBBBBBBBBBB');
const S2 = Buffer.from('ZYXWVUTSRQPONMLKJIHG');

function cred(over: Partial<SavedCredentials> = {}): SavedCredentials {
  return {
    user: 'app', stage1, database: null, charset: 45, mariadbCapabilities: 0, attributes: new Map(),
    capabilities: CAP.LONG_PASSWORD | CAP.PROTOCOL_41 | CAP.SSL | CAP.COMPRESS | CAP.TRANSACTIONS | CAP.SECURE_CONNECTION |
      CAP.MULTI_STATEMENTS | CAP.PLUGIN_AUTH | CAP.DEPRECATE_EOF | CAP.CONNECT_WITH_DB,
    ...over,
  };
}

async function run(plugin: string, script: ((p: Buffer) => Buffer)[], c: SavedCredentials) {
  const fake = await fakeServer(S1, plugin, script);
  const conn = await ServerConnection.open({ host: '127.0.0.1', port: fake.port }, { connectTimeoutMs: 2000, keepAliveIdleMs: 0 });
  try {
    const result = await savedLogin(conn, c, 2000);
    return { result, got: fake.got };
  } finally {
    conn.destroy();
    fake.server.close();
  }
}

describe('savedLogin (scripted server)', () => {
  test('token for the greeting scramble, claims mysql_native_password, no SSL/COMPRESS, caps intersected', async () => {
    const { result, got } = await run('caching_sha2_password', [() => OK], cred());
    assert.deepEqual(result, { ok: true, status: 2 });
    const r = parseResponse(got[0]!);
    assert.equal(r.user, 'app');
    assert.deepEqual(r.token, tokenFor(stage1, S1));
    assert.equal(r.plugin, 'mysql_native_password');
    assert.equal(r.caps & (CAP.SSL | CAP.COMPRESS), 0);
    assert.equal(r.caps & CAP.DEPRECATE_EOF, 0, 'the server does not offer DEPRECATE_EOF');
    assert.notEqual(r.caps & CAP.MULTI_STATEMENTS, 0);
    assert.equal(r.caps & CAP.CONNECT_WITH_DB, 0, 'no database: CONNECT_WITH_DB cleared');
    assert.equal(r.database, null);
  });

  test('database is sent with CONNECT_WITH_DB, even when the client capabilities lack it', async () => {
    const { got } = await run('mysql_native_password', [() => OK], cred({ database: 'shop', capabilities: cred().capabilities & ~CAP.CONNECT_WITH_DB }));
    const r = parseResponse(got[0]!);
    assert.notEqual(r.caps & CAP.CONNECT_WITH_DB, 0);
    assert.equal(r.database, 'shop');
  });

  test('AuthSwitchRequest to mysql_native_password: a new token for the new scramble', async () => {
    const sw = Buffer.concat([Buffer.from([0xfe]), Buffer.from('mysql_native_password\0'), S2, Buffer.from([0])]);
    const { result, got } = await run('caching_sha2_password', [() => sw, () => OK], cred());
    assert.deepEqual(result, { ok: true, status: 2 });
    assert.equal(got.length, 2);
    assert.deepEqual(got[1], tokenFor(stage1, S2));
  });

  test('AuthSwitchRequest to another plugin: 1251/08004 naming server and plugin, nothing sent back', async () => {
    const sw = Buffer.concat([Buffer.from([0xfe]), Buffer.from('client_ed25519\0'), S2, Buffer.from([0])]);
    const { result, got } = await run('mysql_native_password', [() => sw], cred());
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.errno, 1251);
    assert.equal(result.sqlState, '08004');
    assert.match(result.message, /^server 127\.0\.0\.1:\d+ asks for plugin client_ed25519, which a saved login cannot answer$/);
    assert.equal(got.length, 1);
  });

  test("the server's ERR is returned as is", async () => {
    const err = Buffer.concat([Buffer.from([0xff, 0x15, 0x04]), Buffer.from("#28000Access denied for user 'app'@'x' (using password: YES)")]);
    const { result } = await run('mysql_native_password', [() => err], cred());
    assert.deepEqual(result, { ok: false, errno: 1045, sqlState: '28000', message: "Access denied for user 'app'@'x' (using password: YES)" });
  });

  test('empty password: empty token, also after a switch', async () => {
    const sw = Buffer.concat([Buffer.from([0xfe]), Buffer.from('mysql_native_password\0'), S2, Buffer.from([0])]);
    const { result, got } = await run('mysql_native_password', [() => sw, () => OK], cred({ stage1: null }));
    assert.equal(result.ok, true);
    assert.equal(parseResponse(got[0]!).token.length, 0);
    assert.equal(got[1]!.length, 0);
  });
});
