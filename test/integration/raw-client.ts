// A deliberately small MySQL client over node:net for the bad-input tests: it sends exactly the bytes a test
// asks for and records what comes back. Packets are hand-built from the protocol documentation
// (https://dev.mysql.com/doc/dev/mysql-server/latest/PAGE_PROTOCOL.html), independent of src/protocol.
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { Endpoint } from './harness.js';

export interface Packet { seq: number; payload: Buffer }

/** How a command's reply ends (protocol without CLIENT_DEPRECATE_EOF). */
export type ReplyShape = 'single' | 'resultset' | 'prepare' | 'fetch' | 'fieldlist' | 'none';

const SERVER_MORE_RESULTS_EXISTS = 0x0008;
const SERVER_STATUS_CURSOR_EXISTS = 0x0040;

const isEof = (p: Buffer): boolean => p[0] === 0xfe && p.length < 9;
const eofStatus = (p: Buffer): number => p.readUInt16LE(3);

export interface ErrInfo { errno: number; sqlState: string; message: string }

/** What a command returned: OK, ERR, or a text result set's rows (all values as strings, NULL as null). */
export type Reply =
  | { kind: 'ok' }
  | { kind: 'err'; err: ErrInfo }
  | { kind: 'rows'; rows: (string | null)[][] };

const CLIENT_LONG_PASSWORD = 0x1;
const CLIENT_PROTOCOL_41 = 0x200;
const CLIENT_TRANSACTIONS = 0x2000;
const CLIENT_SECURE_CONNECTION = 0x8000;
const CLIENT_MULTI_RESULTS = 0x20000;
const CLIENT_PLUGIN_AUTH = 0x80000;
export const CLIENT_CAPS = CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS |
  CLIENT_SECURE_CONNECTION | CLIENT_MULTI_RESULTS | CLIENT_PLUGIN_AUTH;

export function frame(payload: Buffer, seq: number): Buffer {
  const h = Buffer.alloc(4);
  h.writeUIntLE(payload.length, 0, 3);
  h[3] = seq & 0xff;
  return Buffer.concat([h, payload]);
}

/** mysql_native_password: SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))); empty for an empty password. */
export function nativeScramble(password: string, scramble: Buffer): Buffer {
  if (password === '') return Buffer.alloc(0);
  const sha1 = (b: Buffer | string): Buffer => createHash('sha1').update(b).digest();
  const s1 = sha1(password);
  const s3 = sha1(Buffer.concat([scramble, sha1(s1)]));
  return Buffer.from(s1.map((b, i) => b ^ (s3[i] ?? 0)));
}

/** Scramble (20 bytes) and auth plugin name from a HandshakeV10 payload. */
export function parseGreeting(p: Buffer): { scramble: Buffer; plugin: string } {
  let pos = 1; // protocol version
  pos = p.indexOf(0, pos) + 1; // server version NUL
  pos += 4; // connection id
  const part1 = p.subarray(pos, pos + 8);
  pos += 8 + 1 + 2 + 1 + 2 + 2; // part 1, filler, caps lo, charset, status, caps hi
  const authLen = p[pos] ?? 0;
  pos += 1 + 10;
  const len2 = Math.max(13, authLen - 8);
  const part2 = p.subarray(pos, pos + len2 - 1); // last byte is a NUL
  pos += len2;
  const end = p.indexOf(0, pos);
  return { scramble: Buffer.concat([part1, part2]), plugin: p.subarray(pos, end < 0 ? p.length : end).toString() };
}

/** The connection id a HandshakeV10 payload announces. */
export function greetingConnectionId(p: Buffer): number {
  return p.readUInt32LE(p.indexOf(0, 1) + 1);
}

/** HandshakeResponse41 with mysql_native_password. */
export function handshakeResponse(user: string, password: string, scramble: Buffer, database?: string): Buffer {
  const CLIENT_CONNECT_WITH_DB = 0x8;
  const fixed = Buffer.alloc(32);
  fixed.writeUInt32LE(CLIENT_CAPS | (database === undefined ? 0 : CLIENT_CONNECT_WITH_DB), 0);
  fixed.writeUInt32LE(16 * 1024 * 1024, 4);
  fixed[8] = 45; // utf8mb4_general_ci
  const token = nativeScramble(password, scramble);
  return Buffer.concat([
    fixed, Buffer.from(`${user}\0`), Buffer.from([token.length]), token,
    database === undefined ? Buffer.alloc(0) : Buffer.from(`${database}\0`), Buffer.from('mysql_native_password\0'),
  ]);
}

export function parseErr(p: Buffer): ErrInfo {
  // 0xff, errno(2), '#', sqlstate(5), message
  const hasState = p[3] === 0x23;
  return {
    errno: p.readUInt16LE(1),
    sqlState: hasState ? p.subarray(4, 9).toString() : '',
    message: p.subarray(hasState ? 9 : 3).toString(),
  };
}

function lenenc(p: Buffer, pos: number): [value: number | null, next: number] {
  const b = p[pos] ?? 0;
  if (b < 0xfb) return [b, pos + 1];
  if (b === 0xfb) return [null, pos + 1];
  if (b === 0xfc) return [p.readUInt16LE(pos + 1), pos + 3];
  if (b === 0xfd) return [p.readUIntLE(pos + 1, 3), pos + 4];
  return [Number(p.readBigUInt64LE(pos + 1)), pos + 9];
}

/** Status flags of an OK packet: after affected rows and last insert id (both length-encoded). */
function okStatusOf(p: Buffer): number {
  const [, afterRows] = lenenc(p, 1);
  const [, afterId] = lenenc(p, afterRows);
  return p.readUInt16LE(afterId);
}

export class RawConn {
  readonly socket: Socket;
  /** Resolves when the socket is fully closed (by either side). */
  readonly closed: Promise<void>;
  isClosed = false;
  /** The connection id from the greeting, once `login` has read it. */
  connectionId = -1;
  private buf: Buffer = Buffer.alloc(0);
  private readonly packets: Packet[] = [];
  private waiter: (() => void) | null = null;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.isClosed = true;
      this.wake();
      resolve();
    }));
  }

  static open(ep: Endpoint): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: ep.host, port: ep.port });
      s.once('connect', () => resolve(new RawConn(s)));
      s.once('error', reject);
    });
  }

  /** Connects and logs in; throws with the server's ERR on failure. */
  static async login(ep: Endpoint, user: string, password: string): Promise<RawConn> {
    const c = await RawConn.open(ep);
    const greeting = await c.read();
    c.connectionId = greetingConnectionId(greeting.payload);
    const { scramble } = parseGreeting(greeting.payload);
    c.write(frame(handshakeResponse(user, password, scramble), 1));
    let reply = await c.read();
    if (reply.payload[0] === 0xfe) { // AuthSwitchRequest: plugin name NUL, then new scramble
      const nul = reply.payload.indexOf(0, 1);
      const fresh = reply.payload.subarray(nul + 1, nul + 21);
      c.write(frame(nativeScramble(password, fresh), reply.seq + 1));
      reply = await c.read();
    }
    if (reply.payload[0] !== 0x00) {
      c.destroy();
      throw new Error(`login failed: ${JSON.stringify(parseErr(reply.payload))}`);
    }
    return c;
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Next packet; rejects on close or after `ms`. */
  async read(ms = 5000): Promise<Packet> {
    const p = await this.readOrClose(ms);
    if (p === null) throw new Error('connection closed');
    return p;
  }

  /** Next packet, or null when the peer closed first; rejects after `ms` with neither. */
  async readOrClose(ms = 5000): Promise<Packet | null> {
    const deadline = Date.now() + ms;
    while (this.packets.length === 0) {
      if (this.isClosed) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no packet and no close within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => { clearTimeout(t); resolve(); };
      });
    }
    return this.packets.shift() ?? null;
  }

  /** Every packet until the peer closes; rejects if it stays open `ms`. */
  async drainUntilClose(ms = 5000): Promise<Packet[]> {
    const out: Packet[] = [];
    for (;;) {
      const p = await this.readOrClose(ms);
      if (p === null) return out;
      out.push(p);
    }
  }

  /** Sends a command (seq 0) and reads its complete reply (text protocol, no CLIENT_DEPRECATE_EOF). */
  async command(payload: Buffer, seq = 0): Promise<Reply> {
    this.write(frame(payload, seq));
    const first = await this.read();
    const head = first.payload[0];
    if (head === 0x00) return { kind: 'ok' };
    if (head === 0xff) return { kind: 'err', err: parseErr(first.payload) };
    const [columns] = lenenc(first.payload, 0);
    for (let i = 0; i < (columns ?? 0); i++) await this.read();
    await this.read(); // EOF after the column definitions
    const rows: (string | null)[][] = [];
    for (;;) {
      const p = await this.read();
      if (p.payload[0] === 0xfe && p.payload.length < 9) break;
      if (p.payload[0] === 0xff) return { kind: 'err', err: parseErr(p.payload) };
      const row: (string | null)[] = [];
      let pos = 0;
      while (pos < p.payload.length) {
        const [n, next] = lenenc(p.payload, pos);
        row.push(n === null ? null : p.payload.subarray(next, next + n).toString());
        pos = n === null ? next : next + n;
      }
      rows.push(row);
    }
    return { kind: 'rows', rows };
  }

  /** Sends a command (seq 0) and returns every packet of its reply, read according to `shape`. */
  async exchange(payload: Buffer, shape: ReplyShape): Promise<Packet[]> {
    this.write(frame(payload, 0));
    const out: Packet[] = [];
    const next = async (): Promise<Buffer> => {
      const p = await this.read();
      out.push(p);
      return p.payload;
    };
    const untilEofOrErr = async (): Promise<Buffer> => {
      for (;;) {
        const p = await next();
        if (isEof(p) || p[0] === 0xff) return p;
      }
    };
    switch (shape) {
      case 'none':
        return out;
      case 'single':
        await next();
        return out;
      case 'fetch':
      case 'fieldlist':
        await untilEofOrErr();
        return out;
      case 'prepare': {
        const first = await next();
        if (first[0] !== 0x00) return out;
        const columns = first.readUInt16LE(5);
        const params = first.readUInt16LE(7);
        if (params > 0) await untilEofOrErr();
        if (columns > 0) await untilEofOrErr();
        return out;
      }
      case 'resultset':
        for (;;) {
          const first = await next();
          if (first[0] === 0xff) return out;
          if (first[0] === 0x00) {
            const status = okStatusOf(first);
            if ((status & SERVER_MORE_RESULTS_EXISTS) === 0) return out;
            continue;
          }
          const eofAfterDefs = await untilEofOrErr();
          if (eofAfterDefs[0] === 0xff) return out;
          if ((eofStatus(eofAfterDefs) & SERVER_STATUS_CURSOR_EXISTS) !== 0) return out;
          const end = await untilEofOrErr();
          if (end[0] === 0xff || (eofStatus(end) & SERVER_MORE_RESULTS_EXISTS) === 0) return out;
        }
    }
  }

  query(sql: string): Promise<Reply> {
    return this.command(Buffer.concat([Buffer.from([0x03]), Buffer.from(sql)]));
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    while (this.buf.length >= 4) {
      const len = this.buf.readUIntLE(0, 3);
      if (this.buf.length < 4 + len) break;
      this.packets.push({ seq: this.buf[3] ?? 0, payload: this.buf.subarray(4, 4 + len) });
      this.buf = this.buf.subarray(4 + len);
    }
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}
