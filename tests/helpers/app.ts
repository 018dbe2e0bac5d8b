import type { DatabaseHandle } from '../../db/client.ts';
import { buildApp, type AppOverrides } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { freshDatabase } from './database.ts';

export type TestApp = Awaited<ReturnType<typeof buildApp>> & { database: DatabaseHandle };

export interface TestAppOptions {
  /**
   * Build on this database (a restart, a database behind a proxy the test can stop): the caller
   * owns it, so closing the app leaves it open.
   */
  database?: DatabaseHandle;
  overrides?: AppOverrides;
  /** Sees every statement the app sends (see db/client.ts), e.g. to count queries per page. */
  onQuery?: (query: string, params: unknown[]) => void;
  /** Connections in the pool on PostgreSQL (PGlite has one). */
  poolSize?: number;
}

/** The real app on a fresh database; rate limits are high unless a test asks for its own. */
export async function createTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: 'memory://',
    RATE_SIGNIN_PER_IP_PER_MINUTE: '10000',
    RATE_REGISTER_PER_IP_PER_HOUR: '10000',
    RATE_SIGNIN_FAILURES_PER_ACCOUNT: '1000',
    RATE_ACCOUNT_MAIL_PER_IP_PER_HOUR: '10000',
    RATE_SEARCH_PER_MINUTE: '100000',
    ...env,
  });
  const database = options.database ?? (await freshDatabase({ onQuery: options.onQuery, ...(options.poolSize ? { poolSize: options.poolSize } : {}) }));
  const app = await buildApp(config, database, options.overrides);
  await app.ready();
  const close = app.close.bind(app);
  return Object.assign(app, {
    database,
    close: async () => {
      await close();
      if (!options.database) await database.close();
    },
  }) as unknown as TestApp;
}
