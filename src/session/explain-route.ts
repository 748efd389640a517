// EXPLAIN ROUTE <sql> (spec §8, §9): the statement goes through the session's whole routing path — location lookup
// (a table's metadata may be fetched, as ODP does), partition calculation, route decision, congestion — and nothing is
// sent to a server. The answer is a one-column result set, column `Route Plan`, one row with the diagnosis text.

import { Capability, Command } from '../protocol/constants.js';
import { textColumn, writeTextResultSet } from '../protocol/resultset.js';
import type { PacketWriter } from '../protocol/writer.js';
import type { RouteParse, StmtKind } from '../route/sql/index.js';
import { DIAGNOSIS_DISABLED, DIAGNOSIS_UNSUPPORTED, type RouteDiagnosis } from '../observe/route-diagnosis.js';
import type { SessionContext } from './context.js';
import type { ServerPreparer } from './preparer.js';
import { beginStatement } from './route-diagnose.js';

/** What EXPLAIN ROUTE needs of the client session. */
export interface ExplainHost {
  readonly ctx: SessionContext;
  readonly writer: PacketWriter;
  readonly diag: RouteDiagnosis;
  readonly capabilities: number;
  readonly mariadbCapabilities: number;
  readonly status: number;
  readonly inTransaction: boolean;
  writeLocal(bytes: Buffer): boolean;
  enterReadyAfterRequest(): void;
}

/** Statements EXPLAIN ROUTE does not diagnose (spec §9): text PS PREPARE / DROP PREPARE, internal commands. */
const UNSUPPORTED: ReadonlySet<StmtKind> = new Set<StmtKind>(['PREPARE', 'DEALLOCATE', 'INTERNAL_CMD', 'EMPTY']);

/** route_diagnosis_level when the proxy has no monitor (embedded use): the parameter's default. */
const DEFAULT_LEVEL = 2;

/** The explained statement: the text after `EXPLAIN ROUTE` (comments before it stay with the prefix). */
export function explainedSql(sql: string): string {
  const m = /explain\s+route\s+/i.exec(sql);
  return m === null ? sql : sql.slice(m.index + m[0].length);
}

/** The `Route Plan` result set with one row. */
export function routePlanPacket(h: ExplainHost, text: string): Buffer {
  writeTextResultSet(h.writer, [textColumn('Route Plan')], [[text]], {
    seq: 1,
    deprecateEof: (h.capabilities & Capability.DEPRECATE_EOF) !== 0,
    status: h.status,
    capabilities: h.capabilities,
    mariadbCapabilities: h.mariadbCapabilities,
  });
  return h.writer.take();
}

/** Answers EXPLAIN ROUTE; returns what onPacket returns (false: the answer comes later, after a metadata fetch). */
export function explainRoute(h: ExplainHost, preparer: ServerPreparer, parse: RouteParse, sql: string): boolean {
  const level = h.ctx.monitor?.diagnosisLevel ?? DEFAULT_LEVEL;
  if (level === 0) return h.writeLocal(routePlanPacket(h, DIAGNOSIS_DISABLED));
  if (parse.innerKind === null || UNSUPPORTED.has(parse.innerKind) || parse.multiStatement) return h.writeLocal(routePlanPacket(h, DIAGNOSIS_UNSUPPORTED));
  const dg = h.diag;
  beginStatement(dg, level, true, Command.QUERY, explainedSql(sql), parse, h.inTransaction);
  let later = false;
  let result = true;
  const finish = (): void => {
    const packet = routePlanPacket(h, dg.format());
    dg.end();
    if (!later) {
      result = h.writeLocal(packet);
      return;
    }
    h.writeLocal(packet);
    h.enterReadyAfterRequest();
  };
  if (preparer.explain(parse, finish)) return result;
  later = true;
  return false;
}
