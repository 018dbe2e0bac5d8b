import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { blogEntries, blogEntryRevisions, reviewItems } from '../../db/schema/index.ts';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { createMember, type TestMember } from '../helpers/factories.ts';

let app: TestApp;
let alice: TestMember;
let bob: TestMember;
let siteMod: TestMember;

beforeAll(async () => {
  app = await createTestApp();
  alice = await createMember(app);
  bob = await createMember(app);
  siteMod = await createMember(app, { role: 'moderator' });
});
afterAll(async () => app.close());

type Ref = { id: number; url: string; revision: number; status: string; held: string | null };

async function call(who: TestMember | null, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object) {
  return app.inject({ method, url: `/api/v1${url}`, headers: who ? who.auth : {}, ...(payload ? { payload } : {}) });
}

let drafted = 0;
async function draft(who: TestMember, fields: Record<string, unknown> = {}): Promise<Ref> {
  const res = await call(who, 'POST', '/blog/entries', { title: `Night shifts and sleep ${++drafted}`, body: `Some thoughts on **sleep** (${drafted}).`, ...fields });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Ref;
}

async function published(who: TestMember, fields: Record<string, unknown> = {}): Promise<Ref> {
  const ref = await draft(who, fields);
  const res = await call(who, 'POST', `/blog/entries/${ref.id}/publish`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Ref;
}

describe('drafts and saving', () => {
  test('a draft is its author’s alone until published', async () => {
    const ref = await draft(alice, { tags: 'Sleep, night shifts' });
    expect(ref.status).toBe('draft');
    expect((await call(alice, 'GET', `/blog/entries/${ref.id}`)).statusCode).toBe(200);
    expect((await call(bob, 'GET', `/blog/entries/${ref.id}`)).statusCode).toBe(404);
    expect((await call(null, 'GET', `/blog/entries/${ref.id}`)).statusCode).toBe(404);
    const listed = (await call(null, 'GET', `/users/${alice.handle}/blog`)).json() as { id: number }[];
    expect(listed.some((e) => e.id === ref.id)).toBe(false);
    const entry = (await call(alice, 'GET', `/blog/entries/${ref.id}`)).json();
    expect(entry.tags).toEqual(['night-shifts', 'sleep']);
    expect(entry.tagLabels).toEqual(['night shifts', 'Sleep']);
  });

  test('autosave moves the draft on; a stale save is refused with 409 and changes nothing', async () => {
    const ref = await draft(alice);
    const saved = await call(alice, 'PUT', `/blog/entries/${ref.id}/autosave`, { title: 'Night shifts, revised', body: 'Autosaved text', baseRevision: ref.revision });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().revision).toBe(ref.revision + 1);
    const stale = await call(alice, 'PUT', `/blog/entries/${ref.id}`, { title: 'Other tab', body: 'Stale text', baseRevision: ref.revision });
    expect(stale.statusCode).toBe(409);
    const entry = (await call(alice, 'GET', `/blog/entries/${ref.id}`)).json();
    expect(entry.body).toBe('Autosaved text');
    // Autosaves keep no revision rows; explicit saves keep the previous version.
    expect(await app.database.db.select().from(blogEntryRevisions).where(eq(blogEntryRevisions.entryId, ref.id))).toHaveLength(0);
    await call(alice, 'PUT', `/blog/entries/${ref.id}`, { title: 'Night shifts, final', body: 'Final text', baseRevision: ref.revision + 1 });
    const revisions = (await call(alice, 'GET', `/blog/entries/${ref.id}/revisions`)).json() as { body: string }[];
    expect(revisions.map((r) => r.body)).toEqual(['Autosaved text']);
  });

  test('another member cannot save someone else’s entry', async () => {
    const ref = await published(alice);
    const res = await call(bob, 'PUT', `/blog/entries/${ref.id}`, { title: 'Hijack', body: 'Hijacked', baseRevision: ref.revision });
    expect(res.statusCode).toBe(403);
    expect((await call(null, 'GET', `/blog/entries/${ref.id}`)).json().title).toMatch(/Night shifts/);
  });

  test('preview renders through the one Markdown pipeline (raw HTML stays text)', async () => {
    const res = await call(alice, 'POST', '/blog/preview', { body: '## Heading\n\n<script>alert(1)</script>' });
    expect(res.json().html).toContain('<h2 id="h-heading">Heading</h2>');
    expect(res.json().html).not.toContain('<script>');
  });
});

describe('publishing and scheduling', () => {
  test('publish makes the entry public with reading time and in the community list', async () => {
    const ref = await published(alice, { body: Array.from({ length: 500 }, () => 'word').join(' ') });
    const entry = (await call(null, 'GET', `/blog/entries/${ref.id}`)).json();
    expect(entry.status).toBe('published');
    expect(entry.readingMinutes).toBe(2);
    const latest = (await call(null, 'GET', '/blog/entries')).json() as { id: number }[];
    expect(latest[0]!.id).toBe(ref.id);
  });

  test('unpublish returns the entry to a draft', async () => {
    const ref = await published(alice);
    expect((await call(alice, 'POST', `/blog/entries/${ref.id}/unpublish`)).json().status).toBe('draft');
    expect((await call(null, 'GET', `/blog/entries/${ref.id}`)).statusCode).toBe(404);
  });

  test('a time in the past cannot be scheduled', async () => {
    const ref = await draft(alice);
    const res = await call(alice, 'POST', `/blog/entries/${ref.id}/schedule`, { publishAt: new Date(Date.now() - 60_000).toISOString() });
    expect(res.statusCode).toBe(422);
  });

  test('a scheduled entry stays hidden until its time, then publishes itself — across a restart', async () => {
    // An app of its own on the shared database, so it can be closed while the database lives on.
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: 'memory://' });
    const first = await buildApp(config, app.database);
    await first.ready();
    const created = await first.inject({ method: 'POST', url: '/api/v1/blog/entries', headers: alice.auth, payload: { title: 'Scheduled for later', body: 'Not yet.' } });
    const ref = created.json() as Ref;
    const at = new Date(Date.now() + 1500);
    const res = await first.inject({ method: 'POST', url: `/api/v1/blog/entries/${ref.id}/schedule`, headers: alice.auth, payload: { publishAt: at.toISOString() } });
    expect(res.json().status).toBe('scheduled');
    expect((await first.inject({ method: 'GET', url: `/api/v1/blog/entries/${ref.id}` })).statusCode).toBe(404);
    expect((await first.inject({ method: 'GET', url: '/api/v1/blog/entries', headers: bob.auth })).json().some((e: { id: number }) => e.id === ref.id)).toBe(false);
    await first.close();

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, at.getTime() - Date.now()) + 200));
    const second = await buildApp(config, app.database);
    await second.ready();
    try {
      const read = await second.inject({ method: 'GET', url: `/api/v1/blog/entries/${ref.id}` });
      expect(read.statusCode).toBe(200);
      expect(read.json().status).toBe('published');
      expect(read.json().publishedAt).toBe(at.toISOString());
      // The start-up sweep flipped the stored status too.
      const [row] = await app.database.db.select().from(blogEntries).where(eq(blogEntries.id, ref.id));
      expect(row!.status).toBe('published');
    } finally {
      await second.close();
    }
  });

  test('a scheduled entry reads as published once due, even before any sweep', async () => {
    const ref = await draft(alice);
    await call(alice, 'POST', `/blog/entries/${ref.id}/schedule`, { publishAt: new Date(Date.now() + 60_000).toISOString() });
    await app.database.db.update(blogEntries).set({ publishAt: new Date(Date.now() - 1000), publishedAt: new Date(Date.now() - 1000) }).where(eq(blogEntries.id, ref.id));
    expect((await call(null, 'GET', `/blog/entries/${ref.id}`)).json().status).toBe('published');
    expect((await call(null, 'GET', '/blog/entries')).json().some((e: { id: number }) => e.id === ref.id)).toBe(true);
  });
});

describe('lists', () => {
  test('a blog pages by keyset: every entry once, newest first; a cursor the viewer cannot see is a 404', async () => {
    const carol = await createMember(app);
    const ids: number[] = [];
    for (let i = 0; i < 23; i++) {
      const ref = await app.services.blogs.createDraft(carol.viewer, { title: `Paged entry ${i}`, body: `Entry number ${i}` });
      await app.services.blogs.publish(carol.viewer, ref.id);
      ids.push(ref.id);
    }
    const first = (await call(null, 'GET', `/users/${carol.handle}/blog`)).json() as { id: number }[];
    expect(first).toHaveLength(20);
    const second = (await call(null, 'GET', `/users/${carol.handle}/blog?before=${first[19]!.id}`)).json() as { id: number }[];
    expect([...first, ...second].map((e) => e.id)).toEqual([...ids].reverse());
    const page = await app.inject({ method: 'GET', url: `/u/${carol.handle}/blog` });
    expect(page.body).toContain(`?before=${first[19]!.id}`);
    const secret = await draft(carol);
    expect((await call(null, 'GET', `/users/${carol.handle}/blog?before=${secret.id}`)).statusCode).toBe(404);
  });
});

describe('tags', () => {
  test('`tags` stay the slugs a client filters by; `tagLabels` beside them spell them as their writer did', async () => {
    const ref = await published(alice, { tags: ['ECMO', 'Point-of-care ultrasound', 'NHS England'] });
    const entry = (await call(null, 'GET', `/blog/entries/${ref.id}`)).json();
    expect(entry.tags).toEqual(['ecmo', 'nhs-england', 'point-of-care-ultrasound']);
    expect(entry.tagLabels).toEqual(['ECMO', 'NHS England', 'Point-of-care ultrasound']);

    // Another writer's "ecmo" is the same tag: both are listed by its slug, each in its own spelling.
    const bobs = await published(bob, { tags: 'ecmo' });
    const listed = (await call(null, 'GET', '/blog/entries?tag=ecmo')).json() as { id: number; tags: string[]; tagLabels: string[] }[];
    expect(listed.map((e) => [e.id, e.tags, e.tagLabels])).toEqual([
      [bobs.id, ['ecmo'], ['ecmo']],
      [ref.id, ['ecmo', 'nhs-england', 'point-of-care-ultrasound'], ['ECMO', 'NHS England', 'Point-of-care ultrasound']],
    ]);
    const blog = (await call(null, 'GET', `/users/${alice.handle}/blog`)).json() as { id: number; tagLabels: string[] }[];
    expect(blog.find((e) => e.id === ref.id)?.tagLabels).toEqual(['ECMO', 'NHS England', 'Point-of-care ultrasound']);
    expect((await call(null, 'GET', '/blog/entries?tag=ECMO')).statusCode).toBe(404);

    // A save may respell a tag; it stays the same tag.
    const saved = await call(alice, 'PUT', `/blog/entries/${ref.id}`, { title: 'Night shifts and sleep, respelled', body: 'Body', tags: 'Ecmo, NHS England', baseRevision: ref.revision });
    expect(saved.statusCode, saved.body).toBe(200);
    const respelled = (await call(null, 'GET', `/blog/entries/${ref.id}`)).json();
    expect([respelled.tags, respelled.tagLabels]).toEqual([
      ['ecmo', 'nhs-england'],
      ['Ecmo', 'NHS England'],
    ]);
  });

  test('more than eight tags are refused with the same message as before, and nothing is saved', async () => {
    const ref = await draft(alice, { tags: 'ICU' });
    const nine = ['ECMO', 'NHS England', 'Sepsis', 'AKI', 'CRRT', 'Delirium', 'Proning', 'Tracheostomy', 'Handover'];
    const created = await call(alice, 'POST', '/blog/entries', { title: 'Nine tags', body: 'Body', tags: nine });
    expect(created.statusCode).toBe(422);
    expect(created.json().error.fields).toEqual({ tags: 'Use at most 8 tags.' });
    const saved = await call(alice, 'PUT', `/blog/entries/${ref.id}`, { title: 'Nine tags', body: 'Body', tags: nine.join(', '), baseRevision: ref.revision });
    expect(saved.statusCode).toBe(422);
    expect(saved.json().error.fields).toEqual({ tags: 'Use at most 8 tags.' });
    expect((await call(alice, 'GET', `/blog/entries/${ref.id}`)).json().tagLabels).toEqual(['ICU']);
  });
});

describe('slugs', () => {
  test('a changed slug keeps the old address redirecting; another entry cannot take it', async () => {
    const ref = await published(alice, { title: 'Handover checklists' });
    expect(ref.url).toBe(`/u/${alice.handle}/blog/handover-checklists`);
    const saved = await call(alice, 'PUT', `/blog/entries/${ref.id}`, { title: 'Handover checklists', body: 'Body', slug: 'Better Handovers', baseRevision: ref.revision });
    expect(saved.json().url).toBe(`/u/${alice.handle}/blog/better-handovers`);
    const old = await app.services.blogs.entryPage(alice.viewer, alice.handle, 'handover-checklists');
    expect(old).toMatchObject({ kind: 'moved', slug: 'better-handovers' });
    const other = await draft(alice, { title: 'Handover checklists' });
    expect(other.url).toBe(`/u/${alice.handle}/blog/handover-checklists-2`);
    const taken = await call(alice, 'PUT', `/blog/entries/${other.id}`, { title: 'x x x', body: 'b', slug: 'handover-checklists', baseRevision: other.revision });
    expect(taken.statusCode).toBe(422);
    expect(taken.json().error.fields.slug).toBeDefined();
  });
});

describe('comments and moderation', () => {
  test('one level of replies; the author can close comments', async () => {
    const ref = await published(alice);
    const first = await call(bob, 'POST', `/blog/entries/${ref.id}/comments`, { body: 'Great piece.' });
    expect(first.statusCode, first.body).toBe(201);
    const reply = await call(alice, 'POST', `/blog/entries/${ref.id}/comments`, { body: 'Thank you!', parentId: first.json().id });
    expect(reply.statusCode).toBe(201);
    const deeper = await call(bob, 'POST', `/blog/entries/${ref.id}/comments`, { body: 'Deeper', parentId: reply.json().id });
    expect(deeper.statusCode).toBe(422);
    const comments = (await call(null, 'GET', `/blog/entries/${ref.id}/comments`)).json() as { parentId: number | null }[];
    expect(comments.map((c) => c.parentId)).toEqual([null, first.json().id]);
    await call(alice, 'PATCH', `/blog/entries/${ref.id}/comments`, { open: false });
    const closed = await call(bob, 'POST', `/blog/entries/${ref.id}/comments`, { body: 'Too late' });
    expect(closed.statusCode).toBe(403);
    expect((await call(null, 'GET', `/blog/entries/${ref.id}/comments`)).json()).toHaveLength(2);
  });

  test('a comment flagged by a moderator is hidden at once; the queue decides it', async () => {
    const ref = await published(alice);
    const comment = (await call(bob, 'POST', `/blog/entries/${ref.id}/comments`, { body: 'Buy cheap pills' })).json();
    const flagged = await call(siteMod, 'POST', `/blog/comments/${comment.id}/flags`, { reason: 'spam' });
    expect(flagged.statusCode, flagged.body).toBe(201);
    expect(flagged.json().hidden).toBe(true);
    expect((await call(null, 'GET', `/blog/entries/${ref.id}/comments`)).json()).toHaveLength(0);
    // Its author still sees it, with the note.
    const own = (await call(bob, 'GET', `/blog/entries/${ref.id}/comments`)).json();
    expect(own[0].status).toBe('hidden');
    const queue = (await call(siteMod, 'GET', '/mod/queue')).json() as { items: { id: number; blog: { commentId: number | null } | null }[] };
    const item = queue.items.find((i) => i.blog?.commentId === comment.id);
    expect(item).toBeDefined();
    const decided = await call(siteMod, 'POST', `/mod/queue/${item!.id}/decision`, { decision: 'delete', reason: 'Spam' });
    expect(decided.statusCode, decided.body).toBe(200);
    expect((await call(bob, 'GET', `/blog/entries/${ref.id}/comments`)).json()).toHaveLength(0);
  });

  test('a flagged entry can be hidden and then restored by keeping it', async () => {
    const ref = await published(alice);
    await call(bob, 'POST', `/blog/entries/${ref.id}/flags`, { reason: 'misinformation' });
    const [item] = await app.database.db.select().from(reviewItems).where(eq(reviewItems.entryId, ref.id));
    expect(item).toBeDefined();
    expect((await call(siteMod, 'POST', `/mod/queue/${item!.id}/decision`, { decision: 'hide', reason: 'Unsafe dosing advice.' })).statusCode).toBe(200);
    expect((await call(null, 'GET', `/blog/entries/${ref.id}`)).statusCode).toBe(404);
    expect((await call(alice, 'GET', `/blog/entries/${ref.id}`)).json().moderationStatus).toBe('hidden');
    expect((await call(siteMod, 'GET', `/blog/entries/${ref.id}`)).statusCode).toBe(200);
    expect((await call(bob, 'GET', `/blog/entries/${ref.id}`)).statusCode).toBe(404);
  });

  test('an entry deleted by its author while flagged: the item still closes', async () => {
    const ref = await published(alice);
    await call(bob, 'POST', `/blog/entries/${ref.id}/flags`, { reason: 'spam' });
    expect((await call(alice, 'DELETE', `/blog/entries/${ref.id}`)).statusCode).toBe(200);
    const [item] = await app.database.db.select().from(reviewItems).where(eq(reviewItems.entryId, ref.id));
    const decided = await call(siteMod, 'POST', `/mod/queue/${item!.id}/decision`, { decision: 'hide', reason: 'Spam.' });
    expect(decided.statusCode, decided.body).toBe(200);
    const [closed] = await app.database.db.select().from(reviewItems).where(eq(reviewItems.id, item!.id));
    expect(closed!.status).toBe('decided');
  });

  test('a newcomer’s entry is held for approval when the site holds first posts', async () => {
    await app.services.moderation.updateSettings((await createMember(app, { role: 'admin' })).viewer, {
      ...(await app.services.moderation.settings()),
      holdFirstPosts: 1,
    });
    const newcomer = await createMember(app, { trustLevel: 0 });
    const ref = await draft(newcomer);
    const res = await call(newcomer, 'POST', `/blog/entries/${ref.id}/publish`);
    expect(res.json().held).toMatch(/moderator/);
    expect((await call(null, 'GET', `/blog/entries/${ref.id}`)).statusCode).toBe(404);
    const [item] = await app.database.db.select().from(reviewItems).where(eq(reviewItems.entryId, ref.id));
    expect(item!.kind).toBe('held_post');
    expect((await call(siteMod, 'POST', `/mod/queue/${item!.id}/decision`, { decision: 'approve' })).statusCode).toBe(200);
    expect((await call(null, 'GET', `/blog/entries/${ref.id}`)).statusCode).toBe(200);

    // Held and scheduled for later: moderators can read and approve it before its time; nobody else sees it early.
    const another = await createMember(app, { trustLevel: 0 });
    const later = await draft(another);
    const scheduled = await call(another, 'POST', `/blog/entries/${later.id}/schedule`, { publishAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(scheduled.json().held).toMatch(/moderator/);
    expect((await call(siteMod, 'GET', `/blog/entries/${later.id}`)).statusCode).toBe(200);
    expect((await call(bob, 'GET', `/blog/entries/${later.id}`)).statusCode).toBe(404);
    const [laterItem] = await app.database.db.select().from(reviewItems).where(eq(reviewItems.entryId, later.id));
    expect((await call(siteMod, 'POST', `/mod/queue/${laterItem!.id}/decision`, { decision: 'approve' })).statusCode).toBe(200);
    // Approved, but still not before its time.
    expect((await call(bob, 'GET', `/blog/entries/${later.id}`)).statusCode).toBe(404);
    expect((await call(siteMod, 'GET', `/blog/entries/${later.id}`)).statusCode).toBe(404);
  });
});

describe('entries for a confidential space', () => {
  test('an author who has not accepted its current ground rules is told so, instead of saving an entry hidden from them', async () => {
    const owner = await createMember(app, { role: 'admin' });
    const space = await app.services.spaces.createSpace(owner.viewer, { name: 'Rules first circle', description: '', level: 'confidential', joinPolicy: 'invite', rules: 'We keep confidence.' });
    await app.services.membership.inviteByHandle(owner.viewer, space.id, bob.handle);
    await app.services.membership.acceptInvitation(bob.viewer, space.id);
    await app.services.membership.acceptRules(bob.viewer, space.id, 1);
    // New rules, which Bob has not accepted yet.
    const version = await app.services.membership.updateRules(owner.viewer, space.id, 'We keep confidence, and we turn up.');
    const refused = await call(bob, 'POST', '/blog/entries', { title: 'For the circle', body: 'Notes for the circle.', visibility: 'space', spaceId: space.id });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.fields.spaceId).toContain('Accept the current ground rules of Rules first circle first');

    await app.services.membership.acceptRules(bob.viewer, space.id, version);
    const saved = await call(bob, 'POST', '/blog/entries', { title: 'For the circle', body: 'Notes for the circle.', visibility: 'space', spaceId: space.id });
    expect(saved.statusCode).toBe(201);
    expect((await call(bob, 'GET', `/blog/entries/${saved.json().id}`)).statusCode).toBe(200);
  });
});
