// Splits an OceanBase login name into user, tenant, cluster and cluster id (spec §2.5).
// Standard form (the name contains '@' or '#'): user@tenant#cluster:cluster_id, every part after user optional.
//   - user ends at the first '@' or '#'. After '@', the tenant runs to the next '#' (so a tenant may contain ':',
//     as in 'user@SERVICE:svc#cluster'). After '#', the rest is the cluster part, split at its first ':' into
//     cluster and cluster id. When '#' comes before any '@', an '@' after it belongs to the cluster part.
// Non-standard form (no '@'/'#'): cluster<S>tenant<S>user[<S>cluster_id]. S is the first of `separators`
//   (in list order) that occurs at least twice. The cluster ends at the first S, the tenant at the second;
//   the rest is the user. A cluster id follows the first S in the user part; if that does not give a valid
//   id, the first ':' is tried.
// Plain: neither form applies; the whole name is the user.
// Decisions (documented divergences from obproxy, which fails the login in these cases):
//   - An empty tenant or cluster ('root@', 'root@#c', '-t-u') is null: "not given", so defaults apply.
//   - A cluster id that is not all ASCII digits, or does not fit a safe integer, is not split off: it stays
//     in the cluster name (standard) or user name (non-standard), e.g. 'u@t#c:x' → cluster 'c:x'. The login
//     then fails as an unknown cluster/user, which names the whole text. An empty id ('c:') is dropped.
// Pure string work, O(length); no allocation beyond the result strings.

export interface ParsedUsername {
  user: string;
  tenant: string | null;
  cluster: string | null;
  clusterId: number | null;
  form: 'standard' | 'nonstandard' | 'plain';
}

/** obproxy's `username_separator` default `:;-;.`. */
export const DEFAULT_USERNAME_SEPARATORS: readonly string[] = [':', ';', '-', '.'];

const CLUSTER_ID_SEPARATOR = ':';

export function parseUsername(raw: string, separators: readonly string[] = DEFAULT_USERNAME_SEPARATORS): ParsedUsername {
  if (raw.includes('@') || raw.includes('#')) return parseStandard(raw);
  const sep = separators.find((s) => s.length > 0 && countUpTo2(raw, s) >= 2);
  if (sep !== undefined) return parseNonstandard(raw, sep);
  return { user: raw, tenant: null, cluster: null, clusterId: null, form: 'plain' };
}

function countUpTo2(s: string, sep: string): number {
  const first = s.indexOf(sep);
  if (first < 0) return 0;
  return s.indexOf(sep, first + sep.length) < 0 ? 1 : 2;
}

function parseStandard(raw: string): ParsedUsername {
  const at = raw.indexOf('@');
  const hash = raw.indexOf('#');
  const userEnd = at < 0 ? hash : hash < 0 ? at : Math.min(at, hash);
  const user = raw.slice(0, userEnd);
  let tenant: string | null = null;
  let clusterPart: string | null = null;
  if (userEnd === at) {
    tenant = hash < 0 ? raw.slice(at + 1) : raw.slice(at + 1, hash);
    if (hash >= 0) clusterPart = raw.slice(hash + 1);
  } else {
    clusterPart = raw.slice(hash + 1);
  }
  const { name, id } = splitClusterId(clusterPart ?? '', CLUSTER_ID_SEPARATOR);
  return { user, tenant: nonEmpty(tenant), cluster: nonEmpty(name), clusterId: id, form: 'standard' };
}

function parseNonstandard(raw: string, sep: string): ParsedUsername {
  const first = raw.indexOf(sep);
  const second = raw.indexOf(sep, first + sep.length);
  const cluster = raw.slice(0, first);
  const tenant = raw.slice(first + sep.length, second);
  const rest = raw.slice(second + sep.length);
  let split = splitClusterId(rest, sep);
  if (split.name === rest) split = splitClusterId(rest, CLUSTER_ID_SEPARATOR);
  return { user: split.name, tenant: nonEmpty(tenant), cluster: nonEmpty(cluster), clusterId: split.id, form: 'nonstandard' };
}

/** Splits `s` at the first `sep` when what follows is a valid cluster id (or empty); else keeps `s` whole. */
function splitClusterId(s: string, sep: string): { name: string; id: number | null } {
  const i = s.indexOf(sep);
  if (i < 0) return { name: s, id: null };
  const idText = s.slice(i + sep.length);
  if (idText === '') return { name: s.slice(0, i), id: null };
  const id = /^[0-9]+$/.test(idText) ? Number(idText) : NaN;
  return Number.isSafeInteger(id) ? { name: s.slice(0, i), id } : { name: s, id: null };
}

function nonEmpty(s: string | null): string | null {
  return s === null || s === '' ? null : s;
}
