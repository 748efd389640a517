// Generates the partition vectors (test/fixtures/partition/vectors/<table>.json) from the real kernel:
// creates each catalogue table in seekdb, inserts the key values one row at a time, and reads back which
// (sub-)partition every row landed in with `SELECT ... FROM t PARTITION (name)`. Tablet ids come from the
// kernel's partition metadata. Also records the §3.2 bootstrap rows (test/fixtures/seekdb/metadata-*.json).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { createTableSql, level1Tables, type Row, type TableSpec } from './catalogue.js';
import { bootstrapSql, bootstrapVariantSql, record, tableMetadata, textQuery, type TextRow } from './metadata.js';
import { SEEKDB_PACKAGE, SEEKDB_VERSION, type SeekdbServer } from './seekdb.js';
import { level2Tables } from './subpart.js';
import { literal } from './values.js';

const DB = 'odp_vectors';
const TENANT = 'sys';
const GENERATOR = 'lab/seekdb/gen-vectors.ts';
const NOTES = [
  'values: key values as SQL text exactly as inserted (null = SQL NULL); stored: the same columns read back from the kernel as text.',
  'partIdx = __all_part.part_idx (definition order); subPartIdx = __all_sub_part.sub_part_idx (position inside its first-level partition).',
  'tabletId: __all_part.tablet_id (one level) or __all_sub_part.tablet_id (two levels); two-level first-level partitions have tablet_id 0.',
  'metadata rows: every value as text-protocol text; bytes that are not UTF-8 would appear as 0x<hex>.',
  'When a spec query failed (metadataErrors), metadata holds the rows of the variant in metadataSql over the base schema tables. There, high_bound_val_bin / list_val_bin are __all_part.b_high_bound_val / b_list_val, which the kernel stores as HEX TEXT of the serialized bound (unhex to get the bytes the proxy view returns).',
  'rejected: rows the kernel refused (e.g. no partition for the value); they have no placement.',
];

export interface VectorCase {
  values: Row;
  partName: string;
  subPartName: string | null;
  partIdx: number;
  subPartIdx: number | null;
  tabletId: number;
  /** The key columns as the kernel stored them, read back as text. */
  stored: Row;
}

interface Placement { partName: string; subPartName: string | null; partIdx: number; subPartIdx: number | null; tabletId: number; select: string }

function num(v: string | null | undefined, what: string): number {
  const n = Number(v);
  if (v == null || !Number.isInteger(n)) throw new Error(`seekdb: ${what} is not an integer: ${String(v)}`);
  return n;
}

/** The physical partitions to read back from: sub-partitions for two-level tables. */
function placements(partitions: TextRow[], subPartitions: TextRow[]): Placement[] {
  if (subPartitions.length > 0) {
    return subPartitions.map((s) => ({
      partName: s['part_name'] ?? '', subPartName: s['sub_part_name'] ?? '', partIdx: num(s['part_idx'], 'part_idx'),
      subPartIdx: num(s['sub_part_idx'], 'sub_part_idx'), tabletId: num(s['tablet_id'], 'tablet_id'), select: s['sub_part_name'] ?? '',
    }));
  }
  return partitions.map((p) => ({
    partName: p['part_name'] ?? '', subPartName: null, partIdx: num(p['part_idx'], 'part_idx'), subPartIdx: null,
    tabletId: num(p['tablet_id'], 'tablet_id'), select: p['part_name'] ?? '',
  }));
}

async function insertRows(conn: mysql.Connection, t: TableSpec): Promise<Array<{ values: Row; error: string }>> {
  const rejected: Array<{ values: Row; error: string }> = [];
  const cols = t.keyColumns.map((c) => `\`${c.name}\``).join(', ');
  for (const [id, row] of t.rows.entries()) {
    const lits = t.keyColumns.map((c) => literal(c.type, row[c.name] ?? null)).join(', ');
    try {
      await conn.query(`INSERT INTO \`${t.name}\` (id, ${cols}) VALUES (${id}, ${lits})`);
    } catch (e) {
      const err = e as { errno?: number; message?: string };
      rejected.push({ values: row, error: `ERROR ${err.errno ?? '?'}: ${err.message ?? String(e)}` });
    }
  }
  return rejected;
}

async function readBack(conn: mysql.Connection, t: TableSpec, places: Placement[]): Promise<VectorCase[]> {
  const byId = new Map<number, VectorCase>();
  const cols = t.keyColumns.map((c) => `\`${c.name}\``).join(', ');
  for (const p of places) {
    const rows = await textQuery(conn, `SELECT id, ${cols} FROM \`${t.name}\` PARTITION (\`${p.select}\`) ORDER BY id`);
    for (const r of rows) {
      const id = num(r['id'], 'id');
      const values = t.rows[id];
      if (values === undefined || byId.has(id)) throw new Error(`seekdb: ${t.name} row ${id} read back twice or unknown`);
      const stored = Object.fromEntries(t.keyColumns.map((c) => [c.name, r[c.name] ?? null]));
      byId.set(id, { values, partName: p.partName, subPartName: p.subPartName, partIdx: p.partIdx, subPartIdx: p.subPartIdx, tabletId: p.tabletId, stored });
    }
  }
  return [...byId.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
}

async function generateTable(conn: mysql.Connection, t: TableSpec, source: object): Promise<object> {
  const ddl = createTableSql(t);
  await conn.query(`DROP TABLE IF EXISTS \`${t.name}\``);
  await conn.query(ddl);
  const [idRows] = await conn.query<mysql.RowDataPacket[]>(
    `SELECT t.table_id FROM oceanbase.__all_table t JOIN oceanbase.__all_database d ON d.database_id = t.database_id WHERE d.database_name = ? AND t.table_name = ?`, [DB, t.name]);
  const tableId = String(idRows[0]?.['table_id'] ?? '');
  if (tableId === '') throw new Error(`seekdb: no table_id for ${t.name}`);
  const meta = await tableMetadata(conn, TENANT, DB, t.name, tableId);
  const rejected = await insertRows(conn, t);
  const cases = await readBack(conn, t, placements(meta.metadata.partitions, meta.metadata.subPartitions));
  if (cases.length + rejected.length !== t.rows.length) throw new Error(`seekdb: ${t.name}: ${t.rows.length} rows inserted, ${cases.length} read back`);
  return {
    table: t.name, ddl, partType: t.partType, subPartTemplate: t.subPartTemplate, keyColumns: t.keyColumns, tableId: Number(tableId),
    metadata: meta.metadata, metadataErrors: meta.metadataErrors, metadataSql: meta.metadataSql, defSubPartitions: meta.defSubPartitions,
    notes: NOTES, source, cases, rejected,
  };
}

function clearOldVectors(dir: string): void {
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.json')) continue;
    const text = readFileSync(join(dir, f), 'utf8');
    if (text.includes(`"generator": "${GENERATOR}"`)) rmSync(join(dir, f));
  }
}

async function writeBootstrap(conn: mysql.Connection, dir: string, source: object): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const spec = bootstrapSql();
  const variants = bootstrapVariantSql();
  for (const [name, sql] of Object.entries({ ...spec })) {
    writeFileSync(join(dir, `metadata-${name}.json`), JSON.stringify({ name, source, ...(await record(conn, sql)) }, null, 2) + '\n');
  }
  for (const [name, sql] of Object.entries(variants)) {
    writeFileSync(join(dir, `metadata-seekdb-${name}.json`), JSON.stringify({ name, source, variantOf: '§3.2', ...(await record(conn, sql)) }, null, 2) + '\n');
  }
}

export interface GenerateResult { tables: number; cases: number; rejected: number; failedDdl: Array<{ table: string; error: string }> }

/** Regenerates every vector file; `root` is the repository root. */
export async function generateVectors(srv: SeekdbServer, root: string, log: (s: string) => void): Promise<GenerateResult> {
  const conn = await mysql.createConnection({ host: srv.host, port: srv.port, user: srv.user, password: srv.password, multipleStatements: false });
  try {
    await conn.query(`DROP DATABASE IF EXISTS ${DB}`);
    await conn.query(`CREATE DATABASE ${DB}`);
    await conn.query(`USE ${DB}`);
    await conn.query("SET time_zone = '+00:00', names utf8mb4");
    const [sess] = await conn.query<mysql.RowDataPacket[]>('SELECT ob_version() AS ob_version, @@version_comment AS version_comment, @@sql_mode AS sql_mode, @@time_zone AS time_zone, @@collation_connection AS collation_connection');
    const source = { generator: GENERATOR, package: `${SEEKDB_PACKAGE}==${SEEKDB_VERSION}`, session: { ...sess[0] },
      valueEncoding: 'numeric types (int, decimal, float, double, year) inserted as unquoted literals, all others as quoted string literals; NULL as NULL' };
    const dir = join(root, 'test', 'fixtures', 'partition', 'vectors');
    mkdirSync(dir, { recursive: true });
    clearOldVectors(dir);
    const result: GenerateResult = { tables: 0, cases: 0, rejected: 0, failedDdl: [] };
    for (const t of [...level1Tables(), ...level2Tables()]) {
      let out: object;
      try {
        out = await generateTable(conn, t, source);
      } catch (e) {
        const error = (e as Error).message;
        if (!error.startsWith('seekdb:')) {
          result.failedDdl.push({ table: t.name, error });
          log(`skip ${t.name}: ${error}`);
          continue;
        }
        throw e;
      }
      const cases = (out as { cases: unknown[] }).cases.length;
      const rejected = (out as { rejected: unknown[] }).rejected.length;
      writeFileSync(join(dir, `${t.name}.json`), JSON.stringify(out, null, 1) + '\n');
      result.tables++;
      result.cases += cases;
      result.rejected += rejected;
      log(`${t.name}: ${cases} cases, ${rejected} rejected`);
    }
    // ODP runs the §3.2 queries connected to the `oceanbase` database (one of them has no schema prefix).
    await conn.query('USE oceanbase');
    await writeBootstrap(conn, join(root, 'test', 'fixtures', 'seekdb'), source);
    writeFileSync(join(dir, '..', 'seekdb-unsupported.json'), JSON.stringify({ generator: GENERATOR, failedDdl: result.failedDdl }, null, 2) + '\n');
    return result;
  } finally {
    await conn.end();
  }
}
