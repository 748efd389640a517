// `npm start`: system packages (if missing) -> build (if needed) -> the lab: its MariaDB and three OceanBase observer
// emulators over it (cluster lab_cluster on 127.0.0.2-4) -> odp on port 2883 in oceanbase mode in front of them.
// ODP_MODE=mysql starts odp in mysql mode in front of the MariaDB instead. Prints how to connect; Ctrl-C stops the
// proxy (graceful drain), the emulators and the MariaDB it started.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';

const PORT = Number(process.env.ODP_PORT ?? 2883);
const MODE = process.env.ODP_MODE === 'mysql' ? 'mysql' : 'oceanbase';
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

let lab = null;
let args;
if (MODE === 'oceanbase') {
  const { startLabCluster } = await import('../dist/lab/observer/cluster.js');
  lab = await startLabCluster({ mysql: { host: db.host, port: db.port }, sqlPort: 0, controlPort: 2899 });
  process.stdout.write(`odp: lab cluster ${lab.topology.clusterName}: observers ${lab.rsList} (control ${lab.controlUrl})\n`);
  const proxyro = createHash('sha1').update('proxyro_pw').digest('hex');
  args = ['-r', lab.rsList, '-c', lab.topology.clusterName, '-o',
    `server_routing_mode=oceanbase,observer_sys_password=${proxyro},local_bound_ip=127.0.0.1,config_state_file=.lab/odp_state.yaml`];
} else {
  args = ['-r', `127.0.0.1:${DB_PORT}`, '-o', 'server_routing_mode=mysql,local_bound_ip=127.0.0.1,config_state_file=.lab/odp_state.yaml'];
}
const proxy = spawn(process.execPath, ['dist/src/cli.js', '-N', '-p', String(PORT), ...args],
  { stdio: ['ignore', 'pipe', 'inherit'], detached: true, env: { ...process.env, OBPROXY_ROOT: '.lab' } });
// The proxy has its own process group, so the terminal's Ctrl-C reaches only this script, which then sends the
// proxy a single SIGTERM: a graceful drain rather than "second signal, stop now".

let announced = false;
proxy.stdout.on('data', (d) => {
  process.stdout.write(d);
  if (!announced && d.toString().includes('listening')) {
    announced = true;
    const how = MODE === 'oceanbase'
      ? [`  mariadb -h127.0.0.1 -P${PORT} -uroot@test -proot_pw lab_db`, `  mariadb -h127.0.0.1 -P${PORT} -uodp_app@test -podp_app_pw lab_db`,
        `  mariadb -h127.0.0.1 -P${PORT} -uroot@proxysys -e 'SHOW PROXYCONFIG'   (admin)`,
        '  (tables of every partition type are in lab_db: t_hash, t_key, t_range, t_range_cols, t_list, t_sub, t_plain)']
      : [`  mariadb -h127.0.0.1 -P${PORT} -uroot`, `  mariadb -h127.0.0.1 -P${PORT} -uodp_app -podp_app_pw odp_test`];
    process.stdout.write(['', `odp is up (${MODE} mode). Connect with:`, ...how,
      'Metrics: http://127.0.0.1:2884/metrics   Logs: .lab/log/', 'Press Ctrl-C to stop the proxy and the lab.', ''].join('\n'));
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
  if (lab !== null) await lab.stop();
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
