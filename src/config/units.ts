// Value syntax of ODP configuration items (obproxy `share/config/ob_config.cpp`, `ob_config_helper.cpp`).
// Every parser returns undefined on bad input; callers turn that into a one-line message (validate.ts).
//
// TIME: <digits>[us|ms|s|m|h|d], unit case-insensitive; a bare number is SECONDS (as in ODP). Held in microseconds.
// CAP:  <digits>[b|byte|k|kb|m|mb|g|gb|t|tb|p|pb], powers of 1024; a bare number is MEGABYTES (as in ODP).
// INT:  optional sign and decimal digits. ODP's strtol(base 0) would also read 0x1f and 010 (octal); we refuse
//       those forms rather than guess. ODP clamps negative TIME/CAP values to 0; we refuse them.
// BOOL: true/false, on/off, yes/no, t/f, 1/0, case-insensitive; shown as True/False as ODP does.
// STR_LIST: items separated by ';' (empty items dropped), e.g. username_separator ':;-;.' is [':', '-', '.'].

const TIME_UNITS_US: Readonly<Record<string, number>> = {
  us: 1, ms: 1_000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000, d: 86_400_000_000,
};

const CAP_UNITS: Readonly<Record<string, number>> = {
  b: 1, byte: 1,
  k: 2 ** 10, kb: 2 ** 10,
  m: 2 ** 20, mb: 2 ** 20,
  g: 2 ** 30, gb: 2 ** 30,
  t: 2 ** 40, tb: 2 ** 40,
  p: 2 ** 50, pb: 2 ** 50,
};

const NUMBER_WITH_UNIT = /^\+?(\d+)\s*([a-z]*)$/i;

function scaled(text: string, units: Readonly<Record<string, number>>, bareUnit: string): number | undefined {
  const m = NUMBER_WITH_UNIT.exec(text.trim());
  if (m === null) return undefined;
  const unit = (m[2] ?? '').toLowerCase() || bareUnit;
  const factor = units[unit];
  if (factor === undefined) return undefined;
  const value = Number(m[1]) * factor;
  return Number.isSafeInteger(value) ? value : undefined;
}

/** TIME text to microseconds. */
export function parseTimeUs(text: string): number | undefined {
  return scaled(text, TIME_UNITS_US, 's');
}

/** CAP text to bytes. */
export function parseBytes(text: string): number | undefined {
  return scaled(text, CAP_UNITS, 'mb');
}

/** INT text to a number; only safe integers. */
export function parseInteger(text: string): number | undefined {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) return undefined;
  const value = Number(t);
  return Number.isSafeInteger(value) ? value : undefined;
}

const TRUE_WORDS = new Set(['true', 'on', 'yes', 't', '1']);
const FALSE_WORDS = new Set(['false', 'off', 'no', 'f', '0']);

export function parseBool(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (TRUE_WORDS.has(t)) return true;
  if (FALSE_WORDS.has(t)) return false;
  return undefined;
}

/** ODP's display form of a BOOL value. */
export function formatBool(value: boolean): string {
  return value ? 'True' : 'False';
}

export function splitList(text: string): string[] {
  return text.split(';').filter((item) => item !== '');
}

/** ODP's log levels, least to most severe. */
export const LOG_LEVELS = ['DEBUG', 'TRACE', 'WDIAG', 'EDIAG', 'INFO', 'WARN', 'USER_ERR', 'ERROR'] as const;

const LEVEL_SET: ReadonlySet<string> = new Set(LOG_LEVELS);
const MODULE_LEVEL = /^([A-Za-z_]+(?:\.(?:[A-Za-z_]+|\*))?)\s*:\s*([A-Za-z_]+)$/;

/**
 * A level ('INFO') or per-module levels ('ALL.*:INFO,PROXY.*:DEBUG', ',' or ';' separated).
 * Returns the canonical upper-case text.
 */
export function parseLogLevel(text: string): string | undefined {
  const t = text.trim();
  if (LEVEL_SET.has(t.toUpperCase())) return t.toUpperCase();
  const items = t.split(/[,;]/).map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) return undefined;
  const out: string[] = [];
  for (const item of items) {
    const m = MODULE_LEVEL.exec(item);
    const level = m?.[2]?.toUpperCase();
    if (m === null || level === undefined || !LEVEL_SET.has(level)) return undefined;
    out.push(`${(m[1] ?? '').toUpperCase()}:${level}`);
  }
  return out.join(',');
}

/** Microseconds in the largest unit that divides them exactly, e.g. 90_000_000 -> '90s', 7_200_000_000 -> '2h'. */
export function formatTimeUs(us: number): string {
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const factor = TIME_UNITS_US[unit] ?? 1;
    if (us !== 0 && us % factor === 0) return `${us / factor}${unit}`;
  }
  return us === 0 ? '0s' : `${us}us`;
}

/** Bytes in the largest binary unit that divides them exactly, e.g. 65536 -> '64KB'. */
export function formatBytes(bytes: number): string {
  for (const unit of ['PB', 'TB', 'GB', 'MB', 'KB'] as const) {
    const factor = CAP_UNITS[unit.toLowerCase()] ?? 1;
    if (bytes !== 0 && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return `${bytes}B`;
}
