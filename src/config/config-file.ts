// The YAML configuration file (`--config`): a flat mapping of ODP parameter names to values, e.g.
//   listen_port: 2883
//   slow_query_time_threshold: 10ms
//   rootservice_list: [10.0.0.1:2881, 10.0.0.2:2881]   # STR_LIST items may be a YAML list
// Unknown names are errors, never ignored: a misspelt key must not silently leave a default in force.
import { ConfigError } from './errors.js';
import { findParam, unknownParamMessage } from './params.js';
import { keyText, lineOf, readYaml, topPairs, valueText } from './yaml-file.js';

export interface FileValue {
  readonly name: string;
  readonly value: string;
  /** 1-based line of the key, for messages. */
  readonly line: number;
}

/** Reads every entry of the configuration file; throws ConfigError naming the file and line of the first problem. */
export function readConfigFile(path: string): FileValue[] {
  const file = readYaml(path, false);
  if (file === undefined) return [];
  const out: FileValue[] = [];
  for (const pair of topPairs(file)) {
    const line = lineOf(file, pair.key as Parameters<typeof lineOf>[1]);
    const name = keyText(file, pair).trim().toLowerCase();
    const def = findParam(name);
    if (def === undefined) throw new ConfigError(`${path}:${line}: ${unknownParamMessage(name)}`);
    const value = valueText(pair);
    if (value === undefined || (Array.isArray(value) && def.type !== 'STR_LIST')) {
      throw new ConfigError(`${path}:${line}: ${name} takes a single value, not a ${value === undefined ? 'mapping' : 'list'}`);
    }
    out.push({ name, value: Array.isArray(value) ? value.join(';') : value, line });
  }
  return out;
}
