// Routing hints carried in comments (spec §5.8):
//  - leading comments (before the first token): `/* ODP: k=v, k='v;w', trace_log */`, `/* DBP: ... */`,
//    plain `/* target_db_server=ip:port,ip:port;ip:port */`, `/* trace_id=x rpc_id=y */`,
//    old fast path `/* table=t part_key=v */`, and `/*+ ... */` optimizer hints;
//  - `/*+ READ_CONSISTENCY(WEAK) QUERY_TIMEOUT(n) TRACE_LOG INDEX(t i) */` right after the verb.
// Comment text is only sliced when such a comment exists; unknown hints are ignored.

import type { Ctx } from './ctx.js';
import * as result from './result.js';
import type { RouteHints } from './types.js';

// Imported functions and tables are re-bound to module consts: see "Bindings" in parse.ts.
const { mutableHints } = result;

export const applyComments = (c: Ctx): void => {
  const lx = c.lx;
  for (let k = 0; k < lx.nComments; k++) {
    const next = lx.cNext[k]!;
    const s = lx.cStart[k]!;
    const e = lx.cStop[k]!;
    const plus = c.src.charCodeAt(s) === 43;
    if (next === 0) {
      if (plus) optimizerHints(c, c.src.slice(s + 1, e));
      else leadingComment(c, c.src.slice(s, e).trim());
    } else if (plus && next === c.hintPos) {
      optimizerHints(c, c.src.slice(s + 1, e));
    }
  }
};

const leadingComment = (c: Ctx, text: string): void => {
  const head = text.slice(0, 4).toUpperCase();
  if (head === 'ODP:') {
    scanPairs(text.slice(4), true, (k, v) => odpPair(c, k, v));
  } else if (head === 'DBP:') {
    mutableHints(c.r).dbpRoute = text.slice(4).trim();
  } else if (text.includes('=')) {
    scanPairs(text, false, (k, v) => { if (v !== null) knownPair(c, k, v); });
  }
};

const odpPair = (c: Ctx, key: string, value: string | null): void => {
  if (value === null) {
    if (key === 'trace_log') mutableHints(c.r).traceLog = true;
    return;
  }
  if (!knownPair(c, key, value)) mutableHints(c.r).extra.push({ key, value });
};

/** Applies a recognised key; false when the key is not one ODP routing itself interprets. */
const knownPair = (c: Ctx, key: string, value: string): boolean => {
  switch (key) {
    case 'target_db_server': mutableHints(c.r).targetDbServer = value; return true;
    case 'trace_id': mutableHints(c.r).traceId = value; return true;
    case 'rpc_id': mutableHints(c.r).rpcId = value; return true;
    case 'table': mutableHints(c.r).tableHint = value; return true;
    case 'part_key': mutableHints(c.r).partKeyHint = value; return true;
    case 'trace_log': mutableHints(c.r).traceLog = value.toLowerCase() !== 'false' && value !== '0'; return true;
    default: return false;
  }
};

const isSpace = (ch: number): boolean => {
  return ch === 32 || (ch >= 9 && ch <= 13);
};
const isKeyChar = (ch: number): boolean => {
  return (ch >= 48 && ch <= 57) || ((ch | 32) >= 97 && (ch | 32) <= 122) || ch === 95 || ch === 46 || ch === 36;
};

/**
 * `k=v` pairs; keys lower-cased; values may be quoted ('..' / "..", no escapes). With `commas`, pairs are
 * separated by commas or blanks (ODP: form) and a bare key is reported with value null; otherwise by blanks.
 */
export const scanPairs = (text: string, commas: boolean, on: (key: string, value: string | null) => void): void => {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (isSpace(ch) || ch === 44) { i++; continue; }
    const ks = i;
    while (i < n && isKeyChar(text.charCodeAt(i))) i++;
    if (i === ks) { i++; continue; }
    const key = text.slice(ks, i).toLowerCase();
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n || text.charCodeAt(i) !== 61) { if (commas) on(key, null); continue; }
    i++;
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    const q = i < n ? text.charCodeAt(i) : -1;
    if (q === 39 || q === 34) {
      const end = text.indexOf(String.fromCharCode(q), i + 1);
      const stop = end < 0 ? n : end;
      on(key, text.slice(i + 1, stop));
      i = stop + 1;
      continue;
    }
    const vs = i;
    while (i < n && !isSpace(text.charCodeAt(i)) && !(commas && text.charCodeAt(i) === 44)) i++;
    on(key, text.slice(vs, i));
  }
};

/** `NAME`, `NAME(args)` items separated by blanks or commas. */
const optimizerHints = (c: Ctx, text: string): void => {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (!isKeyChar(ch)) { i++; continue; }
    const ns = i;
    while (i < n && isKeyChar(text.charCodeAt(i))) i++;
    const name = text.slice(ns, i).toUpperCase();
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    let args: string | null = null;
    if (i < n && text.charCodeAt(i) === 40) {
      const close = text.indexOf(')', i + 1);
      const stop = close < 0 ? n : close;
      args = text.slice(i + 1, stop).trim();
      i = stop + 1;
    }
    hint(c, name, args);
  }
};

const hint = (c: Ctx, name: string, args: string | null): void => {
  let h: RouteHints;
  switch (name) {
    case 'READ_CONSISTENCY': {
      const v = (args ?? '').replace(/['"]/g, '').trim().toUpperCase();
      if (v === 'WEAK' || v === 'STRONG' || v === 'FROZEN') mutableHints(c.r).readConsistency = v;
      return;
    }
    case 'QUERY_TIMEOUT':
      if (args !== null && /^\d{1,15}$/.test(args)) mutableHints(c.r).queryTimeoutUs = Number(args);
      return;
    case 'TRACE_LOG':
      mutableHints(c.r).traceLog = true;
      return;
    case 'INDEX': {
      const parts = (args ?? '').split(/[\s,]+/).filter((p) => p.length > 0);
      if (parts.length < 2) return;
      h = mutableHints(c.r);
      h.indexHint = { table: unquote(parts[0]!), index: unquote(parts[1]!) };
      return;
    }
    default:
      return;
  }
};

const unquote = (s: string): string => {
  return s.length >= 2 && s.charCodeAt(0) === 96 && s.charCodeAt(s.length - 1) === 96 ? s.slice(1, -1) : s;
};
