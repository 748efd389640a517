// `npm start`: system packages (if missing) -> build (if needed) -> the lab's MariaDB -> odp on port 2883 in front
// of it. Prints how to connect; Ctrl-C stops the proxy (graceful drain) and the MariaDB it started.
import { spawn, spawnSync } from 'node:child_process';

const PORT = Number(process.env.ODP_PORT ?? 2883);
const DB_PORT = Number(process.env.ODP_LAB_MYSQL_PORT ?? 13306);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
run('bash', ['scripts/ensure-system.sh']);
run(process.execPath, ['scripts/build-if-needed.mjs']);

const { startMariadb } = await import('../dist/lab/mariadb.js');
process.stdout.write(`odp: starting the lab MariaDB on 127.0.0.1:${DB_PORT} (data in .lab/mariadb/dev)\n`);
const db = await startMariadb({ name: 'dev', host: '127.0.0.1', port: DB_PORT });

const proxy = spawn(process.execPath, [
  'dist/src/cli.js', '-N', '-p', String(PORT), '-r', `127.0.0.1:${DB_PORT}`,
  '-o', 'server_routing_mode=mysql,local_bound_ip=127.0.0.1,config_state_file=.lab/odp_state.yaml',
], { stdio: ['ignore', 'pipe', 'inherit'], detached: true, env: { ...process.env, OBPROXY_ROOT: '.lab' } });
// The proxy has its own process group, so the terminal's Ctrl-C reaches only this script, which then sends the
// proxy a single SIGTERM: a graceful drain rather than "second signal, stop now".

let announced = false;
proxy.stdout.on('data', (d) => {
  process.stdout.write(d);
  if (!announced && d.toString().includes('listening')) {
    announced = true;
    process.stdout.write([
      '',
      'odp is up. Connect with:',
      `  mariadb -h127.0.0.1 -P${PORT} -uroot`,
      `  mariadb -h127.0.0.1 -P${PORT} -uodp_app -podp_app_pw odp_test`,
      'Press Ctrl-C to stop the proxy and the lab MariaDB.',
      '',
    ].join('\n'));
  }
});

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  if (proxy.exitCode === null) {
    proxy.kill('SIGTERM');
    await new Promise((r) => proxy.once('exit', r));
  }
  if (db.started) {
    process.stdout.write('odp: stopping the lab MariaDB\n');
    await db.stop();
  }
  process.exit(code);
}
proxy.once('exit', (code) => {
  if (!stopping) {
    process.stderr.write(`odp: the proxy exited (code ${code})\n`);
    void stop(code ?? 1);
  }
});
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
