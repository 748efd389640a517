#!/usr/bin/env node
// `npm run conformance`: MariaDB's own regression tests (mariadb-test-run --extern, Debian's mariadb-test
// package) run once straight against a lab MariaDB and once through the proxy, in normal and in
// --ps-protocol mode; a test that passes direct but not through the proxy, and is not listed in
// expected-differences.txt, fails the run. See docs/CONFORMANCE.md.
//
//   node test/conformance/run.mjs [--quick] [--modes=normal,ps] [--tests=a,b] [--direct-only]
//                                 [--port=23308] [--parallel=1] [--keep] [--verbose]
// Needs dist/ (npm run build). Exit: 0 same results, 1 unexpected differences or proxy crash, 2 setup error.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMtr, writeMysqltestWrapper } from './mtr.mjs';
import { findMtrDir, freshServer, prepareVardir, startProxy } from './server.mjs';
import { compare, formatReport } from './report.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

function parseArgs(argv) {
  const opts = { quick: false, modes: ['normal', 'ps'], tests: null, directOnly: false, port: 23308, parallel: 1, keep: false, verbose: false, multi: null };
  for (const a of argv) {
    const [k, v] = a.split('=', 2);
    if (k === '--quick') opts.quick = true;
    else if (k === '--modes' && v) opts.modes = v.split(',').filter((m) => m === 'normal' || m === 'ps');
    else if (k === '--tests' && v) opts.tests = v.split(',').map((t) => (t.includes('.') ? t : `main.${t}`));
    else if (k === '--direct-only') opts.directOnly = true;
    else if (k === '--port' && v) opts.port = Number(v);
    else if (k === '--parallel' && v) opts.parallel = Number(v);
    else if (k === '--keep') opts.keep = true;
    else if (k === '--verbose') opts.verbose = true;
    else if (k === '--multi' && (v === 'mysql' || v === 'random')) opts.multi = v;
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

/** tests.txt: one test a line (`main.<name>`), `# comment` lines, a trailing `quick` marks the CI subset. */
function readTestList(quick) {
  const out = [];
  for (const raw of readFileSync(join(HERE, 'tests.txt'), 'utf8').split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [name, tag] = line.split(/\s+/);
    if (!quick || tag === 'quick') out.push(name);
  }
  return out;
}

/** expected-differences.txt: `<test> <normal|ps|all> <reason>` per line; returns Map<"test mode", reason>. */
function readExpected() {
  const map = new Map();
  for (const raw of readFileSync(join(HERE, 'expected-differences.txt'), 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+)\s+(normal|ps|all)\s+(.+)$/.exec(line);
    if (!m) throw new Error(`expected-differences.txt: bad line: ${line}`);
    const modes = m[2] === 'all' ? ['normal', 'ps'] : [m[2]];
    for (const mode of modes) map.set(`${m[1]} ${mode}`, m[3]);
  }
  return map;
}

async function choosePort(wanted) {
  const { freePort, portOpen } = await import('../../dist/lab/proc.js');
  return (await portOpen('127.0.0.1', wanted)) ? freePort() : wanted;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  for (const f of ['dist/src/cli.js', 'dist/lab/mariadb.js']) {
    if (!existsSync(join(REPO, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
  }
  const mtrDir = findMtrDir();
  const tests = opts.tests ?? readTestList(opts.quick);
  const expected = readExpected();
  const workDir = mkdtempSync(join(tmpdir(), 'odp-conformance-'));
  // Read by dist/lab/mariadb.js when it loads (first import is in freshServer): the server's files then
  // live in <workDir>/mariadb/conformance, inside the mtr vardir <workDir>/mariadb.
  process.env['ODP_LAB_DIR'] = workDir;
  const vardir = join(workDir, 'mariadb');
  prepareVardir(vardir, mtrDir);
  const wrapper = writeMysqltestWrapper(workDir, join(HERE, 'reset.inc'));
  const serverPort = await choosePort(opts.port);
  const targets = opts.directOnly ? ['direct'] : ['direct', 'proxy'];
  console.log(`conformance: ${tests.length} tests, modes ${opts.modes.join('+')}, ${targets.join('+')}; work dir ${workDir}`);

  const started = Date.now();
  const passes = [];
  let server = null;
  let proxy = null;
  const stopAll = async () => {
    if (proxy) await proxy.stop();
    proxy = null;
    if (server) await server.stop();
  };
  const onSignal = () => { void stopAll().finally(() => process.exit(130)); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (const mode of opts.modes) {
      for (const target of targets) {
        const t0 = Date.now();
        const tag = `${mode}-${target}`;
        server = await freshServer({ name: 'conformance', port: serverPort, vardir, mtrDir, setupSql: join(HERE, 'setup.sql'), multi: opts.multi !== null });
        proxy = target === 'proxy'
          ? await startProxy({ repoRoot: REPO, backendPort: serverPort, stateFile: join(workDir, 'proxy-state.yaml'), logFile: join(workDir, `proxy-${mode}.log`), multi: opts.multi })
          : null;
        const run = await runMtr({
          mtrDir, port: proxy ? proxy.port : serverPort, vardir, workDir, tag, tests,
          ps: mode === 'ps', wrapper, parallel: opts.parallel, verbose: opts.verbose,
          limitMs: target === 'proxy' ? hangLimit(passes.find((p) => p.mode === mode && p.target === 'direct')) : undefined,
        });
        const proxyDied = proxy ? proxy.died() : null;
        if (proxy) await proxy.stop();
        proxy = null;
        passes.push({ mode, target, ...run, proxyDied, wallMs: Date.now() - t0 });
        console.log(`  pass ${mode}/${target}: ${countPassed(run.results)}/${tests.length} passed in ${((Date.now() - t0) / 1000).toFixed(1)} s${proxyDied ? ` (PROXY DIED: ${proxyDied})` : ''}`);
      }
    }
  } finally {
    await stopAll();
  }

  const verdict = compare({ tests, modes: opts.modes, passes, expected, directOnly: opts.directOnly });
  const report = formatReport({ verdict, passes, tests, modes: opts.modes, elapsedMs: Date.now() - started, workDir });
  console.log(report);
  writeFileSync(join(workDir, 'report.txt'), report);
  const failed = verdict.unexpected.length > 0 || passes.some((p) => p.proxyDied);
  if (!failed && !opts.keep) rmSync(workDir, { recursive: true, force: true });
  else console.log(`work dir kept: ${workDir} (per pass <mode>-<target>/: mtr.log, reject/, log/; proxy-<mode>.log)`);
  return failed ? 1 : 0;
}

/**
 * How long a test may run through the proxy before the runner calls it hung: twice its direct time plus
 * 15 s, at least 20 s; 60 s when it has no direct time. (The proxy adds a few percent; the slack is for
 * a shared machine whose load changes between passes.)
 */
function hangLimit(directPass) {
  return (test) => {
    const ms = directPass?.results.get(test)?.ms;
    return typeof ms === 'number' ? Math.max(20_000, 2 * ms + 15_000) : 60_000;
  };
}

function countPassed(results) {
  let n = 0;
  for (const r of results.values()) if (r.status === 'pass') n++;
  return n;
}

main().then((code) => process.exit(code), (err) => {
  console.error(`conformance: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
});
