// SHOW PROXYSESSION ATTRIBUTE [id] [LIKE 'pat'] (spec §8): name/value/info rows about one client session, by
// default the current one. ODP's attribute names where odp has the value ("cs common", the current server session
// as "curr used ss"); odp's own extra attributes have info "cs odp". ODP's "cs stat" and "cs var version" rows
// are not shown: odp tracks neither yet (docs/COMMANDS.md).
import type { AdminContext, AdminResult, AdminSessionView } from '../context.js';
import { flag, formatTime, odpState, splitHostPort, str, targetSession } from '../common.js';
import { filterLike } from '../like.js';
import type { AdminCommand } from '../registry.js';
import { rows, unknownSession } from '../results.js';
import type { Row } from '../results.js';
import { parseSessionArgs } from './session-args.js';
import type { SessionArgs } from './session-args.js';

export const ATTRIBUTE_COLUMNS = ['attribute_name', 'value', 'info'] as const;

type Attr = readonly [name: string, value: string | null, info: string];

function attributes(s: AdminSessionView, ctx: AdminContext): Attr[] {
  const client = splitHostPort(s.host);
  const common = 'cs common';
  const odp = 'cs odp';
  const out: Attr[] = [
    ['proxy_sessid', s.proxySessId, common], ['cs_id', str(s.id), common], ['cluster', s.cluster, common],
    ['tenant', s.tenant, common], ['user', s.user, common], ['host_ip', client.ip, common], ['host_port', client.port, common],
    ['db', s.db, common], ['total_trans_cnt', str(s.transCount), common], ['svr_session_cnt', str(s.serverSessionCount), common],
    ['active', s.state === 'busy' || s.state === 'infile' ? 'true' : 'false', common], ['read_state', odpState(s), common],
    ['tid', str(ctx.pid), common], ['pid', str(ctx.pid), common], ['idc_name', ctx.config.get('proxy_idc_name'), common],
    ['local_addr', s.localAddress, odp], ['using_ssl', flag(s.usingSsl), odp], ['in_trans', s.inTransaction ? 'true' : 'false', odp],
    ['connected_time', formatTime(s.connectedAt), odp], ['last_active_time', formatTime(s.lastActiveAt), odp],
    ['client_requests', str(s.requests), odp], ['current_cmd', s.currentCommand, odp],
    ['cmd_start_time', formatTime(s.commandStartedAt), odp],
  ];
  if (s.serverAddress !== null) {
    const server = splitHostPort(s.serverAddress);
    const ss = 'curr used ss';
    out.push(['server_ip', server.ip, ss], ['server_port', server.port, ss],
      ['server_sessid', s.serverConnectionId === null ? null : str(s.serverConnectionId), ss]);
  }
  return out;
}

export const showProxySessionAttribute: AdminCommand<SessionArgs> = {
  keywords: ['SHOW', 'PROXYSESSION', 'ATTRIBUTE'],
  syntax: "SHOW PROXYSESSION ATTRIBUTE [id] [LIKE 'pattern']",
  privilege: 'user',
  parse: parseSessionArgs,
  run(args: SessionArgs, ctx: AdminContext): AdminResult {
    const s = targetSession(ctx, args.id);
    if (s === undefined) return unknownSession(args.id ?? ctx.currentSessionId);
    const list = filterLike(attributes(s, ctx), args.like, (a) => a[0]);
    return rows(ATTRIBUTE_COLUMNS, list.map((a): Row => [a[0], a[1], a[2]]));
  },
};
