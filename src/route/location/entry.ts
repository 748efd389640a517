// Metadata rows -> table entry pieces (spec §3.3). Pure. Rows arrive as the text protocol's bytes; they are
// decoded to strings here (the copy the cache keeps): `*_bin` columns as latin1 so every byte survives for
// the binary bound decoder, everything else as UTF-8.

import type { Row } from '../partition/index.js';
import type { MetaResult, ReplicaLocation } from './types.js';

/** A metadata statement failed or answered something the proxy cannot use; the message is one line. */
export class MetaError extends Error {
  constructor(message: string) {
    super(message.replace(/\s*\n\s*/g, ' '));
    this.name = 'MetaError';
  }
}

/** replica_type codes (spec §3.3, src/lib/ob_define.h). */
const REPLICA_TYPES: Readonly<Record<number, string>> = {
  0: 'FULL', 1: 'BACKUP', 5: 'LOGONLY', 16: 'READONLY', 20: 'MEMONLY', 261: 'ENCRYPTION_LOGONLY',
};

/** The rows of a result set as name -> text; an ERR (or a result without rows) becomes a MetaError. */
export function resultRows(r: MetaResult, what: string): Row[] {
  if (r.kind === 'err') throw new MetaError(`${what}: ERROR ${r.errno} (${r.sqlState}): ${r.message}`);
  if (r.kind !== 'rows') throw new MetaError(`${what}: the server returned no result set`);
  const names = r.columns.map((c) => c.name);
  const binary = names.map((n) => n.toLowerCase().endsWith('_bin'));
  return r.rows.map((cells) => {
    const row: Record<string, string | null> = {};
    for (let i = 0; i < names.length; i++) {
      const c = cells[i];
      row[names[i]!] = c === undefined || c === null ? null : c.toString(binary[i] === true ? 'latin1' : 'utf8');
    }
    return row;
  });
}

/** Cell by column name, case-insensitively (servers differ in the case of `A.*` names). */
export function cell(row: Row, name: string): string | null {
  const v = row[name];
  if (v !== undefined) return v;
  for (const k of Object.keys(row)) if (k.toLowerCase() === name) return row[k] ?? null;
  return null;
}

function intCell(row: Row, name: string): number | null {
  const v = cell(row, name);
  if (v === null || !/^\s*-?\d+\s*$/.test(v)) return null;
  return Number(v);
}

/** Table-level facts and replicas from __all_virtual_proxy_schema rows (§3.3). */
export interface SchemaInfo {
  readonly tableId: number;
  readonly tableType: number | null;
  readonly partNum: number;
  readonly schemaVersion: number | null;
  readonly duplicate: boolean;
  /** Tablet id -> replicas, leader first; rows without a location (0.0.0.0:0) are left out. */
  readonly replicas: Map<number, ReplicaLocation[]>;
}

function replicaOf(row: Row): ReplicaLocation | null {
  const ip = cell(row, 'svr_ip') ?? '';
  const port = intCell(row, 'sql_port') ?? 0;
  if (ip === '' || ip === '0.0.0.0' || port <= 0) return null;
  const role = (cell(row, 'role') ?? '').trim();
  const typeText = (cell(row, 'replica_type') ?? '0').trim();
  const typeCode = /^\d+$/.test(typeText) ? Number(typeText) : null;
  return {
    server: `${ip}:${port}`,
    role: role === '1' || /^leader$/i.test(role) ? 'leader' : 'follower',
    replicaType: typeCode === null ? typeText.toUpperCase() : REPLICA_TYPES[typeCode] ?? typeText,
    dup: (intCell(row, 'dup_replica_type') ?? 0) !== 0,
  };
}

/** Adds the replicas of location rows to `into`, keyed by tablet id, leader first. */
export function addReplicas(rows: readonly Row[], into: Map<number, ReplicaLocation[]>): void {
  for (const row of rows) {
    const tablet = intCell(row, 'tablet_id');
    if (tablet === null) throw new MetaError('location rows without a tablet_id');
    const r = replicaOf(row);
    if (r === null) continue;
    let list = into.get(tablet);
    if (list === undefined) into.set(tablet, (list = []));
    if (list.some((x) => x.server === r.server)) continue;
    if (r.role === 'leader') list.unshift(r);
    else list.push(r);
  }
}

/** Parses the table entry rows; null when there are none (no such table). Unusable rows throw MetaError. */
export function parseSchemaRows(rows: readonly Row[]): SchemaInfo | null {
  const first = rows[0];
  if (first === undefined) return null;
  const tableId = intCell(first, 'table_id');
  if (tableId === null) throw new MetaError('table entry rows without a numeric table_id');
  const replicas = new Map<number, ReplicaLocation[]>();
  addReplicas(rows, replicas);
  let duplicate = false;
  for (const list of replicas.values()) if (list.some((r) => r.dup)) duplicate = true;
  return {
    tableId,
    tableType: intCell(first, 'table_type'),
    partNum: Math.max(1, intCell(first, 'part_num') ?? 1),
    schemaVersion: intCell(first, 'schema_version'),
    duplicate,
    replicas,
  };
}
