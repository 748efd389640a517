// Route SQL parser (spec §4.1, §4.2, §5.6, §5.8): statement kind, tables, hints and key references of one
// statement, from a single-pass tokenizer. Pure: no I/O, never throws.
export { parseRoute, DEFAULT_MAX_LENGTH } from './parse.js';
export { RouteParseCache, type RouteParseCacheOptions } from './cache.js';
export { STMT_KINDS } from './types.js';
export type {
  ColumnValue, ConditionOp, DefaultRef, ExprRef, FuncRef, KeyCondition, LiteralRef, LiteralType, ParseOptions,
  PlaceholderRef, ReadConsistency, RouteHints, RouteParse, SetAssignment, SetScope, StmtKind, SysVarRef,
  SysVarScope, TableRef, TextPs, UserVarRef, ValueRef,
} from './types.js';
