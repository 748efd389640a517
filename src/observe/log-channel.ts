// One log file: a bounded in-memory line queue drained to an fs write stream, with rotation (spec §10).
//
// Ownership and cost: write() is called from the data path. It stores a reference to the caller's string in a
// preallocated ring (no allocation, no I/O) and at most schedules one setImmediate per batch. When the ring is
// full (lines or bytes) the line is dropped and counted. Everything else (chunking, writes, rotation) runs in
// the drain loop, off the caller's stack, and honours the stream's backpressure (one write in flight, then
// 'drain'). Sizes are bytes of UTF-8 as written; the queue byte bound counts UTF-16 units (an estimate).
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { access, rename, stat } from 'node:fs/promises';
import { formatArchiveStamp } from './log-formats.js';

export interface ChannelLimits {
  /** Rotate before a write would make the file larger than this (bytes); a single larger line is written alone. */
  maxFileBytes: number;
  /** Lines the queue holds (fixed at construction). */
  readonly queueLines: number;
  /** UTF-16 units the queue holds. */
  queueChars: number;
}

/** Upper bound of one stream write, in UTF-16 units. */
const CHUNK_CHARS = 64 * 1024;
/** After an fs error the channel retries opening no sooner than this. */
const RETRY_MS = 1000;

type ChannelState = 'closed' | 'open' | 'broken' | 'stopped';

export class LogChannel {
  readonly name: string;
  readonly path: string;
  readonly limits: ChannelLimits;
  /** Lines dropped because the queue was full or the channel was stopped. Never reset. */
  droppedLines = 0;
  /** Lines handed to the stream. */
  writtenLines = 0;
  /** Bytes in the current file. */
  fileBytes = 0;
  rotations = 0;
  private readonly ring: string[];
  private head = 0;
  private count = 0;
  private queuedChars = 0;
  private state: ChannelState = 'closed';
  private stream: WriteStream | null = null;
  private running = false;
  private scheduled = false;
  private retryAt = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly onError: (message: string) => void;
  private readonly onRotate: (archivePath: string) => void;
  private readonly kickBound = (): void => this.kick();

  constructor(name: string, path: string, limits: ChannelLimits, hooks: {
    onError?: (message: string) => void; onRotate?: (archivePath: string) => void;
  } = {}) {
    this.name = name;
    this.path = path;
    this.limits = limits;
    this.ring = new Array<string>(Math.max(1, limits.queueLines)).fill('');
    this.onError = hooks.onError ?? (() => undefined);
    this.onRotate = hooks.onRotate ?? (() => undefined);
  }

  /** Queues one line (without its newline). False when it was dropped. Never throws, never blocks. */
  write(line: string): boolean {
    if (this.state === 'stopped' || this.count === this.ring.length || this.queuedChars + line.length > this.limits.queueChars) {
      this.droppedLines++;
      return false;
    }
    this.ring[(this.head + this.count) % this.ring.length] = line;
    this.count++;
    this.queuedChars += line.length;
    if (!this.running && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.kickBound);
    }
    return true;
  }

  /** Lines waiting in the queue. */
  get queued(): number {
    return this.count;
  }

  /** Resolves once the queue is empty and nothing is being written (or the channel is broken/stopped). */
  idle(): Promise<void> {
    if (this.count === 0 && !this.running && !this.scheduled) return Promise.resolve();
    if (this.state === 'broken' && !this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Writes what is queued, then closes the file. Later writes are dropped. */
  async close(): Promise<void> {
    await this.idle();
    this.state = 'stopped';
    this.droppedLines += this.count;
    this.count = 0;
    this.ring.fill('');
    await this.closeStream();
  }

  private kick(): void {
    this.scheduled = false;
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.count > 0 && this.state !== 'stopped') {
        if (this.state !== 'open' && !(await this.reopen())) break;
        const chunk = this.takeChunk(this.limits.maxFileBytes - this.fileBytes);
        if (chunk === null) {
          await this.rotate();
          continue;
        }
        await this.writeChunk(chunk);
      }
    } catch (e) {
      this.fail(e);
    } finally {
      this.running = false;
      if (this.count > 0 && this.state === 'open' && !this.scheduled) {
        this.scheduled = true;
        setImmediate(this.kickBound);
      } else {
        this.wakeIdle();
      }
    }
  }

  /** Whole lines, newline-terminated, fitting in `roomBytes` (at least one line when the file is empty). */
  private takeChunk(roomBytes: number): string | null {
    let chunk = '';
    let bytes = 0;
    while (this.count > 0 && chunk.length < CHUNK_CHARS) {
      const line = this.ring[this.head] ?? '';
      const size = Buffer.byteLength(line) + 1;
      if (bytes + size > roomBytes && (bytes > 0 || this.fileBytes > 0)) break;
      chunk += `${line}\n`;
      bytes += size;
      this.ring[this.head] = '';
      this.head = (this.head + 1) % this.ring.length;
      this.count--;
      this.queuedChars -= line.length;
      this.writtenLines++;
    }
    return bytes === 0 ? null : chunk;
  }

  private async writeChunk(chunk: string): Promise<void> {
    const stream = this.stream;
    if (stream === null) return;
    this.fileBytes += Buffer.byteLength(chunk);
    if (!stream.write(chunk)) await once(stream, 'drain');
  }

  /** Renames the full file to `<name>.YYYYMMDDHHMMSS` (`.N` appended on a clash) and starts a new one. */
  private async rotate(): Promise<void> {
    await this.closeStream();
    const base = `${this.path}.${formatArchiveStamp(Date.now())}`;
    let target = base;
    for (let n = 1; await exists(target); n++) target = `${base}.${n}`;
    try {
      await rename(this.path, target);
      this.rotations++;
      this.onRotate(target);
    } catch (e) {
      // Someone removed or moved the file: start a new one rather than failing.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    await this.openStream();
  }

  private async reopen(): Promise<boolean> {
    if (this.state === 'broken' && Date.now() < this.retryAt) return false;
    try {
      await this.openStream();
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    }
  }

  private async openStream(): Promise<void> {
    const stream = createWriteStream(this.path, { flags: 'a' });
    stream.on('error', (e) => this.fail(e));
    await once(stream, 'open');
    this.stream = stream;
    this.fileBytes = (await stat(this.path)).size;
    this.state = 'open';
  }

  private async closeStream(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    if (this.state === 'open') this.state = 'closed';
    if (stream === null || stream.destroyed) return;
    stream.end();
    await once(stream, 'close');
  }

  /** Reports the first error of a failure episode; the channel retries after RETRY_MS on the next write. */
  private fail(e: unknown): void {
    if (this.state === 'stopped') return;
    const first = this.state !== 'broken';
    this.state = 'broken';
    this.retryAt = Date.now() + RETRY_MS;
    const s = this.stream;
    this.stream = null;
    s?.destroy();
    if (first) this.onError(`${this.name}: ${e instanceof Error ? e.message : String(e)}`);
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
