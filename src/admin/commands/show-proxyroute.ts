// SHOW PROXYROUTE [PARTITION | ROUTINE | GLOBALINDEX] [LIKE 'pat'] (spec §8, §3.7). odp has no location cache
// yet (table, partition, routine and global-index entries arrive with OceanBase routing), so each form returns
// ODP's columns and no rows. The LIKE of the table and routine forms is ODP's space-separated list of patterns
// ('cluster tenant db table' / 'cluster tenant db package routine'); it is parsed and checked now.
import type { AdminContext, AdminResult } from '../context.js';
import type { Cursor } from '../cursor.js';
import type { AdminCommand } from '../registry.js';
import { rows } from '../results.js';

const TIMES = ['create_time', 'last_valid_time', 'last_access_time', 'last_update_time', 'expire_time', 'relative_expire_time'] as const;

export const ROUTE_COLUMNS = {
  TABLE: ['cluster_name', 'tenant_name', 'database_name', 'table_name', 'state', 'partition_num', 'replica_num', 'table_id',
    'cluster_version', 'schema_version', 'from_rslist', ...TIMES, 'server'],
  PARTITION: ['table_id', 'partition_id', 'state', 'cluster_version', 'schema_version', ...TIMES, 'server'],
  ROUTINE: ['cluster_name', 'tenant_name', 'database_name', 'package_name', 'routine_name', 'state', 'routine_type',
    'routine_id', 'cluster_version', 'schema_version', ...TIMES, 'route_sql'],
  GLOBALINDEX: ['table_id', 'data_table_id', 'index_table_name', 'state', 'cluster_version', 'schema_version', ...TIMES],
} as const;

type Form = keyof typeof ROUTE_COLUMNS;

interface Args { readonly form: Form; readonly patterns: readonly string[] }

function parseForm(c: Cursor): Form {
  if (c.accept('PARTITION')) return 'PARTITION';
  if (c.accept('ROUTINE')) return 'ROUTINE';
  if (c.accept('GLOBALINDEX')) return 'GLOBALINDEX';
  return 'TABLE';
}

export const showProxyRoute: AdminCommand<Args> = {
  keywords: ['SHOW', 'PROXYROUTE'],
  syntax: "SHOW PROXYROUTE [PARTITION | ROUTINE | GLOBALINDEX] [LIKE 'pattern ...']",
  privilege: 'admin',
  parse(c: Cursor): Args {
    const form = parseForm(c);
    const likeAt = c.peek();
    const like = c.optionalLike();
    const patterns = like === undefined ? [] : like.source.split(/\s+/).filter((p) => p !== '');
    const max = form === 'TABLE' ? 4 : form === 'ROUTINE' ? 5 : 1;
    if (patterns.length > max) c.failAt(likeAt, `at most ${max} space-separated LIKE patterns`);
    c.end();
    return { form, patterns };
  },
  run(args: Args, _ctx: AdminContext): AdminResult {
    return rows(ROUTE_COLUMNS[args.form], []);
  },
};
