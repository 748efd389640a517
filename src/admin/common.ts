// Helpers shared by the admin commands: who may see what, ODP's names for session states, value formatting.
import type { AdminContext, AdminSessionView, AdminUser } from './context.js';

/** root@proxysys and root@sys may run every command and see every session (spec §8). */
export function isPrivileged(u: AdminUser): boolean {
  return u.isProxysysRoot || u.isRootSys;
}

/**
 * Whether `u` may see session `s`: privileged users see all; others see the sessions of their own user in their
 * own tenant and cluster, as ODP's SHOW PROCESSLIST does for a user without PROCESS privilege.
 */
export function canSee(u: AdminUser, s: AdminSessionView): boolean {
  return isPrivileged(u) || (s.user === u.user && s.tenant === u.tenant && s.cluster === u.cluster);
}

export function visibleSessions(ctx: AdminContext): AdminSessionView[] {
  const out: AdminSessionView[] = [];
  for (const s of ctx.sessions()) if (canSee(ctx.currentUser, s)) out.push(s);
  return out.sort((a, b) => a.id - b.id);
}

/**
 * ODP's client session read states (ObMysqlClientSession): MCS_INIT before the command phase, MCS_ACTIVE_READER
 * while a request or a transaction is in progress, MCS_KEEP_ALIVE when idle between transactions, MCS_CLOSED.
 */
export function odpState(s: AdminSessionView): string {
  switch (s.state) {
    case 'handshake': case 'auth': return 'MCS_INIT';
    case 'ready': return s.inTransaction ? 'MCS_ACTIVE_READER' : 'MCS_KEEP_ALIVE';
    case 'busy': case 'infile': return 'MCS_ACTIVE_READER';
    case 'closed': return 'MCS_CLOSED';
    default: return `MCS_${s.state.toUpperCase()}`;
  }
}

/** Splits 'ip:port' or '[v6]:port' at the last colon. */
export function splitHostPort(addr: string): { ip: string; port: string } {
  const i = addr.lastIndexOf(':');
  if (i < 0) return { ip: addr, port: '' };
  const ip = addr.slice(0, i);
  return { ip: ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip, port: addr.slice(i + 1) };
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Local time 'YYYY-MM-DD HH:MM:SS.mmm', as ODP prints times; NULL for a missing time. */
export function formatTime(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms)) return null;
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function str(n: number | bigint): string {
  return String(n);
}

export function flag(b: boolean): string {
  return b ? '1' : '0';
}

/** The cluster odp serves without a config server: rootservice_cluster_name (-c). */
export function configuredCluster(ctx: AdminContext): string {
  return ctx.config.get('rootservice_cluster_name');
}

/** A session id argument: the given one, or the current session when absent. */
export function targetSession(ctx: AdminContext, id: number | undefined): AdminSessionView | undefined {
  const s = ctx.session(id ?? ctx.currentSessionId);
  return s !== undefined && canSee(ctx.currentUser, s) ? s : undefined;
}
