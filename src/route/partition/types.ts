// Shapes shared by the partition module. PartitionInfo is built once per table entry by metadata.ts (from
// the §3.4 rows) and is immutable afterwards; computePartition reads it without allocating in the integer
// fast paths. Object types and collations are OceanBase's numeric ids (ObObjType, ObCollationType).

/** OceanBase ObObjType ids (common/object/ob_obj_type.h), the values of `part_key_type`. */
export const ObjType = {
  Null: 0,
  TinyInt: 1,
  SmallInt: 2,
  MediumInt: 3,
  Int32: 4,
  Int: 5,
  UTinyInt: 6,
  USmallInt: 7,
  UMediumInt: 8,
  UInt32: 9,
  UInt64: 10,
  Float: 11,
  Double: 12,
  UFloat: 13,
  UDouble: 14,
  Number: 15,
  UNumber: 16,
  DateTime: 17,
  Timestamp: 18,
  Date: 19,
  Time: 20,
  Year: 21,
  Varchar: 22,
  Char: 23,
  HexString: 24,
  TinyText: 27,
  Text: 28,
  MediumText: 29,
  LongText: 30,
  Bit: 31,
  Enum: 32,
  Set: 33,
  DecimalInt: 50,
  MySQLDate: 52,
  MySQLDateTime: 53,
} as const;

/** ObCollationType ids used by MySQL-mode tables. */
export const Collation = {
  Utf8GeneralCi: 33,
  Utf8mb4GeneralCi: 45,
  Utf8mb4Bin: 46,
  Binary: 63,
  Utf8Bin: 83,
} as const;

/** V4 part function type codes (spec §3.4). */
export const PartFuncCode = {
  HASH: 0,
  KEY: 1,
  KEY_IMPLICIT: 2,
  RANGE: 3,
  RANGE_COLUMNS: 4,
  LIST: 5,
  LIST_COLUMNS: 6,
  INTERVAL: 7,
} as const;

export type PartFuncType = keyof typeof PartFuncCode;

/** One partition key column as described by a __all_virtual_proxy_partition_info row. */
export interface PartKeyColumn {
  readonly name: string;
  /** 1 = first-level key, 2 = sub-partition key. */
  readonly level: 1 | 2;
  readonly idx: number;
  readonly objType: number;
  readonly collation: number;
  /** Declared length in characters (strings), -1 when unknown. */
  readonly length: number;
  readonly precision: number;
  /** Declared scale (decimal digits / fractional seconds); -1 when unspecified. */
  readonly scale: number;
  /** Generating expression for a generated-column key (`part_key_extra`), '' otherwise. */
  readonly extra: string;
}

/**
 * A value cast to a column type (or produced by a partition expression). Internal representations follow
 * OceanBase: temporal values are the stored int64/int32 (µs, days, packed MySQL forms), strings are the
 * column-charset bytes, decimals are an exact scaled integer.
 */
export type Val =
  | { readonly t: 'null' }
  | { readonly t: 'int'; readonly v: bigint }
  | { readonly t: 'uint'; readonly v: bigint }
  | { readonly t: 'double'; readonly v: number }
  | { readonly t: 'decimal'; readonly v: bigint; readonly scale: number }
  | { readonly t: 'str'; readonly b: Uint8Array; readonly coll: number }
  /** Temporal: `v` is OceanBase's stored integer for objType (µs, days, year offset or packed form). */
  | { readonly t: 'time'; readonly objType: number; readonly v: bigint }
  | { readonly t: 'max' }
  | { readonly t: 'min' };

/** One range high bound (RANGE: one value; RANGE COLUMNS: one per key; MAXVALUE as { t: 'max' }). */
export type RangeBound = readonly Val[];

export interface PartitionDef {
  /** part_id (first level) or sub_part_id (second level). */
  readonly id: number;
  readonly name: string;
  readonly tabletId: number;
  readonly lsId: number | null;
  /** RANGE: high bound (exclusive); null for hash-like and list partitions. */
  readonly high: RangeBound | null;
  /** LIST: member rows (one Val per key); null for non-list partitions. */
  readonly list: readonly RangeBound[] | null;
  readonly isDefault: boolean;
  /** Non-template two-level tables: this partition's own sub-partitions (ordered by position). */
  readonly subs: readonly PartitionDef[] | null;
}

export interface PartLevelDesc {
  readonly funcType: PartFuncType;
  /** part_expr / sub_part_expr as reported (back-quotes stripped). */
  readonly expr: string;
  /** Key columns of this level in part_expr order. */
  readonly keys: readonly PartKeyColumn[];
  readonly partNum: number;
}

export interface PartitionInfo {
  readonly tableId: number;
  readonly level: 1 | 2;
  readonly templateSub: boolean;
  readonly first: PartLevelDesc;
  readonly sub: PartLevelDesc | null;
  /** First-level partitions: hash-like ordered by part position, range ordered by bound. */
  readonly partitions: readonly PartitionDef[];
  /** Every key column of both levels, by lower-cased name (also generated-column bases via `extra`). */
  readonly columns: ReadonlyMap<string, PartKeyColumn>;
}

export type KeyValue = string | number | bigint | null | Buffer;

/** Values per key column name (case-insensitive); generated-column keys may instead be given their bases. */
export type KeyInput = Readonly<Record<string, KeyValue>>;

/** Successful results are shared per partition and frozen: read, never mutate. */
export type PartitionResult =
  | {
      readonly ok: true;
      /** V4: partition id == tablet id (spec §4.4). */
      readonly partitionId: number;
      readonly tabletId: number;
      readonly partIdx: number;
      readonly subPartIdx: number | null;
      readonly partName?: string;
    }
  | { readonly ok: false; readonly reason: string };

export interface CalcOptions {
  /** Session time zone offset in seconds east of UTC, for TIMESTAMP literals. Default +08:00 (OB's default). */
  readonly timeZoneOffsetSec?: number;
}
