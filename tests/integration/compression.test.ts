import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { createMember, createSpaceWithBoard, createThread, PASSWORD, type TestMember } from '../helpers/factories.ts';

/*
 * Members on hospital Wi-Fi or a phone read the same pages visitors do, rendered for them: those
 * answers leave compressed too (visitors' stored pages are compressed once by the anonymous cache).
 */

let app: TestApp;
let member: TestMember;
let cookie: string;
let thread: { threadId: number; slug: string };
const BROWSER = { 'accept-encoding': 'gzip, deflate, br' };
const GZIP_ONLY = { 'accept-encoding': 'gzip, deflate' };

beforeAll(async () => {
  // The anonymous cache is off in tests unless asked for; on here, as in production.
  app = await createTestApp({ ANON_CACHE_MS: '60000' });
  const admin = await createMember(app, { role: 'admin' });
  member = await createMember(app);
  const { board } = await createSpaceWithBoard(app, admin);
  thread = await createThread(app, admin, board.id, 'Compressed ventilator notes', 'Settings we use at night. '.repeat(200));
  const signedIn = await app.services.accounts.signIn(member.handle, PASSWORD, 'vitest');
  cookie = `${signedIn.cookie.name}=${signedIn.cookie.value}`;
});
afterAll(async () => app.close());

const threadUrl = () => `/t/${thread.threadId}/${thread.slug}`;

describe('answers are compressed when the client takes it', () => {
  test('a signed-in page arrives brotli-compressed for a browser, gzipped for a client without brotli, and reads the same as uncompressed', async () => {
    const plain = await app.inject({ method: 'GET', url: threadUrl(), headers: { cookie } });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();

    const browser = await app.inject({ method: 'GET', url: threadUrl(), headers: { cookie, ...BROWSER } });
    expect(browser.statusCode).toBe(200);
    expect(browser.headers['content-encoding']).toBe('br');
    expect(String(browser.headers.vary)).toMatch(/accept-encoding/i);
    expect(String(browser.headers.vary)).toMatch(/cookie/i);
    const html = brotliDecompressSync(browser.rawPayload).toString('utf8');
    expect(html).toContain('Compressed ventilator notes');
    expect(html).toContain(`href="/u/${member.handle}"`);
    expect(browser.rawPayload.length).toBeLessThan(html.length / 3);

    const zipped = await app.inject({ method: 'GET', url: threadUrl(), headers: { cookie, ...GZIP_ONLY } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    const unzipped = gunzipSync(zipped.rawPayload).toString('utf8');
    expect(unzipped).toContain('Compressed ventilator notes');
    expect(unzipped).toContain(`href="/u/${member.handle}"`);
  });

  test('a JSON answer is compressed too', async () => {
    const url = `/api/v1/threads/${thread.threadId}`;
    const res = await app.inject({ method: 'GET', url, headers: { authorization: member.auth.authorization, ...BROWSER } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    const body = JSON.parse(brotliDecompressSync(res.rawPayload).toString('utf8')) as { title: string };
    expect(body.title).toBe('Compressed ventilator notes');
    const zipped = await app.inject({ method: 'GET', url, headers: { authorization: member.auth.authorization, ...GZIP_ONLY } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(zipped.rawPayload).toString('utf8'))).toEqual(body);
  });

  test('a visitor’s stored page is compressed once, not twice', async () => {
    for (const expected of ['miss', 'hit']) {
      const res = await app.inject({ method: 'GET', url: threadUrl(), headers: { 'accept-encoding': 'gzip' } });
      expect(res.headers['x-cache']).toBe(expected);
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(res.rawPayload).toString('utf8')).toContain('Compressed ventilator notes');
    }
  });

  test('small answers and clients that take no compression get plain bytes', async () => {
    const health = await app.inject({ method: 'GET', url: '/healthz', headers: BROWSER });
    expect(health.headers['content-encoding']).toBeUndefined();
    expect(health.json()).toEqual({ ok: true });

    const identity = await app.inject({ method: 'GET', url: threadUrl(), headers: { cookie, 'accept-encoding': 'identity' } });
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.body).toContain('Compressed ventilator notes');
  });
});
