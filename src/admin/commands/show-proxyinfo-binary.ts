// SHOW PROXYINFO BINARY (spec §8): one row, name 'binary info', info in ODP's line layout:
// '<app>-<package>-<release>', 'version:' (the OS release, as ODP prints its kernel release), 'MD5:' (of the
// entry script this process runs), 'REVISION:', 'BUILD_TIME:' (that script's modification time), 'BUILD_FLAGS:'.
// REVISION is empty: odp's build does not stamp a source revision yet.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { release, type } from 'node:os';
import type { AdminContext, AdminResult } from '../context.js';
import type { Cursor } from '../cursor.js';
import { formatTime } from '../common.js';
import type { AdminCommand } from '../registry.js';
import { rows } from '../results.js';

export const INFO_COLUMNS = ['name', 'info'] as const;

/** MD5 and mtime of the entry script; computed once per process (reads a file on the admin path only). */
let entryFacts: { md5: string; mtime: string } | undefined;

function entry(): { md5: string; mtime: string } {
  if (entryFacts !== undefined) return entryFacts;
  const path = process.argv[1];
  try {
    if (path === undefined) throw new Error('no entry script');
    entryFacts = { md5: createHash('md5').update(readFileSync(path)).digest('hex'), mtime: formatTime(statSync(path).mtimeMs) ?? '' };
  } catch {
    entryFacts = { md5: '', mtime: '' };
  }
  return entryFacts;
}

export function binaryInfo(version: string): string {
  const e = entry();
  return [
    `odp-odp ${version}-node${process.versions.node}`,
    `version:${type()} ${release()}`,
    `MD5:${e.md5}`,
    'REVISION:',
    `BUILD_TIME:${e.mtime}`,
    `BUILD_FLAGS:${process.execArgv.join(' ')}`,
  ].join('\n');
}

export const showProxyInfoBinary: AdminCommand<null> = {
  keywords: ['SHOW', 'PROXYINFO', 'BINARY'],
  syntax: 'SHOW PROXYINFO BINARY',
  privilege: 'admin',
  parse(c: Cursor): null {
    c.end();
    return null;
  },
  run(_args: null, ctx: AdminContext): AdminResult {
    return rows(INFO_COLUMNS, [['binary info', binaryInfo(ctx.version)]]);
  },
};
