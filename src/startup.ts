// Start-up steps around the Proxy: the checks before it exists (routing mode, the -r list, one greeting read from
// each backend), the observe HTTP server, and the notes logged once listening succeeded (open-file limit, empty
// proxysys password, backend states). Every failure is a StartupError whose message is one line: cli.ts prints it
// alone and exits. Nothing here runs after start-up.

import { readFileSync } from 'node:fs';
import { OdpError } from './errors/catalogue.js';
import { ServerConnection, formatAddress, parseAddressList, type ServerAddress } from './backend/server-connection.js';
import type { ProxyConfig } from './config/config.js';
import type { Logger } from './observe/log.js';
import type { Metrics } from './observe/metrics.js';
import { ObserveHttpServer, type Readiness } from './observe/http.js';

export class StartupError extends Error {}

export interface BackendProbe {
  readonly address: ServerAddress;
  readonly ok: boolean;
  readonly version: string;
  readonly capabilities: number;
  readonly mariadbCapabilities: number;
  readonly charset: number;
  /** The proxy's own address on that connection (auth-source host matching). */
  readonly localAddress: string;
  readonly error: string;
}

/** Connects to each backend and reads its greeting (no login). */
export async function probeBackends(list: readonly ServerAddress[], timeoutMs: number): Promise<BackendProbe[]> {
  return Promise.all(list.map(async (address) => {
    try {
      const c = await ServerConnection.open(address, { connectTimeoutMs: timeoutMs, keepAliveIdleMs: 60_000 });
      const hs = c.handshake;
      const localAddress = c.socket.localAddress ?? '127.0.0.1';
      c.destroy();
      return {
        address, ok: true, version: hs?.serverVersion ?? '', capabilities: hs?.capabilities ?? 0,
        mariadbCapabilities: hs?.mariadbCapabilities ?? 0, charset: hs?.charset ?? 45, localAddress, error: '',
      };
    } catch (e) {
      return {
        address, ok: false, version: '', capabilities: 0, mariadbCapabilities: 0, charset: 45, localAddress: '',
        error: e instanceof OdpError ? e.message : String(e),
      };
    }
  }));
}

/** Validates server_routing_mode and rootservice_list, then probes every listed server; at least one must answer. */
export async function probeConfiguredBackends(c: ProxyConfig): Promise<{ backends: ServerAddress[]; probes: BackendProbe[] }> {
  const mode = c.get('server_routing_mode');
  if (mode !== 'mysql' && mode !== 'random' && mode !== 'oceanbase') {
    throw new StartupError(`server_routing_mode=${mode} is not available yet; use oceanbase, mysql or random`);
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
  return { backends, probes };
}

/** /metrics, /healthz, /readyz on prometheus_listen_port (spec §12). A busy port is a one-line StartupError. */
export async function startObserveHttp(c: ProxyConfig, metrics: Metrics, readiness: () => Readiness): Promise<ObserveHttpServer> {
  const host = c.get('local_bound_ip') || '0.0.0.0';
  const http = new ObserveHttpServer({
    host,
    port: c.getInt('prometheus_listen_port'),
    metrics,
    prometheusEnabled: () => c.getBool('enable_prometheus'),
    readiness,
  });
  try {
    await http.start();
  } catch (e) {
    throw new StartupError(`cannot serve metrics on ${host}:${c.getInt('prometheus_listen_port')}: ${(e as Error).message}`);
  }
  return http;
}

/** Warnings and backend states, logged only once listening succeeded so a start-up failure stays one line. */
export function logStartupNotes(c: ProxyConfig, log: Logger, probes: readonly BackendProbe[]): void {
  warnOpenFileLimit(c.getInt('client_max_connections'), log);
  if (c.get('obproxy_sys_password') === '') {
    log.warn('PROXY', 'root@proxysys has an empty password: anyone who reaches this port can change the configuration; set obproxy_sys_password');
  }
  for (const p of probes) {
    if (p.ok) log.info('PROXY', `backend ${formatAddress(p.address)} is up, version ${p.version}`);
    else log.warn('PROXY', `backend ${formatAddress(p.address)} is down: ${p.error}`);
  }
}

/**
 * Each client session needs a descriptor plus one per server session: warn when client_max_connections cannot be
 * reached within the process's open-file limit (Linux: /proc/self/limits), since accept() then fails silently.
 */
function warnOpenFileLimit(maxConnections: number, log: Logger): void {
  let soft = Infinity;
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m !== null && m[1] !== 'unlimited') soft = Number(m[1]);
  } catch {
    return; // not Linux: nothing to check
  }
  const need = (maxConnections === 0 ? 8192 : maxConnections) * 2 + 64;
  if (need > soft) {
    log.warn('PROXY', `open-file limit ${soft} is below the ${need} descriptors client_max_connections=${maxConnections} needs (client plus server socket each); raise it (ulimit -n / LimitNOFILE)`);
  }
}
