import type { DatabaseHandle } from '../../db/client.ts';
import { buildApp } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import type { LogStream } from '../../server/plugins/logging.ts';
import { freshDatabase } from './database.ts';

export type TestApp = Awaited<ReturnType<typeof buildApp>> & { database: DatabaseHandle };

/**
 * The real app on a fresh database; rate limits are high unless a test asks for its own. A test
 * may bring its own database (e.g. one reached through a proxy it can stop; it is closed with the
 * app), a stream to read the log lines from (set LOG_LEVEL in `env` too), or an `onQuery` observer
 * that sees every statement the app sends (see db/client.ts).
 */
export async function createTestApp(
  env: Record<string, string> = {},
  options: { database?: DatabaseHandle; logStream?: LogStream; onQuery?: (query: string, params: unknown[]) => void } = {},
): Promise<TestApp> {
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: 'memory://',
    RATE_SIGNIN_PER_IP_PER_MINUTE: '10000',
    RATE_REGISTER_PER_IP_PER_HOUR: '10000',
    RATE_SIGNIN_FAILURES_PER_ACCOUNT: '1000',
    ...env,
  });
  const database = options.database ?? (await freshDatabase({ onQuery: options.onQuery }));
  const app = await buildApp(config, database, { logStream: options.logStream });
  await app.ready();
  const close = app.close.bind(app);
  return Object.assign(app, {
    database,
    close: async () => {
      await close();
      await database.close();
    },
  }) as unknown as TestApp;
}
