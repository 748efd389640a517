// Bootstrap fallback for a single-node kernel (seekdb, the single-server OceanBase 4.3.5 kernel): it answers
// `ob_version()` but has none of the sys views the proxy's cluster SQL reads (DBA_OB_SERVERS, DBA_OB_ZONES,
// DBA_OB_TENANTS, the `__all_virtual_proxy_*` location views). Every such query gets MySQL ER_NO_SUCH_TABLE
// (1146, SQLSTATE 42S02), e.g. "Table 'oceanbase.dba_ob_servers' doesn't exist" (recorded from pylibseekdb
// 1.4.0.post1 in test/fixtures/seekdb/metadata-serverZoneInit.json, -servers.json, -tenants.json, -dummyEntry.json).
// The decision is pure: given the answer to the spec §3.2 server list query and the server that gave it, either
// the cluster is a normal one, or the server that answered is the whole cluster: one zone, one active server,
// one tenant (`sys`: seekdb accepts `user@sys` logins and refuses every other tenant name and `#cluster` suffix),
// every leader on that server, and no location lookups (there are no views to read them from).

import type { QueryResult } from '../backend/internal-query.js';
import { formatAddress, type ServerAddress } from '../backend/server-connection.js';
import type { ServerRow } from './rows.js';
import type { TenantEntry } from './tenants.js';

/** MySQL ER_NO_SUCH_TABLE, what seekdb answers for every missing sys view. */
export const ER_NO_SUCH_TABLE = 1146;
/** Zone name given to the only server (seekdb has no `zone` parameter and no DBA_OB_ZONES). */
export const SINGLE_NODE_ZONE = 'single_node';
/** The one tenant of a single-node kernel: seekdb accepts `user@sys` and plain `user` as the same account. */
export const SINGLE_NODE_TENANT = 'sys';
const SYS_TENANT_ID = 1;

export interface SingleNodeDecision {
  /**
   * The only server, as a DBA_OB_SERVERS row would give it: the address the proxy reached (what client sessions must
   * use too), ACTIVE, serving; RPC port unknown (0). Its zone is SINGLE_NODE_ZONE, ACTIVE, ReadWrite.
   */
  readonly server: ServerRow;
  /** The only tenant's entry, leader = that server. */
  readonly tenant: TenantEntry;
  /** One line for logs and diagnosis: which server answered what, and what the proxy does instead. */
  readonly reason: string;
}

/**
 * Whether the server list query's answer means "single-node kernel": an ERR with ER_NO_SUCH_TABLE. Any other
 * answer (rows, another error) is not ours to reinterpret; null = normal cluster handling.
 */
export function decideSingleNode(answer: QueryResult, from: ServerAddress, versionComment: string | null): SingleNodeDecision | null {
  if (answer.kind !== 'err' || answer.errno !== ER_NO_SUCH_TABLE) return null;
  const key = formatAddress(from);
  const server: ServerRow = { ip: from.host, port: from.port, rpcPort: 0, zone: SINGLE_NODE_ZONE, status: 'ACTIVE', startService: true, stopped: false };
  const tenant: TenantEntry = {
    name: SINGLE_NODE_TENANT, id: SYS_TENANT_ID, servers: [key], primaryZone: SINGLE_NODE_ZONE, locality: null, status: 'NORMAL',
  };
  const kernel = versionComment === null || versionComment === '' ? '' : ` (${versionComment})`;
  const reason = `single-node kernel${kernel}: ${key} answered ${answer.errno} (${answer.sqlState}) ${answer.message} to the server list ` +
    `query, so ${key} is the only server (zone ${SINGLE_NODE_ZONE}, active), tenant ${SINGLE_NODE_TENANT} is the only tenant and ` +
    'partition location lookups are off (every statement goes to that server)';
  return { server, tenant, reason };
}
