// Start-up configuration failures. Thrown only by ProxyConfig.load (a proxy must not start on a bad
// configuration); runtime changes report errors as values instead. The message is one line naming the source
// (file:line, -o option or state file), the parameter, the value and what is allowed.

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';

  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
