// Per-emulator mutable state shared by its sessions: injected faults and the executed-statement log.

import type { Socket } from 'node:net';
import type { PacketWriter } from '../../src/protocol/writer.js';
import type { Backend, BackendConfig } from './backend.js';
import type { ObError } from './errors.js';
import type { ServerDef, Topology } from './topology.js';

export class Faults {
  /** New connections get no greeting; commands of existing sessions get no answer. */
  hang = false;
  /** Delay before answering each command, in ms. */
  slowMs = 0;
  /** Logins are refused with OB_SERVER_IS_STOPPING. */
  rejectLogins = false;
  private injected: { err: ObError; left: number } | null = null;

  /** The next `count` forwarded statements fail with `err` instead of running. */
  injectError(err: ObError, count: number): void {
    this.injected = count > 0 ? { err, left: count } : null;
  }

  /** Consumes one injected error, if any is pending. */
  takeError(): ObError | null {
    const i = this.injected;
    if (i === null) return null;
    if (--i.left <= 0) this.injected = null;
    return i.err;
  }

  get pendingErrors(): number {
    return this.injected?.left ?? 0;
  }

  clear(): void {
    this.hang = false;
    this.slowMs = 0;
    this.rejectLogins = false;
    this.injected = null;
  }
}

/** How a statement was answered. */
export type HandledBy = 'backend' | 'metadata' | 'local' | 'injected-error' | 'error';

export interface ExecutedEntry {
  /** Cluster-wide order of execution (shared counter). */
  readonly seq: number;
  readonly server: string;
  /** The emulator's connection id of the session. */
  readonly sessionId: number;
  readonly tenant: string;
  readonly user: string;
  readonly db: string | null;
  /** 'COM_QUERY', 'COM_STMT_EXECUTE', ... */
  readonly command: string;
  readonly sql: string;
  readonly handledBy: HandledBy;
  /** ob_proxy_partition_hit as reported (null: not computed, e.g. metadata). */
  readonly partitionHit: 0 | 1 | null;
  readonly tabletId: number | null;
  /** Errno of the answer's ERR packet, 0 on success. */
  readonly errno: number;
  /** Unix time in ms. */
  readonly at: number;
}

/** Bounded: the oldest entries go first past `max`. */
export class ExecutedLog {
  private entries: ExecutedEntry[] = [];
  constructor(private readonly max = 100_000) {}

  add(e: ExecutedEntry): void {
    this.entries.push(e);
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max);
  }

  list(): readonly ExecutedEntry[] {
    return this.entries;
  }

  clear(): void {
    this.entries = [];
  }
}

/** What a session needs from its emulator. */
export interface EmulatorHooks {
  readonly topology: Topology;
  readonly self: ServerDef;
  readonly backend: BackendConfig;
  readonly faults: Faults;
  isAlive(serverName: string): boolean;
  nextConnectionId(): number;
  record(e: Omit<ExecutedEntry, 'seq' | 'server' | 'at'>): void;
  /** A live session of this emulator by connection id (KILL). */
  session(id: number): { destroy(): void; killQueryTarget(): number | null } | undefined;
}

export interface PreparedStmt {
  readonly sql: string;
  readonly numParams: number;
  /** Parameter types of the last execute that bound them. */
  types: number[] | null;
}

/** What the command handlers use of a session (implemented by EmulatorSession). */
export interface CommandSession {
  readonly id: number;
  readonly emu: EmulatorHooks;
  readonly w: PacketWriter;
  readonly socket: Socket;
  readonly stmts: Map<number, PreparedStmt>;
  readonly tenant: string;
  readonly user: string;
  /** Negotiated capabilities. */
  readonly caps: number;
  readonly closed: boolean;
  db: string | null;
  backend: Backend | null;
  ensureBackend(): Promise<ObError | null>;
  sendErr(err: ObError, seq: number): void;
  sendOk(seq: number): void;
  statusFlags(): number;
  flush(): boolean;
  destroy(): void;
}
