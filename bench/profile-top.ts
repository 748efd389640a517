// Summarises a V8 .cpuprofile (from `node --cpu-prof`, e.g. the ladder's BENCH_PROXY_PROF=<dir>) as the functions
// with the most self time. Usage: node dist/bench/profile-top.js <file.cpuprofile> [count]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  /** Microseconds between consecutive samples. */
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  readonly name: string;
  readonly us: number;
  readonly share: number;
}

function label(n: ProfileNode): string {
  const f = n.callFrame;
  const file = f.url.replace(/^file:\/\/.*\/dist[^/]*\//, '');
  return `${f.functionName || '(anonymous)'}${file !== '' ? ` ${file}:${f.lineNumber + 1}` : ''}`;
}

/** Self time per function (samples attributed to the leaf node), largest first. */
export function selfTimes(p: Profile): SelfTime[] {
  const byId = new Map<number, string>();
  for (const n of p.nodes) byId.set(n.id, label(n));
  const acc = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    const name = byId.get(id) ?? '?';
    acc.set(name, (acc.get(name) ?? 0) + dt);
    total += dt;
  });
  return [...acc].map(([name, us]) => ({ name, us, share: total > 0 ? us / total : 0 })).sort((a, b) => b.us - a.us);
}

/** Where the busy (non-idle) time went: project code, Node internals, native calls (e.g. the write syscall), GC. */
export function categories(p: Profile): Record<string, number> {
  const kind = new Map<number, string>();
  for (const n of p.nodes) {
    const { functionName: f, url } = n.callFrame;
    kind.set(n.id, f === '(idle)' ? 'idle' : f === '(garbage collector)' ? 'gc' : f === '(program)' ? 'program'
      : url.startsWith('node:') ? 'node internals' : url === '' ? 'native' : url.includes('/node_modules/') ? 'dependencies' : 'project');
  }
  const acc: Record<string, number> = {};
  p.samples.forEach((id, i) => {
    const k = kind.get(id) ?? 'native';
    acc[k] = (acc[k] ?? 0) + (p.timeDeltas[i] ?? 0);
  });
  return acc;
}

const [file, count] = process.argv.slice(2);
if (file !== undefined && process.argv[1]?.endsWith('profile-top.js') === true) {
  let top: SelfTime[] = [];
  try {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const cats = categories(profile);
    const busy = Object.entries(cats).filter(([k]) => k !== 'idle').reduce((a, [, v]) => a + v, 0);
    process.stdout.write(`busy ${(busy / 1000).toFixed(0)} ms: ${Object.entries(cats).filter(([k]) => k !== 'idle')
      .sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${((v / busy) * 100).toFixed(1)}%`).join(', ')}\n`);
    top = selfTimes(profile).slice(0, Number(count ?? 25));
  } catch (e) {
    process.stderr.write(`profile-top: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
  for (const t of top) process.stdout.write(`${(t.share * 100).toFixed(1).padStart(5)}%  ${(t.us / 1000).toFixed(0).padStart(6)} ms  ${t.name}\n`);
}
