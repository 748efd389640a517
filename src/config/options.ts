// Start-up options (spec §11.2): `-o "k=v,k=v"` and the flags that name one parameter each.
// Both feed ProxyConfig.load's `options` (source 'option').

/** The obproxy flags that set one parameter: -p, -l, -s, -n, -r, -c. */
export const FLAG_PARAMS = {
  listenPort: 'listen_port',
  prometheusListenPort: 'prometheus_listen_port',
  rpcListenPort: 'rpc_listen_port',
  appName: 'app_name',
  rsList: 'rootservice_list',
  clusterName: 'rootservice_cluster_name',
} as const;

export type FlagValues = { readonly [K in keyof typeof FLAG_PARAMS]?: string };

/**
 * Splits an -o string into name/value pairs. A comma starts a new item only when `name=` follows it, so values
 * that contain commas (target_db_server 'a:1,b:2;c:3') survive. Returns an error message for an item with no '='.
 */
export function parseOptstr(optstr: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  const items: string[] = [];
  for (const piece of optstr.split(',')) {
    const last = items.length - 1;
    if (last >= 0 && !/^\s*[A-Za-z_][A-Za-z0-9_]*\s*=/.test(piece)) items[last] = `${items[last] ?? ''},${piece}`;
    else items.push(piece);
  }
  for (const item of items) {
    if (item.trim() === '') continue;
    const eq = item.indexOf('=');
    if (eq < 0) return `-o: expected name=value, got '${item.trim()}'`;
    out[item.slice(0, eq).trim().toLowerCase()] = item.slice(eq + 1).trim();
  }
  return out;
}

/** Merges flag values into parsed -o options; a flag wins over the same parameter given in -o. */
export function optionsFromFlags(flags: FlagValues, optstr: Record<string, string> = {}): Record<string, string> {
  const out = { ...optstr };
  for (const key of Object.keys(FLAG_PARAMS) as (keyof typeof FLAG_PARAMS)[]) {
    const value = flags[key];
    if (value !== undefined) out[FLAG_PARAMS[key]] = value;
  }
  return out;
}
