// Start-up loading and SIGHUP reloading of a ProxyConfig (docs/CONFIGURATION.md, "Sources and precedence").
//
// The rule for ALTER values on restart and reload: an ALTER PROXYCONFIG value records the value it replaced
// (`base`: whatever default/file/option gave at that moment). While that underlying value is unchanged the ALTER
// value stays in force; once the file or a start-up option gives a different value, that newer, explicit setting
// wins and the ALTER value is dropped from the state file, with a notice. The most recent explicit setting wins.
import { resolve as resolvePath } from 'node:path';
import { readConfigFile } from './config-file.js';
import type { FileValue } from './config-file.js';
import { ConfigError } from './errors.js';
import { unknownParamMessage } from './params.js';
import { scopeLevel } from './scoped.js';
import { RANK, SOURCES } from './slot.js';
import type { ConfigCore, Layer, Slot } from './slot.js';
import { readStateFile } from './state-file.js';
import type { LoadedState } from './state-file.js';
import { checkSessionIdPair, validateValue } from './validate.js';

function startupValue(cfg: ConfigCore, name: string, value: string, where: string): { slot: Slot; layer: Layer } {
  const slot = cfg.slots.get(name.trim().toLowerCase());
  if (slot === undefined) throw new ConfigError(`${where}: ${unknownParamMessage(name.trim())}`);
  const checked = validateValue(slot.def, value);
  if (!checked.ok) throw new ConfigError(`${where}: ${checked.error}`);
  return { slot, layer: { value: checked.value, parsed: checked.parsed } };
}

function applyRuntime(cfg: ConfigCore, state: LoadedState): boolean {
  let dirty = false;
  state.runtime.forEach((rec, i) => {
    const where = `${cfg.statePath}:${state.runtimeLines[i] ?? 1}`;
    const { slot, layer } = startupValue(cfg, rec.name, rec.value, where);
    const lower = slot.below(RANK.runtime);
    if (lower.layer.value === rec.base) {
      cfg.applyLayer(slot, RANK.runtime, layer);
      cfg.runtimeMeta.set(slot.def.name, { base: rec.base, at: rec.at });
    } else {
      cfg.notices.push(`${slot.def.name}: the ${lower.source} value '${lower.layer.value}' replaces the ALTER PROXYCONFIG ` +
        `value '${rec.value}' (${rec.at}) because the ${lower.source} value changed since (it was '${rec.base}')`);
      dirty = true;
    }
  });
  return dirty;
}

function applyScoped(cfg: ConfigCore, state: LoadedState): void {
  state.scoped.forEach((rec, i) => {
    const where = `${cfg.statePath}:${state.scopedLines[i] ?? 1}`;
    const { slot, layer } = startupValue(cfg, rec.name, rec.value, where);
    const scope = { cluster: rec.cluster, tenant: rec.tenant, vip: rec.vip, vport: rec.vport, vid: rec.vid };
    const level = scopeLevel(scope);
    if (slot.def.configLevel !== 'LEVEL_VIP') throw new ConfigError(`${where}: ${slot.def.name} can only be set globally`);
    if (level === undefined) throw new ConfigError(`${where}: a scoped value needs a cluster, a cluster and tenant, or a VIP`);
    cfg.scoped.put({ def: slot.def, scope, level, value: layer.value, parsed: layer.parsed });
  });
}

/** One notice per configured value that a higher source hides, so no setting is ignored silently. */
function shadowNotices(slot: Slot): string[] {
  const top = slot.top();
  const out: string[] = [];
  for (let r = RANK.file; r < RANK[top.source]; r++) {
    const hidden = slot.layers[r];
    if (hidden !== undefined && hidden.value !== top.layer.value) {
      out.push(`${slot.def.name}: ${SOURCES[r] ?? ''} value '${hidden.value}' is overridden by the ${top.source} value '${top.layer.value}'`);
    }
  }
  return out;
}

export function loadInto(cfg: ConfigCore, options: Record<string, string>, stateFile: string | undefined): void {
  const file = cfg.filePath === undefined ? [] : readConfigFile(cfg.filePath);
  for (const fv of file) {
    const { slot, layer } = startupValue(cfg, fv.name, fv.value, `${cfg.filePath ?? ''}:${fv.line}`);
    cfg.applyLayer(slot, RANK.file, layer);
  }
  for (const [name, value] of Object.entries(options)) {
    const { slot, layer } = startupValue(cfg, name, value, `start-up option ${name.trim()}`);
    cfg.applyLayer(slot, RANK.option, layer);
  }
  cfg.statePath = resolvePath(stateFile ?? cfg.get('config_state_file'));
  const state = readStateFile(cfg.statePath);
  const dirty = applyRuntime(cfg, state);
  applyScoped(cfg, state);
  const cross = cfg.crossCheck('', 0);
  if (cross !== undefined) throw new ConfigError(`configuration: ${cross}`);
  for (const slot of cfg.slots.values()) cfg.notices.push(...shadowNotices(slot));
  if (dirty) {
    try {
      cfg.persist();
    } catch (e) {
      cfg.notices.push(`cannot update ${cfg.statePath}: ${(e as Error).message}`);
    }
  }
}

function validateFile(cfg: ConfigCore, values: readonly FileValue[]): Map<string, Layer> | string {
  const next = new Map<string, Layer>();
  for (const fv of values) {
    const slot = cfg.slots.get(fv.name);
    if (slot === undefined) return `${cfg.filePath ?? ''}:${fv.line}: ${unknownParamMessage(fv.name)}`;
    const checked = validateValue(slot.def, fv.value);
    if (!checked.ok) return `${cfg.filePath ?? ''}:${fv.line}: ${checked.error}`;
    next.set(slot.def.name, { value: checked.value, parsed: checked.parsed });
  }
  // Cross-item check on what the file would leave in force (option and runtime values above it included).
  const future = (name: string): Layer | undefined => {
    const slot = cfg.slots.get(name);
    return slot?.layers[RANK.runtime] ?? slot?.layers[RANK.option] ?? next.get(name) ?? slot?.layers[0];
  };
  const cross = checkSessionIdPair(future('proxy_id')?.parsed as number, future('client_session_id_version')?.parsed as number);
  return cross === undefined ? next : `${cfg.filePath ?? ''}: ${cross}`;
}

function reloadSlot(cfg: ConfigCore, slot: Slot, layer: Layer | undefined, notices: string[]): boolean {
  const name = slot.def.name;
  const meta = cfg.runtimeMeta.get(name);
  const runtime = slot.layers[RANK.runtime];
  const underRuntime = (slot.layers[RANK.option] ?? layer ?? slot.defaultLayer()).value;
  const dropRuntime = runtime !== undefined && meta !== undefined && meta.base !== underRuntime;
  if (dropRuntime) slot.layers[RANK.runtime] = undefined;
  const error = cfg.applyLayer(slot, RANK.file, layer);
  if (error !== undefined) {
    slot.layers[RANK.runtime] = runtime;
    notices.push(error);
    return false;
  }
  if (dropRuntime && runtime !== undefined) {
    cfg.runtimeMeta.delete(name);
    notices.push(`${name}: the new file value '${underRuntime}' replaces the ALTER PROXYCONFIG value '${runtime.value}'`);
  }
  notices.push(...shadowNotices(slot));
  return dropRuntime;
}

/** SIGHUP: all-or-nothing validation of the file, then per-item application. */
export function reloadFileInto(cfg: ConfigCore):
  | { ok: true; changed: readonly string[]; notices: readonly string[] }
  | { ok: false; error: string } {
  if (cfg.filePath === undefined) return { ok: true, changed: [], notices: ['no configuration file was given (--config)'] };
  let next: Map<string, Layer> | string;
  try {
    next = validateFile(cfg, readConfigFile(cfg.filePath));
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
  if (typeof next === 'string') return { ok: false, error: next };
  const changed: string[] = [];
  const notices: string[] = [];
  let dirty = false;
  for (const slot of cfg.slots.values()) {
    const layer = next.get(slot.def.name);
    if (layer?.value === slot.layers[RANK.file]?.value) continue;
    changed.push(slot.def.name);
    if (reloadSlot(cfg, slot, layer, notices)) dirty = true;
  }
  if (dirty) {
    try {
      cfg.persist();
    } catch (e) {
      notices.push(`cannot update ${cfg.statePath}: ${(e as Error).message}`);
    }
  }
  return { ok: true, changed, notices };
}
