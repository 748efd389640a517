// The two processes a conformance pass talks to: a freshly initialized MariaDB lab server configured
// like the servers mariadb-test-run starts itself, and the real proxy (dist/src/cli.js) in front of it.
// The lab helpers are imported lazily so that ODP_LAB_DIR (read when lab/mariadb.js loads) can point
// them at the run's private work directory.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';

/**
 * mariadbd options that mariadb-test-run gives its own servers (include/default_mysqld.cnf and
 * lib/My/ConfigFactory.pm) and that change what tests print; they follow the lab's options, and a later
 * option wins. Name resolution is on (as under mtr) so that TCP logins from 127.0.0.1 are
 * user@localhost, which is what the .result files expect.
 */
function mtrLikeArgs(vardir, logDir) {
  return [
    '--skip-name-resolve=0', '--character-set-server=latin1', '--collation-server=latin1_swedish_ci',
    '--default-storage-engine=MyISAM', '--max-connections=151', '--max-allowed-packet=16M',
    '--key-buffer-size=1M', '--sort-buffer-size=256K', '--max-heap-table-size=1M',
    '--log-bin-trust-function-creators=1', '--use-stat-tables=preferably', '--histogram-type=json_hb',
    '--innodb-buffer-pool-size=8M', '--innodb-log-file-size=10M', '--innodb-log-buffer-size=2M',
    '--open-files-limit=1024', '--connect-timeout=60', '--local-infile=1', '--server-id=1',
    '--log-basename=mysqld', '--log-output=file', '--general-log=1', `--general-log-file=${join(logDir, 'general.log')}`,
    '--slow-query-log=1', `--slow-query-log-file=${join(logDir, 'slow.log')}`, `--secure-file-priv=${vardir}`,
    // From main/multi_statement-master.opt (its Slow_queries count); no other listed test depends on it.
    '--log-queries-not-using-indexes',
    '--plugin-maturity=unknown', '--binlog-direct-non-transactional-updates',
  ];
}

/** Finds mysql-test/ (MTR_DIR, else the Debian mariadb-test layout). */
export function findMtrDir() {
  const dirs = [process.env['MTR_DIR'], '/usr/share/mysql/mysql-test', '/usr/share/mariadb/mariadb-test', '/usr/mysql-test'];
  for (const d of dirs) {
    if (d !== undefined && existsSync(join(d, 'mariadb-test-run.pl'))) return d;
  }
  throw new Error('mariadb-test-run.pl not found: install Debian\'s mariadb-test package or set MTR_DIR');
}

/**
 * Lays out `vardir` the way mariadb-test-run.pl's setup_vardir does (log/, run/, tmp/, a copy of
 * std_data/). The runner creates it itself because the server's datadir must sit inside it (see
 * freshServer), and mtr with --extern leaves an existing vardir as it is.
 */
export function prepareVardir(vardir, mtrDir) {
  for (const d of ['log', 'run', 'tmp']) mkdirSync(join(vardir, d), { recursive: true });
  cpSync(join(mtrDir, 'std_data'), join(vardir, 'std_data'), { recursive: true });
}

/**
 * Starts a fresh server named `name` on `port` (a previous one of that name is stopped and its data
 * wiped), then applies setup.sql and the mtr time-zone test data, and saves mysql.proc for reset.inc
 * (`<vardir>/odp_baseline_proc.txt`). ODP_LAB_DIR must be the parent of
 * `vardir` when lab/mariadb.js is first imported, so that the datadir is `<vardir>/<name>/data`: the
 * same depth as mtr's `<vardir>/mysqld.1/data`, which tests rely on (`../../std_data`, `../../tmp`
 * relative to the datadir; mariadb-test refuses file commands outside the vardir).
 */
export async function freshServer({ name, port, vardir, mtrDir, setupSql, multi = false }) {
  const lab = await import('../../dist/lab/mariadb.js');
  const paths = lab.mariadbPaths(name);
  if (dirname(paths.dir) !== vardir) throw new Error(`ODP_LAB_DIR is not the parent of ${vardir}`);
  await lab.stopMariadbByName(name);
  rmSync(paths.data, { recursive: true, force: true });
  // mariadb-test-run runs its servers without TZ unless a test's .opt sets one.
  const tz = process.env['TZ'];
  delete process.env['TZ'];
  try {
    const inst = await lab.startMariadb({ name, port, extraArgs: mtrLikeArgs(vardir, paths.dir) });
    if (multi) await lab.labSql(inst.socket, MULTI_SETUP_SQL); // before setup.sql records the baseline reset.inc restores
    sqlFile(inst.socket, setupSql);
    sqlFile(inst.socket, findTimezoneData(mtrDir), 'mysql');
    const procCopy = join(vardir, 'odp_baseline_proc.txt');
    rmSync(procCopy, { force: true });
    await lab.labSql(inst.socket, `SELECT * FROM mysql.proc INTO OUTFILE '${procCopy}'`);
    await burnThreadIds(port, THREAD_ID_GAP);
    return inst;
  } finally {
    if (tz !== undefined) process.env['TZ'] = tz;
  }
}

/**
 * Server thread ids and the proxy's client-session ids both count up from small numbers, so without a
 * gap the id a test reads from CONNECTION_ID() often equals the id the proxy gives some client session,
 * and KILL <id> through the proxy (which takes its own session ids) hits by coincidence. Skipping this
 * many server ids makes that outcome deterministic (docs/CONFORMANCE.md, KILL).
 */
const THREAD_ID_GAP = 2000;

/** Each accepted TCP connection takes a thread id; waiting for the greeting and dropping costs ~1 ms. */
async function burnThreadIds(port, n) {
  for (let i = 0; i < n; i++) {
    await new Promise((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('data', () => { s.destroy(); resolve(); });
      s.once('error', resolve);
      s.once('close', resolve);
    });
  }
}

function findTimezoneData(mtrDir) {
  for (const f of [join(mtrDir, '..', 'mysql_test_data_timezone.sql'), '/usr/share/mysql/mysql_test_data_timezone.sql']) {
    if (existsSync(f)) return f;
  }
  throw new Error('mysql_test_data_timezone.sql not found');
}

/** Feeds an SQL file to the mariadb CLI as root over the socket; throws with its stderr on failure. */
function sqlFile(socket, file, db) {
  const args = ['--no-defaults', `--socket=${socket}`, '-uroot', ...(db ? [db] : [])];
  const r = spawnSync('mariadb', args, { input: readFileSync(file), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mariadb < ${file} failed: ${r.stderr}`);
}

/**
 * Starts the proxy as a child process in mysql routing mode in front of 127.0.0.1:backendPort, with a
 * private state file; resolves once it accepts connections. Its output goes to `logFile`.
 */
/** --multi: the proxy's metadata user (it reads mysql.user to verify logins itself), in both passes alike. */
// proxyro@localhost too: tests create the anonymous ''@localhost, which the server then prefers to proxyro@'%' for a
// login from localhost (a more specific host wins), and the proxy's reloads of mysql.user would be refused.
const MULTI_SETUP_SQL = ['%', 'localhost'].map((h) => `CREATE USER IF NOT EXISTS proxyro@'${h}'; ALTER USER proxyro@'${h}' IDENTIFIED BY 'proxyro_pw'; GRANT SELECT ON mysql.* TO proxyro@'${h}';`).join(' ');

/**
 * --multi=mysql|random: one client session over two servers. The second is the same MariaDB behind a socat relay on
 * 127.0.0.2, so data agree wherever a statement goes and only the proxy's session handling is under test.
 */
function startRelay(backendPort) {
  const relay = spawn('socat', [`TCP-LISTEN:${backendPort},bind=127.0.0.2,reuseaddr,fork`, `TCP:127.0.0.1:${backendPort}`], { stdio: 'ignore' });
  return relay;
}

export async function startProxy({ repoRoot, backendPort, stateFile, logFile, multi = null }) {
  const { freePort, portOpen } = await import('../../dist/lab/proc.js');
  const port = await freePort();
  // Its own metrics port too: the default (2884) may be taken by another proxy on this machine.
  const metricsPort = await freePort();
  const cli = join(repoRoot, 'dist', 'src', 'cli.js');
  const relay = multi !== null ? startRelay(backendPort) : null;
  const sha1hex = (s) => createHash('sha1').update(s).digest('hex');
  const servers = multi !== null ? `127.0.0.1:${backendPort};127.0.0.2:${backendPort}` : `127.0.0.1:${backendPort}`;
  const extra = multi !== null ? `,enable_proxy_scramble=true,observer_sys_password=${sha1hex('proxyro_pw')}` : '';
  const args = [cli, '-N', '-p', String(port), '-l', String(metricsPort), '-r', servers,
    '-o', `server_routing_mode=${multi ?? 'mysql'},local_bound_ip=127.0.0.1,config_state_file=${stateFile}${extra}`];
  if (relay !== null) await new Promise((r) => setTimeout(r, 200));
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dirname(stateFile) });
  const log = createWriteStream(logFile);
  proc.stdout.pipe(log);
  proc.stderr.pipe(log);
  let exitCode = null;
  let exitSignal = null;
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => {
    exitCode = code;
    exitSignal = signal;
    resolve();
  }));
  const deadline = Date.now() + 15_000;
  while (!(await portOpen('127.0.0.1', port))) {
    if (proc.exitCode !== null) throw new Error(`proxy exited during start-up, see ${logFile}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`proxy did not listen on ${port}, see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    /** Null while running; otherwise how it ended (a crash mid-pass is a finding). */
    died: () => (proc.exitCode === null && proc.signalCode === null ? null : `exit ${exitCode ?? ''}${exitSignal ?? ''}`),
    async stop() {
      const wasAlive = proc.exitCode === null && proc.signalCode === null;
      if (wasAlive) proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
      relay?.kill('SIGTERM');
      return wasAlive;
    },
  };
}
