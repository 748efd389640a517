// Reading small YAML files (configuration, runtime state) with line numbers for error messages.
// Parsed with the failsafe schema: every scalar stays a string, so '010', '0x10', 'yes' or '1e3' reach the
// parameter validators exactly as written instead of being reinterpreted by YAML.
import { readFileSync } from 'node:fs';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node, Pair } from 'yaml';
import { ConfigError } from './errors.js';

export interface YamlFile {
  readonly path: string;
  readonly doc: Document;
  readonly lines: LineCounter;
}

/** Reads and parses `path`; a missing file is undefined when `optional`, any other problem a ConfigError. */
export function readYaml(path: string, optional: boolean): YamlFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (optional && code === 'ENOENT') return undefined;
    throw new ConfigError(`cannot read ${path}: ${code ?? String(e)}`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { schema: 'failsafe', lineCounter: lines, prettyErrors: false });
  const first = doc.errors[0];
  if (first !== undefined) {
    const line = lines.linePos(first.pos[0]).line;
    const reason = first.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? first.message;
    throw new ConfigError(`${path}:${line}: ${reason}`);
  }
  return { path, doc, lines };
}

/** 1-based line of a node, or of the file start when the node has no position. */
export function lineOf(file: YamlFile, node: Node | null | undefined): number {
  const offset = node?.range?.[0];
  return offset === undefined ? 1 : file.lines.linePos(offset).line;
}

/** The top-level mapping's pairs; an empty file has none. */
export function topPairs(file: YamlFile): readonly Pair[] {
  const root = file.doc.contents;
  if (root === null || (isScalar(root) && root.value === '')) return [];
  if (!isMap(root)) throw new ConfigError(`${file.path}:${lineOf(file, root)}: expected a mapping of names to values`);
  return root.items as Pair[];
}

/** Key text of a pair (failsafe keys are scalars). */
export function keyText(file: YamlFile, pair: Pair): string {
  if (!isScalar(pair.key)) throw new ConfigError(`${file.path}:${lineOf(file, pair.key as Node)}: keys must be plain names`);
  return String(pair.key.value);
}

/** A scalar value as text, a sequence of scalars as a list, or undefined for a nested mapping. */
export function valueText(pair: Pair): string | string[] | undefined {
  const v = pair.value;
  if (v === null || v === undefined) return '';
  if (isScalar(v)) return String(v.value);
  if (isSeq(v) && v.items.every((i) => isScalar(i))) return v.items.map((i) => String((i as { value: unknown }).value));
  return undefined;
}
