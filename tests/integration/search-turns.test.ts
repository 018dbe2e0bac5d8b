import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SEARCH_BUSY } from '../../server/search/gate.ts';
import { decodeHtml } from '../helpers/browser-session.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { createMember, createSpaceWithBoard } from '../helpers/factories.ts';

/*
 * Searches take turns (server/search/gate.ts): one here at a time, and a search that waits more
 * than 50 ms for its turn is turned away. A search is held running by taking the turn through the
 * same gate the service uses, so the test decides when it ends.
 */
let app: TestApp;

beforeAll(async () => {
  app = await createTestApp({ SEARCH_CONCURRENCY: '1', SEARCH_WAIT_MS: '50' });
  const admin = await createMember(app, { role: 'admin' });
  const { board } = await createSpaceWithBoard(app, admin, { name: 'Critical care' });
  await app.services.forum.createThread(admin.viewer, { boardId: board.id, title: 'Fluids in septic shock', body: 'Thirty millilitres a kilogram, then reassess.' });
});
afterAll(async () => app?.close());

describe('when every search turn is taken', () => {
  test('a search waits its turn no longer than the set time, then gets the form back with the words kept and says why; it runs once a turn is free', async () => {
    let release!: () => void;
    const held = app.services.search.gate.run(() => new Promise<void>((resolve) => (release = resolve)));
    try {
      const metrics = await app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toContain('rounds_searches{state="running"} 1');

      const page = await app.inject({ method: 'GET', url: '/search?q=septic+shock&kind=post' });
      expect(page.statusCode).toBe(503);
      expect(page.headers['retry-after']).toBeDefined();
      const html = decodeHtml(page.body);
      expect(html).toContain(SEARCH_BUSY);
      expect(html).toMatch(/<input[^>]*name="q"[^>]*value="septic shock"|<input[^>]*value="septic shock"[^>]*name="q"/);

      const api = await app.inject({ method: 'GET', url: '/api/v1/search?q=septic+shock' });
      expect(api.statusCode).toBe(503);
      expect(api.json()).toMatchObject({ error: { code: 'timed_out', message: SEARCH_BUSY } });
      expect(api.headers['retry-after']).toBeDefined();
    } finally {
      release();
      await held;
    }

    const found = await app.inject({ method: 'GET', url: '/api/v1/search?q=septic+shock' });
    expect(found.statusCode).toBe(200);
    expect((found.json() as { total: number }).total).toBe(1);
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('rounds_searches{state="running"} 0');
  });
});
