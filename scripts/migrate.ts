import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { migrationsFolder } from '../db/client.ts';
import { describeDatabase, openDatabase, queryRows, readConfig, runCommand } from './operator-command.ts';

/*
 * `npm run migrate`: applies the committed migrations in db/migrations and says which ones ran.
 * The server also migrates at start-up; this is for deploys that migrate before switching over.
 */

interface JournalEntry {
  tag: string;
  when: number;
}

function journal(): JournalEntry[] {
  const raw = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: JournalEntry[] };
  return raw.entries;
}

runCommand(async () => {
  const config = readConfig();
  const database = await openDatabase(config);
  try {
    // drizzle's migrator records each applied migration's folder timestamp in drizzle.__drizzle_migrations.
    const appliedAt = async (): Promise<Set<number>> => {
      const [exists] = await queryRows<{ present: boolean }>(
        database.db,
        sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
      );
      if (!exists?.present) return new Set();
      const rows = await queryRows<{ created_at: string | number }>(database.db, sql`select created_at from drizzle.__drizzle_migrations`);
      return new Set(rows.map((r) => Number(r.created_at)));
    };
    const entries = journal();
    const before = await appliedAt();
    console.log(`Migrating ${describeDatabase(config)} (${entries.length} migration${entries.length === 1 ? '' : 's'} in ${migrationsFolder})`);
    const started = Date.now();
    await database.migrate();
    const after = await appliedAt();
    const ran = entries.filter((e) => after.has(e.when) && !before.has(e.when));
    if (ran.length === 0) {
      console.log(`Already up to date: ${before.size} migration${before.size === 1 ? '' : 's'} applied earlier, nothing to do.`);
    } else {
      for (const entry of ran) console.log(`  applied ${entry.tag}`);
      console.log(`Applied ${ran.length} migration${ran.length === 1 ? '' : 's'} in ${Date.now() - started} ms; ${after.size} in total.`);
    }
    const unknown = [...after].filter((when) => !entries.some((e) => e.when === when));
    if (unknown.length > 0) {
      console.warn(`warning: the database records ${unknown.length} migration(s) this code does not have: it was migrated by a newer version.`);
    }
  } finally {
    await database.close();
  }
});
