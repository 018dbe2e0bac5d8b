import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDatabase, type Database, type DatabaseHandle } from '../../db/client.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { emptyPostgresDatabase } from '../helpers/database.ts';
import { addSpaceMember, createMember, createSpaceWithBoard, createThread, type TestMember } from '../helpers/factories.ts';

const serverUrl = process.env.DATABASE_URL;
const engine = serverUrl ? 'PostgreSQL (pg_dump / pg_restore)' : 'the embedded database (a copy of its data directory)';
const root = new URL('../..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'rounds-backup-'));
const cleanups: (() => Promise<void>)[] = [];

/** Runs an operator script the way `npm run backup -- file` does; resolves with its exit code and output. */
function runScript(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', PORT: '0', ...env };
  if (!env.DATABASE_URL) delete childEnv.DATABASE_URL;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** Where a database lives, as the scripts are told (DATABASE_URL or DATA_DIR), and how to open it. */
interface Place {
  env: Record<string, string>;
  open(): Promise<DatabaseHandle>;
}

async function newPlace(label: string): Promise<Place> {
  if (serverUrl) {
    const created = await emptyPostgresDatabase(serverUrl, `rounds_backup_${label}`);
    cleanups.push(created.drop);
    return { env: { DATABASE_URL: created.url }, open: () => createDatabase({ databaseUrl: created.url, dataDir: '' }) };
  }
  const dataDir = join(work, label);
  return { env: { DATA_DIR: dataDir }, open: () => createDatabase({ databaseUrl: undefined, dataDir }) };
}

interface TableSum {
  table: string;
  rows: number;
  md5: string;
}

/** Every table's row count and a checksum of all its rows, plus every sequence's position. */
async function fingerprint(db: Database): Promise<{ tables: TableSum[]; sequences: Record<string, string> }> {
  const tables = (
    (await db.execute(sql`select table_schema || '.' || table_name as name from information_schema.tables
      where table_schema in ('public', 'drizzle') and table_type = 'BASE TABLE' order by 1`)) as unknown as { rows: { name: string }[] }
  ).rows;
  const sums: TableSum[] = [];
  for (const { name } of tables) {
    const [schema, table] = name.split('.') as [string, string];
    const relation = sql.raw(`"${schema}"."${table}"`);
    const result = (await db.execute(
      sql`select count(*)::int as rows, md5(coalesce(string_agg(t::text, E'\n' order by t::text), '')) as md5 from ${relation} t`,
    )) as unknown as { rows: { rows: number; md5: string }[] };
    sums.push({ table: name, ...result.rows[0]! });
  }
  const sequences = (
    (await db.execute(sql`select schemaname || '.' || sequencename as name, coalesce(last_value, 0)::text as value from pg_sequences order by 1`)) as unknown as {
      rows: { name: string; value: string }[];
    }
  ).rows;
  return { tables: sums, sequences: Object.fromEntries(sequences.map((s) => [s.name, s.value])) };
}

describe(`backups of ${engine}`, () => {
  let source: Place;
  let restored: Place;
  let before: Awaited<ReturnType<typeof fingerprint>>;
  let alice: TestMember;
  let confidentialThreadId: number;
  const backupFile = join(work, serverUrl ? 'rounds.dump' : 'rounds.tar.gz');

  beforeAll(async () => {
    source = await newPlace('source');
    restored = await newPlace('restored');
    const database = await source.open();
    await database.migrate();
    // No job worker: nothing may change in the background (an e-mail marked sent) between the
    // fingerprint and the backup.
    const app: TestApp = await createTestApp({ JOBS_WORK: '0' }, { database });
    try {
      const admin = await createMember(app, { role: 'admin' });
      const moderator = await createMember(app, { role: 'moderator' });
      alice = await createMember(app);
      const bob = await createMember(app);
      const { board: open } = await createSpaceWithBoard(app, admin, { name: 'Open ward' });
      const { space: closed, board: secret } = await createSpaceWithBoard(app, admin, { level: 'confidential', name: 'Closed ward' });
      await addSpaceMember(app, closed.id, alice);
      const { forum, blogs, moderation } = app.services;
      const publicThread = await createThread(app, alice, open.id, 'Rota swaps', 'Who can swap a Sunday?');
      const reply = await forum.reply(bob.viewer, publicThread.threadId, { body: 'I can, if it is the 14th.' });
      ({ threadId: confidentialThreadId } = await createThread(app, alice, secret.id, 'Case review: bed 4', 'Confidential details of the case.'));
      await forum.reply(alice.viewer, confidentialThreadId, { body: 'Follow-up on the case.' });
      const entry = await blogs.createDraft(alice.viewer, { title: 'Notes from nights', body: 'What I learnt.', tags: 'nights, wellbeing' });
      await blogs.publish(alice.viewer, entry.id);
      await blogs.createDraft(alice.viewer, { title: 'Unfinished draft', body: 'Not yet.' });
      await blogs.addComment(bob.viewer, entry.id, { body: 'Thank you for this.' });
      await moderation.flagPost(alice.viewer, reply.postId, { reason: 'off_topic' });
      await moderation.flagBlog(bob.viewer, { entryId: entry.id }, { reason: 'misinformation' });
      const { items } = await moderation.queue(moderator.viewer, { sort: 'priority', status: 'open' });
      const item = items.find((i) => i.postId === reply.postId)!;
      await moderation.decide(moderator.viewer, item.id, { decision: 'hide', reason: 'Off topic for the rota.' });
      before = await fingerprint(app.database.db);
    } finally {
      // The embedded database is one process's at a time: the backup script opens it next.
      await app.close();
      await database.close();
    }
  }, 120_000);

  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  test('a backup restored into a fresh database holds every row of every table, and every sequence where it was', async () => {
    const backup = await runScript('backup', [backupFile], source.env);
    expect(backup.code, backup.output).toBe(0);
    const restore = await runScript('restore', [backupFile], restored.env);
    expect(restore.code, restore.output).toBe(0);

    const database = await restored.open();
    try {
      const after = await fingerprint(database.db);
      const byName = (t: TableSum[]) => Object.fromEntries(t.map((s) => [s.table, s]));
      expect(byName(after.tables)).toEqual(byName(before.tables));
      expect(after.sequences).toEqual(before.sequences);
      // Not a vacuous comparison: the data set covers the tables that matter.
      const rows = Object.fromEntries(before.tables.map((t) => [t.table, t.rows]));
      for (const table of ['users', 'spaces', 'space_members', 'threads', 'posts', 'blog_entries', 'blog_comments', 'flags', 'review_items', 'moderation_log']) {
        expect(rows[`public.${table}`], table).toBeGreaterThan(0);
      }
      expect(rows['drizzle.__drizzle_migrations']).toBeGreaterThan(0);
    } finally {
      await database.close();
    }
  }, 120_000);

  test('the restored database serves the site: confidential content stays hidden from outsiders, members read it and can post', async () => {
    const database = await restored.open();
    const app = await createTestApp({}, { database });
    try {
      await app.database.migrate();
      const outsider = await app.inject({ method: 'GET', url: `/api/v1/threads/${confidentialThreadId}` });
      expect(outsider.statusCode).toBe(404);
      const member = await app.inject({ method: 'GET', url: `/api/v1/threads/${confidentialThreadId}`, headers: alice.auth });
      expect(member.statusCode, member.body).toBe(200);
      expect(member.json().title).toBe('Case review: bed 4');
      const posted = await app.inject({ method: 'POST', url: `/api/v1/threads/${confidentialThreadId}/posts`, headers: alice.auth, payload: { body: 'Written after the restore.' } });
      expect(posted.statusCode, posted.body).toBe(201);
    } finally {
      await app.close();
      await database.close();
    }
  }, 60_000);

  test('restore refuses a database that already holds data, and changes nothing there', async () => {
    const refused = await runScript('restore', [backupFile], source.env);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/not empty/);
    const database = await source.open();
    try {
      expect((await fingerprint(database.db)).tables).toEqual(before.tables);
    } finally {
      await database.close();
    }
  }, 60_000);
});
