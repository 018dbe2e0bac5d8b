import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { addSpaceMember, createMember, createSpaceWithBoard, createThread, signedInAgent, type TestMember } from '../helpers/factories.ts';

const REMOTE = '203.0.113.7';
const METRICS_TOKEN = 'prometheus-scrape-token-0123456789abcdef';

let app: TestApp;
let admin: TestMember;
let member: TestMember;
let threads: { threadId: number; slug: string }[];
const SECRET_TITLE = 'Zebrafish cardiotoxicity cluster';

beforeAll(async () => {
  app = await createTestApp({ METRICS_TOKEN, ANON_CACHE_MS: '2000' });
  admin = await createMember(app, { role: 'admin' });
  member = await createMember(app);
  const { board } = await createSpaceWithBoard(app, admin);
  const { space: closed, board: secret } = await createSpaceWithBoard(app, admin, { level: 'confidential' });
  await addSpaceMember(app, closed.id, member);
  threads = [
    await createThread(app, member, board.id, 'Ward round checklist'),
    await createThread(app, member, board.id, 'Sepsis bundle audit'),
    await createThread(app, member, secret.id, SECRET_TITLE),
  ];
});
afterAll(async () => app.close());

async function cookieOf(who: TestMember): Promise<{ cookie: string }> {
  const agent = await signedInAgent(app, who);
  return { cookie: [...agent.cookies].map(([name, value]) => `${name}=${value}`).join('; ') };
}

const metrics = (options: { remoteAddress?: string; headers?: Record<string, string> } = {}) => app.inject({ method: 'GET', url: '/metrics', ...options });

describe('who may read /metrics', () => {
  test('a request from this machine reads it as Prometheus text, never cached', async () => {
    const res = await metrics();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain('process_cpu_user_seconds_total');
    expect(res.body).toContain('nodejs_eventloop_lag_seconds');
  });

  test('a visitor from elsewhere is sent to sign in, and a member is refused, even after a local request read it (nothing cached)', async () => {
    expect((await metrics()).statusCode).toBe(200);
    const visitor = await metrics({ remoteAddress: REMOTE });
    expect(visitor.statusCode).toBe(303);
    expect(visitor.body).not.toContain('process_cpu');
    const asMember = await metrics({ remoteAddress: REMOTE, headers: await cookieOf(member) });
    expect(asMember.statusCode).toBe(403);
  });

  test('a request through a proxy on this machine counts as remote (the proxy connects from loopback)', async () => {
    expect((await metrics({ headers: { 'x-forwarded-for': '198.51.100.4' } })).statusCode).toBe(303);
    expect((await metrics({ headers: { forwarded: 'for=198.51.100.4' } })).statusCode).toBe(303);
    // Claiming to be local in a header does not make a remote request local.
    expect((await metrics({ remoteAddress: REMOTE, headers: { 'x-forwarded-for': '127.0.0.1' } })).statusCode).toBe(303);
  });

  test('an admin reads it from anywhere, and so does a scraper with METRICS_TOKEN; a wrong token does not', async () => {
    expect((await metrics({ remoteAddress: REMOTE, headers: await cookieOf(admin) })).statusCode).toBe(200);
    expect((await metrics({ remoteAddress: REMOTE, headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).statusCode).toBe(200);
    expect((await metrics({ remoteAddress: REMOTE, headers: { authorization: `Bearer ${METRICS_TOKEN.slice(0, -1)}x` } })).statusCode).toBe(303);
  });
});

describe('what /metrics says', () => {
  test('request durations are labelled by route pattern and status: ids, slugs and titles never make a series', async () => {
    const agent = await signedInAgent(app, member);
    for (const thread of threads) expect((await agent.get(`/t/${thread.threadId}/${thread.slug}`)).statusCode).toBe(200);
    await app.inject({ method: 'GET', url: '/t/999999/no-such-thread' });
    await app.inject({ method: 'GET', url: '/no/such/page/zebrafish' });
    const text = (await metrics()).body;
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/t\/:id\/:slug",status_code="200"\} [1-9]/);
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/t\/:id\/:slug",status_code="404"\} 1/);
    expect(text).toMatch(/route="\(unmatched\)",status_code="404"/);
    for (const thread of threads) {
      expect(text).not.toContain(thread.slug);
      expect(text).not.toContain(`/t/${thread.threadId}/`);
    }
    expect(text.toLowerCase()).not.toContain('zebrafish');
  });

  test('anonymous page cache hits and misses are counted', async () => {
    await app.inject({ method: 'GET', url: '/' });
    await app.inject({ method: 'GET', url: '/' });
    const text = (await metrics()).body;
    expect(text).toMatch(/rounds_anonymous_cache_requests_total\{result="miss"\} [1-9]/);
    expect(text).toMatch(/rounds_anonymous_cache_requests_total\{result="hit"\} [1-9]/);
  });

  test('the PostgreSQL pool is described when the app runs on PostgreSQL, and not on the embedded database', async () => {
    const text = (await metrics()).body;
    if (app.database.kind === 'postgres') {
      expect(text).toMatch(/rounds_db_pool_connections\{state="total"\} \d+/);
      expect(text).toMatch(/rounds_db_pool_connections\{state="waiting"\} 0/);
      expect(text).toMatch(/rounds_db_pool_connections\{state="max"\} 5/);
    } else {
      expect(text).not.toContain('rounds_db_pool_connections');
    }
  });
});
