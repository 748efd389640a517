// SHOW PROXYMEMORY (spec §8): memory by module. For a Node process the modules are the process totals
// (process.memoryUsage) and V8's heap spaces (v8.getHeapSpaceStatistics); hold is what is reserved, used what is
// in use, in bytes. count and avg_used are NULL: V8 does not report allocation counts.
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import type { AdminContext, AdminResult } from '../context.js';
import type { Cursor } from '../cursor.js';
import { str } from '../common.js';
import type { AdminCommand } from '../registry.js';
import { rows } from '../results.js';
import type { Row } from '../results.js';

export const MEMORY_COLUMNS = ['mod_name', 'mod_type', 'hold', 'used', 'count', 'avg_used'] as const;

function mod(name: string, type: string, hold: number, used: number): Row {
  return [name, type, str(hold), str(used), null, null];
}

export function memoryRows(): Row[] {
  const m = process.memoryUsage();
  const heap = getHeapStatistics();
  const out: Row[] = [
    mod('rss', 'process', m.rss, m.rss),
    mod('heap', 'v8', m.heapTotal, m.heapUsed),
    mod('external', 'v8', m.external, m.external),
    mod('array_buffers', 'v8', m.arrayBuffers, m.arrayBuffers),
    mod('malloced', 'v8', heap.peak_malloced_memory, heap.malloced_memory),
  ];
  for (const s of getHeapSpaceStatistics()) out.push(mod(s.space_name, 'v8_heap_space', s.space_size, s.space_used_size));
  return out;
}

export const showProxyMemory: AdminCommand<null> = {
  keywords: ['SHOW', 'PROXYMEMORY'],
  syntax: 'SHOW PROXYMEMORY',
  privilege: 'admin',
  parse(c: Cursor): null {
    c.end();
    return null;
  },
  run(_args: null, _ctx: AdminContext): AdminResult {
    return rows(MEMORY_COLUMNS, memoryRows());
  },
};
