// Builds dist/ with tsc when any source is newer than the last build (tsc is incremental, so this is cheap).
import { spawnSync } from 'node:child_process';
const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
if (r.status !== 0) {
  process.stderr.write('odp: build failed (see the TypeScript errors above)\n');
  process.exit(r.status ?? 1);
}
