// The lab's default cluster: three servers on 127.0.0.2-4, one per zone (two regions), tenants sys, test and
// solo (solo has a unit on obs1 only, for OB_TENANT_NOT_IN_SERVER), and test tables of every partition
// kind the proxy computes (spec §4.3). Two tables mirror kernel-verified tables of
// test/fixtures/partition/vectors (t_key: t_key_int; t_sub: t2_range_key_tpl), so tests can take the
// expected partition of a value from the real kernel. Leaders are spread over the three servers. t_dup is a
// replicated (duplicate) table.

import { Collation, ObjType } from '../../src/route/partition/index.js';
import { B } from './bounds.js';
import type { BoundCell, ColumnDef, LevelDef, PartDef, TableDef, Topology } from './topology.js';

export const LAB_DB = 'lab_db';
const SERVERS = ['obs1', 'obs2', 'obs3'] as const;

export const col = {
  bigint: (name: string, notNull = true): ColumnDef => ({ name, sql: `bigint${notNull ? ' NOT NULL' : ''}`, obType: ObjType.Int, collation: Collation.Binary, length: 0, precision: 20, scale: 0 }),
  int: (name: string, notNull = true): ColumnDef => ({ name, sql: `int${notNull ? ' NOT NULL' : ''}`, obType: ObjType.Int32, collation: Collation.Binary, length: 0, precision: 11, scale: 0 }),
  varchar: (name: string, len: number, coll: 'general_ci' | 'bin' = 'general_ci', notNull = false): ColumnDef => ({
    name,
    sql: `varchar(${len}) CHARACTER SET utf8mb4 COLLATE utf8mb4_${coll}${notNull ? ' NOT NULL' : ''}`,
    obType: ObjType.Varchar,
    collation: coll === 'bin' ? Collation.Utf8mb4Bin : Collation.Utf8mb4GeneralCi,
    length: len, precision: -1, scale: -1,
  }),
};

/** Leader of the i-th tablet when leaders rotate over the servers starting at `start`. */
const rotate = (i: number, start = 0): string => SERVERS[(i + start) % SERVERS.length]!;

interface TableSpec {
  name: string;
  id: number;
  firstTablet: number;
  columns: ColumnDef[];
  primaryKey: string[];
  level1: LevelDef | null;
  level2?: LevelDef;
  /** Level-1 partitions: name plus bound; `count` hash-like partitions named p0.. when no list is given. */
  parts: { name: string; high?: BoundCell[]; list?: BoundCell[][] | 'DEFAULT' }[];
  subs?: { count: number };
  leaderStart?: number;
  duplicate?: boolean;
}

function table(s: TableSpec): TableDef {
  let tablet = s.firstTablet;
  let partId = s.id + 1;
  let leaf = 0;
  const parts: PartDef[] = s.parts.map((p) => {
    const base = { name: p.name, id: partId++, ...(p.high !== undefined ? { high: p.high } : {}), ...(p.list !== undefined ? { list: p.list } : {}) };
    if (s.subs === undefined) return { ...base, tabletId: tablet++, leader: rotate(leaf++, s.leaderStart) };
    const subs: PartDef[] = [];
    for (let j = 0; j < s.subs.count; j++) subs.push({ name: `${p.name}sp${j}`, id: 0, tabletId: tablet++, leader: rotate(leaf++, s.leaderStart) });
    return { ...base, tabletId: 0, leader: rotate(0, s.leaderStart), subs };
  });
  // sub_part_id values follow the first-level ids, as the kernel numbers them
  const withSubIds = parts.map((p) => (p.subs === undefined ? p : { ...p, subs: p.subs.map((x) => ({ ...x, id: partId++ })) }));
  return {
    tenant: 'test', database: LAB_DB, name: s.name, id: s.id, columns: s.columns, primaryKey: s.primaryKey, level1: s.level1, level2: s.level2 ?? null,
    parts: withSubIds, ...(s.duplicate === true ? { duplicate: true } : {}),
  };
}

const hashParts = (n: number): { name: string }[] => Array.from({ length: n }, (_, i) => ({ name: `p${i}` }));

function defaultTables(): TableDef[] {
  return [
    table({ name: 't_plain', id: 500001, firstTablet: 200001, columns: [col.bigint('id'), col.varchar('v', 64)], primaryKey: ['id'], level1: null, parts: [{ name: 'p0' }], leaderStart: 1 }),
    table({
      name: 't_hash', id: 500010, firstTablet: 200010, columns: [col.bigint('id'), col.varchar('v', 64)], primaryKey: ['id'],
      level1: { type: 'HASH', expr: 'id', keys: ['id'] }, parts: hashParts(4),
    }),
    table({
      name: 't_key', id: 500020, firstTablet: 200020, columns: [col.bigint('id'), col.int('k'), col.varchar('v', 64)], primaryKey: ['id', 'k'],
      level1: { type: 'KEY', expr: 'k', keys: ['k'] }, parts: hashParts(7),
    }),
    table({
      name: 't_range', id: 500030, firstTablet: 200030, columns: [col.bigint('id'), col.varchar('v', 64)], primaryKey: ['id'],
      level1: { type: 'RANGE', expr: 'id', keys: ['id'] },
      parts: [{ name: 'p0', high: [B.int(100)] }, { name: 'p1', high: [B.int(200)] }, { name: 'p2', high: [B.max] }],
    }),
    table({
      name: 't_range_cols', id: 500040, firstTablet: 200040, columns: [col.bigint('id'), col.varchar('name', 32, 'bin', true), col.varchar('v', 64)],
      primaryKey: ['id', 'name'], level1: { type: 'RANGE_COLUMNS', expr: 'name', keys: ['name'] },
      parts: [{ name: 'p0', high: [B.str('h')] }, { name: 'p1', high: [B.str('p')] }, { name: 'p2', high: [B.max] }], leaderStart: 2,
    }),
    table({
      name: 't_list', id: 500050, firstTablet: 200050, columns: [col.bigint('id'), col.int('region'), col.varchar('v', 64)], primaryKey: ['id', 'region'],
      level1: { type: 'LIST', expr: 'region', keys: ['region'] },
      parts: [
        { name: 'p_east', list: [[B.int(1)], [B.int(2)], [B.int(3)]] },
        { name: 'p_west', list: [[B.int(4)], [B.int(5)], [B.int(6)]] },
        { name: 'p_other', list: 'DEFAULT' },
      ],
      leaderStart: 1,
    }),
    table({
      name: 't_sub', id: 500060, firstTablet: 200060,
      columns: [col.bigint('id'), col.int('a'), col.varchar('c', 16, 'general_ci', true), col.varchar('v', 64)], primaryKey: ['id', 'a', 'c'],
      level1: { type: 'RANGE', expr: 'a', keys: ['a'] }, level2: { type: 'KEY', expr: 'c', keys: ['c'] },
      parts: [{ name: 'p0', high: [B.int(0)] }, { name: 'p1', high: [B.max] }], subs: { count: 4 },
    }),
    // replicated (duplicate) table: a dup replica on every server of the tenant, leader obs3 (spec §5.4)
    table({ name: 't_dup', id: 500070, firstTablet: 200070, columns: [col.bigint('id'), col.varchar('v', 64)], primaryKey: ['id'], level1: null, parts: [{ name: 'p0' }], leaderStart: 2, duplicate: true }),
  ];
}

/** A fresh default topology (callers may mutate it: leaders, ports). */
export function defaultTopology(): Topology {
  return {
    clusterName: 'lab_cluster',
    clusterId: 1,
    obVersion: '4.3.5.3',
    serverVersion: '5.7.25-OceanBase_CE-v4.3.5.3',
    schemaVersion: 1735689600000000,
    zones: [
      { name: 'zone1', region: 'hangzhou', idc: 'hz1', type: 'ReadWrite' },
      { name: 'zone2', region: 'hangzhou', idc: 'hz2', type: 'ReadWrite' },
      { name: 'zone3', region: 'shanghai', idc: 'sh1', type: 'ReadWrite' },
    ],
    servers: [
      { name: 'obs1', ip: '127.0.0.2', sqlPort: 2881, rpcPort: 2882, zone: 'zone1' },
      { name: 'obs2', ip: '127.0.0.3', sqlPort: 2881, rpcPort: 2882, zone: 'zone2' },
      { name: 'obs3', ip: '127.0.0.4', sqlPort: 2881, rpcPort: 2882, zone: 'zone3' },
    ],
    tenants: [
      { name: 'sys', id: 1, servers: [...SERVERS], primaryZone: 'zone1;zone2,zone3', databases: ['oceanbase'],
        accounts: [{ user: 'root', password: '' }, { user: 'proxyro', password: 'proxyro_pw' }] },
      { name: 'test', id: 1002, servers: [...SERVERS], primaryZone: 'RANDOM', databases: [LAB_DB],
        accounts: [{ user: 'root', password: 'root_pw' }, { user: 'odp_app', password: 'odp_app_pw' }] },
      { name: 'solo', id: 1004, servers: ['obs1'], primaryZone: 'zone1', databases: ['lab_solo'],
        accounts: [{ user: 'root', password: '' }] },
    ],
    tables: defaultTables(),
  };
}
