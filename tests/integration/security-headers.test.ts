import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';

let secure: TestApp;
let local: TestApp;

beforeAll(async () => {
  secure = await createTestApp({ NODE_ENV: 'production', SESSION_SECRET: 'a-production-secret-of-enough-length-1234567890' });
  local = await createTestApp();
});
afterAll(async () => Promise.all([secure.close(), local.close()]));

test('every kind of answer carries the security headers: pages, errors, the API and forms refused', async () => {
  const answers = await Promise.all([
    secure.inject({ method: 'GET', url: '/' }),
    secure.inject({ method: 'GET', url: '/no/such/page' }),
    secure.inject({ method: 'GET', url: '/api/v1/search?q=x&kind=nonsense' }),
    secure.inject({ method: 'POST', url: '/sign-in', payload: { login: 'x', password: 'y' } }),
  ]);
  for (const res of answers) {
    const where = `${res.statusCode} ${res.body.slice(0, 80)}`;
    expect(res.headers['content-security-policy'], where).toContain("frame-ancestors 'none'");
    expect(res.headers['referrer-policy'], where).toBe('same-origin');
    expect(res.headers['x-content-type-options'], where).toBe('nosniff');
    expect(res.headers['strict-transport-security'], where).toBe('max-age=31536000; includeSubDomains');
  }
});

test('HSTS is sent only where cookies are secure: a forum on plain http at localhost must stay reachable', async () => {
  const res = await local.inject({ method: 'GET', url: '/' });
  expect(res.headers['content-security-policy']).toContain("script-src 'self'");
  expect(res.headers['strict-transport-security']).toBeUndefined();
});
