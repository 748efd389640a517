// One observer emulator: a MySQL-protocol listener on its server's loopback address that behaves, towards
// the proxy, like an OceanBase 4.x observer of the lab cluster (see session.ts, commands.ts), with fault
// injection (state.ts Faults) and an executed-statement log. Many emulators run in one Node process
// (cluster.ts); they share the Topology and the executed-log sequence counter.

import { createServer, type Server, type Socket } from 'node:net';
import type { BackendConfig } from './backend.js';
import { EmulatorSession } from './session.js';
import { ExecutedLog, Faults, type EmulatorHooks, type ExecutedEntry } from './state.js';
import type { ServerDef, Topology } from './topology.js';

export interface EmulatorOptions {
  readonly topology: Topology;
  readonly server: ServerDef;
  readonly backend: BackendConfig;
  /** Whether another server's emulator is serving (DBA_OB_SERVERS.status). */
  isAlive(serverName: string): boolean;
  /** Cluster-wide statement order. */
  nextSeq(): number;
}

/** OceanBase 4.x session ids are large 32-bit numbers; each emulator draws from its own range. */
const ID_BASE = 0xc000_0000;
const ID_RANGE = 1 << 20;

export class ObserverEmulator implements EmulatorHooks {
  readonly topology: Topology;
  readonly self: ServerDef;
  readonly backend: BackendConfig;
  readonly faults = new Faults();
  readonly log = new ExecutedLog();
  readonly sessions = new Map<number, EmulatorSession>();
  private readonly opts: EmulatorOptions;
  private listener: Server | null = null;
  private readonly hung = new Set<Socket>();
  private seq = 0;
  private readonly idBase: number;

  constructor(opts: EmulatorOptions) {
    this.opts = opts;
    this.topology = opts.topology;
    this.self = opts.server;
    this.backend = opts.backend;
    this.idBase = ID_BASE + Math.max(0, opts.topology.servers.indexOf(opts.server)) * ID_RANGE;
  }

  get name(): string {
    return this.self.name;
  }

  get listening(): boolean {
    return this.listener !== null;
  }

  /** Listens on the server's ip:sqlPort (port 0: any, written back to the topology); returns the port. */
  start(): Promise<number> {
    if (this.listener !== null) return Promise.resolve(this.self.sqlPort);
    const srv = createServer((socket) => this.accept(socket));
    return new Promise((resolve, reject) => {
      srv.once('error', reject);
      srv.listen({ host: this.self.ip, port: this.self.sqlPort, exclusive: true }, () => {
        srv.off('error', reject);
        const addr = srv.address();
        if (typeof addr === 'object' && addr !== null) this.self.sqlPort = addr.port;
        this.listener = srv;
        resolve(this.self.sqlPort);
      });
    });
  }

  private accept(socket: Socket): void {
    if (this.faults.hang) {
      // accepted, never answered; kept until the client leaves or the emulator is killed
      this.hung.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => this.hung.delete(socket));
      return;
    }
    const s = new EmulatorSession(this, socket);
    this.sessions.set(s.id, s);
    socket.on('close', () => this.sessions.delete(s.id));
    void s.run();
  }

  /** Closes the listener and every session: clients see the connection drop, new connects are refused. */
  async kill(): Promise<void> {
    const srv = this.listener;
    this.listener = null;
    for (const s of this.sessions.values()) s.destroy();
    this.sessions.clear();
    for (const h of this.hung) h.destroy();
    this.hung.clear();
    if (srv !== null) await new Promise<void>((resolve) => srv.close(() => resolve()));
  }

  /** Listens again on the same address and port; clears every fault. */
  async revive(): Promise<void> {
    this.faults.clear();
    await this.start();
  }

  nextConnectionId(): number {
    this.seq = (this.seq + 1) % ID_RANGE;
    return this.idBase + this.seq;
  }

  isAlive(serverName: string): boolean {
    return serverName === this.self.name ? this.listening : this.opts.isAlive(serverName);
  }

  record(e: Omit<ExecutedEntry, 'seq' | 'server' | 'at'>): void {
    this.log.add({ ...e, seq: this.opts.nextSeq(), server: this.self.name, at: Date.now() });
  }

  session(id: number): EmulatorSession | undefined {
    return this.sessions.get(id);
  }
}
