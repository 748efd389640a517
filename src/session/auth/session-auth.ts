// A client session's connection phase and COM_CHANGE_USER (docs/AUTH.md, spec §2.1–§2.2): runs the exchanges of
// login.ts and change-user.ts, applies their outcome to the session and hands it over to the command phase. Owns what
// only authentication needs: the queue of the client's connection-phase packets and the proxy's greeting scramble.
//
// Invariants:
//  - client bytes go to the queue only while the session is in 'handshake' or 'auth'; leaving the phase hands the
//    bytes queued behind the last auth packet back to the session (endExchange), so no request is lost or reordered;
//  - every failure ends in an ERR to the client (when the protocol still allows one) and a close, never a throw;
//  - a changed user starts from a reset session state: variables, temporary tables and prepared statements are gone.
// Cost: async, once per login or COM_CHANGE_USER; nothing here runs per request.

import { OdpError, isOdpError, type ErrorCode } from '../../errors/catalogue.js';
import { Capability } from '../../protocol/constants.js';
import { writeErr } from '../../protocol/err.js';
import { PacketQueue } from '../../protocol/packet-queue.js';
import { parseUsername, type ParsedUsername } from '../../protocol/username.js';
import type { PacketWriter } from '../../protocol/writer.js';
import type { ServerConnection } from '../../backend/server-connection.js';
import type { SavedCredentials } from '../../backend/saved-login.js';
import { logConnectionDiagnosis, type ConnectionDiagnosisHost } from '../connection-diagnose.js';
import type { SessionContext } from '../context.js';
import type { PreparedStatements } from '../prepared.js';
import { ServerSession, type ServerSessionPool } from '../server-session.js';
import { markApplied, type SessionState } from '../state.js';
import { proxyScrambleChangeUser } from './change-user.js';
import { login, relayChangeUser } from './login.js';
import type { ClientLeg, LoginOutcome } from './types.js';

/** What authentication reads and sets in the client session. */
export interface SessionAuthHost extends ClientLeg, ConnectionDiagnosisHost {
  readonly ctx: SessionContext;
  readonly writer: PacketWriter;
  readonly bytesFromClient: number;
  readonly sstate: SessionState;
  readonly prepared: PreparedStatements;
  readonly pool: ServerSessionPool;
  readonly multiServer: boolean;
  state: string;
  user: string;
  identity: ParsedUsername | null;
  /** A proxysys session (no backend). */
  local: boolean;
  capabilities: number;
  mariadbCapabilities: number;
  status: number;
  credentials: SavedCredentials | null;
  active: ServerSession | null;
  home: string | null;
  pinReason: string | null;
  pinNext: boolean;
  heldBegin: string | null;
  /** The observation scope (user, tenant, database) changed. */
  openScope(): void;
  /** Command phase: state 'ready', then the client bytes queued behind the exchange. */
  enterReady(): void;
  adopt(ss: ServerSession): void;
  attach(ss: ServerSession): void;
  guard(fn: () => void): void;
  writeLocal(bytes: Buffer): boolean;
  errorPacket(code: ErrorCode, args: readonly (string | number)[], seq: number): Buffer;
  close(reason: string | null): void;
}

export class SessionAuth {
  private readonly h: SessionAuthHost;
  /** Client packets of the connection phase or of a COM_CHANGE_USER exchange; null in the command phase. */
  private queue: PacketQueue | null = new PacketQueue();
  /** The proxy's greeting scramble (proxy-scramble logins): COM_CHANGE_USER tokens are computed against it. */
  private scramble: Buffer | null = null;

  constructor(host: SessionAuthHost) {
    this.h = host;
  }

  /** Client bytes while the session is in 'handshake' or 'auth'. */
  push(chunk: Buffer): void {
    this.queue?.push(chunk);
  }

  /** The client's next connection-phase packet (ClientLeg.readAuthPacket). */
  next(): ReturnType<PacketQueue['next']> {
    const q = this.queue;
    if (q === null) return Promise.reject(new OdpError('INTERNAL', ['auth read outside the connection phase']));
    return q.next(this.h.ctx.settings.authTimeoutMs, () => new OdpError('NET_READ_TIMEOUT'));
  }

  /** The exchange is over: the bytes that arrived behind its last packet (possibly a partial request), or null. */
  endExchange(): Buffer | null {
    const rest = this.queue?.drainRemainder() ?? null;
    this.queue = null;
    return rest;
  }

  /** The session closed: a read in progress fails. */
  abort(): void {
    this.queue?.fail(new OdpError('NET_READ_ERROR'));
  }

  /** Connection phase. Never throws: every failure ends in an ERR to the client (when possible) and a close. */
  async start(): Promise<void> {
    const h = this.h;
    let outcome: LoginOutcome;
    try {
      outcome = await login(h, h.ctx);
    } catch (e) {
      this.fail(e);
      return;
    }
    if (h.state === 'closed') {
      outcome.server?.destroy();
      return;
    }
    if (!outcome.ok) {
      outcome.server?.destroy();
      h.ctx.log.warn('PROXY', `login failed cs_id=${h.id} client=${h.remote} user=${outcome.user}: ${outcome.reason}`);
      logConnectionDiagnosis(h, 'LOGIN_TRACE', 0, outcome.reason, outcome.user);
      h.close(null);
      return;
    }
    h.user = outcome.user;
    h.identity = outcome.identity;
    h.local = outcome.server === null;
    h.sstate.setDatabase(outcome.database);
    h.capabilities = outcome.capabilities;
    h.mariadbCapabilities = outcome.mariadbCapabilities;
    h.status = outcome.status;
    h.credentials = outcome.credentials;
    this.scramble = outcome.scramble;
    h.openScope();
    h.guard(() => this.enterCommandPhase(outcome.server));
  }

  /** COM_CHANGE_USER (`packet`: its payload, owned): relayed to the one server, or verified by the proxy. */
  changeUser(packet: Buffer): void {
    const h = this.h;
    const ss = h.active;
    if (ss === null || ss.closed) {
      h.writeLocal(h.errorPacket('NO_BACKEND', ['the session has no server connection'], 1));
      return;
    }
    if (h.multiServer) {
      this.changeUserWithScramble(packet);
      return;
    }
    const server = ss.conn;
    this.enterAuth();
    server.detach();
    void relayChangeUser(h, server, packet, h.ctx.settings.authTimeoutMs, h.capabilities).then(
      (r) => {
        if (h.state === 'closed') return;
        if (!r.ok) {
          h.close(null);
          return;
        }
        h.user = r.user;
        h.identity = parseUsername(r.user, h.ctx.usernameSeparators());
        h.openScope();
        // The server reset the session: variables, temporary tables and prepared statements are gone.
        h.sstate.reset();
        h.sstate.setDatabase(r.database);
        h.prepared.clear();
        ss.statements.clear();
        ss.boundTypes.clear();
        ss.applied.reset(r.database);
        markApplied(ss.applied, h.sstate);
        h.pinReason = null;
        h.status = r.status;
        h.attach(ss);
        h.guard(() => h.enterReady());
      },
      (e: unknown) => this.fail(e),
    );
  }

  /** COM_CHANGE_USER on a proxy-scramble session: verified by the proxy, then a fresh server session for the new user. */
  private changeUserWithScramble(packet: Buffer): void {
    const h = this.h;
    const source = h.ctx.authSource();
    const old = h.credentials;
    if (source === null || old === null || this.scramble === null) return;
    this.enterAuth();
    h.pool.closeAllBut(null);
    h.active = null;
    void proxyScrambleChangeUser(h, h.ctx, source, packet, this.scramble, old).then(
      (r) => h.guard(() => {
        if (h.state === 'closed') return;
        if (!r.ok) {
          h.ctx.log.warn('PROXY', `COM_CHANGE_USER failed cs_id=${h.id}: ${r.reason}`);
          h.close(null);
          return;
        }
        h.user = r.credentials.user;
        h.identity = parseUsername(r.credentials.user, h.ctx.usernameSeparators());
        h.credentials = r.credentials;
        h.openScope();
        h.sstate.reset();
        h.sstate.setDatabase(r.credentials.database);
        h.prepared.clear();
        h.pinReason = null;
        h.pinNext = false;
        h.heldBegin = null;
        h.status = r.status;
        this.enterCommandPhase(r.server);
      }),
      (e: unknown) => this.fail(e),
    );
  }

  /** Client bytes go to a new exchange (COM_CHANGE_USER). */
  private enterAuth(): void {
    this.h.state = 'auth';
    this.queue = new PacketQueue();
  }

  private fail(e: unknown): void {
    const h = this.h;
    const err = isOdpError(e) ? e : new OdpError('INTERNAL', [], e instanceof Error ? e.message : String(e));
    // A connect-and-close without a byte (port probes, load-balancer health checks) is not worth a warning.
    const probe = err.code === 'NET_READ_ERROR' && h.bytesFromClient === 0;
    h.ctx.log[probe ? 'debug' : 'warn']('PROXY', `connection phase failed cs_id=${h.id} client=${h.remote}: ${err.message}`);
    if (h.state !== 'closed') {
      // During the handshake the server side of the protocol may answer with an ERR in place of any packet.
      writeErr(h.writer, err.errno, err.sqlState, err.clientMessage, h.state === 'handshake' ? 0 : 2);
      h.write(h.writer.take());
    }
    h.close(null);
  }

  /** The logged-in `server` (null: a proxysys session) becomes the session's home server session. */
  private enterCommandPhase(server: ServerConnection | null): void {
    const h = this.h;
    if (server !== null) {
      const ss = new ServerSession(server, h.sstate.database, (h.capabilities & Capability.DEPRECATE_EOF) !== 0);
      markApplied(ss.applied, h.sstate);
      h.adopt(ss);
      h.active = ss;
      h.home = ss.key;
    }
    h.enterReady();
  }
}
