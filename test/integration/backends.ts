// Real backends for the integration suite, started once per `npm test` by scripts/test.mjs (never mocked).
import { startMariadb, type MariadbInstance } from '../../lab/mariadb.js';

export const TEST_MARIADB = [
  { name: 'test-a', host: '127.0.0.1', port: 23306 },
  { name: 'test-b', host: '127.0.0.1', port: 23307 },
] as const;

export async function startTestBackends(): Promise<{ env: Record<string, string>; stop(): Promise<void> }> {
  const started: MariadbInstance[] = [];
  for (const spec of TEST_MARIADB) started.push(await startMariadb(spec));
  const [a, b] = started;
  if (a === undefined || b === undefined) throw new Error('lab: backends did not start');
  return {
    env: {
      ODP_TEST_MYSQL_A: `${a.host}:${a.port}`,
      ODP_TEST_MYSQL_B: `${b.host}:${b.port}`,
      ODP_TEST_MYSQL_A_SOCKET: a.socket,
      ODP_TEST_MYSQL_B_SOCKET: b.socket,
    },
    async stop() {
      // Instances that were already running before the test run are left running.
      for (const inst of started) if (inst.started) await inst.stop();
    },
  };
}
