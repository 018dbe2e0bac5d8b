import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { posts } from '../../db/schema/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { decodeHtml, locationOf, type Agent } from '../helpers/browser-session.ts';
import { addSpaceMember, createMember, createSpaceWithBoard, createThread, signedInAgent, type TestMember } from '../helpers/factories.ts';

/*
 * The moderation pages (issue 4) through the browser's forms, JavaScript off: flagging and
 * withdrawing, the author's notices and ways back, the queue, items and decisions, the log, the
 * public transparency page, settings and sanctions — and who may see which.
 */

let app: TestApp;
let admin: TestMember;
let siteMod: TestMember;
let otherMod: TestMember;
let alice: TestMember;
let bob: TestMember;
let carol: TestMember;
let confOwner: TestMember;
let board: { id: number; slug: string };
let confBoard: { id: number; slug: string };
let openSpaceId: number;
let confSpaceId: number;
let confSpaceName: string;

beforeAll(async () => {
  app = await createTestApp();
  [admin, siteMod, otherMod, alice, bob, carol, confOwner] = await Promise.all([
    createMember(app, { role: 'admin' }),
    createMember(app, { role: 'moderator' }),
    createMember(app, { role: 'moderator' }),
    createMember(app),
    createMember(app),
    createMember(app),
    createMember(app),
  ]);
  const open = await createSpaceWithBoard(app, admin, { name: 'Open Ward' });
  board = open.board;
  openSpaceId = open.space.id;
  confSpaceName = 'Balint CONFIDENTIALMARK circle';
  const conf = await createSpaceWithBoard(app, admin, { level: 'confidential', name: confSpaceName });
  confBoard = conf.board;
  confSpaceId = conf.space.id;
  await addSpaceMember(app, conf.space.id, confOwner);
  await addSpaceMember(app, conf.space.id, bob);
  const { spaceMembers } = await import('../../db/schema/index.ts');
  const { and, eq, inArray } = await import('drizzle-orm');
  await app.database.db
    .update(spaceMembers)
    .set({ role: 'owner', rulesAcceptedVersion: 100 })
    .where(and(eq(spaceMembers.spaceId, conf.space.id), eq(spaceMembers.userId, confOwner.viewer.id)));
  await app.database.db
    .update(spaceMembers)
    .set({ rulesAcceptedVersion: 100 })
    .where(and(eq(spaceMembers.spaceId, conf.space.id), inArray(spaceMembers.userId, [bob.viewer.id])));
});
afterAll(async () => app.close());

let counter = 0;
/** Bodies differ, so the duplicate-post rule never refuses a test's setup. */
const unique = (text: string) => `${text} (${++counter})`;

const threadUrl = (ref: { threadId: number; slug: string }) => `/t/${ref.threadId}/${ref.slug}`;

async function hiddenPostOf(author: TestMember, reason = 'Patient details are identifiable.') {
  const thread = await createThread(app, author, board.id, `Hidden thread ${Math.random().toString(36).slice(2, 8)}`, unique('A perfectly fine opening.'));
  const reply = await app.services.forum.reply(author.viewer, thread.threadId, { body: `Mrs X, 43, bed 12 — ${Math.random()}` });
  await app.services.moderation.flagPost(carol.viewer, reply.postId, { reason: 'confidentiality' });
  const { items } = await app.services.moderation.queue(siteMod.viewer, { sort: 'priority', status: 'open' });
  const item = items.find((i) => i.postId === reply.postId)!;
  await app.services.moderation.decide(siteMod.viewer, item.id, { decision: 'hide', reason });
  return { thread, reply, itemId: item.id };
}

describe('flagging a post', () => {
  test('members see Flag on other people’s posts, never on their own; visitors never', async () => {
    const thread = await createThread(app, alice, board.id, 'Flag links', 'Opening by Alice.');
    await app.services.forum.reply(bob.viewer, thread.threadId, { body: 'Reply by Bob.' });
    const asAlice = await (await signedInAgent(app, alice)).get(threadUrl(thread));
    const flags = [...asAlice.body.matchAll(/href="\/p\/(\d+)\/flag"/g)].map((m) => Number(m[1]));
    expect(flags).toHaveLength(1);
    expect(flags[0]).not.toBe(thread.postId);
    const anonymous = await app.inject({ method: 'GET', url: threadUrl(thread) });
    expect(anonymous.body).not.toContain('/flag"');
  });

  test('a flag that hides a reply leads back to its place in the thread, not to the home page', async () => {
    const thread = await createThread(app, alice, board.id, 'Flag that hides', unique('Opening.'));
    const author = await createMember(app);
    const reply = await app.services.forum.reply(author.viewer, thread.threadId, { body: unique('Buy my supplements.') });
    // Three members' flags hide a post; the third flagger can no longer read it.
    for (const flagger of [bob, carol]) await app.services.moderation.flagPost(flagger.viewer, reply.postId, { reason: 'spam' });
    const agent = await signedInAgent(app, await createMember(app));
    await agent.get(`/p/${reply.postId}/flag`);
    const res = await agent.postForm(`/p/${reply.postId}/flag`, { reason: 'spam', note: '' });
    expect(res.statusCode).toBe(303);
    expect(locationOf(res)).toBe(`${threadUrl(thread)}#p${reply.number}`);
    expect((await agent.open(locationOf(res))).body).toContain('The post is hidden until a moderator reviews it.');
  });

  test('a refused flag keeps the note typed; a good one shows "You flagged this" and can be withdrawn', async () => {
    const thread = await createThread(app, alice, board.id, 'Flag me', 'Take 40 mg of everything.');
    const agent = await signedInAgent(app, bob);
    const form = await agent.get(`/p/${thread.postId}/flag`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('name="_csrf"');
    expect(form.body).toContain('Misinformation (clinically unsafe or false)');

    const noReason = await agent.postForm(`/p/${thread.postId}/flag`, { note: 'The dose is ten times too high.' });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.body).toContain('Choose what is wrong');
    expect(noReason.body).toContain('The dose is ten times too high.');

    const otherEmpty = await agent.postForm(`/p/${thread.postId}/flag`, { reason: 'other', note: '  ' });
    expect(otherEmpty.statusCode).toBe(422);
    expect(decodeHtml(otherEmpty.body)).toContain('“something else” needs a few words');
    expect(otherEmpty.body).toMatch(/value="other"[^>]*checked|checked[^>]*value="other"/);

    const sent = await agent.postForm(`/p/${thread.postId}/flag`, { reason: 'misinformation', note: 'The dose is ten times too high.' });
    expect(sent.statusCode).toBe(303);
    const page = await agent.open(locationOf(sent));
    expect(page.body).toContain('A moderator will look at the post.');
    expect(page.body).toContain('You flagged this');
    expect(page.body).not.toContain(`href="/p/${thread.postId}/flag"`);
    const flag = await app.services.moderation.ownFlagOnPost(bob.viewer, thread.postId);
    expect(flag).toBeDefined();

    const again = await agent.postForm(`/p/${thread.postId}/flag`, { reason: 'spam', note: 'twice' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('already flagged');

    await agent.get(threadUrl(thread));
    const withdrawn = await agent.postForm(`/flags/${flag!.id}/withdraw`, { next: `${threadUrl(thread)}#p1` });
    expect(withdrawn.statusCode).toBe(303);
    const after = await agent.open(locationOf(withdrawn));
    expect(after.body).toContain('Your flag is withdrawn.');
    expect(after.body).toContain(`href="/p/${thread.postId}/flag"`);
    expect(await app.services.moderation.ownFlagOnPost(bob.viewer, thread.postId)).toBeUndefined();
  });

  test('a member flags a profile from the profile page', async () => {
    const agent = await signedInAgent(app, bob);
    const profile = await agent.get(`/u/${carol.handle}`);
    expect(profile.body).toContain(`href="/u/${carol.handle}/flag"`);
    expect(profile.body).not.toContain(`/u/${carol.handle}/moderate`);
    // The form speaks of a member's profile and conduct, not of a post in a board.
    const form = decodeHtml((await agent.get(`/u/${carol.handle}/flag`)).body);
    expect(form).toContain(`what is wrong with this member's profile or conduct. They see who flagged; Dr ${carol.handle} does not.`);
    expect(form).toContain('Claims a title, specialty or institution that is not theirs.');
    expect(form).not.toContain('value="off_topic"');
    expect(form).not.toContain('hide a post');
    const sent = await agent.postForm(`/u/${carol.handle}/flag`, { reason: 'spam', note: 'Sells supplements in every bio line.' });
    expect(sent.statusCode).toBe(303);
    expect(locationOf(sent)).toBe(`/u/${carol.handle}`);
    const queue = await (await signedInAgent(app, siteMod)).get('/mod/queue?kind=flagged');
    expect(queue.body).toContain(`profile of Dr ${carol.handle}`);
  });
});

describe('who may open the moderator pages', () => {
  test('a member gets 404 from /mod pages and sees no Review queue link', async () => {
    const agent = await signedInAgent(app, alice);
    for (const url of ['/mod/queue', '/mod/queue/1', '/mod/log', `/u/${bob.handle}/moderate`]) expect((await agent.get(url)).statusCode, url).toBe(404);
    expect((await agent.get('/')).body).not.toContain('Review queue');
  });

  test('moderators see the Review queue link with the open count', async () => {
    const page = await (await signedInAgent(app, siteMod)).get('/');
    expect(page.body).toMatch(/href="\/mod\/queue"[^>]*><span class="wide-only">Review queue<\/span><span class="narrow-only">Queue<\/span> <span class="count[^"]*">\d+/);
  });
});

describe('deciding, and what the author sees', () => {
  test('a decision with a sanction confirms both', async () => {
    const author = await createMember(app);
    const thread = await createThread(app, author, board.id, 'Sanctioned thread', unique('Buy cheap scrubs at example.com'));
    await app.services.moderation.flagPost(bob.viewer, thread.postId, { reason: 'spam' });
    const { items } = await app.services.moderation.queue(siteMod.viewer, { sort: 'priority', status: 'open' });
    const itemId = items.find((i) => i.postId === thread.postId)!.id;
    const mod = await signedInAgent(app, siteMod);
    await mod.get(`/mod/queue/${itemId}`);
    const decided = await mod.postForm(`/mod/queue/${itemId}`, { decision: 'hide', reason: 'Advertising.', sanctionKind: 'silence', sanctionDays: '3', sanctionReason: 'Advertising in clinical boards.' });
    expect(decided.statusCode).toBe(303);
    expect((await mod.open(locationOf(decided))).body).toContain('Decided: Hide. The author is silenced for 3 days.');
  });

  test('hide needs a reason; the author sees it, asks for another review after editing, and the post comes back', async () => {
    const thread = await createThread(app, alice, board.id, 'Ward round notes', unique('Opening.'));
    const reply = await app.services.forum.reply(alice.viewer, thread.threadId, { body: 'Bed 12, Mrs Jones, born 1961-04-02.' });
    await app.services.moderation.flagPost(bob.viewer, reply.postId, { reason: 'confidentiality', note: 'Names a patient.' });
    const { items } = await app.services.moderation.queue(siteMod.viewer, { sort: 'priority', status: 'open' });
    const itemId = items.find((i) => i.postId === reply.postId)!.id;

    const mod = await signedInAgent(app, siteMod);
    const item = await mod.get(`/mod/queue/${itemId}`);
    expect(item.statusCode).toBe(200);
    expect(item.body).toContain('Names a patient.');
    expect(item.body).toContain(`@${bob.handle}`);
    expect(item.body).toContain('Bed 12, Mrs Jones');
    expect(item.body).toContain('value="edit_keep"');
    expect(decodeHtml(item.body)).toContain('Bed 12, Mrs Jones, born 1961-04-02.</textarea>');

    const noReason = await mod.postForm(`/mod/queue/${itemId}`, { decision: 'hide', reason: '' });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.body).toContain('Give the author a reason');

    const hidden = await mod.postForm(`/mod/queue/${itemId}`, { decision: 'hide', reason: 'It names a patient and a date of birth.' });
    expect(hidden.statusCode).toBe(303);
    expect(locationOf(hidden)).toMatch(/^\/mod\/queue(\/\d+)?$/);

    // Other members no longer see it; the moderator sees a badge; the author sees why and what to do.
    expect((await (await signedInAgent(app, carol)).get(threadUrl(thread))).body).not.toContain('Mrs Jones');
    const modView = await mod.get(threadUrl(thread));
    expect(modView.body).toContain('Mrs Jones');
    expect(modView.body).toContain('badge-hidden');
    const author = await signedInAgent(app, alice);
    const notice = await author.get(threadUrl(thread));
    expect(notice.body).toContain('Hidden: other members cannot see this post.');
    expect(notice.body).toContain('It names a patient and a date of birth.');
    expect(notice.body).toContain(`href="/p/${reply.postId}/review"`);
    expect(notice.body).toContain(`href="/p/${reply.postId}/appeal"`);

    // Asking again without editing is refused, keeping the note.
    await author.get(`/p/${reply.postId}/review`);
    const early = await author.postForm(`/p/${reply.postId}/review`, { note: 'I removed nothing yet' });
    expect(early.statusCode).toBe(422);
    expect(early.body).toContain('Edit the post first');
    expect(early.body).toContain('I removed nothing yet');

    await author.get(`/p/${reply.postId}/edit`);
    const edited = await author.postForm(`/p/${reply.postId}/edit`, { body: 'Bed 12: a woman in her sixties.', baseRevision: '1', intent: 'post' });
    expect(edited.statusCode).toBe(303);
    await author.get(`/p/${reply.postId}/review`);
    const asked = await author.postForm(`/p/${reply.postId}/review`, { note: 'Removed the name and date of birth.' });
    expect(asked.statusCode).toBe(303);

    const queue = await mod.get('/mod/queue?kind=review_request');
    expect(queue.body).toContain('Removed the name and date of birth.');
    const reviewId = Number(new RegExp(`href="/mod/queue/(\\d+)"[^>]*data-queue-link[^>]*>Review request: Ward round notes`).exec(queue.body)?.[1]);
    const reviewPage = await mod.get(`/mod/queue/${reviewId}`);
    expect(reviewPage.body).toContain('Earlier versions');
    expect(reviewPage.body).toContain('value="restore"');
    const restored = await mod.postForm(`/mod/queue/${reviewId}`, { decision: 'restore', reason: 'Thanks for fixing it.' });
    expect(restored.statusCode).toBe(303);
    expect((await (await signedInAgent(app, carol)).get(threadUrl(thread))).body).toContain('a woman in her sixties');
  });

  test('an appeal needs a note and can be made once', async () => {
    const { reply } = await hiddenPostOf(alice);
    const author = await signedInAgent(app, alice);
    const form = await author.get(`/p/${reply.postId}/appeal`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Patient details are identifiable.');
    const empty = await author.postForm(`/p/${reply.postId}/appeal`, { note: '' });
    expect(empty.statusCode).toBe(422);
    const sent = await author.postForm(`/p/${reply.postId}/appeal`, { note: 'There is no name in it, only a bed number.' });
    expect(sent.statusCode).toBe(303);
    await author.get(`/p/${reply.postId}/appeal`);
    const twice = await author.postForm(`/p/${reply.postId}/appeal`, { note: 'Again, please.' });
    expect(twice.statusCode).toBe(409);
    expect(twice.body).toContain('Again, please.');
    // Someone else's post has no appeal page.
    expect((await (await signedInAgent(app, bob)).get(`/p/${reply.postId}/appeal`)).statusCode).toBe(404);
    // The moderator who hid it cannot decide the appeal.
    const queue = await (await signedInAgent(app, siteMod)).get('/mod/queue?kind=appeal');
    const appealId = Number(/href="\/mod\/queue\/(\d+)"[^>]*data-queue-link/.exec(queue.body)?.[1]);
    expect((await (await signedInAgent(app, siteMod)).get(`/mod/queue/${appealId}`)).body).toContain('another moderator decides it');
    expect((await (await signedInAgent(app, otherMod)).get(`/mod/queue/${appealId}`)).body).toContain('value="keep_hidden"');
  });

  test('/me/moderation lists the member’s hidden posts with the note, and settings link to it', async () => {
    await hiddenPostOf(alice, 'Unique reason for the list page.');
    const agent = await signedInAgent(app, alice);
    const page = await agent.get('/me/moderation');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Your posts under review');
    expect(page.body).toContain('Unique reason for the list page.');
    expect((await agent.get('/settings')).body).toContain('href="/me/moderation"');
  });

  test('a second moderator deciding the same item gets a clear conflict and keeps what was typed', async () => {
    const thread = await createThread(app, alice, board.id, 'Race condition', 'Buy cheap pills at example.test');
    await app.services.moderation.flagPost(bob.viewer, thread.postId, { reason: 'spam' });
    const { items } = await app.services.moderation.queue(siteMod.viewer, { sort: 'priority', status: 'open' });
    const itemId = items.find((i) => i.postId === thread.postId)!.id;
    const first = await signedInAgent(app, siteMod);
    const second = await signedInAgent(app, otherMod);
    await first.get(`/mod/queue/${itemId}`);
    await second.get(`/mod/queue/${itemId}`);
    expect((await first.postForm(`/mod/queue/${itemId}`, { decision: 'delete', reason: 'Advertising.' })).statusCode).toBe(303);
    const late = await second.postForm(`/mod/queue/${itemId}`, { decision: 'hide', reason: 'My carefully written reason.' });
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain('Another moderator got there first.');
    expect(late.body).toContain(`@${siteMod.handle}`);
    expect(late.body).toContain('My carefully written reason.');
    // A moderator's removal leaves its own tombstone.
    const tomb = await app.inject({ method: 'GET', url: threadUrl(thread) });
    expect(tomb.statusCode).toBe(404); // the opening post took its thread with it
  });

  test('a reply removed by a moderator says so in its place', async () => {
    const thread = await createThread(app, alice, board.id, 'Tombstones', unique('Opening.'));
    const reply = await app.services.forum.reply(bob.viewer, thread.threadId, { body: 'Spam spam spam' });
    await app.services.moderation.flagPost(carol.viewer, reply.postId, { reason: 'spam' });
    const { items } = await app.services.moderation.queue(siteMod.viewer, { sort: 'priority', status: 'open' });
    await app.services.moderation.decide(siteMod.viewer, items.find((i) => i.postId === reply.postId)!.id, { decision: 'delete', reason: 'Spam.' });
    const page = await app.inject({ method: 'GET', url: threadUrl(thread) });
    expect(page.body).toContain('Post removed by a moderator.');
    expect(page.body).not.toContain('Spam spam spam');
  });

  test('a hidden reply leaves a line in its place for other readers, where links to it land; its words stay hidden', async () => {
    const thread = await createThread(app, alice, board.id, 'A gap in the thread', unique('Opening.'));
    const reply = await app.services.forum.reply(alice.viewer, thread.threadId, { body: unique('Mrs X, bed 12, had the same.') });
    const answer = await app.services.forum.reply(bob.viewer, thread.threadId, { body: unique('Agreed with the point above.'), replyToPostId: reply.postId });
    await app.services.moderation.flagPost(carol.viewer, reply.postId, { reason: 'confidentiality' });
    const { items } = await app.services.moderation.queue(siteMod.viewer, { sort: 'priority', status: 'open' });
    await app.services.moderation.decide(siteMod.viewer, items.find((i) => i.postId === reply.postId)!.id, { decision: 'hide', reason: 'Identifiable.' });
    const page = decodeHtml((await app.inject({ method: 'GET', url: threadUrl(thread) })).body);
    expect(page).toContain(`#${reply.number} is not shown: hidden by the moderators, or waiting for their approval.`);
    expect(page).toContain(`<span id="p${reply.number}"></span>`);
    expect(page).toContain(`in reply to @${alice.handle} #${reply.number}`);
    expect(page).toContain(`id="p${answer.number}"`);
    expect(page).not.toContain('bed 12');
    // The moderators see the post itself, so no line stands in for it.
    const mod = await (await signedInAgent(app, siteMod)).get(threadUrl(thread));
    expect(mod.body).not.toContain('is not shown');
    expect(mod.body).toContain('bed 12');
  });

  test('a hidden last post leaves its line too, after the posts shown', async () => {
    const thread = await createThread(app, alice, board.id, 'A gap at the end', unique('Opening.'));
    // An author of their own: other tests count the log lines about bob's posts.
    const author = await createMember(app);
    const last = await app.services.forum.reply(author.viewer, thread.threadId, { body: unique('Bed 7 again.') });
    await app.services.moderation.flagPost(carol.viewer, last.postId, { reason: 'confidentiality' });
    const { items } = await app.services.moderation.queue(siteMod.viewer, { sort: 'priority', status: 'open' });
    await app.services.moderation.decide(siteMod.viewer, items.find((i) => i.postId === last.postId)!.id, { decision: 'hide', reason: 'Identifiable.' });
    const page = decodeHtml((await app.inject({ method: 'GET', url: threadUrl(thread) })).body);
    expect(page).toContain(`<span id="p${last.number}"></span>#${last.number} is not shown`);
    expect(page.indexOf(`#${last.number} is not shown`)).toBeGreaterThan(page.indexOf('id="p1"'));
    expect(page).not.toContain('Bed 7 again.');
  });

  test('a held post: the author is told after posting, the moderator approves it from the queue', async () => {
    const newcomer = await createMember(app, { trustLevel: 0 });
    await app.services.moderation.updateSettings(admin.viewer, { ...(await app.services.moderation.settings()), holdFirstPosts: 1 });
    try {
      const thread = await createThread(app, alice, board.id, 'Welcome thread', 'Say hello.');
      const agent = await signedInAgent(app, newcomer);
      // Told before writing, on the reply page and the new-thread page; members past their first posts are not.
      const warned = 'A new member’s first post is checked by a moderator before others see it: yours will appear once approved.';
      expect(decodeHtml((await agent.get(`/t/${thread.threadId}/reply`)).body)).toContain(warned);
      expect(decodeHtml((await agent.get(threadUrl(thread))).body)).toContain(warned);
      const { space } = await app.services.forum.thread(newcomer.viewer, thread.threadId);
      expect(decodeHtml((await agent.get(`/s/${space.slug}/${board.slug}/new`)).body)).toContain(warned);
      expect(decodeHtml((await (await signedInAgent(app, alice)).get(`/t/${thread.threadId}/reply`)).body)).not.toContain(warned);
      await agent.get(threadUrl(thread));
      const posted = await agent.postForm(`/t/${thread.threadId}/reply`, { body: 'Hello from a new member!', intent: 'post' });
      expect(posted.statusCode).toBe(303);
      const page = await agent.open(locationOf(posted));
      expect(page.body).toContain('Your post is waiting for approval');
      expect(page.body).toContain('Waiting for approval: only you and the moderators can see this post.');
      // The reason is said once, on the post, not again in the message at the top.
      const [held] = await app.database.db.select({ id: posts.id, note: posts.moderationNote }).from(posts).where(eq(posts.authorId, newcomer.viewer.id));
      const reason = held!.note;
      expect(reason.length).toBeGreaterThan(0);
      expect(decodeHtml(page.body).split(reason)).toHaveLength(2);
      expect(reason).toContain('first post');
      // A second post while the first waits is held because the first waits, and says so.
      expect(decodeHtml((await agent.get(`/t/${thread.threadId}/reply`)).body)).toContain('Your earlier post is still waiting for a moderator.');
      const stillWaiting = 'You wrote this while your first post was waiting for a moderator, so it waits too.';
      expect((await agent.postForm(`/t/${thread.threadId}/reply`, { body: 'And a second hello.', intent: 'post' })).statusCode).toBe(303);
      const notes = await app.database.db.select({ note: posts.moderationNote }).from(posts).where(eq(posts.authorId, newcomer.viewer.id)).orderBy(posts.id);
      expect(notes.map((n) => n.note.startsWith(stillWaiting))).toEqual([false, true]);
      expect((await app.inject({ method: 'GET', url: threadUrl(thread) })).body).not.toContain('Hello from a new member!');
      const mod = await signedInAgent(app, siteMod);
      const queue = await mod.get('/mod/queue?kind=held_post');
      const listed = [...queue.body.matchAll(/href="\/mod\/queue\/(\d+)"[^>]*data-queue-link/g)].map((m) => Number(m[1]));
      const { items } = await app.services.moderation.queue(siteMod.viewer, { sort: 'priority', status: 'open', kind: 'held_post' });
      const itemId = items.find((i) => i.postId === held!.id)!.id;
      expect(listed).toContain(itemId);
      const item = await mod.get(`/mod/queue/${itemId}`);
      expect(item.body).toContain('value="approve"');
      // The moderator sees why it waits: what its author was told.
      expect(decodeHtml(item.body)).toContain(`Its author was told: “${reason}”`);
      expect(item.body).not.toContain('value="hide"');
      expect((await mod.postForm(`/mod/queue/${itemId}`, { decision: 'approve' })).statusCode).toBe(303);
      expect((await app.inject({ method: 'GET', url: threadUrl(thread) })).body).toContain('Hello from a new member!');
    } finally {
      await app.services.moderation.updateSettings(admin.viewer, { ...(await app.services.moderation.settings()), holdFirstPosts: 0 });
    }
  });
});

describe('the queue', () => {
  test('filters by reason and kind, pages with Next page links, and shows the keyboard shortcuts', async () => {
    const thread = await createThread(app, carol, board.id, 'Many flags', unique('Opening.'));
    const ids: number[] = [];
    for (let i = 0; i < 27; i++) ids.push((await app.services.forum.reply(carol.viewer, thread.threadId, { body: `Off-topic aside number ${i}` })).postId);
    for (const id of ids) await app.services.moderation.flagPost(alice.viewer, id, { reason: 'off_topic' });
    const mod = await signedInAgent(app, siteMod);
    const first = await mod.get('/mod/queue?reason=off_topic&sort=age');
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('<kbd>j</kbd>');
    expect(first.body).toContain('data-queue');
    const rows = (body: string) => [...body.matchAll(/Off-topic aside number (\d+)/g)].map((m) => Number(m[1]));
    expect(rows(first.body)).toHaveLength(25);
    expect(rows(first.body)[0]).toBe(0);
    const next = /href="(\/mod\/queue\?[^"]*after=[^"]+)"[^>]*rel="next"/.exec(first.body)?.[1];
    expect(next).toBeDefined();
    expect(decodeHtml(next!)).toContain('reason=off_topic');
    const second = await mod.get(decodeHtml(next!));
    expect(rows(second.body)).toEqual([25, 26]);
    expect(second.body).toContain('First page');
    const spam = await mod.get('/mod/queue?reason=spam');
    expect(rows(spam.body)).toHaveLength(0);
    const held = await mod.get('/mod/queue?kind=held_post&reason=');
    expect(held.statusCode).toBe(200);
    expect(rows(held.body)).toHaveLength(0);
    // Junk in the query string is ignored, not an error.
    expect((await mod.get('/mod/queue?kind=bogus&space=abc&after=zzz&sort=sideways')).statusCode).toBe(200);
    // Decided items are listed under status=decided.
    expect((await mod.get('/mod/queue?status=decided')).body).toContain('Decided:');
  });

  test('a queue line quotes the post as readers see it, not its Markdown', async () => {
    const thread = await createThread(app, alice, board.id, 'Markdown in the queue', unique('Opening.'));
    const reply = await app.services.forum.reply(carol.viewer, thread.threadId, {
      body: unique('A *normal lactate* does **not** rule out [ischaemia](https://example.org/x) &amp; more.'),
    });
    await app.services.moderation.flagPost(alice.viewer, reply.postId, { reason: 'misinformation' });
    const queue = decodeHtml((await (await signedInAgent(app, siteMod)).get('/mod/queue?reason=misinformation')).body);
    expect(queue).toContain('A normal lactate does not rule out ischaemia & more.');
    expect(queue).not.toContain('*normal lactate*');
    expect(queue).not.toContain('](https://');
  });

  test('filters by space, in either order, and a space the moderator does not moderate lists nothing', async () => {
    const other = await createSpaceWithBoard(app, admin, { name: 'Second Ward' });
    const flaggedIn = async (boardId: number, label: string, author = carol, flagger = alice) => {
      const thread = await createThread(app, author, boardId, unique(`${label} thread`), unique('Opening.'));
      const { postId } = await app.services.forum.reply(author.viewer, thread.threadId, { body: unique(`${label} aside`) });
      await app.services.moderation.flagPost(flagger.viewer, postId, { reason: 'spam' });
    };
    await flaggedIn(board.id, 'FIRSTWARD');
    await flaggedIn(other.board.id, 'SECONDWARD');
    await flaggedIn(confBoard.id, 'CONFWARD', bob, admin);
    const mod = await signedInAgent(app, siteMod);
    for (const sort of ['priority', 'age']) {
      const second = (await mod.get(`/mod/queue?space=${other.space.id}&sort=${sort}`)).body;
      expect(second, sort).toContain('SECONDWARD aside');
      expect(second, sort).not.toContain('FIRSTWARD aside');
    }
    const first = (await mod.get(`/mod/queue?space=${openSpaceId}&reason=spam`)).body;
    expect(first).toContain('FIRSTWARD aside');
    expect(first).not.toContain('SECONDWARD aside');
    // The confidential space's own moderators decide there: a site moderator's filter on it is empty.
    const confidential = await mod.get(`/mod/queue?space=${confSpaceId}`);
    expect(confidential.statusCode).toBe(200);
    expect(confidential.body).not.toContain('CONFWARD');
    expect((await (await signedInAgent(app, confOwner)).get(`/mod/queue?space=${confSpaceId}`)).body).toContain('CONFWARD aside');
  });

  test('a confidential space’s moderator sees its items; a site moderator sees only how many wait there', async () => {
    const thread = await createThread(app, confOwner, confBoard.id, 'CONFIDENTIALMARK thread', 'CONFIDENTIALMARK opening');
    const reply = await app.services.forum.reply(bob.viewer, thread.threadId, { body: 'CONFIDENTIALMARK reply' });
    await app.services.moderation.flagPost(admin.viewer, reply.postId, { reason: 'abusive', note: 'CONFIDENTIALMARK note' });
    const owner = await signedInAgent(app, confOwner);
    const ownQueue = await owner.get('/mod/queue');
    expect(ownQueue.statusCode).toBe(200);
    expect(ownQueue.body).toContain('CONFIDENTIALMARK reply');
    expect((await owner.get('/')).body).toContain('Review queue');
    const itemId = Number(/href="\/mod\/queue\/(\d+)"[^>]*data-queue-link/.exec(ownQueue.body)?.[1]);
    expect((await owner.get(`/mod/queue/${itemId}`)).body).toContain('CONFIDENTIALMARK note');

    // (The admin made the space, so is its member; a site moderator is an outsider.)
    for (const staff of [siteMod, otherMod]) {
      const agent = await signedInAgent(app, staff);
      const queue = await agent.get('/mod/queue');
      expect(queue.body).not.toContain('CONFIDENTIALMARK');
      expect(queue.body).toMatch(/more items? waits? in confidential spaces/);
      expect((await agent.get(`/mod/queue/${itemId}`)).statusCode).toBe(404);
      expect((await agent.get('/mod/log')).body).not.toContain('CONFIDENTIALMARK');
    }
  });
});

describe('a hidden post brought back', () => {
  test('the hidden post leads its moderator to its item, which can restore it with a reason the author hears', async () => {
    const { thread, reply, itemId } = await hiddenPostOf(alice);
    const mod = await signedInAgent(app, otherMod);
    // From the thread: the hidden post's line goes to the item that hid it.
    const page = await mod.get(threadUrl(thread));
    expect(page.body).toContain(`href="/mod/post/${reply.postId}"`);
    const to = await mod.get(`/mod/post/${reply.postId}`);
    expect(to.statusCode).toBe(303);
    expect(locationOf(to)).toBe(`/mod/queue/${itemId}`);
    const item = decodeHtml((await mod.get(`/mod/queue/${itemId}`)).body);
    expect(item).toContain('Bring the post back');
    // A decided item says when it was decided, not that it is waiting.
    expect(item).toMatch(/opened <time[^>]*>[^<]*<\/time>, decided <time/);
    expect(item).not.toContain('waiting since');

    const noReason = await mod.postForm(`/mod/queue/${itemId}/restore`, { reason: ' ' });
    expect(noReason.statusCode).toBe(422);
    expect(decodeHtml(noReason.body)).toContain('Say why it comes back');
    expect((await app.database.db.select({ status: posts.status }).from(posts).where(eq(posts.id, reply.postId)))[0]?.status).toBe('hidden');

    const restored = await mod.postForm(`/mod/queue/${itemId}/restore`, { reason: 'On a second look the details are not identifying.' });
    expect(restored.statusCode).toBe(303);
    const after = decodeHtml((await mod.open(locationOf(restored))).body);
    expect(after).toContain('The post is visible again; its author is told.');
    expect(after).not.toContain('Bring the post back');
    // The item keeps the record: who brought it back, and why.
    expect(after).toMatch(new RegExp(`Brought back by @${otherMod.handle} <time[^>]*>[^<]*</time> — “On a second look the details are not identifying.”`));
    expect(decodeHtml((await (await signedInAgent(app, bob)).get(threadUrl(thread))).body)).toContain('bed 12');
    const author = decodeHtml((await (await signedInAgent(app, alice)).get('/notifications')).body);
    expect(author).toMatch(/Your post in “Hidden thread \w+” is visible again\./);
    expect(decodeHtml((await mod.get('/mod/log')).body)).toContain('On a second look the details are not identifying.');

    // Twice: nothing to do, and it says so.
    const again = await mod.postForm(`/mod/queue/${itemId}/restore`, { reason: 'Again.' });
    expect(decodeHtml((await mod.open(locationOf(again))).body)).toContain('The post is not hidden any more.');
    // Members who moderate nothing cannot.
    const outsider = await signedInAgent(app, carol);
    expect((await outsider.get(`/mod/post/${reply.postId}`)).statusCode).toBe(404);
  });
});

describe('an item about a moderator', () => {
  test('goes to the other moderators: its subject does not see it, who flagged, or decide it', async () => {
    const thread = await createThread(app, confOwner, confBoard.id, unique('OWNPOST thread'), unique('OWNPOST opening'));
    const reply = await app.services.forum.reply(confOwner.viewer, thread.threadId, { body: 'OWNPOST the owner’s own words' });
    await app.services.moderation.flagPost(bob.viewer, reply.postId, { reason: 'confidentiality', note: 'OWNPOST named a patient' });
    const item = await app.services.moderation.item(admin.viewer, (await app.services.moderation.queue(admin.viewer, { status: 'open', sort: 'priority' })).items.find((i) => i.postId === reply.postId)!.id);

    const owner = await signedInAgent(app, confOwner);
    const queue = decodeHtml((await owner.get('/mod/queue')).body);
    expect(queue).not.toContain('OWNPOST');
    expect(queue).not.toContain(`/mod/queue/${item.item.id}"`);
    const page = await owner.get(`/mod/queue/${item.item.id}`);
    expect(page.statusCode).toBe(404);
    expect(page.body).not.toContain(bob.handle);
    const decided = await owner.postForm(`/mod/queue/${item.item.id}`, { decision: 'dismiss', reason: '' });
    expect(decided.statusCode).toBe(404);
    await expect(app.services.moderation.decide(confOwner.viewer, item.item.id, { decision: 'dismiss', reason: '' })).rejects.toThrow();

    // The space's other moderator (its creator) sees who flagged and decides.
    const other = decodeHtml((await (await signedInAgent(app, admin)).get(`/mod/queue/${item.item.id}`)).body);
    expect(other).toContain('OWNPOST named a patient');
    expect(other).toContain(bob.handle);
    await app.services.moderation.decide(admin.viewer, item.item.id, { decision: 'dismiss', reason: '' });
  });

  test('in a confidential space whose only moderator wrote the post, the flagger is told the flag waits; the manage page asks for a second moderator', async () => {
    const { spaceMembers } = await import('../../db/schema/index.ts');
    const { and, eq, ne } = await import('drizzle-orm');
    const lone = await createSpaceWithBoard(app, admin, { level: 'confidential', name: unique('Lone circle') });
    await addSpaceMember(app, lone.space.id, confOwner);
    await addSpaceMember(app, lone.space.id, bob);
    await app.database.db.update(spaceMembers).set({ role: 'owner', rulesAcceptedVersion: 100 }).where(and(eq(spaceMembers.spaceId, lone.space.id), eq(spaceMembers.userId, confOwner.viewer.id)));
    await app.database.db.update(spaceMembers).set({ rulesAcceptedVersion: 100 }).where(and(eq(spaceMembers.spaceId, lone.space.id), eq(spaceMembers.userId, bob.viewer.id)));
    // The admin who made it left: the owner is its only moderator.
    await app.database.db.update(spaceMembers).set({ status: 'removed' }).where(and(eq(spaceMembers.spaceId, lone.space.id), ne(spaceMembers.userId, confOwner.viewer.id), ne(spaceMembers.userId, bob.viewer.id)));
    const thread = await createThread(app, confOwner, lone.board.id, unique('LONE thread'), unique('LONE opening'));

    const flagger = await signedInAgent(app, bob);
    await flagger.get(`/p/${thread.postId}/flag`);
    const flagged = await flagger.postForm(`/p/${thread.postId}/flag`, { reason: 'confidentiality', note: '' });
    expect(flagged.statusCode).toBe(303);
    expect(decodeHtml((await flagger.open(locationOf(flagged))).body)).toContain('The post’s author is the only moderator here, so your flag waits until the space has another moderator. The author does not see your flag.');

    const owner = await signedInAgent(app, confOwner);
    const manage = decodeHtml((await owner.get(`/s/${lone.space.slug}/manage`)).body);
    expect(manage).toContain('You are this space’s only moderator, so flags on your own posts wait until there is another.');
    // With a second moderator the flag is theirs to decide, and the hint goes.
    await app.database.db.update(spaceMembers).set({ role: 'moderator' }).where(and(eq(spaceMembers.spaceId, lone.space.id), eq(spaceMembers.userId, bob.viewer.id)));
    expect((await owner.get(`/s/${lone.space.slug}/manage`)).body).not.toContain('data-lone-moderator');
    const other = await createThread(app, confOwner, lone.board.id, unique('LONE second'), unique('LONE second opening'));
    expect((await app.services.moderation.flagPost(bob.viewer, other.postId, { reason: 'other', note: 'Not for here' })).waits).toBe(false);
    expect((await app.services.moderation.queue(bob.viewer, { status: 'open', sort: 'priority' })).items.map((i) => i.postId)).toContain(thread.postId);
  });
});

describe('the logs', () => {
  test('the moderators’ log filters by action and member, and pages to older lines', async () => {
    await hiddenPostOf(bob, 'Log line reason, findable.');
    const mod = await signedInAgent(app, siteMod);
    const log = await mod.get('/mod/log');
    expect(log.statusCode).toBe(200);
    expect(log.body).toContain('Log line reason, findable.');
    const hides = await mod.get(`/mod/log?action=hide&subject=${bob.handle}`);
    expect(hides.body).toContain('Log line reason, findable.');
    expect(hides.body.match(/class="log-line"/g)).toHaveLength(1);
    const none = await mod.get('/mod/log?action=purge&actor=nobody-at-all');
    expect(none.body).toContain('No log lines match these filters.');
    const older = await mod.get('/mod/log?before=1');
    expect(older.statusCode).toBe(200);
    expect(older.body).toContain('Newest');
  });

  test('the public page lists actions on public posts with reasons, no private content, and names moderators only when the setting says so', async () => {
    await hiddenPostOf(alice, 'Public reason for the transparency page.');
    const page = await app.inject({ method: 'GET', url: '/moderation' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Public reason for the transparency page.');
    expect(page.body).not.toContain('CONFIDENTIALMARK');
    expect(page.body).not.toContain(`@${siteMod.handle}`);
    expect(page.body).not.toContain('Removed the name and date of birth.'); // an author's note to moderators
    expect((await app.inject({ method: 'GET', url: '/' })).body).toContain('href="/moderation"');

    const adminAgent = await signedInAgent(app, admin);
    const form = await adminAgent.get('/admin/moderation');
    const current = Object.fromEntries(
      [...form.body.matchAll(/<input[^>]*name="(\w+)"[^>]*type="number"[^>]*value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    const saved = await adminAgent.postForm('/admin/moderation', { ...current, nameModeratorsPublicly: 'true', watchedWords: '' });
    expect(saved.statusCode).toBe(303);
    expect((await app.inject({ method: 'GET', url: '/moderation' })).body).toContain(`@${siteMod.handle}`);
    await app.services.moderation.updateSettings(admin.viewer, { ...(await app.services.moderation.settings()), nameModeratorsPublicly: false });
  });
});

describe('admin and staff forms', () => {
  test('the settings form refuses bad values keeping what was typed, and saves watched words', async () => {
    const agent = await signedInAgent(app, admin);
    expect((await agent.get('/admin')).body).toContain('href="/admin/moderation"');
    const form = await agent.get('/admin/moderation');
    expect(form.statusCode).toBe(200);
    const base = Object.fromEntries([...form.body.matchAll(/<input[^>]*name="(\w+)"[^>]*type="number"[^>]*value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    expect(Object.keys(base)).toContain('autoHideScore');
    const bad = await agent.postForm('/admin/moderation', { ...base, holdFirstPosts: '999', watchedWords: 'casino => block\nthis line is wrong' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('from 0 to 50');
    expect(bad.body).toContain('value="999"');
    expect(bad.body).toContain('Line 2');
    expect(decodeHtml(bad.body)).toContain('casino => block\nthis line is wrong</textarea>');
    expect((await app.services.moderation.settings()).holdFirstPosts).toBe(0);

    const good = await agent.postForm('/admin/moderation', { ...base, holdFirstPosts: '2', watchedWords: 'casino => block\ncheap meds => hold\nidiot => replace:colleague' });
    expect(good.statusCode).toBe(303);
    const settings = await app.services.moderation.settings();
    expect(settings.holdFirstPosts).toBe(2);
    expect(settings.watchedWords).toEqual([
      { word: 'casino', action: 'block', replacement: '' },
      { word: 'cheap meds', action: 'hold', replacement: '' },
      { word: 'idiot', action: 'replace', replacement: 'colleague' },
    ]);
    expect(decodeHtml((await agent.get('/admin/moderation')).body)).toContain('idiot => replace:colleague');
    await app.services.moderation.updateSettings(admin.viewer, { ...settings, holdFirstPosts: 0, watchedWords: [] });
    // Moderators who are not admins cannot open it.
    expect((await (await signedInAgent(app, siteMod)).get('/admin/moderation')).statusCode).toBe(403);
  });

  test('site staff silence a member from the profile; the member sees why on every page; staff lift it', async () => {
    const target = await createMember(app);
    const { thread, reply } = await hiddenPostOf(target);
    const mod: Agent = await signedInAgent(app, siteMod);
    expect((await mod.get(`/u/${target.handle}`)).body).toContain(`href="/u/${target.handle}/moderate"`);
    const page = await mod.get(`/u/${target.handle}/moderate`);
    expect(page.statusCode).toBe(200);
    // A length is chosen from a list that starts at a week; "for ever" has to be chosen, never left by accident.
    expect(page.body).toMatch(/<option value="7" selected[^>]*>7 days<\/option>/);
    expect(page.body).toContain('<option value="until-lifted">Until a moderator lifts it</option>');
    const refused = await mod.postForm(`/u/${target.handle}/sanction`, { kind: 'silence', days: '0', reason: 'Kept reason text' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('from 1 to 3650');
    expect(refused.body).toContain('Kept reason text');
    const noReason = await mod.postForm(`/u/${target.handle}/sanction`, { kind: 'silence', days: '3', reason: '' });
    expect(noReason.statusCode).toBe(422);
    const silenced = await mod.postForm(`/u/${target.handle}/sanction`, { kind: 'silence', days: '3', reason: 'Three personal attacks this week.' });
    expect(silenced.statusCode).toBe(303);

    const member = await signedInAgent(app, target);
    const home = await member.get('/');
    expect(home.body).toContain('Your account is silenced');
    expect(home.body).toContain('Three personal attacks this week.');
    const mine = await member.get('/me/moderation');
    expect(mine.body).toContain('Silenced');
    expect(mine.body).toContain('Three personal attacks this week.');
    // The thread says why they cannot reply (not that they should join), and offers no edit they could not save.
    const threadPage = decodeHtml((await member.get(threadUrl(thread))).body);
    expect(threadPage).toContain('Your account is silenced: you can read, but not post or reply, for now.');
    expect(threadPage).not.toContain('Only members of this space can reply');
    expect(threadPage).not.toContain(`href="/p/${reply.postId}/edit"`);
    expect(threadPage).toContain(`href="/p/${reply.postId}/appeal"`);
    expect(mine.body).not.toContain(`href="/p/${reply.postId}/edit"`);
    // The edit form is refused before anything is typed, with the reason.
    const editForm = await member.get(`/p/${reply.postId}/edit`);
    expect(editForm.statusCode).toBe(403);
    expect(editForm.body).toContain('silenced');

    await mod.get(`/u/${target.handle}/moderate`);
    const lifted = await mod.postForm(`/u/${target.handle}/lift`, { reason: 'Apologised.' });
    expect(lifted.statusCode).toBe(303);
    expect((await member.get('/')).body).not.toContain('Your account is silenced');
    // A space owner may open the queue but not sanction accounts.
    const owner = await signedInAgent(app, confOwner);
    expect((await owner.get(`/u/${target.handle}/moderate`)).statusCode).toBe(403);
  });

  test('purging a spammer removes their posts and suspends them', async () => {
    const spammer = await createMember(app);
    const thread = await createThread(app, spammer, board.id, 'Cheap watches', 'Visit example.test');
    const mod = await signedInAgent(app, siteMod);
    await mod.get(`/u/${spammer.handle}/moderate`);
    const empty = await mod.postForm(`/u/${spammer.handle}/purge`, { reason: '' });
    expect(empty.statusCode).toBe(422);
    const purged = await mod.postForm(`/u/${spammer.handle}/purge`, { reason: 'Spam account.' });
    expect(purged.statusCode).toBe(303);
    expect((await mod.open(locationOf(purged))).body).toContain('Removed 1 post');
    expect((await app.inject({ method: 'GET', url: threadUrl(thread) })).statusCode).toBe(404);
  });
});
