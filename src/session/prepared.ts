// Prepared statements of one client session (spec §2.1, §6.2): the client sees proxy-assigned statement ids; each
// server session that prepared a statement has its own id for it. A statement runs on a server that lacks it after a
// lazy re-prepare there. Pure bookkeeping and byte helpers; the client session does the I/O.
//
// COM_STMT_EXECUTE payload (MySQL/MariaDB, without query attributes, which the proxy never negotiates):
//   0x17 | stmt_id u32 | flags u8 | iteration_count u32 | [ null_bitmap ((n+7)/8) | new_params_bound u8 | [types 2n] | values ]
// The parameter part exists only when the statement has n > 0 parameters.

import type { RouteParse } from '../route/sql/index.js';
import type { ServerSession } from './server-session.js';

export interface PreparedStatement {
  readonly id: number;
  readonly sql: string;
  readonly numParams: number;
  readonly numColumns: number;
  /** Route parse of the statement text: dependent functions, temporary tables ... decide its server. */
  readonly parse: RouteParse;
  /** Parameter types (2 bytes each) the client bound last; null before the first execute that sent them. */
  types: Buffer | null;
  /** SEND_LONG_DATA went here: the next execute must go to the same server. */
  longDataServer: ServerSession | null;
  /** The server that executed it last (an open cursor lives there: COM_STMT_FETCH goes there). */
  lastServer: ServerSession | null;
}

export class PreparedStatements {
  private nextId = 1;
  private readonly byId = new Map<number, PreparedStatement>();

  get size(): number {
    return this.byId.size;
  }

  add(sql: string, numParams: number, numColumns: number, parse: RouteParse): PreparedStatement {
    const id = this.nextId;
    // Ids wrap within u32 skipping 0 and ids still in use.
    do this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    while (this.byId.has(this.nextId));
    const ps: PreparedStatement = { id, sql, numParams, numColumns, parse, types: null, longDataServer: null, lastServer: null };
    this.byId.set(id, ps);
    return ps;
  }

  get(id: number): PreparedStatement | undefined {
    return this.byId.get(id);
  }

  delete(id: number): void {
    this.byId.delete(id);
  }

  clear(): void {
    this.byId.clear();
  }

  values(): IterableIterator<PreparedStatement> {
    return this.byId.values();
  }
}

/** Where the types of an execute payload are (`payload` starts at the command byte), or null when none were sent. */
export function executeTypes(payload: Buffer, start: number, end: number, numParams: number): { flagAt: number; typesAt: number } | null {
  if (numParams === 0) return null;
  const flagAt = start + 10 + ((numParams + 7) >> 3);
  if (flagAt >= end || payload[flagAt] !== 1) return null;
  return { flagAt, typesAt: flagAt + 1 };
}

/** Position of new_params_bound_flag, or -1 when the payload is too short to have one. */
export function boundFlagAt(start: number, end: number, numParams: number): number {
  const at = start + 10 + ((numParams + 7) >> 3);
  return numParams > 0 && at < end ? at : -1;
}

/**
 * A copy of an execute payload with new_params_bound_flag = 1 and `types` inserted: sent to a server that has not seen
 * this statement's types (the client sent flag 0 because it bound them on another server). Rare: first execute of a
 * re-prepared statement with a driver that omits repeated types.
 */
export function withTypes(payload: Buffer, start: number, end: number, numParams: number, types: Buffer): Buffer {
  const flagAt = start + 10 + ((numParams + 7) >> 3);
  const out = Buffer.allocUnsafe(end - start + types.length);
  payload.copy(out, 0, start, flagAt);
  out[flagAt - start] = 1;
  types.copy(out, flagAt - start + 1);
  payload.copy(out, flagAt - start + 1 + types.length, flagAt + 1, end);
  return out;
}
