import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrationsFolder, type Database, type DatabaseHandle, type QueryLogger } from './client.ts';
import * as schema from './schema/index.ts';

/** The embedded database (PGlite): PostgreSQL in-process, kept in `dataDir` or in memory. */
export function openEmbedded(dataDir: string, logger?: QueryLogger): DatabaseHandle {
  if (dataDir !== 'memory://') mkdirSync(dataDir, { recursive: true });
  const client = new PGlite(dataDir === 'memory://' ? undefined : dataDir);
  const pgliteDb = drizzlePglite(client, { schema, logger });
  return {
    db: pgliteDb as unknown as Database,
    kind: 'pglite',
    migrate: () => migratePglite(pgliteDb, { migrationsFolder }),
    executeSql: async (text, values) => {
      if (values?.length) return client.query(text, values);
      // PGlite's query() takes one statement; exec() takes several and answers with each result.
      const results = await client.exec(text);
      return results.at(-1) ?? { rows: [] };
    },
    ping: async () => {
      await client.query('select 1');
    },
    listen: (channel, handlers) => {
      // One in-process session: its own NOTIFYs reach it as each committing statement returns.
      const unlisten = client.listen(channel, handlers.message).then(
        (stop) => {
          handlers.state(true);
          return stop;
        },
        () => undefined,
      );
      return {
        async close() {
          const stop = await unlisten;
          if (!client.closed) await stop?.();
        },
      };
    },
    poolStats: () => null,
    close: () => client.close(),
  };
}
