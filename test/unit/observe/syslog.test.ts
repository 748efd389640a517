// obproxy.log through SyslogWriter: syslog_level (plain and per module), the .wf copy, lt=/dc=, and the adapter
// for the existing Logger of log.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyConfig } from '../../../src/config/config.js';
import { LogLevel, Logger } from '../../../src/observe/log.js';
import { SyslogWriter, bindSyslogConfig, parseLoggerLine, parseSyslogLevel } from '../../../src/observe/syslog.js';
import type { SyslogOutput } from '../../../src/observe/syslog.js';
import { parseSyslogLine } from './parsers.js';

class Capture implements SyslogOutput {
  readonly lines: { file: string; line: string }[] = [];
  drops = 0;
  write(file: 'obproxy.log' | 'obproxy.log.wf', line: string): boolean {
    this.lines.push({ file, line });
    return true;
  }
  dropped(): number {
    return this.drops;
  }
  of(file: string): string[] {
    return this.lines.filter((l) => l.file === file).map((l) => l.line);
  }
}

describe('syslog_level', () => {
  test('a plain level enables it and everything more severe', () => {
    const l = parseSyslogLevel('WDIAG');
    assert.equal(l.defaultLevel, LogLevel.WDIAG);
    assert.equal(l.maxLevel, LogLevel.WDIAG);
    const w = new SyslogWriter(new Capture(), { level: 'WDIAG' });
    assert.equal(w.enabled(LogLevel.ERROR, 'PROXY'), true);
    assert.equal(w.enabled(LogLevel.WDIAG, 'PROXY'), true);
    assert.equal(w.enabled(LogLevel.TRACE, 'PROXY'), false);
  });

  test('per-module levels: ALL.* is the default, MOD.* applies to MOD and MOD.SUB', () => {
    const w = new SyslogWriter(new Capture(), { level: 'ALL.*:WARN,PROXY.*:DEBUG' });
    assert.equal(w.maxLevel, LogLevel.DEBUG);
    assert.equal(w.enabled(LogLevel.DEBUG, 'PROXY'), true);
    assert.equal(w.enabled(LogLevel.DEBUG, 'PROXY.SM'), true);
    assert.equal(w.enabled(LogLevel.INFO, 'NET'), false);
    assert.equal(w.enabled(LogLevel.WARN, 'NET'), true);
  });
});

describe('SyslogWriter', () => {
  test('writes the ODP line with tid, lt= and dc=', () => {
    const out = new Capture();
    const w = new SyslogWriter(out, { tid: 99, level: 'INFO' });
    w.write(LogLevel.INFO, 'PROXY', 'first');
    out.drops = 4;
    w.write(LogLevel.WARN, 'NET', 'second', 'Y1-0000000000000002', 'accept', 'net.ts:12');
    w.write(LogLevel.DEBUG, 'NET', 'hidden');
    const [a, b] = out.of('obproxy.log').map(parseSyslogLine);
    assert.equal(out.of('obproxy.log').length, 2);
    assert.ok(a !== undefined && b !== undefined);
    assert.deepEqual([a.level, a.mod, a.tid, a.lt, a.dc, a.msg, a.traceId], ['INFO', 'PROXY', 99, 0, 0, 'first', 'Y0-0000000000000000']);
    assert.deepEqual([b.level, b.mod, b.func, b.location, b.dc, b.msg, b.traceId], ['WARN', 'NET', 'accept', 'net.ts:12', 4, 'second', 'Y1-0000000000000002']);
    assert.equal(b.lt, b.timeUs - a.timeUs);
  });

  test('enable_syslog_wf copies WARN and more severe lines to obproxy.log.wf', () => {
    const out = new Capture();
    const w = new SyslogWriter(out, { level: 'DEBUG', wf: true });
    w.write(LogLevel.ERROR, 'A', 'e');
    w.write(LogLevel.WARN, 'A', 'w');
    w.write(LogLevel.INFO, 'A', 'i');
    assert.deepEqual(out.of('obproxy.log.wf').map((l) => parseSyslogLine(l).msg), ['e', 'w']);
    assert.equal(out.of('obproxy.log').length, 3);
  });

  test('the adapter turns Logger lines into obproxy.log lines', () => {
    const out = new Capture();
    const w = new SyslogWriter(out, { level: 'INFO', tid: 5 });
    const logger = new Logger(LogLevel.DEBUG, w.lineSink());
    logger.info('PROXY', 'listening on 1.2.3.4:2883');
    logger.warn('NET', 'a\nb');
    logger.debug('NET', 'filtered by syslog_level');
    const lines = out.of('obproxy.log').map(parseSyslogLine);
    assert.deepEqual(lines.map((l) => [l.level, l.mod, l.msg]), [['INFO', 'PROXY', 'listening on 1.2.3.4:2883'], ['WARN', 'NET', 'a\\nb']]);
  });

  test('parseLoggerLine reads what Logger writes', () => {
    const seen: string[] = [];
    new Logger(LogLevel.DEBUG, (l) => seen.push(l)).error('CFG', 'bad value');
    assert.deepEqual(parseLoggerLine(seen[0] ?? ''), { level: LogLevel.ERROR, mod: 'CFG', msg: 'bad value' });
    assert.equal(parseLoggerLine('garbage'), null);
  });
});

describe('configuration', () => {
  test('syslog_level and enable_syslog_wf follow ALTER; Logger.level follows the most verbose module', () => {
    const config = ProxyConfig.load({});
    const out = new Capture();
    const w = new SyslogWriter(out);
    const logger = new Logger(LogLevel.ERROR, w.lineSink());
    const off = bindSyslogConfig(w, logger, config);
    assert.equal(logger.level, LogLevel.WDIAG);
    config.set('syslog_level', 'ALL.*:INFO,NET.*:TRACE', 'runtime');
    assert.equal(logger.level, LogLevel.TRACE);
    assert.equal(w.enabled(LogLevel.TRACE, 'NET'), true);
    assert.equal(w.enabled(LogLevel.TRACE, 'PROXY'), false);
    config.set('enable_syslog_wf', 'true', 'runtime');
    logger.warn('PROXY', 'to wf');
    assert.equal(out.of('obproxy.log.wf').length, 1);
    off();
    config.set('syslog_level', 'ERROR', 'runtime');
    assert.equal(logger.level, LogLevel.TRACE);
  });
});
