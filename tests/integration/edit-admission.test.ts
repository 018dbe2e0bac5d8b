import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { blogComments, blogEntries, posts, spaceMembers } from '../../db/schema/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { decodeHtml } from '../helpers/browser-session.ts';
import { addSpaceMember, createMember, createSpaceWithBoard, signedInAgent, type TestMember } from '../helpers/factories.ts';

/*
 * An edit cannot carry in what a new post could not: the site's watched words and new members'
 * limits apply to edits of posts, blog comments and published entries. What the text already had
 * is not held against it, and moderators are not limited where they moderate.
 */

let app: TestApp;
let admin: TestMember;
let member: TestMember;
let boardId: number;
let threads = 0;

beforeAll(async () => {
  app = await createTestApp();
  admin = await createMember(app, { role: 'admin' });
  member = await createMember(app);
  boardId = (await createSpaceWithBoard(app, admin, { name: 'Critical care' })).board.id;
  const current = await api(admin, 'GET', '/admin/moderation-settings');
  const settings = {
    ...current.json(),
    newMemberLinksPerPost: 1,
    watchedWords: [
      { word: 'casino', action: 'block', replacement: '' },
      { word: 'miracle cure', action: 'hold', replacement: '' },
      { word: 'darn', action: 'replace', replacement: 'd*rn' },
    ],
  };
  expect((await api(admin, 'PUT', '/admin/moderation-settings', settings)).statusCode).toBe(200);
});
afterAll(async () => app.close());

function api(who: TestMember, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: object) {
  return app.inject({ method, url: `/api/v1${url}`, headers: who.auth, ...(payload ? { payload } : {}) });
}

async function thread(by: TestMember, body: string, board = boardId) {
  const res = await api(by, 'POST', `/boards/${board}/threads`, { title: `Weaning case ${++threads}`, body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { postId: number };
}

async function storedPost(postId: number) {
  const [row] = await app.database.db.select().from(posts).where(eq(posts.id, postId));
  return row!;
}

describe('editing a post', () => {
  test('a blocked word is refused with the reason, and the post stays as it was', async () => {
    const { postId } = await thread(member, 'Extubated after the SBT.');
    const res = await api(member, 'PATCH', `/posts/${postId}`, { body: 'Extubated. Also visit my casino.', baseRevision: 1 });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.message).toBe('This site does not accept posts containing “casino”. Please rephrase.');
    const row = await storedPost(postId);
    expect([row.bodySource, row.revision]).toEqual(['Extubated after the SBT.', 1]);
  });

  test('a word moderators review first cannot be edited into a published post; the edit form keeps the text', async () => {
    const { postId } = await thread(member, 'Supportive care only.');
    const agent = await signedInAgent(app, member);
    await agent.get(`/p/${postId}/edit`);
    const typed = 'Supportive care, or the miracle cure everyone shares.';
    const res = await agent.postForm(`/p/${postId}/edit`, { title: `Weaning case ${threads}`, body: typed, baseRevision: '1', intent: 'post' });
    expect(res.statusCode).toBe(422);
    const page = decodeHtml(res.body);
    expect(page).toContain('Moderators review “miracle cure” before readers see it, and edits are not reviewed. Rephrase it, or say it in a new post, which waits for a moderator.');
    expect(page).toContain(typed);
    expect((await storedPost(postId)).bodySource).toBe('Supportive care only.');
  });

  test('what the text already had is not held against it: a post a moderator approved can still be corrected', async () => {
    const { postId } = await thread(member, 'The miracle cure thread, debunked.');
    expect((await storedPost(postId)).status).toBe('held');
    await app.database.db.update(posts).set({ status: 'published', moderationNote: '' }).where(eq(posts.id, postId));
    const res = await api(member, 'PATCH', `/posts/${postId}`, { body: 'The miracle cure thread, debunked (with sources).', baseRevision: 1 });
    expect(res.statusCode, res.body).toBe(200);
    expect((await storedPost(postId)).bodySource).toBe('The miracle cure thread, debunked (with sources).');
  });

  test('replacements are made in an edit as in a post', async () => {
    const { postId } = await thread(member, 'The pump failed.');
    expect((await api(member, 'PATCH', `/posts/${postId}`, { body: 'Darn, the pump failed.', baseRevision: 1 })).statusCode).toBe(200);
    expect((await storedPost(postId)).bodySource).toBe('d*rn, the pump failed.');
  });

  test('a new member cannot edit in more links than a new post may carry; a trusted member can', async () => {
    const newcomer = await createMember(app, { trustLevel: 0 });
    const { postId } = await thread(newcomer, 'See https://example.org/guideline for the protocol.');
    await app.database.db.update(posts).set({ status: 'published', moderationNote: '' }).where(eq(posts.id, postId));
    const res = await api(newcomer, 'PATCH', `/posts/${postId}`, { body: 'See https://example.org/guideline and https://example.org/other too.', baseRevision: 1 });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.message).toBe('New members can include up to 1 links in a post.');
    expect((await storedPost(postId)).bodySource).toBe('See https://example.org/guideline for the protocol.');
    const { postId: trustedPost } = await thread(member, 'Two: https://example.org/a https://example.org/b');
    expect((await api(member, 'PATCH', `/posts/${trustedPost}`, { body: 'Three: https://example.org/a https://example.org/b https://example.org/c', baseRevision: 1 })).statusCode).toBe(200);
  });

  test('a space’s moderator is not held to the watched words there, as in their posts', async () => {
    const owner = await createMember(app);
    const { space, board } = await createSpaceWithBoard(app, admin, { name: 'Journal club', level: 'members' });
    await addSpaceMember(app, space.id, owner);
    await app.database.db.update(spaceMembers).set({ role: 'moderator' }).where(eq(spaceMembers.userId, owner.viewer.id));
    const { postId } = await thread(owner, 'Reading list for March.', board.id);
    const res = await api(owner, 'PATCH', `/posts/${postId}`, { body: 'Reading list for March: why the “miracle cure” papers failed.', baseRevision: 1 });
    expect(res.statusCode, res.body).toBe(200);
  });
});

describe('editing blog writing', () => {
  async function entry(by: TestMember, body: string) {
    const ref = await app.services.blogs.createDraft(by.viewer, { title: `Night shifts ${++threads}`, body });
    return ref;
  }

  test('a comment cannot be edited into a blocked word', async () => {
    const ref = await entry(admin, 'What worked on our unit.');
    await app.services.blogs.publish(admin.viewer, ref.id);
    const { id } = await app.services.blogs.addComment(member.viewer, ref.id, { body: 'Thanks for this.' });
    const res = await api(member, 'PATCH', `/blog/comments/${id}`, { body: 'Thanks. Casino tonight?', baseRevision: 1 });
    expect(res.statusCode).toBe(422);
    const [row] = await app.database.db.select().from(blogComments).where(eq(blogComments.id, id));
    expect(row!.bodySource).toBe('Thanks for this.');
  });

  test('a published entry is checked when it changes; a draft when it is published', async () => {
    const draft = await entry(member, 'First thoughts.');
    const saved = await api(member, 'PUT', `/blog/entries/${draft.id}`, { title: 'Night shifts draft', body: 'First thoughts on the miracle cure.', baseRevision: draft.revision });
    expect(saved.statusCode, saved.body).toBe(200);
    const live = await entry(member, 'Sleep after nights.');
    const published = await app.services.blogs.publish(member.viewer, live.id);
    const res = await api(member, 'PUT', `/blog/entries/${live.id}`, { title: 'Night shifts', body: 'Sleep after nights, and the miracle cure.', baseRevision: published.revision });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.message).toMatch(/^Moderators review “miracle cure” before readers see it/);
    const [row] = await app.database.db.select().from(blogEntries).where(eq(blogEntries.id, live.id));
    expect(row!.bodySource).toBe('Sleep after nights.');
  });
});
