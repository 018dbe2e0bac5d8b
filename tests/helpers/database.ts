import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type DatabaseHandle, type DatabaseOptions } from '../../db/client.ts';

export interface FreshDatabase extends DatabaseHandle {
  /**
   * Another handle on the same database, as a second app process would have: its own pool on
   * PostgreSQL; on PGlite (one process only) the same instance, whose close is left to the first.
   */
  connectAgain(options?: Pick<DatabaseOptions, 'onQuery'>): DatabaseHandle;
}

/**
 * A new, empty database on the PostgreSQL server at DATABASE_URL and its URL; `drop()` removes it
 * (with force: a child process killed mid-test may still hold connections).
 */
export async function freshPostgresDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `rounds_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    async drop() {
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or — when
 * DATABASE_URL is set — a new database on that PostgreSQL server, dropped again on close.
 * `onQuery` observes every statement the app sends (see db/client.ts).
 */
export async function freshDatabase(options: Pick<DatabaseOptions, 'onQuery'> = {}): Promise<FreshDatabase> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const handle = createDatabase({ databaseUrl: undefined, dataDir: 'memory://', ...options });
    await handle.migrate();
    return { ...handle, connectAgain: () => ({ ...handle, close: async () => {} }) };
  }
  const fresh = await freshPostgresDatabase(url);
  const handle = createDatabase({ databaseUrl: fresh.url, dataDir: 'memory://', poolSize: 5, ...options });
  await handle.migrate();
  return {
    ...handle,
    connectAgain: (again = {}) => createDatabase({ databaseUrl: fresh.url, dataDir: 'memory://', poolSize: 5, ...again }),
    async close() {
      await handle.close();
      await fresh.drop();
    },
  };
}
