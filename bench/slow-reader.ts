// Memory soak (issue 2, "Done when"): a client reads a large result set through the proxy at about 1 MiB/s.
// The client stops reading its socket whenever it is ahead of the rate (mysql2's row stream pauses the socket
// when its 64-row buffer is full), so the only thing that can keep the proxy's memory flat is TCP backpressure
// travelling client → proxy → MariaDB. The proxy's VmRSS is sampled every second; PASS when max − baseline
// < 64 MiB. Each row is one 1024-byte packet on the wire, so --gib 1 reads 1,048,576 rows (~17 min at 1 MiB/s);
// --gib 0.1 takes ~100 s.
// Usage: node dist/bench/slow-reader.js [--gib 1] [--rate-mib 1] [--target proxy|null_relay]
// (--target null_relay runs the same soak through bench/null-relay.ts, as a reference.)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import mysql from 'mysql2';
import { stopAll } from './children.js';
import { rssKiB } from './procstat.js';
import type { MariadbInstance } from '../lab/mariadb.js';
import { requireTools, startBenchMariadb, startNullRelay, startProxy } from './targets.js';

const MiB = 1024 * 1024;
const ROW_WIRE_BYTES = 1024; // 4-byte header + 3-byte length prefix + 1017 bytes of text
const LIMIT_MIB = 64;

interface Sample {
  readonly seconds: number;
  readonly rssMiB: number;
  readonly readMiB: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

type Target = 'proxy' | 'null_relay';

function options(): { gib: number; rateMib: number; target: Target } {
  const { values } = parseArgs({ options: {
    gib: { type: 'string', default: '1' }, 'rate-mib': { type: 'string', default: '1' }, target: { type: 'string', default: 'proxy' },
  } });
  const target = values.target;
  if (target !== 'proxy' && target !== 'null_relay') throw new Error('--target must be proxy or null_relay');
  const gib = Number(values.gib);
  const rateMib = Number(values['rate-mib']);
  if (!(gib > 0) || !(rateMib > 0)) throw new Error('--gib and --rate-mib must be positive numbers');
  return { gib, rateMib, target };
}

/** Reads every row of `sql` no faster than `rateBytes` per second; resolves with the row count. */
async function slowRead(conn: mysql.Connection, sql: string, rateBytes: number, onBytes: (n: number) => void): Promise<number> {
  const stream = conn.query(sql).stream({ highWaterMark: 64 });
  const start = Date.now();
  let bytes = 0;
  let rows = 0;
  for await (const row of stream as AsyncIterable<{ pad: string }>) {
    rows++;
    bytes += row.pad.length + (ROW_WIRE_BYTES - 1017);
    onBytes(bytes);
    const ahead = bytes / rateBytes - (Date.now() - start) / 1000;
    if (ahead > 0.02) await sleep(ahead * 1000);
  }
  return rows;
}

function proxyRssMiB(pid: number): number {
  try {
    return rssKiB(pid) / 1024;
  } catch {
    return Number.NaN; // the proxy is gone; the read fails and says so
  }
}

async function soak(mariadbPort: number, gib: number, rateMib: number, target: Target): Promise<boolean> {
  const proxy = target === 'proxy' ? await startProxy(mariadbPort) : await startNullRelay(mariadbPort);
  const conn = mysql.createConnection({ host: '127.0.0.1', port: proxy.port, user: 'root', password: '', database: 'odp_test' });
  conn.on('error', () => undefined); // a failure mid-read surfaces through the row stream
  try {
    await conn.promise().query('SELECT 1');
    const before: number[] = [];
    for (let i = 0; i < 3; i++) {
      before.push(proxyRssMiB(proxy.pid));
      await sleep(1000);
    }
    const baseline = before.sort((a, b) => a - b)[1]!;
    const rows = Math.round(gib * MiB);
    const t0 = Date.now();
    let readBytes = 0;
    const samples: Sample[] = [];
    const timer = setInterval(() => {
      const s = { seconds: (Date.now() - t0) / 1000, rssMiB: proxyRssMiB(proxy.pid), readMiB: readBytes / MiB };
      samples.push(s);
      if (samples.length % 10 === 0) process.stderr.write(`  ${s.seconds.toFixed(0)} s: read ${s.readMiB.toFixed(1)} MiB, ${target} RSS ${s.rssMiB.toFixed(1)} MiB\n`);
    }, 1000);
    process.stderr.write(`slow-reader: reading ${rows} rows (${(rows * ROW_WIRE_BYTES / MiB).toFixed(0)} MiB) at ${rateMib} MiB/s through the ${target} (pid ${proxy.pid}); baseline RSS ${baseline.toFixed(1)} MiB\n`);
    let got: number;
    try {
      got = await slowRead(conn, `SELECT REPEAT('x', 1017) AS pad FROM seq_1_to_${rows}`, rateMib * MiB, (n) => (readBytes = n));
    } finally {
      clearInterval(timer);
    }
    const seconds = (Date.now() - t0) / 1000;
    const max = Math.max(baseline, ...samples.map((s) => s.rssMiB));
    const rise = max - baseline;
    const pass = got === rows && rise < LIMIT_MIB;
    const report = { date: new Date().toISOString(), target, gib, rateMib, rows, rowsRead: got, seconds, baselineMiB: baseline, maxMiB: max, riseMiB: rise, limitMiB: LIMIT_MIB, pass, samples };
    const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `slow-reader-${report.date.replace(/[:.]/g, '-')}.json`), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`slow-reader: ${got}/${rows} rows, ${(readBytes / MiB).toFixed(0)} MiB in ${seconds.toFixed(0)} s (${(readBytes / MiB / seconds).toFixed(2)} MiB/s)\n`);
    process.stdout.write(`slow-reader: ${target} RSS baseline ${baseline.toFixed(1)} MiB, max ${max.toFixed(1)} MiB, rise ${rise.toFixed(1)} MiB (limit ${LIMIT_MIB}) -> ${pass ? 'PASS' : 'FAIL'}\n`);
    return pass;
  } finally {
    conn.destroy();
  }
}

let db: MariadbInstance | null = null;

async function cleanup(): Promise<void> {
  await stopAll();
  if (db?.started === true) await db.stop();
  db = null;
}

process.once('SIGINT', () => {
  void cleanup().finally(() => process.exit(130));
});

async function main(): Promise<boolean> {
  const o = options();
  await requireTools(['mariadbd']);
  db = await startBenchMariadb();
  try {
    return await soak(db.port, o.gib, o.rateMib, o.target);
  } finally {
    await cleanup();
  }
}

main().then((ok) => process.exit(ok ? 0 : 1), async (e: unknown) => {
  await cleanup();
  process.stdout.write(`slow-reader: failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
