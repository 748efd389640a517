// Construction of RouteParse / RouteHints objects with one fixed shape (all fields, fixed order), so V8 keeps
// a single hidden class for every result. Empty lists and the no-hint object are shared frozen singletons:
// a statement without hints or conditions allocates nothing for them. Writers must go through the add*
// helpers below, which replace a shared empty with a fresh array before the first push.

import type { KeyCondition, RouteHints, RouteParse, SetAssignment, StmtKind, TableRef } from './types.js';

export const EMPTY_TABLES: TableRef[] = Object.freeze([]) as unknown as TableRef[];
export const EMPTY_CONDITIONS: KeyCondition[] = Object.freeze([]) as unknown as KeyCondition[];
export const EMPTY_SETS: SetAssignment[] = Object.freeze([]) as unknown as SetAssignment[];
export const EMPTY_STRINGS: string[] = Object.freeze([]) as unknown as string[];

export const newHints = (): RouteHints => {
  return {
    readConsistency: null,
    queryTimeoutUs: null,
    traceLog: false,
    indexHint: null,
    targetDbServer: null,
    traceId: null,
    rpcId: null,
    tableHint: null,
    partKeyHint: null,
    dbpRoute: null,
    extra: [],
  };
};

export const NO_HINTS: RouteHints = Object.freeze({ ...newHints(), extra: EMPTY_STRINGS as unknown as RouteHints['extra'] });

export const newResult = (kind: StmtKind): RouteParse => {
  return {
    kind,
    innerKind: null,
    internalCmd: null,
    objectType: null,
    dbName: null,
    tableName: null,
    tableAlias: null,
    tables: EMPTY_TABLES,
    explicitPartition: null,
    hints: NO_HINTS,
    hasForUpdate: false,
    hasDependentFunction: false,
    dependentFunctions: EMPTY_STRINGS,
    hasLastInsertId: false,
    hasGetLock: false,
    usesTempTable: false,
    conditions: EMPTY_CONDITIONS,
    skippedConditions: 0,
    insertColumns: null,
    insertValues: null,
    insertRowCount: 0,
    hasOnDuplicateKeyUpdate: false,
    updateSet: null,
    setAssignments: EMPTY_SETS,
    useDb: null,
    textPs: null,
    callArgs: null,
    killId: null,
    savepoint: null,
    xid: null,
    placeholderCount: 0,
    literalCount: 0,
    multiStatement: false,
    firstStatementEnd: 0,
    truncated: false,
    noKeyReason: null,
  };
};

export const MAX_TABLES = 16;
export const MAX_CONDITIONS = 64;
export const MAX_SET_ASSIGNMENTS = 64;

/** Appends a table (capped); the first table also fills dbName/tableName/tableAlias. */
export const addTable = (r: RouteParse, t: TableRef): void => {
  if (r.tables === EMPTY_TABLES) {
    r.tables = [t];
    r.dbName = t.db;
    r.tableName = t.name;
    r.tableAlias = t.alias;
  } else if (r.tables.length < MAX_TABLES) {
    r.tables.push(t);
  }
};

export const addCondition = (r: RouteParse, c: KeyCondition): void => {
  if (r.conditions === EMPTY_CONDITIONS) r.conditions = [c];
  else if (r.conditions.length < MAX_CONDITIONS) r.conditions.push(c);
};

/** Drops conditions added after `mark` (an OR was found at their level). */
export const truncateConditions = (r: RouteParse, mark: number): void => {
  if (r.conditions.length > mark) r.conditions.length = mark;
};

export const addSet = (r: RouteParse, a: SetAssignment): void => {
  if (r.setAssignments === EMPTY_SETS) r.setAssignments = [a];
  else if (r.setAssignments.length < MAX_SET_ASSIGNMENTS) r.setAssignments.push(a);
};

export const addDependent = (r: RouteParse, name: string): void => {
  r.hasDependentFunction = true;
  if (r.dependentFunctions === EMPTY_STRINGS) r.dependentFunctions = [name];
  else if (!r.dependentFunctions.includes(name)) r.dependentFunctions.push(name);
};

export const mutableHints = (r: RouteParse): RouteHints => {
  if (r.hints === NO_HINTS) r.hints = newHints();
  return r.hints;
};

/** Records the first reason key information was lost. */
export const noKey = (r: RouteParse, reason: string): void => {
  if (r.noKeyReason === null) r.noKeyReason = reason;
};
