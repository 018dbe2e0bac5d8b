import { createNotifier } from '../../server/notifications/notifier.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, test } from 'vitest';
import { createDatabase, type DatabaseHandle } from '../../db/client.ts';
import { blogEntries, users } from '../../db/schema/index.ts';
import { userToViewer } from '../../server/accounts/service.ts';
import { buildApp } from '../../server/app.ts';
import { createBlogsService } from '../../server/blogs/service.ts';
import { loadConfig } from '../../server/config.ts';
import { createSpacesService } from '../../server/spaces/service.ts';
import { REMEMBER_NOTHING } from '../../server/events/member-cache.ts';
import { rememberedSettings } from '../../server/moderation/admission.ts';
import { driveLoad, prepareLoad, probeOutsiders, verifyLoad } from '../../scripts/load-consistency.ts';
import { emptyPostgresDatabase } from '../helpers/database.ts';
import { startServer as startChild, stopGracefully, type ServerData } from '../helpers/server-process.ts';

/*
 * The real server as a child process, killed with SIGKILL in the middle of the load and started
 * again on the same data: PGlite in a temporary directory (its files recover the way PostgreSQL's
 * do, by WAL replay), or a new database on the PostgreSQL server at DATABASE_URL.
 */

const postgresUrl = process.env.DATABASE_URL;
const cleanups: (() => Promise<void> | void)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** The server on `data`, killed (if still running) when the file ends. */
const startServer = (data: ServerData) => startChild(data, { onStart: (server) => cleanups.push(server.kill) });

describe(`crash: kill -9 under load, then restart (${postgresUrl ? 'PostgreSQL' : 'PGlite data directory'})`, () => {
  test(
    'every acknowledged write survives exactly once, nothing is half-written, and an entry scheduled during the outage is published once after restart',
    async () => {
      const data: { databaseUrl?: string; dataDir?: string } = {};
      if (postgresUrl) {
        const fresh = await emptyPostgresDatabase(postgresUrl);
        cleanups.push(() => fresh.drop());
        data.databaseUrl = fresh.url;
      } else {
        const dir = mkdtempSync(path.join(tmpdir(), 'rounds-crash-'));
        cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
        data.dataDir = path.join(dir, 'data');
      }
      const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: 'memory://' });
      // The embedded database belongs to one process at a time: the test opens it only while no server runs.
      const open = async (): Promise<DatabaseHandle> => {
        const handle = await createDatabase({ databaseUrl: data.databaseUrl, dataDir: data.dataDir ?? 'memory://', poolSize: 3 });
        await handle.migrate();
        return handle;
      };

      let database = await open();
      const setup = await buildApp(config, database);
      // Started, as the server would be: registering a member queues its verification e-mail.
      await setup.ready();
      const fixtures = await prepareLoad(setup, database.db, { clients: 6 });
      await setup.close();
      await database.close();

      const first = await startServer(data);
      const stop = new AbortController();
      const load = driveLoad(first.baseUrl, fixtures, { clients: 6, seconds: 60, signal: stop.signal });
      // A few seconds in, while every client has a request in flight.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      first.child.kill('SIGKILL');
      await first.exited;
      stop.abort();
      const ledger = await load;
      const acknowledged = [...ledger.threads, ...ledger.replies, ...ledger.edits].filter((w) => w.outcome.kind === 'ack');
      expect(acknowledged.length, first.output()).toBeGreaterThan(0);
      // The clients never pause, so the kill cut some of their requests off: those writes' fate is unknown.
      const cutOff = [...ledger.threads, ...ledger.replies, ...ledger.edits, ...ledger.flags].filter((w) => w.outcome.kind === 'unknown');
      expect(cutOff.length).toBeGreaterThan(0);

      // During the outage an author's entry falls due (scheduled through the service, as the page would).
      database = await open();
      // Not a poster: in those seconds of load a poster may reach the hourly posting limit, which
      // would refuse the entry for a reason this test is not about.
      const author = fixtures.moderator;
      const [authorRow] = await database.db.select().from(users).where(eq(users.id, author.id));
      const blogs = createBlogsService(database.db, createSpacesService(database.db, config.privateSpaces), createNotifier(), rememberedSettings(database.db, REMEMBER_NOTHING));
      const viewer = userToViewer(authorRow!);
      const draft = await blogs.createDraft(viewer, { title: 'Published while the server was down', body: 'Due during the outage.' });
      const publishAt = new Date(Date.now() + 1_000);
      await blogs.schedule(viewer, draft.id, publishAt);
      await database.close();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, publishAt.getTime() - Date.now() + 200)));

      const second = await startServer(data);
      const listed = (await (await fetch(`${second.baseUrl}/api/v1/blog/entries`)).json()) as { id: number }[];
      expect(listed.filter((e) => e.id === draft.id)).toHaveLength(1);
      const confidentialThreads = ledger.threads.filter((t) => t.confidential && t.threadId).map((t) => ({ id: t.threadId! }));
      const confidentialPosts = [...ledger.threads, ...ledger.replies].filter((w) => w.confidential && w.postId).map((w) => ({ id: w.postId! }));
      const probed = await probeOutsiders(second.baseUrl, fixtures, confidentialThreads.slice(-10), confidentialPosts.slice(-10));
      expect(probed.violations).toEqual([]);
      await stopGracefully(second);

      database = await open();
      try {
        const violations = [...ledger.violations, ...(await verifyLoad(database.db, fixtures, ledger))];
        expect(violations).toEqual([]);
        const [entry] = await database.db.select().from(blogEntries).where(eq(blogEntries.id, draft.id));
        expect(entry?.status).toBe('published');
        expect(entry?.publishedAt?.getTime()).toBe(publishAt.getTime());
        // The start-up sweep already did it: another sweep finds nothing left to publish.
        expect(await createBlogsService(database.db, createSpacesService(database.db, config.privateSpaces), createNotifier(), rememberedSettings(database.db, REMEMBER_NOTHING)).sweepScheduled()).toBe(0);
      } finally {
        await database.close();
      }
    },
    180_000,
  );
});
