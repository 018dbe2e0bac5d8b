import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { routeAccess } from '../../server/plugins/route-access.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { createMember, createSpaceWithBoard, createThread, type TestMember } from '../helpers/factories.ts';

let app: TestApp;
let member: TestMember;
let admin: TestMember;
const params: Record<string, string> = {};

async function browserSession(who: TestMember): Promise<Record<string, string>> {
  const { cookie } = await app.services.accounts.signIn(who.handle, 'correct horse battery staple 42', 'vitest');
  return { cookie: `${cookie.name}=${cookie.value}` };
}

function fill(url: string): string {
  // Token ids are small numbers too; walking DELETE /auth/tokens/:id must not revoke the walker's own token.
  if (url.includes('/auth/tokens/')) return url.replace(':id', '999999');
  return url.replace(/:(\w+)/g, (_, name: string) => params[name] ?? '1').replace(/\*$/, 'app.css');
}

beforeAll(async () => {
  app = await createTestApp();
  admin = await createMember(app, { role: 'admin' });
  member = await createMember(app);
  const { space, board } = await createSpaceWithBoard(app, admin);
  const thread = await createThread(app, member, board.id, 'Route walk');
  Object.assign(params, { id: String(thread.threadId), slug: thread.slug, space: space.slug, board: board.slug, handle: member.handle, token: 'not-a-real-token' });
});
afterAll(async () => app.close());

describe('every route declares its access', () => {
  test('an app with a route that declares no access refuses to boot', async () => {
    const bare = Fastify();
    await bare.register(routeAccess, { assetPrefix: '/static/', moderatesAnything: async () => false });
    expect(() => bare.get('/forgotten', async () => 'oops')).toThrow(/GET \/forgotten declares no access/);
  });

  test('the app registers a sizeable, fully declared route table', () => {
    expect(app.declaredRoutes.length).toBeGreaterThan(40);
    for (const route of app.declaredRoutes) expect(['public', 'member', 'moderator', 'admin', 'operator']).toContain(route.access);
  });
});

/**
 * The walker comes from another machine: `operator` routes let requests from loopback through
 * (app.inject's default address), which would hide a missing check.
 */
const REMOTE = '203.0.113.7';

describe('walking every route', () => {
  const kinds = ['member', 'moderator', 'admin', 'operator'] as const;

  test('anonymous visitors are turned away from every non-public route before any handler runs', async () => {
    for (const route of app.declaredRoutes.filter((r) => r.access !== 'public' && r.method !== 'HEAD')) {
      const url = fill(route.url);
      const res = await app.inject({ method: route.method as 'GET', url, remoteAddress: REMOTE });
      const api = url.startsWith('/api/');
      if (!api && route.method === 'GET') {
        expect(res.statusCode, `${route.method} ${route.url}`).toBe(303);
        expect(res.headers.location).toMatch(/^\/signin\?next=/);
      } else {
        expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
      }
    }
  });

  test('members are refused moderator routes (404: not advertised) and admin routes (403), by token and by browser session', async () => {
    for (const route of app.declaredRoutes.filter((r) => (r.access === 'moderator' || r.access === 'admin' || r.access === 'operator') && r.method !== 'HEAD')) {
      const url = fill(route.url);
      const headers = url.startsWith('/api/') ? member.auth : await browserSession(member);
      const res = await app.inject({ method: route.method as 'GET', url, headers, remoteAddress: REMOTE });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(route.access === 'moderator' ? 404 : 403);
    }
  });

  test('admins pass the access check of every route (what happens next is the route’s business)', async () => {
    for (const route of app.declaredRoutes.filter((r) => r.method !== 'HEAD' && kinds.includes(r.access as (typeof kinds)[number]))) {
      const url = fill(route.url);
      // A fresh browser session each time: walking /api/v1/me/sign-out-everywhere ends the old ones.
      const headers = url.startsWith('/api/') ? admin.auth : await browserSession(admin);
      const res = await app.inject({ method: route.method as 'GET', url, headers, remoteAddress: REMOTE, payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} });
      expect([401], `${route.method} ${route.url}`).not.toContain(res.statusCode);
      if (res.statusCode === 403) expect(res.body, `${route.method} ${route.url}`).toMatch(/csrf|form expired|Only the author|Forbidden|not allowed/i);
      expect(res.statusCode, `${route.method} ${route.url} answered ${res.body.slice(0, 200)}`).toBeLessThan(500);
    }
  });

  test('public routes never ask anonymous visitors to sign in, and never fail with a server error', async () => {
    for (const route of app.declaredRoutes.filter((r) => r.access === 'public' && r.method !== 'HEAD')) {
      const url = fill(route.url);
      const res = await app.inject({ method: route.method as 'GET', url, remoteAddress: REMOTE, payload: route.method === 'GET' ? undefined : {} });
      expect(res.statusCode, `${route.method} ${route.url}`).not.toBe(401);
      expect(res.statusCode, `${route.method} ${route.url} answered ${res.body.slice(0, 200)}`).toBeLessThan(500);
    }
  });
});
