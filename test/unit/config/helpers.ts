// Shared by the config tests: where the repository and the project's reference files are, temp dirs.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root: tests run from <out>/test/unit/config/. */
export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * A reference file of the project (seed/ or spec/), looked up in the repository and in ../shared/ next to it.
 * Fails with the places tried, so a missing reference never passes a test silently.
 */
export function referenceFile(dir: 'seed' | 'spec', name: string): string {
  const tried = [join(ROOT, dir, name), join(ROOT, '..', 'shared', dir, name)];
  const envDir = process.env[`ODP_${dir.toUpperCase()}_DIR`];
  if (envDir !== undefined) tried.unshift(join(envDir, name));
  const found = tried.find((p) => existsSync(p));
  if (found === undefined) throw new Error(`reference file ${name} not found; tried ${tried.join(', ')}`);
  return found;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'odp-config-test-'));
}
