// One emulator session's connection to the shared MariaDB that executes all data SQL (ARCHITECTURE.md,
// "The lab"). Login with the configured account (mysql_native_password); in the command phase a request's
// packets go out as the client sent them and every packet of the response is handed to a sink as it
// arrives (whole logical packets, with a flag for OK packets, which the session rewrites to add
// ob_proxy_partition_hit). The response's end is found by src/protocol's ResponseTracker.
// Contract: one request at a time; the owner applies backpressure with pause()/resume().

import { ServerConnection } from '../../src/backend/server-connection.js';
import { decodeAuthSwitchRequest } from '../../src/protocol/auth-switch.js';
import { nativeToken } from '../../src/protocol/auth.js';
import { Capability } from '../../src/protocol/constants.js';
import { decodeErr } from '../../src/protocol/err.js';
import { PacketScanner, type PacketHandler } from '../../src/protocol/framer.js';
import { writeHandshakeResponse } from '../../src/protocol/handshake-response.js';
import { ResponseTracker, type ResponseMode } from '../../src/protocol/response.js';
import { PacketWriter } from '../../src/protocol/writer.js';
import type { ObError } from './errors.js';

export interface BackendConfig {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

/** Receives each response packet: buf[start, end) is the payload; `framed` as in PacketHandler.onPacket. */
export type PacketSink = (buf: Buffer, start: number, end: number, seq: number, framed: boolean, isOk: boolean) => void;

export interface RelayResult {
  readonly errno: number;
  /** Server status flags of the response's last OK/EOF. */
  readonly status: number;
  /** COM_STMT_PREPARE: the statement id and parameter count MariaDB assigned. */
  readonly prepare: { readonly statementId: number; readonly numParams: number } | null;
}

/** Capabilities the emulator takes over from its client towards MariaDB (they change the response shape). */
const FROM_CLIENT = Capability.FOUND_ROWS | Capability.IGNORE_SPACE | Capability.INTERACTIVE | Capability.MULTI_STATEMENTS |
  Capability.SESSION_TRACK | Capability.DEPRECATE_EOF;
const BASE = Capability.LONG_PASSWORD | Capability.LONG_FLAG | Capability.PROTOCOL_41 | Capability.TRANSACTIONS |
  Capability.SECURE_CONNECTION | Capability.MULTI_RESULTS | Capability.PS_MULTI_RESULTS | Capability.PLUGIN_AUTH;
const CONNECT_TIMEOUT_MS = 5000;

class Relay implements PacketHandler {
  readonly tracker = new ResponseTracker();
  sink: PacketSink | null = null;
  done: ((r: RelayResult) => void) | null = null;
  private stateBefore = 'done';
  private first = -1;
  private len = 0;
  private want = 0;

  onHeader(len: number, seq: number, first: number): number {
    this.stateBefore = this.tracker.state;
    this.first = first;
    this.len = len;
    this.want = this.tracker.onHeader(len, seq, first);
    return Infinity;
  }

  onPacket(buf: Buffer, start: number, end: number, seq: number, framed: boolean): boolean {
    if (this.want > 0) this.tracker.onPacket(buf, start, Math.min(end, start + this.want));
    this.sink?.(buf, start, end, seq, framed, this.isOk());
    return true;
  }

  onPacketEnd(): boolean {
    const more = this.tracker.onPacketEnd();
    if (!more) {
      const t = this.tracker;
      const done = this.done;
      this.done = null;
      this.sink = null;
      done?.({ errno: t.errno, status: t.status, prepare: t.prepare === null ? null : { statementId: t.prepare.statementId, numParams: t.prepare.numParams } });
    }
    return more;
  }

  /** OK packets: 0x00 first in a result/single response, or the 0xFE OK that ends rows under DEPRECATE_EOF. */
  private isOk(): boolean {
    const t = this.tracker;
    if (t.mode !== 'result' && t.mode !== 'single') return false;
    if (this.stateBefore === 'first') return this.first === 0x00 || (this.first === 0xfe && this.len >= 9 && t.mode === 'result');
    return this.stateBefore === 'rows' && this.first === 0xfe && t.deprecateEof && this.len < 0xffffff;
  }
}

export class Backend {
  readonly conn: ServerConnection;
  /** MariaDB's connection id (for KILL QUERY). */
  readonly threadId: number;
  readonly capabilities: number;
  /** Status flags of the last response (null before the first): transaction state for local answers. */
  status: number | null = null;
  private readonly relay = new Relay();
  private readonly scanner = new PacketScanner(this.relay);
  private lost: ((e: Error) => void) | null = null;

  private constructor(conn: ServerConnection, capabilities: number) {
    this.conn = conn;
    this.threadId = conn.handshake?.connectionId ?? 0;
    this.capabilities = capabilities;
    conn.attach((chunk) => this.onData(chunk), (err) => this.onLost(err), () => undefined);
  }

  /** Connects and logs in; rejects with an ObError-shaped Error (`err`) on a MariaDB ERR. */
  static async open(cfg: BackendConfig, database: string | null, clientCaps: number, charset: number): Promise<Backend> {
    const conn = await ServerConnection.open({ host: cfg.host, port: cfg.port }, { connectTimeoutMs: CONNECT_TIMEOUT_MS, keepAliveIdleMs: 60_000 });
    const hs = conn.handshake!;
    const caps = ((BASE | (clientCaps & FROM_CLIENT) | (database === null ? 0 : Capability.CONNECT_WITH_DB)) & hs.capabilities) >>> 0;
    const w = new PacketWriter(256);
    writeHandshakeResponse(w, {
      capabilities: caps, maxPacketSize: 1 << 30, charset, user: cfg.user, authResponse: nativeToken(cfg.password, hs.scramble),
      database, authPluginName: 'mysql_native_password', attributes: new Map(), mariadbCapabilities: 0,
    }, 1);
    conn.write(w.take());
    try {
      await finishLogin(conn, cfg.password, w);
    } catch (e) {
      conn.destroy();
      throw e;
    }
    return new Backend(conn, caps);
  }

  /** Sends one command (payload without header, sequence 0) and streams its response into `sink`. */
  request(payload: Buffer, mode: ResponseMode, sink: PacketSink): Promise<RelayResult> {
    return new Promise((resolve, reject) => {
      if (this.conn.closed) return reject(new Error('backend connection closed'));
      this.relay.tracker.begin(mode, (this.capabilities & Capability.DEPRECATE_EOF) !== 0);
      this.relay.sink = sink;
      this.relay.done = (r) => {
        this.lost = null;
        this.status = r.status;
        resolve(r);
      };
      this.lost = reject;
      this.scanner.reset();
      this.send(payload);
    });
  }

  /** A command without a response (COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA). */
  send(payload: Buffer): void {
    const w = new PacketWriter(payload.length + 8);
    w.begin(0).bytes(payload).end();
    this.conn.write(w.take());
  }

  pause(): void {
    this.conn.pause();
  }

  resume(): void {
    this.conn.resume();
  }

  close(): void {
    this.conn.quit();
  }

  private onData(chunk: Buffer): void {
    if (this.relay.done === null) return; // nothing asked: stray bytes are dropped
    this.scanner.scan(chunk);
  }

  private onLost(err: Error | null): void {
    const l = this.lost;
    this.lost = null;
    l?.(err ?? new Error('backend connection closed'));
  }
}

async function finishLogin(conn: ServerConnection, password: string, w: PacketWriter): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const p = await conn.readPacket(CONNECT_TIMEOUT_MS);
    const head = p.payload[0];
    if (head === 0x00) return;
    if (head === 0xff) throw backendError(decodeErr(p.payload, 0, p.payload.length));
    if (head !== 0xfe) throw new Error(`unexpected login reply 0x${(head ?? 0).toString(16)} from MariaDB`);
    const sw = decodeAuthSwitchRequest(p.payload, 0, p.payload.length);
    if (sw.pluginName !== 'mysql_native_password') throw new Error(`MariaDB asks for auth plugin ${sw.pluginName}`);
    w.begin(p.seq + 1).bytes(nativeToken(password, Buffer.from(sw.data))).end();
    conn.write(w.take());
  }
  throw new Error('MariaDB login did not finish');
}

export class BackendError extends Error {
  readonly err: ObError;
  constructor(err: ObError) {
    super(`${err.errno} (${err.sqlState}): ${err.message}`);
    this.err = err;
  }
}

function backendError(e: { errno: number; sqlState: string; message: string }): BackendError {
  return new BackendError({ errno: e.errno, sqlState: e.sqlState === '' ? 'HY000' : e.sqlState, message: e.message });
}
