import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createDatabase, migrationsFolder, type DatabaseHandle } from '../../db/client.ts';
import { emptyPostgresDatabase } from '../helpers/database.ts';

/*
 * Two app processes starting at once on a database that lacks migrations (replicas after a
 * deploy) must both start: the migrations are applied once, by whichever takes the lock first.
 * PostgreSQL only: the embedded database belongs to one process.
 */

const postgresUrl = process.env.DATABASE_URL;
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe.runIf(postgresUrl)('migrating one PostgreSQL database from two processes at once', () => {
  test('both succeed and every migration is applied once', async () => {
    const fresh = await emptyPostgresDatabase(postgresUrl!);
    cleanups.push(() => fresh.drop());
    const handles: DatabaseHandle[] = [];
    for (let i = 0; i < 3; i++) {
      const handle = await createDatabase({ databaseUrl: fresh.url, dataDir: 'memory://', poolSize: 1 });
      handles.push(handle);
      cleanups.push(() => handle.close());
    }
    // Without the lock, all but one stopped on "already exists" (a type, a table: whichever they collided on).
    const results = await Promise.allSettled(handles.map((h) => h.migrate()));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);

    const journal = JSON.parse(readFileSync(path.join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as { entries: unknown[] };
    const { rows } = await handles[0]!.executeSql('select count(*)::int as applied, count(distinct hash)::int as distinct from drizzle.__drizzle_migrations');
    expect(rows[0]).toEqual({ applied: journal.entries.length, distinct: journal.entries.length });
  });
});
