// Validation of one value against its registry entry: type, ODP range, enumeration, format.
// Pure; errors are values whose message names the parameter, the value and what is allowed, on one line.
import { isIP } from 'node:net';
import type { ParamDef } from './param-types.js';
import {
  LOG_LEVELS, formatBool, parseBool, parseBytes, parseInteger, parseLogLevel, parseTimeUs, splitList,
} from './units.js';

/** INT, TIME (microseconds), CAP (bytes): number; BOOL: boolean; STR_LIST: string[]; others: string. */
export type ParsedValue = number | boolean | string | readonly string[];

export type Validated =
  | { readonly ok: true; readonly value: string; readonly parsed: ParsedValue }
  | { readonly ok: false; readonly error: string };

/** ODP's OB_MAX_CONFIG_VALUE_LEN. */
export const MAX_VALUE_LENGTH = 4096;

interface Bound { readonly value: number; readonly inclusive: boolean; readonly text: string }
export interface Range { readonly lower: Bound | undefined; readonly upper: Bound | undefined }

const RANGE = /^\s*([[(])\s*([^,]*?)\s*,\s*([^\])]*?)\s*([\])])\s*$/;

function numericParser(def: ParamDef): ((text: string) => number | undefined) | undefined {
  switch (def.type) {
    case 'INT': return parseInteger;
    case 'TIME': return parseTimeUs;
    case 'CAP': return parseBytes;
    case 'BOOL': case 'STR': case 'STR_LIST': case 'IP': case 'LOG_LEVEL': return undefined;
  }
}

/** Parses an ODP range such as '[1s, 1h]', '(1024,65536)', '[0,]' or '[1,)'; an empty bound is unbounded. */
export function parseRange(def: ParamDef): Range | undefined {
  const parse = numericParser(def);
  const m = RANGE.exec(def.range);
  if (parse === undefined || m === null) return undefined;
  const bound = (text: string, inclusive: boolean): Bound | undefined => {
    if (text === '') return undefined;
    const value = parse(text);
    if (value === undefined) throw new Error(`config registry: bad range bound '${text}' for ${def.name}`);
    return { value, inclusive, text };
  };
  return { lower: bound(m[2] ?? '', m[1] === '['), upper: bound(m[3] ?? '', m[4] === ']') };
}

/** '[0, +inf)' style text used in messages and docs. */
export function rangeText(range: Range): string {
  const lo = range.lower === undefined ? '(-inf' : `${range.lower.inclusive ? '[' : '('}${range.lower.text}`;
  const hi = range.upper === undefined ? '+inf)' : `${range.upper.text}${range.upper.inclusive ? ']' : ')'}`;
  return `${lo}, ${hi}`;
}

function inRange(value: number, range: Range): boolean {
  const { lower, upper } = range;
  if (lower !== undefined && (lower.inclusive ? value < lower.value : value <= lower.value)) return false;
  if (upper !== undefined && (upper.inclusive ? value > upper.value : value >= upper.value)) return false;
  return true;
}

function quote(value: string): string {
  const shown = value.length > 64 ? `${value.slice(0, 61)}...` : value;
  return `'${shown.replace(/[\r\n]/g, ' ')}'`;
}

function fail(def: ParamDef, raw: string, expected: string): Validated {
  return { ok: false, error: `invalid value ${quote(raw)} for ${def.name}: expected ${expected}` };
}

const NOUN: Readonly<Record<'INT' | 'TIME' | 'CAP', string>> = {
  INT: 'an integer',
  TIME: 'a time (us, ms, s, m, h, d; bare number = seconds)',
  CAP: 'a size (B, KB, MB, GB, TB; bare number = MB)',
};

function validateNumber(def: ParamDef, raw: string, type: 'INT' | 'TIME' | 'CAP'): Validated {
  const parser = numericParser(def);
  const range = parseRange(def);
  const expected = range === undefined ? NOUN[type] : `${NOUN[type]} in ${rangeText(range)}`;
  const value = parser?.(raw);
  if (value === undefined || (range !== undefined && !inRange(value, range))) return fail(def, raw, expected);
  return { ok: true, value: type === 'INT' ? String(value) : raw.trim(), parsed: value };
}

const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9_.-]+)):(\d{1,5})$/;

function isHostPort(item: string): boolean {
  const m = HOST_PORT.exec(item.trim());
  if (m === null) return false;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return false;
  return m[1] === undefined || isIP(m[1]) === 6;
}

function checkFormat(def: ParamDef, value: string): string | undefined {
  switch (def.format) {
    case '': return undefined;
    case 'addr-list':
      return splitList(value).every(isHostPort) ? undefined : "'host:port' entries separated by ';'";
    case 'target-list': {
      const groups = splitList(value).map((g) => g.split(',').filter((s) => s.trim() !== ''));
      return groups.every((g) => g.length > 0 && g.every(isHostPort))
        ? undefined : "'ip:port' entries separated by ',' in groups separated by ';'";
    }
    case 'compression':
      return value === '' || /^zlib:[0-9]$/i.test(value) ? undefined : "'' or zlib:<0-9>";
    case 'password':
      return value === '' || /^[0-9a-fA-F]{40}$/.test(value)
        ? undefined : "'' or a 40-digit hex SHA1 hash (ALTER PROXYCONFIG takes the plaintext)";
  }
}

function validateText(def: ParamDef, raw: string): Validated {
  const value = raw.trim();
  if (/[\0\r\n]/.test(value)) return fail(def, raw, 'a single line of text');
  if (def.values.length > 0) {
    const match = def.values.find((v) => v.toLowerCase() === value.toLowerCase());
    if (match === undefined) return fail(def, raw, `one of ${def.values.map((v) => `'${v}'`).join(', ')}`);
    return { ok: true, value: match, parsed: match };
  }
  const problem = checkFormat(def, value);
  if (problem !== undefined) return fail(def, raw, problem);
  if (def.type === 'STR_LIST') return { ok: true, value, parsed: splitList(value) };
  return { ok: true, value, parsed: value };
}

/** Checks `raw` for `def`; on success returns the stored text (canonical for BOOL/INT/enums) and the parsed value. */
export function validateValue(def: ParamDef, raw: string): Validated {
  if (raw.length > MAX_VALUE_LENGTH) {
    return { ok: false, error: `invalid value for ${def.name}: ${raw.length} characters, at most ${MAX_VALUE_LENGTH}` };
  }
  switch (def.type) {
    case 'INT': case 'TIME': case 'CAP':
      return validateNumber(def, raw, def.type);
    case 'BOOL': {
      const b = parseBool(raw);
      return b === undefined ? fail(def, raw, 'true or false') : { ok: true, value: formatBool(b), parsed: b };
    }
    case 'IP': {
      const ip = raw.trim();
      return isIP(ip) === 0 ? fail(def, raw, 'an IPv4 or IPv6 address') : { ok: true, value: ip, parsed: ip };
    }
    case 'LOG_LEVEL': {
      const level = parseLogLevel(raw);
      return level === undefined
        ? fail(def, raw, `a log level (${LOG_LEVELS.join(', ')}) or a list of MODULE.*:LEVEL`)
        : { ok: true, value: level, parsed: level };
    }
    case 'STR': case 'STR_LIST':
      return validateText(def, raw);
  }
}

/** Spec §6.4/§11.3: client session id version 1 has 8 bits for proxy_id. */
export function checkSessionIdPair(proxyId: number, version: number): string | undefined {
  return version === 1 && proxyId > 255
    ? `proxy_id ${proxyId} needs client_session_id_version 2 (version 1 allows proxy_id up to 255)`
    : undefined;
}
