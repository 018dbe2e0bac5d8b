import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { decodeHtml } from '../helpers/browser-session.ts';
import { createMember, createSpaceWithBoard, createThread, signedInAgent, type TestMember } from '../helpers/factories.ts';

let app: TestApp;
let alice: TestMember;
let boardId: number;
let boardUrl: string;
let threadId: number;

beforeAll(async () => {
  app = await createTestApp();
  const admin = await createMember(app, { role: 'admin' });
  alice = await createMember(app);
  const { space, board } = await createSpaceWithBoard(app, admin);
  boardId = board.id;
  boardUrl = `/s/${space.slug}/${board.slug}`;
  threadId = (await createThread(app, alice, board.id, 'Target thread')).threadId;
});
afterAll(async () => app.close());

async function postCount(): Promise<number> {
  const res = await app.inject({ method: 'GET', url: `/api/v1/boards/${boardId}/threads` });
  return res.json().threads.reduce((n: number, t: { replyCount: number }) => n + t.replyCount + 1, 0);
}

describe('the JSON API answers bad input with a clear error and writes nothing', () => {
  test.each([
    ['an empty title', { title: '', body: 'x' }, 'title'],
    ['a two-letter title', { title: 'ab', body: 'x' }, 'title'],
    ['a 201-character title', { title: 'x'.repeat(201), body: 'x' }, 'title'],
    ['a whitespace-only body', { title: 'Fine title', body: ' \n\t ' }, 'body'],
    ['a body over 50,000 characters', { title: 'Fine title', body: 'x'.repeat(50_001) }, 'body'],
  ])('%s is refused with 422 naming the field', async (_name, payload, field) => {
    const before = await postCount();
    const res = await app.inject({ method: 'POST', url: `/api/v1/boards/${boardId}/threads`, headers: alice.auth, payload });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.fields[field]).toMatch(/\w/);
    expect(await postCount()).toBe(before);
  });

  test('missing and wrongly typed fields are refused by the schema with 400', async () => {
    const missing = await app.inject({ method: 'POST', url: `/api/v1/boards/${boardId}/threads`, headers: alice.auth, payload: { title: 'No body' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.message).toMatch(/body/);
    const wrongType = await app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: alice.auth, payload: { body: { nested: true } } });
    expect(wrongType.statusCode).toBe(400);
  });

  test('malformed ids are a 400, unknown ones a 404', async () => {
    for (const url of ['/api/v1/threads/abc', '/api/v1/threads/-1', '/api/v1/threads/1.5', '/api/v1/posts/99999999999999999999']) {
      expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(400);
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/threads/424242' })).statusCode).toBe(404);
    const unknownBoard = await app.inject({ method: 'POST', url: '/api/v1/boards/424242/threads', headers: alice.auth, payload: { title: 'Lost thread', body: 'x' } });
    expect(unknownBoard.statusCode).toBe(404);
  });

  test('a 10 MB body is refused with 413 before it is parsed', async () => {
    const res = await app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: { ...alice.auth, 'content-type': 'application/json' }, payload: JSON.stringify({ body: 'x'.repeat(10 * 1024 * 1024) }) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.message).toMatch(/too large/);
  });

  test('invalid UTF-8 is refused instead of being silently mangled', async () => {
    const bytes = Buffer.concat([Buffer.from('{"body":"caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const res = await app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: { ...alice.auth, 'content-type': 'application/json' }, payload: bytes });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.message).toMatch(/not valid UTF-8/);
  });

  test('broken JSON and prototype-poisoning keys are refused', async () => {
    const broken = await app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: { ...alice.auth, 'content-type': 'application/json' }, payload: '{"body": "unterminated' });
    expect(broken.statusCode).toBe(422);
    const poisoned = await app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: { ...alice.auth, 'content-type': 'application/json' }, payload: '{"body":"x","__proto__":{"admin":true}}' });
    expect(poisoned.statusCode).toBe(422);
  });

  test('errors never carry stack traces or SQL', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/threads/abc' });
    expect(res.body).not.toMatch(/at .*\.ts:\d+|select |node_modules/i);
  });
});

describe('forms answer bad input on the page and keep the text', () => {
  test('invalid UTF-8 in a form is refused with a readable page', async () => {
    const agent = await signedInAgent(app, alice);
    await agent.get(`${boardUrl}/new`);
    const res = await app.inject({
      method: 'POST',
      url: `${boardUrl}/new`,
      headers: { cookie: [...agent.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${encodeURIComponent(agent.csrf ?? '')}&title=Bad%C3%28bytes&body=x`,
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('not valid UTF-8');
  });

  test('a body over the schema cap shows the error page with the text to copy', async () => {
    const agent = await signedInAgent(app, alice);
    const huge = 'y'.repeat(100_001);
    const res = await agent.submit(`${boardUrl}/new`, `${boardUrl}/new`, { title: 'Huge', body: huge, intent: 'post' });
    expect(res.statusCode).toBe(400);
    expect(decodeHtml(res.body)).toContain(huge);
  });

  test('a malformed id in a page URL is a 400 page, not a crash', async () => {
    const res = await app.inject({ method: 'GET', url: '/t/not-a-number/slug' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('text/html');
  });
});
