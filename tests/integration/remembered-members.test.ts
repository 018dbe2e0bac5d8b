import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { DatabaseHandle } from '../../db/client.ts';
import { posts, spaceMembers, users } from '../../db/schema/index.ts';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createEventBus } from '../../server/events/bus.ts';
import { createMemberCache } from '../../server/events/member-cache.ts';
import type { TestApp } from '../helpers/app.ts';
import { Agent, locationOf } from '../helpers/browser-session.ts';
import { freshDatabase, type FreshDatabase } from '../helpers/database.ts';
import { createMember, createSpaceWithBoard, createThread, signedInAgent, type TestMember } from '../helpers/factories.ts';

/*
 * Each app process remembers, between a member's requests, who their session belongs to, their
 * visitor session, whether anything is unread and whether they moderate nothing
 * (server/events/member-cache.ts). These tests hold it to its promise: whatever changes about a
 * member — in this process, in another, or by an operator's SQL — is obeyed by the next request
 * once the process has heard the database's announcement, and a write's own process has heard it
 * before the write is answered.
 */

let database: FreshDatabase;
let second: DatabaseHandle;
let one: TestApp;
let two: TestApp;
let admin: TestMember;
const statements: string[] = [];

beforeAll(async () => {
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: 'memory://', JOBS_WORK: '0', RATE_SIGNIN_PER_IP_PER_MINUTE: '10000' });
  database = await freshDatabase({ onQuery: (query) => void statements.push(query) });
  second = await database.connectAgain();
  // Two app processes behind one load balancer, each on its own connection to the same database.
  one = Object.assign(await buildApp(config, database), { database }) as unknown as TestApp;
  two = Object.assign(await buildApp(config, second), { database: second }) as unknown as TestApp;
  await Promise.all([one.ready(), two.ready()]);
  await vi.waitFor(() => expect(one.events.live && two.events.live).toBe(true));
  admin = await createMember(one, { role: 'admin' });
}, 60_000);

afterAll(async () => {
  await one?.close();
  await two?.close();
  await second?.close();
  await database?.close();
});

/** The same browser's cookies, sent to the other process (a load balancer without sticky sessions). */
function sameBrowserOn(app: TestApp, agent: Agent): Agent {
  const other = new Agent(app);
  for (const [name, value] of agent.cookies) other.cookies.set(name, value);
  return other;
}

const signedInAs = (html: string, member: TestMember) => html.includes(`href="/u/${member.handle}" class="nav-name"`);

describe('a signed-in page does not ask again who is asking', () => {
  test('a second page load reads no session, visitor session, bell or queue row, and still knows the member', async () => {
    const member = await createMember(one);
    const agent = await signedInAgent(one, member);
    // The first load writes (the day's visit, a new CSRF secret), which the database announces.
    expect(signedInAs((await agent.get('/')).body, member)).toBe(true);
    await agent.get('/');
    statements.length = 0;
    const again = await agent.get('/');
    expect(again.statusCode).toBe(200);
    expect(signedInAs(again.body, member)).toBe(true);
    expect(statements.length).toBeGreaterThan(0);
    const about = statements.filter((text) => /"sessions"|"visitor_sessions"|"notifications"|"review_items"/.test(text));
    expect(about).toEqual([]);
  });

  test('reading new posts (which counts toward trust) does not make the process forget the reader', async () => {
    const member = await createMember(one);
    const { board } = await createSpaceWithBoard(one, admin);
    const thread = await createThread(one, admin, board.id);
    const agent = await signedInAgent(one, member);
    await agent.get('/');
    await agent.get('/');
    expect((await agent.get(`/t/${thread.threadId}/${thread.slug}`)).statusCode).toBe(200);
    const [reader] = await database.db.select({ postsRead: users.postsRead }).from(users).where(eq(users.id, member.viewer.id));
    expect(reader?.postsRead).toBe(1);
    expect(await one.events.settled()).toBe(true);
    statements.length = 0;
    expect(signedInAs((await agent.get('/')).body, member)).toBe(true);
    expect(statements.filter((text) => text.includes('"sessions"'))).toEqual([]);
  });
});

describe('what changes about a member is obeyed by their next request', () => {
  test('signing out in one process: that process at once, the other as soon as it has heard', async () => {
    const member = await createMember(one);
    const onOne = await signedInAgent(one, member);
    const onTwo = sameBrowserOn(two, onOne);
    expect(signedInAs((await onTwo.get('/')).body, member)).toBe(true);
    expect(signedInAs((await onOne.get('/')).body, member)).toBe(true);
    // The sign-out form is posted with the cookies the browser had; the old session cookie is what matters.
    const stolen = sameBrowserOn(one, onOne);
    expect((await onOne.postForm('/signout', {})).statusCode).toBe(303);
    expect(signedInAs((await stolen.get('/')).body, member)).toBe(false);
    expect(await two.events.settled()).toBe(true);
    expect(signedInAs((await sameBrowserOn(two, stolen).get('/')).body, member)).toBe(false);
  });

  test('a member suspended by an operator’s SQL is signed out of both processes', async () => {
    const member = await createMember(one);
    const onOne = await signedInAgent(one, member);
    const onTwo = sameBrowserOn(two, onOne);
    expect(signedInAs((await onOne.get('/')).body, member)).toBe(true);
    expect(signedInAs((await onTwo.get('/')).body, member)).toBe(true);
    await database.db.update(users).set({ status: 'suspended' }).where(eq(users.id, member.viewer.id));
    expect(await one.events.settled()).toBe(true);
    expect(await two.events.settled()).toBe(true);
    expect(signedInAs((await onOne.get('/')).body, member)).toBe(false);
    expect(signedInAs((await onTwo.get('/')).body, member)).toBe(false);
  });

  test('an API token revoked in one process is refused by the other', async () => {
    const member = await createMember(one);
    const me = () => two.inject({ method: 'GET', url: '/api/v1/me', headers: member.auth });
    expect((await me()).statusCode).toBe(200);
    expect((await me()).statusCode).toBe(200);
    const [token] = await one.services.accounts.listApiTokens(member.viewer);
    await one.services.accounts.revokeApiToken(member.viewer, token!.id);
    expect(await two.events.settled()).toBe(true);
    expect((await me()).statusCode).toBe(401);
  });

  test('a changed display name and site role show on the next page', async () => {
    const member = await createMember(one);
    const agent = await signedInAgent(two, member);
    expect((await agent.get('/')).body).not.toContain('href="/mod/queue"');
    await database.db.update(users).set({ displayName: 'Dr Renamed Since', role: 'moderator' }).where(eq(users.id, member.viewer.id));
    expect(await two.events.settled()).toBe(true);
    const page = (await agent.get('/')).body;
    expect(page).toContain('Dr Renamed Since');
    expect(page).toContain('href="/mod/queue"');
  });

  test('a member made a space moderator gets the review queue link on their next page', async () => {
    const member = await createMember(one);
    const { space } = await createSpaceWithBoard(one, admin);
    const agent = await signedInAgent(two, member);
    expect((await agent.get('/')).body).not.toContain('href="/mod/queue"');
    expect((await agent.get('/')).body).not.toContain('href="/mod/queue"');
    await database.db.insert(spaceMembers).values({ spaceId: space.id, userId: member.viewer.id, role: 'moderator' });
    expect(await two.events.settled()).toBe(true);
    expect((await agent.get('/')).body).toContain('href="/mod/queue"');
  });

  test('an invitation sent through one process shows on the member’s home page in the other', async () => {
    const member = await createMember(one);
    const { space } = await createSpaceWithBoard(one, admin, { level: 'confidential' });
    const agent = await signedInAgent(two, member);
    expect((await agent.get('/')).body).not.toContain('to join a space');
    expect((await agent.get('/')).body).not.toContain('to join a space');
    const invited = await one.inject({ method: 'POST', url: `/api/v1/spaces/${space.id}/invitations`, headers: admin.auth, payload: { handle: member.handle } });
    expect(invited.statusCode, invited.body).toBeLessThan(300);
    expect(await two.events.settled()).toBe(true);
    expect((await agent.get('/')).body).toContain('You have an invitation to join a space');
  });

  test('a reply to their thread written in one process lights their bell in the other', async () => {
    const member = await createMember(one);
    const other = await createMember(one);
    const { board } = await createSpaceWithBoard(one, admin);
    const thread = await createThread(one, member, board.id);
    const agent = await signedInAgent(two, member);
    const bell = async () => /data-bell-count[^>]*>(\d+)</.exec((await agent.get('/')).body)?.[1];
    expect(await bell()).toBe('0');
    expect(await bell()).toBe('0');
    const answer = await one.inject({ method: 'POST', url: `/api/v1/threads/${thread.threadId}/posts`, headers: other.auth, payload: { body: 'Same here: prone twelve hours.' } });
    expect(answer.statusCode).toBe(201);
    expect(await two.events.settled()).toBe(true);
    expect(await bell()).toBe('1');
  });

  test('a message shown after a form posted to one process appears on the other’s next page', async () => {
    const member = await createMember(one);
    const onOne = await signedInAgent(one, member);
    await onOne.get('/settings');
    const onTwo = sameBrowserOn(two, onOne);
    expect((await onTwo.get('/settings')).body).not.toContain('Your e-mail choice is saved.');
    const saved = await onOne.postForm('/settings/notifications', { emailNotifications: 'daily' });
    expect(saved.statusCode).toBe(303);
    expect(await two.events.settled()).toBe(true);
    const next = await onTwo.get(locationOf(saved).split('#')[0]!);
    expect(next.body).toContain('Your e-mail choice is saved.');
    expect(next.body).toMatch(/value="daily" checked/);
  });
});

describe('the moderation settings every post reads', () => {
  /** A reply through the API on `app` (201 whether published or held; `heldNow` reads which). */
  const replyOn = (app: TestApp, member: TestMember, threadId: number, body: string) =>
    app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: member.auth, payload: { body } });
  const heldNow = async (postId: number) => (await database.db.select({ status: posts.status }).from(posts).where(eq(posts.id, postId)))[0]?.status;

  test('are read once per process, and a change made in one process or by SQL holds in both once heard', async () => {
    const [member, colleague] = await Promise.all([createMember(one), createMember(one)]);
    const { board } = await createSpaceWithBoard(one, admin);
    const thread = await createThread(one, colleague, board.id);
    const before = await one.services.moderation.settings();
    try {
      expect((await replyOn(two, member, thread.threadId, 'A first reply reads the settings.')).statusCode).toBe(201);
      statements.length = 0;
      expect((await replyOn(two, member, thread.threadId, 'A second reply does not.')).statusCode).toBe(201);
      expect(statements.filter((text) => text.includes('"site_settings"'))).toEqual([]);

      // An administrator holds a word for review, in the other process.
      await one.services.moderation.updateSettings(admin.viewer, { ...before, watchedWords: [{ word: 'zqventsetting', action: 'hold', replacement: '' }] });
      expect(await two.events.settled()).toBe(true);
      const onTwo = await replyOn(two, member, thread.threadId, 'Tidal volume zqventsetting of six.');
      expect(onTwo.statusCode).toBe(201);
      expect(await heldNow(onTwo.json<{ postId: number }>().postId)).toBe('held');
      const onOne = await replyOn(one, member, thread.threadId, 'Same word zqventsetting on this side.');
      expect(await heldNow(onOne.json<{ postId: number }>().postId)).toBe('held');

      // An operator clears the list by SQL: both processes publish again.
      await database.db.execute(sql`update site_settings set value = jsonb_set(value, '{watchedWords}', '[]'::jsonb) where key = 'moderation'`);
      expect(await one.events.settled()).toBe(true);
      expect(await two.events.settled()).toBe(true);
      for (const app of [one, two]) {
        const answer = await replyOn(app, member, thread.threadId, `No longer held: zqventsetting via ${app === one ? 'one' : 'two'}.`);
        expect(await heldNow(answer.json<{ postId: number }>().postId)).toBe('published');
      }
    } finally {
      await one.services.moderation.updateSettings(admin.viewer, before);
    }
  });
});

describe('a member’s own flags', () => {
  test('a reader with no open flag reads none; one raised in the other process shows on their next page there', async () => {
    const [reader, author] = await Promise.all([createMember(one), createMember(one)]);
    const { board } = await createSpaceWithBoard(one, admin);
    const thread = await createThread(one, author, board.id);
    const agent = await signedInAgent(two, reader);
    const url = `/t/${thread.threadId}/${thread.slug}`;
    await agent.get(url);
    statements.length = 0;
    const page = await agent.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('You flagged this');
    expect(statements.filter((text) => text.includes('"flags"'))).toEqual([]);

    const flagged = await one.inject({ method: 'POST', url: `/api/v1/posts/${thread.postId}/flags`, headers: reader.auth, payload: { reason: 'misinformation' } });
    expect(flagged.statusCode).toBe(201);
    expect(await two.events.settled()).toBe(true);
    expect((await agent.get(url)).body).toContain('You flagged this');

    // Withdrawn by an operator's SQL: gone from the page once heard.
    await database.db.execute(sql`update flags set status = 'withdrawn', resolved_at = now() where flagger_id = ${reader.viewer.id}`);
    expect(await two.events.settled()).toBe(true);
    expect((await agent.get(url)).body).not.toContain('You flagged this');
  });
});

describe('the cache on its own', () => {
  test('a value read while its change was announced is not kept, and nothing is kept while the bus is deaf', async () => {
    const bus = createEventBus(database);
    try {
      await vi.waitFor(() => expect(bus.live).toBe(true));
      const cache = createMemberCache(bus, { ttlMs: 60_000, maxEntries: 100 });
      let reads = 0;
      const keep = (value: string) => ({ value, until: 'member:race' });

      // The read starts, the change commits and is heard, then the (old) value arrives.
      let finish!: (value: string) => void;
      const pending = cache.remember('race', () => (reads++, new Promise<string>((resolve) => (finish = resolve))), keep);
      await database.db.execute(sql`select pg_notify('rounds_events', 'member:race')`);
      expect(await bus.settled()).toBe(true);
      finish('before the change');
      expect(await pending).toBe('before the change');
      expect(await cache.remember('race', async () => (reads++, 'after the change'), keep)).toBe('after the change');
      expect(reads).toBe(2);
      // Read with nothing announced meanwhile: kept.
      expect(await cache.remember('race', async () => (reads++, 'read again'), keep)).toBe('after the change');
      expect(reads).toBe(2);
    } finally {
      await bus.close();
    }
    const deaf = createMemberCache(bus, { ttlMs: 60_000, maxEntries: 100 });
    let reads = 0;
    for (let i = 0; i < 3; i++) await deaf.remember('k', async () => ++reads, (value) => ({ value, until: 'member:k' }));
    expect(reads).toBe(3);
  });
});
