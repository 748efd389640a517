// Kernel vectors: test/fixtures/partition/vectors/*.json, written from a real OceanBase kernel (seekdb) by
// the lab's generator. Each file carries the table's raw §3.4 metadata rows and, per inserted row, where
// the kernel stored it. We rebuild PartitionInfo with our parsers and require 100% agreement on partIdx,
// subPartIdx and tabletId. With no vector files the suite is skipped LOUDLY (never a silent pass).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { computePartition, parsePartitionInfo, type KeyValue, type Row } from '../../../src/route/partition/index.js';

interface VectorCase {
  values: Record<string, string | null>;
  partName?: string | null;
  subPartName?: string | null;
  partIdx: number;
  subPartIdx: number | null;
  tabletId: number;
}

interface VectorFile {
  table: string;
  keyColumns?: { name: string; type: string }[];
  ddl?: string;
  partType?: string;
  timeZoneOffsetSec?: number;
  source?: { session?: { time_zone?: string } };
  metadata: { schema?: Row[]; partitionInfo: Row[]; partitions: Row[]; subPartitions?: Row[] };
  cases: VectorCase[];
}

function findDir(): string {
  // Compiled tests run from dist-*/test/unit/partition; the fixtures stay in the source tree.
  for (const base of [process.cwd(), resolve(import.meta.dirname, '../../../..'), resolve(import.meta.dirname, '../../..')]) {
    const d = join(base, 'test/fixtures/partition/vectors');
    if (existsSync(d)) return d;
  }
  return join(process.cwd(), 'test/fixtures/partition/vectors');
}

/** '+08:00' / '-05:30' / 'SYSTEM' -> seconds east of UTC (undefined: use the module default). */
function tzOffset(file: VectorFile): number | undefined {
  if (file.timeZoneOffsetSec !== undefined) return file.timeZoneOffsetSec;
  const m = /^([+-])(\d{1,2}):(\d{2})$/.exec(file.source?.session?.time_zone ?? '');
  if (m === null) return undefined;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
}

/**
 * The generator inserted numeric key values (int, decimal, float, double, year) as unquoted literals; the
 * route extractor hands such tokens over as numbers, so integers become bigint here (strings stay strings).
 */
function inputs(file: VectorFile, values: Record<string, string | null>): Record<string, KeyValue> {
  const numeric = new Set((file.keyColumns ?? []).filter((k) => /int|decimal|float|double|year/i.test(k.type)).map((k) => k.name));
  const out: Record<string, KeyValue> = {};
  for (const [k, v] of Object.entries(values)) out[k] = v !== null && numeric.has(k) && /^[+-]?\d+$/.test(v) ? BigInt(v) : v;
  return out;
}

const dir = findDir();
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];

describe('partition vectors from a real OceanBase kernel', () => {
  if (files.length === 0) {
    test('kernel vectors', (t) => {
      const msg = `SKIPPED: no kernel vectors in ${dir} — partition calculation is NOT verified against OceanBase`;
      console.warn(`\n*** ${msg} ***\n`);
      t.skip(msg);
    });
    return;
  }

  let total = 0;
  for (const f of files) {
    const file = JSON.parse(readFileSync(join(dir, f), 'utf8')) as VectorFile;
    test(`${file.table} (${f}, ${file.cases.length} cases)`, () => {
      const tz = tzOffset(file);
      const opts = tz === undefined ? undefined : { timeZoneOffsetSec: tz };
      const parsed = parsePartitionInfo(file.metadata, opts);
      if (!parsed.ok) assert.fail(`${file.table}: metadata does not parse: ${parsed.reason}`);
      const mismatches: string[] = [];
      for (const c of file.cases) {
        const r = computePartition(parsed.info, inputs(file, c.values), opts);
        const got = r.ok ? `part ${r.partIdx} sub ${r.subPartIdx} tablet ${r.tabletId}` : `no route (${r.reason})`;
        const want = `part ${c.partIdx} sub ${c.subPartIdx} tablet ${c.tabletId}`;
        // The same row with integers as JS numbers takes the allocation-free fast path: it must agree too.
        const asNumbers = Object.fromEntries(
          Object.entries(inputs(file, c.values)).map(([k, v]) => [k, typeof v === 'bigint' && Number.isSafeInteger(Number(v)) ? Number(v) : v]),
        );
        const fast = computePartition(parsed.info, asNumbers, opts);
        if (JSON.stringify(fast) !== JSON.stringify(r)) mismatches.push(`${JSON.stringify(c.values)}: number input gave ${JSON.stringify(fast)}`);
        if (got !== want) mismatches.push(`${JSON.stringify(c.values)}: want ${want} (${c.partName ?? ''}${c.subPartName ? '/' + c.subPartName : ''}), got ${got}`);
      }
      total += file.cases.length;
      assert.equal(
        mismatches.length,
        0,
        `${file.table}: ${mismatches.length}/${file.cases.length} mismatches; first ones:\n  ${mismatches.slice(0, 8).join('\n  ')}`,
      );
    });
  }
  test('vector count', () => {
    assert.ok(total > 0, 'vector files contain cases');
  });
});
