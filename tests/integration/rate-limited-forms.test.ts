import { rateLimitHits } from '../../db/schema/index.ts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { Agent, retryFields } from '../helpers/browser-session.ts';
import { createMember, createSpaceWithBoard, createThread, PASSWORD, signedInAgent, type TestMember } from '../helpers/factories.ts';

/*
 * A rate limit refuses a form before its route runs. The person must get back what they typed
 * (never their password) with how long to wait, and sending it again after the wait must work.
 * Hospital networks put hundreds of people behind one address, so these limits are reached by
 * people who did nothing wrong.
 */

let app: TestApp;
let member: TestMember;

beforeAll(async () => {
  app = await createTestApp({ RATE_REGISTER_PER_IP_PER_HOUR: '1', RATE_SIGNIN_PER_IP_PER_MINUTE: '1' });
  member = await createMember(app);
});
afterAll(async () => app?.close());

describe('a form refused by a rate limit', () => {
  test('registering: the handle, name and email come back in a form to send again, the password is asked for again, and the wait is named', async () => {
    const first = new Agent(app, { 'user-agent': 'vitest-agent', 'x-forwarded-for': '198.51.100.7' });
    await first.get('/register');
    const allowed = await first.postForm('/register', { handle: 'ward7first', displayName: 'Dr First', email: 'first@example.org', password: 'a long enough password 1' });
    expect(allowed.statusCode).toBe(303);

    const second = new Agent(app, { 'user-agent': 'vitest-agent', 'x-forwarded-for': '198.51.100.7' });
    await second.get('/register');
    const secret = 'my typed secret password 2';
    const refused = await second.postForm('/register', { handle: 'ward7second', displayName: 'Dr Second Ñandú', email: 'second@example.org', password: secret });
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toMatch(/Please wait (a minute|\d+ minutes) and send it again/);
    expect(refused.body).not.toContain(secret);
    const fields = retryFields(refused.body);
    expect(fields).toMatchObject({ handle: 'ward7second', displayName: 'Dr Second Ñandú', email: 'second@example.org', password: '' });
    expect(refused.body).toMatch(/<form[^>]*action="\/register"[^>]*class="kept-text retry-form"|<form[^>]*class="kept-text retry-form"[^>]*action="\/register"/);
    expect(refused.body).toMatch(/<input id="retry-password" name="password" type="password" autocomplete="new-password"/);
  });

  test('signing in: the handle comes back, and once the limit lets go the same form signs in', async () => {
    const agent = new Agent(app, { 'user-agent': 'vitest-agent', 'x-forwarded-for': '203.0.113.9' });
    await agent.get('/signin');
    const wrong = await agent.postForm('/signin', { login: member.handle, password: 'not the password', next: '/' });
    expect(wrong.statusCode).toBe(422);
    await agent.get('/signin');
    const refused = await agent.postForm('/signin', { login: member.handle, password: PASSWORD, next: '/' });
    expect(refused.statusCode).toBe(429);
    expect(refused.body).not.toContain(PASSWORD);
    const fields = retryFields(refused.body);
    expect(fields).toMatchObject({ login: member.handle, password: '', next: '/' });
    expect(fields._csrf).toBeTruthy();

    // The person waits out the minute (here: the window is cleared), types the password, sends again.
    await app.database.db.delete(rateLimitHits);
    const again = await agent.postForm('/signin', { ...fields, password: PASSWORD });
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe('/');
  });

  test("a new member's reply past their posts per hour comes back as a form to send again, with the service's own wait", async () => {
    const admin = await createMember(app, { role: 'admin' });
    const settings = await app.services.moderation.settings();
    await app.services.moderation.updateSettings(admin.viewer, { ...settings, newMemberPostsPerHour: 1 });
    try {
      const { board } = await createSpaceWithBoard(app, admin);
      const thread = await createThread(app, admin, board.id);
      const newcomer = await createMember(app, { trustLevel: 0 });
      const agent = await signedInAgent(app, newcomer);
      await agent.get(`/t/${thread.threadId}/reply`);
      expect((await agent.postForm(`/t/${thread.threadId}/reply`, { body: 'My first reply here.' })).statusCode).toBe(303);
      await agent.get(`/t/${thread.threadId}/reply`);
      const refused = await agent.postForm(`/t/${thread.threadId}/reply`, { body: 'A second reply, typed with care.', idempotencyKey: 'second-reply-key' });
      expect(refused.statusCode).toBe(429);
      expect(refused.body).toMatch(/You can post again in \d+ (s|min)/);
      expect(retryFields(refused.body)).toMatchObject({ body: 'A second reply, typed with care.', idempotencyKey: 'second-reply-key' });
    } finally {
      await app.services.moderation.updateSettings(admin.viewer, settings);
    }
  });
});
