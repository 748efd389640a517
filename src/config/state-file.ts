// The runtime state file: values set by ALTER PROXYCONFIG (and per-cluster/tenant/VIP values), reloaded at start
// so runtime changes survive a restart (spec §11.3; ODP keeps them in etc/proxyconfig_v1.db, odp in YAML).
// Written whole on every change: write a temporary file, fsync, rename over the old one, so a crash leaves
// either the old or the new file, never a torn one. Cost: one small synchronous write per ALTER (admin path).
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { Document, isMap, isSeq } from 'yaml';
import type { Node, Pair } from 'yaml';
import { ConfigError } from './errors.js';
import { keyText, lineOf, readYaml, topPairs, valueText } from './yaml-file.js';
import type { YamlFile } from './yaml-file.js';

export const STATE_VERSION = '1';

/** A global runtime value. `base` is the value default/file/option gave when the ALTER was made. */
export interface RuntimeRecord {
  readonly name: string;
  readonly value: string;
  readonly base: string;
  /** ISO time of the ALTER. */
  readonly at: string;
}

/** A multi-level value (spec §11.3 proxy_config rows). Empty strings and -1/0 mean "not part of the key". */
export interface ScopedRecord {
  readonly name: string;
  readonly value: string;
  readonly cluster: string;
  readonly tenant: string;
  readonly vip: string;
  readonly vport: number;
  readonly vid: number;
}

export interface StateContents {
  readonly runtime: readonly RuntimeRecord[];
  readonly scoped: readonly ScopedRecord[];
}

export interface LoadedState extends StateContents {
  /** 1-based line of each record's name in the file, same order as the arrays. */
  readonly runtimeLines: readonly number[];
  readonly scopedLines: readonly number[];
}

function fields(file: YamlFile, node: unknown, what: string): Map<string, string> {
  if (!isMap(node)) throw new ConfigError(`${file.path}:${lineOf(file, node as Node)}: ${what} must be a mapping`);
  const out = new Map<string, string>();
  for (const pair of node.items as Pair[]) {
    const v = valueText(pair);
    if (typeof v !== 'string') throw new ConfigError(`${file.path}:${lineOf(file, pair.key as Node)}: ${what} fields must be plain values`);
    out.set(keyText(file, pair), v);
  }
  return out;
}

function intField(file: YamlFile, f: Map<string, string>, key: string, dflt: number, line: number): number {
  const text = f.get(key);
  if (text === undefined || text === '') return dflt;
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new ConfigError(`${file.path}:${line}: ${key} must be an integer, got '${text}'`);
  return n;
}

/** Reads the state file; a missing file is an empty state. Throws ConfigError (file:line) on a malformed one. */
export function readStateFile(path: string): LoadedState {
  const file = readYaml(path, true);
  const runtime: RuntimeRecord[] = [];
  const runtimeLines: number[] = [];
  const scoped: ScopedRecord[] = [];
  const scopedLines: number[] = [];
  if (file !== undefined) {
    for (const pair of topPairs(file)) {
      const key = keyText(file, pair);
      const line = lineOf(file, pair.key as Node);
      if (key === 'version') {
        if (valueText(pair) !== STATE_VERSION) throw new ConfigError(`${path}:${line}: unsupported state version (expected ${STATE_VERSION})`);
      } else if (key === 'runtime') {
        if (pair.value === null || pair.value === undefined) continue;
        if (!isMap(pair.value)) throw new ConfigError(`${path}:${line}: runtime must be a mapping`);
        for (const item of pair.value.items as Pair[]) {
          const f = fields(file, item.value, `runtime entry '${keyText(file, item)}'`);
          runtime.push({ name: keyText(file, item), value: f.get('value') ?? '', base: f.get('base') ?? '', at: f.get('at') ?? '' });
          runtimeLines.push(lineOf(file, item.key as Node));
        }
      } else if (key === 'scoped') {
        if (pair.value === null || pair.value === undefined) continue;
        if (!isSeq(pair.value)) throw new ConfigError(`${path}:${line}: scoped must be a list`);
        for (const item of pair.value.items) {
          const itemLine = lineOf(file, item as Node);
          const f = fields(file, item, 'scoped entry');
          scoped.push({
            name: f.get('name') ?? '', value: f.get('value') ?? '', cluster: f.get('cluster') ?? '',
            tenant: f.get('tenant') ?? '', vip: f.get('vip') ?? '',
            vport: intField(file, f, 'vport', 0, itemLine), vid: intField(file, f, 'vid', -1, itemLine),
          });
          scopedLines.push(itemLine);
        }
      } else {
        throw new ConfigError(`${path}:${line}: unknown key '${key}' (expected version, runtime, scoped)`);
      }
    }
  }
  return { runtime, scoped, runtimeLines, scopedLines };
}

function render(state: StateContents): string {
  const runtime: Record<string, { value: string; base: string; at: string }> = {};
  for (const r of state.runtime) runtime[r.name] = { value: r.value, base: r.base, at: r.at };
  const doc = new Document({ version: STATE_VERSION, runtime, scoped: state.scoped.map((s) => ({ ...s })) });
  doc.commentBefore = [
    ' odp runtime configuration: values set with ALTER PROXYCONFIG, reloaded at start.',
    ' Written by odp; edit only while odp is stopped. `base` is the file/-o/default value in force when the',
    ' ALTER was made: if that value has changed since, the newer file/-o value wins (docs/CONFIGURATION.md).',
  ].join('\n');
  return doc.toString();
}

/** Replaces the state file atomically. Throws the fs error on failure; the old file is then untouched. */
export function writeStateFile(path: string, state: StateContents): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600); // holds password hashes: owner-only
  try {
    try {
      writeSync(fd, render(state));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* the original error is the one to report */ }
    throw e;
  }
}
