// Binary bounds (`high_bound_val_bin` / `list_val_bin`): hand-built bytes in the layout seen in kernel rows,
// and, when kernel vectors are present, every vector table re-parsed from its binary bounds only must place
// every row exactly as the kernel did.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeBoundBin } from '../../../src/route/partition/bound-bin.js';
import { computePartition, parsePartitionInfo, type KeyValue, type Row } from '../../../src/route/partition/index.js';

describe('binary bound decoding', () => {
  test('range rowkey: count, meta, varint / vstr values, MAXVALUE', () => {
    // 1 cell: BIGINT UNSIGNED (type 10) 2^63 as a 10-byte varint
    assert.deepEqual(decodeBoundBin('010A053F0080808080808080808001', false), [{ k: 'lit', v: 2n ** 63n }]);
    // 1 cell: VARCHAR utf8mb4_general_ci 'zz' + NUL
    assert.deepEqual(decodeBoundBin('0116042DFF027A7A00', false), [{ k: 'lit', v: 'zz' }]);
    // 1 cell: extend MAX
    assert.deepEqual(decodeBoundBin('0119070000FEFFFFFFFFFFFFFFFF01', false), [{ k: 'max' }]);
    // decimal-int(scale 4) -1.5000 in 16 LE bytes
    assert.deepEqual(decodeBoundBin('0127053F04100468C5FFFFFFFFFFFFFFFFFFFFFFFFFFFF', false), [{ k: 'lit', v: { kind: 'decimal', v: -15000n, scale: 4 } }]);
  });

  test('list rows: row count, cells, projector size; DEFAULT is a MAX row', () => {
    assert.deepEqual(decodeBoundBin('020100063FFF000105053F000000', true), [
      { k: 'row', items: [{ k: 'lit', v: null }] },
      { k: 'row', items: [{ k: 'lit', v: 0n }] },
    ]);
    assert.deepEqual(decodeBoundBin('010119070000FEFFFFFFFFFFFFFFFF0100', true), [{ k: 'default' }]);
  });

  test('garbage is an error string, not an exception', () => {
    assert.equal(typeof decodeBoundBin('01', false), 'string');
    assert.equal(typeof decodeBoundBin('01FF053F00', false), 'string');
    assert.equal(typeof decodeBoundBin('0105053F0001FF', false), 'string', 'trailing bytes');
  });
});

interface VFile {
  table: string;
  keyColumns?: { name: string; type: string }[];
  metadata: { partitionInfo: Row[]; partitions: Row[]; subPartitions?: Row[] };
  cases: { values: Record<string, string | null>; partIdx: number; subPartIdx: number | null; tabletId: number }[];
}

function vectorDir(): string | null {
  for (const base of [process.cwd(), resolve(import.meta.dirname, '../../../..')]) {
    const d = join(base, 'test/fixtures/partition/vectors');
    if (existsSync(d)) return d;
  }
  return null;
}

function binaryOnly(rows: readonly Row[] | undefined): Row[] {
  return (rows ?? []).map((r) => ({ ...r, high_bound_val: null, list_val: null }));
}

describe('binary bounds reproduce the kernel placement', () => {
  const dir = vectorDir();
  const files = dir === null ? [] : readdirSync(dir).filter((f) => f.endsWith('.json'));
  const withBin = files
    .map((f) => JSON.parse(readFileSync(join(dir!, f), 'utf8')) as VFile)
    .filter((v) => [...v.metadata.partitions, ...(v.metadata.subPartitions ?? [])].some((r) => (r['high_bound_val_bin'] ?? r['list_val_bin'] ?? '') !== ''));
  if (withBin.length === 0) {
    test('kernel vectors with binary bounds', (t) => {
      t.skip('SKIPPED: no kernel vectors with binary bounds');
    });
    return;
  }
  test(`${withBin.length} tables re-parsed from binary bounds only`, () => {
    const failures: string[] = [];
    for (const v of withBin) {
      const parsed = parsePartitionInfo({
        partitionInfo: v.metadata.partitionInfo,
        partitions: binaryOnly(v.metadata.partitions),
        subPartitions: binaryOnly(v.metadata.subPartitions),
      });
      if (!parsed.ok) {
        failures.push(`${v.table}: ${parsed.reason}`);
        continue;
      }
      const numeric = new Set((v.keyColumns ?? []).filter((k) => /int|decimal|float|double|year/i.test(k.type)).map((k) => k.name));
      for (const c of v.cases) {
        const input: Record<string, KeyValue> = {};
        for (const [k, x] of Object.entries(c.values)) input[k] = x !== null && numeric.has(k) && /^[+-]?\d+$/.test(x) ? BigInt(x) : x;
        const r = computePartition(parsed.info, input, { timeZoneOffsetSec: 0 });
        if (!r.ok || r.partIdx !== c.partIdx || r.subPartIdx !== c.subPartIdx || r.tabletId !== c.tabletId) {
          failures.push(`${v.table} ${JSON.stringify(c.values)}: ${r.ok ? `part ${r.partIdx}/${r.subPartIdx}` : r.reason}`);
          break;
        }
      }
    }
    assert.deepEqual(failures, []);
  });
});
