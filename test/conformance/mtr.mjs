// Runs mariadb-test-run.pl against an already running server (--extern) and reads its per-test verdicts.
// Reference: `mariadb-test-run.pl --help` (options `extern`, `vardir`, `ps-protocol`, `force`, `retry`)
// and mysql-test/README; the verdict lines look like `main.select   [ pass ]   694` (a worker column
// `w1` appears with --parallel > 1).
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const VERDICT = /^(\S+\.\S+)\s+(?:w\d+\s+)?\[ (pass|fail|skipped|disabled|retry-pass|retry-fail) \]\s*(.*)$/;
const DETAIL_LINES = 80;
const WATCH_EVERY_MS = 2000;

/**
 * Writes a mariadb-test wrapper that adds `--prologue=<reset.inc>`; mariadb-test-run.pl runs it instead
 * of the real binary when MYSQL_TEST names it. Returns its path.
 */
export function writeMysqltestWrapper(dir, prologue) {
  const path = join(dir, 'mariadb-test-with-reset.sh');
  // mtr passes --defaults-file first, and the client only honours it in first position.
  writeFileSync(path, [
    '#!/bin/sh',
    'case "$1" in',
    `  --defaults-file=*|--defaults-extra-file=*|--no-defaults) d="$1"; shift; exec mariadb-test "$d" --prologue='${prologue}' "$@" ;;`,
    'esac',
    `exec mariadb-test --prologue='${prologue}' "$@"`,
    '',
  ].join('\n'));
  chmodSync(path, 0o755);
  return path;
}

/**
 * Parses mtr's output into Map<test, { status, ms, comment, detail }>: status is pass | fail | skipped |
 * disabled; `detail` holds the failure report mtr printed under a failed test (the diff or error).
 * A retried test keeps its last verdict.
 */
export function parseMtrOutput(text) {
  const results = new Map();
  let current = null;
  for (const line of text.split('\n')) {
    const m = VERDICT.exec(line);
    if (m) {
      const [, name, raw, rest] = m;
      const status = raw === 'retry-pass' ? 'pass' : raw === 'retry-fail' ? 'fail' : raw;
      const ms = status === 'pass' && /^\d+$/.test(rest.trim()) ? Number(rest.trim()) : null;
      current = { status, ms, comment: status === 'pass' ? '' : rest.trim(), detail: [] };
      results.set(name, current);
      continue;
    }
    if (current === null || current.status !== 'fail') continue;
    if (line.startsWith(' - saving') || line.startsWith('-------') || line.startsWith('The servers were')) {
      current = null;
    } else if (current.detail.length < DETAIL_LINES) {
      current.detail.push(line);
    }
  }
  return results;
}

/**
 * One mtr pass. `port` is where the tests connect (the server or the proxy); every connection, including
 * `connect(...,localhost,...)` in tests, is forced to TCP so none can bypass the proxy through a socket.
 * `vardir` is shared by all passes (it holds the server's datadir); what a pass leaves in it (log/,
 * .reject files) is moved to `<workDir>/<tag>/` afterwards and tmp/ is emptied.
 * `limitMs(test)`, when given, bounds each test's run time (see watchHangs).
 * Resolves with { results, exitCode, elapsedMs, logPath }; mtr's output is `<workDir>/<tag>/mtr.log`.
 */
export function runMtr({ mtrDir, port, vardir, workDir, tag, tests, ps, wrapper, parallel, verbose, limitMs }) {
  const args = [join(mtrDir, 'mariadb-test-run.pl'),
    '--extern', 'host=127.0.0.1', '--extern', `port=${port}`, '--extern', 'user=root',
    '--extern', 'protocol=tcp', '--extern', `socket=${join(workDir, 'no-such.sock')}`,
    `--vardir=${vardir}`, '--nocheck-testcases', '--nowarnings', '--force', '--max-test-fail=0',
    '--retry=0', `--parallel=${parallel}`, '--testcase-timeout=3', '--suite-timeout=30',
    ...(ps ? ['--ps-protocol'] : []), ...tests];
  const started = Date.now();
  const passDir = join(workDir, tag);
  mkdirSync(passDir, { recursive: true });
  const logPath = join(passDir, 'mtr.log');
  const log = createWriteStream(logPath);
  return new Promise((resolve, reject) => {
    const child = spawn('perl', args, {
      cwd: mtrDir, env: { ...process.env, MYSQL_TEST: wrapper }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (d) => {
      const s = d.toString();
      out += s;
      log.write(s);
      if (verbose) process.stdout.write(s);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    const hung = new Map();
    const seen = new Map();
    const watch = limitMs ? setInterval(() => watchHangs(child.pid, limitMs, seen, hung), WATCH_EVERY_MS) : null;
    child.once('close', (code) => {
      if (watch) clearInterval(watch);
      log.end();
      const results = parseMtrOutput(out);
      for (const [name, ms] of hung) {
        const r = results.get(name);
        if (r !== undefined && r.status === 'fail') {
          r.comment = `hung: killed by the runner after ${Math.round(ms / 1000)} s`;
          r.detail.unshift(r.comment);
        }
      }
      archivePass(mtrDir, vardir, passDir, [...results.keys()]);
      resolve({ results, exitCode: code, elapsedMs: Date.now() - started, logPath });
    });
  });
}

/**
 * Moves the pass's vardir/log to `passDir/log` and empties vardir/tmp. mariadb-test also writes
 * `<test>.reject` next to the .result file when it can (as root: inside the system's mysql-test tree);
 * those go to `passDir/reject/` (copy + unlink: /usr and /tmp may be different file systems), so the
 * tree stays clean and the next pass cannot overwrite them.
 */
function archivePass(mtrDir, vardir, passDir, names) {
  renameSync(join(vardir, 'log'), join(passDir, 'log'));
  mkdirSync(join(vardir, 'log'));
  rmSync(join(vardir, 'tmp'), { recursive: true, force: true });
  mkdirSync(join(vardir, 'tmp'));
  const dest = join(passDir, 'reject');
  for (const full of names) {
    const [suite, test] = full.split('.', 2);
    if (suite !== 'main' || test === undefined) continue;
    const src = join(mtrDir, 'main', `${test}.reject`);
    if (!existsSync(src)) continue;
    mkdirSync(dest, { recursive: true });
    copyFileSync(src, join(dest, `${test}.reject`));
    unlinkSync(src);
  }
}

/**
 * A proxy bug can make a test wait forever for a response; mtr would wait --testcase-timeout (whole
 * minutes) for each. Every WATCH_EVERY_MS this looks for mariadb-test processes below mtr (`root`) and
 * SIGKILLs one that has run its test longer than `limitMs(test)`; mtr then reports the test failed and
 * goes on. `seen` maps "pid test" to first-seen time; `hung` gets test -> ms for each kill (Linux /proc).
 */
function watchHangs(root, limitMs, seen, hung) {
  if (root === undefined) return;
  const now = Date.now();
  for (const pid of descendants(root)) {
    let cmd;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'mariadb-test') continue;
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const file = cmd.find((a) => a.startsWith('--test-file='));
    if (file === undefined) continue;
    const test = `main.${file.replace(/^.*\//, '').replace(/\.test$/, '')}`;
    const key = `${pid} ${test}`;
    const since = seen.get(key) ?? now;
    seen.set(key, since);
    if (now - since > limitMs(test)) {
      hung.set(test, now - since);
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  }
}

/** Pids of all descendants of `root`, from the ppid field of /proc/<pid>/stat. */
function descendants(root) {
  const kids = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try { stat = readFileSync(`/proc/${name}/stat`, 'utf8'); } catch { continue; }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = kids.get(ppid) ?? [];
    list.push(Number(name));
    kids.set(ppid, list);
  }
  const out = [];
  const todo = [root];
  while (todo.length > 0) {
    for (const k of kids.get(todo.pop()) ?? []) { out.push(k); todo.push(k); }
  }
  return out;
}
