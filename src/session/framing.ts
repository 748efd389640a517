// Framing a logical payload of any size onto a socket without copying it (payload views + 4-byte headers).
import type { Writable } from 'node:stream';
import { frameHeader } from '../protocol/packet-queue.js';

const MAX = 0xffffff;

/** Writes `payload` as one logical packet starting at `seq`; returns the last write()'s result. */
export function writeFramed(out: Writable, payload: Buffer, seq: number): boolean {
  let off = 0;
  let ok = true;
  for (;;) {
    const len = Math.min(MAX, payload.length - off);
    out.write(frameHeader(len, seq));
    ok = out.write(payload.subarray(off, off + len));
    seq = (seq + 1) & 0xff;
    off += len;
    if (len < MAX) return ok;
  }
}
