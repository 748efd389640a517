// The `odp` command line as a user meets it (issue 2, scope 5): every failure is one clear stderr line and a
// non-zero exit, never a stack trace. Runs the real CLI process; needs no proxy instance of its own.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { CLI, backendA, freePort } from './harness.js';
import { DIRECT_MODE } from './target.js';

const T = { timeout: 30_000, skip: DIRECT_MODE ? 'needs the odp CLI' : false };

interface Exit { code: number | null; signal: string | null; stdout: string; stderr: string }

/** Runs `odp <args>` to completion (killed after 15 s: a failure case that keeps running fails the test). */
function odp(args: readonly string[]): Promise<Exit> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, signal: err?.signal ?? null, stdout, stderr });
    });
  });
}

const backend = (): string => `${backendA().host}:${backendA().port}`;

/** Non-zero exit of its own accord, exactly one stderr line, no stack trace; returns that line. */
function oneLineFailure(r: Exit): string {
  assert.equal(r.signal, null, `odp did not exit by itself (killed by ${r.signal ?? ''}); output:\n${r.stdout}${r.stderr}`);
  assert.notEqual(r.code, 0, `expected a non-zero exit; stderr:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `exactly one stderr line, got:\n${r.stderr}`);
  return lines[0] ?? '';
}

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

void describe('odp command line', () => {
  void test('-V prints a version and exits 0', T, async () => {
    const r = await odp(['-V']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\b\d+\.\d+\.\d+\b/);
    assert.equal(r.stderr, '');
  });

  void test('-h prints usage naming the obproxy flags and exits 0', T, async () => {
    const r = await odp(['-h']);
    assert.equal(r.code, 0, r.stderr);
    for (const flag of ['-p', '-l', '-o', '-n', '-r', '-c', '-N', '-V', '--config']) assert.ok(r.stdout.includes(flag), flag);
  });

  void test('a bad flag: one stderr line, non-zero exit', T, async () => {
    const line = oneLineFailure(await odp(['--no-such-flag']));
    assert.match(line, /no-such-flag/);
    oneLineFailure(await odp(['-p', 'not-a-port', '-r', backend()]));
  });

  void test("a busy port: one line 'address already in use', non-zero exit", T, async () => {
    const port = await freePort();
    const blocker = await listenOn(port);
    try {
      const line = oneLineFailure(await odp(['-N', '-p', String(port), '-r', backend(), '-o', 'server_routing_mode=mysql,local_bound_ip=127.0.0.1']));
      assert.match(line, /address already in use/);
      assert.ok(line.includes(String(port)), line);
    } finally {
      blocker.close();
    }
  });

  void test('an unreachable backend: one line naming it, non-zero exit', T, async () => {
    const port = await freePort();
    const line = oneLineFailure(await odp(['-N', '-p', String(port), '-r', '127.0.0.1:1', '-o', 'server_routing_mode=mysql,local_bound_ip=127.0.0.1']));
    assert.ok(line.includes('127.0.0.1:1'), line);
  });

  void test('an unknown parameter in -o: one line naming it, non-zero exit', T, async () => {
    const port = await freePort();
    const line = oneLineFailure(await odp(['-N', '-p', String(port), '-r', backend(), '-o', 'server_routing_mode=mysql,no_such_param=1']));
    assert.ok(line.includes('no_such_param'), line);
  });
});
