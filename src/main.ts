// Start-up and lifecycle: validate configuration, probe backends, listen, accept sessions; SIGTERM drains,
// a second SIGTERM or SIGQUIT stops at once.

import { createServer, type Server, type Socket } from 'node:net';
import { OdpError } from './errors/catalogue.js';
import { writeErr } from './protocol/err.js';
import { PacketWriter } from './protocol/writer.js';
import { ServerConnection, formatAddress, parseAddressList, type ServerAddress } from './backend/server-connection.js';
import { Logger } from './observe/log.js';
import { ClientSession } from './session/client-session.js';
import type { SessionContext, SessionSettings } from './session/context.js';
import { SessionIdAllocator } from './session/session-id.js';

/** The slice of ProxyConfig the core reads (src/config/config.ts implements it). */
export interface ConfigView {
  get(name: string): string;
  getInt(name: string): number;
  getBool(name: string): boolean;
  getTimeMs(name: string): number;
}

export interface ProxyOptions {
  readonly config: ConfigView;
  readonly log: Logger;
  /** Version string for `-V` / handshake default. */
  readonly version: string;
}

export class StartupError extends Error {}

export interface BackendProbe {
  readonly address: ServerAddress;
  readonly ok: boolean;
  readonly version: string;
  readonly error: string;
}

/** Connects to each backend and reads its greeting (no login). */
export async function probeBackends(list: readonly ServerAddress[], timeoutMs: number): Promise<BackendProbe[]> {
  return Promise.all(list.map(async (address) => {
    try {
      const c = await ServerConnection.open(address, { connectTimeoutMs: timeoutMs, keepAliveIdleMs: 60_000 });
      const version = c.handshake?.serverVersion ?? '';
      c.destroy();
      return { address, ok: true, version, error: '' };
    } catch (e) {
      return { address, ok: false, version: '', error: e instanceof OdpError ? e.message : String(e) };
    }
  }));
}

export class Proxy implements SessionContext {
  readonly settings: SessionSettings;
  readonly log: Logger;
  readonly sessions = new Map<number, ClientSession>();
  private readonly config: ConfigView;
  private readonly ids: SessionIdAllocator;
  private readonly backends: ServerAddress[];
  private server: Server | null = null;
  private draining = false;
  listenPort = 0;

  constructor(opts: ProxyOptions, backends: ServerAddress[]) {
    this.config = opts.config;
    this.log = opts.log;
    this.backends = backends;
    const c = opts.config;
    const explicitVersion = c.get('mysql_version');
    this.settings = {
      connectTimeoutMs: c.getTimeMs('short_async_task_timeout'),
      authTimeoutMs: 30_000,
      clientKeepAliveIdleMs: c.getInt('client_tcp_keepidle') * 1000,
      serverKeepAliveIdleMs: c.getInt('server_tcp_keepidle') * 1000,
      // mysql mode: clients see the backend's own version unless mysql_version is set explicitly.
      serverVersion: explicitVersion === '' || explicitVersion === '5.6.25' ? null : explicitVersion,
    };
    const version = c.getInt('client_session_id_version') === 2 ? 2 : 1;
    this.ids = new SessionIdAllocator(
      { version, proxyId: c.getInt('proxy_id'), upgradeVersion: 0, threadId: 0, threadCount: 1 },
      (id) => this.sessions.has(id),
    );
  }

  pickServer(): ServerAddress {
    return this.backends[0]!;
  }

  onSessionClosed(id: number): void {
    this.sessions.delete(id);
  }

  /** Listens on local_bound_ip:listen_port. Rejects with a one-line StartupError (e.g. port busy). */
  listen(): Promise<void> {
    const host = this.config.get('local_bound_ip') || '0.0.0.0';
    const port = this.config.getInt('listen_port');
    const srv = createServer({ noDelay: true, keepAlive: true }, (socket) => this.accept(socket));
    this.server = srv;
    return new Promise((resolve, reject) => {
      srv.once('error', (err: NodeJS.ErrnoException) => {
        reject(new StartupError(`cannot listen on ${host}:${port}: ${err.code === 'EADDRINUSE' ? 'address already in use' : err.message}`));
      });
      srv.listen({ host, port, backlog: 1024 }, () => {
        const addr = srv.address();
        this.listenPort = typeof addr === 'object' && addr !== null ? addr.port : port;
        srv.on('error', (err) => this.log.error('NET', `listener error: ${err.message}`));
        resolve();
      });
    });
  }

  private accept(socket: Socket): void {
    socket.on('error', () => undefined); // session installs its own handler; this one covers early errors
    const max = this.config.getInt('client_max_connections');
    if (this.draining || (max > 0 && this.sessions.size >= max)) {
      const w = new PacketWriter(64);
      const e = new OdpError(this.draining ? 'SERVER_SHUTDOWN' : 'TOO_MANY_CONNECTIONS');
      writeErr(w, e.errno, e.sqlState, e.clientMessage, 0);
      socket.end(w.take());
      this.log.warn('PROXY', `refused client ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}: ${e.clientMessage}`);
      return;
    }
    let id: number;
    try {
      id = this.ids.next();
    } catch {
      socket.destroy();
      return;
    }
    const session = new ClientSession(id, socket, this);
    this.sessions.set(id, session);
    void session.start();
  }

  /**
   * Graceful stop: no new connections; idle sessions close at once; sessions with a statement or transaction in
   * flight get until `timeoutMs`, then ERR 1053 and a close.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    this.server?.close();
    const deadline = Date.now() + timeoutMs;
    while (this.sessions.size > 0 && Date.now() < deadline) {
      for (const s of [...this.sessions.values()]) {
        if (s.state === 'ready' && (s.status & 0x0001) === 0) s.close('proxy is shutting down');
      }
      if (this.sessions.size === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const s of [...this.sessions.values()]) {
      if (s.state === 'ready' || s.state === 'handshake' || s.state === 'auth') s.sendError('SERVER_SHUTDOWN', [], s.state === 'ready' ? 0 : 2);
      s.close('drain timeout');
    }
  }

  stopNow(): void {
    this.draining = true;
    this.server?.close();
    for (const s of [...this.sessions.values()]) s.close('immediate stop');
  }
}

/** Validates, probes and starts listening. Throws StartupError with a one-line message on any problem. */
export async function startProxy(opts: ProxyOptions): Promise<Proxy> {
  const c = opts.config;
  const mode = c.get('server_routing_mode');
  if (mode !== 'mysql') {
    throw new StartupError(`server_routing_mode=${mode} is not available yet; run with -o server_routing_mode=mysql`);
  }
  const rs = c.get('rootservice_list');
  if (rs.trim() === '') throw new StartupError('no backend servers: give -r ip:port[;ip:port...]');
  let backends: ServerAddress[];
  try {
    backends = parseAddressList(rs);
  } catch (e) {
    throw new StartupError((e as Error).message);
  }
  const probes = await probeBackends(backends, c.getTimeMs('short_async_task_timeout'));
  const up = probes.filter((p) => p.ok);
  if (up.length === 0) {
    throw new StartupError(`no backend reachable: ${probes.map((p) => `${formatAddress(p.address)} (${p.error})`).join(', ')}`);
  }
  for (const p of probes) {
    if (p.ok) opts.log.info('PROXY', `backend ${formatAddress(p.address)} is up, version ${p.version}`);
    else opts.log.warn('PROXY', `backend ${formatAddress(p.address)} is down: ${p.error}`);
  }
  const proxy = new Proxy(opts, up.map((p) => p.address));
  await proxy.listen();
  return proxy;
}
