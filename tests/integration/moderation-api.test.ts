import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { moderationLog, outboxMessages, spaceMembers, users } from '../../db/schema/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { addSpaceMember, createMember, createSpaceWithBoard, PASSWORD, signedInAgent, type TestMember } from '../helpers/factories.ts';

/*
 * Moderation through the JSON API: flags, auto-hide, every decision, sanctions, pre-moderation,
 * newcomer limits, and the routing rule that keeps a confidential space's items with its own
 * moderators.
 */

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

let app: TestApp;
let admin: TestMember;
let siteMod: TestMember;
let otherMod: TestMember;
let author: TestMember;
let flaggers: TestMember[];
let boardId: number;
let counter = 0;

beforeAll(async () => {
  app = await createTestApp();
  admin = await createMember(app, { role: 'admin' });
  siteMod = await createMember(app, { role: 'moderator' });
  otherMod = await createMember(app, { role: 'moderator' });
  author = await createMember(app);
  flaggers = [await createMember(app), await createMember(app), await createMember(app)];
  boardId = (await createSpaceWithBoard(app, admin, { name: 'Critical care' })).board.id;
});
afterAll(async () => app.close());

function api(who: TestMember | null, method: Method, url: string, payload?: object) {
  return app.inject({ method, url: `/api/v1${url}`, headers: who ? who.auth : {}, ...(payload === undefined ? {} : { payload }) });
}

async function ok<T = Record<string, unknown>>(who: TestMember | null, method: Method, url: string, payload?: object, status = 200): Promise<T> {
  const res = await api(who, method, url, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body.slice(0, 300)}`).toBe(status);
  return res.json() as T;
}

/** A fresh thread by `by`; returns its opening post. */
async function post(by: TestMember = author, body?: string, board = boardId) {
  const n = ++counter;
  return ok<{ threadId: number; postId: number; url: string }>(by, 'POST', `/boards/${board}/threads`, { title: `Case discussion ${n}`, body: body ?? `Opening ${n}: what would you do?` }, 201);
}

async function queue(who: TestMember, query = '') {
  return ok<{ items: { id: number; kind: string; post: { id: number } | null; reasons: Record<string, number>; score: number }[]; next: string | null; elsewhere: number }>(who, 'GET', `/mod/queue${query}`);
}

async function itemFor(who: TestMember, postId: number, kind = 'flagged') {
  const found = (await queue(who, `?kind=${kind}`)).items.find((i) => i.post?.id === postId);
  expect(found, `an open ${kind} item for post ${postId}`).toBeDefined();
  return found!;
}

const flag = (who: TestMember, postId: number, reason = 'misinformation', note?: string) => api(who, 'POST', `/posts/${postId}/flags`, { reason, ...(note ? { note } : {}) });

async function setSettings(changes: Record<string, unknown>) {
  const current = await ok(admin, 'GET', '/admin/moderation-settings');
  return ok(admin, 'PUT', '/admin/moderation-settings', { ...current, ...changes });
}

describe('flagging', () => {
  test('a flag opens one queue item per post that aggregates reasons; one open flag per member', async () => {
    const { postId } = await post();
    expect((await flag(flaggers[0]!, postId, 'spam')).statusCode).toBe(201);
    expect((await flag(flaggers[1]!, postId, 'misinformation', 'Dose is tenfold too high')).statusCode).toBe(201);
    const again = await flag(flaggers[0]!, postId, 'abusive');
    expect(again.statusCode).toBe(409);
    const item = await itemFor(siteMod, postId);
    expect(item.reasons).toEqual({ spam: 1, misinformation: 1 });
    const detail = await ok<{ flags: { flagger: string; note: string }[] }>(siteMod, 'GET', `/mod/queue/${item.id}`);
    expect(detail.flags.map((f) => f.flagger)).toEqual([flaggers[0]!.handle, flaggers[1]!.handle]);
    expect(detail.flags[1]!.note).toBe('Dose is tenfold too high');
  });

  test('“something else” needs a note; one’s own post cannot be flagged; nothing is written', async () => {
    const { postId } = await post();
    const other = await flag(flaggers[0]!, postId, 'other');
    expect(other.statusCode).toBe(422);
    expect(other.json().error.fields.note).toMatch(/needs a few words/);
    expect((await flag(author, postId)).statusCode).toBe(422);
    expect((await queue(siteMod)).items.some((i) => i.post?.id === postId)).toBe(false);
  });

  test('an item shows the author’s other flagged posts, with how they were decided', async () => {
    const writer = await createMember(app);
    const first = await post(writer);
    await flag(siteMod, first.postId, 'spam');
    await ok(siteMod, 'POST', `/mod/queue/${(await itemFor(siteMod, first.postId)).id}/decision`, { decision: 'hide', reason: 'Advertising a course' });
    const second = await post(writer);
    await flag(flaggers[0]!, second.postId, 'spam');
    const detail = await ok<{ authorFlags: { decision: string; decisionReason: string }[] }>(siteMod, 'GET', `/mod/queue/${(await itemFor(siteMod, second.postId)).id}`);
    expect(detail.authorFlags).toEqual([expect.objectContaining({ decision: 'hide', decisionReason: 'Advertising a course' })]);
  });

  test('withdrawing the only flag closes the item', async () => {
    const { postId } = await post();
    const { flagId } = await ok<{ flagId: number }>(flaggers[2]!, 'POST', `/posts/${postId}/flags`, { reason: 'off_topic' }, 201);
    await itemFor(siteMod, postId);
    await ok(flaggers[2]!, 'DELETE', `/flags/${flagId}`);
    expect((await queue(siteMod)).items.some((i) => i.post?.id === postId)).toBe(false);
    expect((await api(flaggers[2]!, 'DELETE', `/flags/${flagId}`)).statusCode).toBe(404);
  });
});

describe('auto-hide', () => {
  test('three trusted members hide a post at once; readers lose it, the author sees why', async () => {
    const { postId } = await post();
    for (const f of flaggers.slice(0, 2)) expect((await flag(f, postId)).json().hidden).toBe(false);
    expect((await flag(flaggers[2]!, postId)).json().hidden).toBe(true);
    expect((await api(null, 'GET', `/posts/${postId}`)).statusCode).toBe(404);
    expect((await api(flaggers[0]!, 'GET', `/posts/${postId}`)).statusCode).toBe(404);
    const own = await ok<{ status: string; moderationNote: string }>(author, 'GET', `/posts/${postId}`);
    expect(own.status).toBe('hidden');
    expect(own.moderationNote).toMatch(/hidden until a moderator reviews it/);
    const lines = await app.database.db.select().from(moderationLog).where(eq(moderationLog.postId, postId));
    expect(lines.map((l) => [l.action, l.actorId])).toEqual([['auto_hide', null]]);
    expect(lines[0]!.reason).toMatch(/^Members' flags reached the score that hides it until a moderator reviews it \(\d+; the threshold is \d+\)\.$/);
    // The author is told at once, and not by whom.
    const told = await ok<{ items: { text: string; actor: string | null }[] }>(author, 'GET', '/notifications');
    const notice = told.items.find((n) => n.text.startsWith('Members flagged your post'));
    expect(notice?.text).toMatch(/so it is hidden until a moderator reviews it\.$/);
    expect(notice?.actor).toBeNull();
    // Nobody has decided yet, so the author is offered an edit but nothing to appeal.
    const page = await (await signedInAgent(app, author)).get(`/p/${postId}`);
    const thread = await (await signedInAgent(app, author)).get(String(page.headers.location));
    expect(thread.body).toContain(`href="/p/${postId}/edit"`);
    expect(thread.body).not.toContain(`href="/p/${postId}/appeal"`);
  });

  test('new members’ flags weigh less: three of them do not hide a post', async () => {
    const { postId } = await post();
    const newcomers = [await createMember(app, { trustLevel: 0 }), await createMember(app, { trustLevel: 0 }), await createMember(app, { trustLevel: 0 })];
    for (const n of newcomers) expect((await flag(n, postId, 'spam')).json().hidden).toBe(false);
    expect((await api(null, 'GET', `/posts/${postId}`)).statusCode).toBe(200);
  });

  test('a moderator’s flag alone hides a post', async () => {
    const { postId } = await post();
    expect((await flag(siteMod, postId, 'abusive')).json().hidden).toBe(true);
  });

  test('members whose flags are mostly rejected stop hiding anything', async () => {
    const serial = await createMember(app);
    await app.database.db.update(users).set({ flagsDisagreed: 9, flagsAgreed: 0 }).where(eq(users.id, serial.viewer.id));
    const { postId } = await post();
    await flag(flaggers[0]!, postId);
    await flag(flaggers[1]!, postId);
    expect((await flag(serial, postId)).json().hidden).toBe(false);
    expect((await itemFor(siteMod, postId)).score).toBeCloseTo(2);
  });
});

describe('decisions', () => {
  async function autoHidden() {
    const created = await post();
    for (const f of flaggers) await flag(f, created.postId);
    return { ...created, item: await itemFor(siteMod, created.postId) };
  }

  const decide = (who: TestMember, itemId: number, payload: object) => api(who, 'POST', `/mod/queue/${itemId}/decision`, payload);

  test('keep: the post comes back and every flagger’s record counts a rejected flag', async () => {
    const { postId, item } = await autoHidden();
    const before = await app.database.db.select({ d: users.flagsDisagreed }).from(users).where(eq(users.id, flaggers[0]!.viewer.id));
    expect((await decide(siteMod, item.id, { decision: 'keep', reason: 'Accurate per current guidance' })).statusCode).toBe(200);
    expect((await api(null, 'GET', `/posts/${postId}`)).statusCode).toBe(200);
    const after = await app.database.db.select({ d: users.flagsDisagreed }).from(users).where(eq(users.id, flaggers[0]!.viewer.id));
    expect(after[0]!.d).toBe(before[0]!.d + 1);
  });

  test('hide: the author is told the moderator’s reason and what they can do', async () => {
    const { postId, item } = await autoHidden();
    const missing = await decide(siteMod, item.id, { decision: 'hide' });
    expect(missing.statusCode).toBe(422);
    await ok(siteMod, 'POST', `/mod/queue/${item.id}/decision`, { decision: 'hide', reason: 'The dose contradicts the package insert.' });
    const own = await ok<{ moderationNote: string }>(author, 'GET', `/posts/${postId}`);
    expect(own.moderationNote).toMatch(/The dose contradicts the package insert\. You can edit it and ask for another review, or appeal once/);
    expect((await api(flaggers[0]!, 'GET', `/posts/${postId}`)).statusCode).toBe(404);
  });

  test('delete: a tombstone stays and says a moderator removed it; the thread goes with its opening post', async () => {
    const { threadId, item } = await autoHidden();
    await ok(siteMod, 'POST', `/mod/queue/${item.id}/decision`, { decision: 'delete', reason: 'Spam' });
    expect((await api(author, 'GET', `/threads/${threadId}`)).statusCode).toBe(404);
    const { postId: opening, threadId: second } = await post();
    const reply = await ok<{ postId: number }>(author, 'POST', `/threads/${second}/posts`, { body: `a reply that will go ${++counter}` }, 201);
    await flag(siteMod, reply.postId, 'spam');
    const replyItem = await itemFor(siteMod, reply.postId);
    await ok(otherMod, 'POST', `/mod/queue/${replyItem.id}/decision`, { decision: 'delete', reason: 'Spam' });
    const page = await ok<{ posts: { id: number; removed: boolean; body: string | null }[] }>(null, 'GET', `/threads/${second}`);
    expect(page.posts.map((p) => [p.id, p.removed])).toEqual([
      [opening, false],
      [reply.postId, true],
    ]);
    expect(page.posts[1]!.body).toBeNull();
  });

  test('dismiss restores an auto-hidden post without judging the flaggers', async () => {
    const { postId, item } = await autoHidden();
    await ok(siteMod, 'POST', `/mod/queue/${item.id}/decision`, { decision: 'dismiss' });
    expect((await api(null, 'GET', `/posts/${postId}`)).statusCode).toBe(200);
  });

  test('edit then keep: the moderator’s correction is a new revision and the post is back', async () => {
    const { postId, item } = await autoHidden();
    await ok(siteMod, 'POST', `/mod/queue/${item.id}/decision`, { decision: 'edit_keep', reason: 'Corrected the dose', body: 'Corrected: 0.1 mg/kg.' });
    const visible = await ok<{ body: string; revision: number }>(null, 'GET', `/posts/${postId}`);
    expect(visible).toMatchObject({ body: 'Corrected: 0.1 mg/kg.', revision: 2 });
  });

  test('two moderators deciding one item at once: one wins, the other is told, nothing is applied twice', async () => {
    const { item } = await autoHidden();
    const [a, b] = await Promise.all([
      decide(siteMod, item.id, { decision: 'hide', reason: 'Unsafe' }),
      decide(otherMod, item.id, { decision: 'keep', reason: 'Fine' }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const loser = a.statusCode === 409 ? a : b;
    expect(loser.json().error.message).toMatch(/already decided/);
    const lines = await app.database.db.select().from(moderationLog).where(eq(moderationLog.itemId, item.id));
    expect(lines.filter((l) => l.action === 'hide' || l.action === 'keep')).toHaveLength(1);
    expect((await decide(siteMod, item.id, { decision: 'keep', reason: 'again' })).statusCode).toBe(409);
  });

  test('a decision that is not for this kind of item is refused', async () => {
    const { item } = await autoHidden();
    expect((await decide(siteMod, item.id, { decision: 'approve' })).statusCode).toBe(422);
  });
});

describe('after a hide: another review and the one appeal', () => {
  async function hiddenBy(moderator: TestMember) {
    const created = await post();
    await flag(moderator, created.postId, 'misinformation');
    const item = await itemFor(moderator, created.postId);
    await ok(moderator, 'POST', `/mod/queue/${item.id}/decision`, { decision: 'hide', reason: 'Please cite a source.' });
    return created;
  }

  test('the author edits, asks for another review, and a moderator restores the post', async () => {
    const { postId } = await hiddenBy(siteMod);
    const early = await api(author, 'POST', `/posts/${postId}/review-request`, { note: 'please' });
    expect(early.statusCode).toBe(422);
    expect(early.json().error.message).toMatch(/Edit the post first/);
    const current = await ok<{ revision: number }>(author, 'GET', `/posts/${postId}`);
    await ok(author, 'PATCH', `/posts/${postId}`, { body: 'Source: SCCM 2021 guideline, section 4.', baseRevision: current.revision });
    await ok(author, 'POST', `/posts/${postId}/review-request`, { note: 'Added the source.' }, 201);
    const item = await itemFor(otherMod, postId, 'review_request');
    const detail = await ok<{ authorNote: string; allowedDecisions: string[]; revisions: unknown[] }>(otherMod, 'GET', `/mod/queue/${item.id}`);
    expect(detail.authorNote).toBe('Added the source.');
    expect(detail.allowedDecisions).toEqual(['restore', 'keep_hidden', 'delete']);
    expect(detail.revisions).toHaveLength(1);
    await ok(otherMod, 'POST', `/mod/queue/${item.id}/decision`, { decision: 'restore' });
    expect((await ok<{ body: string }>(null, 'GET', `/posts/${postId}`)).body).toMatch(/SCCM 2021/);
  });

  test('an appeal goes to a different moderator, and only once', async () => {
    const { postId } = await hiddenBy(siteMod);
    expect((await api(author, 'POST', `/posts/${postId}/appeal`, { note: '' })).statusCode).toBe(422);
    await ok(author, 'POST', `/posts/${postId}/appeal`, { note: 'The source is in the second paragraph.' }, 201);
    const item = await itemFor(otherMod, postId, 'appeal');
    const own = await api(siteMod, 'POST', `/mod/queue/${item.id}/decision`, { decision: 'restore' });
    expect(own.statusCode).toBe(403);
    expect(own.json().error.message).toMatch(/another moderator decides/);
    await ok(otherMod, 'POST', `/mod/queue/${item.id}/decision`, { decision: 'keep_hidden', reason: 'Still no source.' });
    expect((await api(author, 'POST', `/posts/${postId}/appeal`, { note: 'Again' })).statusCode).toBe(409);
    const mine = await app.services.moderation.mine(author.viewer);
    expect(mine.posts.find((p) => p.postId === postId)).toMatchObject({ status: 'hidden', appealUsed: true, reviewPending: false });
    // The author's note was for moderators: the public log shows the decisions, never the appeal.
    const publicLog = JSON.stringify(await ok(null, 'GET', '/moderation/log'));
    expect(publicLog).toContain('Still no source.');
    expect(publicLog).not.toContain('The source is in the second paragraph.');
  });
});

describe('sanctions', () => {
  test('a silenced member can read but not post, and is told why', async () => {
    const target = await createMember(app);
    const { threadId } = await post();
    await ok(siteMod, 'POST', `/users/${target.handle}/sanctions`, { kind: 'silence', days: 3, reason: 'Repeated off-topic promotion' }, 201);
    expect((await api(target, 'GET', `/threads/${threadId}`)).statusCode).toBe(200);
    const refused = await api(target, 'POST', `/threads/${threadId}/posts`, { body: 'Can I still post?' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/silenced/);
    const mine = await app.services.moderation.mine((await app.services.accounts.viewerFromApiToken(target.token))!);
    expect(mine).toMatchObject({ status: 'silenced', statusReason: 'Repeated off-topic promotion' });
    expect(mine.sanctions[0]).toMatchObject({ kind: 'silence', reason: 'Repeated off-topic promotion' });
  });

  test('a suspension ends sessions and tokens at once and refuses sign-in; lifting it restores access', async () => {
    const target = await createMember(app);
    const { cookie } = await app.services.accounts.signIn(target.handle, PASSWORD, 'vitest');
    await ok(siteMod, 'POST', `/users/${target.handle}/sanctions`, { kind: 'suspend', days: 7, reason: 'Harassment of a colleague' }, 201);
    expect((await api(target, 'GET', '/me')).statusCode).toBe(401);
    expect(await app.services.accounts.resumeSession(cookie.value)).toBeNull();
    await expect(app.services.accounts.signIn(target.handle, PASSWORD, 'vitest')).rejects.toThrow(/suspended until .*Reason: Harassment of a colleague/);
    // Signed out at once, they hear of it by e-mail, without the reason (an e-mail leaves the site).
    const [notice, ...more] = await app.database.db.select().from(outboxMessages).where(and(eq(outboxMessages.userId, target.viewer.id), eq(outboxMessages.kind, 'account-suspended')));
    expect(more).toEqual([]);
    expect(notice!.subject).toBe('Your Rounds account is suspended');
    expect(notice!.textBody).toMatch(/suspended @\S+ until \d{4}-\d\d-\d\d \d\d:\d\d UTC\. You are signed out/);
    expect(notice!.textBody).not.toContain('Harassment');
    await ok(siteMod, 'POST', `/users/${target.handle}/sanctions`, { kind: 'warn', reason: 'x' }, 201);
    await app.services.moderation.liftSanction(siteMod.viewer, target.handle, 'Appeal accepted');
    expect((await api(target, 'GET', '/me')).statusCode).toBe(200);
  });

  test('a silence that has ended no longer stops posting', async () => {
    const target = await createMember(app);
    await app.database.db.update(users).set({ status: 'silenced', statusUntil: new Date(Date.now() - 1000) }).where(eq(users.id, target.viewer.id));
    await post(target);
  });

  test('members cannot sanction, and moderators cannot sanction staff', async () => {
    const target = await createMember(app);
    expect((await api(flaggers[0]!, 'POST', `/users/${target.handle}/sanctions`, { kind: 'warn', reason: 'x' })).statusCode).toBe(404);
    expect((await api(siteMod, 'POST', `/users/${otherMod.handle}/sanctions`, { kind: 'suspend', reason: 'x' })).statusCode).toBe(403);
  });

  test('a sanction can ride on a decision, in the same transaction', async () => {
    const target = await createMember(app);
    const { postId } = await post(target);
    await flag(siteMod, postId, 'abusive');
    const item = await itemFor(siteMod, postId);
    await ok(siteMod, 'POST', `/mod/queue/${item.id}/decision`, { decision: 'delete', reason: 'Abusive', sanction: { kind: 'silence', days: 1, reason: 'Abusive language' } });
    const [row] = await app.database.db.select({ status: users.status }).from(users).where(eq(users.id, target.viewer.id));
    expect(row!.status).toBe('silenced');
  });

  test('purging a spammer removes every post and suspends the account in one step', async () => {
    const spammer = await createMember(app);
    const a = await post(spammer, 'Buy cheap stethoscopes at example.com');
    const b = await post(spammer, 'Cheap scrubs, visit now');
    await flag(flaggers[0]!, a.postId, 'spam');
    const { removed } = await ok<{ removed: number }>(siteMod, 'POST', `/users/${spammer.handle}/purge`, { reason: 'Spam run' });
    expect(removed).toBe(2);
    for (const { threadId } of [a, b]) expect((await api(admin, 'GET', `/threads/${threadId}`)).statusCode).toBe(404);
    expect((await queue(siteMod)).items.some((i) => i.post?.id === a.postId)).toBe(false);
    expect((await api(spammer, 'GET', '/me')).statusCode).toBe(401);
  });
});

describe('newcomers', () => {
  test('with pre-moderation on, a new member’s first posts wait for approval and others cannot see them', async () => {
    await setSettings({ holdFirstPosts: 1 });
    try {
      const newbie = await createMember(app, { trustLevel: 0 });
      const held = await ok<{ threadId: number; postId: number }>(newbie, 'POST', `/boards/${boardId}/threads`, { title: 'First question', body: 'Hello from a new resident' }, 201);
      expect((await api(flaggers[0]!, 'GET', `/threads/${held.threadId}`)).statusCode).toBe(404);
      const board = await ok<{ threads: { id: number }[] }>(null, 'GET', `/boards/${boardId}/threads`);
      expect(board.threads.some((t) => t.id === held.threadId)).toBe(false);
      expect((await ok<{ status: string }>(newbie, 'GET', `/posts/${held.postId}`)).status).toBe('held');
      const item = await itemFor(siteMod, held.postId, 'held_post');
      await ok(siteMod, 'POST', `/mod/queue/${item.id}/decision`, { decision: 'approve' });
      expect((await api(null, 'GET', `/threads/${held.threadId}`)).statusCode).toBe(200);
      // Trusted members and moderators are not held.
      await post(flaggers[0]!);
    } finally {
      await setSettings({ holdFirstPosts: 0 });
    }
  });

  test('a rejected held post never appears', async () => {
    await setSettings({ holdFirstPosts: 1 });
    try {
      const newbie = await createMember(app, { trustLevel: 0 });
      const held = await post(newbie);
      const item = await itemFor(siteMod, held.postId, 'held_post');
      await ok(siteMod, 'POST', `/mod/queue/${item.id}/decision`, { decision: 'reject', reason: 'Advertising' });
      expect((await api(newbie, 'GET', `/threads/${held.threadId}`)).statusCode).toBe(404);
    } finally {
      await setSettings({ holdFirstPosts: 0 });
    }
  });

  test('new members are rate-limited with a message that says when they can post again; text is not saved', async () => {
    await setSettings({ newMemberPostsPerHour: 2 });
    try {
      const newbie = await createMember(app, { trustLevel: 0 });
      await post(newbie);
      await post(newbie);
      const refused = await api(newbie, 'POST', `/boards/${boardId}/threads`, { title: 'Third one', body: 'third' });
      expect(refused.statusCode).toBe(429);
      expect(refused.json().error.message).toMatch(/You can post again in \d+ (s|min)/);
      await post(flaggers[1]!);
    } finally {
      await setSettings({ newMemberPostsPerHour: 10 });
    }
  });

  test('a newcomer earns trust by visiting and reading, and is then no longer held', async () => {
    await setSettings({ holdFirstPosts: 5 });
    try {
      const reader = await createMember(app, { trustLevel: 0 });
      const { threadId } = await post();
      for (let i = 0; i < 30; i++) await ok(author, 'POST', `/threads/${threadId}/posts`, { body: `Reply number ${i} in a long thread` }, 201);
      const { cookie } = await app.services.accounts.signIn(reader.handle, PASSWORD, 'vitest');
      // Reading the thread's two pages counts 31 posts read, once, however often it is read.
      for (const page of [1, 2, 1]) await app.inject({ method: 'GET', url: `/api/v1/threads/${threadId}?page=${page}`, headers: reader.auth });
      await app.services.accounts.resumeSession(cookie.value);
      const [before] = await app.database.db.select({ postsRead: users.postsRead, daysVisited: users.daysVisited }).from(users).where(eq(users.id, reader.viewer.id));
      expect(before).toEqual({ postsRead: 31, daysVisited: 1 });
      expect((await ok<{ status: string }>(reader, 'GET', `/posts/${(await post(reader)).postId}`)).status).toBe('held');
      // A second day's visit, a day after joining: level 1, and the next post is published.
      await app.database.db
        .update(users)
        .set({ lastVisitedOn: '2026-01-01', createdAt: new Date(Date.now() - 2 * 86_400_000) })
        .where(eq(users.id, reader.viewer.id));
      // An operator's SQL reaches the session this process remembers once it hears the announcement.
      await app.events.settled();
      await app.services.accounts.resumeSession(cookie.value);
      expect((await ok<{ status: string }>(reader, 'GET', `/posts/${(await post(reader)).postId}`)).status).toBe('published');
      const [after] = await app.database.db.select({ trustLevel: users.trustLevel, daysVisited: users.daysVisited }).from(users).where(eq(users.id, reader.viewer.id));
      expect(after).toEqual({ trustLevel: 1, daysVisited: 2 });
    } finally {
      await setSettings({ holdFirstPosts: 0 });
    }
  });

  test('new members may include only a few links', async () => {
    const newbie = await createMember(app, { trustLevel: 0 });
    const res = await api(newbie, 'POST', `/boards/${boardId}/threads`, { title: 'Links', body: 'https://a.example https://b.example https://c.example' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.fields.body).toMatch(/up to 2 links/);
  });

  test('the same text twice within minutes is refused as a duplicate', async () => {
    const member = await createMember(app);
    const first = await post(member, 'Is anyone else seeing shortages of heparin?');
    const again = await api(member, 'POST', `/boards/${boardId}/threads`, { title: 'Heparin again', body: 'Is anyone else seeing shortages of heparin?' });
    expect(again.statusCode).toBe(422);
    expect(again.json().error.message).toMatch(/exactly this text/);
    // The refusal leads to the earlier post, which the permalink opens.
    expect(again.json().error.see).toEqual({ href: `/p/${first.postId}`, label: 'Open your earlier post' });
  });
});

describe('registrations and membership requests', () => {
  test('when the site holds registrations, a new account waits in the site queue and cannot sign in until approved', async () => {
    await setSettings({ holdRegistrations: true });
    try {
      const handle = `pending${++counter}`;
      const res = await api(null, 'POST', '/auth/register', { handle, displayName: 'Dr Pending', email: `${handle}@example.org`, password: PASSWORD });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().approvalPending).toBe(true);
      await expect(app.services.accounts.signIn(handle, PASSWORD, 'vitest')).rejects.toThrow(/waiting for a moderator’s approval/);
      const item = (await queue(siteMod, '?kind=registration')).items.find((i) => (i as unknown as { subject: { handle: string } }).subject.handle === handle);
      expect(item).toBeDefined();
      await ok(siteMod, 'POST', `/mod/queue/${item!.id}/decision`, { decision: 'approve' });
      await app.services.accounts.signIn(handle, PASSWORD, 'vitest');
    } finally {
      await setSettings({ holdRegistrations: false });
    }
  });

  test('a rejected registration cannot sign in, and is told why', async () => {
    await setSettings({ holdRegistrations: true });
    try {
      const handle = `rejected${++counter}`;
      await ok(null, 'POST', '/auth/register', { handle, displayName: 'Dr Spam', email: `${handle}@example.org`, password: PASSWORD }, 201);
      const item = (await queue(siteMod, '?kind=registration')).items.find((i) => (i as unknown as { subject: { handle: string } }).subject.handle === handle);
      await ok(siteMod, 'POST', `/mod/queue/${item!.id}/decision`, { decision: 'reject', reason: 'Not a clinician' });
      await expect(app.services.accounts.signIn(handle, PASSWORD, 'vitest')).rejects.toThrow(/suspended\. Reason: Registration not approved: Not a clinician/);
    } finally {
      await setSettings({ holdRegistrations: false });
    }
  });

  test('requests to join a space reach that space’s owners in their queue, not the site’s moderators', async () => {
    const owner = await createMember(app);
    const space = await ok<{ id: number }>(owner, 'POST', '/spaces', { name: `Journal club ${++counter}`, description: 'Monthly', level: 'members', joinPolicy: 'request' }, 201);
    const applicant = await createMember(app);
    await ok(applicant, 'POST', `/spaces/${space.id}/join`, { message: 'I run the ICU journal club at my hospital' });
    type WithRequests = { membershipRequests: { handle: string; message: string; decideAt: string }[] };
    const ownerQueue = (await queue(owner)) as unknown as WithRequests;
    expect(ownerQueue.membershipRequests).toEqual([expect.objectContaining({ handle: applicant.handle, message: 'I run the ICU journal club at my hospital' })]);
    const siteQueue = (await queue(siteMod)) as unknown as WithRequests;
    expect(siteQueue.membershipRequests.some((r) => r.handle === applicant.handle)).toBe(false);
  });
});

describe('watched words', () => {
  test('block refuses, hold sends to the queue, replace rewrites — whole words, any case', async () => {
    await setSettings({
      watchedWords: [
        { word: 'casino', action: 'block', replacement: '' },
        { word: 'ivermectin cure', action: 'hold', replacement: '' },
        { word: 'darn', action: 'replace', replacement: 'd*rn' },
      ],
    });
    try {
      const member = await createMember(app);
      const blocked = await api(member, 'POST', `/boards/${boardId}/threads`, { title: 'Fun', body: 'Visit my CASINO tonight' });
      expect(blocked.statusCode).toBe(422);
      expect(blocked.json().error.message).toMatch(/casino/);
      await post(member, 'Casinos are not a watched word: only whole words match');
      const held = await post(member, 'The Ivermectin cure works');
      expect((await ok<{ status: string }>(member, 'GET', `/posts/${held.postId}`)).status).toBe('held');
      await itemFor(siteMod, held.postId, 'held_post');
      const replaced = await post(member, 'Darn, the pump failed again');
      expect((await ok<{ body: string }>(null, 'GET', `/posts/${replaced.postId}`)).body).toBe('d*rn, the pump failed again');
    } finally {
      await setSettings({ watchedWords: [] });
    }
  });
});

describe('confidential spaces keep their own moderation', () => {
  test('flags there reach only the space’s moderators; site staff see only that an item exists', async () => {
    const owner = await createMember(app);
    const peer = await createMember(app);
    const { space, board } = await createSpaceWithBoard(app, admin, { level: 'confidential', name: 'Mentorship circle' });
    await addSpaceMember(app, space.id, owner);
    await app.database.db.update(spaceMembers).set({ role: 'owner' }).where(eq(spaceMembers.userId, owner.viewer.id));
    await addSpaceMember(app, space.id, peer);
    const secret = await post(peer, 'ZQCONFIDENTIALMODMARKER about a colleague', board.id);
    const waitingBefore = (await queue(siteMod)).elsewhere;
    await flag(owner, secret.postId, 'confidentiality', 'Names a patient');
    const before = await queue(siteMod);
    expect(JSON.stringify(before)).not.toContain('ZQCONFIDENTIALMODMARKER');
    expect(before.elsewhere).toBe(waitingBefore + 1);
    const ownQueue = await queue(owner);
    const item = ownQueue.items.find((i) => i.post?.id === secret.postId);
    expect(item).toBeDefined();
    expect((await api(siteMod, 'GET', `/mod/queue/${item!.id}`)).statusCode).toBe(404);
    expect((await api(otherMod, 'POST', `/mod/queue/${item!.id}/decision`, { decision: 'keep' })).statusCode).toBe(404);
    await ok(owner, 'POST', `/mod/queue/${item!.id}/decision`, { decision: 'hide', reason: 'Identifiable patient details' });
    // Decided by its own moderators, it no longer waits.
    expect((await queue(siteMod)).elsewhere).toBe(waitingBefore);
    const siteLog = JSON.stringify(await ok(siteMod, 'GET', '/mod/log'));
    expect(siteLog).not.toContain('Identifiable patient details');
    expect(JSON.stringify(await ok(owner, 'GET', '/mod/log'))).toContain('Identifiable patient details');
    expect(JSON.stringify(await ok(null, 'GET', '/moderation/log'))).not.toContain('Identifiable patient details');
    // A plain member of the space is not a moderator anywhere: the queue is a 404.
    expect((await api(peer, 'GET', '/mod/queue')).statusCode).toBe(404);
  });
});

describe('the queue and the logs', () => {
  test('pages by keyset without overlap, by priority and by age', async () => {
    const fresh = await createTestApp();
    try {
      const mod = await createMember(fresh, { role: 'moderator' });
      const op = await createMember(fresh, { role: 'admin' });
      const writer = await createMember(fresh);
      const reporter = await createMember(fresh);
      const { board } = await createSpaceWithBoard(fresh, op);
      for (let i = 0; i < 30; i++) {
        const { postId } = await fresh.services.forum.createThread(writer.viewer, { boardId: board.id, title: `Paged ${i}`, body: `paged body ${i}` });
        await fresh.services.moderation.flagPost(reporter.viewer, postId, { reason: 'spam' });
      }
      for (const sort of ['priority', 'age'] as const) {
        const first = await fresh.inject({ method: 'GET', url: `/api/v1/mod/queue?sort=${sort}`, headers: mod.auth });
        const page1 = first.json() as { items: { id: number }[]; next: string };
        expect(page1.items).toHaveLength(25);
        const second = await fresh.inject({ method: 'GET', url: `/api/v1/mod/queue?sort=${sort}&after=${page1.next}`, headers: mod.auth });
        const page2 = second.json() as { items: { id: number }[]; next: string | null };
        expect(page2.items).toHaveLength(5);
        expect(page2.next).toBeNull();
        expect(new Set([...page1.items, ...page2.items].map((i) => i.id)).size).toBe(30);
      }
    } finally {
      await fresh.close();
    }
  });

  test('the public transparency log shows actions on public content with reasons, naming moderators only when the site says so', async () => {
    const { postId } = await post();
    await flag(siteMod, postId, 'spam');
    const item = await itemFor(siteMod, postId);
    await ok(siteMod, 'POST', `/mod/queue/${item.id}/decision`, { decision: 'hide', reason: 'Commercial advertising' });
    const lines = await ok<{ action: string; reason: string; moderator: string | null }[]>(null, 'GET', '/moderation/log');
    const line = lines.find((l) => l.reason === 'Commercial advertising');
    expect(line).toMatchObject({ action: 'hide', moderator: null });
    expect(JSON.stringify(lines)).not.toContain(author.handle);
    await setSettings({ nameModeratorsPublicly: true });
    try {
      const named = await ok<{ reason: string; moderator: string | null }[]>(null, 'GET', '/moderation/log');
      expect(named.find((l) => l.reason === 'Commercial advertising')?.moderator).toBe(siteMod.handle);
    } finally {
      await setSettings({ nameModeratorsPublicly: false });
    }
  });

  test('pinning and locking are in the moderation log; the public log names the thread while it is readable', async () => {
    const { threadId, postId } = await post();
    await ok(siteMod, 'PATCH', `/threads/${threadId}`, { pinned: true, locked: true });
    const log = await ok<{ action: string; actor: string; postId: number | null }[]>(siteMod, 'GET', `/mod/log?actor=${siteMod.handle}`);
    expect(log.slice(0, 2).map((l) => l.action).sort()).toEqual(['lock', 'pin']);
    expect(log.slice(0, 2).map((l) => l.postId)).toEqual([postId, postId]);
    const { title } = await ok<{ title: string }>(null, 'GET', `/threads/${threadId}`);
    const publicLog = await ok<{ action: string; reason: string; thread: { title: string; url: string } | null }[]>(null, 'GET', '/moderation/log');
    const lines = publicLog.filter((l) => l.thread?.title === title);
    expect(lines.map((l) => l.action).sort()).toEqual(['lock', 'pin']);
    // The title is the thread's link, not a reason the page prints for everyone for ever.
    expect(lines.every((l) => l.reason === '')).toBe(true);
  });

  test('settings changes are validated and logged', async () => {
    const bad = await api(admin, 'PUT', '/admin/moderation-settings', { holdFirstPosts: -1 });
    expect(bad.statusCode).toBe(400);
    await setSettings({ autoHideScore: 4 });
    await setSettings({ autoHideScore: 3 });
    const log = await ok<{ action: string }[]>(admin, 'GET', '/mod/log?action=settings');
    expect(log.length).toBeGreaterThanOrEqual(2);
  });
});
