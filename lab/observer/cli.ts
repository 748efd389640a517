// `npm run lab -- observers [options]`: runs the observer emulators in the foreground until SIGINT/SIGTERM.
// Without --mysql it starts (or reuses) the lab's dev MariaDB on 127.0.0.1:${ODP_LAB_MYSQL_PORT:-13306}.

import { parseArgs } from 'node:util';
import { startMariadb } from '../mariadb.js';
import { startLabCluster } from './cluster.js';

const USAGE = `usage: npm run lab -- observers [--mysql host:port] [--mysql-user u] [--mysql-password p]
                                   [--sql-port n] [--control-port n]
  --mysql          shared MariaDB for data SQL (default: start/reuse the lab dev MariaDB)
  --sql-port       SQL port of every emulator (default 2881; 0 = a free port each)
  --control-port   HTTP control port on 127.0.0.1 (default 2899; 0 = any)
control: curl -d 'status' http://127.0.0.1:2899/command   (see lab/observer/control.ts for commands)`;

async function mysqlAddress(arg: string | undefined): Promise<{ host: string; port: number }> {
  if (arg !== undefined) {
    const m = /^([^:]+):(\d+)$/.exec(arg);
    if (m === null) throw new Error(`--mysql: expected host:port, got '${arg}'`);
    return { host: m[1]!, port: Number(m[2]) };
  }
  const db = await startMariadb({ name: 'dev', host: '127.0.0.1', port: Number(process.env['ODP_LAB_MYSQL_PORT'] ?? 13306) });
  return { host: db.host, port: db.port };
}

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        mysql: { type: 'string' }, 'mysql-user': { type: 'string' }, 'mysql-password': { type: 'string' },
        'sql-port': { type: 'string' }, 'control-port': { type: 'string' }, help: { type: 'boolean' },
      },
    }));
  } catch (e) {
    console.error(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    console.log(USAGE);
    return 0;
  }
  const addr = await mysqlAddress(values.mysql);
  const cluster = await startLabCluster({
    mysql: { ...addr, user: values['mysql-user'] ?? 'root', password: values['mysql-password'] ?? '' },
    ...(values['sql-port'] !== undefined ? { sqlPort: Number(values['sql-port']) } : {}),
    controlPort: Number(values['control-port'] ?? 2899),
  });
  console.log(`lab: ${cluster.emulators.size} observer emulators of cluster ${cluster.topology.clusterName} (MariaDB ${addr.host}:${addr.port})`);
  for (const s of cluster.topology.servers) console.log(`  ${s.name}  ${s.ip}:${s.sqlPort}  ${s.zone}`);
  console.log(`  rootservice list (-r): '${cluster.rsList}'   cluster (-c): ${cluster.topology.clusterName}`);
  console.log(`  control: ${cluster.controlUrl ?? '(none)'}  (POST /command, GET /status, GET /executed-log)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await cluster.stop();
  return 0;
}
