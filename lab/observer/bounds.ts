// Partition bounds as __all_virtual_proxy_partition reports them: `high_bound_val` text and
// `high_bound_val_bin`, OceanBase's serialization of the high-bound ObRowkey (range) or of the list's
// ObNewRow values (spec §3.4). The view hands the serialized bytes over as a varchar, unhexed (the base
// tables __all_part / __all_sub_part store the same bytes as hex text).
// Layout (read off kernel rows, the same facts src/route/partition/bound-bin.ts decodes; the unit tests
// compare against the seekdb kernel's bytes in test/fixtures/partition/vectors):
//   rowkey = varint(cell count) cell*;  list = varint(row count) (varint(cell count) cell* varint(0))*
//   cell   = type(1) cs_level(1) cs_type(1) scale(1) value
//   int    = type 5 (ObIntType) / 10 (ObUInt64Type, unsigned columns), cs_level 5, binary, scale 0, value
//            varint (7 bits per byte, LSB first, two's complement, no zig-zag)
//   string = type 22 varchar / 23 char, cs_level 4, the column collation, scale -1, varint length, bytes, NUL
//   NULL   = type 0, cs_level 6, binary, scale -1;  MAXVALUE = type 25 (ObExtendType), cs_level 7, cs 0,
//            scale 0, varint(-2);  a list's DEFAULT = one row holding a MAXVALUE cell.

import { ObjType } from '../../src/route/partition/index.js';
import type { BoundCell, ColumnDef } from './topology.js';

const INT64_MAX = (1n << 63n) - 1n;
const EXT_MAX = -2n;

function varint(out: number[], v: bigint): void {
  let u = BigInt.asUintN(64, v);
  do {
    let b = Number(u & 0x7fn);
    u >>= 7n;
    if (u !== 0n) b |= 0x80;
    out.push(b);
  } while (u !== 0n);
}

const UNSIGNED: ReadonlySet<number> = new Set<number>([ObjType.UTinyInt, ObjType.USmallInt, ObjType.UMediumInt, ObjType.UInt32, ObjType.UInt64]);

function cell(out: number[], c: BoundCell, col: ColumnDef): void {
  switch (c.kind) {
    case 'null':
      out.push(ObjType.Null, 6, 63, 0xff);
      return;
    case 'max':
      out.push(25, 7, 0, 0);
      varint(out, EXT_MAX);
      return;
    case 'int': {
      const unsigned = UNSIGNED.has(col.obType) || c.v > INT64_MAX;
      // The kernel marks unsigned values that fit int64 with scale -1 (they were parsed as signed literals).
      out.push(unsigned ? ObjType.UInt64 : ObjType.Int, 5, 63, unsigned && c.v <= INT64_MAX ? 0xff : 0);
      varint(out, c.v);
      return;
    }
    case 'str': {
      const bytes = Buffer.from(c.v, 'utf8');
      out.push(col.obType === ObjType.Char ? ObjType.Char : ObjType.Varchar, 4, col.collation, 0xff);
      varint(out, BigInt(bytes.length));
      for (const b of bytes) out.push(b);
      out.push(0);
      return;
    }
  }
}

/** Serialized range high bound (RANGE: one cell, RANGE COLUMNS: one per key column). */
export function encodeRangeBound(high: readonly BoundCell[], cols: readonly ColumnDef[]): Buffer {
  const out: number[] = [];
  varint(out, BigInt(high.length));
  high.forEach((c, i) => cell(out, c, cols[i] ?? cols[0]!));
  return Buffer.from(out);
}

/** Serialized list values ('DEFAULT' is one row holding MAXVALUE). */
export function encodeListBound(list: readonly (readonly BoundCell[])[] | 'DEFAULT', cols: readonly ColumnDef[]): Buffer {
  const rows: readonly (readonly BoundCell[])[] = list === 'DEFAULT' ? [[{ kind: 'max' }]] : list;
  const out: number[] = [];
  varint(out, BigInt(rows.length));
  for (const row of rows) {
    varint(out, BigInt(row.length));
    row.forEach((c, i) => cell(out, c, cols[i] ?? cols[0]!));
    varint(out, 0n);
  }
  return Buffer.from(out);
}

function cellText(c: BoundCell): string {
  switch (c.kind) {
    case 'null':
      return 'NULL';
    case 'max':
      return 'MAXVALUE';
    case 'int':
      return c.v.toString();
    case 'str':
      return `'${c.v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  }
}

/** `high_bound_val` of a range partition: '100', 'MAXVALUE', "'m'", "100,'x'". */
export function rangeBoundText(high: readonly BoundCell[]): string {
  return high.map(cellText).join(',');
}

/** `high_bound_val` of a list partition: '1,2,3', "('x',1),('y',2)" (multi-column rows), 'DEFAULT'. */
export function listBoundText(list: readonly (readonly BoundCell[])[] | 'DEFAULT'): string {
  if (list === 'DEFAULT') return 'DEFAULT';
  return list.map((row) => (row.length === 1 ? cellText(row[0]!) : `(${row.map(cellText).join(',')})`)).join(',');
}

/** Shorthands for topology files. */
export const B = {
  int: (v: number | bigint): BoundCell => ({ kind: 'int', v: BigInt(v) }),
  str: (v: string): BoundCell => ({ kind: 'str', v }),
  null: { kind: 'null' } as BoundCell,
  max: { kind: 'max' } as BoundCell,
};
