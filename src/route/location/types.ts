// Shapes of the location cache (spec §3.3, §3.4, §3.7). A TableEntry is immutable once built except for
// `state`, which the cache moves through its lifecycle; routers read entries without copying.

import type { PartitionInfo } from '../partition/index.js';

/**
 * What a metadata statement returns: structurally the `QueryResult` of src/backend/internal-query.ts (route
 * may not import backend, so the cache names only the fields it reads). Row cells are the text protocol's
 * bytes; the caller owns the buffers and the cache copies what it keeps (as strings).
 */
export type MetaResult =
  | { readonly kind: 'ok' }
  | {
      readonly kind: 'rows';
      readonly columns: readonly { readonly name: string }[];
      readonly rows: readonly (readonly (Buffer | null)[])[];
    }
  | { readonly kind: 'err'; readonly errno: number; readonly sqlState: string; readonly message: string };

/** Runs one statement on some server of the tenant as proxyro; the caller supplies it (own connections, timeout). */
export type MetaQuery = (sql: string) => Promise<MetaResult>;

/**
 * Lifecycle (spec §3.7): building (first fetch in flight, nothing usable) -> avail -> dirty (stale, still
 * usable; refetch wanted) -> updating (refetch in flight, still usable) -> avail (a NEW entry object; the
 * old one becomes deleted). deleted: replaced, evicted or the table is gone; never returned by get().
 */
export type EntryState = 'building' | 'avail' | 'dirty' | 'updating' | 'deleted';

export interface ReplicaLocation {
  /** 'ip:sql_port'. */
  readonly server: string;
  readonly role: 'leader' | 'follower';
  /** FULL, READONLY, LOGONLY, ... (spec §3.3 replica_type codes), or the raw code when unknown. */
  readonly replicaType: string;
  /** A replica of a replicated (duplicate) table (dup_replica_type != 0, spec §5.4). */
  readonly dup: boolean;
}

export interface TableEntry {
  readonly tenant: string;
  readonly db: string;
  readonly table: string;
  readonly tableId: number;
  /** table_type of __all_virtual_proxy_schema (3 = USER TABLE), null when absent. */
  readonly tableType: number | null;
  /** part_num > 1: the table's location depends on the partition. */
  readonly partitioned: boolean;
  /** part_num as reported: number of tablets (leaf partitions). */
  readonly partNum: number;
  /** Replicated table (spec §5.4): writes and strong reads still go to the leader. */
  readonly duplicate: boolean;
  /** Parsed §3.4 metadata; null when not partitioned or when it could not be read (see partInfoError). */
  readonly partInfo: PartitionInfo | null;
  /** Why a partitioned table has no partInfo ('partition information does not exist', a parse error). */
  readonly partInfoError: string | null;
  /** Tablet id -> replicas, leader first. Non-partitioned tables: their one tablet. */
  readonly tablets: ReadonlyMap<number, readonly ReplicaLocation[]>;
  state: EntryState;
  /** Date.now() (ms) when the fetch that built this entry started. */
  readonly fetchedAt: number;
  readonly schemaVersion: number | null;
}
