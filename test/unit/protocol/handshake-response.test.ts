import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ProtocolError } from '../../../src/errors/catalogue.js';
import { Capability } from '../../../src/protocol/constants.js';
import {
  decodeHandshakeResponse,
  isSslRequest,
  writeHandshakeResponse,
  writeSslRequest,
  type HandshakeResponse,
} from '../../../src/protocol/handshake-response.js';
import { PacketWriter } from '../../../src/protocol/writer.js';
import { asciiHex, checkDecoder, framed, hex, payloadOf } from './codec-helpers.js';

const FILLER23 = '00'.repeat(23);
const TOKEN = 'ab09eef6bcb1323e61143865c0991d957d75d447';

// Example from the MySQL documentation (HandshakeResponse41): user 'pam', db 'test', 1-byte auth length.
const DOC_EXAMPLE = hex(`8d a6 0f 00 | 00 00 00 01 | 08 | ${FILLER23} | ${asciiHex('pam')} 00 | 14 ${TOKEN}
  ${asciiHex('test')} 00 | ${asciiHex('mysql_native_password')} 00`);

// Hand-built: LENENC client data + CONNECT_ATTRS (two attributes, 0x20 bytes), no database.
const CAPS_ATTRS = 0x00388201; // LONG_PASSWORD PROTOCOL_41 SECURE_CONNECTION PLUGIN_AUTH CONNECT_ATTRS LENENC_CLIENT_DATA
const WITH_ATTRS = hex(`01 82 38 00 | ff ff ff 00 | 2d | ${FILLER23} | ${asciiHex('root')} 00 | 02 aabb
  ${asciiHex('caching_sha2_password')} 00
  20 | 03 ${asciiHex('_os')} 05 ${asciiHex('Linux')} | 0c ${asciiHex('_client_name')} 08 ${asciiHex('libmysql')}`);

// Hand-built MariaDB response: CLIENT_MYSQL clear, extended caps 0x04 in the last 4 filler bytes.
const MARIADB = hex(`00 82 08 00 | 00 00 00 40 | 21 | ${'00'.repeat(19)} 04 00 00 00 | ${asciiHex('u@t#c')} 00 | 00
  ${asciiHex('mysql_native_password')} 00`);

void describe('decodeHandshakeResponse', () => {
  void test('MySQL documentation example', () => {
    const r = decodeHandshakeResponse(DOC_EXAMPLE, 0, DOC_EXAMPLE.length);
    assert.equal(r.capabilities, 0x000fa68d);
    assert.equal(r.maxPacketSize, 0x01000000);
    assert.equal(r.charset, 8);
    assert.equal(r.user, 'pam');
    assert.equal(r.authResponse.toString('hex'), TOKEN);
    assert.equal(r.database, 'test');
    assert.equal(r.authPluginName, 'mysql_native_password');
    assert.equal(r.attributes.size, 0);
    assert.equal(r.mariadbCapabilities, 0);
  });

  void test('lenenc auth data and connect attributes', () => {
    const r = decodeHandshakeResponse(WITH_ATTRS, 0, WITH_ATTRS.length);
    assert.equal(r.capabilities, CAPS_ATTRS);
    assert.equal(r.maxPacketSize, 0xffffff);
    assert.equal(r.user, 'root');
    assert.deepEqual(r.authResponse, hex('aabb'));
    assert.equal(r.database, null);
    assert.equal(r.authPluginName, 'caching_sha2_password');
    assert.deepEqual([...r.attributes], [['_os', 'Linux'], ['_client_name', 'libmysql']]);
  });

  void test('MariaDB extended capabilities in the filler, empty auth response', () => {
    const r = decodeHandshakeResponse(MARIADB, 0, MARIADB.length);
    assert.equal(r.mariadbCapabilities, 4);
    assert.equal(r.user, 'u@t#c');
    assert.equal(r.authResponse.length, 0);
  });

  void test('a trailing plugin name without its NUL is accepted', () => {
    const b = DOC_EXAMPLE.subarray(0, DOC_EXAMPLE.length - 1);
    assert.equal(decodeHandshakeResponse(b, 0, b.length).authPluginName, 'mysql_native_password');
  });

  void test('the auth response is a copy', () => {
    const b = Buffer.from(DOC_EXAMPLE);
    const r = decodeHandshakeResponse(b, 0, b.length);
    b.fill(0);
    assert.equal(r.authResponse.toString('hex'), TOKEN);
  });

  void test('malformed: no PROTOCOL_41, attributes overrunning their block, truncation', () => {
    const old = Buffer.from(DOC_EXAMPLE);
    old[1] = old[1]! & ~0x02; // clear PROTOCOL_41 (bit 9)
    assert.throws(() => decodeHandshakeResponse(old, 0, old.length), ProtocolError);
    const bad = Buffer.from(WITH_ATTRS);
    bad[bad.length - 9] = 0x09; // value length 9 inside a block that holds 8
    assert.throws(() => decodeHandshakeResponse(bad, 0, bad.length), ProtocolError);
    for (let n = 0; n < 57; n++) assert.equal(checkDecoder(DOC_EXAMPLE.subarray(0, n), decodeHandshakeResponse).ok, false);
  });
});

void describe('SSLRequest', () => {
  const SSL = hex(`00 8a 00 00 | 00 00 00 01 | 21 | ${FILLER23}`);
  void test('isSslRequest: 32 bytes with CLIENT_SSL', () => {
    assert.equal(isSslRequest(SSL, 0, 32), true);
    const noSsl = Buffer.from(SSL);
    noSsl[1] = 0x82;
    assert.equal(isSslRequest(noSsl, 0, 32), false);
    assert.equal(isSslRequest(DOC_EXAMPLE, 0, DOC_EXAMPLE.length), false);
    assert.equal(isSslRequest(SSL, 0, 31), false);
  });

  void test('writeSslRequest matches the hand-built bytes and forces the SSL bit', () => {
    const w = new PacketWriter();
    assert.equal(writeSslRequest(w, 0x8200, 0x01000000, 0x21, 1), 2);
    assert.deepEqual(w.take(), framed(SSL, 1));
  });
});

void describe('writeHandshakeResponse', () => {
  void test('reproduces the documentation example and the attributes example', () => {
    for (const fixture of [DOC_EXAMPLE, WITH_ATTRS, MARIADB]) {
      const r = decodeHandshakeResponse(fixture, 0, fixture.length);
      const w = new PacketWriter();
      assert.equal(writeHandshakeResponse(w, r, 1), 2);
      assert.deepEqual(payloadOf(w.take()), fixture);
    }
  });

  void test('round trip (property) over the capability combinations', () => {
    const text = fc.string({ maxLength: 30 }).map((s) => s.replace(/\0/g, ''));
    const optionalCaps = [Capability.LONG_PASSWORD, Capability.SECURE_CONNECTION, Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA,
      Capability.CONNECT_WITH_DB, Capability.PLUGIN_AUTH, Capability.CONNECT_ATTRS];
    const arb = fc.record({
      caps: fc.subarray(optionalCaps),
      maxPacketSize: fc.integer({ min: 0, max: 0xffffffff }),
      charset: fc.integer({ min: 0, max: 255 }),
      user: text,
      auth: fc.uint8Array({ maxLength: 300, min: 1, max: 255 }),
      database: text,
      authPluginName: text,
      attributes: fc.array(fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 300 })), { maxLength: 5 }),
      mariadbCapabilities: fc.integer({ min: 0, max: 0xffffffff }),
    });
    fc.assert(
      fc.property(arb, (a) => {
        const capabilities = a.caps.reduce((c, f) => c | f, Capability.PROTOCOL_41) >>> 0;
        let auth = Buffer.from(a.auth);
        if ((capabilities & Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA) === 0) auth = auth.subarray(0, 255);
        const r: HandshakeResponse = {
          capabilities,
          maxPacketSize: a.maxPacketSize,
          charset: a.charset,
          user: a.user,
          authResponse: auth,
          database: (capabilities & Capability.CONNECT_WITH_DB) !== 0 ? a.database : null,
          authPluginName: (capabilities & Capability.PLUGIN_AUTH) !== 0 ? a.authPluginName : null,
          attributes: (capabilities & Capability.CONNECT_ATTRS) !== 0 ? new Map(a.attributes) : new Map(),
          mariadbCapabilities: (capabilities & Capability.LONG_PASSWORD) === 0 ? a.mariadbCapabilities : 0,
        };
        const w = new PacketWriter();
        writeHandshakeResponse(w, r, 1);
        const out = payloadOf(w.take());
        const got = decodeHandshakeResponse(out, 0, out.length);
        assert.deepEqual(got, r);
      }),
    );
  });
});
