import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';

let app: TestApp;

beforeAll(async () => {
  app = await createTestApp({ NODE_ENV: 'production', SESSION_SECRET: 'a-production-secret-of-enough-length-1234567890', INSECURE_COOKIES: '1' });
});
afterAll(async () => app.close());

test('pages link to the stylesheet and script by content hash, and those answers are kept for a year', async () => {
  const home = await app.inject({ method: 'GET', url: '/' });
  const links = [...home.body.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)].map((m) => m[1] as string);
  expect(links.some((l) => /^\/static\/app\.css\?v=[\w-]{12}$/.test(l))).toBe(true);
  expect(links.some((l) => /^\/static\/app\.js\?v=[\w-]{12}$/.test(l))).toBe(true);
  for (const link of links) {
    const asset = await app.inject({ method: 'GET', url: link });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  }
});

test('a file asked for by an old hash or none is kept only briefly, so a new deployment is picked up', async () => {
  for (const url of ['/static/app.css?v=old-version1', '/static/app.css']) {
    const asset = await app.inject({ method: 'GET', url });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=86400');
  }
});
