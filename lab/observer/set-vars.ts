// SET statements naming OceanBase-only system variables (`ob_*`, `_*`, e.g. the proxy's session-variable
// replay of ob_query_timeout, spec §6.2) cannot run on MariaDB. The emulator keeps those assignments itself
// (reporting them back in the OK packet's session state, as an observer reports changed variables) and
// forwards the rest, rewritten as one SET. MySQL 8 names MariaDB 10.x lacks are renamed. Pure.

import type { RouteParse, SetAssignment } from '../../src/route/sql/index.js';

export interface SetSplit {
  /** Assignments the emulator keeps: name and value as tracked in the OK packet. */
  readonly local: readonly { readonly name: string; readonly value: string }[];
  /** The SET to run on MariaDB, or null when nothing is left to run. */
  readonly forward: string | null;
}

const isObOnly = (name: string): boolean => /^(ob_|_)/i.test(name);

/** MySQL 8 system variable names that MariaDB 10.x knows under their older name. */
const MARIADB_NAME: Readonly<Record<string, string>> = { transaction_isolation: 'tx_isolation', transaction_read_only: 'tx_read_only' };

function isSysVar(a: SetAssignment): boolean {
  return a.scope === 'session' || a.scope === 'global' || a.scope === 'persist' || a.scope === 'persist_only';
}

function plainValue(a: SetAssignment): string {
  return a.value.kind === 'literal' && a.value.type === 'string' ? a.value.text : a.valueText;
}

function rewrite(a: SetAssignment): string {
  if (a.scope === 'user') return `@\`${a.name.replace(/`/g, '``')}\` = ${a.valueText}`;
  return `@@${a.scope === 'global' ? 'global' : 'session'}.${MARIADB_NAME[a.name] ?? a.name} = ${a.valueText}`;
}

/** How to run a SET statement, or null to forward the statement unchanged. */
export function splitSet(r: RouteParse): SetSplit | null {
  if (r.kind !== 'SET' || r.multiStatement) return null;
  const sys = r.setAssignments.filter(isSysVar);
  const needsWork = sys.some((a) => isObOnly(a.name) || MARIADB_NAME[a.name] !== undefined);
  if (!needsWork || r.setAssignments.some((a) => !isSysVar(a) && a.scope !== 'user')) return null;
  const local = sys.filter((a) => isObOnly(a.name)).map((a) => ({ name: a.name, value: plainValue(a) }));
  const rest = r.setAssignments.filter((a) => !(isSysVar(a) && isObOnly(a.name)));
  return { local, forward: rest.length === 0 ? null : `SET ${rest.map(rewrite).join(', ')}` };
}
