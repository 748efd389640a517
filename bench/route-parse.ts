// Micro benchmark of the route SQL parser (tokenizer + classifier + extractor), cache OFF: every call is a
// full parse. The mix follows sysbench oltp_read_write with --db-ps-mode=disable (literal values) plus the
// prepared-statement texts, BEGIN/COMMIT and SET. Target (issue 4): >= 1,000,000 statements/s on one core.
// Run: node dist/bench/route-parse.js   (prints `route_parse: <n> stmts/s`)

import { pathToFileURL } from 'node:url';
import { parseRoute } from '../src/route/sql/index.js';

function digits(seed: number, groups: number): string {
  const parts: string[] = [];
  let x = seed;
  for (let g = 0; g < groups; g++) {
    let s = '';
    for (let k = 0; k < 11; k++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      s += String((x >>> 16) % 10);
    }
    parts.push(s);
  }
  return parts.join('-');
}

/** A deterministic OLTP statement mix (about the proportions of one sysbench read_write transaction). */
export function oltpMix(count = 2000): string[] {
  const out: string[] = [];
  for (let n = 0; out.length < count; n++) {
    const t = `sbtest${(n % 10) + 1}`;
    const id = 1 + ((n * 7919) % 100000);
    const c = digits(n, 10);
    const pad = digits(n + 1, 5);
    out.push('BEGIN');
    for (let k = 0; k < 10; k++) out.push(`SELECT c FROM ${t} WHERE id=${id + k}`);
    out.push(`SELECT c FROM ${t} WHERE id BETWEEN ${id} AND ${id + 99}`);
    out.push(`SELECT SUM(k) FROM ${t} WHERE id BETWEEN ${id} AND ${id + 99}`);
    out.push(`SELECT c FROM ${t} WHERE id BETWEEN ${id} AND ${id + 99} ORDER BY c`);
    out.push(`SELECT DISTINCT c FROM ${t} WHERE id BETWEEN ${id} AND ${id + 99} ORDER BY c`);
    out.push(`UPDATE ${t} SET k=k+1 WHERE id=${id}`);
    out.push(`UPDATE ${t} SET c='${c}' WHERE id=${id + 1}`);
    out.push(`DELETE FROM ${t} WHERE id=${id + 2}`);
    out.push(`INSERT INTO ${t} (id, k, c, pad) VALUES (${id + 2}, ${id % 5000}, '${c}', '${pad}')`);
    out.push('COMMIT');
    out.push(`SELECT c FROM ${t} WHERE id=?`);
    out.push(`INSERT INTO ${t} (id, k, c, pad) VALUES (?, ?, ?, ?)`);
    if (n % 4 === 0) out.push('SET autocommit=1');
    if (n % 8 === 0) out.push('SET NAMES utf8mb4');
  }
  // Statements reach the parser decoded from packet bytes (sequential strings), not as the concatenation
  // trees template literals build: decode them the same way so charCodeAt sees production strings.
  return out.slice(0, count).map((s) => Buffer.from(s, 'utf8').toString('utf8'));
}

/**
 * Parses the mix for ~durationMs. statementsPerSec is per CPU-second of this process (user + system, GC
 * threads included), i.e. per core, so a loaded machine does not understate it; wallPerSec is also reported.
 */
export function benchRouteParse(durationMs = 2000): { statementsPerSec: number; wallPerSec: number } {
  const stmts = oltpMix();
  let sink = 0;
  for (let w = 0; w < 50000; w++) sink += parseRoute(stmts[w % stmts.length]!).placeholderCount; // warm up
  let done = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(durationMs) * 1_000_000n;
  let now = t0;
  while (now < deadline) {
    for (let k = 0; k < stmts.length; k++) sink += parseRoute(stmts[k]!).conditions.length;
    done += stmts.length;
    now = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(cpu0);
  const wallPerSec = Math.round(done / (Number(now - t0) / 1e9));
  const statementsPerSec = Math.round(done / ((cpu.user + cpu.system) / 1e6));
  const scanNs = calibrationNs(stmts);
  if (sink < 0) console.log(sink);
  console.log(`route_parse: ${statementsPerSec} stmts/s (per CPU-second; wall clock ${wallPerSec} stmts/s)`);
  console.log(`route_parse_calibration: a bare charCodeAt loop over the same statements takes ${scanNs.toFixed(0)} ns/stmt ` +
    `on this machine; one parse costs ${(1e9 / statementsPerSec / scanNs).toFixed(1)}x that`);
  return { statementsPerSec, wallPerSec };
}

/** CPU ns per statement of the cheapest possible pass over the text: a machine-speed yardstick. */
function calibrationNs(stmts: string[]): number {
  let best = Infinity;
  let x = 0;
  for (let round = 0; round < 5; round++) {
    const c0 = process.cpuUsage();
    for (let rep = 0; rep < 100; rep++) {
      for (const s of stmts) for (let i = 0; i < s.length; i++) x += s.charCodeAt(i);
    }
    const c = process.cpuUsage(c0);
    best = Math.min(best, ((c.user + c.system) * 1000) / (100 * stmts.length));
  }
  if (x < 0) console.log(x);
  return best;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) benchRouteParse();
