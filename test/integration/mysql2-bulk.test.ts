// mysql2 bulk transfers through the real proxy: a 1,000,000-row streamed result set, a 20 MiB BLOB (more than
// one 16 MiB protocol packet each way) and LOAD DATA LOCAL INFILE; the backend computes the oracle checksums.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { core, directSql, openTarget, withConn, assertProxyServes, type Target } from './target.js';

const DB = 'odp_itest_bulk';

let t: Target;

before(async () => {
  t = await openTarget();
  await directSql(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB}; ` +
    `CREATE TABLE ${DB}.blobs (id INT PRIMARY KEY, b LONGBLOB); ` +
    `CREATE TABLE ${DB}.loaded (id INT PRIMARY KEY, s VARCHAR(200), n BIGINT)`);
});
after(async () => {
  await directSql(`DROP DATABASE IF EXISTS ${DB}`);
  await t.stop();
});

const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');

void describe('mysql2 bulk transfers through the proxy', () => {
  void test('streams 1,000,000 rows; count and checksum equal the backend\'s', { timeout: 120_000 }, async () => {
    const sql = `SELECT seq, CONCAT('row-', seq, '-', MD5(seq)) AS s FROM ${DB}.seq_1_to_1000000`;
    const oracle = (await directSql(`SELECT COUNT(*) AS n, SUM(seq) AS sum, BIT_XOR(CRC32(s)) AS x FROM (${sql}) q`)) as RowDataPacket[];
    const got = await withConn(t.endpoint, {}, async (c) => {
      let n = 0;
      let sum = 0;
      let x = 0;
      let ordered = true;
      await new Promise<void>((resolve, reject) => {
        const stream = core(c).query(sql).stream({ highWaterMark: 256 });
        stream.on('data', (row: { seq: number; s: string }) => {
          n++;
          if (row.seq !== n) ordered = false;
          sum += row.seq;
          x = (x ^ crc32(row.s)) >>> 0;
        });
        stream.once('end', () => resolve());
        stream.once('error', reject);
      });
      return { n, sum, x, ordered };
    });
    assert.equal(got.n, 1_000_000);
    assert.ok(got.ordered, 'rows arrive in sequence order');
    assert.equal(got.n, Number(oracle[0]?.['n']));
    assert.equal(got.sum, Number(oracle[0]?.['sum']));
    assert.equal(got.x, Number(oracle[0]?.['x']));
  });

  void test('20 MiB BLOB round trip with execute and with query', { timeout: 120_000 }, async () => {
    const blob = randomBytes(20 * 1024 * 1024);
    const want = sha1(blob);
    const read = await withConn(t.endpoint, { database: DB }, async (c) => {
      await c.execute('INSERT INTO blobs VALUES (?, ?)', [1, blob]);
      await c.query('INSERT INTO blobs VALUES (?, ?)', [2, blob]);
      const bin = (await c.execute<RowDataPacket[]>('SELECT b FROM blobs WHERE id = ?', [1]))[0][0]?.['b'] as Buffer;
      const txt = (await c.query<RowDataPacket[]>('SELECT b FROM blobs WHERE id = 2'))[0][0]?.['b'] as Buffer;
      return [sha1(bin), sha1(txt), bin.length, txt.length];
    });
    assert.deepEqual(read, [want, want, blob.length, blob.length]);
    // What the backend stored, computed by the backend.
    assert.deepEqual(await directSql(`SELECT id, SHA1(b) AS h, LENGTH(b) AS n FROM ${DB}.blobs ORDER BY id`),
      [{ id: 1, h: want, n: blob.length }, { id: 2, h: want, n: blob.length }]);
  });

  void test('LOAD DATA LOCAL INFILE streams a 5 MB file', { timeout: 60_000 }, async () => {
    const lines: string[] = [];
    let bytes = 0;
    let longest = 0;
    for (let i = 1; bytes < 5 * 1024 * 1024; i++) {
      const s = `value-${i}-${'é'.repeat(i % 60)}`;
      const line = `${i}\t${s}\t${i * 3}\n`;
      lines.push(line);
      bytes += Buffer.byteLength(line);
      longest = Math.max(longest, s.length);
    }
    const file = Buffer.from(lines.join(''));
    let asked = '';
    const res = await withConn(t.endpoint, { database: DB }, async (c) => {
      const [r] = await c.query<ResultSetHeader>({
        sql: "LOAD DATA LOCAL INFILE 'generated.tsv' INTO TABLE loaded CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t'",
        infileStreamFactory: (path: string) => {
          asked = path;
          // Many small chunks: the upload spans many packets.
          return Readable.from((function* () {
            for (let o = 0; o < file.length; o += 50_000) yield file.subarray(o, o + 50_000);
          })());
        },
      });
      const after = (await c.query<RowDataPacket[]>('SELECT 1 AS alive'))[0];
      return { affected: r.affectedRows, warnings: r.warningStatus, after };
    });
    assert.equal(asked, 'generated.tsv');
    assert.deepEqual(res, { affected: lines.length, warnings: 0, after: [{ alive: 1 }] });
    const sumN = (lines.length * (lines.length + 1) / 2) * 3;
    assert.deepEqual(await directSql(`SELECT COUNT(*) AS c, SUM(n) AS s, MAX(CHAR_LENGTH(s)) AS m FROM ${DB}.loaded`),
      [{ c: lines.length, s: String(sumN), m: longest }]);
  });

  void test('LOAD DATA LOCAL INFILE of a file the client cannot open: error, session usable', { timeout: 30_000 }, async () => {
    const run = (ep: typeof t.endpoint): Promise<unknown> => withConn(ep, { database: DB }, async (c) => {
      let err: unknown = null;
      try {
        await c.query({
          sql: "LOAD DATA LOCAL INFILE 'missing.tsv' INTO TABLE loaded",
          infileStreamFactory: () => new Readable({ read() { this.destroy(new Error('no such file')); } }),
        });
      } catch (e) {
        err = (e as { code?: string }).code ?? 'error';
      }
      return [err, (await c.query('SELECT 2 AS alive'))[0]];
    });
    const p = await run(t.endpoint);
    assert.deepEqual(p, await run(t.direct));
    assert.deepEqual((p as unknown[])[1], [{ alive: 2 }]);
  });

  void test('the proxy still serves new clients', { timeout: 30_000 }, async () => {
    await assertProxyServes(t);
  });
});
