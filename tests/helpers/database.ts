import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type DatabaseHandle, type DatabaseOptions } from '../../db/client.ts';

export interface FreshDatabase extends DatabaseHandle {
  /**
   * Another handle on the same database, as a second app process would have: its own pool on
   * PostgreSQL; on PGlite (one process only) the same instance, whose close is left to the first.
   */
  connectAgain(options?: Pick<DatabaseOptions, 'onQuery'>): Promise<DatabaseHandle>;
}

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or — when
 * DATABASE_URL is set — a new database on that PostgreSQL server, dropped again on close.
 * `onQuery` observes every statement the app sends (see db/client.ts); `poolSize` (PostgreSQL only)
 * of 1 keeps every statement on one connection, e.g. to read its prepared statements.
 */
export async function freshDatabase(options: Pick<DatabaseOptions, 'onQuery' | 'poolSize'> = {}): Promise<FreshDatabase> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const handle = await createDatabase({ databaseUrl: undefined, dataDir: 'memory://', ...options });
    await handle.migrate();
    return { ...handle, connectAgain: async () => ({ ...handle, close: async () => {} }) };
  }
  const fresh = await emptyPostgresDatabase(url);
  const handle = await createDatabase({ databaseUrl: fresh.url, dataDir: 'memory://', poolSize: 5, ...options });
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

/**
 * An empty database (no migrations) on the PostgreSQL server of `serverUrl`, and how to drop it
 * (with force: a child process killed mid-test may still hold connections).
 */
export async function emptyPostgresDatabase(serverUrl: string, prefix = 'rounds_test'): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const target = new URL(serverUrl);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    async drop() {
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
