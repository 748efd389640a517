// Commands mysql2 never sends (issue 2, scope 3), byte for byte through the proxy vs directly:
// COM_STMT_SEND_LONG_DATA, COM_STMT_RESET, cursors (COM_STMT_EXECUTE with CURSOR_TYPE_READ_ONLY + COM_STMT_FETCH),
// COM_FIELD_LIST, COM_SET_OPTION, COM_STATISTICS, COM_QUIT. Packet layouts from the MySQL protocol docs.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { users, type Endpoint } from './harness.js';
import { RawConn, type Packet } from './raw-client.js';
import { assertProxyServes, directSql, openTarget, waitUntil, type Target } from './target.js';

const DB = 'odp_itest_raw';
const T = { timeout: 30_000 };
const COM = { INIT_DB: 0x02, QUERY: 0x03, FIELD_LIST: 0x04, STATISTICS: 0x09, QUIT: 0x01, STMT_PREPARE: 0x16,
  STMT_EXECUTE: 0x17, STMT_SEND_LONG_DATA: 0x18, STMT_CLOSE: 0x19, STMT_RESET: 0x1a, SET_OPTION: 0x1b, STMT_FETCH: 0x1c } as const;
const TYPE = { LONGLONG: 0x08, VAR_STRING: 0xfd } as const;

let t: Target;

before(async () => {
  t = await openTarget();
  await directSql(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB}; ` +
    `CREATE TABLE ${DB}.ft (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(30) NOT NULL DEFAULT 'x', price DECIMAL(10,2), note TEXT)`);
});
after(async () => {
  await directSql(`DROP DATABASE IF EXISTS ${DB}`);
  await t.stop();
});
afterEach(() => assertProxyServes(t));

const cmd = (code: number, ...parts: (Buffer | string)[]): Buffer =>
  Buffer.concat([Buffer.from([code]), ...parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))]);
const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
const u16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; };
const lenencStr = (s: string): Buffer => { const b = Buffer.from(s); return Buffer.concat([Buffer.from([b.length]), b]); };

/** COM_STMT_EXECUTE: flags, iteration count 1, null bitmap, new-params-bound = 1, types, then the values given. */
function execute(id: number, flags: number, types: number[], values: Buffer[]): Buffer {
  const nullBitmap = Buffer.alloc((types.length + 7) >> 3);
  const typeBytes = Buffer.concat(types.map((ty) => Buffer.from([ty, 0])));
  return cmd(COM.STMT_EXECUTE, u32(id), Buffer.from([flags]), u32(1), nullBitmap, Buffer.from([1]), typeBytes, ...values);
}

/** Statement ids are server-global: zero the id in PREPARE OK and in ERR messages so replies compare across servers. */
function normalized(ps: Packet[]): string[] {
  return ps.map((p) => {
    const b = Buffer.from(p.payload);
    if (b[0] === 0xff) return `${p.seq}:${b.subarray(0, 9).toString('hex')}${b.subarray(9).toString().replace(/\(\d+\)/g, '(N)')}`;
    if (b[0] === 0x00 && b.length === 12) b.fill(0, 1, 5);
    return `${p.seq}:${b.toString('hex')}`;
  });
}

/** Runs the same script through the proxy and directly; returns the normalized transcripts (asserted equal). */
async function sameAsDirect(script: (c: RawConn, ep: Endpoint) => Promise<Packet[][]>): Promise<string[][]> {
  const run = async (ep: Endpoint): Promise<string[][]> => {
    const c = await RawConn.login(ep, users.root.user, users.root.password);
    try {
      return (await script(c, ep)).map(normalized);
    } finally {
      c.destroy();
    }
  };
  const p = await run(t.endpoint);
  assert.deepEqual(p, await run(t.direct));
  return p;
}

const stmtId = (ps: Packet[]): number => ps[0]?.payload.readUInt32LE(1) ?? -1;

void describe('raw commands through the proxy', () => {
  void test('COM_STMT_SEND_LONG_DATA in chunks, COM_STMT_RESET, execute again', T, async () => {
    const out = await sameAsDirect(async (c) => {
      const prep = await c.exchange(cmd(COM.STMT_PREPARE, 'SELECT CONCAT(?, ?) AS s, ? + 1 AS n'), 'prepare');
      const id = stmtId(prep);
      const replies = [prep];
      for (const chunk of ['abc', 'déf', 'x'.repeat(70_000)]) {
        replies.push(await c.exchange(cmd(COM.STMT_SEND_LONG_DATA, u32(id), u16(0), chunk), 'none'));
      }
      const types = [TYPE.VAR_STRING, TYPE.VAR_STRING, TYPE.LONGLONG];
      const n = Buffer.alloc(8);
      n.writeBigInt64LE(41n);
      // Parameter 0 came as long data, so its value is left out of the execute packet.
      replies.push(await c.exchange(execute(id, 0, types, [lenencStr('!'), n]), 'resultset'));
      replies.push(await c.exchange(cmd(COM.STMT_RESET, u32(id)), 'single'));
      replies.push(await c.exchange(execute(id, 0, types, [lenencStr('A'), lenencStr('B'), n]), 'resultset'));
      replies.push(await c.exchange(cmd(COM.STMT_CLOSE, u32(id)), 'none'));
      replies.push(await c.exchange(cmd(COM.QUERY, 'SELECT 1'), 'resultset'));
      return replies;
    });
    const row = Buffer.from(out[4]?.at(-2)?.split(':')[1] ?? '', 'hex');
    assert.ok(row.includes(Buffer.from(`abcdéf${'x'.repeat(70_000)}!`)), 'long data reassembled in order');
    assert.match(out[5]?.[0] ?? '', /^1:00/, 'COM_STMT_RESET answered OK');
  });

  void test('a read-only cursor: execute opens it, COM_STMT_FETCH pages through, last-row flag at the end', T, async () => {
    const out = await sameAsDirect(async (c) => {
      const prep = await c.exchange(cmd(COM.STMT_PREPARE, `SELECT seq, CONCAT('r', seq) FROM ${DB}.seq_1_to_10`), 'prepare');
      const id = stmtId(prep);
      const replies = [prep, await c.exchange(execute(id, 0x01, [], []), 'resultset')];
      for (let i = 0; i < 3; i++) replies.push(await c.exchange(cmd(COM.STMT_FETCH, u32(id), u32(4)), 'fetch'));
      replies.push(await c.exchange(cmd(COM.STMT_FETCH, u32(id), u32(4)), 'fetch'));
      replies.push(await c.exchange(cmd(COM.QUERY, "SELECT 'after'"), 'resultset'));
      return replies;
    });
    assert.deepEqual(out.slice(2, 5).map((r) => r.length), [5, 5, 3], '4 + 4 + 2 rows, each page ends with EOF');
    assert.equal(out.at(-1)?.length, 5, 'the session works after the cursor');
  });

  void test('COM_FIELD_LIST lists a table\'s columns', T, async () => {
    const out = await sameAsDirect(async (c) => [
      await c.exchange(cmd(COM.INIT_DB, DB), 'single'),
      await c.exchange(cmd(COM.FIELD_LIST, 'ft\0'), 'fieldlist'),
      await c.exchange(cmd(COM.FIELD_LIST, 'ft\0na%'), 'fieldlist'),
      await c.exchange(cmd(COM.FIELD_LIST, 'no_such_table\0'), 'fieldlist'),
    ]);
    assert.deepEqual(out.slice(1).map((r) => r.length), [5, 2, 1]);
  });

  void test('COM_SET_OPTION switches multi-statements on and off', T, async () => {
    const out = await sameAsDirect(async (c) => [
      await c.exchange(cmd(COM.QUERY, 'SELECT 1; SELECT 2'), 'resultset'),
      await c.exchange(cmd(COM.SET_OPTION, u16(0)), 'single'),
      await c.exchange(cmd(COM.QUERY, 'SELECT 1; SELECT 2'), 'resultset'),
      await c.exchange(cmd(COM.SET_OPTION, u16(1)), 'single'),
      await c.exchange(cmd(COM.QUERY, 'SELECT 1; SELECT 2'), 'resultset'),
    ]);
    assert.match(out[0]?.[0] ?? '', /^1:ff/, 'multi-statements off by default (ERR)');
    assert.equal(out[2]?.length, 10, 'two result sets once on');
    assert.match(out[4]?.[0] ?? '', /^1:ff/, 'off again');
  });

  void test('COM_STATISTICS returns the server\'s status string', T, async () => {
    for (const ep of [t.endpoint, t.direct]) {
      const c = await RawConn.login(ep, users.root.user, users.root.password);
      const [p] = await c.exchange(cmd(COM.STATISTICS), 'single');
      c.destroy();
      assert.match(p?.payload.toString() ?? '', /^Uptime: \d+ {2}Threads: \d+ {2}Questions: \d+/);
    }
  });

  void test('COM_QUIT: no reply, the connection and its backend session close', T, async () => {
    const who = 'odp_itest_quit';
    await directSql(`CREATE USER IF NOT EXISTS '${who}'@'%' IDENTIFIED BY 'quit_pw'`);
    try {
      const c = await RawConn.login(t.endpoint, who, 'quit_pw');
      assert.deepEqual(await c.exchange(cmd(COM.QUIT), 'none'), []);
      assert.deepEqual(await c.drainUntilClose(5000), []);
      const count = (): Promise<number> => directSql(`SELECT COUNT(*) AS n FROM information_schema.processlist WHERE user = '${who}'`)
        .then((r) => Number((r as { n: number }[])[0]?.n));
      assert.equal(await waitUntil(15_000, count, (n) => n === 0), 0);
    } finally {
      await directSql(`DROP USER IF EXISTS '${who}'@'%'`);
    }
  });
});
