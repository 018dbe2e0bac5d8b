import { setTimeout } from 'node:timers/promises';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { eq } from 'drizzle-orm';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spaces, users } from '../../db/schema/index.ts';
import { anonymousCache, negotiateEncoding } from '../../server/plugins/anonymous-cache.ts';
import { ANONYMOUS } from '../../server/policy/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { createMember, createSpaceWithBoard, createThread, PASSWORD, type TestMember } from '../helpers/factories.ts';

let app: TestApp;
let author: TestMember;
let thread: { threadId: number; slug: string };

beforeAll(async () => {
  app = await createTestApp({ ANON_CACHE_MS: '60000' });
  const admin = await createMember(app, { role: 'admin' });
  author = await createMember(app);
  const { board } = await createSpaceWithBoard(app, admin);
  thread = await createThread(app, author, board.id, 'Hot thread during a crisis', 'Ventilator splitter settings');
});
afterAll(async () => app.close());

test('anonymous readers of a public page share one rendering', async () => {
  const url = `/t/${thread.threadId}/${thread.slug}`;
  const first = await app.inject({ method: 'GET', url });
  const second = await app.inject({ method: 'GET', url });
  expect(first.headers['x-cache']).toBe('miss');
  expect(second.headers['x-cache']).toBe('hit');
  expect(second.body).toBe(first.body);
  expect(second.headers['content-security-policy']).toBe(first.headers['content-security-policy']);
});

test('signed-in members and visitors with a cookie are never served from it', async () => {
  const url = `/t/${thread.threadId}/${thread.slug}`;
  await app.inject({ method: 'GET', url });
  const { cookie } = await app.services.accounts.signIn(author.handle, PASSWORD, 'vitest');
  const member = await app.inject({ method: 'GET', url, headers: { cookie: `${cookie.name}=${cookie.value}` } });
  expect(member.headers['x-cache']).toBeUndefined();
  expect(member.body).toContain('Sign out');
  const visitor = await app.inject({ method: 'GET', url, headers: { cookie: 'rounds_visitor=abc' } });
  expect(visitor.headers['x-cache']).toBeUndefined();
});

test('pages that hand out a CSRF token are never stored', async () => {
  const first = await app.inject({ method: 'GET', url: '/signin' });
  const second = await app.inject({ method: 'GET', url: '/signin' });
  expect(first.headers['set-cookie']).toBeDefined();
  expect(second.headers['x-cache']).toBeUndefined();
  expect(second.headers['set-cookie']).toBeDefined();
});

test('errors and redirects are not stored', async () => {
  await app.inject({ method: 'GET', url: '/t/999999/nothing' });
  const again = await app.inject({ method: 'GET', url: '/t/999999/nothing' });
  expect(again.statusCode).toBe(404);
  expect(again.headers['x-cache']).toBeUndefined();
});

describe('thread pages are kept until the thread changes, not for a fixed time', () => {
  async function freshThread(body = `Opening post of a versioned thread ${Math.random().toString(36).slice(2, 8)}`) {
    const admin = await createMember(app, { role: 'admin' });
    const { space, board } = await createSpaceWithBoard(app, admin);
    const created = await createThread(app, author, board.id, `Versioned ${Math.random().toString(36).slice(2, 8)}`, body);
    return { admin, space, board, url: `/t/${created.threadId}/${created.slug}`, ...created };
  }

  async function warm(url: string) {
    await app.inject({ method: 'GET', url });
    const hit = await app.inject({ method: 'GET', url });
    expect(hit.headers['x-cache']).toBe('hit');
    return hit;
  }

  test('a reply shows to anonymous readers as soon as its poster has the answer', async () => {
    const t = await freshThread();
    await warm(t.url);
    const posted = await app.inject({ method: 'POST', url: `/api/v1/threads/${t.threadId}/posts`, headers: author.auth, payload: { body: 'A reply posted after the page was cached' } });
    expect(posted.statusCode).toBe(201);
    const after = await app.inject({ method: 'GET', url: t.url });
    expect(after.headers['x-cache']).toBe('miss');
    expect(after.body).toContain('A reply posted after the page was cached');
  });

  test('an edit and a removal show at once', async () => {
    const t = await freshThread('Original wording of the opening post');
    await warm(t.url);
    await app.services.forum.edit(author.viewer, t.postId, { body: 'Corrected wording of the opening post', baseRevision: 1 });
    // Written beside any request (as another process would): it shows once this process has heard of it.
    expect(await app.events.settled()).toBe(true);
    const edited = await app.inject({ method: 'GET', url: t.url });
    expect(edited.headers['x-cache']).toBe('miss');
    expect(edited.body).toContain('Corrected wording');
    await warm(t.url);
    await app.services.forum.remove(author.viewer, t.postId);
    expect(await app.events.settled()).toBe(true);
    const removed = await app.inject({ method: 'GET', url: t.url });
    expect(removed.headers['x-cache']).toBe('miss');
    expect(removed.body).not.toContain('Corrected wording');
  });

  test('an author renamed shows at once on the threads they posted in', async () => {
    const t = await freshThread();
    await warm(t.url);
    await app.database.db.update(users).set({ displayName: 'Dr Renamed Person' }).where(eq(users.id, author.viewer.id));
    expect(await app.events.settled()).toBe(true);
    const after = await app.inject({ method: 'GET', url: t.url });
    expect(after.headers['x-cache']).toBe('miss');
    expect(after.body).toContain('Dr Renamed Person');
  });

  test('raising a space above public hides its cached pages from anonymous visitors at once', async () => {
    const t = await freshThread('Said in public before the space closed');
    const boardUrl = `/s/${t.space.slug}/${t.board.slug}`;
    await warm(t.url);
    await warm(boardUrl);
    await app.services.membership.changeLevel(t.admin.viewer, t.space.id, 'members');
    const thread = await app.inject({ method: 'GET', url: t.url });
    expect(thread.statusCode).toBe(404);
    expect(thread.body).not.toContain('Said in public');
    const board = await app.inject({ method: 'GET', url: boardUrl });
    expect(board.statusCode).not.toBe(200);
    expect(board.headers['x-cache']).toBeUndefined();
  });

  test('a level raised behind the app’s back (another process, an operator) still stops thread pages at once', async () => {
    const t = await freshThread('Said in public before an operator closed the space');
    await warm(t.url);
    await app.database.db.update(spaces).set({ level: 'confidential', joinPolicy: 'invite' }).where(eq(spaces.id, t.space.id));
    expect(await app.events.settled()).toBe(true);
    const thread = await app.inject({ method: 'GET', url: t.url });
    expect(thread.statusCode).toBe(404);
    expect(thread.body).not.toContain('an operator closed');
  });
});

describe('revalidation and compression', () => {
  const url = () => `/t/${thread.threadId}/${thread.slug}`;

  test('a matching If-None-Match gets 304 with no body; a stale one gets the page', async () => {
    const first = await app.inject({ method: 'GET', url: url() });
    const etag = first.headers.etag;
    expect(etag).toMatch(/^W\/".+"$/);
    const revalidated = await app.inject({ method: 'GET', url: url(), headers: { 'if-none-match': String(etag) } });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.body).toBe('');
    const stale = await app.inject({ method: 'GET', url: url(), headers: { 'if-none-match': 'W/"something-older"' } });
    expect(stale.statusCode).toBe(200);
    expect(stale.body).toBe(first.body);
  });

  test('the page is sent gzip- or brotli-compressed when the client accepts it, and plain otherwise', async () => {
    const plain = await app.inject({ method: 'GET', url: url() });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toContain('Accept-Encoding');
    const gzipped = await app.inject({ method: 'GET', url: url(), headers: { 'accept-encoding': 'gzip' } });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzipped.rawPayload).toString()).toBe(plain.body);
    const brotli = await app.inject({ method: 'GET', url: url(), headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(brotli.rawPayload).toString()).toBe(plain.body);
    const refused = await app.inject({ method: 'GET', url: url(), headers: { 'accept-encoding': 'br;q=0, gzip;q=0' } });
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  /** A thread nobody has asked for yet, asked for once: the cache's miss. */
  async function firstVisit(title: string, body: string | undefined, acceptEncoding: string) {
    const t = await createThread(app, author, (await createSpaceWithBoard(app, await createMember(app, { role: 'admin' }))).board.id, title, body);
    const path = `/t/${t.threadId}/${t.slug}`;
    const miss = await app.inject({ method: 'GET', url: path, headers: { 'accept-encoding': acceptEncoding } });
    expect(miss.headers['x-cache']).toBe('miss');
    return { path, miss };
  }

  test('a page rendered on a miss is compressed too (brotli in its fastest form), and the first hit keeps a smaller one', async () => {
    const { path, miss } = await firstVisit('Compressed twice', 'Night-shift ventilator checklist, step by step. '.repeat(80), 'gzip, br');
    expect(miss.headers['content-encoding']).toBe('br');
    const page = brotliDecompressSync(miss.rawPayload).toString();
    expect(page).toContain('Compressed twice');
    const hit = await app.inject({ method: 'GET', url: path, headers: { 'accept-encoding': 'gzip, br' } });
    expect(hit.headers['x-cache']).toBe('hit');
    expect(brotliDecompressSync(hit.rawPayload).toString()).toBe(page);
    expect(hit.rawPayload.length).toBeLessThan(miss.rawPayload.length);
    const again = await app.inject({ method: 'GET', url: path, headers: { 'accept-encoding': 'br' } });
    expect(again.rawPayload.equals(hit.rawPayload)).toBe(true);
  });

  test('a client that takes only gzip gets gzip on a miss, and the page is still kept for brotli', async () => {
    const { path, miss } = await firstVisit('Gzip only', undefined, 'gzip');
    expect(miss.headers['content-encoding']).toBe('gzip');
    const page = gunzipSync(miss.rawPayload).toString();
    expect(page).toContain('Gzip only');
    const brotli = await app.inject({ method: 'GET', url: path, headers: { 'accept-encoding': 'br' } });
    expect(brotli.headers['x-cache']).toBe('hit');
    expect(brotliDecompressSync(brotli.rawPayload).toString()).toBe(page);
    const plain = await app.inject({ method: 'GET', url: path });
    expect(plain.body).toBe(page);
  });
});

test('Accept-Encoding negotiation prefers brotli, then gzip, and honours q=0', () => {
  expect(negotiateEncoding(undefined)).toBe('identity');
  expect(negotiateEncoding('gzip, deflate, br, zstd')).toBe('br');
  expect(negotiateEncoding('gzip')).toBe('gzip');
  expect(negotiateEncoding('br;q=0, gzip;q=0.5')).toBe('gzip');
  expect(negotiateEncoding('*')).toBe('gzip');
  expect(negotiateEncoding('identity')).toBe('identity');
  expect(negotiateEncoding('gzip;q=1, br;q=0.5')).toBe('br');
});

describe('the cache on its own (a bare Fastify app with one versioned page)', () => {
  async function bareApp(maxAgeMs?: number) {
    const bare = Fastify();
    await bare.register(anonymousCache, { ttlMs: 60_000, maxBytes: 1_000_000 });
    bare.decorateRequest('viewer', null as never);
    bare.addHook('onRequest', async (request) => {
      request.viewer = ANONYMOUS;
    });
    const state = { version: 'v1', renders: 0 };
    bare.anonymousPages.versionCheck('page', async () => state.version);
    bare.get('/page', async (_request, reply) => {
      state.renders++;
      // Rendering takes a while: concurrent readers arrive meanwhile.
      await setTimeout(20);
      reply.pageVersion = { kind: 'page', id: 1, version: state.version, ...(maxAgeMs === undefined ? {} : { maxAgeMs }) };
      return reply.type('text/html; charset=utf-8').send(`<p>rendered at ${state.version}</p>`);
    });
    await bare.ready();
    return { bare, state };
  }

  test('concurrent readers of a missing page wait for one rendering', async () => {
    const { bare, state } = await bareApp();
    const answers = await Promise.all(Array.from({ length: 8 }, () => bare.inject({ method: 'GET', url: '/page' })));
    expect(state.renders).toBe(1);
    expect(answers.filter((a) => a.headers['x-cache'] === 'miss')).toHaveLength(1);
    expect(answers.every((a) => a.body === '<p>rendered at v1</p>')).toBe(true);
    state.version = 'v2';
    const after = await Promise.all(Array.from({ length: 8 }, () => bare.inject({ method: 'GET', url: '/page' })));
    expect(state.renders).toBe(2);
    expect(after.every((a) => a.body === '<p>rendered at v2</p>')).toBe(true);
    await bare.close();
  });

  test('once a page’s time runs out (same version), one request renders it again and the others get the old one meanwhile', async () => {
    const { bare, state } = await bareApp(1);
    await bare.inject({ method: 'GET', url: '/page' });
    await setTimeout(10);
    const answers = await Promise.all(Array.from({ length: 6 }, () => bare.inject({ method: 'GET', url: '/page' })));
    expect(state.renders).toBe(2);
    expect(answers.filter((a) => a.headers['x-cache'] === 'miss')).toHaveLength(1);
    expect(answers.filter((a) => a.headers['x-cache'] === 'stale').length).toBeGreaterThan(0);
    await bare.close();
  });

  test('a page that says how long it stays right is not served after that, even at the same version', async () => {
    const { bare, state } = await bareApp(1);
    await bare.inject({ method: 'GET', url: '/page' });
    await setTimeout(10); // well past the page's 1 ms
    const again = await bare.inject({ method: 'GET', url: '/page' });
    expect(again.headers['x-cache']).toBe('miss');
    expect(state.renders).toBe(2);
    await bare.close();
  });
});

/**
 * Waits until 85 % of a page's time has passed since just before it was rendered: inside the last
 * fifth, whatever the work in between took (a thread posted on a busy CI machine took long enough
 * to carry a fixed wait past the page's end).
 */
async function untilInLastFifth(renderedBefore: number, ttlMs: number) {
  const wait = renderedBefore + ttlMs * 0.85 - Date.now();
  if (wait < 0) throw new Error(`the set-up took past the page's last fifth (${-wait} ms late)`);
  await setTimeout(wait);
}

describe('pages rendered again before they run out (a bare Fastify app with timed pages)', () => {
  /** Pages `/p/:id` kept `ttlMs`; each says how many times it was rendered; `open` holds renderings back. */
  async function timedApp(ttlMs: number) {
    const bare = Fastify();
    await bare.register(anonymousCache, { ttlMs, maxBytes: 1_000_000 });
    bare.decorateRequest('viewer', null as never);
    bare.addHook('onRequest', async (request) => {
      request.viewer = ANONYMOUS;
    });
    const state = { renders: new Map<string, number>(), now: 0, most: 0, open: Promise.resolve() };
    bare.get<{ Params: { id: string } }>('/p/:id', async (request, reply) => {
      const count = (state.renders.get(request.params.id) ?? 0) + 1;
      state.renders.set(request.params.id, count);
      state.most = Math.max(state.most, ++state.now);
      await state.open;
      await setTimeout(10);
      state.now--;
      return reply.type('text/html; charset=utf-8').send(`<p>page ${request.params.id}, rendering ${count}</p>`);
    });
    await bare.ready();
    const total = () => [...state.renders.values()].reduce((a, b) => a + b, 0);
    const until = async (done: () => boolean) => {
      for (let waited = 0; !done(); waited += 5) {
        if (waited > 2000) throw new Error('the background rendering never came');
        await setTimeout(5);
      }
    };
    return { bare, state, total, until };
  }

  test('a page asked for near its end is served as it is and rendered again in the background', async () => {
    const { bare, state } = await timedApp(2000);
    const rendered = Date.now();
    expect((await bare.inject({ method: 'GET', url: '/p/1' })).headers['x-cache']).toBe('miss');
    await untilInLastFifth(rendered, 2000);
    const late = await bare.inject({ method: 'GET', url: '/p/1' });
    expect(late.headers['x-cache']).toBe('hit');
    expect(late.body).toBe('<p>page 1, rendering 1</p>');
    let next = late;
    for (let tries = 0; tries < 200 && next.body === late.body; tries++) {
      await setTimeout(5);
      next = await bare.inject({ method: 'GET', url: '/p/1' });
    }
    expect(next.headers['x-cache']).toBe('hit');
    expect(next.body).toBe('<p>page 1, rendering 2</p>');
    expect(state.renders.get('1')).toBe(2);
    await bare.close();
  });

  test('pages that come up for renewal together are rendered one after another', async () => {
    const { bare, state, total, until } = await timedApp(2000);
    const urls = Array.from({ length: 10 }, (_, i) => `/p/${i}`);
    const rendered = Date.now();
    await Promise.all(urls.map((url) => bare.inject({ method: 'GET', url })));
    expect(state.most).toBe(10); // first renderings: every page at once
    state.most = 0;
    await untilInLastFifth(rendered, 2000);
    const answers = await Promise.all(urls.map((url) => bare.inject({ method: 'GET', url })));
    expect(answers.map((a) => a.headers['x-cache'])).toEqual(urls.map(() => 'hit'));
    await until(() => total() === 20);
    expect(state.most).toBe(1);
    await bare.close();
  });

  test('a page whose rendering began before the cache was cleared is not kept', async () => {
    const { bare, state } = await timedApp(60_000);
    let open = () => {};
    state.open = new Promise<void>((resolve) => (open = resolve));
    const rendering = bare.inject({ method: 'GET', url: '/p/1' });
    while (state.now === 0) await setTimeout(1);
    // A space's level was raised while the page was reading it.
    bare.anonymousPages.clear();
    open();
    expect((await rendering).headers['x-cache']).toBe('miss');
    const after = await bare.inject({ method: 'GET', url: '/p/1' });
    expect(after.headers['x-cache']).toBe('miss');
    expect(after.body).toBe('<p>page 1, rendering 2</p>');
    await bare.close();
  });
});

test('a board page renewed in the background shows a new thread, with the security headers it was first sent with', async () => {
  const timed = await createTestApp({ ANON_CACHE_MS: '2000' });
  try {
    const admin = await createMember(timed, { role: 'admin' });
    const { space, board } = await createSpaceWithBoard(timed, admin);
    // The board's creation is announced (a structure event clears the cache): heard before the page is kept.
    expect(await timed.events.settled()).toBe(true);
    const url = `/s/${space.slug}/${board.slug}`;
    const rendered = Date.now();
    const first = await timed.inject({ method: 'GET', url });
    expect(first.headers['x-cache']).toBe('miss');
    await createThread(timed, admin, board.id, 'Posted while the board page was kept');
    await untilInLastFifth(rendered, 2000);
    const kept = await timed.inject({ method: 'GET', url });
    expect(kept.headers['x-cache']).toBe('hit');
    expect(kept.body).not.toContain('Posted while the board page was kept');
    let renewed = kept;
    for (let tries = 0; tries < 100 && !renewed.body.includes('Posted while the board page was kept'); tries++) {
      await setTimeout(5);
      renewed = await timed.inject({ method: 'GET', url });
    }
    expect(renewed.headers['x-cache']).toBe('hit');
    expect(renewed.body).toContain('Posted while the board page was kept');
    expect(renewed.headers['content-security-policy']).toBe(first.headers['content-security-policy']);
    expect(renewed.body).not.toContain('Sign out');
  } finally {
    await timed.close();
  }
});
