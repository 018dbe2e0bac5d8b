import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { migrationsFolder } from '../../db/client.ts';
import { emptyPostgresDatabase } from '../helpers/database.ts';

/*
 * Tags written before labels existed were stored as slugs only: the migration that adds `label`
 * fills it from the slug (they read as they always did) before making it required. On the embedded
 * database, or on PostgreSQL when DATABASE_URL is set.
 */

const MIGRATION = '0036_blog_tag_labels';
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** The migrations folder as it was before `MIGRATION` landed. */
function migrationsBefore(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rounds-before-labels-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(migrationsFolder, dir, { recursive: true });
  const journalFile = path.join(dir, 'meta/_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag === MIGRATION);
  expect(at, `${MIGRATION} in the journal`).toBeGreaterThan(0);
  writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));
  return dir;
}

interface Target {
  migrate(folder: string): Promise<void>;
  query(text: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
}

async function target(): Promise<Target> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const client = new PGlite();
    cleanups.push(() => client.close());
    return {
      migrate: (folder) => migratePglite(drizzlePglite(client), { migrationsFolder: folder }),
      query: async (text, values) => (await client.query<Record<string, unknown>>(text, values)).rows,
    };
  }
  const fresh = await emptyPostgresDatabase(url);
  const client = new pg.Client({ connectionString: fresh.url });
  await client.connect();
  cleanups.push(() => fresh.drop());
  cleanups.push(() => client.end());
  return {
    migrate: (folder) => migratePg(drizzlePg(client), { migrationsFolder: folder }),
    query: async (text, values) => (await client.query<Record<string, unknown>>(text, values)).rows,
  };
}

describe('the migration that gives blog tags their labels', () => {
  test('tags stored before it read as their slugs, and a label is required from then on', async () => {
    const db = await target();
    await db.migrate(migrationsBefore());
    await db.query(`insert into users (id, handle, display_name, email) values ('u1', 'writer', 'A Writer', 'writer@example.test')`);
    const [entry] = await db.query(
      `insert into blog_entries (author_id, title, slug, body_source, body_html, render_version) values ('u1', 'Before labels', 'before-labels', 'Body', '<p>Body</p>', 1) returning id`,
    );
    await db.query(`insert into blog_entry_tags (entry_id, tag) values ($1, 'ecmo'), ($1, 'point-of-care-ultrasound')`, [entry!.id]);

    await db.migrate(migrationsFolder);

    expect(await db.query(`select tag, label from blog_entry_tags order by tag`)).toEqual([
      { tag: 'ecmo', label: 'ecmo' },
      { tag: 'point-of-care-ultrasound', label: 'point-of-care-ultrasound' },
    ]);
    expect(await db.query(`select is_nullable from information_schema.columns where table_name = 'blog_entry_tags' and column_name = 'label'`)).toEqual([{ is_nullable: 'NO' }]);
    await expect(db.query(`insert into blog_entry_tags (entry_id, tag) values ($1, 'nhs-england')`, [entry!.id])).rejects.toThrow(/null/i);
  });
});
