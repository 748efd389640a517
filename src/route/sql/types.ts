// Result types of the route SQL parser (spec §4.1, §4.2, §5.6, §5.8).
//
// A RouteParse describes ONE statement (the first one of a multi-statement) as far as routing and session
// tracking need it. It is a plain data object; results handed out by RouteParseCache are frozen and shared,
// so every consumer must treat a RouteParse as read-only.
//
// ── ValueRef: how key values are handed to the partition layer ─────────────────────────────────────────
// Values are REFERENCES, never resolved values: the parser does not know the column type, the session's
// user variables or the COM_STMT_EXECUTE parameters. The partition layer resolves and casts them (§4.3).
//   literal      type  text (normalised, see below)                    charsetIntroducer / collation
//                int      decimal digits with optional leading '-', no leading zeros ('-0' → '0'); may
//                         exceed the 64-bit range (MySQL then treats it as DECIMAL)
//                decimal  digits with one '.', optional leading '-', as written otherwise ('1.50', '-.5')
//                float    literal with an exponent ('1e3', '-2.5E-3'), as written except the sign
//                string   the unescaped characters (quotes removed, escapes applied, adjacent literals
//                         'a' 'b' concatenated); charsetIntroducer '_utf8mb4' → 'utf8mb4', N'x' → 'national'
//                hex      lower-case hex digits without prefix, even length (0xabc → '0abc'); X'..' and 0x..
//                bit      binary digits without prefix (b'101', 0b101 → '101')
//                null     ''            bool  '1' (TRUE) or '0' (FALSE)
//                date / time / timestamp   the string of a typed literal DATE '2024-01-02' etc.
//   placeholder  index: 0-based position of this `?` among all `?` of the statement text (parameter number
//                of COM_STMT_EXECUTE, or position in EXECUTE ... USING @a, @b)
//   user_var     name: lower-cased user variable name without '@' (resolved from session user variables)
//   sys_var      scope + lower-cased name of @@[scope.]name
//   func         name: lower-cased function name, or an operator: '+', '-', '*', '/', '%', 'div', 'mod'
//                (binary: 2 args; '-' with 1 arg is unary minus of a non-literal); niladic keywords such as
//                CURRENT_TIMESTAMP / SYSDATE have args []. The partition layer evaluates the ones it knows
//                (§4.2 func-expr list) and gives up on the rest.
//   default      the DEFAULT keyword (INSERT VALUES, SET x = DEFAULT)
//   expr         anything else (column references, subqueries, CAST, INTERVAL, CASE ...): NOT evaluable by
//                the proxy; `text` is the raw SQL for diagnosis. Appears only where a position must be
//                kept (INSERT rows, UPDATE SET, SET, CALL args); conditions never contain one.

export const STMT_KINDS = [
  'SELECT', 'INSERT', 'REPLACE', 'UPDATE', 'DELETE', 'MERGE',
  'SET', 'SET_NAMES', 'SET_CHARSET', 'SET_TRANSACTION', 'USE',
  'BEGIN', 'START_TRANS', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'ROLLBACK_TO_SAVEPOINT', 'RELEASE_SAVEPOINT',
  'XA_START', 'XA_END', 'XA_PREPARE', 'XA_COMMIT', 'XA_ROLLBACK', 'XA_RECOVER',
  'SHOW', 'DESC', 'EXPLAIN', 'EXPLAIN_ROUTE',
  'PREPARE', 'EXECUTE', 'DEALLOCATE', 'CALL',
  'CREATE', 'DROP', 'ALTER', 'TRUNCATE', 'RENAME', 'GRANT', 'REVOKE',
  'LOAD_DATA', 'LOCK_TABLES', 'UNLOCK_TABLES', 'KILL', 'KILL_QUERY', 'HELP',
  'INTERNAL_CMD', 'EMPTY', 'OTHER',
] as const;
export type StmtKind = (typeof STMT_KINDS)[number];

export type LiteralType =
  | 'int' | 'decimal' | 'float' | 'string' | 'hex' | 'bit' | 'null' | 'bool' | 'date' | 'time' | 'timestamp';

export interface LiteralRef {
  kind: 'literal';
  type: LiteralType;
  text: string;
  charsetIntroducer: string | null;
  collation: string | null;
}
export interface PlaceholderRef { kind: 'placeholder'; index: number }
export interface UserVarRef { kind: 'user_var'; name: string }
export interface SysVarRef { kind: 'sys_var'; scope: SysVarScope | null; name: string }
export interface FuncRef { kind: 'func'; name: string; args: ValueRef[] }
export interface DefaultRef { kind: 'default' }
export interface ExprRef { kind: 'expr'; text: string }
export type ValueRef = LiteralRef | PlaceholderRef | UserVarRef | SysVarRef | FuncRef | DefaultRef | ExprRef;

export type SysVarScope = 'session' | 'global' | 'persist' | 'persist_only';

/**
 * One relation on a column from an AND-only context (outer WHERE, inner JOIN ... ON, MERGE ON).
 * `IN`: values in list order (capped at 32); ODP routes by values[0] (§4.2). `BETWEEN`: [low, high].
 * `IS_NULL` / `IS_NOT_NULL`: values []. `value op column` is mirrored to `column op' value`.
 */
export interface KeyCondition {
  /** Lower-cased, unquoted column name. */
  column: string;
  /** Qualifier as written, unquoted: 't', 'alias' or 'db.t'; null when unqualified. */
  qualifier: string | null;
  /** Index into RouteParse.tables, or -1 when unqualified and the statement names several tables. */
  tableIndex: number;
  op: ConditionOp;
  values: ValueRef[];
}
export type ConditionOp = '=' | '<=>' | '!=' | '<' | '<=' | '>' | '>=' | 'IN' | 'BETWEEN' | 'IS_NULL' | 'IS_NOT_NULL';

export interface TableRef {
  /** Database qualifier as written (backticks removed); null when not given. */
  db: string | null;
  /** Table name as written (backticks removed; case preserved: it may be case-sensitive on the server). */
  name: string;
  alias: string | null;
  /** `t@link` (OceanBase dblink); such statements are never routed by partition (§5.6). */
  dblink: string | null;
}

export interface ColumnValue { column: string; value: ValueRef }

export type SetScope =
  | 'session' | 'global' | 'persist' | 'persist_only' | 'user' | 'names' | 'charset' | 'transaction';

/**
 * One assignment of a SET statement, in statement order.
 *  - user      `SET @a = 1`              name 'a'
 *  - session / global / persist / persist_only   system variables, the most recent scope keyword applies
 *              to following assignments without one (MySQL rule); `@@x` alone is session scope
 *  - names     `SET NAMES cs [COLLATE c]` name 'names', value = charset ('default' → DefaultRef)
 *  - charset   `SET CHARACTER SET cs`    name 'character_set'
 *  - SET [GLOBAL|SESSION] TRANSACTION ...: scope 'transaction' (next transaction only), 'session' or
 *    'global'; name 'transaction_isolation' (valueText `'READ-COMMITTED'` etc.) or 'transaction_read_only'
 *    (valueText '1' / '0'), so the assignment can be replayed as `SET @@<scope>.<name> = <valueText>`.
 */
export interface SetAssignment {
  scope: SetScope;
  name: string;
  /** Exact SQL text of the value expression (comments inside it included), for replay. */
  valueText: string;
  /** Parsed value; ExprRef when not a simple value; bare words (ON, OFF) are string literals. */
  value: ValueRef;
  /** SET NAMES ... COLLATE c. */
  collation: string | null;
}

export interface TextPs {
  /** Lower-cased statement name (text-PS names are case-insensitive). */
  name: string;
  /** PREPARE s FROM '<sql>': the unescaped statement text. */
  sql: string | null;
  /** PREPARE s FROM @v: lower-cased variable name. */
  fromVar: string | null;
  /** EXECUTE s USING @a, @b: lower-cased variable names. */
  usingVars: string[];
}

export type ReadConsistency = 'WEAK' | 'STRONG' | 'FROZEN';

/** Hints from leading comments and from `/*+ ... *\/` right after the verb (§5.8). */
export interface RouteHints {
  readConsistency: ReadConsistency | null;
  /** QUERY_TIMEOUT(n); microseconds. */
  queryTimeoutUs: number | null;
  traceLog: boolean;
  /** INDEX(t idx) (sharding). */
  indexHint: { table: string; index: string } | null;
  /** Raw list `ip:port,ip:port;ip:port` from `target_db_server=` (plain or ODP: comment). */
  targetDbServer: string | null;
  traceId: string | null;
  rpcId: string | null;
  /** Old fast-path comment `/* table=t part_key=v *\/` (§4.2). */
  tableHint: string | null;
  partKeyHint: string | null;
  /** Raw text of a `/* DBP: ... *\/` comment (sharding). */
  dbpRoute: string | null;
  /** Other `key=value` pairs of an `/* ODP: ... *\/` comment (sharding keys), keys lower-cased. */
  extra: { key: string; value: string }[];
}

export interface RouteParse {
  kind: StmtKind;
  /** EXPLAIN / EXPLAIN ROUTE: kind of the explained statement, whose tables/conditions fill this result. */
  innerKind: StmtKind | null;
  /** INTERNAL_CMD: normalised command head, e.g. 'SHOW PROXYCONFIG', 'KILL PROXYSESSION', 'PING PROXY'. */
  internalCmd: string | null;
  /**
   * SHOW: lower-cased object word ('tables', 'warnings', ...); DDL: object type ('table', 'index',
   * 'procedure', ...); SET PASSWORD / SET ROLE: 'password' / 'role'.
   */
  objectType: string | null;

  /** First table (for CALL: the routine). */
  dbName: string | null;
  tableName: string | null;
  tableAlias: string | null;
  /** All tables named by the statement's FROM/JOIN/target list (capped at 16), first table first. */
  tables: TableRef[];
  explicitPartition: string[] | null;

  hints: RouteHints;
  /** A locking read: FOR UPDATE, FOR SHARE or LOCK IN SHARE MODE (never a weak read, spec §5.2). */
  hasForUpdate: boolean;
  /** found_rows(), row_count(), connection_id(), sys_context(), SHOW WARNINGS/ERRORS/TRACE (§4.1, §5.6). */
  hasDependentFunction: boolean;
  dependentFunctions: string[];
  hasLastInsertId: boolean;
  /** get_lock() / release_lock() / is_used_lock() ...: session-scoped locks. */
  hasGetLock: boolean;
  /** CREATE/DROP TEMPORARY TABLE. */
  usesTempTable: boolean;

  conditions: KeyCondition[];
  /** Conjuncts that were not simple `column op value` relations and were ignored. */
  skippedConditions: number;
  /** INSERT/REPLACE: lower-cased column list (also from INSERT ... SET); null: values are by position. */
  insertColumns: string[] | null;
  /** First VALUES row (or the INSERT ... SET values), one entry per column. */
  insertValues: ValueRef[] | null;
  /** Number of VALUES rows seen within the parse limit. */
  insertRowCount: number;
  hasOnDuplicateKeyUpdate: boolean;
  /** UPDATE t SET ...: the assignments (column lower-cased). */
  updateSet: ColumnValue[] | null;

  setAssignments: SetAssignment[];
  useDb: string | null;
  textPs: TextPs | null;
  callArgs: ValueRef[] | null;
  /** KILL [CONNECTION|QUERY] <id>: the id token text. */
  killId: string | null;
  savepoint: string | null;
  /** XA statements: the xid as written. */
  xid: string | null;

  placeholderCount: number;
  /** Literal tokens (numbers, strings, hex, bits) in the parsed text: 0 means the text recurs verbatim (cacheable). */
  literalCount: number;
  /** More statements follow the first one (`;`); route by the first. */
  multiStatement: boolean;
  /** Character offset just past the first statement (its `;` or the parse end). */
  firstStatementEnd: number;
  /** The input was longer than maxLength; only the first maxLength characters were parsed. */
  truncated: boolean;
  /** Why key information was dropped or is absent (null: nothing was lost). */
  noKeyReason: string | null;
}

export interface ParseOptions {
  /**
   * Parse limit (request_buffer_length), in UTF-16 code units of `sql` (= bytes for ASCII SQL); default 4096.
   * Infinity parses everything.
   */
  maxLength?: number;
  /**
   * `sql` is only the first part of a longer statement (the caller cut it at its own limit, e.g. in bytes): parsed as
   * truncated whatever its length.
   */
  truncated?: boolean;
  /** Session sql_mode NO_BACKSLASH_ESCAPES: backslash is an ordinary character in strings. */
  noBackslashEscapes?: boolean;
  /** Session sql_mode ANSI_QUOTES: "x" is an identifier, not a string. */
  ansiQuotes?: boolean;
}
