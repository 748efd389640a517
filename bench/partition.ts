// Partition-calculation micro benchmark (issue 4: >= 5,000,000 keys/s for integer HASH and KEY on one
// core). Builds PartitionInfo from §3.4-shaped rows, then computes partitions for ~1 s per function.
// Run directly: node dist/bench/partition.js
import { computePartition, parsePartitionInfo, type PartitionInfo } from '../src/route/partition/index.js';

function table(partType: number, parts: number): PartitionInfo {
  const partitionInfo = [
    {
      table_id: '1',
      part_level: '1',
      part_type: String(partType),
      part_expr: 'id',
      part_num: String(parts),
      part_key_level: '1',
      part_key_idx: '0',
      part_key_type: '5',
      part_key_name: 'id',
      part_key_collation_type: '63',
    },
  ];
  const partitions = Array.from({ length: parts }, (_, i) => ({
    tablet_id: String(200001 + i),
    part_id: String(i),
    part_name: `p${i}`,
    part_position: String(i),
  }));
  const r = parsePartitionInfo({ partitionInfo, partitions });
  if (!r.ok) throw new Error(r.reason);
  return r.info;
}

function rate(info: PartitionInfo, ms: number): number {
  const keys = { id: 0 };
  let n = 0;
  let sink = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 10000; i++) {
      keys.id = (n + i) * 2654435761 % 1e12;
      const r = computePartition(info, keys);
      if (r.ok) sink += r.partIdx;
    }
    n += 10000;
  }
  if (sink < 0) console.log(sink);
  return Math.round(n / (ms / 1000));
}

export function benchPartition(): { keysPerSec: number; hashPerSec: number; keyPerSec: number } {
  const hash = table(0, 16);
  const key = table(1, 16);
  rate(hash, 100); // warm-up
  rate(key, 100);
  const hashPerSec = rate(hash, 1000);
  const keyPerSec = rate(key, 1000);
  console.log(`partition_calc: hash=${hashPerSec}/s key=${keyPerSec}/s`);
  return { keysPerSec: Math.min(hashPerSec, keyPerSec), hashPerSec, keyPerSec };
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) benchPartition();
