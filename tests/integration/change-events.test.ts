import { eq, sql } from 'drizzle-orm';
import Fastify from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createDatabase, type DatabaseHandle } from '../../db/client.ts';
import { boards, threads } from '../../db/schema/index.ts';
import { createEventBus, type EventBus } from '../../server/events/bus.ts';
import { anonymousCache } from '../../server/plugins/anonymous-cache.ts';
import { ANONYMOUS } from '../../server/policy/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { freshDatabase } from '../helpers/database.ts';
import { createMember, createSpaceWithBoard, createThread, type TestMember } from '../helpers/factories.ts';

let app: TestApp;
let author: TestMember;
let board: { id: number };
const heard: string[] = [];

beforeAll(async () => {
  app = await createTestApp();
  const admin = await createMember(app, { role: 'admin' });
  author = await createMember(app);
  ({ board } = await createSpaceWithBoard(app, admin));
  app.events.subscribe((event) => heard.push(event));
  await vi.waitFor(() => expect(app.events.live).toBe(true));
});
afterAll(async () => app.close());

async function eventsDuring(write: () => Promise<unknown>): Promise<string[]> {
  expect(await app.events.settled()).toBe(true);
  const from = heard.length;
  await write();
  expect(await app.events.settled()).toBe(true);
  return heard.slice(from);
}

describe('the database announces what changed, whoever wrote it', () => {
  test('a reply announces its thread and board, by id only', async () => {
    const t = await createThread(app, author, board.id, 'Prone positioning for the sickest', 'Opening post');
    const events = await eventsDuring(() => app.services.forum.reply(author.viewer, t.threadId, { body: 'Twelve hours a day worked for us' }));
    expect(events).toContain(`thread:${t.threadId}`);
    expect(events).toContain(`board:${board.id}`);
    expect(events.join(' ')).not.toMatch(/Prone|Twelve/);
  });

  test('writes answered at the same time share markers, and each still waits until its own events were heard', async () => {
    let markers = 0;
    const database = await freshDatabase({ onQuery: (query, params) => void (query.includes('pg_notify') && String(params[1]).startsWith('settled:') && markers++) });
    const bus = createEventBus(database);
    try {
      const seen: string[] = [];
      bus.subscribe((event) => seen.push(event));
      await vi.waitFor(() => expect(bus.live).toBe(true));
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          await bus.publish(database.db, `page:${i}`);
          const ok = await bus.settled();
          // What this caller relies on: its own event was heard before its settled() answered.
          return { ok, heardOwn: seen.includes(`page:${i}`) };
        }),
      );
      expect(outcomes.every((o) => o.ok && o.heardOwn)).toBe(true);
      expect(markers).toBeGreaterThan(0);
      expect(markers).toBeLessThan(20);
    } finally {
      await bus.close();
      await database.close();
    }
  });

  test('a write rolled back announces nothing', async () => {
    const t = await createThread(app, author, board.id);
    const events = await eventsDuring(async () => {
      await app.database.db
        .transaction(async (tx) => {
          await tx.update(threads).set({ title: 'A title that never was' }).where(eq(threads.id, t.threadId));
          throw new Error('changed my mind');
        })
        .catch(() => undefined);
    });
    expect(events).not.toContain(`thread:${t.threadId}`);
  });

  test('renaming a board is a structure change; the counters every post moves are not', async () => {
    const t = await createThread(app, author, board.id);
    const reply = await eventsDuring(() => app.services.forum.reply(author.viewer, t.threadId, { body: 'Counters move, names do not' }));
    expect(reply.filter((e) => e.startsWith('structure:'))).toEqual([]);
    const rename = await eventsDuring(() => app.database.db.update(boards).set({ name: 'Critical care, renamed' }).where(eq(boards.id, board.id)));
    expect(rename).toContain('structure:boards');
  });
});

describe.runIf(process.env.DATABASE_URL)('across processes on PostgreSQL', () => {
  test('an event published by one process reaches another listening on the same database', async () => {
    const url = await databaseUrlOf(app.database);
    const other = await createDatabase({ databaseUrl: url, dataDir: 'memory://', poolSize: 2 });
    const otherBus = createEventBus(other);
    try {
      await vi.waitFor(() => expect(otherBus.live).toBe(true));
      const received: string[] = [];
      otherBus.subscribe((event) => received.push(event));
      const t = await createThread(app, author, board.id);
      await app.services.forum.reply(author.viewer, t.threadId, { body: 'Heard in the other process' });
      await vi.waitFor(() => expect(received).toContain(`thread:${t.threadId}`));
    } finally {
      await otherBus.close();
      await other.close();
    }
  });

  test('a lost listening connection comes back by itself and says events may have been missed', async () => {
    let resyncs = 0;
    app.events.onResync(() => resyncs++);
    const url = await databaseUrlOf(app.database);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const killed = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen %'`,
      );
      expect(killed.rowCount).toBeGreaterThan(0);
      await vi.waitFor(() => expect(resyncs).toBe(1), { timeout: 10_000 });
      await vi.waitFor(() => expect(app.events.live).toBe(true));
      const t = await createThread(app, author, board.id);
      const events = await eventsDuring(() => app.services.forum.reply(author.viewer, t.threadId, { body: 'After the reconnect' }));
      expect(events).toContain(`thread:${t.threadId}`);
    } finally {
      await admin.end();
    }
  });
});

describe('the anonymous cache trusts the events while it hears them', () => {
  let database: DatabaseHandle;
  let bus: EventBus;
  beforeAll(async () => {
    database = await freshDatabase();
    bus = createEventBus(database);
    await vi.waitFor(() => expect(bus.live).toBe(true));
  });
  afterAll(async () => {
    await bus.close();
    await database.close();
  });

  async function cachedApp(events: EventBus) {
    const bare = Fastify();
    await bare.register(anonymousCache, { ttlMs: 60_000, maxBytes: 1_000_000, events });
    bare.decorateRequest('viewer', null as never);
    bare.addHook('onRequest', async (request) => {
      request.viewer = ANONYMOUS;
    });
    const state = { version: 'v1', checks: 0, renders: 0 };
    bare.anonymousPages.versionCheck('page', async () => {
      state.checks++;
      return state.version;
    });
    bare.get('/page', async (_request, reply) => {
      state.renders++;
      reply.pageVersion = { kind: 'page', id: 7, version: state.version };
      return reply.type('text/html; charset=utf-8').send(`<p>rendered at ${state.version}</p>`);
    });
    await bare.ready();
    return { bare, state };
  }

  test('a stored page nothing announced a change to is served without asking the database', async () => {
    const { bare, state } = await cachedApp(bus);
    await bare.inject({ method: 'GET', url: '/page' });
    const hits = await Promise.all(Array.from({ length: 5 }, () => bare.inject({ method: 'GET', url: '/page' })));
    expect(hits.every((h) => h.headers['x-cache'] === 'hit')).toBe(true);
    expect(state.checks).toBe(0);

    // An event for another page changes nothing for this one.
    await bus.publish(database.db, 'page:8');
    expect(await bus.settled()).toBe(true);
    await bare.inject({ method: 'GET', url: '/page' });
    expect(state.checks).toBe(0);

    // An event for it: the next hit asks once, finds the same version, and trusts it again after.
    await bus.publish(database.db, 'page:7');
    expect(await bus.settled()).toBe(true);
    await bare.inject({ method: 'GET', url: '/page' });
    await bare.inject({ method: 'GET', url: '/page' });
    expect(state.checks).toBe(1);

    // A real change: announced, asked, re-rendered.
    state.version = 'v2';
    await bus.publish(database.db, 'page:7');
    expect(await bus.settled()).toBe(true);
    const changed = await bare.inject({ method: 'GET', url: '/page' });
    expect(changed.body).toBe('<p>rendered at v2</p>');
    expect(state.renders).toBe(2);
    await bare.close();
  });

  test('a structure change (a space closed, a board renamed) forgets every stored page', async () => {
    const { bare, state } = await cachedApp(bus);
    await bare.inject({ method: 'GET', url: '/page' });
    await bus.publish(database.db, 'structure:spaces');
    expect(await bus.settled()).toBe(true);
    const after = await bare.inject({ method: 'GET', url: '/page' });
    expect(after.headers['x-cache']).toBe('miss');
    expect(state.renders).toBe(2);
    await bare.close();
  });

  test('when the bus is not listening, every hit asks the database', async () => {
    const deafDatabase = await freshDatabase();
    const deaf = createEventBus(deafDatabase);
    await deaf.close();
    expect(deaf.live).toBe(false);
    const { bare, state } = await cachedApp(deaf);
    await bare.inject({ method: 'GET', url: '/page' });
    await bare.inject({ method: 'GET', url: '/page' });
    await bare.inject({ method: 'GET', url: '/page' });
    expect(state.checks).toBe(2);
    state.version = 'v2';
    const changed = await bare.inject({ method: 'GET', url: '/page' });
    expect(changed.body).toBe('<p>rendered at v2</p>');
    await bare.close();
    await deafDatabase.close();
  });
});

/** The connection string of a test database on PostgreSQL (the helper names a fresh database per file). */
async function databaseUrlOf(handle: DatabaseHandle): Promise<string> {
  const result = (await handle.db.execute(sql`select current_database() as name`)) as unknown as { rows: { name: string }[] };
  const [row] = result.rows;
  const url = new URL(process.env.DATABASE_URL as string);
  url.pathname = `/${row?.name}`;
  return url.toString();
}
