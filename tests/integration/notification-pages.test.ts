import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { locationOf } from '../helpers/browser-session.ts';
import { createMember, createSpaceWithBoard, createThread, signedInAgent, type TestMember } from '../helpers/factories.ts';

let app: TestApp;
let admin: TestMember;
let alice: TestMember;
let bob: TestMember;
let board: { id: number; slug: string };
let spaceSlug: string;

beforeAll(async () => {
  app = await createTestApp();
  admin = await createMember(app, { role: 'admin' });
  alice = await createMember(app);
  bob = await createMember(app);
  const created = await createSpaceWithBoard(app, admin, { name: 'Wards' });
  board = created.board;
  spaceSlug = created.space.slug;
});
afterAll(async () => app.close());

const bellCount = (html: string) => /data-bell-count[^>]*>(\d+)</.exec(html)?.[1];

describe('the bell and the notifications page', () => {
  test('the bell counts unread items; opening one marks it read and lands on the post', async () => {
    const thread = await createThread(app, alice, board.id, 'Bell thread');
    const posted = await app.services.forum.reply(bob.viewer, thread.threadId, { body: 'Ringing the bell.' });
    const agent = await signedInAgent(app, alice);
    const home = await agent.get('/');
    expect(bellCount(home.body)).toBe('1');
    const page = await agent.get('/notifications');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`@${bob.handle} replied to your thread “Bell thread”`);
    // The reply's opening, as readers see it, so the member can tell what needs them first.
    expect(page.body).toContain('<p class="notification-excerpt">Ringing the bell.</p>');
    expect(page.headers['cache-control']).toContain('no-store');
    const id = /href="\/notifications\/(\d+)"/.exec(page.body)![1];
    const opened = await agent.get(`/notifications/${id}`);
    expect(opened.statusCode).toBe(303);
    expect(locationOf(opened)).toBe(`/t/${thread.threadId}/bell-thread#p${posted.number}`);
    expect(bellCount((await agent.get('/')).body)).toBe('0');
  });

  test('mark all read empties the count; the form needs its CSRF token', async () => {
    const thread = await createThread(app, alice, board.id, 'Mark all');
    await app.services.forum.reply(bob.viewer, thread.threadId, { body: 'One.' });
    const other = await createThread(app, alice, board.id, 'Mark all two');
    await app.services.forum.reply(bob.viewer, other.threadId, { body: 'Two.' });
    // Alice's bell read "0" in the test before: what the process remembers of that goes once it hears these replies.
    await app.events.settled();
    const agent = await signedInAgent(app, alice);
    const before = (await agent.get('/notifications')).body;
    expect(bellCount(before)).toBe('2');
    // The page's own line says what the bell says, with the button to clear it.
    expect(before).toContain('2 unread. Opening an item marks it read.');
    expect(before).toContain('Mark all read');
    expect((await agent.postForm('/notifications/read-all', {}, { csrf: false })).statusCode).toBe(403);
    const done = await agent.postForm('/notifications/read-all', {});
    expect(done.statusCode).toBe(303);
    const after = (await agent.get('/notifications')).body;
    expect(bellCount(after)).toBe('0');
    expect(after).toContain('Nothing unread.');
    expect(after).not.toContain('Mark all read');
  });

  test('reading the thread reads its notifications', async () => {
    const thread = await createThread(app, alice, board.id, 'Read by visiting');
    await app.services.forum.reply(bob.viewer, thread.threadId, { body: 'Visit me.' });
    await app.events.settled();
    const agent = await signedInAgent(app, alice);
    expect(bellCount((await agent.get('/')).body)).toBe('1');
    // The thread page's own bell already leaves out what that page read.
    expect(bellCount((await agent.get(`/t/${thread.threadId}/read-by-visiting`)).body)).toBe('0');
    expect(bellCount((await agent.get('/')).body)).toBe('0');
  });

  test('a reply that arrives after a visit with nothing unread is still read by the next visit', async () => {
    const thread = await createThread(app, alice, board.id, 'Quiet then busy');
    const agent = await signedInAgent(app, alice);
    await app.services.notifications.markAllRead(alice.viewer);
    expect(bellCount((await agent.get(`/t/${thread.threadId}/quiet-then-busy`)).body)).toBe('0');
    await app.services.forum.reply(bob.viewer, thread.threadId, { body: 'Arrived later.' });
    // Written through the service, not HTTP (whose answer waits until the process has heard what it
    // changed): the remembered "nothing unread" is dropped once the database's event arrives.
    await app.events.settled();
    expect(bellCount((await agent.get('/')).body)).toBe('1');
    expect(bellCount((await agent.get(`/t/${thread.threadId}/quiet-then-busy`)).body)).toBe('0');
    expect(bellCount((await agent.get('/')).body)).toBe('0');
  });

  test('the page pages: older notifications follow on', async () => {
    const many = await createMember(app);
    for (let i = 0; i < 22; i++) {
      const t = await createThread(app, many, board.id, `Paged ${i}`);
      await app.services.forum.reply(bob.viewer, t.threadId, { body: `Reply ${i}` });
    }
    const agent = await signedInAgent(app, many);
    const first = await agent.get('/notifications');
    const next = /href="\/notifications\?before=(\d+)"/.exec(first.body)?.[1];
    expect(next).toBeDefined();
    const second = await agent.get(`/notifications?before=${next}`);
    expect(second.body).toContain('Paged 0');
    expect(first.body).not.toContain('“Paged 0”');
  });

  test('a refused form still shows the header: the bell, and the review queue to whoever moderates', async () => {
    const carol = await createMember(app);
    const thread = await createThread(app, carol, board.id, 'Header after a refusal');
    await app.services.forum.reply(bob.viewer, thread.threadId, { body: 'Unread for Carol.' });
    await app.events.settled();
    const agent = await signedInAgent(app, carol);
    // The reply form with nothing in it comes back as a page, not a redirect.
    const refused = await agent.submit(`/t/${thread.threadId}/reply`, `/t/${thread.threadId}/reply`, { body: '   ' });
    expect(refused.statusCode).toBe(422);
    expect(bellCount(refused.body)).toBe('1');
    // So does an error page answering a form post.
    const missing = await agent.postForm('/t/999999999/reply', { body: 'Into nowhere.' });
    expect(missing.statusCode).toBe(404);
    expect(bellCount(missing.body)).toBe('1');

    const staff = await signedInAgent(app, admin);
    const staffRefused = await staff.submit(`/t/${thread.threadId}/reply`, `/t/${thread.threadId}/reply`, { body: '' });
    expect(staffRefused.statusCode).toBe(422);
    expect(staffRefused.body).toContain('href="/mod/queue"');
  });

  test('a reply quoting the member is quoted by what the replier says, not by the member’s own words', async () => {
    // Members of their own: the tests above count alice's bell.
    const [author, replier] = [await createMember(app), await createMember(app)];
    const thread = await createThread(app, author, board.id, 'Quoted back', 'We prone for 16 hours.');
    await app.services.forum.reply(replier.viewer, thread.threadId, { body: `> **@${author.handle}** wrote:\n> We prone for 16 hours.\n\nWe stop at 12 when the P/F ratio allows.` });
    const page = (await (await signedInAgent(app, author)).get('/notifications')).body;
    expect(page).toContain('<p class="notification-excerpt">We stop at 12 when the P/F ratio allows.</p>');
  });

  test('visitors are sent to sign in', async () => {
    const res = await app.inject({ method: 'GET', url: '/notifications' });
    expect([302, 303, 401]).toContain(res.statusCode);
  });
});

describe('watching from the page', () => {
  test('the thread page offers a watch form that works without JavaScript', async () => {
    const thread = await createThread(app, alice, board.id, 'Watch me');
    const agent = await signedInAgent(app, bob);
    const page = await agent.get(`/t/${thread.threadId}/watch-me`);
    expect(page.body).toContain('Notifications for this thread');
    const saved = await agent.postForm('/watch', { kind: 'thread', id: String(thread.threadId), level: 'watching', next: `/t/${thread.threadId}/watch-me` });
    expect(saved.statusCode).toBe(303);
    expect(locationOf(saved)).toBe(`/t/${thread.threadId}/watch-me`);
    // The page shows what was saved, and only to its saver.
    expect((await agent.get(`/t/${thread.threadId}/watch-me`)).body).toMatch(/<option value="watching" selected/);
    expect((await (await signedInAgent(app, alice)).get(`/t/${thread.threadId}/watch-me`)).body).not.toMatch(/<option value="watching" selected/);
    await app.services.forum.reply(admin.viewer, thread.threadId, { body: 'Bob watches this.' });
    expect((await app.services.notifications.list(bob.viewer)).items[0]).toMatchObject({ kind: 'watched_post' });
    expect((await agent.postForm('/watch', { kind: 'thread', id: String(thread.threadId), level: 'muted' }, { csrf: false })).statusCode).toBe(403);
  });

  test('board and space pages offer the same control; defaults are saved in settings, where the notifications page points', async () => {
    const agent = await signedInAgent(app, bob);
    expect((await agent.get(`/s/${spaceSlug}/${board.slug}`)).body).toContain('Notifications for this board');
    // A board's level shows on its page, and on its threads as what their default means.
    const quiet = await createThread(app, alice, board.id, 'Under a muted board');
    expect((await agent.postForm('/watch', { kind: 'board', id: String(board.id), level: 'muted', next: '/' })).statusCode).toBe(303);
    expect((await agent.get(`/s/${spaceSlug}/${board.slug}`)).body).toMatch(/<option value="muted" selected/);
    expect((await agent.get(`/t/${quiet.threadId}/under-a-muted-board`)).body).toContain('Default (Muted)');
    expect((await agent.postForm('/watch', { kind: 'board', id: String(board.id), level: 'default', next: '/' })).statusCode).toBe(303);
    expect((await agent.get(`/s/${spaceSlug}`)).body).toContain('Notifications for this space');
    expect((await agent.get('/notifications')).body).toContain('href="/settings#notifications"');
    const settings = (await agent.get('/settings')).body;
    expect(settings).toContain('<form method="post" action="/notifications/preferences">');
    expect(settings).toMatch(/<input type="checkbox" name="watchStarted" value="on"\s*\/?>/);
    const saved = await agent.postForm('/notifications/preferences', { watchStarted: 'on' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/settings#notifications');
    expect((await agent.get('/settings')).body).toMatch(/<input type="checkbox" name="watchStarted" value="on" checked/);
    expect(await app.services.notifications.preferences(bob.viewer)).toEqual({ watchStarted: true, watchReplied: false });
    const thread = await createThread(app, bob, board.id, 'Started and watched');
    expect(await app.services.notifications.watchState(bob.viewer, { kind: 'thread', id: thread.threadId })).toEqual({ chosen: 'watching', effective: 'watching' });
  });
});

describe('unread tracking', () => {
  test('the board shows new posts since the last read, and the link opens at the first unread post', async () => {
    const reader = await createMember(app);
    const thread = await createThread(app, alice, board.id, 'Unread counts');
    const agent = await signedInAgent(app, reader);
    await agent.get(`/t/${thread.threadId}/unread-counts`);
    for (let i = 0; i < 3; i++) await app.services.forum.reply(bob.viewer, thread.threadId, { body: `New ${i}` });
    const boardPage = await agent.get(`/s/${spaceSlug}/${board.slug}`);
    expect(boardPage.body).toMatch(new RegExp(`href="/t/${thread.threadId}/unread-counts/unread">3 new`));
    const jump = await agent.get(`/t/${thread.threadId}/unread-counts/unread`);
    expect(locationOf(jump)).toBe(`/t/${thread.threadId}/unread-counts#p2`);
    // Past the first page, the link goes to the page holding the first unread post.
    for (let i = 0; i < 30; i++) await app.services.forum.reply(bob.viewer, thread.threadId, { body: `More ${i}` });
    await agent.get(`/t/${thread.threadId}/unread-counts`);
    const later = await agent.get(`/t/${thread.threadId}/unread-counts/unread`);
    expect(locationOf(later)).toBe(`/t/${thread.threadId}/unread-counts?page=2#p31`);
    // Anonymous readers see no counts.
    expect((await app.inject({ method: 'GET', url: `/s/${spaceSlug}/${board.slug}` })).body).not.toContain('class="unread-count"');
  });

  test('a muted thread shows no unread count', async () => {
    const thread = await createThread(app, alice, board.id, 'Muted counts');
    const agent = await signedInAgent(app, bob);
    await agent.get(`/t/${thread.threadId}/muted-counts`);
    await app.services.notifications.setWatch(bob.viewer, { kind: 'thread', id: thread.threadId }, 'muted');
    await app.services.forum.reply(alice.viewer, thread.threadId, { body: 'Quiet.' });
    expect((await agent.get(`/s/${spaceSlug}/${board.slug}`)).body).not.toContain(`/t/${thread.threadId}/muted-counts/unread`);
  });
});

describe('mention autocomplete for the composer', () => {
  test('answers handles of members who can read the thread, from the session', async () => {
    const thread = await createThread(app, alice, board.id, 'Autocomplete page');
    const agent = await signedInAgent(app, alice);
    const res = await agent.get(`/mentionable?thread=${thread.threadId}&prefix=${bob.handle.slice(0, 5)}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().handles.map((h: { handle: string }) => h.handle)).toContain(bob.handle);
  });
});

describe('read state', () => {
  /** The member's read position in a thread, their "posts read" count, and whether a transaction has locked or updated the row since it was written. */
  async function readState(member: TestMember, threadId: number) {
    const result = await app.database.db.execute(sql`
      select r.last_read_number as n, u.posts_read as "postsRead", r.xmax::text <> '0' as touched
      from thread_reads r join users u on u.id = r.user_id
      where r.user_id = ${member.viewer.id} and r.thread_id = ${threadId}`);
    return (result as unknown as { rows: { n: number; postsRead: number; touched: boolean }[] }).rows[0];
  }

  test('showing a thread saves how far the member read; showing it again writes nothing until there is more to read', async () => {
    const reader = await createMember(app);
    const thread = await createThread(app, alice, board.id, 'Read state');
    await app.services.forum.reply(bob.viewer, thread.threadId, { body: 'Second post.' });
    const agent = await signedInAgent(app, reader);
    expect((await agent.get(`/t/${thread.threadId}/read-state`)).statusCode).toBe(200);
    const first = await readState(reader, thread.threadId);
    expect(first).toMatchObject({ n: 2, touched: false });
    // Shown again with nothing new: the row is neither updated nor locked (a lock is a write too).
    expect((await agent.get(`/t/${thread.threadId}/read-state`)).statusCode).toBe(200);
    expect(await readState(reader, thread.threadId)).toEqual(first);
    // A new post: the next view moves the position on and counts one more post read.
    await app.services.forum.reply(bob.viewer, thread.threadId, { body: 'Third post.' });
    expect((await agent.get(`/t/${thread.threadId}/read-state`)).statusCode).toBe(200);
    const after = await readState(reader, thread.threadId);
    expect(after).toMatchObject({ n: 3, postsRead: first!.postsRead + 1 });
  });
});
