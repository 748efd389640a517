// Independent oracles for the partition tests: a BigInt MurmurHash64A written straight from the algorithm
// description (no 32-bit tricks), and little-endian helpers. Shares no code with src/route/partition.

const M = 0xc6a4a7935bd1e995n;
const MASK = (1n << 64n) - 1n;

export function refMurmur64A(bytes: Uint8Array, seed: bigint): bigint {
  let h = (BigInt.asUintN(64, seed) ^ ((BigInt(bytes.length) * M) & MASK)) & MASK;
  const blocks = Math.floor(bytes.length / 8);
  for (let b = 0; b < blocks; b++) {
    let k = 0n;
    for (let j = 0; j < 8; j++) k |= BigInt(bytes[b * 8 + j]!) << BigInt(8 * j);
    k = (k * M) & MASK;
    k ^= k >> 47n;
    k = (k * M) & MASK;
    h ^= k;
    h = (h * M) & MASK;
  }
  const rest = bytes.length % 8;
  if (rest > 0) {
    for (let j = 0; j < rest; j++) h ^= BigInt(bytes[blocks * 8 + j]!) << BigInt(8 * j);
    h = (h * M) & MASK;
  }
  h ^= h >> 47n;
  h = (h * M) & MASK;
  h ^= h >> 47n;
  return h;
}

export function le64(v: bigint): Uint8Array {
  const u = BigInt.asUintN(64, v);
  const out = new Uint8Array(8);
  for (let j = 0; j < 8; j++) out[j] = Number((u >> BigInt(8 * j)) & 0xffn);
  return out;
}

export function le32(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** KEY partitioning by the documented rule: chain, |int64| as unsigned, mod n. */
export function refKeyIndex(chunks: readonly Uint8Array[][], n: number): number {
  let h = 0n;
  for (const pieces of chunks) for (const p of pieces) h = refMurmur64A(p, h);
  let s = BigInt.asIntN(64, h);
  if (s < 0n) s = -s; // INT64_MIN stays 2^63 here because we do not wrap
  return Number(s % BigInt(n));
}

/** Builds __all_virtual_proxy_partition_info rows like the server returns them (text values). */
export function infoRows(opts: {
  partType: number;
  partExpr: string;
  partNum: number;
  subType?: number;
  subExpr?: string;
  subNum?: number;
  template?: boolean;
  keys: { name: string; level?: 1 | 2; type: number; coll?: number; length?: number; precision?: number; scale?: number; extra?: string }[];
}): Record<string, string | null>[] {
  const levelKeys = { 1: 0, 2: 0 };
  return opts.keys.map((k) => {
    const level = k.level ?? 1;
    const idx = levelKeys[level]++;
    return {
      table_id: '500001',
      part_level: opts.subType === undefined ? '1' : '2',
      template_num: opts.template === false ? '0' : '1',
      part_key_num: String(opts.keys.length),
      part_expr: opts.partExpr,
      sub_part_expr: opts.subExpr ?? '',
      part_num: String(opts.partNum),
      part_type: String(opts.partType),
      part_space: '0',
      sub_part_num: String(opts.subNum ?? 0),
      sub_part_type: String(opts.subType ?? 0),
      sub_part_space: '0',
      part_key_level: String(level),
      part_key_idx: String(idx),
      part_key_type: String(k.type),
      part_key_name: k.name,
      part_key_extra: k.extra ?? '',
      part_key_collation_type: String(k.coll ?? 63),
      part_key_length: String(k.length ?? -1),
      part_key_precision: String(k.precision ?? -1),
      part_key_scale: String(k.scale ?? -1),
    };
  });
}

export function partRows(parts: { name: string; bound?: string; subNum?: number }[], firstTablet = 200001): Record<string, string | null>[] {
  return parts.map((p, i) => ({
    tablet_id: String(firstTablet + i),
    ls_id: '1001',
    part_id: String(i),
    part_name: p.name,
    high_bound_val: p.bound ?? '',
    high_bound_val_bin: '',
    sub_part_num: String(p.subNum ?? 0),
    part_position: String(i),
  }));
}
