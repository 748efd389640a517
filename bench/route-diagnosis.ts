// Micro bench: what route_diagnosis_level=2 adds to one partition-routed statement (spec §9), in-process and without
// sockets, so the figure does not drown in end-to-end noise. Level 0 runs the routing work alone (routeByPartition
// on the lab's KEY-partitioned t_key); level 2 adds every point the session records at level 2 for it (SQL_PARSE,
// ROUTE_INFO, LOCATION_CACHE_LOOKUP, TABLE_ENTRY_LOOKUP_DONE, PARTITION_ID_CALC_DONE, PARTITION_ENTRY_LOOKUP_DONE,
// ROUTE_POLICY, CONGESTION_CONTROL, HANDLE_RESPONSE) and the end of statement (a hit: no log line).
// `node dist/bench/route-diagnosis.js`; env BENCH_ITERATIONS (default 2,000,000).
import { defaultTopology } from '../lab/observer/default-topology.js';
import { partitionInfoOf } from '../lab/observer/validate.js';
import { ResponseTracker } from '../src/protocol/response.js';
import { Command } from '../src/protocol/constants.js';
import { RouteDiagnosis } from '../src/observe/route-diagnosis.js';
import { diagTableEntry } from '../src/route/location/diagnose.js';
import type { ReplicaLocation, TableEntry } from '../src/route/location/index.js';
import { routeByPartition } from '../src/route/router.js';
import { parseRoute } from '../src/route/sql/index.js';
import { beginStatement, diagDecision, diagLookup, diagResponse, finishStatement } from '../src/session/route-diagnose.js';
import type { SessionContext } from '../src/session/context.js';

const N = Number(process.env['BENCH_ITERATIONS'] ?? 2_000_000);

function entry(): TableEntry {
  const def = defaultTopology().tables.find((t) => t.name === 't_key')!;
  const info = partitionInfoOf(def);
  if (typeof info === 'string') throw new Error(info);
  const tablets = new Map<number, readonly ReplicaLocation[]>();
  for (const p of def.parts) tablets.set(p.tabletId, [{ server: `${p.leader}:2881`, role: 'leader', replicaType: 'FULL', dup: false }]);
  return {
    tenant: 'test', db: 'lab_db', table: 't_key', tableId: def.id, tableType: 3, partitioned: true, partNum: def.parts.length,
    duplicate: false, partInfo: info, partInfoError: null, tablets, state: 'avail', fetchedAt: 0, schemaVersion: null,
  };
}

function main(): void {
  const e = entry();
  const sql = 'SELECT v FROM t_key WHERE k = 13';
  const parse = parseRoute(sql);
  const params = { placeholders: [], userVars: new Map<string, string>() };
  const dg = new RouteDiagnosis();
  const tracker = new ResponseTracker();
  const ctx = { monitor: null } as unknown as SessionContext;
  const routing = { mode: 'oceanbase' as const, targetDbServer: '', alive: ['obs1:2881'], down: new Set<string>() };
  let sink = 0;
  const level0 = (): void => {
    const r = routeByPartition(e, parse, params, null);
    if (r.kind === 'leader') sink += r.tabletId;
  };
  const level2 = (): void => {
    beginStatement(dg, 2, false, Command.QUERY, sql, parse, false);
    const ri = dg.point('ROUTE_INFO') ? dg.lastIndex() : -1;
    diagLookup(dg, 'oceanbase', true);
    diagTableEntry(dg, 't_key', e, false, null);
    const r = routeByPartition(e, parse, params, dg);
    const key = r.kind === 'leader' ? r.server : 'obs1:2881';
    diagDecision(dg, ri, { key, reason: 'partition_leader', detail: null }, Command.QUERY, { kind: 'leader', key, detail: '' }, routing, false, false);
    diagResponse(dg, tracker);
    finishStatement(dg, ctx);
    if (r.kind === 'leader') sink += r.tabletId;
  };
  const time = (fn: () => void): number => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) fn();
    return Number(process.hrtime.bigint() - t0) / N;
  };
  for (let i = 0; i < 3; i++) {
    time(level0);
    time(level2);
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 5; i++) {
    a.push(time(level0));
    b.push(time(level2));
  }
  const med = (xs: number[]): number => [...xs].sort((x, y) => x - y)[2]!;
  const [n0, n2] = [med(a), med(b)];
  process.stdout.write(`route diagnosis, one partition-routed point select (median of 5 x ${N}):\n` +
    `  level 0: ${n0.toFixed(0)} ns (routeByPartition alone)\n  level 2: ${n2.toFixed(0)} ns (with the level-2 points)\n` +
    `  added by level 2: ${(n2 - n0).toFixed(0)} ns per statement${sink === 0 ? ' (no leader found!)' : ''}\n`);
}

main();
