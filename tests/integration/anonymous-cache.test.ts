import { afterAll, beforeAll, expect, test } from 'vitest';
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
