import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { replyDrafts, spaceMembers } from '../../db/schema/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { decodeHtml, locationOf, type Agent } from '../helpers/browser-session.ts';
import { addSpaceMember, createMember, createSpaceWithBoard, createThread, signedInAgent, type TestMember } from '../helpers/factories.ts';

/*
 * A reply half written is kept on the server for its writer alone (issue 7, "nothing lost": a tab
 * closed or a battery gone flat loses nothing), comes back in the reply box, and ends when posted.
 */

let app: TestApp;
let admin: TestMember;
let alice: TestMember;
let bob: TestMember;
let board: { id: number };

beforeAll(async () => {
  app = await createTestApp();
  admin = await createMember(app, { role: 'admin' });
  alice = await createMember(app);
  bob = await createMember(app);
  ({ board } = await createSpaceWithBoard(app, admin));
});
afterAll(async () => app.close());

const JSON_ANSWER = 'application/json';

/** What the reply box on a page holds. */
function replyBox(html: string): string {
  const area = /<textarea\b[^>]*\bname="body"[^>]*>([\s\S]*?)<\/textarea>/.exec(html);
  if (!area) throw new Error('no reply box on the page');
  return decodeHtml(area[1]!);
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
  const res = await agent.postForm(`/t/${threadId}/draft`, { body, idempotencyKey: keyOf(page.body) }, { accept: JSON_ANSWER });
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
    expect(page.body).toContain('for you alone until you post or discard it');
    expect(page.body).toContain('Discard draft');
    // The reply page has it too, with a quote picked now placed under it.
    const quoting = await later.open(`/t/${thread.threadId}/reply?to=${thread.postId}&quote=1`);
    expect(replyBox(quoting.body).startsWith(`${text}\n\n> **@${alice.handle}**`)).toBe(true);

    // Another member, the thread's author and a visitor: an empty box (or none), never the words.
    for (const other of [alice, admin]) {
      const theirs = await (await signedInAgent(app, other)).open(path);
      expect(replyBox(theirs.body)).toBe('');
      expect(theirs.body).not.toContain('P/F ratio');
      expect(theirs.body).not.toContain('Discard draft');
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
