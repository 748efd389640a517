// Keyword identification for the lexer: each bare word gets a small integer id (0 = not a keyword) so the
// parser compares ints, never strings. Lookup cost: one multiply-add per character while lexing (the packed
// key is accumulated in the lexer's scan loop) plus one hash and probe; no string is built or compared.
// Keywords are NOT reserved by this table: the parser decides per context whether a keyword is an identifier.

export const enum K {
  SELECT = 1, INSERT = 2, REPLACE = 3, UPDATE = 4, DELETE = 5, MERGE = 6, SET = 7, USE = 8, BEGIN = 9,
  START = 10, COMMIT = 11, ROLLBACK = 12, SAVEPOINT = 13, RELEASE = 14, XA = 15, SHOW = 16, DESC = 17,
  DESCRIBE = 18, EXPLAIN = 19, PREPARE = 20, EXECUTE = 21, DEALLOCATE = 22, CALL = 23, CREATE = 24, DROP = 25,
  ALTER = 26, TRUNCATE = 27, RENAME = 28, GRANT = 29, REVOKE = 30, LOAD = 31, LOCK = 32, UNLOCK = 33,
  KILL = 34, HELP = 35, PING = 36, WITH = 37, FROM = 38, WHERE = 39, INTO = 40, VALUES = 41, VALUE = 42,
  ON = 43, DUPLICATE = 44, KEY = 45, PARTITION = 46, AS = 47, JOIN = 48, INNER = 49, LEFT = 50, RIGHT = 51,
  OUTER = 52, CROSS = 53, NATURAL = 54, STRAIGHT_JOIN = 55, USING = 56, AND = 57, OR = 58, XOR = 59, NOT = 60,
  IN = 61, BETWEEN = 62, IS = 63, NULL = 64, TRUE = 65, FALSE = 66, UNION = 67, EXCEPT = 68, INTERSECT = 69,
  MINUS = 70, GROUP = 71, ORDER = 72, HAVING = 73, LIMIT = 74, FOR = 75, SHARE = 76, WINDOW = 77,
  PROCEDURE = 78, IGNORE = 79, LOW_PRIORITY = 80, DELAYED = 81, HIGH_PRIORITY = 82, QUICK = 83, GLOBAL = 84,
  SESSION = 85, LOCAL = 86, PERSIST = 87, PERSIST_ONLY = 88, NAMES = 89, CHARACTER = 90, CHARSET = 91,
  COLLATE = 92, DEFAULT = 93, TRANSACTION = 94, ISOLATION = 95, LEVEL = 96, READ = 97, WRITE = 98, ONLY = 99,
  COMMITTED = 100, UNCOMMITTED = 101, REPEATABLE = 102, SERIALIZABLE = 103, WORK = 104, TO = 105, ROUTE = 106,
  TABLE = 107, TABLES = 108, TEMPORARY = 109, IF = 110, EXISTS = 111, INDEX = 112, FORCE = 113, CASE = 114,
  END = 115, DIV = 116, MOD = 117, DATE = 118, TIME = 119, TIMESTAMP = 120, DUAL = 121, INFILE = 122,
  DATA = 123, CONNECTION = 124, QUERY = 125, WARNINGS = 126, ERRORS = 127, TRACE = 128, COUNT = 129,
  FULL = 130, PASSWORD = 131, LIKE = 132, REGEXP = 133, RLIKE = 134, SOUNDS = 135, ESCAPE = 136,
  INTERVAL = 137, BINARY = 138, CURRENT_DATE = 139, CURRENT_TIME = 140, CURRENT_TIMESTAMP = 141, SYSDATE = 142,
  SYSTIMESTAMP = 143, NOW = 144, LOCALTIME = 145, LOCALTIMESTAMP = 146, UTC_DATE = 147, UTC_TIME = 148,
  UTC_TIMESTAMP = 149, CURDATE = 150, CURTIME = 151, FOUND_ROWS = 152, ROW_COUNT = 153, CONNECTION_ID = 154,
  LAST_INSERT_ID = 155, SYS_CONTEXT = 156, GET_LOCK = 157, RELEASE_LOCK = 158, RELEASE_ALL_LOCKS = 159,
  IS_USED_LOCK = 160, IS_FREE_LOCK = 161, PROXY_VERSION = 162, PROXY = 163, PROCESSLIST = 164, IDENTITY = 165,
  ROW = 166, RECURSIVE = 167, LATERAL = 168, WHEN = 169, THEN = 170, ELSE = 171, ROLE = 172, CHAIN = 173,
  NO = 174, SNAPSHOT = 175, CONSISTENT = 176, SUSPEND = 177, RECOVER = 178, ONE = 179, PHASE = 180,
  DATABASE = 181, SCHEMA = 182, VIEW = 183, FUNCTION = 184, TRIGGER = 185, EVENT = 186, UNIQUE = 187,
  FULLTEXT = 188, SPATIAL = 189, ONLINE = 190, OFFLINE = 191, CONCURRENT = 192, XML = 193, OF = 194,
  NOWAIT = 195, SKIP = 196, LOCKED = 197, MODE = 198, DECLARE = 199, EXTENDED = 200, PARTITIONS = 201,
  FORMAT = 202, ANALYZE = 203, OUTLINE = 204, BASIC = 205, GLOBALSESSION = 206, PROXYSESSION = 207, ALL = 208,
  DISTINCT = 209, SQL_CALC_FOUND_ROWS = 210,
}

/** Keyword texts; index = id (const enum K above, same order). */
const WORDS: readonly string[] = [
  '',
  'select', 'insert', 'replace', 'update', 'delete', 'merge', 'set', 'use', 'begin', 'start', 'commit',
  'rollback', 'savepoint', 'release', 'xa', 'show', 'desc', 'describe', 'explain', 'prepare', 'execute',
  'deallocate', 'call', 'create', 'drop', 'alter', 'truncate', 'rename', 'grant', 'revoke', 'load', 'lock',
  'unlock', 'kill', 'help', 'ping', 'with', 'from', 'where', 'into', 'values', 'value', 'on', 'duplicate',
  'key', 'partition', 'as', 'join', 'inner', 'left', 'right', 'outer', 'cross', 'natural', 'straight_join',
  'using', 'and', 'or', 'xor', 'not', 'in', 'between', 'is', 'null', 'true', 'false', 'union', 'except',
  'intersect', 'minus', 'group', 'order', 'having', 'limit', 'for', 'share', 'window', 'procedure', 'ignore',
  'low_priority', 'delayed', 'high_priority', 'quick', 'global', 'session', 'local', 'persist', 'persist_only',
  'names', 'character', 'charset', 'collate', 'default', 'transaction', 'isolation', 'level', 'read', 'write',
  'only', 'committed', 'uncommitted', 'repeatable', 'serializable', 'work', 'to', 'route', 'table', 'tables',
  'temporary', 'if', 'exists', 'index', 'force', 'case', 'end', 'div', 'mod', 'date', 'time', 'timestamp',
  'dual', 'infile', 'data', 'connection', 'query', 'warnings', 'errors', 'trace', 'count', 'full', 'password',
  'like', 'regexp', 'rlike', 'sounds', 'escape', 'interval', 'binary', 'current_date', 'current_time',
  'current_timestamp', 'sysdate', 'systimestamp', 'now', 'localtime', 'localtimestamp', 'utc_date', 'utc_time',
  'utc_timestamp', 'curdate', 'curtime', 'found_rows', 'row_count', 'connection_id', 'last_insert_id',
  'sys_context', 'get_lock', 'release_lock', 'release_all_locks', 'is_used_lock', 'is_free_lock',
  'proxy_version', 'proxy', 'processlist', 'identity', 'row', 'recursive', 'lateral', 'when', 'then', 'else',
  'role', 'chain', 'no', 'snapshot', 'consistent', 'suspend', 'recover', 'one', 'phase', 'database', 'schema',
  'view', 'function', 'trigger', 'event', 'unique', 'fulltext', 'spatial', 'online', 'offline', 'concurrent',
  'xml', 'of', 'nowait', 'skip', 'locked', 'mode', 'declare', 'extended', 'partitions', 'format', 'analyze',
  'outline', 'basic', 'globalsession', 'proxysession', 'all', 'distinct', 'sql_calc_found_rows',
];


/** Per-keyword flags (KW_FLAGS bits; const enum: inlined). */
export const enum KF {
  ALIAS_STOP = 1, // cannot be an implicit alias after a table name (clause/join keyword)
  CLAUSE_END = 2, // ends a WHERE / ON / SET clause at paren depth 0
  DEPENDENT = 4, // function whose result depends on the server session (§4.1, §5.6)
  LOCKFN = 8, // session-scoped lock function
  NILADIC = 16, // value keyword usable without parentheses (CURRENT_TIMESTAMP ...)
  NOT_COLUMN = 32, // a bare word with this keyword starts a value or expression, never a column name
}

const MAX_ID = 256;
export const KW_FLAGS = new Uint8Array(MAX_ID);
/** Lower-case text of each keyword id. */
export const KW_TEXT: string[] = new Array<string>(MAX_ID).fill('');

// Exact word keys. Every identifier character has a 6-bit code (PACK; 0 = not an identifier character;
// ASCII letters are case-folded). The lexer packs characters 0-4 of a word into int32 `a`, 5-9 into `b`,
// 10-14 into `c` and 15-19 into `d` (30 bits each). Codes are never 0, so the four ints identify a word of
// up to 20 characters (and its length) exactly: a keyword match needs no character comparison.
export const PACK = new Uint8Array(128);
/** Code of any non-ASCII character (identifier character in MySQL; part of no keyword). */
export const PACK_OTHER = 39;
for (let ch = 48; ch <= 57; ch++) PACK[ch] = ch - 47;
for (let ch = 65; ch <= 90; ch++) { PACK[ch] = ch - 54; PACK[ch + 32] = ch - 54; }
PACK[95] = 37;
PACK[36] = 38;
/** PACK over every UTF-16 code unit (non-ASCII: PACK_OTHER), for range-test-free lookups in the lexer. */
export const PACK16 = new Uint8Array(65536).fill(PACK_OTHER);
PACK16.set(PACK);
/** Longest word the packed key represents; longer words are never keywords. */
export const MAX_KEYWORD_LENGTH = 20;

const TABLE_BITS = 11;
const TABLE_MASK = (1 << TABLE_BITS) - 1;
const table = new Int16Array(1 << TABLE_BITS);
const KEYS = new Int32Array(MAX_ID * 4);

/** Hash slot of a packed key (an arrow const, not a function declaration: callers may fold it as a constant). */
const slotOf = (a: number, b: number, c: number, d: number): number =>
  Math.imul(a ^ Math.imul(b, 31) ^ Math.imul(c, 961) ^ d, 0x9e3779b1 | 0) >>> (32 - TABLE_BITS);

for (let id = 1; id < WORDS.length; id++) {
  const w = WORDS[id]!;
  KW_TEXT[id] = w;
  const acc = [0, 0, 0, 0];
  for (let k = 0; k < w.length; k++) acc[(k / 5) | 0] = (acc[(k / 5) | 0]! << 6) | PACK[w.charCodeAt(k)]!;
  KEYS.set(acc, id * 4);
  let slot = slotOf(acc[0]!, acc[1]!, acc[2]!, acc[3]!);
  while (table[slot] !== 0) slot = (slot + 1) & TABLE_MASK;
  table[slot] = id;
}

/** Keyword id of the word whose packed key is (a, b, c, d), or 0. Cost: one hash and usually one probe. */
export const lookupPacked = (a: number, b: number, c: number, d: number): number => {
  let slot = slotOf(a, b, c, d);
  for (;;) {
    const id = table[slot]!;
    if (id === 0) return 0;
    const k = id * 4;
    if (KEYS[k] === a && KEYS[k + 1] === b && KEYS[k + 2] === c && KEYS[k + 3] === d) return id;
    slot = (slot + 1) & TABLE_MASK;
  }
};

const flag = (f: number, ids: readonly number[]): void => {
  for (const id of ids) KW_FLAGS[id] = KW_FLAGS[id]! | f;
};

flag(KF.ALIAS_STOP, [
  K.WHERE, K.JOIN, K.INNER, K.LEFT, K.RIGHT, K.OUTER, K.CROSS, K.NATURAL, K.STRAIGHT_JOIN, K.ON, K.USING,
  K.GROUP, K.ORDER, K.HAVING, K.LIMIT, K.FOR, K.UNION, K.EXCEPT, K.INTERSECT, K.MINUS, K.PARTITION, K.SET,
  K.VALUES, K.VALUE, K.SELECT, K.LOCK, K.WINDOW, K.INTO, K.USE, K.IGNORE, K.FORCE, K.PROCEDURE, K.AS,
  K.READ, K.WRITE, K.LOW_PRIORITY, K.WITH, K.TABLE, K.DUPLICATE, K.KEY, K.INDEX, K.FROM, K.TO, K.WHEN,
  K.NOWAIT, K.SKIP, K.DEFAULT, K.OF, K.LATERAL,
]);
flag(KF.CLAUSE_END, [
  K.GROUP, K.ORDER, K.HAVING, K.LIMIT, K.FOR, K.UNION, K.EXCEPT, K.INTERSECT, K.MINUS, K.WINDOW, K.INTO,
  K.LOCK, K.PROCEDURE, K.WHERE, K.JOIN, K.INNER, K.LEFT, K.RIGHT, K.CROSS, K.NATURAL, K.STRAIGHT_JOIN,
  K.ON, K.USING, K.SET,
]);
flag(KF.DEPENDENT, [K.FOUND_ROWS, K.ROW_COUNT, K.CONNECTION_ID, K.SYS_CONTEXT]);
flag(KF.LOCKFN, [K.GET_LOCK, K.RELEASE_LOCK, K.RELEASE_ALL_LOCKS, K.IS_USED_LOCK, K.IS_FREE_LOCK]);
flag(KF.NILADIC, [
  K.CURRENT_DATE, K.CURRENT_TIME, K.CURRENT_TIMESTAMP, K.SYSDATE, K.SYSTIMESTAMP, K.LOCALTIME,
  K.LOCALTIMESTAMP, K.UTC_DATE, K.UTC_TIME, K.UTC_TIMESTAMP,
]);

flag(KF.NOT_COLUMN, [
  K.NULL, K.TRUE, K.FALSE, K.DEFAULT, K.NOT, K.EXISTS, K.CASE, K.INTERVAL, K.BINARY, K.ROW, K.SELECT,
]);
for (let id = 1; id < MAX_ID; id++) if ((KW_FLAGS[id]! & KF.NILADIC) !== 0) KW_FLAGS[id] = KW_FLAGS[id]! | KF.NOT_COLUMN;

/** 1 for keywords that make the parser look for function calls (dependent, lock, LAST_INSERT_ID). */
export const FN_WORDS = new Uint8Array(MAX_ID);
for (let id = 1; id < MAX_ID; id++) {
  if ((KW_FLAGS[id]! & (KF.DEPENDENT | KF.LOCKFN)) !== 0 || id === K.LAST_INSERT_ID) FN_WORDS[id] = 1;
}
