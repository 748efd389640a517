// The session side of connection diagnosis (spec §9): one [LOGIN] or [CONNECTION] line in obproxy_diagnosis.log for a
// failed login or a connection that ended abnormally, when connection_diagnosis_option has bit 0 set. Runs once per
// such event, never per statement.

import { commandName } from '../protocol/constants.js';
import { parseUsername, type ParsedUsername } from '../protocol/username.js';
import { connectionDiagnosisBody, connectionDiagnosisTag, type ConnectionTraceType } from '../observe/connection-diagnosis.js';
import type { SessionContext } from './context.js';

/** What the line needs of the client session. */
export interface ConnectionDiagnosisHost {
  readonly id: number;
  readonly ctx: SessionContext;
  readonly remote: string;
  readonly identity: ParsedUsername | null;
  readonly user: string;
  /** Server session of the request in flight or of the last one. */
  readonly active: { readonly key: string; readonly threadId: number } | null;
  /** COM_* byte of the request in flight, -1 when none. */
  readonly currentCommand: number;
  readonly currentSql: string | null;
  /** Date.now() when the request in flight started. */
  readonly commandStartedAt: number;
}

/** `who`: the user a failed login named (the session has no identity then). */
export function logConnectionDiagnosis(h: ConnectionDiagnosisHost, type: ConnectionTraceType, errorCode: number, errorMsg: string, who: string | null = null): void {
  const m = h.ctx.monitor;
  if (m === null || (m.connectionDiagnosis & 1) === 0) return;
  const id = who !== null ? parseUsername(who, h.ctx.usernameSeparators()) : h.identity;
  const cmd = h.currentCommand >= 0 ? commandName(h.currentCommand) : '';
  m.diagnosis(connectionDiagnosisTag(type), connectionDiagnosisBody(type, {
    csId: h.id, ssId: 0, proxySessionId: h.id, serverSessionId: h.active?.threadId ?? 0, clientAddr: h.remote,
    serverAddr: h.active?.key ?? '', clusterName: id?.cluster ?? h.ctx.clusterName(), tenantName: id?.tenant ?? '',
    userName: id?.user ?? h.user, errorCode, errorMsg, requestCmd: cmd, sqlCmd: cmd,
    reqTotalUs: h.currentCommand >= 0 ? Math.max(0, Date.now() - h.commandStartedAt) * 1000 : 0,
    userSql: h.currentCommand >= 0 ? h.currentSql : null,
  }));
}
