// Result values and the errors admin commands return. Errnos and SQLSTATEs are MySQL's (mysqld_error.h) so
// clients map them as they would for a server; the ones shared with the rest of odp come from the catalogue.
import { Errors, format } from '../errors/catalogue.js';
import type { AdminResult } from './context.js';

export type Cell = string | null;
export type Row = readonly Cell[];

export function ok(info?: string, affectedRows?: number): AdminResult {
  const r: { kind: 'ok'; affectedRows?: number; info?: string } = { kind: 'ok' };
  if (affectedRows !== undefined) r.affectedRows = affectedRows;
  if (info !== undefined) r.info = info;
  return r;
}

export function rows(columns: readonly string[], data: readonly Row[]): AdminResult {
  return { kind: 'rows', columns, rows: data };
}

export function error(errno: number, sqlState: string, message: string): AdminResult {
  return { kind: 'error', errno, sqlState, message };
}

/** ER_PARSE_ERROR 1064 / 42000, MySQL's text; `near` is the statement from the offending token on. */
export function syntaxError(near: string, line: number, detail: string): AdminResult {
  return error(1064, '42000', 'You have an error in your SQL syntax; check the manual that corresponds to your odp version ' +
    `for the right syntax to use near '${near}' at line ${line} (${detail})`);
}

/** ER_SPECIFIC_ACCESS_DENIED_ERROR 1227 / 42000, as ODP and MySQL word it. */
export function accessDenied(): AdminResult {
  return error(1227, '42000', 'Access denied; you need (at least one of) the SUPER privilege(s) for this operation');
}

/** ER_NO_SUCH_THREAD 1094 / HY000. */
export function unknownSession(id: number): AdminResult {
  const e = Errors.NO_SUCH_THREAD;
  return error(e.errno, e.sqlState, format(e.message, [id]));
}

/** ER_KILL_DENIED_ERROR 1095 / HY000. */
export function notOwner(id: number): AdminResult {
  return error(1095, 'HY000', `You are not owner of thread ${id}`);
}

/** ER_NOT_SUPPORTED_YET 1235 / 42000. */
export function notSupported(what: string): AdminResult {
  const e = Errors.NOT_SUPPORTED;
  return error(e.errno, e.sqlState, format(e.message, [what]));
}

/** ER_UNKNOWN_SYSTEM_VARIABLE 1193 / HY000: an unknown parameter name (the message may carry a did-you-mean). */
export function unknownParameter(message: string): AdminResult {
  return error(1193, 'HY000', message);
}

/** ER_WRONG_VALUE_FOR_VAR 1231 / 42000: the message names the parameter, the value and the allowed range. */
export function wrongValue(message: string): AdminResult {
  return error(1231, '42000', message);
}

/** ER_INCORRECT_GLOBAL_LOCAL_VAR 1238 / HY000: a parameter that cannot change while running. */
export function readOnlyParameter(message: string): AdminResult {
  return error(1238, 'HY000', message);
}

/** ER_ERROR_ON_WRITE 1026 / HY000: the state file could not be written; nothing changed. */
export function writeFailed(message: string): AdminResult {
  return error(1026, 'HY000', message);
}

/** ER_INTERNAL_ERROR 1815 / HY000. Admin users are operators, so the detail is included. */
export function internalError(detail: string): AdminResult {
  const e = Errors.INTERNAL;
  return error(e.errno, e.sqlState, format(e.message, [detail]));
}

/** ER_UNKNOWN_ERROR 1105 / HY000: a result larger than internal_cmd_mem_limited. */
export function resultTooLarge(command: string, bytes: number, limit: number): AdminResult {
  return error(1105, 'HY000', `the result of ${command} (${bytes} bytes) exceeds internal_cmd_mem_limited ` +
    `(${limit} bytes); narrow it with LIKE or raise the limit`);
}
