// Test helpers for the packet codec tests. Independent of the code under test.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isOdpError } from '../../../src/errors/catalogue.js';

/** Bytes from a hex string; whitespace, '|' and comments after '//' on each line are ignored. */
export function hex(s: string): Buffer {
  const clean = s
    .split('\n')
    .map((line) => line.replace(/\/\/.*$/, ''))
    .join('')
    .replace(/[\s|]/g, '');
  assert.equal(clean.length % 2, 0, 'odd hex length');
  assert.match(clean, /^[0-9a-fA-F]*$/);
  return Buffer.from(clean, 'hex');
}

/** ASCII text as hex, for readable fixtures. */
export function asciiHex(s: string): string {
  return Buffer.from(s, 'latin1').toString('hex');
}

/** Frames a payload as one physical packet (length < 2^24) with its own code, for comparing writer output. */
export function framed(payload: Buffer, seq: number): Buffer {
  const len = payload.length;
  assert.ok(len < 0xffffff);
  return Buffer.concat([Buffer.from([len & 0xff, (len >> 8) & 0xff, (len >> 16) & 0xff, seq & 0xff]), payload]);
}

/** Strips the 4-byte header of one physical packet, checking the length field. */
export function payloadOf(packet: Buffer): Buffer {
  const len = (packet[0] as number) | ((packet[1] as number) << 8) | ((packet[2] as number) << 16);
  assert.equal(packet.length, len + 4, 'header length field must match the packet');
  return packet.subarray(4);
}

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above the test file');
    dir = up;
  }
  return dir;
}

export type Outcome = { ok: true; value: unknown } | { ok: false; code: string; message: string };

/** Runs a decoder: a result or a ProtocolError (MALFORMED_PACKET) is fine; anything else is rethrown. */
export function outcome(run: () => unknown): Outcome {
  try {
    return { ok: true, value: run() };
  } catch (e) {
    if (isOdpError(e) && e.code === 'MALFORMED_PACKET' && e.name === 'ProtocolError') {
      return { ok: false, code: e.code, message: e.message };
    }
    throw e;
  }
}

/**
 * Runs `decode` on `payload` placed at an offset inside larger buffers with different bytes around it.
 * Asserts each run returns or throws ProtocolError, and that all runs agree: a decoder that read outside
 * [start, end) would see different bytes and (for these fillers) produce a different result or error.
 */
export function checkDecoder(payload: Buffer, decode: (buf: Buffer, start: number, end: number) => unknown): Outcome {
  const exact = outcome(() => decode(Buffer.from(payload), 0, payload.length));
  for (const fill of [0x00, 0xff, 0xfe, 0x23]) {
    const buf = Buffer.alloc(payload.length + 32, fill);
    payload.copy(buf, 16);
    const got = outcome(() => decode(buf, 16, 16 + payload.length));
    assert.deepEqual(normalise(got), normalise(exact), `decoder result depends on bytes outside the view (fill 0x${fill.toString(16)})`);
  }
  return exact;
}

/** Error messages mention offsets, which differ with the view position: compare error-ness only. */
function normalise(o: Outcome): unknown {
  return o.ok ? o.value : 'ProtocolError';
}
