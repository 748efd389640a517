// The parameter registry: every ODP parameter of the seed's lists and spec §11.1, plus odp's few extensions.
// Facts (names, types, defaults, ranges, reboot flags, levels) are obproxy 4.3's; `info` is ours. Entries marked
// `uncertain` could not be confirmed from the spec. Built once at module load; lookups are O(1).
import type { ParamDef, ParamSection, ParamSpec } from './param-types.js';
import { CLUSTER } from './params/cluster.js';
import { NETWORK } from './params/network.js';
import { OBSERVE } from './params/observe.js';
import { PROCESS } from './params/process.js';
import { HA, ROUTING } from './params/routing.js';
import { RPC } from './params/rpc.js';
import { SESSION } from './params/session.js';
import { validateValue } from './validate.js';

export type * from './param-types.js';

/** Sections in documentation order. */
export const SECTIONS: readonly ParamSection[] = [NETWORK, PROCESS, CLUSTER, SESSION, ROUTING, HA, OBSERVE, RPC];

function normalize(spec: ParamSpec, section: string): ParamDef {
  const def: ParamDef = {
    name: spec.name,
    type: spec.type,
    default: spec.default,
    range: spec.range ?? '',
    values: spec.values ?? [],
    format: spec.format ?? '',
    needReboot: spec.reboot === true,
    visibleLevel: spec.visible ?? 'USER',
    configLevel: spec.level ?? 'LEVEL_GLOBAL',
    section,
    info: spec.info,
    status: spec.status ?? 'no-effect-yet',
    uncertain: spec.uncertain === true,
    extension: spec.extension === true,
  };
  // The default must pass its own checks; its canonical text is what SHOW PROXYCONFIG prints (BOOL: True/False).
  const checked = validateValue(def, spec.default);
  if (!checked.ok) throw new Error(`config registry: default of ${spec.name} is invalid: ${checked.error}`);
  return { ...def, default: checked.value };
}

function build(): ReadonlyMap<string, ParamDef> {
  const byName = new Map<string, ParamDef>();
  for (const section of SECTIONS) {
    for (const spec of section.params) {
      if (byName.has(spec.name)) throw new Error(`config registry: parameter '${spec.name}' defined twice`);
      byName.set(spec.name, normalize(spec, section.title));
    }
  }
  return byName;
}

const BY_NAME = build();

/** Every parameter, in section order. */
export const PARAMS: readonly ParamDef[] = [...BY_NAME.values()];

/** Names are case-sensitive in the registry; callers lower-case user input first (ODP names are lower case). */
export function findParam(name: string): ParamDef | undefined {
  return BY_NAME.get(name);
}

/** The `info` column of SHOW PROXYCONFIG: ours, prefixed while the feature behind the item is not built. */
export function displayInfo(def: ParamDef): string {
  return def.status === 'works' ? def.info : `[no effect yet] ${def.info}`;
}

/** Levenshtein distance, O(a*b); only used on the error path. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** The closest registered name, if one is close enough to be a plausible typo. */
export function suggestParam(name: string): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestScore = Math.max(2, Math.floor(lower.length / 4)) + 1;
  for (const def of PARAMS) {
    const score = distance(lower, def.name);
    if (score < bestScore) {
      best = def.name;
      bestScore = score;
    }
  }
  return best;
}

/** `unknown parameter 'x'`, with a did-you-mean when a registered name is close. */
export function unknownParamMessage(name: string): string {
  const hint = suggestParam(name);
  return hint === undefined ? `unknown parameter '${name}'` : `unknown parameter '${name}' (did you mean '${hint}'?)`;
}
