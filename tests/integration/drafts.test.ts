import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { posts, replyDrafts, spaceMembers, threadDrafts } from '../../db/schema/index.ts';
import { DRAFT_KEEP_DAYS, DRAFTS_KEPT } from '../../server/forum/rules.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { decodeHtml, locationOf, type Agent } from '../helpers/browser-session.ts';
import { addSpaceMember, createMember, createSpaceWithBoard, createThread, signedInAgent, type TestMember } from '../helpers/factories.ts';

/*
 * A reply or new thread half written is kept on the server for its writer alone (issue 7, "nothing
 * lost": a tab closed or a battery gone flat loses nothing), comes back in the form, and ends when
 * posted.
 */

let app: TestApp;
let admin: TestMember;
let alice: TestMember;
let bob: TestMember;
let board: { id: number; slug: string };
let space: { id: number; slug: string };

beforeAll(async () => {
  app = await createTestApp();
  admin = await createMember(app, { role: 'admin' });
  alice = await createMember(app);
  bob = await createMember(app);
  ({ space, board } = await createSpaceWithBoard(app, admin));
});
afterAll(async () => app.close());

const JSON_ANSWER = 'application/json';

/** What the reply box on a page holds. */
function replyBox(html: string): string {
  const area = /<textarea\b[^>]*\bname="body"[^>]*>([\s\S]*?)<\/textarea>/.exec(html);
  if (!area) throw new Error('no reply box on the page');
  return decodeHtml(area[1]!);
}

function titleBox(html: string): string {
  const input = /<input\b[^>]*\bname="title"[^>]*>/.exec(html);
  if (!input) throw new Error('no title field on the page');
  return decodeHtml(/\bvalue="([^"]*)"/.exec(input[0])?.[1] ?? '');
}

/** Whether the composer shows its Discard draft button (it is there, hidden, until a draft is kept). */
function discardOffered(html: string): boolean {
  const button = /<button\b[^>]*\bdata-draft-discard\b[^>]*>/.exec(html);
  if (!button) throw new Error('no Discard draft button on the page');
  return !/\shidden\b/.test(button[0]);
}

function revisionOf(html: string): string {
  return /name="draftRevision" value="(\d+)"/.exec(html)![1]!;
}

function keyOf(html: string): string {
  return /name="idempotencyKey" value="([^"]+)"/.exec(html)![1]!;
}

/** The member's drafts as stored, in one thread. */
async function storedDrafts(member: TestMember, threadId: number) {
  return app.database.db.select().from(replyDrafts).where(and(eq(replyDrafts.userId, member.viewer.id), eq(replyDrafts.threadId, threadId)));
}

/** Opens the thread page and keeps `body` the way app.js does as the member types. */
async function typeDraft(agent: Agent, threadPath: string, body: string) {
  const page = await agent.open(threadPath);
  expect(page.statusCode).toBe(200);
  const threadId = /^\/t\/(\d+)/.exec(threadPath)![1]!;
  const res = await agent.postForm(`/t/${threadId}/draft`, { body, idempotencyKey: keyOf(page.body), draftRevision: revisionOf(page.body) }, { accept: JSON_ANSWER });
  return { page, res, threadId };
}

describe('a reply draft', () => {
  test('is kept as the member types and is in the reply box, and on the reply page, when they come back; nobody else sees it', async () => {
    const thread = await createThread(app, alice, board.id, 'Extubation criteria after cardiac surgery');
    const path = `/t/${thread.threadId}/${thread.slug}`;
    const agent = await signedInAgent(app, bob);
    const text = 'We wait for a **P/F ratio** above 200 and\n\n- a negative fluid balance\n- <b>no</b> inotropes';
    const { res } = await typeDraft(agent, path, text);
    expect(res.statusCode).toBe(200);
    const answer = JSON.parse(res.body) as { kept: boolean; savedAt: string };
    expect(answer.kept).toBe(true);
    expect(Date.parse(answer.savedAt)).toBeGreaterThan(Date.now() - 60_000);

    // A new sign-in (another device) finds it in the box, said to be theirs alone.
    const later = await signedInAgent(app, bob);
    const page = await later.open(path);
    expect(replyBox(page.body)).toBe(text);
    expect(page.body).toMatch(/Draft saved <time[^>]*>[^<]*<\/time>\. Only you can see it\./);
    expect(discardOffered(page.body)).toBe(true);
    // The reply page has it too, with a quote picked now placed under it.
    const quoting = await later.open(`/t/${thread.threadId}/reply?to=${thread.postId}&quote=1`);
    expect(replyBox(quoting.body).startsWith(`${text}\n\n> **@${alice.handle}**`)).toBe(true);
    // Leaving that page keeps the draft, so it says Close, not Cancel.
    expect(quoting.body).toMatch(/<a class="composer-cancel" href="[^"]+">Close<\/a>/);

    // Another member, the thread's author and a visitor: an empty box (or none), never the words.
    for (const other of [alice, admin]) {
      const theirs = await (await signedInAgent(app, other)).open(path);
      expect(replyBox(theirs.body)).toBe('');
      expect(theirs.body).not.toContain('P/F ratio');
      expect(discardOffered(theirs.body)).toBe(false);
    }
    const visitor = await app.inject({ method: 'GET', url: path });
    expect(visitor.body).not.toContain('P/F ratio');
  });

  test('ends when the reply is posted, and an autosave still on its way from that form does not bring it back', async () => {
    const thread = await createThread(app, alice, board.id, 'Night-shift handover at 7 am');
    const path = `/t/${thread.threadId}/${thread.slug}`;
    const agent = await signedInAgent(app, bob);
    const { page } = await typeDraft(agent, path, 'We read it back aloud');
    const key = keyOf(page.body);
    const posted = await agent.postForm(`/t/${thread.threadId}/reply`, { body: 'We read it back aloud, every time.', idempotencyKey: key, intent: 'post' });
    expect(posted.statusCode).toBe(303);
    expect(await storedDrafts(bob, thread.threadId)).toEqual([]);

    const late = await agent.postForm(`/t/${thread.threadId}/draft`, { body: 'We read it back aloud, every time.', idempotencyKey: key }, { accept: JSON_ANSWER });
    expect(JSON.parse(late.body)).toEqual({ kept: false, why: 'posted' });
    expect(await storedDrafts(bob, thread.threadId)).toEqual([]);
    expect(replyBox((await agent.open(path)).body)).toBe('');
  });

  test('ends when its writer posts in the thread by any way, the API included', async () => {
    const thread = await createThread(app, alice, board.id, 'Vancomycin trough targets');
    const agent = await signedInAgent(app, bob);
    await typeDraft(agent, `/t/${thread.threadId}/${thread.slug}`, 'Half a thought about AUC dosing');
    // Someone else's reply leaves it alone.
    await app.services.forum.reply(alice.viewer, thread.threadId, { body: 'AUC-guided now.' });
    expect(await storedDrafts(bob, thread.threadId)).toHaveLength(1);
    const res = await app.inject({ method: 'POST', url: `/api/v1/threads/${thread.threadId}/posts`, headers: bob.auth, payload: { body: 'We moved to AUC-guided dosing in May.' } });
    expect(res.statusCode).toBe(201);
    expect(await storedDrafts(bob, thread.threadId)).toEqual([]);
  });

  test('without JavaScript: Save draft keeps it and says so, Discard draft ends it, an empty box keeps nothing', async () => {
    const thread = await createThread(app, alice, board.id, 'Sepsis bundle timing');
    const path = `/t/${thread.threadId}/${thread.slug}`;
    const agent = await signedInAgent(app, bob);
    const page = await agent.open(path);
    const saved = await agent.postForm(`/t/${thread.threadId}/draft`, { body: 'Clock starts at triage?', idempotencyKey: keyOf(page.body), intent: 'save-draft' });
    expect(saved.statusCode).toBe(303);
    expect(locationOf(saved)).toBe(`/t/${thread.threadId}#reply`);
    const back = await agent.open(locationOf(saved).split('#')[0]!);
    expect(back.body).toContain('Draft saved. Only you can see it');
    expect(replyBox(back.body)).toBe('Clock starts at triage?');

    const discarded = await agent.postForm(`/t/${thread.threadId}/draft`, { body: 'Clock starts at triage?', idempotencyKey: keyOf(back.body), intent: 'discard-draft' });
    expect(discarded.statusCode).toBe(303);
    const after = await agent.open(path);
    expect(after.body).toContain('Draft discarded.');
    expect(replyBox(after.body)).toBe('');
    expect(await storedDrafts(bob, thread.threadId)).toEqual([]);

    await typeDraft(agent, path, 'Something');
    const emptied = await typeDraft(agent, path, '   \n');
    expect(JSON.parse(emptied.res.body)).toEqual({ kept: false, why: 'ended' });
    expect(await storedDrafts(bob, thread.threadId)).toEqual([]);
  });

  test('bad input: too long is refused with the text kept and the old draft left as it was; no CSRF token, nothing kept', async () => {
    const thread = await createThread(app, alice, board.id, 'Long drafts');
    const path = `/t/${thread.threadId}/${thread.slug}`;
    const agent = await signedInAgent(app, bob);
    await typeDraft(agent, path, 'The part worth keeping');
    const long = `Start ${'x'.repeat(50_001)}`;
    const viaScript = await typeDraft(agent, path, long);
    expect(viaScript.res.statusCode).toBe(422);
    expect(JSON.parse(viaScript.res.body).error.message).toMatch(/under 50,000 characters/);
    const page = await agent.open(path);
    const viaForm = await agent.postForm(`/t/${thread.threadId}/draft`, { body: long, idempotencyKey: keyOf(page.body), intent: 'save-draft' });
    expect(viaForm.statusCode).toBe(422);
    expect(replyBox(viaForm.body)).toBe(long);
    expect(decodeHtml(viaForm.body)).toContain('Too long to keep as a draft.');
    expect((await storedDrafts(bob, thread.threadId)).map((d) => d.body)).toEqual(['The part worth keeping']);

    const forged = await agent.postForm(`/t/${thread.threadId}/draft`, { body: 'forged', _csrf: 'nope' }, { accept: JSON_ANSWER });
    expect(forged.statusCode).toBe(403);
    expect((await storedDrafts(bob, thread.threadId)).map((d) => d.body)).toEqual(['The part worth keeping']);
  });
});

describe('a reply to a post, kept as a draft', () => {
  test('keeps the post it answers: the reply page and the thread’s own box bring it back, and the reply answers it', async () => {
    const thread = await createThread(app, alice, board.id, 'Proning awake patients');
    const path = `/t/${thread.threadId}/${thread.slug}`;
    const second = await app.services.forum.reply(admin.viewer, thread.threadId, { body: 'We prone for two hours at a time.' });
    const agent = await signedInAgent(app, bob);
    // "Reply" on post 2: the page carries it, and so does each save of the draft from there.
    const replying = await agent.open(`/t/${thread.threadId}/reply?to=${second.postId}`);
    expect(replying.body).toContain(`name="replyTo" value="${second.postId}"`);
    const saved = await agent.postForm(
      `/t/${thread.threadId}/draft`,
      { body: 'Two hours is what we do too', replyTo: String(second.postId), idempotencyKey: keyOf(replying.body), draftRevision: revisionOf(replying.body) },
      { accept: JSON_ANSWER },
    );
    expect(JSON.parse(saved.body)).toMatchObject({ kept: true });
    expect((await storedDrafts(bob, thread.threadId))[0]?.replyToPostId).toBe(second.postId);

    // Back through the drafts page's link (no post named): still answering post 2, its words shown.
    const resumed = await agent.open(`/t/${thread.threadId}/reply`);
    expect(replyBox(resumed.body)).toBe('Two hours is what we do too');
    expect(resumed.body).toContain(`name="replyTo" value="${second.postId}"`);
    expect(resumed.body).toContain('We prone for two hours at a time.');
    // The thread's own box says so, and posts it that way.
    const threadPage = await agent.open(path);
    expect(replyBox(threadPage.body)).toBe('Two hours is what we do too');
    // A ticked box: cleared, the reply (and the draft) answer the thread instead.
    expect(threadPage.body).toMatch(new RegExp(`<input type="checkbox" name="replyTo" value="${second.postId}" checked`));
    expect(decodeHtml(threadPage.body.replace(/<[^>]+>/g, ''))).toContain('Your draft answers post #2, and so will the reply');
    const posted = await agent.postForm(`/t/${thread.threadId}/reply`, { body: 'Two hours is what we do too.', replyTo: String(second.postId), idempotencyKey: keyOf(threadPage.body), intent: 'post' });
    expect(posted.statusCode).toBe(303);
    expect(locationOf(posted)).toMatch(/#p3$/);
    const [reply] = await app.database.db.select().from(posts).where(and(eq(posts.threadId, thread.threadId), eq(posts.number, 3)));
    expect(reply).toMatchObject({ authorId: bob.viewer.id, replyToPostId: second.postId });
    expect(await storedDrafts(bob, thread.threadId)).toEqual([]);
  });

  test('opened from another post’s Reply link, a draft is not moved silently: the page says which post it answered, with the way back', async () => {
    const thread = await createThread(app, alice, board.id, 'Steroids in ARDS');
    const second = await app.services.forum.reply(admin.viewer, thread.threadId, { body: 'Dexamethasone for ten days.' });
    const agent = await signedInAgent(app, bob);
    const text = (html: string) => decodeHtml(html.replace(/<[^>]+>/g, ''));
    // A draft for the thread itself, then Reply on post 2.
    await app.services.forum.saveReplyDraft(bob.viewer, thread.threadId, { body: 'Which dose do you use?' });
    const fromThread = await agent.open(`/t/${thread.threadId}/reply?to=${second.postId}`);
    expect(text(fromThread.body)).toContain('Your draft below was written as a reply to the thread; posting it here answers post #2 instead.');
    expect(fromThread.body).toContain(`href="/t/${thread.threadId}/reply">Reply to the thread instead</a>`);
    // A draft for post 2, then Reply on post 1.
    await app.services.forum.saveReplyDraft(bob.viewer, thread.threadId, { body: 'Ten days here too', replyToPostId: second.postId });
    const fromOther = await agent.open(`/t/${thread.threadId}/reply?to=${thread.postId}`);
    expect(text(fromOther.body)).toContain('Your draft below was written in answer to post #2; posting it here answers post #1 instead.');
    expect(fromOther.body).toContain(`href="/t/${thread.threadId}/reply?to=${second.postId}">Answer post #2 instead</a>`);
    // The same post again: nothing to say.
    expect((await agent.open(`/t/${thread.threadId}/reply?to=${second.postId}`)).body).not.toContain('Your draft below was written');
  });

  test('a post of another thread is not kept as the one answered, and a draft answering the thread says nothing of a post', async () => {
    const thread = await createThread(app, alice, board.id, 'Vasopressin in septic shock');
    const elsewhere = await createThread(app, alice, board.id, 'Something else entirely');
    const agent = await signedInAgent(app, bob);
    const page = await agent.open(`/t/${thread.threadId}/${thread.slug}`);
    await agent.postForm(`/t/${thread.threadId}/draft`, { body: 'At 0.03 units', replyTo: String(elsewhere.postId), idempotencyKey: keyOf(page.body), draftRevision: revisionOf(page.body) }, { accept: JSON_ANSWER });
    expect((await storedDrafts(bob, thread.threadId))[0]).toMatchObject({ body: 'At 0.03 units', replyToPostId: null });
    const again = await agent.open(`/t/${thread.threadId}/${thread.slug}`);
    expect(again.body).not.toContain('name="replyTo"');
    expect(again.body).not.toContain('Your draft answers');
  });

  test('through the API: kept with the post it answers, read back, and left out when a save leaves it out', async () => {
    const thread = await createThread(app, alice, board.id, 'Heparin in COVID-19');
    const answer = await app.services.forum.reply(admin.viewer, thread.threadId, { body: 'Intermediate dose for most.' });
    const api = (method: 'GET' | 'PUT', payload?: object) => app.inject({ method, url: `/api/v1/threads/${thread.threadId}/draft`, headers: bob.auth, ...(payload ? { payload } : {}) });
    expect((await api('PUT', { body: 'Prophylactic only', replyToPostId: answer.postId })).json().kept).toBe(true);
    expect((await api('GET')).json()).toMatchObject({ body: 'Prophylactic only', replyToPostId: answer.postId });
    const listed = async () => ((await app.inject({ method: 'GET', url: '/api/v1/me/drafts', headers: bob.auth })).json() as { replies: { threadId: number }[] }).replies.find((d) => d.threadId === thread.threadId);
    expect(await listed()).toMatchObject({ replyToPostId: answer.postId, replyToNumber: 2 });
    await api('PUT', { body: 'Prophylactic only, unless the D-dimer climbs' });
    expect((await api('GET')).json()).toMatchObject({ replyToPostId: null });
    expect(await listed()).toMatchObject({ replyToPostId: null, replyToNumber: null });
  });
});

describe('a reply draft in a confidential space', () => {
  test('outsiders cannot keep one there (404, nothing written); a member removed from the space does not get theirs back', async () => {
    const { space, board: secret } = await createSpaceWithBoard(app, admin, { level: 'confidential' });
    const carol = await createMember(app);
    await addSpaceMember(app, space.id, carol);
    const thread = await createThread(app, admin, secret.id, 'Peer group: the case I keep thinking about');
    const path = `/t/${thread.threadId}/${thread.slug}`;

    const outsider = await signedInAgent(app, bob);
    await outsider.open('/');
    const refused = await outsider.postForm(`/t/${thread.threadId}/draft`, { body: 'probing' }, { accept: JSON_ANSWER });
    expect(refused.statusCode).toBe(404);
    const ghost = await outsider.postForm('/t/999999999/draft', { body: 'probing' }, { accept: JSON_ANSWER });
    expect(refused.body).toBe(ghost.body);
    expect(await storedDrafts(bob, thread.threadId)).toEqual([]);

    const agent = await signedInAgent(app, carol);
    await typeDraft(agent, path, 'What I could not say at the meeting');
    expect(replyBox((await agent.open(path)).body)).toBe('What I could not say at the meeting');

    await app.database.db.update(spaceMembers).set({ status: 'removed' }).where(and(eq(spaceMembers.spaceId, space.id), eq(spaceMembers.userId, carol.viewer.id)));
    expect((await agent.get(path)).statusCode).toBe(404);
    expect((await agent.get(`/t/${thread.threadId}/reply`)).statusCode).toBe(404);
    expect(await app.services.forum.replyDraft(carol.viewer, thread.threadId)).toBeUndefined();
    const after = await agent.postForm(`/t/${thread.threadId}/draft`, { body: 'again' }, { accept: JSON_ANSWER });
    expect(after.statusCode).toBe(404);
    expect((await storedDrafts(carol, thread.threadId)).map((d) => d.body)).toEqual(['What I could not say at the meeting']);
  });
});

describe('a new thread’s draft', () => {
  const newThread = () => `/s/${space.slug}/${board.slug}/new`;
  const draftUrl = () => `/s/${space.slug}/${board.slug}/draft`;
  const stored = async (member: TestMember) =>
    app.database.db.select().from(threadDrafts).where(and(eq(threadDrafts.userId, member.viewer.id), eq(threadDrafts.boardId, board.id)));

  test('title and text are kept and fill the form again; starting the thread ends it, and a late autosave brings nothing back', async () => {
    const dave = await createMember(app);
    const agent = await signedInAgent(app, dave);
    const page = await agent.open(newThread());
    const key = keyOf(page.body);
    const kept = await agent.postForm(draftUrl(), { title: 'Awake proning & "tolerance"', body: 'Who tolerates <it>?', idempotencyKey: key }, { accept: JSON_ANSWER });
    expect(JSON.parse(kept.body).kept).toBe(true);

    const again = await (await signedInAgent(app, dave)).open(newThread());
    expect(titleBox(again.body)).toBe('Awake proning & "tolerance"');
    expect(replyBox(again.body)).toBe('Who tolerates <it>?');
    expect(discardOffered(again.body)).toBe(true);
    const someoneElse = await (await signedInAgent(app, bob)).open(newThread());
    expect(titleBox(someoneElse.body)).toBe('');
    expect(someoneElse.body).not.toContain('Awake proning');

    const started = await agent.postForm(newThread(), { title: 'Awake proning: who tolerates it?', body: 'Two-hour sessions.', idempotencyKey: key, intent: 'post' });
    expect(started.statusCode).toBe(303);
    expect(await stored(dave)).toEqual([]);
    const late = await agent.postForm(draftUrl(), { title: 'Awake proning', body: 'Two-hour sessions.', idempotencyKey: key }, { accept: JSON_ANSWER });
    expect(JSON.parse(late.body)).toEqual({ kept: false, why: 'posted' });
    expect(await stored(dave)).toEqual([]);
  });

  test('a title too long to post is refused with everything typed kept; no CSRF token, nothing kept', async () => {
    const erin = await createMember(app);
    const agent = await signedInAgent(app, erin);
    const page = await agent.open(newThread());
    const title = 'T'.repeat(250);
    const refused = await agent.postForm(draftUrl(), { title, body: 'kept text', idempotencyKey: keyOf(page.body), intent: 'save-draft' });
    expect(refused.statusCode).toBe(422);
    expect(titleBox(refused.body)).toBe(title);
    expect(replyBox(refused.body)).toBe('kept text');
    expect(decodeHtml(refused.body)).toContain('Too long to keep as a draft.');
    const forged = await agent.postForm(draftUrl(), { title: 'x', body: 'y', _csrf: 'nope' }, { accept: JSON_ANSWER });
    expect(forged.statusCode).toBe(403);
    expect(await stored(erin)).toEqual([]);
  });
});

describe('the drafts page', () => {
  test('lists the member’s own unposted threads and replies, with links back to them; nobody else’s, and nothing from a space they have left', async () => {
    const fay = await createMember(app);
    const { space: secret, board: secretBoard } = await createSpaceWithBoard(app, admin, { level: 'confidential' });
    await addSpaceMember(app, secret.id, fay);
    const open = await createThread(app, alice, board.id, 'Ketamine for status asthmaticus');
    const closed = await createThread(app, admin, secretBoard.id, 'The complaint I am dealing with');
    await app.services.forum.saveReplyDraft(fay.viewer, open.threadId, { body: 'We used 1 mg/kg then an infusion' });
    await app.services.forum.saveReplyDraft(fay.viewer, closed.threadId, { body: 'Mine went to the board too' });
    await app.services.forum.saveThreadDraft(fay.viewer, board.id, { title: 'Heliox: anyone still using it?', body: '' });
    await app.services.forum.saveReplyDraft(bob.viewer, open.threadId, { body: 'Bob’s own words' });

    const agent = await signedInAgent(app, fay);
    const page = await agent.open('/drafts');
    expect(page.statusCode).toBe(200);
    const text = decodeHtml(page.body);
    expect(text).toContain('Reply to Ketamine for status asthmaticus');
    expect(text).toContain('We used 1 mg/kg then an infusion');
    expect(page.body).toContain(`href="/t/${open.threadId}/${open.slug}#reply"`);
    expect(text).toContain('Reply to The complaint I am dealing with');
    expect(text).toContain('Heliox: anyone still using it?');
    expect(page.body).toContain(`href="/s/${space.slug}/${board.slug}/new"`);
    expect(text).not.toContain('Bob’s own words');
    expect((await agent.open(`/u/${fay.handle}`)).body).toContain('href="/drafts"');

    await app.database.db.update(spaceMembers).set({ status: 'removed' }).where(and(eq(spaceMembers.spaceId, secret.id), eq(spaceMembers.userId, fay.viewer.id)));
    const after = decodeHtml((await agent.open('/drafts')).body);
    expect(after).toContain('Heliox: anyone still using it?');
    expect(after).not.toContain('The complaint I am dealing with');
    expect(after).not.toContain('Mine went to the board too');
    expect(after).toContain('Reply to Ketamine for status asthmaticus');

    // The whole text is on the page, and each draft can be discarded from it (its thread may since be locked).
    expect(text).toContain('Whole text');
    await app.services.forum.setThreadState(admin.viewer, open.threadId, { locked: true });
    const discarded = await agent.postForm(`/t/${open.threadId}/draft`, { intent: 'discard-draft', back: 'drafts', body: '' });
    expect(locationOf(discarded)).toBe('/drafts');
    const left = decodeHtml((await agent.open('/drafts')).body);
    expect(left).toContain('Draft discarded.');
    expect(left).not.toContain('Reply to Ketamine for status asthmaticus');

    const empty = await (await signedInAgent(app, await createMember(app))).open('/drafts');
    expect(empty.body).toContain('Nothing unposted.');
    expect((await app.inject({ method: 'GET', url: '/drafts' })).statusCode).toBe(303);
  });
});

describe('the drafts page, for a reply to a post', () => {
  const textOf = (html: string) => decodeHtml(html.replace(/<[^>]+>/g, '')).replace(/\s+/g, ' ');

  test('says which post the draft answers, by its number, linking to it; the way back is the thread’s reply box, which keeps that post', async () => {
    const kim = await createMember(app);
    const thread = await createThread(app, alice, board.id, 'High-flow nasal oxygen after extubation');
    const second = await app.services.forum.reply(admin.viewer, thread.threadId, { body: 'We start at 50 litres.' });
    const third = await app.services.forum.reply(alice.viewer, thread.threadId, { body: 'Forty is enough for most.' });
    const plain = await createThread(app, alice, board.id, 'Tracheostomy timing');
    await app.services.forum.saveReplyDraft(kim.viewer, thread.threadId, { body: 'Fifty for the first hour', replyToPostId: third.postId });
    await app.services.forum.saveReplyDraft(kim.viewer, plain.threadId, { body: 'Day ten, give or take' });

    const agent = await signedInAgent(app, kim);
    const page = await agent.open('/drafts');
    expect(page.statusCode).toBe(200);
    const item = (title: string) => textOf(page.body.split('<li>').find((part) => part.includes(title)) ?? '');
    expect(textOf(page.body)).toContain('Reply to High-flow nasal oxygen after extubation, answers post #3');
    expect(page.body).toContain(`answers <a href="/p/${third.postId}">post #3</a>`);
    expect(page.body).not.toContain(`href="/p/${second.postId}"`);
    // The link back opens the thread's own box, which brings the draft back still answering post 3.
    expect(page.body).toContain(`href="/t/${thread.threadId}/${thread.slug}#reply">Reply to High-flow nasal oxygen after extubation</a>`);
    const resumed = await agent.open(`/t/${thread.threadId}/${thread.slug}`);
    expect(replyBox(resumed.body)).toBe('Fifty for the first hour');
    expect(resumed.body).toContain(`name="replyTo" value="${third.postId}"`);
    // A draft for the thread itself says nothing of a post.
    expect(item('Tracheostomy timing')).toContain('Day ten, give or take');
    expect(item('Tracheostomy timing')).not.toContain('answers');
    expect(textOf(page.body).match(/answers post #/g)).toHaveLength(1);
  });

  test('says nothing of a post the member can no longer read: hidden by a moderator, or deleted', async () => {
    const lee = await createMember(app);
    const hiddenThread = await createThread(app, alice, board.id, 'Chest drains: suction or not');
    const hidden = await app.services.forum.reply(admin.viewer, hiddenThread.threadId, { body: 'Suction, always.' });
    const deletedThread = await createThread(app, alice, board.id, 'Arterial lines: radial or femoral');
    const deleted = await app.services.forum.reply(admin.viewer, deletedThread.threadId, { body: 'Radial first.' });
    await app.services.forum.saveReplyDraft(lee.viewer, hiddenThread.threadId, { body: 'Water seal for us', replyToPostId: hidden.postId });
    await app.services.forum.saveReplyDraft(lee.viewer, deletedThread.threadId, { body: 'Femoral in shock', replyToPostId: deleted.postId });
    const agent = await signedInAgent(app, lee);
    const before = await agent.open('/drafts');
    expect(before.body).toContain(`answers <a href="/p/${hidden.postId}">post #2</a>`);
    expect(before.body).toContain(`answers <a href="/p/${deleted.postId}">post #2</a>`);

    await app.database.db.update(posts).set({ status: 'hidden' }).where(eq(posts.id, hidden.postId));
    await app.database.db.update(posts).set({ deletedAt: new Date() }).where(eq(posts.id, deleted.postId));
    const after = await agent.open('/drafts');
    const text = textOf(after.body);
    // The drafts themselves stay, with their words; the posts they answered are not mentioned.
    expect(text).toContain('Reply to Chest drains: suction or not');
    expect(text).toContain('Water seal for us');
    expect(text).toContain('Reply to Arterial lines: radial or femoral');
    expect(text).toContain('Femoral in shock');
    expect(text).not.toContain('answers post #');
    expect(after.body).not.toContain(`/p/${hidden.postId}`);
    expect(after.body).not.toContain(`/p/${deleted.postId}`);
    // The thread's own reply box agrees: the draft is there, answering the thread.
    for (const thread of [hiddenThread, deletedThread]) {
      const page = textOf((await agent.open(`/t/${thread.threadId}`)).body);
      expect(page).toContain(thread === hiddenThread ? 'Water seal for us' : 'Femoral in shock');
      expect(page).not.toContain('Your draft answers post #');
    }
  });
});

describe('drafts through the API', () => {
  test('kept, read, listed and discarded with a token; ended by posting; a place the member cannot read answers as one that does not exist', async () => {
    const gil = await createMember(app);
    const thread = await createThread(app, alice, board.id, 'Lactate clearance targets');
    const api = (method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: object) =>
      app.inject({ method, url: `/api/v1${url}`, headers: gil.auth, ...(payload ? { payload } : {}) });

    expect((await api('GET', `/threads/${thread.threadId}/draft`)).statusCode).toBe(404);
    const put = await api('PUT', `/threads/${thread.threadId}/draft`, { body: '10% in two hours' });
    expect(put.statusCode).toBe(200);
    expect(put.json().kept).toBe(true);
    expect((await api('GET', `/threads/${thread.threadId}/draft`)).json().body).toBe('10% in two hours');
    expect((await api('PUT', `/boards/${board.id}/draft`, { title: 'Lactate on the ward', body: '' })).json().kept).toBe(true);

    const listed = (await api('GET', '/me/drafts')).json() as { threads: { boardId: number; title: string }[]; replies: { threadId: number; url: string; body: string }[] };
    expect(listed.replies).toEqual([expect.objectContaining({ threadId: thread.threadId, url: expect.stringContaining(`/t/${thread.threadId}/`), body: '10% in two hours' })]);
    expect(listed.threads).toEqual([expect.objectContaining({ boardId: board.id, title: 'Lactate on the ward' })]);
    // Not someone else's.
    expect((await app.inject({ method: 'GET', url: '/api/v1/me/drafts', headers: bob.auth })).body).not.toContain('10% in two hours');

    // A client that says which revision it read is told of a newer one instead of writing over it.
    const stale = await api('PUT', `/threads/${thread.threadId}/draft`, { body: 'from an older copy', baseRevision: 0 });
    expect(stale.statusCode).toBe(409);
    expect((await api('GET', `/threads/${thread.threadId}/draft`)).json()).toMatchObject({ body: '10% in two hours', revision: 1 });
    expect((await api('DELETE', `/boards/${board.id}/draft`)).json()).toEqual({ kept: false, why: 'ended' });
    const posted = await app.inject({ method: 'POST', url: `/api/v1/threads/${thread.threadId}/posts`, headers: gil.auth, payload: { body: '10% in two hours, then every 2 h.', idempotencyKey: 'gil-lactate-1' } });
    expect(posted.statusCode).toBe(201);
    expect((await api('GET', '/me/drafts')).json()).toEqual({ threads: [], replies: [] });
    expect((await api('PUT', `/threads/${thread.threadId}/draft`, { body: 'late', idempotencyKey: 'gil-lactate-1' })).json()).toEqual({ kept: false, why: 'posted' });

    const { board: secretBoard } = await createSpaceWithBoard(app, admin, { level: 'confidential' });
    const secret = await createThread(app, admin, secretBoard.id, 'Not for outsiders');
    for (const [real, ghost] of [
      [`/threads/${secret.threadId}/draft`, '/threads/999999999/draft'],
      [`/boards/${secretBoard.id}/draft`, '/boards/999999999/draft'],
    ] as const) {
      const a = await api('PUT', real, { title: 'x', body: 'probe' });
      const b = await api('PUT', ghost, { title: 'x', body: 'probe' });
      expect(a.statusCode).toBe(404);
      expect(a.body).toBe(b.body);
    }
    expect((await api('GET', '/me/drafts')).json()).toEqual({ threads: [], replies: [] });
  });
});

describe('how many drafts are kept', () => {
  test(`a member keeps their ${DRAFTS_KEPT} latest reply drafts: keeping one more lets the oldest go`, async () => {
    const hal = await createMember(app);
    const threads = [];
    for (let i = 0; i <= DRAFTS_KEPT; i++) threads.push(await createThread(app, admin, board.id, `Cap ${i}`));
    for (const [i, thread] of threads.entries()) await app.services.forum.saveReplyDraft(hal.viewer, thread.threadId, { body: `draft ${i}` });
    const kept = await app.database.db.select({ body: replyDrafts.body }).from(replyDrafts).where(eq(replyDrafts.userId, hal.viewer.id));
    expect(kept).toHaveLength(DRAFTS_KEPT);
    expect(kept.map((d) => d.body)).not.toContain('draft 0');
    expect(kept.map((d) => d.body)).toContain(`draft ${DRAFTS_KEPT}`);
  }, 60_000);
});

describe('how long drafts are kept', () => {
  test(`a draft nobody saved for ${DRAFT_KEEP_DAYS} days goes; one saved since stays, and the drafts page says how long`, async () => {
    const ida = await createMember(app);
    const stale = await createThread(app, admin, board.id, 'Asked about in spring');
    const recent = await createThread(app, admin, board.id, 'Asked about in autumn');
    await app.services.forum.saveReplyDraft(ida.viewer, stale.threadId, { body: 'Half an answer from spring' });
    await app.services.forum.saveReplyDraft(ida.viewer, recent.threadId, { body: 'Half an answer from autumn' });
    await app.services.forum.saveThreadDraft(ida.viewer, board.id, { title: 'A question never asked', body: '' });
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);
    await app.database.db.update(replyDrafts).set({ updatedAt: daysAgo(DRAFT_KEEP_DAYS + 1) }).where(and(eq(replyDrafts.userId, ida.viewer.id), eq(replyDrafts.threadId, stale.threadId)));
    await app.database.db.update(replyDrafts).set({ updatedAt: daysAgo(DRAFT_KEEP_DAYS - 1) }).where(and(eq(replyDrafts.userId, ida.viewer.id), eq(replyDrafts.threadId, recent.threadId)));
    await app.database.db.update(threadDrafts).set({ updatedAt: daysAgo(DRAFT_KEEP_DAYS + 1) }).where(eq(threadDrafts.userId, ida.viewer.id));

    await app.services.forum.pruneOldDrafts();

    const page = decodeHtml((await (await signedInAgent(app, ida)).open('/drafts')).body);
    expect(page).toContain('Half an answer from autumn');
    expect(page).not.toContain('Half an answer from spring');
    expect(page).not.toContain('A question never asked');
    expect(page).toContain(`or for ${DRAFT_KEEP_DAYS} days after you last changed it`);
    expect(await app.database.db.select().from(threadDrafts).where(eq(threadDrafts.userId, ida.viewer.id))).toEqual([]);
  });
});

describe('a draft written in two places', () => {
  test('a save from a page opened before another tab saved is refused with its text kept, never written over the newer one', async () => {
    const ida = await createMember(app);
    const thread = await createThread(app, alice, board.id, 'Two tabs');
    const path = `/t/${thread.threadId}/${thread.slug}`;
    const tabA = await signedInAgent(app, ida);
    const tabB = await signedInAgent(app, ida);
    const pageA = await tabA.open(path);
    const pageB = await tabB.open(path);
    const fromA = await tabA.postForm(`/t/${thread.threadId}/draft`, { body: 'From the ward computer', idempotencyKey: keyOf(pageA.body), draftRevision: revisionOf(pageA.body) }, { accept: JSON_ANSWER });
    expect(JSON.parse(fromA.body)).toMatchObject({ kept: true, revision: 1 });
    // Tab A goes on: its own saves build on the revision it was given.
    const again = await tabA.postForm(`/t/${thread.threadId}/draft`, { body: 'From the ward computer, more', idempotencyKey: keyOf(pageA.body), draftRevision: '1' }, { accept: JSON_ANSWER });
    expect(JSON.parse(again.body)).toMatchObject({ kept: true, revision: 2 });

    const fromB = await tabB.postForm(`/t/${thread.threadId}/draft`, { body: 'From my phone', idempotencyKey: keyOf(pageB.body), draftRevision: revisionOf(pageB.body) }, { accept: JSON_ANSWER });
    expect(fromB.statusCode).toBe(409);
    expect(JSON.parse(fromB.body).error.message).toContain('saved from another tab or device');
    const withoutScript = await tabB.postForm(`/t/${thread.threadId}/draft`, { body: 'From my phone', idempotencyKey: keyOf(pageB.body), draftRevision: revisionOf(pageB.body), intent: 'save-draft' });
    expect(withoutScript.statusCode).toBe(409);
    expect(replyBox(withoutScript.body)).toBe('From my phone');
    expect(decodeHtml(withoutScript.body)).toContain('saved from another tab or device');
    // Discarding from the stale page is refused too; the newer text stays.
    const discard = await tabB.postForm(`/t/${thread.threadId}/draft`, { body: '', draftRevision: revisionOf(pageB.body), intent: 'discard-draft' }, { accept: JSON_ANSWER });
    expect(discard.statusCode).toBe(409);
    expect((await storedDrafts(ida, thread.threadId)).map((d) => d.body)).toEqual(['From the ward computer, more']);
    // Reloaded, tab B shows the newer text and may go on from it.
    const reloaded = await tabB.open(path);
    expect(replyBox(reloaded.body)).toBe('From the ward computer, more');
    expect(revisionOf(reloaded.body)).toBe('2');
  });

  test('quoting the same post again does not put the quote in twice', async () => {
    const jo = await createMember(app);
    const thread = await createThread(app, alice, board.id, 'Quote me once');
    const agent = await signedInAgent(app, jo);
    const first = await agent.open(`/t/${thread.threadId}/reply?to=${thread.postId}&quote=1`);
    const quoted = replyBox(first.body);
    await agent.postForm(`/t/${thread.threadId}/draft`, { body: `${quoted}Agreed.`, idempotencyKey: keyOf(first.body), draftRevision: revisionOf(first.body) }, { accept: JSON_ANSWER });
    const second = await agent.open(`/t/${thread.threadId}/reply?to=${thread.postId}&quote=1`);
    expect(replyBox(second.body)).toBe(`${quoted}Agreed.`);
  });
});
