// Shapes of the parameter registry (spec §11: ODP's `DEF_<TYPE>(name, default, range, info, need_reboot, section,
// visible_level, config_level)`). Kept apart from the tables so the tables stay pure data.

/** ODP's item types. TIME values are held in microseconds, CAP values in bytes. */
export type ParamType = 'INT' | 'BOOL' | 'STR' | 'STR_LIST' | 'TIME' | 'CAP' | 'IP' | 'LOG_LEVEL';

/** USER: shown to everyone; SYS/DBA: operator items; MEMORY: never persisted nor shown by SHOW PROXYCONFIG. */
export type VisibleLevel = 'USER' | 'SYS' | 'DBA' | 'MEMORY';

/** LEVEL_VIP items may also be set per cluster, tenant or VIP (spec §11.3); LEVEL_GLOBAL items only globally. */
export type ConfigLevel = 'LEVEL_GLOBAL' | 'LEVEL_VIP';

/** 'works': the proxy honours the value; 'no-effect-yet': accepted, validated, shown, persisted, not acted on. */
export type ParamStatus = 'works' | 'no-effect-yet';

/**
 * Extra checks for STR/STR_LIST items whose syntax ODP constrains:
 * addr-list: `host:port;host:port`; target-list: `;`-separated groups of `,`-separated `host:port`;
 * compression: '' or `zlib:<0-9>`; password: '' or a 40-hex SHA1 stage-1 hash (spec §8).
 */
export type ValueFormat = '' | 'addr-list' | 'target-list' | 'compression' | 'password';

/** One row as written in the tables: only what differs from the common case. */
export interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
  /** ODP's default, exactly as SHOW PROXYCONFIG prints it. */
  readonly default: string;
  /** ODP's range text, e.g. '[1s, 1h]', '(1024,65536)', '[0,]'; absent when unbounded. */
  readonly range?: string;
  /** Allowed values of an enumerated STR item, matched case-insensitively; '' may be one of them. */
  readonly values?: readonly string[];
  readonly format?: ValueFormat;
  readonly reboot?: true;
  readonly visible?: VisibleLevel;
  readonly level?: ConfigLevel;
  /** One line: what the item does in ODP, in our words. */
  readonly info: string;
  readonly status?: ParamStatus;
  /** The default or range is our best reading of obproxy 4.3.x, not confirmed by the spec. */
  readonly uncertain?: true;
  /** Not an ODP parameter: an odp addition. */
  readonly extension?: true;
}

/** A normalized registry entry: every field present, so every ParamDef has the same shape. */
export interface ParamDef {
  readonly name: string;
  readonly type: ParamType;
  readonly default: string;
  readonly range: string;
  readonly values: readonly string[];
  readonly format: ValueFormat;
  readonly needReboot: boolean;
  readonly visibleLevel: VisibleLevel;
  readonly configLevel: ConfigLevel;
  /** Our documentation grouping (ODP files every item under section "obproxy"). */
  readonly section: string;
  readonly info: string;
  readonly status: ParamStatus;
  readonly uncertain: boolean;
  readonly extension: boolean;
}

export interface ParamSection {
  readonly title: string;
  readonly params: readonly ParamSpec[];
}
