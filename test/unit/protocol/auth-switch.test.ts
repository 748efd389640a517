import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError } from '../../../src/errors/catalogue.js';
import {
  decodeAuthMoreData,
  decodeAuthSwitchRequest,
  writeAuthMoreData,
  writeAuthSwitchRequest,
  writeRawPayload,
} from '../../../src/protocol/auth-switch.js';
import { PacketWriter } from '../../../src/protocol/writer.js';
import { asciiHex, framed, hex } from './codec-helpers.js';

const SCRAMBLE = '3d4a5e4f6b4c3a23253a2f7b2e6f28796b5e2a71';

// AuthSwitchRequest as servers send it: 0xfe, plugin name NUL, 20-byte scramble, NUL.
const SWITCH = hex(`fe ${asciiHex('mysql_native_password')} 00 ${SCRAMBLE} 00`);

void describe('AuthSwitchRequest', () => {
  void test('decodes a server packet, stripping the data NUL', () => {
    const r = decodeAuthSwitchRequest(SWITCH, 0, SWITCH.length);
    assert.equal(r.pluginName, 'mysql_native_password');
    assert.equal(r.data.toString('hex'), SCRAMBLE);
  });

  void test('data without a trailing NUL is kept whole; only one NUL is stripped', () => {
    const b = hex(`fe ${asciiHex('client_ed25519')} 00 0102 00 00`);
    assert.deepEqual(decodeAuthSwitchRequest(b, 0, b.length).data, hex('0102 00'));
    const c = hex(`fe ${asciiHex('x')} 00 0102`);
    assert.deepEqual(decodeAuthSwitchRequest(c, 0, c.length).data, hex('0102'));
  });

  void test('the 1-byte old-password switch', () => {
    assert.deepEqual(decodeAuthSwitchRequest(hex('fe'), 0, 1), { pluginName: 'mysql_old_password', data: Buffer.alloc(0) });
  });

  void test('writes exactly what servers send', () => {
    const w = new PacketWriter();
    assert.equal(writeAuthSwitchRequest(w, 'mysql_native_password', hex(SCRAMBLE), 2), 3);
    assert.deepEqual(w.take(), framed(SWITCH, 2));
  });

  void test('wrong header → ProtocolError', () => {
    assert.throws(() => decodeAuthSwitchRequest(hex('00 01'), 0, 2), ProtocolError);
    assert.throws(() => decodeAuthSwitchRequest(hex(''), 0, 0), ProtocolError);
  });
});

void describe('AuthMoreData and raw payloads', () => {
  void test('caching_sha2 fast-auth success (01 03) and a public key', () => {
    assert.deepEqual(decodeAuthMoreData(hex('01 03'), 0, 2), hex('03'));
    const pem = '-----BEGIN PUBLIC KEY-----\n';
    const b = hex(`01 ${asciiHex(pem)}`);
    assert.equal(decodeAuthMoreData(b, 0, b.length).toString(), pem);
    assert.throws(() => decodeAuthMoreData(hex('02 03'), 0, 2), ProtocolError);
  });

  void test('writers', () => {
    const w = new PacketWriter();
    assert.equal(writeAuthMoreData(w, hex('04'), 4), 5);
    assert.equal(writeRawPayload(w, hex('02'), 5), 6);
    assert.equal(writeRawPayload(w, Buffer.alloc(0), 6), 7);
    assert.deepEqual(w.take(), hex('02000004 0104 | 01000005 02 | 00000006'));
  });
});
