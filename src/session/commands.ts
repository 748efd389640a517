// What the proxy does with each client command byte (spec §2.1 "Commands specially handled"). One table, no
// per-command code paths in the session machine beyond the few local answers.

import { Capability, Command, MariadbCapability } from '../protocol/constants.js';
import type { ResponseMode } from '../protocol/response.js';

export type CommandAction =
  | { readonly kind: 'forward'; readonly mode: ResponseMode } // send to the server, track the response
  | { readonly kind: 'forward_no_reply' } // COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA: the server never answers
  | { readonly kind: 'ping' } // answered by the proxy (as ODP does)
  | { readonly kind: 'quit' }
  | { readonly kind: 'change_user' } // auth exchange relayed with the server
  | { readonly kind: 'unsupported'; readonly what: string } // ERR 1235, session stays usable
  | { readonly kind: 'unknown' }; // ERR 1047 Unknown command, session stays usable

const table = new Map<number, CommandAction>([
  [Command.QUERY, { kind: 'forward', mode: 'result' }],
  [Command.STMT_EXECUTE, { kind: 'forward', mode: 'result' }],
  [Command.STMT_BULK_EXECUTE, { kind: 'forward', mode: 'result' }],
  [Command.PROCESS_INFO, { kind: 'forward', mode: 'result' }],
  [Command.STMT_PREPARE, { kind: 'forward', mode: 'prepare' }],
  [Command.STMT_FETCH, { kind: 'forward', mode: 'fetch' }],
  [Command.FIELD_LIST, { kind: 'forward', mode: 'field_list' }],
  [Command.INIT_DB, { kind: 'forward', mode: 'single' }],
  [Command.STATISTICS, { kind: 'forward', mode: 'single' }],
  [Command.PROCESS_KILL, { kind: 'forward', mode: 'single' }],
  [Command.DEBUG, { kind: 'forward', mode: 'single' }],
  [Command.SET_OPTION, { kind: 'forward', mode: 'single' }],
  [Command.STMT_RESET, { kind: 'forward', mode: 'single' }],
  [Command.RESET_CONNECTION, { kind: 'forward', mode: 'single' }],
  [Command.REFRESH, { kind: 'forward', mode: 'single' }],
  [Command.STMT_CLOSE, { kind: 'forward_no_reply' }],
  [Command.STMT_SEND_LONG_DATA, { kind: 'forward_no_reply' }],
  [Command.PING, { kind: 'ping' }],
  [Command.QUIT, { kind: 'quit' }],
  [Command.CHANGE_USER, { kind: 'change_user' }],
  [Command.SHUTDOWN, { kind: 'unsupported', what: 'COM_SHUTDOWN through the proxy' }],
  [Command.BINLOG_DUMP, { kind: 'unsupported', what: 'binlog dump through the proxy' }],
  [Command.BINLOG_DUMP_GTID, { kind: 'unsupported', what: 'binlog dump through the proxy' }],
  [Command.REGISTER_SLAVE, { kind: 'unsupported', what: 'replica registration through the proxy' }],
  [Command.TABLE_DUMP, { kind: 'unsupported', what: 'COM_TABLE_DUMP' }],
  [Command.STMT_PREPARE_EXECUTE, { kind: 'unsupported', what: 'COM_STMT_PREPARE_EXECUTE without OceanBase 2.0 protocol' }],
]);

const UNKNOWN: CommandAction = { kind: 'unknown' };

export function commandAction(cmd: number): CommandAction {
  return table.get(cmd) ?? UNKNOWN;
}

/**
 * Capabilities the proxy never lets through, because they change the wire format in ways the tunnel does not
 * handle (compression, optional metadata, query attributes) or need a TLS leg of their own.
 */
export const FORBIDDEN_CAPABILITIES =
  Capability.COMPRESS |
  Capability.SSL |
  Capability.OPTIONAL_RESULTSET_METADATA |
  Capability.ZSTD_COMPRESSION_ALGORITHM |
  Capability.QUERY_ATTRIBUTES |
  Capability.MULTI_FACTOR_AUTHENTICATION |
  Capability.CAPABILITY_EXTENSION;

/**
 * MariaDB extended capabilities let through: bulk execution, and extended type info (drivers need it to tell JSON
 * from text; result sets the proxy builds itself carry the extra column-definition field when it is negotiated).
 */
export const ALLOWED_MARIADB_CAPABILITIES = MariadbCapability.STMT_BULK_OPERATIONS | MariadbCapability.EXTENDED_TYPE_INFO;

export function maskCapabilities(caps: number): number {
  return (caps & ~FORBIDDEN_CAPABILITIES) >>> 0;
}
