// Log files of spec §10 in a temp dir: queueing and drop counting, rotation to <name>.YYYYMMDDHHMMSS, clean-up by
// count, age and directory size, parameters following the configuration.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProxyConfig } from '../../../src/config/config.js';
import { LogFiles, logDirectory } from '../../../src/observe/log-files.js';
import { planCleanup } from '../../../src/observe/log-cleanup.js';
import type { LogDirEntry } from '../../../src/observe/log-cleanup.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'odp-observe-test-'));
}

const ARCHIVE = /^obproxy_digest\.log\.(\d{14})(?:\.(\d+))?$/;

/** Archives of obproxy_digest.log in rotation order, then the current file. */
function digestFiles(dir: string): string[] {
  const archives = readdirSync(dir).filter((n) => ARCHIVE.test(n)).sort((a, b) => {
    const ma = ARCHIVE.exec(a);
    const mb = ARCHIVE.exec(b);
    return (ma?.[1] ?? '').localeCompare(mb?.[1] ?? '') || Number(ma?.[2] ?? 0) - Number(mb?.[2] ?? 0);
  });
  return [...archives, 'obproxy_digest.log'];
}

describe('queue', () => {
  test('writes lines in order, each on its own line', async () => {
    const dir = tempDir();
    const files = new LogFiles(dir, { cleanupIntervalMs: 0 });
    await files.start();
    for (let i = 0; i < 100; i++) assert.equal(files.write('obproxy_error.log', `line ${i}`), true);
    await files.close();
    const text = readFileSync(join(dir, 'obproxy_error.log'), 'utf8');
    assert.equal(text, Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join(''));
    assert.equal(files.dropped('obproxy_error.log'), 0);
  });

  test('a full queue drops lines and counts them per file', async () => {
    const dir = tempDir();
    const files = new LogFiles(dir, { queueLines: 4, cleanupIntervalMs: 0 });
    await files.start();
    const accepted = Array.from({ length: 10 }, (_, i) => files.write('obproxy_slow.log', `slow ${i}`));
    assert.deepEqual(accepted, [true, true, true, true, false, false, false, false, false, false]);
    assert.equal(files.dropped('obproxy_slow.log'), 6);
    assert.equal(files.dropped('obproxy_digest.log'), 0);
    assert.equal(files.droppedTotal(), 6);
    assert.equal(files.droppedByFile().get('obproxy_slow.log'), 6);
    await files.flush();
    // the queue has room again once written out
    assert.equal(files.write('obproxy_slow.log', 'slow later'), true);
    await files.close();
    assert.equal(readFileSync(join(dir, 'obproxy_slow.log'), 'utf8'), 'slow 0\nslow 1\nslow 2\nslow 3\nslow later\n');
    assert.equal(files.write('obproxy_slow.log', 'after close'), false);
  });

  test('the queue is also bounded in characters', async () => {
    const dir = tempDir();
    const files = new LogFiles(dir, { queueChars: 50, cleanupIntervalMs: 0 });
    await files.start();
    const results = [files.write('obproxy.log', 'x'.repeat(20)), files.write('obproxy.log', 'y'.repeat(20)), files.write('obproxy.log', 'z'.repeat(20))];
    assert.deepEqual(results, [true, true, false]);
    assert.equal(files.dropped('obproxy.log'), 1);
    await files.close();
  });

  test('an unwritable directory reports one error and never throws to the writer', async () => {
    const dir = tempDir();
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, '');
    const errors: string[] = [];
    const files = new LogFiles(blocker, { cleanupIntervalMs: 0 }, { onError: (m) => errors.push(m) });
    for (let i = 0; i < 5; i++) files.write('obproxy.log', `l${i}`);
    await files.flush();
    await files.close();
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /^obproxy\.log: /);
    assert.equal(files.dropped('obproxy.log'), 5);
  });
});

describe('rotation', () => {
  test('rotates before a write would pass max_log_file_size; no line is lost or split', async () => {
    const dir = tempDir();
    const files = new LogFiles(dir, { maxFileBytes: 100, cleanupIntervalMs: 0 });
    await files.start();
    const lines = Array.from({ length: 20 }, (_, i) => `digest line number ${String(i).padStart(3, '0')}`); // 23 bytes + \n
    for (const l of lines) files.write('obproxy_digest.log', l);
    await files.close();
    const names = digestFiles(dir);
    assert.equal(names.length, 5, names.join(' ')); // 4 lines (96 bytes) per file
    for (const n of names) assert.ok(statSync(join(dir, n)).size <= 100, `${n} is larger than 100 bytes`);
    const all = names.map((n) => readFileSync(join(dir, n), 'utf8')).join('');
    assert.equal(all, lines.map((l) => `${l}\n`).join(''));
    assert.equal(files.channel('obproxy_digest.log').rotations, 4);
  });

  test('a file already larger than the limit at start rotates on the next write', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'obproxy_stat.log'), 'old\n'.repeat(50));
    const files = new LogFiles(dir, { maxFileBytes: 100, cleanupIntervalMs: 0 });
    await files.start();
    files.write('obproxy_stat.log', 'new');
    await files.close();
    assert.equal(readFileSync(join(dir, 'obproxy_stat.log'), 'utf8'), 'new\n');
    const archive = readdirSync(dir).find((n) => /^obproxy_stat\.log\.\d{14}$/.test(n));
    assert.ok(archive !== undefined);
    assert.equal(readFileSync(join(dir, archive), 'utf8'), 'old\n'.repeat(50));
  });

  test('a single line larger than the limit is written alone', async () => {
    const dir = tempDir();
    const files = new LogFiles(dir, { maxFileBytes: 10, cleanupIntervalMs: 0 });
    await files.start();
    files.write('obproxy_digest.log', 'a'.repeat(30));
    files.write('obproxy_digest.log', 'b');
    await files.close();
    assert.deepEqual(digestFiles(dir).map((n) => readFileSync(join(dir, n), 'utf8')), [`${'a'.repeat(30)}\n`, 'b\n']);
  });
});

function entry(fileName: string, sizeBytes: number, stamp?: [number, number, number, number], seq = 0): LogDirEntry {
  const base = stamp === undefined ? null : fileName.replace(/\.\d{14}(\.\d+)?$/, '');
  const stampMs = stamp === undefined ? 0 : new Date(stamp[0], stamp[1] - 1, stamp[2], stamp[3]).getTime();
  return { fileName, sizeBytes, mtimeMs: stampMs, base, stampMs, seq };
}

describe('clean-up plan', () => {
  const now = new Date(2024, 0, 10, 12).getTime();
  const entries = [
    entry('obproxy.log', 500),
    entry('obproxy.log.20240101000000', 100, [2024, 1, 1, 0]),
    entry('obproxy.log.20240105000000', 100, [2024, 1, 5, 0]),
    entry('obproxy.log.20240109000000', 100, [2024, 1, 9, 0]),
    entry('obproxy.log.20240109000000.1', 100, [2024, 1, 9, 0], 1),
    entry('obproxy_digest.log.20240102000000', 100, [2024, 1, 2, 0]),
    entry('notes.txt', 1000),
  ];
  const none = { maxArchiveCount: 0, maxArchiveAgeMs: 0, dirBudgetBytes: Number.MAX_SAFE_INTEGER };

  test('nothing to do within all limits', () => {
    assert.deepEqual(planCleanup(entries, none, now), []);
  });

  test('max_syslog_file_count keeps the newest archives of each log', () => {
    assert.deepEqual(planCleanup(entries, { ...none, maxArchiveCount: 2 }, now),
      ['obproxy.log.20240101000000', 'obproxy.log.20240105000000']);
  });

  test('max_syslog_file_time removes archives older than the limit', () => {
    assert.deepEqual(planCleanup(entries, { ...none, maxArchiveAgeMs: 7 * 86_400_000 }, now),
      ['obproxy.log.20240101000000', 'obproxy_digest.log.20240102000000']);
  });

  test('the directory budget removes the oldest archives, across logs, never current or foreign files', () => {
    // total 2000 bytes; a 1700-byte budget needs three archives gone
    assert.deepEqual(planCleanup(entries, { ...none, dirBudgetBytes: 1700 }, now),
      ['obproxy.log.20240101000000', 'obproxy_digest.log.20240102000000', 'obproxy.log.20240105000000']);
    const all = planCleanup(entries, { ...none, dirBudgetBytes: 0 }, now);
    assert.equal(all.length, 5);
    assert.ok(!all.includes('obproxy.log') && !all.includes('notes.txt'));
  });
});

describe('clean-up on disk', () => {
  test('deletes rotated files by count and leaves the rest', async () => {
    const dir = tempDir();
    const files = new LogFiles(dir, { maxFileBytes: 100, maxArchiveCount: 2, filePercentage: 0, cleanupIntervalMs: 0 });
    await files.start();
    for (let i = 0; i < 20; i++) files.write('obproxy_digest.log', `digest line number ${String(i).padStart(3, '0')}`);
    await files.flush();
    writeFileSync(join(dir, 'keep.me.20200101000000'), 'foreign');
    const removed = await files.cleanup();
    await files.close();
    assert.equal(removed.length, 2);
    const left = digestFiles(dir);
    assert.equal(left.length, 3);
    // the two newest archives and the current file hold the last 12 lines
    const text = left.map((n) => readFileSync(join(dir, n), 'utf8')).join('');
    assert.ok(text.startsWith('digest line number 008\n') && text.endsWith('digest line number 019\n'));
    assert.ok(readdirSync(dir).includes('keep.me.20200101000000'));
  });
});

describe('configuration', () => {
  test('parameters are read at creation and re-read on change', async () => {
    const config = ProxyConfig.load({ options: { max_log_file_size: '2MB', max_syslog_file_count: '3' } });
    const files = LogFiles.fromConfig(tempDir(), config);
    assert.equal(files.current().maxFileBytes, 2 * 1024 * 1024);
    assert.equal(files.current().maxArchiveCount, 3);
    assert.equal(files.current().maxArchiveAgeMs, 7 * 86_400_000);
    assert.deepEqual(config.set('max_log_file_size', '5MB', 'runtime'), { ok: true, needReboot: false });
    config.set('max_syslog_file_time', '1h', 'runtime');
    config.set('log_dir_size_threshold', '1GB', 'runtime');
    assert.equal(files.current().maxFileBytes, 5 * 1024 * 1024);
    assert.equal(files.channel('obproxy.log').limits.maxFileBytes, 5 * 1024 * 1024);
    assert.equal(files.current().maxArchiveAgeMs, 3_600_000);
    assert.equal(files.current().dirSizeThreshold, 1024 ** 3);
    await files.close();
    config.set('max_log_file_size', '7MB', 'runtime');
    assert.equal(files.current().maxFileBytes, 5 * 1024 * 1024, 'listeners are removed by close()');
  });

  test('the log directory is $OBPROXY_ROOT/log, else <base>/log', () => {
    assert.equal(logDirectory('/base', {}), '/base/log');
    assert.equal(logDirectory('/base', { OBPROXY_ROOT: '/opt/odp' }), '/opt/odp/log');
  });
});
