// Test doubles for the location cache: hand-built result sets (the text protocol's bytes under real
// OceanBase column names), a scripted MetaQuery that records every statement, and a MetaQuery answered
// by the lab's metadata emulation (lab/observer/meta-sql.ts, pure: no sockets).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { answerMeta } from '../../../lab/observer/meta-sql.js';
import { findServer, type Topology } from '../../../lab/observer/topology.js';
import type { MetaQuery, MetaResult } from '../../../src/route/location/index.js';

export type CellIn = string | number | Buffer | null;

/** A result set: cells as the text protocol sends them (numbers as their text, strings as UTF-8). */
export function resultSet(columns: readonly string[], data: readonly (readonly CellIn[])[]): MetaResult {
  return {
    kind: 'rows',
    columns: columns.map((name) => ({ name })),
    rows: data.map((r) => r.map((c) => (c === null ? null : Buffer.isBuffer(c) ? c : Buffer.from(String(c), 'utf8')))),
  };
}

/** Rows given as records (every record must have the same keys). */
export function recordSet(records: readonly Record<string, CellIn>[]): MetaResult {
  const cols = Object.keys(records[0] ?? {});
  return resultSet(cols, records.map((r) => cols.map((c) => r[c] ?? null)));
}

export const EMPTY: MetaResult = { kind: 'rows', columns: [{ name: 'table_id' }], rows: [] };

type Answer = MetaResult | ((sql: string) => MetaResult | Promise<MetaResult>);

/** A MetaQuery answering by the first rule whose pattern matches the statement; records every statement. */
export class ScriptedMeta {
  readonly sqls: string[] = [];
  readonly rules: { re: RegExp; answer: Answer }[] = [];

  on(re: RegExp, answer: Answer): this {
    this.rules.push({ re, answer });
    return this;
  }

  readonly query: MetaQuery = async (sql) => {
    this.sqls.push(sql);
    const rule = this.rules.find((r) => r.re.test(sql));
    if (rule === undefined) throw new Error(`no scripted answer for: ${sql}`);
    return typeof rule.answer === 'function' ? rule.answer(sql) : rule.answer;
  };
}

/** A promise with its resolve/reject exposed. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The metadata answers the lab's observer emulator `server` would give, without a socket. */
export function labMeta(topology: Topology, server = 'obs1'): MetaQuery {
  const self = findServer(topology, server);
  if (self === undefined) throw new Error(`no lab server ${server}`);
  return async (sql) => {
    const out = answerMeta(sql, { topology, self, isAlive: () => true });
    if (out === null) throw new Error(`the lab does not answer: ${sql}`);
    if (!out.ok) return { kind: 'err', errno: out.err.errno, sqlState: out.err.sqlState, message: out.err.message };
    return {
      kind: 'rows',
      columns: out.answer.columns.map((c) => ({ name: c.name })),
      rows: out.answer.rows.map((r) => r.map((c) => (c === null ? null : Buffer.isBuffer(c) ? c : Buffer.from(c, 'utf8')))),
    };
  };
}

/** Cases of a kernel vector file (test/fixtures/partition/vectors, written by a real OceanBase kernel). */
export interface KernelCase {
  readonly values: Readonly<Record<string, string | null>>;
  readonly partIdx: number;
  readonly subPartIdx: number | null;
}

export function kernelCases(name: string): KernelCase[] {
  // compiled tests run from dist-*/test/unit/location; the fixtures stay in the source tree
  for (const base of [process.cwd(), resolve(import.meta.dirname, '../../../..'), resolve(import.meta.dirname, '../../..')]) {
    const f = join(base, 'test/fixtures/partition/vectors', `${name}.json`);
    if (existsSync(f)) return (JSON.parse(readFileSync(f, 'utf8')) as { cases: KernelCase[] }).cases;
  }
  throw new Error(`kernel vectors ${name} not found`);
}

/** A SQL literal: integers bare (unless `quoted`), strings quoted with ' and \ escaped, NULL. */
export function sqlLiteral(v: string | number | null, quoted = false): string {
  if (v === null) return 'NULL';
  if (!quoted && (typeof v === 'number' || /^-?\d+$/.test(v))) return String(v);
  v = String(v);
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}
