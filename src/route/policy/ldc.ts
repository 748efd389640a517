// LDC classification (spec §3.6): where each server sits relative to the proxy's IDC. PURE. The proxy IDC is the
// `proxy_idc_name` parameter or the session's `@proxy_idc_name`; servers carry zone, region and IDC from DBA_OB_ZONES.
// Cost: classify() is O(servers) and runs once per (server list, IDC) pair thanks to IdcCache; lookups are one Map get.

/** A: same IDC, B: same region, C: other region (spec §5.3 class letters). */
export type IdcType = 'SAME_IDC' | 'SAME_REGION' | 'OTHER_REGION';

/** What the classification reads of a server (structurally src/cluster's ClusterServer). */
export interface LdcServer {
  /** 'ip:sql_port'. */
  readonly key: string;
  readonly zone: string;
  readonly region: string;
  readonly idc: string;
}

/** Server key -> class; a server the map does not know is OTHER_REGION. null: every server is SAME_IDC. */
export type IdcMap = ReadonlyMap<string, IdcType> | null;

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * Classes of `servers` for a proxy in `proxyIdc` (spec §3.6): the proxy's region is the region of the zones whose IDC
 * equals it (case-insensitively), else of the zones whose name starts with it. An empty IDC, or one no zone matches,
 * gives null (all SAME_IDC).
 */
export function classifyIdc(proxyIdc: string, servers: readonly LdcServer[]): IdcMap {
  const idc = proxyIdc.trim();
  if (idc === '') return null;
  const regions = new Set<string>();
  for (const s of servers) if (s.idc !== '' && same(s.idc, idc)) regions.add(s.region.toLowerCase());
  if (regions.size === 0) {
    const prefix = idc.toLowerCase();
    for (const s of servers) if (s.zone.toLowerCase().startsWith(prefix)) regions.add(s.region.toLowerCase());
  }
  if (regions.size === 0) return null;
  const out = new Map<string, IdcType>();
  for (const s of servers) {
    const t: IdcType = s.idc !== '' && same(s.idc, idc) ? 'SAME_IDC' : regions.has(s.region.toLowerCase()) ? 'SAME_REGION' : 'OTHER_REGION';
    out.set(s.key, t);
  }
  return out;
}

export function idcTypeOf(map: IdcMap, server: string): IdcType {
  return map === null ? 'SAME_IDC' : map.get(server) ?? 'OTHER_REGION';
}

/**
 * Remembers the last classification per IDC name for one server list (the cluster resource replaces its list on a
 * refresh, so identity says whether it changed). Owned by one process; not shared across workers.
 */
export class IdcCache {
  private servers: readonly LdcServer[] | null = null;
  private readonly byIdc = new Map<string, IdcMap>();

  get(proxyIdc: string, servers: readonly LdcServer[]): IdcMap {
    if (proxyIdc === '') return null;
    if (servers !== this.servers) {
      this.servers = servers;
      this.byIdc.clear();
    }
    let m = this.byIdc.get(proxyIdc);
    if (m === undefined) {
      m = classifyIdc(proxyIdc, servers);
      if (this.byIdc.size >= 64) this.byIdc.clear(); // bound: session-chosen IDC names
      this.byIdc.set(proxyIdc, m);
    }
    return m;
  }
}
