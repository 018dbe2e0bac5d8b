import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { blogCommentRevisions, blogComments, reviewItems, spaceMembers } from '../../db/schema/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { decodeHtml, locationOf, type Agent } from '../helpers/browser-session.ts';
import { addSpaceMember, createMember, createSpaceWithBoard, signedInAgent, type TestMember } from '../helpers/factories.ts';

/*
 * A member edits their own blog comment, as posts are edited: compare-and-set on its revision, the
 * replaced version kept for moderators, from the entry page (no JavaScript) and from the API.
 */

let app: TestApp;
let alice: TestMember;
let bob: TestMember;
let carol: TestMember;
let moderator: TestMember;
let bobAgent: Agent;
let carolAgent: Agent;

beforeAll(async () => {
  app = await createTestApp();
  alice = await createMember(app);
  bob = await createMember(app);
  carol = await createMember(app);
  moderator = await createMember(app, { role: 'moderator' });
  bobAgent = await signedInAgent(app, bob);
  carolAgent = await signedInAgent(app, carol);
});
afterAll(async () => app.close());

let entries = 0;
/** A published entry by Alice (public unless told), and its address. */
async function entry(fields: { visibility?: 'public' | 'members' | 'space'; spaceId?: number } = {}) {
  const ref = await app.services.blogs.createDraft(alice.viewer, { title: `Weaning from the ventilator ${++entries}`, body: 'What worked on our unit.', ...fields });
  await app.services.blogs.publish(alice.viewer, ref.id);
  return { id: ref.id, url: `/u/${alice.handle}/blog/${ref.slug}` };
}

async function commentBy(who: TestMember, entryId: number, body: string): Promise<number> {
  return (await app.services.blogs.addComment(who.viewer, entryId, { body })).id;
}

async function stored(commentId: number) {
  const [row] = await app.database.db.select().from(blogComments).where(eq(blogComments.id, commentId));
  const revisions = await app.database.db.select().from(blogCommentRevisions).where(eq(blogCommentRevisions.commentId, commentId));
  return { row: row!, revisions };
}

function api(who: TestMember | null, method: 'GET' | 'PATCH', url: string, payload?: object) {
  return app.inject({ method, url: `/api/v1${url}`, headers: who ? who.auth : {}, ...(payload ? { payload } : {}) });
}

/** The value of the edit form's hidden baseRevision. */
function baseRevisionIn(html: string): string {
  return /name="baseRevision" value="(\d+)"/.exec(html)![1]!;
}

describe('editing a comment from the entry page', () => {
  test('its writer finds Edit beside Remove, saves, and the entry shows the new text marked “edited”', async () => {
    const { id, url } = await entry();
    const commentId = await commentBy(bob, id, 'The SBT shoud come first.');

    const page = await bobAgent.get(url);
    expect(page.body).toContain(`href="/blog/comments/${commentId}/edit"`);
    expect(page.body).toContain(`action="/blog/comments/${commentId}/delete"`);
    // Nobody else is offered it, the entry's author included.
    expect((await signedInAgent(app, alice).then((a) => a.get(url))).body).not.toContain(`/blog/comments/${commentId}/edit`);
    expect((await carolAgent.get(url)).body).not.toContain(`/blog/comments/${commentId}/edit`);

    const form = await bobAgent.get(`/blog/comments/${commentId}/edit`);
    expect(form.statusCode).toBe(200);
    expect(form.headers['cache-control']).toBe('private, no-store');
    expect(form.body).toContain('The SBT shoud come first.');
    expect(baseRevisionIn(form.body)).toBe('1');
    expect(form.body).toMatch(/name="_csrf" value="[^"]+"/);
    expect(form.body).toContain(`href="${url}#c${commentId}"`);
    expect(form.body).toContain('>Cancel</a>');

    const saved = await bobAgent.postForm(`/blog/comments/${commentId}/edit`, { body: 'The SBT should come first.', baseRevision: '1' });
    expect(saved.statusCode, saved.body.slice(0, 300)).toBe(303);
    expect(locationOf(saved)).toBe(`${url}#c${commentId}`);
    const after = await bobAgent.open(locationOf(saved));
    expect(after.body).toContain('Your comment is saved.');
    expect(after.body).toContain('The SBT should come first.');
    expect(after.body).not.toContain('The SBT shoud come first.');

    // Every reader sees it marked as edited, with when.
    const anonymous = await app.inject({ method: 'GET', url });
    expect(anonymous.body).toContain('The SBT should come first.');
    expect(anonymous.body).toMatch(/<span class="edited">edited <time datetime="[^"]+"/);
    const { row, revisions } = await stored(commentId);
    expect(row.revision).toBe(2);
    expect(row.editedAt).not.toBeNull();
    expect(revisions.map((r) => [r.revision, r.bodySource, r.editorId])).toEqual([[1, 'The SBT shoud come first.', bob.viewer.id]]);
  });

  test('another member who can read the comment is refused, as for a post (403), and nothing changes', async () => {
    const { id, url } = await entry();
    const commentId = await commentBy(bob, id, 'Bob’s own words.');
    const form = await carolAgent.get(`/blog/comments/${commentId}/edit`);
    expect(form.statusCode).toBe(403);
    expect(form.body).toContain('Only the author of a comment can change it.');
    expect(form.body).not.toContain('Bob’s own words.');
    await carolAgent.get(url);
    const posted = await carolAgent.postForm(`/blog/comments/${commentId}/edit`, { body: 'Carol was here', baseRevision: '1' });
    expect(posted.statusCode).toBe(403);
    const viaApi = await api(carol, 'PATCH', `/blog/comments/${commentId}`, { body: 'Carol was here', baseRevision: 1 });
    expect(viaApi.statusCode).toBe(403);
    // Site staff neither: a moderator hides or deletes, never rewrites someone's words.
    expect((await api(moderator, 'PATCH', `/blog/comments/${commentId}`, { body: 'Moderated', baseRevision: 1 })).statusCode).toBe(403);
    const { row, revisions } = await stored(commentId);
    expect(row.bodySource).toBe('Bob’s own words.');
    expect(row.revision).toBe(1);
    expect(revisions).toHaveLength(0);
  });

  test('an anonymous visitor is sent to sign in', async () => {
    const { id } = await entry();
    const commentId = await commentBy(bob, id, 'Signed-in words.');
    const form = await app.inject({ method: 'GET', url: `/blog/comments/${commentId}/edit` });
    expect(form.statusCode).toBe(303);
    expect(form.headers.location).toBe(`/signin?next=${encodeURIComponent(`/blog/comments/${commentId}/edit`)}`);
    expect((await api(null, 'PATCH', `/blog/comments/${commentId}`, { body: 'x', baseRevision: 1 })).statusCode).toBe(401);
    expect((await stored(commentId)).row.revision).toBe(1);
  });

  test('outsiders to a confidential space’s entry get 404 (a removed member for their own comment too); a members-only entry’s are refused to visitors', async () => {
    // Whoever creates a space owns it: the site admin tried below must be another, an outsider there.
    const operator = await createMember(app, { role: 'admin' });
    const admin = await createMember(app, { role: 'admin' });
    const outsider = await createMember(app);
    const { space } = await createSpaceWithBoard(app, operator, { level: 'confidential' });
    await addSpaceMember(app, space.id, alice);
    await addSpaceMember(app, space.id, bob);
    const inSpace = await entry({ visibility: 'space', spaceId: space.id });
    const commentId = await commentBy(bob, inSpace.id, 'Said inside the group.');
    const outsiderAgent = await signedInAgent(app, outsider);
    const page = await outsiderAgent.get(`/blog/comments/${commentId}/edit`);
    expect(page.statusCode).toBe(404);
    expect(page.body).not.toContain('Said inside the group.');
    // The same answer as for a comment that never existed.
    const ghost = await outsiderAgent.get('/blog/comments/999999999/edit');
    expect(ghost.statusCode).toBe(404);
    await outsiderAgent.get('/');
    expect((await outsiderAgent.postForm(`/blog/comments/${commentId}/edit`, { body: 'Leak?', baseRevision: '1' })).statusCode).toBe(404);
    for (const who of [outsider, moderator, admin]) {
      const res = await api(who, 'PATCH', `/blog/comments/${commentId}`, { body: 'Leak?', baseRevision: 1 });
      expect(res.statusCode, who.handle).toBe(404);
      expect(res.body).not.toContain('Said inside the group.');
    }
    // Bob leaves the space: his own comment there is out of his reach at once.
    expect((await bobAgent.get(`/blog/comments/${commentId}/edit`)).statusCode).toBe(200);
    await app.database.db.update(spaceMembers).set({ status: 'removed' }).where(eq(spaceMembers.userId, bob.viewer.id));
    expect((await bobAgent.get(`/blog/comments/${commentId}/edit`)).statusCode).toBe(404);
    expect((await api(bob, 'PATCH', `/blog/comments/${commentId}`, { body: 'Changed from outside', baseRevision: 1 })).statusCode).toBe(404);
    expect((await stored(commentId)).row.bodySource).toBe('Said inside the group.');

    const membersOnly = await entry({ visibility: 'members' });
    const membersComment = await commentBy(bob, membersOnly.id, 'For members.');
    expect((await app.inject({ method: 'GET', url: `/blog/comments/${membersComment}/edit` })).statusCode).toBe(303);
    expect((await api(null, 'PATCH', `/blog/comments/${membersComment}`, { body: 'x', baseRevision: 1 })).statusCode).toBe(401);
    expect((await bobAgent.get(`/blog/comments/${membersComment}/edit`)).statusCode).toBe(200);
  });

  test('a stale edit (another tab saved first) is a 409 that keeps the typed text and shows the version saved now; saving again then works', async () => {
    const { id, url } = await entry();
    const commentId = await commentBy(bob, id, 'First version.');
    const firstTab = await bobAgent.get(`/blog/comments/${commentId}/edit`);
    expect(baseRevisionIn(firstTab.body)).toBe('1');
    expect((await bobAgent.postForm(`/blog/comments/${commentId}/edit`, { body: 'Saved from the second tab.', baseRevision: '1' })).statusCode).toBe(303);

    const stale = await bobAgent.postForm(`/blog/comments/${commentId}/edit`, { body: 'Typed in the first tab, worth keeping.', baseRevision: '1' });
    expect(stale.statusCode).toBe(409);
    const html = decodeHtml(stale.body);
    expect(html).toContain('role="alert"');
    expect(html).toContain('another tab or device');
    expect(html).toContain('Your text is kept below');
    // The typed text in the box, the saved one beside it to compare.
    expect(html).toMatch(/<textarea[^>]*name="body"[^>]*>Typed in the first tab, worth keeping\.<\/textarea>/);
    expect(html).toContain('The current version');
    expect(html).toContain('<p>Saved from the second tab.</p>');
    // The form now stands on the saved revision: sending it again replaces that knowingly.
    expect(baseRevisionIn(stale.body)).toBe('2');
    expect((await stored(commentId)).row.bodySource).toBe('Saved from the second tab.');
    const again = await bobAgent.postForm(`/blog/comments/${commentId}/edit`, { body: 'Typed in the first tab, worth keeping.', baseRevision: baseRevisionIn(stale.body) });
    expect(again.statusCode).toBe(303);
    expect(locationOf(again)).toBe(`${url}#c${commentId}`);
    const { row, revisions } = await stored(commentId);
    expect(row.bodySource).toBe('Typed in the first tab, worth keeping.');
    expect(revisions.map((r) => r.bodySource).sort()).toEqual(['First version.', 'Saved from the second tab.']);
  });

  test('an empty comment is refused (422) with a clear error, and nothing in the database changes', async () => {
    const { id } = await entry();
    const commentId = await commentBy(bob, id, 'Worth keeping.');
    await bobAgent.get(`/blog/comments/${commentId}/edit`);
    const before = await stored(commentId);
    const refused = await bobAgent.postForm(`/blog/comments/${commentId}/edit`, { body: '  \n ', baseRevision: '1' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('A comment cannot be empty. To take it down, remove it instead.');
    expect(refused.body).toContain('aria-invalid="true"');
    expect(baseRevisionIn(refused.body)).toBe('1');
    const after = await stored(commentId);
    expect(after.row).toEqual(before.row);
    expect(after.revisions).toHaveLength(0);
  });

  test('the same text again changes nothing: no new revision, no “edited”', async () => {
    const { id, url } = await entry();
    const commentId = await commentBy(bob, id, 'Unchanged.');
    await bobAgent.get(`/blog/comments/${commentId}/edit`);
    const same = await bobAgent.postForm(`/blog/comments/${commentId}/edit`, { body: 'Unchanged.\n', baseRevision: '1' });
    expect(same.statusCode).toBe(303);
    expect((await bobAgent.open(locationOf(same))).body).toContain('Nothing changed, so nothing was saved.');
    const { row, revisions } = await stored(commentId);
    expect([row.revision, row.editedAt, revisions.length]).toEqual([1, null, 0]);
    expect((await app.inject({ method: 'GET', url })).body).not.toContain('class="edited"');
  });
});

describe('moderation of an edited comment', () => {
  test('a comment edited after it was flagged: the item page says so and shows what it said before', async () => {
    const { id } = await entry();
    const commentId = await commentBy(bob, id, 'Double the dose EDITMODMARK.');
    // A member's flag weighs less than the threshold: the comment stays up, and its writer may still edit it.
    const flagged = await app.services.moderation.flagBlog(carol.viewer, { commentId }, { reason: 'misinformation' });
    expect(flagged.hidden).toBe(false);
    const edited = await api(bob, 'PATCH', `/blog/comments/${commentId}`, { body: 'Check the dose with pharmacy.', baseRevision: 1 });
    expect(edited.statusCode, edited.body).toBe(200);

    const [item] = await app.database.db.select().from(reviewItems).where(eq(reviewItems.commentId, commentId));
    const modAgent = await signedInAgent(app, moderator);
    const page = await modAgent.get(`/mod/queue/${item!.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Check the dose with pharmacy.');
    expect(page.body).toContain('Edited after it was flagged');
    expect(page.body).toContain('Earlier versions');
    expect(page.body).toContain(`Version 1 by @${bob.handle}`);
    expect(page.body).toContain('Double the dose EDITMODMARK.');

    const detail = (await api(moderator, 'GET', `/mod/queue/${item!.id}`)).json() as { blog: { editedAt: string | null }; revisions: { revision: number; bodyHtml: string; editor: string }[] };
    expect(detail.blog.editedAt).not.toBeNull();
    expect(detail.revisions).toEqual([expect.objectContaining({ revision: 1, editor: bob.handle, bodyHtml: expect.stringContaining('EDITMODMARK') })]);

    // Readers of the entry never see the earlier version.
    for (const res of [await app.inject({ method: 'GET', url: `/api/v1/blog/entries/${id}/comments` }), await carolAgent.get(`/blog/comments/${commentId}/edit`)]) {
      expect(res.body).not.toContain('EDITMODMARK');
    }
  });

  test('editing does not change a comment’s moderation status: a hidden one stays hidden', async () => {
    const { id, url } = await entry();
    const commentId = await commentBy(bob, id, 'Buy cheap pills HIDDENMARK.');
    // A moderator's flag weighs the whole threshold: hidden at once.
    expect((await app.services.moderation.flagBlog(moderator.viewer, { commentId }, { reason: 'spam' })).hidden).toBe(true);
    const form = await bobAgent.get(`/blog/comments/${commentId}/edit`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('A moderator hid it: editing it does not bring it back.');
    expect((await bobAgent.postForm(`/blog/comments/${commentId}/edit`, { body: 'Sorry, removed the link.', baseRevision: '1' })).statusCode).toBe(303);
    const { row } = await stored(commentId);
    expect([row.status, row.bodySource, row.revision]).toEqual(['hidden', 'Sorry, removed the link.', 2]);
    expect((await app.inject({ method: 'GET', url })).body).not.toContain('Sorry, removed the link.');
    expect((await carolAgent.get(url)).body).not.toContain('Sorry, removed the link.');
    // Its writer still sees it, marked hidden, with Edit.
    const own = (await bobAgent.get(url)).body;
    expect(own).toContain('Sorry, removed the link.');
    expect(own).toContain(`/blog/comments/${commentId}/edit`);
  });
});

describe('the JSON API', () => {
  test('PATCH /api/v1/blog/comments/:id answers 200 with the comment’s new revision, 409 on a stale one, 422 on an empty body', async () => {
    const { id, url } = await entry();
    const commentId = await commentBy(bob, id, 'API first version.');
    const listed = (await api(null, 'GET', `/blog/entries/${id}/comments`)).json() as { id: number; revision: number; editedAt: string | null }[];
    expect(listed.find((c) => c.id === commentId)).toMatchObject({ revision: 1, editedAt: null });

    const ok = await api(bob, 'PATCH', `/blog/comments/${commentId}`, { body: 'API second version.', baseRevision: 1 });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ id: commentId, entryId: id, url: `${url}#c${commentId}`, revision: 2, editedAt: expect.any(String) });

    const stale = await api(bob, 'PATCH', `/blog/comments/${commentId}`, { body: 'From an old copy.', baseRevision: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('conflict');
    expect(stale.json().error.message).toContain('another tab or device');

    const empty = await api(bob, 'PATCH', `/blog/comments/${commentId}`, { body: '   ', baseRevision: 2 });
    expect(empty.statusCode).toBe(422);
    expect(empty.json().error).toMatchObject({ code: 'invalid', fields: { body: 'A comment cannot be empty. To take it down, remove it instead.' } });
    // No baseRevision at all: the schema refuses it before the service.
    expect((await api(bob, 'PATCH', `/blog/comments/${commentId}`, { body: 'No revision' })).statusCode).toBe(400);

    const after = (await api(null, 'GET', `/blog/entries/${id}/comments`)).json() as { id: number; body: string; revision: number; editedAt: string | null }[];
    expect(after.find((c) => c.id === commentId)).toMatchObject({ body: 'API second version.', revision: 2, editedAt: expect.any(String) });
    const { revisions } = await stored(commentId);
    expect(revisions.map((r) => r.bodySource)).toEqual(['API first version.']);

    // A removed comment can no longer be edited: it is gone for its writer too.
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/blog/comments/${commentId}`, headers: bob.auth })).statusCode).toBe(200);
    expect((await api(bob, 'PATCH', `/blog/comments/${commentId}`, { body: 'Back again?', baseRevision: 2 })).statusCode).toBe(404);
  });
});
