import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sessions } from '../../db/schema/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { createMember, PASSWORD, type TestMember } from '../helpers/factories.ts';

let app: TestApp;
let alice: TestMember;

beforeAll(async () => {
  app = await createTestApp();
  alice = await createMember(app);
});
afterAll(async () => app.close());

async function signIn() {
  const { cookie } = await app.services.accounts.signIn(alice.handle, PASSWORD, 'vitest');
  return cookie;
}

async function whoAmI(cookie: { name: string; value: string }) {
  const res = await app.inject({ method: 'GET', url: '/settings', headers: { cookie: `${cookie.name}=${cookie.value}` } });
  return res.statusCode === 200 ? 'member' : 'visitor';
}

describe('authenticated sessions', () => {
  test('every sign-in makes a new, independent session id', async () => {
    const a = await signIn();
    const b = await signIn();
    expect(a.value).not.toBe(b.value);
    expect(await whoAmI(a)).toBe('member');
    expect(await whoAmI(b)).toBe('member');
  });

  test('the session cookie is HttpOnly and SameSite=Lax', async () => {
    const cookie = await signIn();
    expect(cookie.serialized).toMatch(/HttpOnly/i);
    expect(cookie.serialized).toMatch(/SameSite=Lax/i);
  });

  test('a session unused past its idle expiry ends', async () => {
    const cookie = await signIn();
    await app.database.db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.id, cookie.value));
    expect(await whoAmI(cookie)).toBe('visitor');
  });

  test('a session past its absolute expiry ends even while in use', async () => {
    const cookie = await signIn();
    expect(await whoAmI(cookie)).toBe('member');
    await app.database.db.update(sessions).set({ absoluteExpiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.id, cookie.value));
    // Changed behind the app's back: obeyed once the process has heard the database announce it.
    await app.events.settled();
    expect(await whoAmI(cookie)).toBe('visitor');
    const [row] = await app.database.db.select().from(sessions).where(eq(sessions.id, cookie.value));
    expect(row).toBeUndefined();
  });

  test('a stale cookie is cleared from the browser', async () => {
    const res = await app.inject({ method: 'GET', url: '/', headers: { cookie: 'rounds_session=not-a-session' } });
    expect(String(res.headers['set-cookie'])).toMatch(/rounds_session=;.*Max-Age=0/i);
  });

  test('a suspended member is signed out on the next request and cannot sign in', async () => {
    const bob = await createMember(app);
    const { cookie } = await app.services.accounts.signIn(bob.handle, PASSWORD, 'vitest');
    const { users } = await import('../../db/schema/index.ts');
    await app.database.db.update(users).set({ status: 'suspended', statusUntil: new Date(Date.now() + 86_400_000) }).where(eq(users.id, bob.viewer.id));
    expect(await whoAmI(cookie)).toBe('visitor');
    await expect(app.services.accounts.signIn(bob.handle, PASSWORD, 'vitest')).rejects.toThrow(/suspended until \d{4}-\d\d-\d\d \d\d:\d\d UTC\./);
    const api = await app.inject({ method: 'GET', url: '/api/v1/me', headers: bob.auth });
    expect(api.statusCode).toBe(401);
  });
});

describe('the API document', () => {
  test('describes the JSON API, and only it, as OpenAPI 3', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/v1/auth/token', '/api/v1/boards/{id}/threads', '/api/v1/threads/{id}/posts', '/api/v1/posts/{id}']));
    expect(paths.every((p) => p.startsWith('/api/v1/'))).toBe(true);
    expect(doc.paths['/api/v1/threads/{id}/posts'].post.requestBody).toBeDefined();
  });
});
