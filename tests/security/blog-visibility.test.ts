import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { fetcherFor } from '../helpers/crawl.ts';
import { addSpaceMember, createMember, createSpaceWithBoard, PASSWORD, type TestMember } from '../helpers/factories.ts';

/*
 * Every blog entry state against every kind of viewer, on every channel that shows entries: the
 * entry page, the JSON API by id, the author's blog and the community list (page and API), the tag
 * page, the comments API and the Atom feeds. Invisible means 404 (never 403) and absent from lists.
 */

const VIEWERS = ['anonymous', 'outsider', 'spaceMember', 'author', 'siteModerator', 'admin'] as const;
type ViewerKind = (typeof VIEWERS)[number];
const STATES = ['public', 'members', 'space', 'draft', 'scheduled', 'hidden'] as const;
type State = (typeof STATES)[number];

/** Who may read each state (the entry itself). */
const MAY_READ: Record<State, readonly ViewerKind[]> = {
  public: VIEWERS,
  members: ['outsider', 'spaceMember', 'author', 'siteModerator', 'admin'],
  // A confidential space's entry: its members only. Site staff are outsiders there.
  space: ['spaceMember', 'author'],
  draft: ['author'],
  scheduled: ['author'],
  // Hidden by a moderator: the author and those who moderate public entries (site staff).
  hidden: ['author', 'siteModerator', 'admin'],
};
/** Lists show entries that are published (or due); drafts and scheduled entries stay on the author's desk. */
const LISTED: Record<State, boolean> = { public: true, members: true, space: true, draft: false, scheduled: false, hidden: true };

let app: TestApp;
const people = {} as Record<Exclude<ViewerKind, 'anonymous'>, TestMember>;
const entries = {} as Record<State, { id: number; slug: string; title: string }>;
const cookies = new Map<ViewerKind, Record<string, string>>();
let spaceCommentMarker = '';

beforeAll(async () => {
  app = await createTestApp();
  people.author = await createMember(app);
  people.outsider = await createMember(app);
  people.spaceMember = await createMember(app);
  people.siteModerator = await createMember(app, { role: 'moderator' });
  people.admin = await createMember(app, { role: 'admin' });
  // Created by another admin: whoever creates a space owns it, and this matrix's admin must be an outsider.
  const operator = await createMember(app, { role: 'admin' });
  const { space } = await createSpaceWithBoard(app, operator, { level: 'confidential' });
  await addSpaceMember(app, space.id, people.author);
  await addSpaceMember(app, space.id, people.spaceMember);
  const { blogs, moderation } = app.services;
  const author = people.author.viewer;
  for (const state of STATES) {
    const title = `BLOGVIS ${state} entry`;
    const ref = await blogs.createDraft(author, {
      title,
      body: `Body of the ${state} entry.`,
      tags: 'matrix',
      visibility: state === 'members' ? 'members' : state === 'space' ? 'space' : 'public',
      spaceId: state === 'space' ? space.id : null,
    });
    if (state === 'scheduled') await blogs.schedule(author, ref.id, new Date(Date.now() + 3_600_000));
    else if (state !== 'draft') await blogs.publish(author, ref.id);
    entries[state] = { id: ref.id, slug: ref.slug, title };
  }
  // A moderator's flag weighs the whole threshold: the entry is hidden at once.
  const flagged = await moderation.flagBlog(people.siteModerator.viewer, { entryId: entries.hidden.id }, { reason: 'misinformation' });
  expect(flagged.hidden).toBe(true);
  spaceCommentMarker = 'BLOGVIS space comment';
  await blogs.addComment(people.spaceMember.viewer, entries.space.id, { body: spaceCommentMarker });
  for (const who of VIEWERS) {
    if (who === 'anonymous') cookies.set(who, {});
    else {
      const { cookie } = await app.services.accounts.signIn(people[who].handle, PASSWORD, 'matrix');
      cookies.set(who, { [cookie.name]: cookie.value });
    }
  }
}, 60_000);
afterAll(async () => app?.close());

function api(who: ViewerKind) {
  return fetcherFor(app, who === 'anonymous' ? {} : people[who].auth);
}
function browser(who: ViewerKind) {
  return fetcherFor(app, {}, cookies.get(who)!);
}

describe.each(VIEWERS)('blog visibility for %s', (who) => {
  test.each(STATES)('a %s entry', async (state) => {
    const entry = entries[state];
    const may = MAY_READ[state].includes(who);
    const listed = may && LISTED[state];
    const handle = people.author.handle;

    const page = await browser(who)('GET', `/u/${handle}/blog/${entry.slug}`);
    expect(page.status, `page as ${who}`).toBe(may ? 200 : 404);
    expect(page.body.includes(entry.title)).toBe(may);
    const byId = await api(who)('GET', `/api/v1/blog/entries/${entry.id}`);
    expect(byId.status, `api as ${who}`).toBe(may ? 200 : 404);
    expect(byId.body.includes(entry.title)).toBe(may);
    const comments = await api(who)('GET', `/api/v1/blog/entries/${entry.id}/comments`);
    expect(comments.status).toBe(may ? 200 : 404);

    for (const url of [`/u/${handle}/blog`, '/blog', '/blog/tags/matrix', `/u/${handle}`]) {
      const list = await browser(who)('GET', url);
      expect(list.body.includes(entry.title), `${url} as ${who}`).toBe(listed);
    }
    for (const url of ['/api/v1/blog/entries', `/api/v1/users/${handle}/blog`, '/api/v1/blog/entries?tag=matrix']) {
      const list = await api(who)('GET', url);
      expect(list.body.includes(entry.title), `${url} as ${who}`).toBe(listed);
    }
    // Feeds are public documents: only the public entry, whoever asks.
    for (const url of ['/blog/feed.atom', `/u/${handle}/blog/feed.atom`, '/blog/tags/matrix/feed.atom']) {
      const feed = await browser(who)('GET', url);
      expect(feed.body.includes(entry.title), `${url} as ${who}`).toBe(state === 'public');
    }
  });

  test('a comment on the confidential-space entry', async () => {
    const may = MAY_READ.space.includes(who);
    const res = await api(who)('GET', `/api/v1/blog/entries/${entries.space.id}/comments`);
    expect(res.body.includes(spaceCommentMarker)).toBe(may);
  });
});
