// Client session ids (spec §6.4). The id a client sees as its connection id is the proxy's, never a server's.
// v1: 0 | proxy_id(8) | upgrade_ver(1) | thread_id(k) | local_seq(rest)
// v2: 0 | proxy_id(13) | upgrade_ver(1) | thread_id(k) | local_seq(17 - k)
// k = bits needed for (worker count - 1); local_seq wraps, skipping 0 and ids still in use.

export interface SessionIdLayout {
  readonly version: 1 | 2;
  readonly proxyId: number;
  readonly upgradeVersion: 0 | 1;
  readonly threadId: number;
  readonly threadCount: number;
}

export function threadBits(threadCount: number): number {
  let bits = 0;
  while ((1 << bits) < threadCount) bits++;
  return bits;
}

/** Validates a layout; returns a one-line error or null. */
export function checkLayout(l: SessionIdLayout): string | null {
  const maxProxy = l.version === 1 ? 255 : 8191;
  if (!Number.isInteger(l.proxyId) || l.proxyId < 0 || l.proxyId > maxProxy) {
    return `proxy_id ${l.proxyId} is out of range [0, ${maxProxy}] for client_session_id_version=${l.version}`;
  }
  const seqBits = (l.version === 1 ? 22 : 17) - threadBits(l.threadCount);
  if (seqBits < 8) return `too many work threads (${l.threadCount}) for client_session_id_version=${l.version}`;
  if (l.threadId < 0 || l.threadId >= Math.max(1, l.threadCount)) return `thread id ${l.threadId} out of range`;
  return null;
}

export class SessionIdAllocator {
  private readonly prefix: number;
  private readonly seqBits: number;
  private readonly inUse: (id: number) => boolean;
  private seq = 0;

  constructor(layout: SessionIdLayout, inUse: (id: number) => boolean) {
    const err = checkLayout(layout);
    if (err !== null) throw new Error(err);
    const k = threadBits(layout.threadCount);
    const proxyBits = layout.version === 1 ? 8 : 13;
    this.seqBits = 31 - proxyBits - 1 - k;
    this.prefix = (((layout.proxyId << 1) | layout.upgradeVersion) << k | layout.threadId) * 2 ** this.seqBits;
    this.inUse = inUse;
  }

  /** Next free id; throws when every sequence value is in use. */
  next(): number {
    const max = 2 ** this.seqBits;
    for (let tries = 0; tries < max; tries++) {
      this.seq = this.seq + 1 >= max ? 1 : this.seq + 1;
      const id = this.prefix + this.seq;
      if (!this.inUse(id)) return id;
    }
    throw new Error('no free client session id');
  }

  static decode(id: number, version: 1 | 2, threadCount: number): { proxyId: number; upgradeVersion: number; threadId: number; seq: number } {
    const k = threadBits(threadCount);
    const proxyBits = version === 1 ? 8 : 13;
    const seqBits = 31 - proxyBits - 1 - k;
    const seq = id % 2 ** seqBits;
    const rest = Math.floor(id / 2 ** seqBits);
    return { seq, threadId: rest & ((1 << k) - 1), upgradeVersion: (rest >> k) & 1, proxyId: rest >> (k + 1) };
  }
}
