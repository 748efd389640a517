// The bench's sysbench report parser against output captured from a real sysbench 1.0.20 run
// (test/fixtures/bench/); the oracle is sysbench's own summary lines and hand-counted histograms.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSysbench, percentile } from '../../../bench/sysbench.js';

const FIXTURE = new URL('../../../../test/fixtures/bench/sysbench-1.0.20-point-select.txt', import.meta.url);

void describe('bench sysbench parser', () => {
  void test('reads counts and rates from a real report', () => {
    const r = parseSysbench(readFileSync(FIXTURE, 'utf8'));
    assert.equal(r.queries, 3918);
    assert.equal(r.qps, 3870.81);
    assert.equal(r.events, 3918);
    assert.equal(r.errors, 0);
    assert.equal(r.reconnects, 0);
    assert.equal(r.reportedP99Ms, 5.67);
  });

  void test('the histogram p99 is the bucket sysbench itself reported', () => {
    const r = parseSysbench(readFileSync(FIXTURE, 'utf8'));
    assert.ok(Math.abs(r.p99Ms - r.reportedP99Ms) < 0.006, `${r.p99Ms} vs ${r.reportedP99Ms}`);
    assert.ok(r.p50Ms > 0.11 && r.p50Ms < r.p99Ms);
  });

  void test('percentile takes the first bucket whose cumulative count reaches the share', () => {
    const b: [number, number][] = [[0.1, 10], [0.2, 40], [0.3, 49], [5, 1]];
    assert.equal(percentile(b, 50), 0.2); // 50th of 100 events falls in the 0.2 bucket (cumulative 50)
    assert.equal(percentile(b, 51), 0.3);
    assert.equal(percentile(b, 99), 0.3);
    assert.equal(percentile(b, 100), 5);
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  void test('a report without a histogram is rejected', () => {
    assert.throws(() => parseSysbench('queries: 10 (1.00 per sec.)\n'), /histogram/);
  });
});
