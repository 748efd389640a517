// LocationCache state machine (spec §3.7): one in-flight fetch per key, dirty entries stay usable and are
// refetched at most once per delay_update_entry_interval, expiry with jitter, failures, LRU bound.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { LocationCache, type MetaQuery, type MetaResult, type TableEntry } from '../../../src/route/location/index.js';
import { Logger } from '../../../src/observe/log.js';
import { deferred, EMPTY, resultSet } from './helpers.js';

/** One leader row of a non-partitioned table on `ip`. */
const located = (ip: string, tableId = 500001): MetaResult =>
  resultSet(['table_id', 'tablet_id', 'svr_ip', 'sql_port', 'role', 'part_num', 'schema_version'], [[tableId, 200001, ip, 2881, 1, 1, 7]]);

interface Harness {
  cache: LocationCache;
  clock: { now: number };
  logs: string[];
}

function harness(opts: { expireMs?: number; minRefreshMs?: number; maxEntries?: number; random?: number } = {}): Harness {
  const clock = { now: 1_000_000 };
  const logs: string[] = [];
  const cache = new LocationCache({
    expireMs: () => opts.expireMs ?? 0,
    minRefreshIntervalMs: () => opts.minRefreshMs ?? 5000,
    log: new Logger(7, (l) => logs.push(l)),
    now: () => clock.now,
    random: () => opts.random ?? 0.5,
    ...(opts.maxEntries === undefined ? {} : { maxEntries: opts.maxEntries }),
  });
  return { cache, clock, logs };
}

/** A MetaQuery whose every answer is released by the test; counts statements. */
function gated(): { query: MetaQuery; calls: string[]; release: (r: MetaResult | Error) => void } {
  const calls: string[] = [];
  const gates: ReturnType<typeof deferred<MetaResult>>[] = [];
  return {
    calls,
    query: (sql) => {
      calls.push(sql);
      const d = deferred<MetaResult>();
      gates.push(d);
      return d.promise;
    },
    release: (r) => {
      const d = gates.shift();
      if (d === undefined) throw new Error('no pending statement');
      if (r instanceof Error) d.reject(r);
      else d.resolve(r);
    },
  };
}

const counting = (answer: () => MetaResult): { query: MetaQuery; calls: string[] } => {
  const calls: string[] = [];
  return { calls, query: async (sql) => { calls.push(sql); return answer(); } };
};

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('one in-flight fetch per key', () => {
  test('concurrent fetches join: one statement, one entry object; building -> avail', async () => {
    const { cache } = harness();
    const g = gated();
    assert.equal(cache.get('test', 'db', 't'), undefined);
    const a = cache.fetch('test', 'db', 't', g.query);
    const b = cache.fetch('test', 'db', 't', g.query);
    assert.equal(a, b);
    assert.equal(cache.stateOf('test', 'db', 't'), 'building');
    assert.equal(cache.get('test', 'db', 't'), undefined, 'nothing usable while building');
    await tick();
    assert.equal(g.calls.length, 1);
    g.release(located('127.0.0.2'));
    const [ea, eb] = await Promise.all([a, b]);
    assert.ok(ea !== null);
    assert.equal(ea, eb);
    assert.equal(ea.state, 'avail');
    assert.equal(cache.get('test', 'db', 't'), ea);
    assert.equal(cache.stateOf('test', 'db', 't'), 'avail');
    assert.deepEqual([...cache.entries()], [ea]);
    assert.equal(cache.fetches, 1);
  });

  test('different keys fetch separately', async () => {
    const { cache } = harness();
    const q = counting(() => located('127.0.0.2'));
    const [x, y] = await Promise.all([cache.fetch('test', 'db', 'a', q.query), cache.fetch('test', 'db', 'b', q.query)]);
    assert.equal(q.calls.length, 2);
    assert.notEqual(x, y);
    assert.ok(q.calls[0]!.includes("A.table_name = 'a'") && q.calls[1]!.includes("A.table_name = 'b'"));
  });

  test('a fresh entry answers a late fetch without a statement', async () => {
    const { cache, clock } = harness({ minRefreshMs: 5000 });
    const q = counting(() => located('127.0.0.2'));
    const e = await cache.fetch('test', 'db', 't', q.query);
    clock.now += 4999;
    assert.equal(await cache.fetch('test', 'db', 't', q.query), e);
    assert.equal(q.calls.length, 1);
    clock.now += 1;
    const e2 = await cache.fetch('test', 'db', 't', q.query);
    assert.equal(q.calls.length, 2, 'an explicit fetch of an entry older than the interval refreshes it');
    assert.notEqual(e2, e);
    assert.equal(e?.state, 'deleted');
  });
});

describe('invalidate -> dirty -> refetch', () => {
  test('dirty entries stay usable; the refetch is rate-limited and forced; the old entry is replaced', async () => {
    const { cache, clock, logs } = harness({ minRefreshMs: 5000 });
    let ip = '127.0.0.2';
    const q = counting(() => located(ip));
    const e1 = await cache.fetch('test', 'db', 't', q.query);
    assert.ok(e1 !== null);
    cache.invalidate('test', 'db', 't', 'partition miss (ob_proxy_partition_hit=0)');
    assert.equal(e1.state, 'dirty');
    assert.equal(cache.get('test', 'db', 't'), e1, 'stale but usable');
    assert.ok(logs.some((l) => l.includes('marked dirty: partition miss')));
    ip = '127.0.0.3';
    clock.now += 1000;
    assert.equal(await cache.fetch('test', 'db', 't', q.query), e1, 'within delay_update_entry_interval: no refetch');
    assert.equal(q.calls.length, 1);
    clock.now += 4000;
    const g = gated();
    const p = cache.fetch('test', 'db', 't', g.query);
    assert.equal(e1.state, 'updating');
    assert.equal(cache.get('test', 'db', 't'), e1, 'usable while updating');
    await tick();
    assert.match(g.calls[0]!, /FORCE_REFRESH_LOCATION_CACHE/);
    g.release(located('127.0.0.3'));
    const e2 = await p;
    assert.ok(e2 !== null && e2 !== e1);
    assert.equal(e1.state, 'deleted');
    assert.equal(e2.state, 'avail');
    assert.equal(e2.tablets.get(200001)?.[0]?.server, '127.0.0.3:2881');
    assert.equal(cache.get('test', 'db', 't'), e2);
  });

  test('an invalidation during the fetch makes the new entry start dirty', async () => {
    const { cache } = harness({ minRefreshMs: 0 });
    const g = gated();
    const p = cache.fetch('test', 'db', 't', g.query);
    cache.invalidate('test', 'db', 't', 'OB_NOT_MASTER');
    await tick();
    g.release(located('127.0.0.2'));
    const e = await p;
    assert.equal(e?.state, 'dirty');
    assert.equal(cache.get('test', 'db', 't'), e);
  });

  test('invalidating an unknown key or a dirty entry changes nothing', async () => {
    const { cache, logs } = harness();
    cache.invalidate('test', 'db', 'nope', 'x');
    assert.equal(cache.stateOf('test', 'db', 'nope'), undefined);
    const e = await cache.fetch('test', 'db', 't', counting(() => located('127.0.0.2')).query);
    cache.invalidate('test', 'db', 't', 'first');
    cache.invalidate('test', 'db', 't', 'second');
    assert.equal(e?.state, 'dirty');
    assert.equal(logs.filter((l) => l.includes('marked dirty')).length, 1);
  });

  test('invalidateTenant marks only that tenant', async () => {
    const { cache } = harness();
    const q = counting(() => located('127.0.0.2'));
    const a = await cache.fetch('t1', 'db', 'x', q.query);
    const b = await cache.fetch('t2', 'db', 'x', q.query);
    cache.invalidateTenant('t1', 'locality change');
    assert.equal(a?.state, 'dirty');
    assert.equal(b?.state, 'avail');
  });

  test('a failed refetch keeps the old entry usable (dirty)', async () => {
    const { cache, clock } = harness({ minRefreshMs: 100 });
    const e = await cache.fetch('test', 'db', 't', counting(() => located('127.0.0.2')).query);
    cache.invalidate('test', 'db', 't', 'miss');
    clock.now += 100;
    await assert.rejects(cache.fetch('test', 'db', 't', () => Promise.reject(new Error('lost connection'))), /table entry: lost connection/);
    assert.equal(e?.state, 'dirty');
    assert.equal(cache.get('test', 'db', 't'), e);
    assert.equal(cache.failures, 1);
  });

  test('a table that disappears on refetch is deleted', async () => {
    const { cache, clock } = harness({ minRefreshMs: 0 });
    const e = await cache.fetch('test', 'db', 't', counting(() => located('127.0.0.2')).query);
    clock.now += 1;
    assert.equal(await cache.fetch('test', 'db', 't', counting(() => EMPTY).query), null);
    assert.equal(e?.state, 'deleted');
    assert.equal(cache.get('test', 'db', 't'), undefined);
    assert.deepEqual([...cache.entries()], []);
  });
});

describe('failures and missing tables are remembered for the refresh interval', () => {
  test('a failed first fetch rejects one-line; repeats within the interval reject without a statement', async () => {
    const { cache, clock, logs } = harness({ minRefreshMs: 5000 });
    const calls: string[] = [];
    const bad: MetaQuery = async (sql) => {
      calls.push(sql);
      return { kind: 'err', errno: 4012, sqlState: 'HY000', message: 'Timeout,\nplease retry' };
    };
    await assert.rejects(cache.fetch('test', 'db', 't', bad), (e: Error) => /ERROR 4012/.test(e.message) && !e.message.includes('\n'));
    assert.equal(cache.stateOf('test', 'db', 't'), undefined);
    assert.ok(logs.some((l) => l.includes('WARN') && l.includes('ERROR 4012')));
    clock.now += 4999;
    await assert.rejects(cache.fetch('test', 'db', 't', bad), /ERROR 4012/);
    assert.equal(calls.length, 1);
    clock.now += 1;
    const e = await cache.fetch('test', 'db', 't', counting(() => located('127.0.0.2')).query);
    assert.equal(e?.state, 'avail');
  });

  test('no such table: null, remembered for the interval, not listed', async () => {
    const { cache, clock } = harness({ minRefreshMs: 5000 });
    const q = counting(() => EMPTY);
    assert.equal(await cache.fetch('test', 'db', 'ghost', q.query), null);
    assert.equal(await cache.fetch('test', 'db', 'ghost', q.query), null);
    assert.equal(q.calls.length, 1);
    assert.equal(cache.get('test', 'db', 'ghost'), undefined);
    assert.deepEqual([...cache.entries()], []);
    clock.now += 5000;
    assert.equal(await cache.fetch('test', 'db', 'ghost', q.query), null);
    assert.equal(q.calls.length, 2);
  });
});

describe('expiry', () => {
  test('an entry expires at fetchedAt + period * (0.5 + random/2)', async () => {
    const { cache, clock } = harness({ expireMs: 1000, minRefreshMs: 0, random: 0 });
    const q = counting(() => located('127.0.0.2'));
    const e = await cache.fetch('test', 'db', 't', q.query);
    clock.now += 499;
    assert.equal(cache.get('test', 'db', 't'), e);
    clock.now += 1;
    assert.equal(cache.get('test', 'db', 't'), undefined, 'expired after period/2 with random 0');
    const e2 = await cache.fetch('test', 'db', 't', q.query);
    assert.equal(q.calls.length, 2);
    assert.notEqual(e2, e);
    assert.equal(cache.get('test', 'db', 't'), e2);
  });

  test('the jitter reaches the full period; 0 never expires', async () => {
    const late = harness({ expireMs: 1000, random: 0.999999 });
    const e = await late.cache.fetch('test', 'db', 't', counting(() => located('127.0.0.2')).query);
    late.clock.now += 999;
    assert.equal(late.cache.get('test', 'db', 't'), e);
    late.clock.now += 1;
    assert.equal(late.cache.get('test', 'db', 't'), undefined);
    const never = harness({ expireMs: 0 });
    const e2 = await never.cache.fetch('test', 'db', 't', counting(() => located('127.0.0.2')).query);
    never.clock.now += 365 * 86_400_000;
    assert.equal(never.cache.get('test', 'db', 't'), e2);
  });

  test('an expired entry is refetched even inside the refresh interval', async () => {
    const { cache, clock } = harness({ expireMs: 100, minRefreshMs: 60_000, random: 0 });
    const q = counting(() => located('127.0.0.2'));
    await cache.fetch('test', 'db', 't', q.query);
    clock.now += 50;
    await cache.fetch('test', 'db', 't', q.query);
    assert.equal(q.calls.length, 2);
  });

  test('expireFetchedBefore (partition_location_expire_relative_time)', async () => {
    const { cache, clock } = harness();
    const e = await cache.fetch('test', 'db', 't', counting(() => located('127.0.0.2')).query);
    cache.expireFetchedBefore(clock.now);
    assert.equal(cache.get('test', 'db', 't'), e, 'fetched at the cutoff: kept');
    cache.expireFetchedBefore(clock.now + 1);
    assert.equal(cache.get('test', 'db', 't'), undefined);
  });
});

describe('capacity', () => {
  test('least recently used entries beyond maxEntries are deleted', async () => {
    const { cache } = harness({ maxEntries: 2 });
    const q = counting(() => located('127.0.0.2'));
    const a = await cache.fetch('test', 'db', 'a', q.query);
    const b = await cache.fetch('test', 'db', 'b', q.query);
    assert.equal(cache.get('test', 'db', 'a'), a); // a is now the most recently used
    const c = await cache.fetch('test', 'db', 'c', q.query);
    assert.equal(cache.size, 2);
    assert.equal(b?.state, 'deleted');
    assert.equal(cache.get('test', 'db', 'b'), undefined);
    assert.equal(cache.get('test', 'db', 'a'), a);
    assert.deepEqual(new Set<TableEntry | null>([...cache.entries()]), new Set([a, c]));
  });

  test('slots with a fetch in flight are not evicted', async () => {
    const { cache } = harness({ maxEntries: 1 });
    const g = gated();
    const p = cache.fetch('test', 'db', 'a', g.query);
    const q = counting(() => located('127.0.0.3'));
    const b = await cache.fetch('test', 'db', 'b', q.query);
    assert.equal(b?.state, 'deleted', 'the only other slot was busy, so the newcomer gave way');
    await tick();
    g.release(located('127.0.0.2'));
    const a = await p;
    assert.equal(cache.get('test', 'db', 'a'), a);
  });
});
