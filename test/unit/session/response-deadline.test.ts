// The response deadline (spec §6.1) with real timers: a request answered in time never times out, one left
// unanswered times out after the limit and not before, and the lazy timer armed by an earlier request never cuts a
// later one short. The limit is MySQL's max_execution_time (ms) plus observer_query_timeout_delta (0 here).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseDeadline, type DeadlineHost } from '../../../src/session/response-deadline.js';
import { SessionState } from '../../../src/session/state.js';
import type { SessionContext } from '../../../src/session/context.js';
import type { ServerSession } from '../../../src/session/server-session.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const LIMIT = 300;

function setup(): { d: ResponseDeadline; fired: { at: number; limit: number }[]; ss: ServerSession } {
  const sstate = new SessionState();
  sstate.setSysVar('max_execution_time', String(LIMIT));
  const fired: { at: number; limit: number }[] = [];
  const host: DeadlineHost = {
    ctx: { obMode: () => false, settings: { queryTimeoutDeltaMs: 0 } } as unknown as SessionContext,
    sstate,
    guard: (fn) => fn(),
    onResponseTimeout: (_ss, limit) => { fired.push({ at: performance.now(), limit }); },
  };
  return { d: new ResponseDeadline(host), fired, ss: { key: 's1' } as unknown as ServerSession };
}

describe('response deadline', () => {
  test('answered in time: no timeout; unanswered: a timeout after the limit, not before', async () => {
    const { d, fired, ss } = setup();
    d.start(ss, performance.now());
    await sleep(20);
    d.clear();
    await sleep(LIMIT + 100);
    assert.equal(fired.length, 0, 'an answered request never times out');
    const sent = performance.now();
    d.start(ss, sent);
    await sleep(LIMIT + 200);
    assert.equal(fired.length, 1);
    assert.equal(fired[0]!.limit, LIMIT);
    assert.ok(fired[0]!.at - sent >= LIMIT - 1, `fired ${fired[0]!.at - sent} ms after sending`);
    d.dispose();
  });

  test('a timer armed by an earlier request does not cut a later one short', async () => {
    const { d, fired, ss } = setup();
    d.start(ss, performance.now()); // arms the timer for LIMIT
    await sleep(10);
    d.clear();
    await sleep(150);
    const sent = performance.now();
    d.start(ss, sent); // the earlier timer fires about 150 ms from now and must re-arm for what is left
    await sleep(LIMIT - 100);
    assert.deepEqual(fired, [], 'still inside the second request\'s limit');
    d.clear();
    await sleep(LIMIT);
    assert.deepEqual(fired, []);
    d.dispose();
  });

  test('dispose cancels the timer: nothing fires after the session closed', async () => {
    const { d, fired, ss } = setup();
    d.start(ss, performance.now());
    d.dispose();
    await sleep(LIMIT + 100);
    assert.deepEqual(fired, []);
  });
});
