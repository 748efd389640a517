// `npm run lab -- up|down|status|observers|seekdb ...`: the development cluster: the lab MariaDB (mysql mode), the
// observer emulators (an OceanBase cluster of three emulated nodes over that MariaDB) and the seekdb kernel.
import { LAB_ROOT, mariadbPaths, startMariadb, stopMariadbByName } from './mariadb.js';
import { existsSync } from 'node:fs';

const DB = { name: 'dev', host: '127.0.0.1', port: Number(process.env['ODP_LAB_MYSQL_PORT'] ?? 13306) };

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'up': {
      const db = await startMariadb(DB);
      console.log(`lab: MariaDB ${db.started ? 'started' : 'already running'} on ${db.host}:${db.port} (data in ${db.dir})`);
      return 0;
    }
    case 'down': {
      const stopped = await stopMariadbByName(DB.name);
      console.log(stopped ? 'lab: MariaDB stopped' : 'lab: MariaDB was not running');
      return 0;
    }
    case 'status': {
      const p = mariadbPaths(DB.name);
      console.log(`lab root: ${LAB_ROOT}`);
      console.log(`MariaDB ${DB.host}:${DB.port}: ${existsSync(p.pidFile) ? 'pid file present' : 'not running'}`);
      return 0;
    }
    case 'observers': {
      const mod = (await import('./observer/cli.js')) as { main(argv: string[]): Promise<number> };
      return mod.main(rest);
    }
    case 'seekdb': {
      const mod = (await import('./seekdb/cli.js')) as { main(argv: string[]): Promise<number> };
      return mod.main(rest);
    }
    default:
      console.error('usage: npm run lab -- up | down | status | observers [--help] | seekdb <install|start|stop|status|gen-vectors>');
      return 2;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
  console.error(`lab: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
