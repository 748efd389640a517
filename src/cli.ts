#!/usr/bin/env node
// obproxy-compatible command line (spec §11.2): -p -l -o -n -r -c -N -V -h, plus --config FILE.
// Every failure is one line on stderr and a non-zero exit; never a stack trace.

import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ProxyConfig } from './config/config.js';
import { optionsFromFlags, parseOptstr } from './config/options.js';
import { Logger, LogLevel, parseLogLevel } from './observe/log.js';
import { LogFiles, logDirectory } from './observe/log-files.js';
import { SyslogWriter, bindSyslogConfig } from './observe/syslog.js';
import { Proxy, StartupError, startProxy } from './main.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
export const VERSION = pkg.version;

/** -o may be given several times; later items win. Ranges and types are checked by the registry at load. */
function collectOptstr(v: string, prev: Record<string, string> | undefined): Record<string, string> {
  const parsed = parseOptstr(v);
  if (typeof parsed === 'string') throw new InvalidArgumentError(parsed);
  return { ...prev, ...parsed };
}

function fail(msg: string): never {
  process.stderr.write(`odp: ${msg}\n`);
  process.exit(1);
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('odp')
    .description('OceanBase Database Proxy (ODP) in TypeScript: a MySQL-protocol proxy for OceanBase and MySQL/MariaDB')
    .helpOption('-h, --help', 'show this help')
    .option('-p, --listen_port <port>', 'MySQL listen port (listen_port)')
    .option('-l, --prometheus_listen_port <port>', 'Prometheus /metrics port (prometheus_listen_port)')
    .option('-o, --optstr <k=v,...>', 'set any parameter, e.g. -o server_routing_mode=mysql,proxy_id=3', collectOptstr)
    .option('-n, --appname <name>', 'application name (app_name)')
    .option('-r, --rs_list <ip:port;...>', 'backend servers / root service list (rootservice_list)')
    .option('-c, --cluster_name <name>', 'cluster name (rootservice_cluster_name)')
    .option('-N, --nodaemon', 'stay in the foreground (odp never daemonizes; accepted for obproxy compatibility)')
    .option('--config <file>', 'YAML configuration file')
    .option('-V, --version', 'print the version and exit')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(`odp: ${s.replace(/^error: /, '').trim()}\n`) });

  try {
    program.parse(argv);
  } catch (e) {
    if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
    throw e;
  }
  const o = program.opts<{
    listen_port?: string; prometheus_listen_port?: string; optstr?: Record<string, string>; appname?: string;
    rs_list?: string; cluster_name?: string; config?: string; version?: boolean;
  }>();
  if (o.version === true) {
    process.stdout.write(`odp ${VERSION} (OceanBase Database Proxy in TypeScript; compatible with obproxy 4.3.1 commands and parameters)\n`);
    return;
  }

  const options = optionsFromFlags({
    ...(o.listen_port !== undefined ? { listenPort: o.listen_port } : {}),
    ...(o.prometheus_listen_port !== undefined ? { prometheusListenPort: o.prometheus_listen_port } : {}),
    ...(o.appname !== undefined ? { appName: o.appname } : {}),
    ...(o.rs_list !== undefined ? { rsList: o.rs_list } : {}),
    ...(o.cluster_name !== undefined ? { clusterName: o.cluster_name } : {}),
  }, o.optstr ?? {});

  let config: ProxyConfig;
  try {
    config = ProxyConfig.load({ ...(o.config !== undefined ? { file: o.config } : {}), options });
  } catch (e) {
    fail((e as Error).message);
  }
  // ODP's log files under <OBPROXY_ROOT or cwd>/log (spec §10); the stderr line stays for foreground runs.
  const files = LogFiles.fromConfig(logDirectory(), config, { onError: (l) => process.stderr.write(`odp: ${l}\n`) });
  await files.start();
  const syslog = new SyslogWriter(files);
  const toFile = syslog.lineSink();
  const log = new Logger(parseLogLevel(config.get('syslog_level')) ?? LogLevel.INFO, (line) => {
    process.stderr.write(line);
    toFile(line);
  });
  bindSyslogConfig(syslog, log, config);

  let proxy: Proxy;
  try {
    proxy = await startProxy({ config, log, version: VERSION, files });
  } catch (e) {
    if (e instanceof StartupError) fail(e.message);
    fail(`start-up failed: ${(e as Error).message}`);
  }
  log.info('PROXY', `odp ${VERSION} listening on port ${proxy.listenPort} (pid ${process.pid})`);
  process.stdout.write(`odp: listening on port ${proxy.listenPort}\n`);

  let stopping = false;
  const graceful = (sig: string): void => {
    if (stopping) {
      log.warn('PROXY', `${sig} again: stopping now`);
      void proxy.stopNow().then(() => files.close()).then(() => process.exit(0));
      return;
    }
    stopping = true;
    const timeout = config.getTimeMs('drain_timeout');
    log.info('PROXY', `${sig}: draining (up to ${timeout} ms)`);
    void proxy.drain(timeout).then(() => files.close()).then(() => process.exit(0));
  };
  process.on('SIGTERM', () => graceful('SIGTERM'));
  process.on('SIGINT', () => graceful('SIGINT'));
  process.on('SIGQUIT', () => {
    void proxy.stopNow().then(() => files.close()).then(() => process.exit(0));
  });
  process.on('SIGHUP', () => {
    const r = config.reloadFile();
    if (r.ok) log.info('PROXY', 'SIGHUP: configuration file reloaded');
    else log.error('PROXY', `SIGHUP: configuration file rejected, keeping the running configuration: ${r.error}`);
  });
  // Last resort: one bad session must not take the others down. Sessions guard their own callbacks.
  process.on('uncaughtException', (err) => log.error('PROXY', `uncaught exception: ${err.stack ?? err.message}`));
  process.on('unhandledRejection', (err) => log.error('PROXY', `unhandled rejection: ${String(err)}`));
}

main(process.argv).catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
