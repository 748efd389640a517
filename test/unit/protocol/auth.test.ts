import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createHash, generateKeyPairSync, privateDecrypt, publicEncrypt } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  cachingSha2RecoverStage1,
  cachingSha2Stage1,
  cachingSha2Token,
  cachingSha2TokenFromStage1,
  nativeRecoverStage1,
  nativeStage1,
  nativeStage2,
  nativeToken,
  nativeTokenFromStage1,
  parseNativeHash,
  randomScramble,
  rsaDecryptPassword,
  rsaEncryptPassword,
} from '../../../src/protocol/auth.js';
import { repoRoot } from './codec-helpers.js';

// Oracle: mysql2's own auth helpers (test-only), loaded by file path because its package exports hide lib/.
const requireFile = createRequire(import.meta.url);
const mysql2Dir = join(repoRoot(), 'node_modules', 'mysql2', 'lib');
const auth41 = requireFile(join(mysql2Dir, 'auth_41.js')) as {
  calculateToken(password: string, scramble1: Buffer, scramble2: Buffer): Buffer;
};
const sha2Plugin = requireFile(join(mysql2Dir, 'auth_plugins', 'caching_sha2_password.js')) as {
  calculateToken(password: string, scramble: Buffer): Buffer;
};

const h = (alg: string, ...parts: Buffer[]): Buffer => {
  const x = createHash(alg);
  for (const p of parts) x.update(p);
  return x.digest();
};

const scrambleArb = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((a) => Buffer.from(a));
const passwordArb = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });

void describe('mysql_native_password', () => {
  void test('known vector: PASSWORD("password") = *2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19', () => {
    const stage2 = nativeStage2(nativeStage1('password'));
    assert.equal(`*${stage2.toString('hex').toUpperCase()}`, '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19');
    assert.deepEqual(parseNativeHash('*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19'), stage2);
    assert.deepEqual(parseNativeHash('*2470c0c06dee42fd1618bb99005adca2ec9d1e19'), stage2);
  });

  void test('parseNativeHash rejects anything else', () => {
    for (const s of ['', '*', '2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19', '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E1',
      '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E199', '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E1G', '$A$005$abc']) {
      assert.equal(parseNativeHash(s), null, s);
    }
  });

  void test('token equals mysql2 and a step-by-step computation (property)', () => {
    fc.assert(
      fc.property(passwordArb, scrambleArb, (pw, scramble) => {
        const mine = nativeToken(pw, scramble);
        assert.deepEqual(mine, auth41.calculateToken(pw, scramble.subarray(0, 8), scramble.subarray(8)));
        const s1 = h('sha1', Buffer.from(pw));
        const mix = h('sha1', scramble, h('sha1', s1));
        assert.deepEqual(mine, Buffer.from(s1.map((b, i) => b ^ (mix[i] as number))));
        assert.deepEqual(nativeTokenFromStage1(nativeStage1(pw), scramble), mine);
      }),
    );
  });

  void test('empty password → empty token', () => {
    assert.equal(nativeToken('', Buffer.alloc(20, 1)).length, 0);
    assert.equal(nativeToken(Buffer.alloc(0), Buffer.alloc(20, 1)).length, 0);
  });

  void test('recover stage1 from a token: right password only', () => {
    fc.assert(
      fc.property(passwordArb, passwordArb, scrambleArb, (pw, other, scramble) => {
        const stage1 = nativeStage1(pw);
        const stage2 = nativeStage2(stage1);
        assert.deepEqual(nativeRecoverStage1(nativeToken(pw, scramble), scramble, stage2), stage1);
        if (other !== pw) assert.equal(nativeRecoverStage1(nativeToken(other, scramble), scramble, stage2), null);
        assert.equal(nativeRecoverStage1(Buffer.alloc(0), scramble, stage2), null);
        assert.equal(nativeRecoverStage1(Buffer.alloc(19), scramble, stage2), null);
      }),
    );
  });
});

void describe('caching_sha2_password', () => {
  void test('token equals mysql2 and a step-by-step computation (property)', () => {
    fc.assert(
      fc.property(passwordArb, scrambleArb, (pw, nonce) => {
        const mine = cachingSha2Token(pw, nonce);
        assert.deepEqual(mine, sha2Plugin.calculateToken(pw, nonce));
        const s1 = h('sha256', Buffer.from(pw));
        const mix = h('sha256', h('sha256', s1), nonce);
        assert.deepEqual(mine, Buffer.from(s1.map((b, i) => b ^ (mix[i] as number))));
        assert.deepEqual(cachingSha2TokenFromStage1(cachingSha2Stage1(pw), nonce), mine);
      }),
    );
  });

  void test('empty password → empty token; recover stage1', () => {
    assert.equal(cachingSha2Token('', Buffer.alloc(20)).length, 0);
    const nonce = Buffer.from('0123456789abcdefghij');
    const stage1 = cachingSha2Stage1('secret');
    const stage2 = h('sha256', stage1);
    assert.deepEqual(cachingSha2RecoverStage1(cachingSha2Token('secret', nonce), nonce, stage2), stage1);
    assert.equal(cachingSha2RecoverStage1(cachingSha2Token('Secret', nonce), nonce, stage2), null);
    assert.equal(cachingSha2RecoverStage1(Buffer.alloc(20), nonce, stage2), null);
  });
});

void describe('RSA password exchange', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 1024,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const nonce = Buffer.from('abcdefghijklmnopqrst');

  void test('encrypt: OAEP of (password NUL) XOR repeated nonce, checked by raw decryption', () => {
    const pw = 'a password longer than the twenty-byte nonce';
    const plain = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      rsaEncryptPassword(pw, nonce, publicKey));
    const want = Buffer.from(`${pw}\0`);
    for (let i = 0; i < want.length; i++) want[i] = (want[i] as number) ^ (nonce[i % 20] as number);
    assert.deepEqual(plain, want);
  });

  void test('decrypt what a client encrypted independently', () => {
    const pw = 'pässwörd';
    const plain = Buffer.from(`${pw}\0`);
    for (let i = 0; i < plain.length; i++) plain[i] = (plain[i] as number) ^ (nonce[i % 20] as number);
    const sealed = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, plain);
    assert.equal(rsaDecryptPassword(sealed, nonce, privateKey).toString(), pw);
    assert.equal(rsaDecryptPassword(rsaEncryptPassword('', nonce, publicKey), nonce, privateKey).length, 0);
  });
});

void describe('randomScramble', () => {
  void test('20 bytes in 1..127, never NUL or "$", and not constant', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const s = randomScramble();
      assert.equal(s.length, 20);
      for (const b of s) assert.ok(b >= 1 && b <= 127 && b !== 0x24, `byte ${b}`);
      seen.add(s.toString('hex'));
    }
    assert.equal(seen.size, 200);
  });
});
