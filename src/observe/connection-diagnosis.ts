// Connection diagnosis lines of obproxy_diagnosis.log (spec §9): why a login failed or a connection ended, as
// `[LOGIN|CONNECTION](trace_type="<T>", connection_diagnosis={k:v, ...}{<extra>})`. Pure formatting; written only
// when connection_diagnosis_option has bit 0 set, once per failed login or abnormally ended connection.

/** Where the failure was seen (spec §9 trace types). */
export type ConnectionTraceType =
  | 'LOGIN_TRACE' | 'PROXY_INTERNAL_TRACE' | 'SERVER_INTERNAL_TRACE' | 'CLIENT_VC_TRACE' | 'SERVER_VC_TRACE' | 'TIMEOUT_TRACE';

export interface ConnectionDiagnosis {
  csId: number;
  /** The proxy's server session id; 0 when there is none (this proxy numbers none). */
  ssId: number;
  proxySessionId: number;
  /** The server's connection id of the session's server session, 0 when none. */
  serverSessionId: number;
  clientAddr: string;
  serverAddr: string;
  clusterName: string;
  tenantName: string;
  userName: string;
  errorCode: number;
  errorMsg: string;
  /** COM_* name of the request in flight, '' when none. */
  requestCmd: string;
  sqlCmd: string;
  /** µs the request in flight had taken, 0 when none. */
  reqTotalUs: number;
  /** The user's SQL of the request in flight (extra block), null when none. */
  userSql: string | null;
}

const q = (s: string): string => `"${s}"`;

/** `trace_type="T", connection_diagnosis={...}{...}` — the body of a [LOGIN] or [CONNECTION] line. */
export function connectionDiagnosisBody(type: ConnectionTraceType, d: ConnectionDiagnosis): string {
  const main = `cs_id:${d.csId}, ss_id:${d.ssId}, proxy_session_id:${d.proxySessionId}, server_session_id:${d.serverSessionId}, ` +
    `client_addr:${q(d.clientAddr)}, server_addr:${q(d.serverAddr)}, cluster_name:${q(d.clusterName)}, tenant_name:${q(d.tenantName)}, ` +
    `user_name:${q(d.userName)}, error_code:${d.errorCode}, error_msg:${q(d.errorMsg)}, request_cmd:${q(d.requestCmd)}, ` +
    `sql_cmd:${q(d.sqlCmd)}, req_total_time(us):${d.reqTotalUs}`;
  const extra = d.userSql === null ? '' : `user_sql:${q(d.userSql)}`;
  return `trace_type=${q(type)}, connection_diagnosis={${main}}{${extra}}`;
}

/** The tag of a trace type's line: LOGIN for login failures, CONNECTION for the rest. */
export function connectionDiagnosisTag(type: ConnectionTraceType): 'LOGIN' | 'CONNECTION' {
  return type === 'LOGIN_TRACE' ? 'LOGIN' : 'CONNECTION';
}
