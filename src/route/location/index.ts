// Location cache of OceanBase table entries (spec §3.3, §3.4, §3.7) and the partition key values of a
// statement (§4.2). The cache fetches through a caller-supplied MetaQuery; everything else here is pure.
export { LocationCache, type LocationCacheOptions } from './cache.js';
export { fetchTableEntry, leafTablets, LOCATION_BATCH, type FetchOptions } from './fetch.js';
export { MetaError, parseSchemaRows, resultRows, addReplicas, type SchemaInfo } from './entry.js';
export { extractKeys, type KeyExtraction, type KeyParams } from './keys.js';
export {
  MAX_PART_KEY_NUM, partitionInfoSql, partitionsSql, sqlString, subPartitionsSql, tableEntrySql, tabletLocationsSql,
} from './meta-sql.js';
export type { EntryState, MetaQuery, MetaResult, ReplicaLocation, TableEntry } from './types.js';
