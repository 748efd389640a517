// The lab cluster: one observer emulator per topology server, all in this process, in front of one shared
// MariaDB, plus the HTTP control interface. Used by the integration tests and by `npm run lab -- observers`.

import mysql from 'mysql2/promise';
import type { BackendConfig } from './backend.js';
import { runControlCommand, startControlServer, type ControlReply, type ControlTarget } from './control.js';
import { defaultTopology } from './default-topology.js';
import { ObserverEmulator } from './server.js';
import type { ExecutedEntry } from './state.js';
import { findServer, type TableDef, type Topology } from './topology.js';
import { validateTopology } from './validate.js';

export interface LabClusterOptions {
  /** The shared MariaDB; user defaults to root, password to ''. */
  readonly mysql: { readonly host: string; readonly port: number; readonly user?: string; readonly password?: string };
  /** Default: defaultTopology(). Mutated in place (ports, leaders). */
  readonly topology?: Topology;
  /** Overrides every server's SQL port; 0 = a free port per server. */
  readonly sqlPort?: number;
  /** HTTP control port on 127.0.0.1 (0 = any free port; null = no HTTP). Default 0. */
  readonly controlPort?: number | null;
  /** Create the tenants' databases and tables in MariaDB first (IF NOT EXISTS). Default true. */
  readonly prepareBackend?: boolean;
}

export interface LabCluster extends ControlTarget {
  /** 'http://127.0.0.1:<port>', or null without HTTP control. */
  readonly controlUrl: string | null;
  /** The servers as the proxy's `-r` rootservice list: 'ip:port;ip:port;...'. */
  readonly rsList: string;
  emulator(server: string): ObserverEmulator;
  command(line: string): Promise<ControlReply>;
  stop(): Promise<void>;
}

function createTableSql(t: TableDef): string {
  const q = (s: string): string => `\`${s.replace(/`/g, '``')}\``;
  const cols = t.columns.map((c) => `${q(c.name)} ${c.sql}`);
  if (t.primaryKey.length > 0) cols.push(`PRIMARY KEY (${t.primaryKey.map(q).join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${q(t.database)}.${q(t.name)} (${cols.join(', ')})`;
}

/** Creates every tenant database (except `oceanbase`) and every topology table in the shared MariaDB. */
export async function prepareBackend(topology: Topology, cfg: BackendConfig): Promise<void> {
  const conn = await mysql.createConnection({ host: cfg.host, port: cfg.port, user: cfg.user, password: cfg.password });
  try {
    const dbs = new Set(topology.tenants.flatMap((t) => t.databases).filter((d) => d.toLowerCase() !== 'oceanbase'));
    for (const db of dbs) await conn.query(`CREATE DATABASE IF NOT EXISTS \`${db.replace(/`/g, '``')}\``);
    for (const t of topology.tables) await conn.query(createTableSql(t));
  } finally {
    await conn.end();
  }
}

/** Starts one emulator per server (and the control interface); rejects on an invalid topology. */
export async function startLabCluster(opts: LabClusterOptions): Promise<LabCluster> {
  const topology = opts.topology ?? defaultTopology();
  if (opts.sqlPort !== undefined) for (const s of topology.servers) s.sqlPort = opts.sqlPort;
  const errors = validateTopology(topology);
  if (errors.length > 0) throw new Error(`lab: invalid topology:\n  ${errors.join('\n  ')}`);
  const backend: BackendConfig = { host: opts.mysql.host, port: opts.mysql.port, user: opts.mysql.user ?? 'root', password: opts.mysql.password ?? '' };
  if (opts.prepareBackend !== false) await prepareBackend(topology, backend);
  let seq = 0;
  const emulators = new Map<string, ObserverEmulator>();
  for (const server of topology.servers) {
    emulators.set(server.name, new ObserverEmulator({
      topology, server, backend, isAlive: (n) => emulators.get(n)?.listening === true, nextSeq: () => ++seq,
    }));
  }
  try {
    for (const e of emulators.values()) await e.start();
  } catch (e) {
    for (const x of emulators.values()) await x.kill();
    throw e;
  }
  const target: ControlTarget = {
    topology,
    emulators,
    executedLog: (server) => collectLog(topology, emulators, server),
    clearLog: (server) => {
      for (const e of emulators.values()) if (server === undefined || server === '' || findServer(topology, server)?.name === e.name) e.log.clear();
    },
  };
  const http = opts.controlPort === null ? null : await startControlServer(target, '127.0.0.1', opts.controlPort ?? 0);
  return {
    ...target,
    controlUrl: http?.url ?? null,
    rsList: topology.servers.map((s) => `${s.ip}:${s.sqlPort}`).join(';'),
    emulator(name: string): ObserverEmulator {
      const s = findServer(topology, name);
      const e = s === undefined ? undefined : emulators.get(s.name);
      if (e === undefined) throw new Error(`lab: no server ${name}`);
      return e;
    },
    command: (line) => runControlCommand(target, line),
    async stop() {
      await http?.close();
      for (const e of emulators.values()) await e.kill();
    },
  };
}

function collectLog(topology: Topology, emulators: ReadonlyMap<string, ObserverEmulator>, server?: string): ExecutedEntry[] {
  const name = server === undefined || server === '' ? null : findServer(topology, server)?.name ?? server;
  const out: ExecutedEntry[] = [];
  for (const e of emulators.values()) if (name === null || e.name === name) out.push(...e.log.list());
  return out.sort((a, b) => a.seq - b.seq);
}
