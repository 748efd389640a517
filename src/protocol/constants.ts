// MySQL client/server protocol constants.
// Sources: MySQL include/mysql_com.h and field_types.h (dev.mysql.com/doc/dev/mysql-server/latest/
// page_protocol_basics.html), MariaDB server include/mysql_com.h (mariadb.com/kb/en/connection/),
// OceanBase's COM extensions (spec §2.1). All flag values are unsigned 32-bit numbers (`>>> 0`).

/** CLIENT_* capability flags (HandshakeV10 / HandshakeResponse41), named without the prefix. */
export const Capability = {
  /** Also called CLIENT_MYSQL; MariaDB clears it to announce its extended capabilities. */
  LONG_PASSWORD: 1,
  FOUND_ROWS: 1 << 1,
  LONG_FLAG: 1 << 2,
  CONNECT_WITH_DB: 1 << 3,
  NO_SCHEMA: 1 << 4,
  COMPRESS: 1 << 5,
  ODBC: 1 << 6,
  LOCAL_FILES: 1 << 7,
  IGNORE_SPACE: 1 << 8,
  PROTOCOL_41: 1 << 9,
  INTERACTIVE: 1 << 10,
  SSL: 1 << 11,
  IGNORE_SIGPIPE: 1 << 12,
  TRANSACTIONS: 1 << 13,
  RESERVED: 1 << 14,
  /** CLIENT_RESERVED2 in MySQL 8 headers: 4.1 authentication. */
  SECURE_CONNECTION: 1 << 15,
  MULTI_STATEMENTS: 1 << 16,
  MULTI_RESULTS: 1 << 17,
  PS_MULTI_RESULTS: 1 << 18,
  PLUGIN_AUTH: 1 << 19,
  CONNECT_ATTRS: 1 << 20,
  PLUGIN_AUTH_LENENC_CLIENT_DATA: 1 << 21,
  CAN_HANDLE_EXPIRED_PASSWORDS: 1 << 22,
  SESSION_TRACK: 1 << 23,
  DEPRECATE_EOF: 1 << 24,
  OPTIONAL_RESULTSET_METADATA: 1 << 25,
  ZSTD_COMPRESSION_ALGORITHM: 1 << 26,
  QUERY_ATTRIBUTES: 1 << 27,
  MULTI_FACTOR_AUTHENTICATION: 1 << 28,
  CAPABILITY_EXTENSION: 1 << 29,
  SSL_VERIFY_SERVER_CERT: 1 << 30,
  REMEMBER_OPTIONS: (1 << 31) >>> 0,
} as const;

/**
 * MariaDB extended capabilities (bits 32.. of the 64-bit capability set, stored as a separate u32).
 * They travel in the last 4 reserved bytes of the handshake / handshake response when the sender
 * clears Capability.LONG_PASSWORD (CLIENT_MYSQL).
 */
export const MariadbCapability = {
  PROGRESS: 1,
  COM_MULTI: 1 << 1,
  STMT_BULK_OPERATIONS: 1 << 2,
  EXTENDED_TYPE_INFO: 1 << 3,
  CACHE_METADATA: 1 << 4,
  BULK_UNIT_RESULTS: 1 << 5,
} as const;

/** COM_* command bytes (first payload byte of a client request), named without the prefix. */
export const Command = {
  SLEEP: 0x00,
  QUIT: 0x01,
  INIT_DB: 0x02,
  QUERY: 0x03,
  FIELD_LIST: 0x04,
  CREATE_DB: 0x05,
  DROP_DB: 0x06,
  REFRESH: 0x07,
  SHUTDOWN: 0x08,
  STATISTICS: 0x09,
  PROCESS_INFO: 0x0a,
  CONNECT: 0x0b,
  PROCESS_KILL: 0x0c,
  DEBUG: 0x0d,
  PING: 0x0e,
  TIME: 0x0f,
  DELAYED_INSERT: 0x10,
  CHANGE_USER: 0x11,
  BINLOG_DUMP: 0x12,
  TABLE_DUMP: 0x13,
  CONNECT_OUT: 0x14,
  REGISTER_SLAVE: 0x15,
  STMT_PREPARE: 0x16,
  STMT_EXECUTE: 0x17,
  STMT_SEND_LONG_DATA: 0x18,
  STMT_CLOSE: 0x19,
  STMT_RESET: 0x1a,
  SET_OPTION: 0x1b,
  STMT_FETCH: 0x1c,
  DAEMON: 0x1d,
  BINLOG_DUMP_GTID: 0x1e,
  RESET_CONNECTION: 0x1f,
  /** OceanBase: prepare and execute in one round trip. */
  STMT_PREPARE_EXECUTE: 0xa1,
  /** OceanBase: piece-wise long data (OB JDBC/OCI). */
  STMT_SEND_PIECE_DATA: 0xa2,
  STMT_GET_PIECE_DATA: 0xa3,
  /** MariaDB: array binding (MariadbCapability.STMT_BULK_OPERATIONS). */
  STMT_BULK_EXECUTE: 0xfa,
} as const;

export type CommandByte = (typeof Command)[keyof typeof Command];

const commandNames: readonly string[] = buildCommandNames();

function buildCommandNames(): string[] {
  const names: string[] = [];
  for (let i = 0; i < 256; i++) names.push(`COM_UNKNOWN(0x${i.toString(16).padStart(2, '0')})`);
  for (const [name, byte] of Object.entries(Command)) names[byte] = `COM_${name}`;
  return names;
}

/** 'COM_QUERY' for 0x03, 'COM_UNKNOWN(0x2a)' for an unassigned byte. O(1), no allocation. */
export function commandName(byte: number): string {
  return commandNames[byte & 0xff] ?? 'COM_UNKNOWN';
}

/** SERVER_STATUS_* / SERVER_* flags of OK and EOF packets. */
export const ServerStatus = {
  IN_TRANS: 1,
  AUTOCOMMIT: 2,
  MORE_RESULTS_EXISTS: 8,
  NO_GOOD_INDEX_USED: 16,
  NO_INDEX_USED: 32,
  CURSOR_EXISTS: 64,
  LAST_ROW_SENT: 128,
  DB_DROPPED: 256,
  NO_BACKSLASH_ESCAPES: 512,
  METADATA_CHANGED: 1024,
  QUERY_WAS_SLOW: 2048,
  PS_OUT_PARAMS: 4096,
  IN_TRANS_READONLY: 8192,
  SESSION_STATE_CHANGED: 16384,
  /** MariaDB only. */
  ANSI_QUOTES: 32768,
} as const;

/** SESSION_TRACK_* entry types inside an OK packet's session state. */
export const SessionTrack = {
  SYSTEM_VARIABLES: 0,
  SCHEMA: 1,
  STATE_CHANGE: 2,
  GTIDS: 3,
  TRANSACTION_CHARACTERISTICS: 4,
  TRANSACTION_STATE: 5,
} as const;

/** MYSQL_TYPE_* column/parameter types, named without the prefix. */
export const ColumnType = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  NULL: 6,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  VARCHAR: 15,
  BIT: 16,
  TIMESTAMP2: 17,
  DATETIME2: 18,
  TIME2: 19,
  TYPED_ARRAY: 20,
  VECTOR: 242,
  INVALID: 243,
  BOOL: 244,
  JSON: 245,
  NEWDECIMAL: 246,
  ENUM: 247,
  SET: 248,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
  GEOMETRY: 255,
} as const;

/** Column definition flags (*_FLAG in mysql_com.h), named without the suffix. */
export const ColumnFlag = {
  NOT_NULL: 1,
  PRI_KEY: 2,
  UNIQUE_KEY: 4,
  MULTIPLE_KEY: 8,
  BLOB: 16,
  UNSIGNED: 32,
  ZEROFILL: 64,
  BINARY: 128,
  ENUM: 256,
  AUTO_INCREMENT: 512,
  TIMESTAMP: 1024,
  SET: 2048,
  NO_DEFAULT_VALUE: 4096,
  ON_UPDATE_NOW: 8192,
  NUM: 32768,
} as const;

/** COM_STMT_EXECUTE flags byte (enum_cursor_type). */
export const CursorType = {
  NO_CURSOR: 0,
  READ_ONLY: 1,
  FOR_UPDATE: 2,
  SCROLLABLE: 4,
  /** MySQL 8.0.26+: a parameter count precedes the null bitmap (with QUERY_ATTRIBUTES). */
  PARAMETER_COUNT_AVAILABLE: 8,
} as const;

/** Largest payload of one physical packet; a payload of this size is continued by the next packet. */
export const MAX_PAYLOAD = 0xffffff;
/** Size of the packet header: payload length (3 bytes LE) + sequence id (1 byte). */
export const HEADER_SIZE = 4;

export const OK_HEADER = 0x00;
export const EOF_HEADER = 0xfe;
export const ERR_HEADER = 0xff;
export const LOCAL_INFILE_HEADER = 0xfb;
/** AuthSwitchRequest first byte (same value as EOF_HEADER). */
export const AUTH_SWITCH_HEADER = 0xfe;
/** AuthMoreData first byte. */
export const AUTH_MORE_DATA_HEADER = 0x01;

export const AuthPlugin = {
  MYSQL_NATIVE_PASSWORD: 'mysql_native_password',
  CACHING_SHA2_PASSWORD: 'caching_sha2_password',
  MYSQL_CLEAR_PASSWORD: 'mysql_clear_password',
  SHA256_PASSWORD: 'sha256_password',
  CLIENT_ED25519: 'client_ed25519',
} as const;

export type AuthPluginName = (typeof AuthPlugin)[keyof typeof AuthPlugin];

/** Collation ids (the `charset` byte of handshakes and column definitions). */
export const Charset = {
  big5_chinese_ci: 1,
  latin1_swedish_ci: 8,
  ascii_general_ci: 11,
  gbk_chinese_ci: 28,
  utf8mb3_general_ci: 33,
  utf8mb4_general_ci: 45,
  utf8mb4_bin: 46,
  latin1_bin: 47,
  binary: 63,
  utf8mb3_bin: 83,
  utf8mb4_unicode_ci: 224,
  gb18030_chinese_ci: 248,
  utf8mb4_0900_ai_ci: 255,
} as const;
