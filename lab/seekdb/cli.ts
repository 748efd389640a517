// `npm run lab -- seekdb <install|start|stop|status|gen-vectors>`; also runnable directly:
// `node dist/lab/seekdb/cli.js <command>`. Data lives in .lab/seekdb/ (ODP_LAB_DIR overrides .lab).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateVectors } from './gen-vectors.js';
import {
  runningPid, SEEKDB_DEFAULT_BASE_DIR, SEEKDB_DEFAULT_PORT, SEEKDB_LAB_DIR, seekdbAvailable, startSeekdb, stopSeekdb,
} from './seekdb.js';

const USAGE = 'usage: seekdb <install|start|stop|status|gen-vectors> [--port N] [--base-dir DIR] [--keep-running]\n' +
  '  gen-vectors wipes and uses its own instance (default .lab/seekdb-vectors, port 12882) unless --base-dir is given';

interface Args { cmd: string; port: number; portGiven: boolean; baseDir: string; baseDirGiven: boolean; keep: boolean }

function parse(argv: readonly string[]): Args {
  const a: Args = { cmd: '', port: SEEKDB_DEFAULT_PORT, portGiven: false, baseDir: SEEKDB_DEFAULT_BASE_DIR, baseDirGiven: false, keep: false };
  const rest = argv[0] === 'seekdb' ? argv.slice(1) : argv;
  for (let i = 0; i < rest.length; i++) {
    const v = rest[i] ?? '';
    if (v === '--port') {
      a.port = Number(rest[++i]);
      a.portGiven = true;
    } else if (v === '--base-dir') {
      a.baseDir = resolve(rest[++i] ?? '');
      a.baseDirGiven = true;
    } else if (v === '--keep-running') {
      a.keep = true;
    } else if (a.cmd === '') {
      a.cmd = v;
    } else {
      throw new Error(USAGE);
    }
  }
  if (!Number.isInteger(a.port) || a.port <= 0 || a.port > 65535) throw new Error(`seekdb: bad --port\n${USAGE}`);
  return a;
}

function install(): number {
  const r = spawnSync('bash', [join(SEEKDB_LAB_DIR, 'install.sh')], { stdio: 'inherit' });
  return r.status ?? 1;
}

/** The repository root: the directory holding lab/seekdb. */
function repoRoot(): string {
  return dirname(dirname(SEEKDB_LAB_DIR));
}

export async function main(argv: readonly string[]): Promise<number> {
  const a = parse(argv);
  switch (a.cmd) {
    case 'install':
      return install();
    case 'start': {
      const s = await startSeekdb({ baseDir: a.baseDir, port: a.port });
      console.log(JSON.stringify({ host: s.host, port: s.port, user: s.user, password: s.password, pid: s.pid, started: s.started, startupMs: s.startupMs, baseDir: a.baseDir }));
      return 0;
    }
    case 'stop':
      console.log((await stopSeekdb(a.baseDir)) ? 'seekdb stopped' : 'seekdb was not running');
      return 0;
    case 'status': {
      const av = seekdbAvailable();
      const pid = runningPid(a.baseDir);
      console.log(JSON.stringify({ available: av.ok, reason: av.reason, running: pid !== undefined, pid: pid ?? null, baseDir: a.baseDir }));
      return 0;
    }
    case 'gen-vectors': {
      const av = seekdbAvailable();
      if (!av.ok) {
        console.error(av.reason);
        return 1;
      }
      // A fresh instance every time: table and tablet ids come from per-instance counters, so only a
      // fresh data directory regenerates identical vectors.
      const baseDir = a.baseDirGiven ? a.baseDir : `${SEEKDB_DEFAULT_BASE_DIR}-vectors`;
      await stopSeekdb(baseDir);
      rmSync(baseDir, { recursive: true, force: true });
      const s = await startSeekdb({ baseDir, port: a.portGiven ? a.port : SEEKDB_DEFAULT_PORT + 1 });
      console.log(`seekdb started in ${s.startupMs} ms (pid ${s.pid}, ${baseDir})`);
      try {
        const r = await generateVectors(s, repoRoot(), (line) => console.log(line));
        console.log(`${r.tables} tables, ${r.cases} cases, ${r.rejected} rejected, ${r.failedDdl.length} tables unsupported`);
      } finally {
        if (!a.keep) await s.stop();
      }
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  });
}
