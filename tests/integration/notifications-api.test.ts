import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { posts, spaceMembers } from '../../db/schema/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { addSpaceMember, createMember, createSpaceWithBoard, createThread, type TestMember } from '../helpers/factories.ts';
import { inbox } from '../helpers/notifications.ts';

let app: TestApp;
let admin: TestMember;
let alice: TestMember;
let bob: TestMember;
let carol: TestMember;
let boardId: number;
let spaceId: number;

beforeAll(async () => {
  app = await createTestApp();
  admin = await createMember(app, { role: 'admin' });
  alice = await createMember(app);
  bob = await createMember(app);
  carol = await createMember(app);
  const created = await createSpaceWithBoard(app, admin, { name: 'Cardiology' });
  boardId = created.board.id;
  spaceId = created.space.id;
});
afterAll(async () => app.close());

/** Set by one test: a listener on new notifications fails, as a later step of the same write could. */
let failAfterNotifying = false;
beforeAll(() => {
  app.services.notifications.onCreated(async () => {
    if (failAfterNotifying) throw new Error('a later step of the write failed');
  });
});


async function reply(author: TestMember, threadId: number, payload: Record<string, unknown>) {
  const res = await app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: author.auth, payload });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { postId: number; number: number; url: string; warnings: string[]; unnotifiedMentions: string[] };
}

async function readAll(member: TestMember) {
  await app.inject({ method: 'POST', url: '/api/v1/notifications/read', headers: member.auth, payload: { all: true } });
}

async function watch(member: TestMember, kind: 'thread' | 'board' | 'space', id: number, level: string) {
  const res = await app.inject({ method: 'PUT', url: `/api/v1/${kind}s/${id}/watch`, headers: member.auth, payload: { level } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { chosen: string; effective: string };
}

describe('what a reply tells whom', () => {
  test('the thread author hears of a reply, opening it leads to the post, and the author of the reply hears nothing', async () => {
    const thread = await createThread(app, alice, boardId, 'Anticoagulation after TAVI');
    const posted = await reply(bob, thread.threadId, { body: 'We use DOAC alone.' });
    const mine = await inbox(app, alice);
    expect(mine.unreadCount).toBe(1);
    expect(mine.items[0]).toMatchObject({ kind: 'reply_to_thread', unread: true, actor: bob.handle, text: `@${bob.handle} replied to your thread “Anticoagulation after TAVI”` });
    expect(mine.items[0]!.url).toBe(posted.url);
    expect((await inbox(app, bob)).items.filter((i) => i.url.startsWith(`/t/${thread.threadId}/`))).toEqual([]);
    await readAll(alice);
  });

  test('a reply to a post tells that post’s author, and a quote tells the quoted author', async () => {
    const thread = await createThread(app, alice, boardId, 'Statins in the elderly');
    const bobs = await reply(bob, thread.threadId, { body: 'Deprescribe after 85?' });
    await reply(carol, thread.threadId, { body: 'Not routinely.', replyToPostId: bobs.postId });
    const quote = (await app.inject({ method: 'GET', url: `/api/v1/posts/${bobs.postId}/quote?into=${thread.threadId}`, headers: carol.auth })).json().markdown as string;
    await reply(carol, thread.threadId, { body: `${quote}I disagree.` });
    const kinds = (await inbox(app, bob)).items.filter((i) => i.url.includes(`/t/${thread.threadId}/`)).map((i) => i.kind);
    expect(kinds).toEqual(['quote', 'reply_to_post']);
    await Promise.all([readAll(alice), readAll(bob)]);
  });

  test('five unread replies to one thread are one item, "5 new replies", that opens at the first of them', async () => {
    const thread = await createThread(app, alice, boardId, 'Syncope work-up');
    const first = await reply(bob, thread.threadId, { body: 'ECG first. (1)' });
    for (let i = 2; i <= 5; i++) await reply(i % 2 ? bob : carol, thread.threadId, { body: `Another thought (${i})` });
    const mine = await inbox(app, alice);
    const item = mine.items.find((i) => i.url.includes(`/t/${thread.threadId}/`))!;
    expect(item).toMatchObject({ count: 5, text: '5 new replies in “Syncope work-up”', unread: true });
    expect(item.url).toBe(first.url);
    expect(mine.unreadCount).toBe(1);
    const read = await app.inject({ method: 'POST', url: '/api/v1/notifications/read', headers: alice.auth, payload: { ids: [item.id] } });
    expect(read.json().unread).toBe(0);
    // Once read, the five stay in the list as they were.
    expect((await inbox(app, alice)).items.filter((i) => i.url.includes(`/t/${thread.threadId}/`))).toHaveLength(5);
  });

  test('a notification is written in the transaction of its post: a reply that fails afterwards leaves neither post nor notification', async () => {
    const thread = await createThread(app, alice, boardId, 'Rolled back');
    const before = await inbox(app, alice);
    failAfterNotifying = true;
    const res = await app.inject({ method: 'POST', url: `/api/v1/threads/${thread.threadId}/posts`, headers: bob.auth, payload: { body: 'This reply will not stay.' } });
    failAfterNotifying = false;
    expect(res.statusCode).toBe(500);
    expect((await inbox(app, alice)).unreadCount).toBe(before.unreadCount);
    expect((await app.inject({ method: 'GET', url: `/api/v1/threads/${thread.threadId}` })).json().postCount).toBe(1);
  });
});

describe('watching, tracking and muting', () => {
  test('starting or replying in a thread tracks it; watching a board notifies of every new post there', async () => {
    const thread = await createThread(app, alice, boardId, 'Watched board thread');
    const tracked = await createThread(app, alice, boardId, 'Tracked by default');
    const state = (await app.inject({ method: 'GET', url: `/api/v1/threads/${tracked.threadId}/watch`, headers: alice.auth })).json();
    expect(state).toEqual({ chosen: 'tracking', effective: 'tracking' });
    await watch(carol, 'board', boardId, 'watching');
    await reply(bob, thread.threadId, { body: 'A post carol watches for.' });
    const hers = (await inbox(app, carol)).items.find((i) => i.url.includes(`/t/${thread.threadId}/`));
    expect(hers).toMatchObject({ kind: 'watched_post', text: `@${bob.handle} posted in “Watched board thread”` });
    await watch(carol, 'board', boardId, 'default');
    await readAll(carol);
    await readAll(alice);
  });

  test('muting a thread silences everything there, mentions included; the most specific choice wins', async () => {
    const thread = await createThread(app, alice, boardId, 'Muted thread');
    await watch(alice, 'thread', thread.threadId, 'muted');
    await reply(bob, thread.threadId, { body: `Over to you @${alice.handle}` });
    expect((await inbox(app, alice)).items.filter((i) => i.url.includes(`/t/${thread.threadId}/`))).toEqual([]);
    // A muted space with one watched thread in it: the thread is heard.
    await watch(carol, 'space', spaceId, 'muted');
    await watch(carol, 'thread', thread.threadId, 'watching');
    await reply(bob, thread.threadId, { body: 'Still here.' });
    expect((await inbox(app, carol)).items.filter((i) => i.url.includes(`/t/${thread.threadId}/`))).toHaveLength(1);
    const other = await createThread(app, bob, boardId, 'Elsewhere in the muted space');
    await reply(admin, other.threadId, { body: `cc @${carol.handle}` });
    expect((await inbox(app, carol)).items.filter((i) => i.url.includes(`/t/${other.threadId}/`))).toEqual([]);
    await watch(carol, 'space', spaceId, 'default');
    await readAll(carol);
  });

  test('with "watch threads I reply to" on, a reply makes the thread watched', async () => {
    const set = await app.inject({ method: 'PUT', url: '/api/v1/notifications/preferences', headers: carol.auth, payload: { watchStarted: false, watchReplied: true } });
    expect(set.statusCode).toBe(200);
    const thread = await createThread(app, alice, boardId, 'Preferences');
    await reply(carol, thread.threadId, { body: 'Joining in.' });
    await reply(bob, thread.threadId, { body: 'Carol should hear of this.' });
    expect((await inbox(app, carol)).items.find((i) => i.url.includes(`/t/${thread.threadId}/`))).toMatchObject({ kind: 'watched_post' });
    await app.inject({ method: 'PUT', url: '/api/v1/notifications/preferences', headers: carol.auth, payload: { watchStarted: false, watchReplied: false } });
    await readAll(carol);
    await readAll(alice);
  });
});

describe('mentions', () => {
  test('a mentioned member who can read the thread is notified and the mention links to their profile', async () => {
    const thread = await createThread(app, alice, boardId, 'Mentions');
    const posted = await reply(bob, thread.threadId, { body: `What do you think, @${carol.handle}?` });
    expect(posted.unnotifiedMentions).toEqual([]);
    expect((await inbox(app, carol)).items[0]).toMatchObject({ kind: 'mention', url: posted.url });
    const page = (await app.inject({ method: 'GET', url: `/api/v1/posts/${posted.postId}` })).json();
    expect(page.bodyHtml).toContain(`<a href="/u/${carol.handle}" rel="nofollow ugc noopener">@${carol.handle}</a>`);
    await readAll(carol);
    await readAll(alice);
  });

  test('an edit that adds a mention tells only the newly mentioned member', async () => {
    const thread = await createThread(app, alice, boardId, 'Edited mentions');
    const posted = await reply(bob, thread.threadId, { body: `First draft for @${alice.handle}` });
    await readAll(alice);
    const edit = await app.inject({ method: 'PATCH', url: `/api/v1/posts/${posted.postId}`, headers: bob.auth, payload: { body: `First draft for @${alice.handle} and @${carol.handle}`, baseRevision: 1 } });
    expect(edit.statusCode, edit.body).toBe(200);
    expect((await inbox(app, carol)).items.find((i) => i.url.includes(`/t/${thread.threadId}/`))).toMatchObject({ kind: 'mention', url: posted.url });
    expect((await inbox(app, alice)).unreadCount).toBe(0);
    await readAll(carol);
  });

  test('mentioning someone who cannot read a confidential space notifies nobody and tells the author', async () => {
    const { space, board } = await createSpaceWithBoard(app, admin, { level: 'confidential', name: 'Closed group' });
    await addSpaceMember(app, space.id, alice);
    const thread = await createThread(app, alice, board.id, 'In confidence');
    const posted = await reply(alice, thread.threadId, { body: `Asking @${carol.handle} and @${admin.handle}` });
    expect(posted.unnotifiedMentions).toEqual([carol.handle]);
    expect(posted.warnings).toEqual([`@${carol.handle} is not a member of this confidential space: they cannot read your post and were not notified.`]);
    expect((await inbox(app, carol)).items.filter((i) => i.url.includes(`/t/${thread.threadId}/`))).toEqual([]);
    expect((await inbox(app, admin)).items.find((i) => i.url.includes(`/t/${thread.threadId}/`))).toMatchObject({ kind: 'mention' });
    await readAll(admin);
  });

  test('a new member may mention only as many people as the site allows', async () => {
    const newcomer = await createMember(app, { trustLevel: 0 });
    const thread = await createThread(app, alice, boardId, 'Newcomer mentions');
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/threads/${thread.threadId}/posts`,
      headers: newcomer.auth,
      payload: { body: `Hello @${alice.handle} @${bob.handle} @${carol.handle}` },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.message).toBe('New members can mention up to 2 people in a post.');
    expect((await inbox(app, carol)).items.filter((i) => i.url.includes(`/t/${thread.threadId}/`))).toEqual([]);
    await readAll(alice);
  });

  test('autocomplete lists only members who can read the thread, and says nothing about places the asker cannot see', async () => {
    const { space, board } = await createSpaceWithBoard(app, admin, { level: 'confidential', name: 'Autocomplete group' });
    await addSpaceMember(app, space.id, alice);
    await addSpaceMember(app, space.id, bob);
    const thread = await createThread(app, alice, board.id, 'Who can I ask');
    const res = await app.inject({ method: 'GET', url: `/api/v1/threads/${thread.threadId}/mentionable?prefix=m`, headers: alice.auth });
    const handles = (res.json() as { handle: string }[]).map((h) => h.handle);
    expect(handles).toContain(bob.handle);
    expect(handles).not.toContain(carol.handle);
    expect((await app.inject({ method: 'GET', url: `/api/v1/threads/${thread.threadId}/mentionable?prefix=m`, headers: carol.auth })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/api/v1/boards/${board.id}/mentionable?prefix=m`, headers: carol.auth })).statusCode).toBe(404);
    const open = (await app.inject({ method: 'GET', url: `/api/v1/boards/${boardId}/mentionable?prefix=${carol.handle.slice(0, 6)}`, headers: alice.auth })).json();
    expect(open.map((h: { handle: string }) => h.handle)).toContain(carol.handle);
  });
});

describe('after access is revoked', () => {
  test('a notification about a confidential space drops out of the list and the count once the member is removed', async () => {
    const { space, board } = await createSpaceWithBoard(app, admin, { level: 'confidential', name: 'Revocable' });
    await addSpaceMember(app, space.id, alice);
    await addSpaceMember(app, space.id, bob);
    const thread = await createThread(app, alice, board.id, 'Revocable secret title');
    await reply(alice, thread.threadId, { body: `For you @${bob.handle}` });
    const before = await inbox(app, bob);
    expect(before.items.some((i) => i.text.includes('Revocable secret title'))).toBe(true);
    await app.database.db.update(spaceMembers).set({ status: 'removed' }).where(eq(spaceMembers.userId, bob.viewer.id));
    const after = await inbox(app, bob);
    expect(JSON.stringify(after)).not.toContain('Revocable secret title');
    expect(after.unreadCount).toBe(before.unreadCount - 1);
    const opened = await app.inject({ method: 'POST', url: '/api/v1/notifications/read', headers: bob.auth, payload: { ids: [before.items[0]!.id] } });
    expect(opened.statusCode).toBe(200);
  });
});

describe('the bell', () => {
  test('counts by the reader’s own rights: a hidden post stops counting for a member, a site moderator still reads it and counts it', async () => {
    // The count is a prepared statement per site role: a moderator's must not be a member's, nor the reverse.
    const siteMod = await createMember(app, { role: 'moderator' });
    const dana = await createMember(app);
    const thread = await createThread(app, alice, boardId, 'Hidden later');
    const posted = await reply(bob, thread.threadId, { body: `Thoughts, @${siteMod.handle} and @${dana.handle}?` });
    const bell = async (member: TestMember) => {
      const res = await app.inject({ method: 'GET', url: '/api/v1/notifications/count', headers: member.auth });
      expect(res.statusCode, res.body).toBe(200);
      return (res.json() as { unread: number }).unread;
    };
    expect([await bell(siteMod), await bell(dana)]).toEqual([1, 1]);
    await app.database.db.update(posts).set({ status: 'hidden' }).where(eq(posts.id, posted.postId));
    expect([await bell(siteMod), await bell(dana)]).toEqual([1, 0]);
    // The count agrees with the list each of them sees.
    expect((await inbox(app, siteMod)).unreadCount).toBe(1);
    expect((await inbox(app, siteMod)).items.filter((i) => i.unread)).toHaveLength(1);
    expect((await inbox(app, dana)).items).toEqual([]);
  });
});
