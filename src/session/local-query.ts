// Statements the proxy answers itself: ODP's internal commands (src/admin) for any session, and everything on a
// proxysys session, which never reaches a backend (spec §8). Results are encoded as ordinary MySQL packets.

import { Capability } from '../protocol/constants.js';
import { writeErr } from '../protocol/err.js';
import { writeOk } from '../protocol/ok.js';
import { textColumn, writeTextResultSet } from '../protocol/resultset.js';
import type { PacketWriter } from '../protocol/writer.js';
import { executeAdmin, mayBeAdminCommand, type AdminContext, type AdminResult } from '../admin/index.js';

/**
 * Byte-level pre-check on every COM_QUERY payload, before any string is decoded: a statement that does not say
 * "proxy" in its first 64 bytes is never an internal command for a normal session (so `KILL <id>` and
 * `SHOW PROCESSLIST` reach the backend, as in mysql pass-through they must). Which statements qualify beyond that
 * is decided by the admin module alone (`mayBeAdminCommand`). Cost: at most 64 byte compares, no allocation.
 */
export function queryMayBeAdmin(buf: Buffer, sqlStart: number, end: number): boolean {
  const limit = Math.min(end, sqlStart + 64);
  for (let j = sqlStart; j + 5 <= limit; j++) {
    if ((buf[j]! | 0x20) === 0x70 && (buf[j + 1]! | 0x20) === 0x72 && (buf[j + 2]! | 0x20) === 0x6f && (buf[j + 3]! | 0x20) === 0x78 && (buf[j + 4]! | 0x20) === 0x79) {
      return mayBeAdminCommand(buf.toString('utf8', sqlStart, Math.min(end, sqlStart + 128)));
    }
  }
  return false;
}

/** Statements a proxysys session acknowledges with OK so drivers can connect (spec §8). */
const DRIVER_NOISE = /^\s*(set\b|begin\b|start\s+transaction\b|commit\b|rollback\b|use\b)/i;
const VERSION_COMMENT = /^\s*select\s+@@version_comment\s+limit\s+1\s*;?\s*$/i;

export interface LocalWriteOptions {
  readonly capabilities: number;
  readonly mariadbCapabilities: number;
  readonly status: number;
}

export function writeAdminResult(w: PacketWriter, r: AdminResult, o: LocalWriteOptions): void {
  switch (r.kind) {
    case 'ok':
      writeOk(w, { status: o.status, affectedRows: r.affectedRows ?? 0, warnings: r.warnings ?? 0, info: r.info ?? '' }, 1, o.capabilities);
      return;
    case 'rows':
      writeTextResultSet(w, r.columns.map((c) => textColumn(c)), r.rows, {
        seq: 1,
        deprecateEof: (o.capabilities & Capability.DEPRECATE_EOF) !== 0,
        status: o.status,
        capabilities: o.capabilities,
        mariadbCapabilities: o.mariadbCapabilities,
      });
      return;
    case 'error':
      writeErr(w, r.errno, r.sqlState, r.message, 1);
      return;
  }
}

/**
 * Runs an internal command. Returns false when the text is not one (the caller forwards it, or on a proxysys
 * session answers with `answerProxysysOther`).
 */
export function runAdmin(w: PacketWriter, sql: string, actx: AdminContext, o: LocalWriteOptions): boolean {
  const r = executeAdmin(sql, actx);
  if (r === null) return false;
  writeAdminResult(w, r, o);
  return true;
}

/** A non-admin statement on a proxysys session. */
export function answerProxysysOther(w: PacketWriter, sql: string, version: string, o: LocalWriteOptions): void {
  if (VERSION_COMMENT.test(sql)) {
    writeAdminResult(w, { kind: 'rows', columns: ['@@version_comment'], rows: [[`odp ${version} (OceanBase Database Proxy in TypeScript)`]] }, o);
  } else if (DRIVER_NOISE.test(sql)) {
    writeOk(w, { status: o.status }, 1, o.capabilities);
  } else {
    writeErr(w, 1235, '42000', "This version of odp doesn't yet support 'this statement on a proxysys session (it never reaches a backend)'", 1);
  }
}
