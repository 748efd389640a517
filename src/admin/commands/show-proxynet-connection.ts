// SHOW PROXYNET CONNECTION [thread_id [LIMIT [offset,] count]] (spec §8): one row per client connection of the
// (single) net thread 0. Columns whose value odp does not track (socket fd, VIP id, bind style, I/O enable flags,
// timeouts) are NULL rather than invented; server connections are not listed yet (docs/COMMANDS.md).
import type { AdminContext, AdminResult, AdminSessionView } from '../context.js';
import type { Cursor } from '../cursor.js';
import { splitHostPort, str } from '../common.js';
import type { AdminCommand } from '../registry.js';
import { rows } from '../results.js';
import type { Row } from '../results.js';

export const NET_CONNECTION_COLUMNS = [
  'thread_id', 'connect_id', 'socket_fd', 'type', 'src_ip', 'src_port', 'dst_ip', 'dst_port', 'virtual_ip', 'virtual_port',
  'virtual_vid', 'bind_style', 'read_enabled', 'read_nbytes', 'read_ndone', 'write_enabled', 'write_nbyte', 'write_ndone',
  'alive_time(sec)', 'activity_timeout_in(sec)', 'inactivity_timeout_in(sec)', 'timeout_close_in(sec)', 'last_error_no',
  'shutdown', 'comments',
] as const;

interface Args { readonly thread: number | undefined; readonly offset: number; readonly count: number | undefined }

function parseArgs(c: Cursor): Args {
  const thread = c.optionalInt();
  let offset = 0;
  let count: number | undefined;
  if (thread !== undefined && c.accept('LIMIT')) {
    count = c.expectInt('a row count');
    if (c.acceptPunct(',')) {
      offset = count;
      count = c.expectInt('a row count');
    }
  }
  c.end();
  return { thread, offset, count };
}

function row(s: AdminSessionView, now: number): Row {
  const src = splitHostPort(s.host);
  const dst = splitHostPort(s.localAddress);
  const server = s.serverAddress === null ? '' : ` server=${s.serverAddress}`;
  return ['0', str(s.id), null, 'client', src.ip, src.port, dst.ip, dst.port, dst.ip, dst.port, null, null, null, null,
    str(s.bytesFromClient), null, null, str(s.bytesToClient), str(Math.max(0, Math.floor((now - s.connectedAt) / 1000))),
    null, null, null, null, s.state === 'closed' ? '1' : '0', `cs_id=${s.id} user=${s.user}${server}`];
}

export const showProxyNetConnection: AdminCommand<Args> = {
  keywords: ['SHOW', 'PROXYNET', 'CONNECTION'],
  syntax: 'SHOW PROXYNET CONNECTION [thread_id [LIMIT [offset,] count]]',
  privilege: 'admin',
  parse: parseArgs,
  run(args: Args, ctx: AdminContext): AdminResult {
    if (args.thread !== undefined && args.thread !== 0) return rows(NET_CONNECTION_COLUMNS, []);
    const now = Date.now();
    const list = [...ctx.sessions()].sort((a, b) => a.id - b.id).map((s) => row(s, now));
    const end = args.count === undefined ? undefined : args.offset + args.count;
    return rows(NET_CONNECTION_COLUMNS, list.slice(args.offset, end));
  },
};
