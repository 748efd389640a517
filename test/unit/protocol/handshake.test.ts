import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ProtocolError } from '../../../src/errors/catalogue.js';
import { Capability, ERR_HEADER, MariadbCapability } from '../../../src/protocol/constants.js';
import { decodeErr } from '../../../src/protocol/err.js';
import { decodeHandshake, writeHandshake, type HandshakeV10 } from '../../../src/protocol/handshake.js';
import { PacketWriter } from '../../../src/protocol/writer.js';
import { asciiHex, checkDecoder, framed, hex } from './codec-helpers.js';

// Example from the MySQL protocol documentation (Protocol::HandshakeV10, 5.5.2-m2): no PLUGIN_AUTH.
const MYSQL_552 = hex(`
  0a ${asciiHex('5.5.2-m2')} 00 | 0b 00 00 00 | ${asciiHex('dvH@I-CJ')} | 00 | ff f7 // caps low
  08 | 02 00 | 00 00 | 00 | 00 00 00 00 00 00 00 00 00 00 // charset status caps-high auth-len reserved
  ${asciiHex('*4d|cZwk4^]:')} 00`);

// Example from the MySQL protocol documentation (5.6.4-m7-log) with PLUGIN_AUTH.
const MYSQL_564 = hex(`
  0a ${asciiHex('5.6.4-m7-log')} 00 | 56 0a 00 00 | ${asciiHex('RB3vz&Gr')} | 00 | ff ff
  08 | 02 00 | 0f c0 | 15 | 00 00 00 00 00 00 00 00 00 00
  ${asciiHex('+yD&/ZZ305ZG')} 00 | ${asciiHex('mysql_native_password')} 00`);

// Hand-built MariaDB 10.6 handshake: CLIENT_MYSQL (LONG_PASSWORD) clear, extended caps 0x1d in reserved[6..10].
const MARIADB = hex(`
  0a ${asciiHex('5.5.5-10.6.12-MariaDB')} 00 | 2a 00 00 00 | 3132333435363738 | 00 | fe f7
  2d | 02 00 | ff 81 | 15 | 00 00 00 00 00 00 | 1d 00 00 00
  616263646566676869707172 00 | ${asciiHex('mysql_native_password')} 00`);

void describe('decodeHandshake', () => {
  void test('MySQL 5.5 documentation example', () => {
    const hs = decodeHandshake(MYSQL_552, 0, MYSQL_552.length);
    assert.equal(hs.protocolVersion, 10);
    assert.equal(hs.serverVersion, '5.5.2-m2');
    assert.equal(hs.connectionId, 11);
    assert.equal(hs.scramble.toString('latin1'), 'dvH@I-CJ*4d|cZwk4^]:');
    assert.equal(hs.capabilities, 0xf7ff);
    assert.equal(hs.charset, 8);
    assert.equal(hs.status, 2);
    assert.equal(hs.authPluginName, '');
    assert.equal(hs.mariadbCapabilities, 0);
  });

  void test('MySQL 5.6 documentation example with plugin auth', () => {
    const hs = decodeHandshake(MYSQL_564, 0, MYSQL_564.length);
    assert.equal(hs.serverVersion, '5.6.4-m7-log');
    assert.equal(hs.connectionId, 0x0a56);
    assert.equal(hs.scramble.length, 20);
    assert.equal(hs.scramble.toString('latin1'), 'RB3vz&Gr+yD&/ZZ305ZG');
    assert.equal(hs.capabilities, 0xc00fffff);
    assert.ok((hs.capabilities & Capability.PLUGIN_AUTH) !== 0);
    assert.equal(hs.authPluginName, 'mysql_native_password');
  });

  void test('MariaDB extended capabilities in the reserved bytes', () => {
    const hs = decodeHandshake(MARIADB, 0, MARIADB.length);
    assert.equal(hs.capabilities & Capability.LONG_PASSWORD, 0);
    assert.equal(hs.mariadbCapabilities, MariadbCapability.PROGRESS | MariadbCapability.STMT_BULK_OPERATIONS |
      MariadbCapability.EXTENDED_TYPE_INFO | MariadbCapability.CACHE_METADATA);
    assert.equal(hs.charset, 45);
    assert.equal(hs.scramble.toString('latin1'), '12345678abcdefghipqr');
  });

  void test('extended caps are ignored when CLIENT_MYSQL is set', () => {
    const b = Buffer.from(MARIADB);
    b[b.indexOf(0x00) + 1 + 4 + 8 + 1] = 0xff; // caps low byte: set LONG_PASSWORD
    assert.equal(decodeHandshake(b, 0, b.length).mariadbCapabilities, 0);
  });

  void test('an ERR packet as first packet ("Host blocked") is recognisable', () => {
    const err = hex(`ff 69 04 ${asciiHex("Host '10.0.0.1' is blocked")}`);
    assert.equal(err[0], ERR_HEADER);
    assert.throws(() => decodeHandshake(err, 0, err.length), ProtocolError);
    assert.deepEqual(decodeErr(err, 0, err.length), { errno: 1129, sqlState: '', message: "Host '10.0.0.1' is blocked" });
  });

  void test('other protocol versions and truncations throw ProtocolError', () => {
    assert.throws(() => decodeHandshake(hex('09 00'), 0, 2), ProtocolError);
    assert.equal(MYSQL_564.length, 0x50);
    // 29 bytes end after the low capability bytes (a valid pre-4.1 handshake); 58 end after scramble part 2.
    for (let n = 0; n <= MYSQL_564.length; n++) {
      const o = checkDecoder(MYSQL_564.subarray(0, n), decodeHandshake);
      assert.equal(o.ok, n === 29 || n >= 58, `truncated at ${n}`);
    }
  });
});

void describe('writeHandshake', () => {
  void test('reproduces the documentation example byte for byte', () => {
    const hs = decodeHandshake(MYSQL_564, 0, MYSQL_564.length);
    const w = new PacketWriter();
    assert.equal(writeHandshake(w, hs), 1);
    assert.deepEqual(w.take(), framed(MYSQL_564, 0));
  });

  void test('reproduces the MariaDB handshake (extended caps)', () => {
    const hs = decodeHandshake(MARIADB, 0, MARIADB.length);
    const w = new PacketWriter();
    writeHandshake(w, hs, 0);
    assert.deepEqual(w.take(), framed(MARIADB, 0));
  });

  void test('round trip (property)', () => {
    const arb = fc.record({
      protocolVersion: fc.constant(10),
      serverVersion: fc.string({ maxLength: 40 }).map((s) => s.replace(/\0/g, '')),
      connectionId: fc.integer({ min: 0, max: 0xffffffff }),
      scramble: fc.uint8Array({ minLength: 20, maxLength: 20, min: 1, max: 255 }).map((a) => Buffer.from(a)),
      capabilities: fc.integer({ min: 0, max: 0xffffffff }).map((c) => (c | Capability.SECURE_CONNECTION) >>> 0),
      charset: fc.integer({ min: 0, max: 255 }),
      status: fc.integer({ min: 0, max: 0xffff }),
      authPluginName: fc.constantFrom('mysql_native_password', 'caching_sha2_password', 'client_ed25519'),
      mariadbCapabilities: fc.integer({ min: 0, max: 0xffffffff }),
    });
    fc.assert(
      fc.property(arb, (hs: HandshakeV10) => {
        const w = new PacketWriter();
        writeHandshake(w, hs, 0);
        const out = w.take();
        const got = decodeHandshake(out, 4, out.length);
        const plugin = (hs.capabilities & Capability.PLUGIN_AUTH) !== 0;
        const mariadb = (hs.capabilities & Capability.LONG_PASSWORD) === 0;
        assert.deepEqual(got, {
          ...hs,
          authPluginName: plugin ? hs.authPluginName : '',
          mariadbCapabilities: mariadb ? hs.mariadbCapabilities : 0,
        });
      }),
    );
  });
});
