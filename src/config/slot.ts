// One parameter's values, one per source, and the value in use. Precedence at any instant:
// default < file < option < runtime (the highest source that has a value wins).
import type { ParamDef } from './param-types.js';
import type { ScopedValues } from './scoped.js';
import type { ParsedValue } from './validate.js';

export type ConfigSource = 'default' | 'file' | 'option' | 'runtime';

/** Sources from lowest to highest precedence; the index is the rank. */
export const SOURCES: readonly ConfigSource[] = ['default', 'file', 'option', 'runtime'];
export const RANK: Readonly<Record<ConfigSource, number>> = { default: 0, file: 1, option: 2, runtime: 3 };

export interface Layer {
  readonly value: string;
  readonly parsed: ParsedValue;
}

export class Slot {
  readonly def: ParamDef;
  /** Indexed by RANK; [0] (the default) is always present. */
  readonly layers: (Layer | undefined)[];
  /**
   * The value the proxy uses. Follows the top layer, except that a need_reboot item keeps the value it had when
   * loading finished (as ODP does): the new value is shown, and used after a restart.
   */
  active: Layer;

  constructor(def: ParamDef, defaultLayer: Layer) {
    this.def = def;
    this.layers = [defaultLayer, undefined, undefined, undefined];
    this.active = defaultLayer;
  }

  /** The highest layer below `rank` (the value that would be in force without that source and those above). */
  below(rank: number): { layer: Layer; source: ConfigSource } {
    for (let r = rank - 1; r > 0; r--) {
      const layer = this.layers[r];
      if (layer !== undefined) return { layer, source: SOURCES[r] ?? 'default' };
    }
    return { layer: this.defaultLayer(), source: 'default' };
  }

  top(): { layer: Layer; source: ConfigSource } {
    return this.below(SOURCES.length);
  }

  defaultLayer(): Layer {
    const layer = this.layers[0];
    if (layer === undefined) throw new Error(`config: ${this.def.name} lost its default`);
    return layer;
  }
}

/**
 * What loading and reloading (load.ts) need from ProxyConfig; an interface so load.ts need not import config.ts.
 * Only ProxyConfig implements it.
 */
export interface ConfigCore {
  readonly filePath: string | undefined;
  statePath: string;
  readonly notices: string[];
  readonly slots: Map<string, Slot>;
  readonly runtimeMeta: Map<string, { base: string; at: string }>;
  readonly scoped: ScopedValues;
  get(name: string): string;
  applyLayer(slot: Slot, rank: number, layer: Layer | undefined): string | undefined;
  persist(): void;
  crossCheck(name: string, parsed: ParsedValue): string | undefined;
}
