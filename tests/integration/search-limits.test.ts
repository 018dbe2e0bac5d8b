import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeHtml } from '../helpers/browser-session.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { createMember, createSpaceWithBoard, signedInAgent, type TestMember } from '../helpers/factories.ts';

/* RATE_SEARCH_PER_MINUTE: a member by their account, a visitor by their address, counted in the database. */
const PER_MINUTE = 3;
let app: TestApp;
let admin: TestMember;

beforeAll(async () => {
  app = await createTestApp({ RATE_SEARCH_PER_MINUTE: String(PER_MINUTE) });
  admin = await createMember(app, { role: 'admin' });
  const { board } = await createSpaceWithBoard(app, admin, { name: 'Critical care' });
  await app.services.forum.createThread(admin.viewer, { boardId: board.id, title: 'Fluids in septic shock', body: 'Thirty millilitres a kilogram, then reassess.' });
});
afterAll(async () => app?.close());

const apiSearch = (headers: Record<string, string>, remoteAddress = '127.0.0.1') =>
  app.inject({ method: 'GET', url: '/api/v1/search?q=septic+shock', headers, remoteAddress });

describe('how often one person may search', () => {
  test("a member's searches past the limit get the form back with the words kept and when to search again; others search on", async () => {
    const member = await createMember(app);
    const agent = await signedInAgent(app, member);
    // An empty search is no search: it is not counted.
    expect((await agent.get('/search?q=')).statusCode).toBe(200);
    for (let i = 0; i < PER_MINUTE; i++) expect((await agent.get('/search?q=septic+shock')).statusCode).toBe(200);

    const refused = await agent.get('/search?q=septic+shock&kind=post');
    expect(refused.statusCode).toBe(429);
    const wait = Number(refused.headers['retry-after']);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(60);
    const html = decodeHtml(refused.body);
    expect(html).toContain(`You have searched ${PER_MINUTE} times in the last minute`);
    expect(html).toMatch(/<input[^>]*name="q"[^>]*value="septic shock"|<input[^>]*value="septic shock"[^>]*name="q"/);

    // The same member through the API (one count per account, whichever way they search).
    const api = await apiSearch(member.auth);
    expect(api.statusCode).toBe(429);
    expect(api.headers['retry-after']).toBeDefined();
    expect(api.json()).toMatchObject({ error: { code: 'rate_limited' } });

    // Another member, and a visitor from the same address as everyone here, are not held back.
    const other = await createMember(app);
    expect((await apiSearch(other.auth)).statusCode).toBe(200);
    expect((await apiSearch({})).statusCode).toBe(200);
  });

  test('visitors are counted by address', async () => {
    const from = (address: string) => apiSearch({}, address);
    for (let i = 0; i < PER_MINUTE; i++) expect((await from('198.51.100.20')).statusCode).toBe(200);
    expect((await from('198.51.100.20')).statusCode).toBe(429);
    expect((await from('198.51.100.21')).statusCode).toBe(200);
  });
});
