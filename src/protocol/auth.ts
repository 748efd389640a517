// Password scrambling for mysql_native_password, caching_sha2_password and sha256_password.
// mysql_native_password (dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_authentication_methods_native_password_authentication.html):
//   stage1 = SHA1(password), stage2 = SHA1(stage1) (what mysql.user stores as '*' + HEX),
//   token  = stage1 XOR SHA1(scramble || stage2).
// caching_sha2_password (dev.mysql.com/doc/dev/mysql-server/latest/page_caching_sha2_authentication_exchanges.html):
//   stage1 = SHA256(password), stage2 = SHA256(stage1),
//   token  = stage1 XOR SHA256(stage2 || nonce).
// RSA exchange (both sha256 plugins): RSA-OAEP(SHA-1) of (password || NUL) XOR nonce (repeated).
// A server that stores stage2 recovers stage1 from a token; the proxy can then compute a token for another
// server's scramble without knowing the password (ARCHITECTURE.md, mysql routing mode).
// Cost: each function is 2–3 hashes (µs); RSA is ~1 ms (control path only).

import { constants, createHash, privateDecrypt, publicEncrypt, randomBytes, timingSafeEqual } from 'node:crypto';

type Secret = string | Buffer;

const sha1 = (...parts: Buffer[]): Buffer => digest('sha1', parts);
const sha256 = (...parts: Buffer[]): Buffer => digest('sha256', parts);

function digest(alg: 'sha1' | 'sha256', parts: Buffer[]): Buffer {
  const h = createHash(alg);
  for (const p of parts) h.update(p);
  return h.digest();
}

function bytesOf(s: Secret): Buffer {
  return typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
}

/** a XOR b over a.length bytes (b is at least as long in every use here). */
function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) ^ (b[i] as number);
  return out;
}

// ---- mysql_native_password ----

export function nativeStage1(password: Secret): Buffer {
  return sha1(bytesOf(password));
}

export function nativeStage2(stage1: Buffer): Buffer {
  return sha1(stage1);
}

/** The client's auth response; an empty password gives an empty Buffer (as MySQL clients send). */
export function nativeToken(password: Secret, scramble: Buffer): Buffer {
  const pw = bytesOf(password);
  if (pw.length === 0) return Buffer.alloc(0);
  return nativeTokenFromStage1(sha1(pw), scramble);
}

export function nativeTokenFromStage1(stage1: Buffer, scramble: Buffer): Buffer {
  return xor(stage1, sha1(scramble, sha1(stage1)));
}

/**
 * Verifies `token` against the stored `stage2` and returns the client's stage1 (SHA1(password)), or null
 * when the token does not verify (wrong length or wrong password). Constant-time comparison.
 */
export function nativeRecoverStage1(token: Buffer, scramble: Buffer, stage2: Buffer): Buffer | null {
  if (token.length !== 20 || stage2.length !== 20) return null;
  const stage1 = xor(token, sha1(scramble, stage2));
  return timingSafeEqual(sha1(stage1), stage2) ? stage1 : null;
}

const NATIVE_HASH_RE = /^\*[0-9a-fA-F]{40}$/;

/** mysql.user authentication_string '*' + 40 hex digits → stage2 (20 bytes); anything else → null. */
export function parseNativeHash(s: string): Buffer | null {
  return NATIVE_HASH_RE.test(s) ? Buffer.from(s.slice(1), 'hex') : null;
}

// ---- caching_sha2_password ----

export function cachingSha2Stage1(password: Secret): Buffer {
  return sha256(bytesOf(password));
}

/** The client's fast-auth response; an empty password gives an empty Buffer. */
export function cachingSha2Token(password: Secret, nonce: Buffer): Buffer {
  const pw = bytesOf(password);
  if (pw.length === 0) return Buffer.alloc(0);
  return cachingSha2TokenFromStage1(sha256(pw), nonce);
}

export function cachingSha2TokenFromStage1(stage1: Buffer, nonce: Buffer): Buffer {
  return xor(stage1, sha256(sha256(stage1), nonce));
}

/** As nativeRecoverStage1, for caching_sha2_password (stage2 = SHA256(SHA256(password))). */
export function cachingSha2RecoverStage1(token: Buffer, nonce: Buffer, stage2: Buffer): Buffer | null {
  if (token.length !== 32 || stage2.length !== 32) return null;
  const stage1 = xor(token, sha256(stage2, nonce));
  return timingSafeEqual(sha256(stage1), stage2) ? stage1 : null;
}

// ---- RSA password exchange (caching_sha2_password full auth, sha256_password) ----

function xorRepeated(data: Buffer, nonce: Buffer): Buffer {
  if (nonce.length === 0) return Buffer.from(data);
  const out = Buffer.allocUnsafe(data.length);
  for (let i = 0; i < data.length; i++) out[i] = (data[i] as number) ^ (nonce[i % nonce.length] as number);
  return out;
}

/** RSA-OAEP (SHA-1) of (password || NUL) XOR nonce, as the client sends it. */
export function rsaEncryptPassword(password: Secret, nonce: Buffer, publicKeyPem: string): Buffer {
  const plain = xorRepeated(Buffer.concat([bytesOf(password), Buffer.from([0])]), nonce);
  return publicEncrypt({ key: publicKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, plain);
}

/** The inverse of rsaEncryptPassword: the password bytes without the trailing NUL. */
export function rsaDecryptPassword(data: Buffer, nonce: Buffer, privateKeyPem: string): Buffer {
  const plain = xorRepeated(
    privateDecrypt({ key: privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, data),
    nonce,
  );
  return plain.length > 0 && plain[plain.length - 1] === 0 ? plain.subarray(0, plain.length - 1) : plain;
}

// ---- scramble ----

const SCRAMBLE_LEN = 20;
const DOLLAR = 0x24;

/**
 * A 20-byte scramble for a handshake. Like MySQL's generate_user_salt: each byte is random & 0x7f, and NUL
 * or '$' is bumped by one, so bytes are in 1..127 without '$' (NUL would end the handshake's C string;
 * '$' delimits caching_sha2 stored hashes). The bump makes 0x01 and 0x25 twice as likely, MySQL's own
 * trade-off: 6.97 bits per byte, about 139 bits per scramble.
 */
export function randomScramble(): Buffer {
  const b = randomBytes(SCRAMBLE_LEN);
  for (let i = 0; i < SCRAMBLE_LEN; i++) {
    let c = (b[i] as number) & 0x7f;
    if (c === 0 || c === DOLLAR) c++;
    b[i] = c;
  }
  return b;
}
