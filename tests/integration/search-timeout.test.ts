import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDatabase, type DatabaseHandle } from '../../db/client.ts';
import { decodeHtml } from '../helpers/browser-session.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { emptyPostgresDatabase } from '../helpers/database.ts';
import { createMember, createSpaceWithBoard } from '../helpers/factories.ts';

const url = process.env.DATABASE_URL;

// PostgreSQL only: the embedded database has no statement timeout to run past. A search is made
// to outlast it by another connection holding the posts table locked, as a search reading pages
// that are not in memory yet (after a restart on a large site) did in the benchmark.
describe.runIf(url)('a search that runs past the statement timeout (PostgreSQL only)', () => {
  let target: { url: string; drop(): Promise<void> };
  let database: DatabaseHandle;
  let app: TestApp;
  let blocker: pg.Client;

  beforeAll(async () => {
    target = await emptyPostgresDatabase(url!);
    database = await createDatabase({ databaseUrl: target.url, dataDir: 'memory://', statementTimeoutMs: 300 });
    await database.migrate();
    app = await createTestApp({}, { database });
    const admin = await createMember(app, { role: 'admin' });
    const { board } = await createSpaceWithBoard(app, admin, { name: 'Critical care' });
    await app.services.forum.createThread(admin.viewer, { boardId: board.id, title: 'Fluids in septic shock', body: 'Thirty millilitres a kilogram, then reassess.' });
    blocker = new pg.Client({ connectionString: target.url });
    await blocker.connect();
  });

  afterAll(async () => {
    await blocker?.end();
    await app?.close();
    await database?.close();
    await target?.drop();
  });

  test('gets the search form back with the words kept and a message that says what happened, then finds them once it can', async () => {
    await blocker.query('begin');
    await blocker.query('lock table posts in access exclusive mode');
    try {
      const page = await app.inject({ method: 'GET', url: '/search?q=septic+shock&kind=post' });
      expect(page.statusCode).toBe(503);
      expect(page.headers['cache-control']).toBe('no-store');
      const html = decodeHtml(page.body);
      expect(html).toContain('That search took too long and was stopped');
      expect(html).toMatch(/<input[^>]*name="q"[^>]*value="septic shock"|<input[^>]*value="septic shock"[^>]*name="q"/);
      expect(html).not.toContain("can't reach its database");

      const api = await app.inject({ method: 'GET', url: '/api/v1/search?q=septic+shock' });
      expect(api.statusCode).toBe(503);
      expect(api.json()).toMatchObject({ error: { code: 'timed_out' } });
    } finally {
      await blocker.query('rollback');
    }

    const found = await app.inject({ method: 'GET', url: '/api/v1/search?q=septic+shock' });
    expect(found.statusCode).toBe(200);
    expect((found.json() as { total: number }).total).toBe(1);
  });
});
