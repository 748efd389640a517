// `npm test`: system packages (if missing) -> lint + import boundaries -> typecheck/build -> one node:test run over
// unit and integration tests, with the lab's MariaDB servers started (and stopped) for the integration tests.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const unitOnly = process.argv.includes('--unit-only');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    process.stderr.write(`odp test: '${[cmd, ...args].join(' ')}' failed (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status ?? 1);
  }
}

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testFiles(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

if (!unitOnly) run('bash', ['scripts/ensure-system.sh']);
run('npm', ['run', '--silent', 'lint']);
run(process.execPath, ['scripts/build-if-needed.mjs']);

let files = testFiles('dist/test/unit');
if (!unitOnly) files.push(...testFiles('dist/test/integration'));
if (filters.length > 0) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  process.stderr.write('odp test: no test files found\n');
  process.exit(1);
}

let lab = null;
const env = { ...process.env };
if (!unitOnly) {
  const { startTestBackends } = await import('../dist/test/integration/backends.js');
  lab = await startTestBackends();
  Object.assign(env, lab.env);
}
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=1', ...files], { stdio: 'inherit', env });
if (lab) await lab.stop();
process.exit(r.status ?? 1);
