// One TCP connection to a backend server (MySQL/MariaDB or an observer). Connection phase is promise-based
// (connect, handshake, login relay); in the command phase the owner installs a synchronous data handler and
// drives backpressure with pause()/resume(). Contract: only the owning client session uses a ServerConnection.

import { connect, type Socket } from 'node:net';
import { OdpError } from '../errors/catalogue.js';
import { decodeErr } from '../protocol/err.js';
import { decodeHandshake, type HandshakeV10 } from '../protocol/handshake.js';
import { PacketQueue, type QueuedPacket } from '../protocol/packet-queue.js';

export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

export function formatAddress(a: ServerAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** Parses 'ip:port;ip:port' (also ',' separated, IPv6 in brackets). Throws a one-line Error on bad input. */
export function parseAddressList(list: string): ServerAddress[] {
  const out: ServerAddress[] = [];
  for (const raw of list.split(/[;,]/)) {
    const item = raw.trim();
    if (item === '') continue;
    const m = /^\[([^\]]+)\]:(\d+)$/.exec(item) ?? /^([^:]+):(\d+)$/.exec(item);
    const port = m ? Number(m[2]) : NaN;
    if (!m || !(port > 0 && port < 65536)) throw new Error(`invalid server address '${item}': expected ip:port`);
    out.push({ host: m[1]!, port });
  }
  if (out.length === 0) throw new Error(`empty server address list '${list}'`);
  return out;
}

export interface SocketOptions {
  readonly connectTimeoutMs: number;
  readonly keepAliveIdleMs: number;
}

export class ServerConnection {
  readonly address: ServerAddress;
  readonly socket: Socket;
  readonly queue: PacketQueue;
  handshake: HandshakeV10 | null = null;
  closed = false;
  /** Set by the owner for the command phase; receives raw chunks synchronously. */
  private dataHandler: ((chunk: Buffer) => void) | null = null;
  private closeHandler: ((err: Error | null) => void) | null = null;
  private drainHandler: (() => void) | null = null;

  private constructor(address: ServerAddress, socket: Socket) {
    this.address = address;
    this.socket = socket;
    this.queue = new PacketQueue();
    socket.on('data', (chunk: Buffer) => {
      if (this.dataHandler !== null) this.dataHandler(chunk);
      else this.queue.push(chunk);
    });
    socket.on('drain', () => this.drainHandler?.());
    socket.on('error', (err) => this.onClosed(err));
    socket.on('close', () => this.onClosed(null));
  }

  get name(): string {
    return formatAddress(this.address);
  }

  /** Connects and reads the server's greeting. Rejects with BACKEND_CONNECT_FAILED, or the server's ERR. */
  static async open(address: ServerAddress, opts: SocketOptions): Promise<ServerConnection> {
    const socket = connect({ host: address.host, port: address.port, noDelay: true, keepAlive: true, keepAliveInitialDelay: opts.keepAliveIdleMs });
    const conn = new ServerConnection(address, socket);
    const where = formatAddress(address);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new OdpError('BACKEND_CONNECT_FAILED', [where, `connect timeout after ${opts.connectTimeoutMs} ms`]));
      }, opts.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new OdpError('BACKEND_CONNECT_FAILED', [where, err.code ?? err.message]));
      });
    });
    let greet: QueuedPacket;
    try {
      greet = await conn.readPacket(opts.connectTimeoutMs);
    } catch (e) {
      conn.destroy(); // a server that accepts but never greets must not leak the socket
      throw new OdpError('BACKEND_CONNECT_FAILED', [where, e instanceof Error ? e.message : String(e)]);
    }
    if (greet.payload[0] === 0xff) {
      const e = decodeErr(greet.payload, 0, greet.payload.length);
      conn.destroy();
      throw Object.assign(new OdpError('BACKEND_CONNECT_FAILED', [where, `${e.errno} ${e.message}`]), { serverErr: e });
    }
    try {
      conn.handshake = decodeHandshake(greet.payload, 0, greet.payload.length);
    } catch (e) {
      conn.destroy();
      throw new OdpError('BACKEND_CONNECT_FAILED', [where, `bad greeting: ${(e as Error).message}`]);
    }
    return conn;
  }

  /** Next whole packet in the connection phase. */
  readPacket(timeoutMs: number): Promise<QueuedPacket> {
    return this.queue.next(timeoutMs, () => new OdpError('BACKEND_TIMEOUT', [this.name]));
  }

  write(bytes: Buffer): boolean {
    return this.socket.write(bytes);
  }

  /** Enters the command phase: chunks go to `onData` synchronously; leftovers of the login are replayed. */
  attach(onData: (chunk: Buffer) => void, onClose: (err: Error | null) => void, onDrain: () => void): void {
    this.dataHandler = onData;
    this.closeHandler = onClose;
    this.drainHandler = onDrain;
    const rest = this.queue.drainRemainder();
    if (rest !== null) onData(rest);
  }

  /** Back to the connection-phase queue (COM_CHANGE_USER relays an auth exchange). */
  detach(): void {
    this.dataHandler = null;
    this.closeHandler = null;
    this.drainHandler = null;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Polite close: COM_QUIT then end. */
  quit(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end(Buffer.from([1, 0, 0, 0, 1]));
    this.socket.destroySoon();
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onClosed(err: Error | null): void {
    const wasClosed = this.closed;
    this.closed = true;
    this.queue.fail(err ?? new OdpError('BACKEND_LOST', [this.name]));
    const h = this.closeHandler;
    this.closeHandler = null;
    if (h !== null && !wasClosed) h(err);
  }
}
