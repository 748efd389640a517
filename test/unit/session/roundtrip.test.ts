// Round trip on a real MariaDB (127.0.0.1:23306, the lab's test-a; skipped when it is not running): statements
// run on connection A, their effects are learned (direct values, read-backs from A), the replay plan runs on a
// fresh connection B, and then A and B must answer the same probe byte for byte, with the same column types and
// collations. The oracle is the server itself, not this code.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection, type Connection, type FieldPacket } from 'mysql2/promise';
import { parseRoute } from '../../../src/route/sql/index.js';
import { applyReadBack, readBackQuery, statementEffects } from '../../../src/session/effects.js';
import { AppliedState, SessionState, markTextPsApplied, planSync, planTextPs } from '../../../src/session/state.js';
import { varNamingFor, type VarNaming } from '../../../src/session/vars.js';

const HOST = '127.0.0.1';
const PORT = 23306;
const DB = 'state_helper_test';

async function connect(): Promise<Connection | null> {
  try {
    return await createConnection({ host: HOST, port: PORT, user: 'root', connectTimeout: 2000, multipleStatements: true });
  } catch {
    return null;
  }
}

interface Raw { types: number[]; charsets: number[]; values: (Buffer | null)[] }

/** One row as raw text-protocol bytes plus column types and collation ids. */
async function raw(c: Connection, sql: string): Promise<Raw> {
  const [rows, fields] = await c.query({ sql, rowsAsArray: true, typeCast: (f) => f.buffer() });
  const row = (rows as (Buffer | null)[][])[0] ?? [];
  const fs = fields as FieldPacket[];
  return { types: fs.map((f) => f.columnType ?? -1), charsets: fs.map((f) => f.characterSet ?? -1), values: row };
}

/** Runs `sql` on A and makes `state` follow it, as the session machine does. */
async function learn(a: Connection, state: SessionState, sql: string, naming: VarNaming): Promise<void> {
  await a.query(sql);
  const fx = statementEffects(parseRoute(sql), sql);
  if (fx === null) return;
  assert.equal(fx.pinSession, null, sql);
  if (fx.useDb !== null) state.setDatabase(fx.useDb);
  for (const d of fx.direct) {
    if (d.kind === 'sys') state.setSysVar(d.name, d.sql);
    else state.setUserVar(d.name, d.sql);
  }
  if (fx.textPs !== null) state.setTextPs(fx.textPs.name, fx.textPs.prepareSql);
  if (fx.readBack.length > 0) {
    const r = await raw(a, readBackQuery(fx.readBack, naming));
    applyReadBack(state, fx.readBack, r.types.map((type, i) => ({ type, charset: r.charsets[i]! })), r.values);
  }
}

const STATEMENTS = [
  "SET @lit = 'plain', @big = 18446744073709551615, @neg = -7",
  "SET @@session.sql_mode = CONCAT(@@session.sql_mode, ',ANSI_QUOTES,NO_BACKSLASH_ESCAPES')",
  "SET time_zone = '+03:00'",
  "SET @bin = UNHEX('00FF275C22')",
  "SET @u = CONCAT('it''s ', CHAR(92 USING utf8mb4), ' ', _utf8mb4 X'F09F9880C3A9')",
  'SET @i = 40 + 2, @d = 1.5e0 * 2, @dec = 1.25 + 1, @n = NULL',
  "SELECT 7, 'x' INTO @x, @y",
  'SET NAMES utf8mb4 COLLATE utf8mb4_bin',
  "SET @after_names = 'plain'",
  'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED',
  `USE ${DB}`,
  'SELECT LAST_INSERT_ID(99)',
  "PREPARE s FROM 'SELECT ? + 1'",
  'SET sql_select_limit = 1000',
];

const PROBE = 'SELECT @@session.sql_mode, @@session.time_zone, @bin, @u, COLLATION(@u), @i, @d, @dec, @n, @x, @y, ' +
  'COLLATION(@y), @lit, COLLATION(@lit), @big, @neg, @after_names, COLLATION(@after_names), ' +
  '@@session.collation_connection, @@session.character_set_client, @@session.character_set_results, ' +
  '@@session.tx_isolation, DATABASE(), LAST_INSERT_ID(), @@session.sql_select_limit';

let a: Connection | null = null;
let b: Connection | null = null;

void describe('replay on a fresh server session reproduces the state (real MariaDB)', () => {
  before(async () => {
    a = await connect();
    b = a === null ? null : await connect();
    if (a !== null) await a.query(`CREATE DATABASE IF NOT EXISTS ${DB}`);
  });
  after(async () => {
    if (a !== null) { await a.query(`DROP DATABASE IF EXISTS ${DB}`); await a.end(); }
    if (b !== null) await b.end();
  });

  test('probe answers are identical on A and on the synced B', async (t) => {
    if (a === null || b === null) { t.skip(`no MariaDB on ${HOST}:${PORT}`); return; }
    const [vrows] = await a.query({ sql: 'SELECT VERSION()', rowsAsArray: true });
    const naming = varNamingFor(String((vrows as unknown[][])[0]![0]));
    const state = new SessionState(null);
    for (const q of STATEMENTS) await learn(a, state, q, naming);

    const have = new AppliedState(null);
    const plan = planSync(state, have, naming);
    assert.equal(plan.initDb, DB);
    assert.ok(plan.setSql !== null);
    await b.query(`USE ${DB}`);
    await b.query(plan.setSql);
    const ps = planTextPs(state, have, 's');
    assert.equal(ps, "PREPARE s FROM 'SELECT ? + 1'");
    await b.query(ps);
    markTextPsApplied(have, state, 's');

    const ra = await raw(a, PROBE);
    const rb = await raw(b, PROBE);
    assert.deepEqual(rb.types, ra.types, 'column types');
    assert.deepEqual(rb.charsets, ra.charsets, 'column collations');
    assert.deepEqual(rb.values.map((v) => v?.toString('hex') ?? null), ra.values.map((v) => v?.toString('hex') ?? null));
    // Spot checks that the probe really saw non-default state.
    assert.equal(ra.values[1]!.toString(), '+03:00');
    assert.equal(ra.values[18]!.toString(), 'utf8mb4_bin');
    assert.equal(ra.values[17]!.toString(), 'utf8mb4_bin');

    const exec = 'SET @p = 41; EXECUTE s USING @p';
    const [ea] = await a.query({ sql: exec, rowsAsArray: true });
    const [eb] = await b.query({ sql: exec, rowsAsArray: true });
    assert.deepEqual(eb, ea);
  });
});
