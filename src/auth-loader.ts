// enable_proxy_scramble (docs/AUTH.md §2): the password hashes behind proxy-scramble logins, loaded as metadata_user
// from the servers a new session would log in to. Owns the one AuthSource; sessions get it only while the parameter
// is on, and a session without one logs in by pass-through. Login path only, never per packet.

import { AuthSource } from './backend/auth-source.js';
import type { ServerAddress } from './backend/server-connection.js';
import type { ProxyConfig } from './config/config.js';
import type { Logger } from './observe/log.js';
import { StartupError } from './startup.js';

export class AuthLoader {
  private source: AuthSource | null = null;

  constructor(
    private readonly config: ProxyConfig,
    private readonly log: Logger,
    /** Servers to load from, best first (the login order). */
    private readonly servers: () => ServerAddress[],
  ) {}

  /**
   * At start-up a failure is a one-line StartupError; switched on at run time, a failure is logged and new sessions
   * stay pass-through.
   */
  async load(): Promise<void> {
    const c = this.config;
    c.onChange('enable_proxy_scramble', () => {
      if (c.getBool('enable_proxy_scramble') && this.source === null) {
        this.build().catch((e: unknown) => this.log.error('PROXY', (e as Error).message));
      }
    });
    if (c.getBool('enable_proxy_scramble')) await this.build().catch((e: unknown) => { throw new StartupError((e as Error).message); });
  }

  /** The loaded source while enable_proxy_scramble is on, else null. */
  current(): AuthSource | null {
    return this.config.getBool('enable_proxy_scramble') ? this.source : null;
  }

  private async build(): Promise<void> {
    const c = this.config;
    const source = new AuthSource({
      servers: this.servers,
      user: c.get('metadata_user'),
      stage1Hex: c.get('observer_sys_password'),
      connectTimeoutMs: c.getTimeMs('short_async_task_timeout'),
      queryTimeoutMs: c.getTimeMs('short_async_task_timeout'),
      refreshMinIntervalMs: 1000,
    });
    try {
      await source.load();
    } catch (e) {
      throw new Error(`enable_proxy_scramble: cannot load password hashes as ${c.get('metadata_user')}: ${(e as Error).message}`);
    }
    this.source = source;
    this.log.info('PROXY', `auth source loaded: ${source.size} accounts; new sessions may use every server`);
  }
}
