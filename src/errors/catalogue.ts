// The one error catalogue (STYLE.md habit 9): a stable code, the MySQL errno and SQLSTATE a client sees,
// and whether the message may be shown to the client. Match on `code`, never on instanceof or message text.
// Errnos/SQLSTATEs are MySQL's (include/mysqld_error.h, errmsg.h) so drivers map them as they would for a server.

export interface ErrorSpec {
  readonly errno: number;
  readonly sqlState: string;
  /** printf-like template; %s placeholders are filled in order by `format`. */
  readonly message: string;
  /** false: the detailed message is logged; the client gets `message` with no internal detail. */
  readonly clientVisible: boolean;
}

export const Errors = {
  // Protocol-level faults from a peer.
  MALFORMED_PACKET: { errno: 1835, sqlState: 'HY000', message: 'Malformed communication packet.', clientVisible: true },
  PACKETS_OUT_OF_ORDER: { errno: 1156, sqlState: '08S01', message: 'Got packets out of order', clientVisible: true },
  PACKET_TOO_LARGE: { errno: 1153, sqlState: '08S01', message: "Got a packet bigger than 'max_allowed_packet' bytes", clientVisible: true },
  NET_READ_ERROR: { errno: 1158, sqlState: '08S01', message: 'Got an error reading communication packets', clientVisible: true },
  NET_READ_TIMEOUT: { errno: 1159, sqlState: '08S01', message: 'Got timeout reading communication packets', clientVisible: true },
  HANDSHAKE_ERROR: { errno: 1043, sqlState: '08S01', message: 'Bad handshake', clientVisible: true },
  UNKNOWN_COMMAND: { errno: 1047, sqlState: '08S01', message: 'Unknown command', clientVisible: true },
  // Login.
  ACCESS_DENIED: { errno: 1045, sqlState: '28000', message: "Access denied for user '%s'@'%s' (using password: %s)", clientVisible: true },
  TOO_MANY_CONNECTIONS: { errno: 1040, sqlState: '08004', message: 'Too many connections', clientVisible: true },
  SSL_REQUIRED: { errno: 1045, sqlState: '28000', message: 'SSL connection is required for user %s', clientVisible: true },
  AUTH_PLUGIN_UNSUPPORTED: { errno: 1251, sqlState: '08004', message: 'Client does not support authentication protocol requested by server; consider upgrading MySQL client', clientVisible: true },
  // Backend availability.
  BACKEND_CONNECT_FAILED: { errno: 2003, sqlState: 'HY000', message: "Can't connect to MySQL server on '%s' (%s)", clientVisible: true },
  BACKEND_LOST: { errno: 2013, sqlState: 'HY000', message: 'Lost connection to MySQL server %s during query', clientVisible: true },
  BACKEND_TIMEOUT: { errno: 1159, sqlState: '08S01', message: 'Timeout waiting for MySQL server %s', clientVisible: true },
  NO_BACKEND: { errno: 2003, sqlState: 'HY000', message: 'No usable backend server: %s', clientVisible: true },
  // Lifecycle.
  SERVER_SHUTDOWN: { errno: 1053, sqlState: '08S01', message: 'Server shutdown in progress', clientVisible: true },
  CONNECTION_KILLED: { errno: 1927, sqlState: '70100', message: 'Connection was killed', clientVisible: true },
  QUERY_INTERRUPTED: { errno: 1317, sqlState: '70100', message: 'Query execution was interrupted', clientVisible: true },
  // Statements.
  NOT_SUPPORTED: { errno: 1235, sqlState: '42000', message: "This version of odp doesn't yet support '%s'", clientVisible: true },
  UNKNOWN_STMT_HANDLER: { errno: 1243, sqlState: 'HY000', message: 'Unknown prepared statement handler (%s) given to %s', clientVisible: true },
  NO_SUCH_THREAD: { errno: 1094, sqlState: 'HY000', message: 'Unknown thread id: %s', clientVisible: true },
  // Proxy-internal faults: logged in full, the client sees only this.
  INTERNAL: { errno: 1815, sqlState: 'HY000', message: 'Internal error in odp: %s', clientVisible: false },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof Errors;

/** Fills %s placeholders in order. Extra args are ignored; missing ones become ''. */
export function format(template: string, args: readonly (string | number)[]): string {
  let i = 0;
  return template.replace(/%s/g, () => String(args[i++] ?? ''));
}

/** An error with a catalogue code. `detail` is for logs; `clientMessage` is what a client may see. */
export class OdpError extends Error {
  readonly code: ErrorCode;
  readonly errno: number;
  readonly sqlState: string;
  readonly clientMessage: string;

  constructor(code: ErrorCode, args: readonly (string | number)[] = [], detail?: string) {
    const spec: ErrorSpec = Errors[code];
    const text = format(spec.message, args);
    super(detail === undefined ? text : `${text}: ${detail}`);
    this.name = 'OdpError';
    this.code = code;
    this.errno = spec.errno;
    this.sqlState = spec.sqlState;
    this.clientMessage = spec.clientVisible ? text : format(Errors.INTERNAL.message, ['see obproxy.log']);
  }
}

/** Thrown by packet readers on truncated or inconsistent input; always caught at the session boundary. */
export class ProtocolError extends OdpError {
  constructor(detail: string) {
    super('MALFORMED_PACKET', [], detail);
    this.name = 'ProtocolError';
  }
}

export function isOdpError(e: unknown): e is OdpError {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name !== undefined && 'code' in e && 'errno' in e;
}
