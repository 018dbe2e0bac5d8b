import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { createDatabase } from '../../db/client.ts';
import { isDatabaseUnavailable } from '../../db/errors.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { retryFields, type Agent } from '../helpers/browser-session.ts';
import { createMember, createSpaceWithBoard, createThread, signedInAgent, type TestMember } from '../helpers/factories.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';

const url = process.env.DATABASE_URL;

// PostgreSQL only: the embedded database lives inside the process and cannot go away on its own.
describe.runIf(url)('when PostgreSQL goes away (PostgreSQL only: a TCP proxy in front of the real server is stopped)', () => {
  let proxy: TcpProxy;
  let app: TestApp;
  let admin: TestMember;
  let alice: TestMember;
  let agent: Agent;
  let threadId: number;
  let name: string;
  let direct: string;

  beforeAll(async () => {
    const server = new URL(url!);
    name = `rounds_outage_${randomBytes(6).toString('hex')}`;
    const setup = new pg.Client({ connectionString: url });
    await setup.connect();
    await setup.query(`create database ${name}`);
    await setup.end();
    const target = new URL(url!);
    target.pathname = `/${name}`;
    direct = target.toString();
    const migrator = await createDatabase({ databaseUrl: direct, dataDir: 'memory://' });
    await migrator.migrate();
    await migrator.close();

    proxy = new TcpProxy(server.hostname, Number(server.port || 5432));
    await proxy.start();
    const viaProxy = new URL(direct);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    // Short limits so the stuck-database case answers within the test's patience.
    const database = await createDatabase({ databaseUrl: viaProxy.toString(), dataDir: 'memory://', poolSize: 4, connectTimeoutMs: 1_000, statementTimeoutMs: 2_000 });
    app = await createTestApp({}, { database });
    admin = await createMember(app, { role: 'admin' });
    alice = await createMember(app);
    const { board } = await createSpaceWithBoard(app, admin);
    ({ threadId } = await createThread(app, alice, board.id, 'Night shift handover'));
    agent = await signedInAgent(app, alice);
    expect((await agent.get(`/t/${threadId}/reply`)).statusCode).toBe(200);
  });

  afterAll(async () => {
    proxy.mode = 'forward';
    await proxy.stop();
    await proxy.start().catch(() => {});
    await app?.close();
    await app?.database.close();
    await proxy.stop();
    const cleanup = new pg.Client({ connectionString: url });
    await cleanup.connect();
    await cleanup.query(`drop database if exists ${name} with (force)`);
    await cleanup.end();
  });

  test('a reply posted during the outage is answered 503 with the text kept and nothing saved, and the same form goes through once the database is back', async () => {
    const text = 'Handover at 07:00 — check the <drips> & "lines" first.';
    const idempotencyKey = randomUUID();
    await proxy.stop();

    const refused = await agent.postForm(`/t/${threadId}/reply`, { body: text, idempotencyKey, intent: 'post' });
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('30');
    expect(refused.headers['content-type']).toMatch(/^text\/html/);
    expect(refused.body).toContain("can't reach its database right now, so nothing was saved");
    expect(refused.body).not.toMatch(/ECONNREFUSED|select|insert/i);
    const again = retryFields(refused.body);
    expect(again).toMatchObject({ body: text, idempotencyKey, intent: 'post' });
    expect(again._csrf).toBeTruthy();
    expect(refused.body).toContain(`action="/t/${threadId}/reply"`);

    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    const page = await app.inject({ method: 'GET', url: `/t/${threadId}` });
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain("can't reach its database right now. Please try again in a minute.");
    const api = await app.inject({ method: 'GET', url: `/api/v1/threads/${threadId}` });
    expect(api.statusCode).toBe(503);
    expect(api.headers['retry-after']).toBe('30');
    expect(api.json()).toEqual({ error: { code: 'unavailable', message: expect.stringContaining("can't reach its database"), fields: {} } });

    await proxy.start();
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const sent = await agent.postForm(`/t/${threadId}/reply`, again);
    expect(sent.statusCode, sent.body).toBe(303);
    // Sent twice more (a double click on "Send again"): the idempotency key keeps it one reply.
    expect((await agent.postForm(`/t/${threadId}/reply`, again)).statusCode).toBe(303);
    const thread = (await app.inject({ method: 'GET', url: `/api/v1/threads/${threadId}` })).json() as { posts: { bodySource?: string; bodyHtml: string }[] };
    expect(thread.posts.filter((p) => p.bodyHtml.includes('Handover at 07:00'))).toHaveLength(1);
  });

  test('the new-thread, edit-post and blog-editor forms come back whole too, and the edit goes through once the database is back', async () => {
    const { space, board } = await createSpaceWithBoard(app, admin);
    const { postId } = await createThread(app, alice, board.id, 'Discharge letters', 'Template v1');
    const entry = await app.services.blogs.createDraft(alice.viewer, { title: 'On handovers', body: 'Draft text' });
    await agent.get(`/p/${postId}/edit`);
    await proxy.stop();
    const cases: [string, Record<string, string>, string[]][] = [
      [`/s/${space.slug}/${board.slug}/new`, { title: 'Bleep etiquette', body: 'Please page, do not call.', idempotencyKey: randomUUID(), intent: 'post' }, ['title', 'body']],
      [`/p/${postId}/edit`, { title: 'Discharge letters', body: 'Template v2 with meds', baseRevision: '1', intent: 'post' }, ['title', 'body']],
      [`/blog/${entry.id}/edit`, { title: 'On handovers', body: 'Longer draft', summary: 'Short', tags: 'nights, handover', visibility: 'public', baseRevision: String(entry.revision), intent: 'save' }, ['title', 'body', 'summary', 'tags']],
    ];
    const kept: Record<string, string>[] = [];
    try {
      for (const [url, fields, editable] of cases) {
        const refused = await agent.postForm(url, fields);
        expect(refused.statusCode, url).toBe(503);
        expect(refused.body).toContain("nothing was saved");
        const again = retryFields(refused.body);
        expect(again, url).toMatchObject(fields);
        for (const name of editable) expect(refused.body, `${url} ${name}`).toContain(`id="retry-${name}"`);
        kept.push(again);
      }
    } finally {
      await proxy.start();
    }
    const edited = await agent.postForm(`/p/${postId}/edit`, kept[1]!);
    expect(edited.statusCode, edited.body).toBe(303);
    const post = (await app.inject({ method: 'GET', url: `/api/v1/posts/${postId}`, headers: alice.auth })).json() as { bodySource?: string; bodyHtml: string };
    expect(post.bodyHtml).toContain('Template v2 with meds');
  });

  test('under load, every request during the outage gets a 503 and the server carries on afterwards', async () => {
    // Connections cut mid-traffic, then refused: requests in flight and new ones alike.
    const traffic = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0
        ? app.inject({ method: 'GET', url: `/api/v1/threads/${threadId}` })
        : app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: alice.auth, payload: { body: `Load reply ${i}` } }),
    );
    await proxy.stop();
    const answers = await Promise.all(traffic);
    for (const answer of answers) expect([200, 201, 503]).toContain(answer.statusCode);
    const during = await Promise.all(Array.from({ length: 20 }, () => app.inject({ method: 'GET', url: `/api/v1/threads/${threadId}` })));
    expect(during.map((r) => r.statusCode)).toEqual(Array(20).fill(503));
    await proxy.start();
    const after = await Promise.all(Array.from({ length: 20 }, () => app.inject({ method: 'GET', url: `/api/v1/threads/${threadId}` })));
    expect(after.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
  });

  test('an API write during the outage gets a 503 in JSON, and a retry after it succeeds', async () => {
    await proxy.stop();
    const refused = await app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: alice.auth, payload: { body: 'Written while the database was away.' } });
    expect(refused.statusCode).toBe(503);
    expect(refused.json().error.code).toBe('unavailable');
    expect(refused.json().error.message).toContain('nothing was saved');
    await proxy.start();
    const sent = await app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: alice.auth, payload: { body: 'Written while the database was away.' } });
    expect(sent.statusCode, sent.body).toBe(201);
  });

  test('a database that accepts connections but never answers gets a 503 after the connection timeout, not a hanging request', async () => {
    proxy.mode = 'blackhole';
    proxy.cutConnections();
    try {
      const page = await app.inject({ method: 'GET', url: `/t/${threadId}` });
      expect(page.statusCode).toBe(503);
      expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    } finally {
      proxy.mode = 'forward';
    }
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect((await agent.get(`/t/${threadId}`)).statusCode).toBe(301);
  });

  test('a connection lost between the statements of a transaction fails that transaction, not the process', async () => {
    const failure = await app.database.db
      .transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        proxy.cutConnections();
        // The driver learns of the lost connection while no statement is running on it.
        await new Promise((resolve) => setTimeout(resolve, 200));
        await tx.execute(sql`select 1`);
      })
      .then(() => undefined, (error: unknown) => error);
    expect(isDatabaseUnavailable(failure)).toBe(true);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  test('a write held up by a lock longer than the statement timeout answers 503 instead of waiting forever', async () => {
    const blocker = new pg.Client({ connectionString: direct });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('lock table posts in exclusive mode');
      const refused = await app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: alice.auth, payload: { body: 'Blocked by a lock.' } });
      expect(refused.statusCode).toBe(503);
      expect(refused.json().error.code).toBe('unavailable');
    } finally {
      await blocker.query('rollback');
      await blocker.end();
    }
    const sent = await app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: alice.auth, payload: { body: 'Blocked by a lock.' } });
    expect(sent.statusCode, sent.body).toBe(201);
  });
});
