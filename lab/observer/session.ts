// One client connection to an emulator: OceanBase-style handshake and login (auth.ts), then one command at
// a time (commands.ts). Lab code: async per packet is fine here (it is not the proxy's hot path).
// Ownership: the session owns its client socket and its MariaDB connection; destroy() closes both.

import type { Socket } from 'node:net';
import { writeAuthSwitchRequest } from '../../src/protocol/auth-switch.js';
import { randomScramble } from '../../src/protocol/auth.js';
import { Capability, ServerStatus } from '../../src/protocol/constants.js';
import { writeErr } from '../../src/protocol/err.js';
import { writeHandshake } from '../../src/protocol/handshake.js';
import { decodeHandshakeResponse, isSslRequest, type HandshakeResponse } from '../../src/protocol/handshake-response.js';
import { writeOk } from '../../src/protocol/ok.js';
import { PacketQueue, type QueuedPacket } from '../../src/protocol/packet-queue.js';
import { PacketWriter } from '../../src/protocol/writer.js';
import { checkLogin } from './auth.js';
import { Backend, BackendError } from './backend.js';
import { handleCommand } from './commands.js';
import { backendDown, notSupported, serverIsStopping, type ObError } from './errors.js';
import type { CommandSession, EmulatorHooks, PreparedStmt } from './state.js';

/** What the emulator offers (no SSL, no compression, no LOCAL INFILE); MariaDB supports all of these. */
export const SERVER_CAPS = (Capability.LONG_PASSWORD | Capability.FOUND_ROWS | Capability.LONG_FLAG | Capability.CONNECT_WITH_DB |
  Capability.IGNORE_SPACE | Capability.PROTOCOL_41 | Capability.INTERACTIVE | Capability.IGNORE_SIGPIPE |
  Capability.TRANSACTIONS | Capability.SECURE_CONNECTION | Capability.MULTI_STATEMENTS | Capability.MULTI_RESULTS |
  Capability.PS_MULTI_RESULTS | Capability.PLUGIN_AUTH | Capability.CONNECT_ATTRS |
  Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA | Capability.SESSION_TRACK | Capability.DEPRECATE_EOF) >>> 0;

const UTF8MB4_GENERAL_CI = 45;
const LOGIN_TIMEOUT_MS = 10_000;
const NATIVE = 'mysql_native_password';

export class EmulatorSession implements CommandSession {
  readonly id: number;
  readonly socket: Socket;
  readonly emu: EmulatorHooks;
  readonly w = new PacketWriter(4096);
  readonly queue = new PacketQueue();
  readonly stmts = new Map<number, PreparedStmt>();
  tenant = '';
  user = '';
  db: string | null = null;
  caps = 0;
  charset = UTF8MB4_GENERAL_CI;
  backend: Backend | null = null;
  closed = false;

  constructor(emu: EmulatorHooks, socket: Socket) {
    this.emu = emu;
    this.socket = socket;
    this.id = emu.nextConnectionId();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.queue.push(chunk));
    socket.on('error', () => this.destroy());
    socket.on('close', () => this.destroy());
  }

  /** The whole life of the connection; never rejects. */
  async run(): Promise<void> {
    try {
      if (this.emu.faults.hang) return; // accepted, never greeted
      if (!(await this.login())) return this.destroy();
      for (;;) {
        const p = await this.queue.next();
        if (this.closed) return;
        if (await handleCommand(this, p.payload) === 'close') return this.destroy();
      }
    } catch {
      this.destroy();
    }
  }

  private async login(): Promise<boolean> {
    const scramble = randomScramble();
    writeHandshake(this.w, {
      protocolVersion: 10, serverVersion: this.emu.topology.serverVersion, connectionId: this.id, scramble,
      capabilities: SERVER_CAPS, charset: UTF8MB4_GENERAL_CI, status: ServerStatus.AUTOCOMMIT, authPluginName: NATIVE, mariadbCapabilities: 0,
    });
    this.flush();
    const first = await this.queue.next(LOGIN_TIMEOUT_MS);
    if (isSslRequest(first.payload, 0, first.payload.length)) return this.fail(notSupported('SSL'), first.seq + 1);
    const hs = decodeHandshakeResponse(first.payload, 0, first.payload.length);
    const { token, seq } = await this.nativeToken(hs, scramble, first);
    if (this.emu.faults.rejectLogins) return this.fail(serverIsStopping(), seq);
    const res = checkLogin(this.emu.topology, this.emu.self, { hs, scramble, token, clientHost: this.socket.remoteAddress ?? '' });
    if (!res.ok) return this.fail(res.err, seq);
    this.tenant = res.tenant.name;
    this.user = res.user;
    this.caps = (hs.capabilities & SERVER_CAPS) >>> 0;
    this.charset = hs.charset === 0 ? UTF8MB4_GENERAL_CI : hs.charset;
    const db = (hs.capabilities & Capability.CONNECT_WITH_DB) !== 0 && hs.database !== null && hs.database !== '' ? hs.database : null;
    this.db = db;
    if (db !== null && db.toLowerCase() !== 'oceanbase') {
      const err = await this.ensureBackend();
      if (err !== null) return this.fail(err, seq);
    }
    writeOk(this.w, { status: ServerStatus.AUTOCOMMIT }, seq, this.caps);
    this.flush();
    return true;
  }

  /** The mysql_native_password token, switching the client to that plugin when it answered with another. */
  private async nativeToken(hs: HandshakeResponse, scramble: Buffer, first: QueuedPacket): Promise<{ token: Buffer; seq: number }> {
    if (hs.authPluginName === null || hs.authPluginName === NATIVE || hs.authPluginName === '') return { token: hs.authResponse, seq: first.seq + 1 };
    writeAuthSwitchRequest(this.w, NATIVE, scramble, first.seq + 1);
    this.flush();
    const reply = await this.queue.next(LOGIN_TIMEOUT_MS);
    return { token: Buffer.from(reply.payload), seq: reply.seq + 1 };
  }

  private fail(err: ObError, seq: number): false {
    this.sendErr(err, seq);
    return false;
  }

  /** Opens the MariaDB connection if there is none; returns the error to answer with on failure. */
  async ensureBackend(): Promise<ObError | null> {
    if (this.backend !== null && !this.backend.conn.closed) return null;
    const db = this.db === null || this.db.toLowerCase() === 'oceanbase' ? null : this.db;
    try {
      this.backend = await Backend.open(this.emu.backend, db, this.caps, this.charset);
      if (this.closed) this.backend.close();
      return null;
    } catch (e) {
      this.backend = null;
      return e instanceof BackendError ? e.err : backendDown(e instanceof Error ? e.message : String(e));
    }
  }

  sendErr(err: ObError, seq: number): void {
    writeErr(this.w, err.errno, err.sqlState, err.message, seq);
    this.flush();
  }

  sendOk(seq: number): void {
    writeOk(this.w, { status: this.statusFlags() }, seq, this.caps);
    this.flush();
  }

  /** Status flags for answers made here: MariaDB's transaction state as last reported, else autocommit. */
  statusFlags(): number {
    const st = this.backend?.status ?? null;
    if (st === null) return ServerStatus.AUTOCOMMIT;
    return st & (ServerStatus.IN_TRANS | ServerStatus.AUTOCOMMIT | ServerStatus.IN_TRANS_READONLY | ServerStatus.NO_BACKSLASH_ESCAPES);
  }

  /** Writes what the writer holds; false when the socket buffer is full (wait for 'drain'). */
  flush(): boolean {
    if (this.closed || this.w.length === 0) return true;
    return this.socket.write(this.w.take());
  }

  /** MariaDB thread id of this session's backend, for KILL QUERY from another session. */
  killQueryTarget(): number | null {
    return this.backend?.threadId ?? null;
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.backend?.close();
    this.backend = null;
    this.queue.fail(new Error('session closed'));
  }
}
