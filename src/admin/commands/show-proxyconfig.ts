// SHOW PROXYCONFIG [ALL | DIFF [USER]] [LIKE 'pat'] (spec §8, §11.3).
// Plain and DIFF list registry items with ODP's seven columns; DIFF lists every item set by a file, an option or
// ALTER (even to its default value) and says in `info` where the value came from and what it overrides, so no
// configuration source is ever silently ignored. ALL lists the multi-level (cluster/tenant/VIP) rows.
import type { ConfigEntry, ScopedEntry } from '../../config/config.js';
import { displayInfo } from '../../config/params.js';
import type { AdminContext, AdminResult } from '../context.js';
import type { Cursor } from '../cursor.js';
import { filterLike } from '../like.js';
import type { LikePattern } from '../like.js';
import type { AdminCommand } from '../registry.js';
import { rows } from '../results.js';
import type { Row } from '../results.js';

export const CONFIG_COLUMNS = ['name', 'value', 'info', 'need_reboot', 'visible_level', 'range', 'config_level'] as const;
export const CONFIG_ALL_COLUMNS = ['vid', 'vip', 'vport', 'tenant_name', 'cluster_name', 'name', 'value', 'config_level'] as const;

type Mode = 'plain' | 'diff' | 'diff-user' | 'all';

interface Args { readonly mode: Mode; readonly like: LikePattern | undefined }

function parseMode(c: Cursor): Mode {
  if (c.accept('ALL')) return 'all';
  if (c.accept('DIFF')) return c.accept('USER') ? 'diff-user' : 'diff';
  return 'plain';
}

/** Where the value came from, for DIFF: `[source: file; default '1s'; overrides option '2s']`. */
function sourceNote(e: ConfigEntry): string {
  const parts = [`source: ${e.source}`, `default '${e.def.default}'`];
  if (e.overridden.length > 0) parts.push(`overrides ${e.overridden.map((o) => `${o.source} '${o.value}'`).join(', ')}`);
  return `[${parts.join('; ')}]`;
}

function info(e: ConfigEntry, withSource: boolean): string {
  const notes: string[] = [];
  if (withSource) notes.push(sourceNote(e));
  if (e.rebootPending) notes.push(`[restart needed: running with '${e.activeValue}']`);
  notes.push(displayInfo(e.def));
  return notes.join(' ');
}

function itemRow(e: ConfigEntry, withSource: boolean): Row {
  return [e.def.name, e.value, info(e, withSource), e.def.needReboot ? 'true' : 'false', e.def.visibleLevel, e.def.range, e.def.configLevel];
}

function scopedRow(e: ScopedEntry): Row {
  const s = e.scope;
  return [String(s.vid), s.vip, String(s.vport), s.tenant, s.cluster, e.def.name, e.value, e.level];
}

function entriesFor(ctx: AdminContext, mode: Exclude<Mode, 'all'>): ConfigEntry[] {
  switch (mode) {
    case 'plain': return [...ctx.config.entries()];
    case 'diff': return ctx.config.diff();
    case 'diff-user': return ctx.config.diff().filter((e) => e.def.visibleLevel === 'USER');
  }
}

export const showProxyConfig: AdminCommand<Args> = {
  keywords: ['SHOW', 'PROXYCONFIG'],
  syntax: "SHOW PROXYCONFIG [ALL | DIFF [USER]] [LIKE 'pattern']",
  privilege: 'admin',
  parse(c: Cursor): Args {
    const mode = parseMode(c);
    const like = c.optionalLike();
    c.end();
    return { mode, like };
  },
  run(args: Args, ctx: AdminContext): AdminResult {
    if (args.mode === 'all') {
      const scoped = [...ctx.config.scopedEntries()].sort((a, b) => a.def.name.localeCompare(b.def.name));
      return rows(CONFIG_ALL_COLUMNS, filterLike(scoped, args.like, (e) => e.def.name).map(scopedRow));
    }
    const withSource = args.mode !== 'plain';
    const list = filterLike(entriesFor(ctx, args.mode), args.like, (e) => e.def.name);
    return rows(CONFIG_COLUMNS, list.map((e) => itemRow(e, withSource)));
  },
};
