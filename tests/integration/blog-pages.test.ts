import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { decodeHtml, locationOf, type Agent } from '../helpers/browser-session.ts';
import { addSpaceMember, createMember, createSpaceWithBoard, signedInAgent, type TestMember } from '../helpers/factories.ts';

let app: TestApp;
let alice: TestMember;
let bob: TestMember;
let aliceAgent: Agent;
let bobAgent: Agent;

beforeAll(async () => {
  app = await createTestApp();
  alice = await createMember(app);
  bob = await createMember(app);
  aliceAgent = await signedInAgent(app, alice);
  bobAgent = await signedInAgent(app, bob);
});
afterAll(async () => app.close());

const LONG = '# Background\n\nWhy this matters.\n\n# Method\n\nWhat we did.\n\n## Dosing\n\nDetails.\n\n# Results\n\nWhat we found.';

async function writeDraft(agent: Agent, fields: Record<string, string>) {
  const res = await agent.submit('/blog/new', '/blog/new', { intent: 'save', visibility: 'public', commentsOpen: '1', ...fields });
  expect(res.statusCode, res.body.slice(0, 400)).toBe(303);
  const id = Number(/\/blog\/(\d+)\/edit/.exec(String(res.headers.location))![1]);
  return id;
}

async function publishFromEditor(agent: Agent, id: number, fields: Record<string, string>) {
  const page = await agent.get(`/blog/${id}/edit`);
  const revision = /name="baseRevision" value="(\d+)"/.exec(page.body)![1]!;
  return agent.postForm(`/blog/${id}/edit`, { intent: 'publish', visibility: 'public', commentsOpen: '1', baseRevision: revision, ...fields });
}

describe('writing an entry in the browser', () => {
  test('new entry → preview (exactly what readers see) → save → publish; the entry page has a table of contents and public meta tags', async () => {
    const preview = await aliceAgent.submit('/blog/new', '/blog/new', { intent: 'preview', title: 'On prone positioning', body: LONG });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('<h2 id="h-background">Background</h2>');
    // Preview keeps the typed text in the form.
    expect(decodeHtml(preview.body)).toContain('# Method');

    const id = await writeDraft(aliceAgent, { title: 'On prone positioning', body: LONG, summary: 'What we learnt.', tags: 'ICU, ventilation' });
    const draftPage = await app.inject({ method: 'GET', url: `/u/${alice.handle}/blog/on-prone-positioning` });
    expect(draftPage.statusCode).toBe(404);

    const published = await publishFromEditor(aliceAgent, id, { title: 'On prone positioning', body: LONG, summary: 'What we learnt.', tags: 'ICU, ventilation' });
    expect(published.statusCode).toBe(303);
    expect(published.headers.location).toBe(`/u/${alice.handle}/blog/on-prone-positioning`);

    const page = await app.inject({ method: 'GET', url: `/u/${alice.handle}/blog/on-prone-positioning` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<nav class="toc"');
    expect(page.body).toContain('href="#h-dosing"');
    expect(page.body).toContain(`<link rel="canonical" href="${app.config.publicUrl}/u/${alice.handle}/blog/on-prone-positioning"/>`);
    expect(page.body).toContain('<meta property="og:title" content="On prone positioning"/>');
    expect(page.body).not.toContain('noindex');

    const list = await app.inject({ method: 'GET', url: '/blog/tags/icu' });
    expect(list.body).toContain('On prone positioning');
    expect(list.body).toMatch(/1 min read/);
    const profile = await app.inject({ method: 'GET', url: `/u/${alice.handle}` });
    expect(profile.body).toContain('On prone positioning');
  });

  test('a card in the lists shows the summary, or without one the entry’s first words as readers see them', async () => {
    const withSummary = await writeDraft(aliceAgent, { title: 'Card with a summary', body: 'Body text the card leaves out.', summary: 'The author said this.', tags: 'cards' });
    await publishFromEditor(aliceAgent, withSummary, { title: 'Card with a summary', body: 'Body text the card leaves out.', summary: 'The author said this.', tags: 'cards' });
    const bare = await writeDraft(aliceAgent, { title: 'Card without one', body: '## Why\n\nNight *handovers* lose details.', tags: 'cards' });
    await publishFromEditor(aliceAgent, bare, { title: 'Card without one', body: '## Why\n\nNight *handovers* lose details.', tags: 'cards' });
    const list = (await app.inject({ method: 'GET', url: '/blog/tags/cards' })).body;
    expect(list).toContain('<p class="entry-summary">The author said this.</p>');
    expect(list).toContain('<p class="entry-summary">Why: Night handovers lose details.</p>');
    expect(list).not.toContain('Body text the card leaves out.');
  });

  test('a rejected form keeps the typed text; a stale save is a 409 that keeps it too', async () => {
    const refused = await aliceAgent.submit('/blog/new', '/blog/new', { intent: 'save', title: 'x', body: 'Body worth keeping 123', summary: 'Summary worth keeping' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('Body worth keeping 123');
    expect(refused.body).toContain('Summary worth keeping');

    const id = await writeDraft(aliceAgent, { title: 'Stale saves', body: 'First' });
    const page = await aliceAgent.get(`/blog/${id}/edit`);
    const revision = /name="baseRevision" value="(\d+)"/.exec(page.body)![1]!;
    expect((await aliceAgent.postForm(`/blog/${id}/edit`, { intent: 'save', title: 'Stale saves', body: 'Second tab', baseRevision: revision })).statusCode).toBe(303);
    const stale = await aliceAgent.postForm(`/blog/${id}/edit`, { intent: 'save', title: 'Stale saves', body: 'First tab text to keep', baseRevision: revision });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('First tab text to keep');
  });

  test('a time to publish is read in the author’s time zone when the browser sends its offset, else as UTC; the desk shows it', async () => {
    const storedAt = async (id: number) => (await app.services.blogs.forEditing(alice.viewer, id)).entry.publishAt?.toISOString();
    // Oslo in winter is UTC+1: the browser reports an offset of -60 minutes.
    const local = await writeDraft(aliceAgent, { title: 'Scheduled in Oslo time', body: 'Out at ten, local time.' });
    expect((await publishFromEditor(aliceAgent, local, { title: 'Scheduled in Oslo time', body: 'Out at ten, local time.', publishAt: '2031-01-15T10:00', utcOffset: '-60' })).statusCode).toBe(303);
    expect(await storedAt(local)).toBe('2031-01-15T09:00:00.000Z');
    // Without the script there is no offset, and the form says the time is UTC.
    const utc = await writeDraft(aliceAgent, { title: 'Scheduled in UTC', body: 'Out at ten, UTC.' });
    expect((await aliceAgent.get(`/blog/${utc}/edit`)).body).toContain('In UTC. Leave empty to publish now.');
    expect((await publishFromEditor(aliceAgent, utc, { title: 'Scheduled in UTC', body: 'Out at ten, UTC.', publishAt: '2031-01-15T10:00', utcOffset: 'GMT+1' })).statusCode).toBe(303);
    expect(await storedAt(utc)).toBe('2031-01-15T10:00:00.000Z');

    // Save keeps the text only, and says so when a time was chosen but not scheduled.
    const drafted = await writeDraft(aliceAgent, { title: 'Saved with a time', body: 'Not yet.' });
    const page = await aliceAgent.get(`/blog/${drafted}/edit`);
    const revision = /name="baseRevision" value="(\d+)"/.exec(page.body)![1]!;
    const saved = await aliceAgent.postForm(`/blog/${drafted}/edit`, { intent: 'save', title: 'Saved with a time', body: 'Not yet.', visibility: 'public', baseRevision: revision, publishAt: '2031-02-01T08:00', utcOffset: '0' });
    expect((await aliceAgent.open(String(saved.headers.location))).body).toContain('Saved as a draft. To publish it at the time you chose, choose it again and press Schedule.');
    expect(await storedAt(drafted)).toBeUndefined();

    const desk = (await aliceAgent.get('/blog/drafts')).body;
    expect(desk).toMatch(/Scheduled<\/span> for <time datetime="2031-01-15T09:00:00.000Z"[^>]*>2031-01-15 09:00 UTC<\/time>/);
    expect(desk).toMatch(/Scheduled<\/span> for <time datetime="2031-01-15T10:00:00.000Z"/);
  });

  test('autosave needs the CSRF token, and moves the revision on', async () => {
    const id = await writeDraft(aliceAgent, { title: 'Autosaved entry', body: 'v1' });
    await aliceAgent.get(`/blog/${id}/edit`);
    const forged = await aliceAgent.postForm(`/blog/${id}/autosave`, { title: 'Autosaved entry', body: 'forged', baseRevision: '1' }, { csrf: false });
    expect(forged.statusCode).toBe(403);
    const saved = await aliceAgent.postForm(`/blog/${id}/autosave`, { title: 'Autosaved entry', body: 'v2 typed', baseRevision: '1', visibility: 'public' });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().revision).toBe(2);
    const editor = await aliceAgent.get(`/blog/${id}/edit`);
    expect(editor.body).toContain('v2 typed');
  });

  test('a published entry is not saved as it is typed: readers never see it half written, and the published version stays in its history', async () => {
    const id = await writeDraft(aliceAgent, { title: 'Published then edited', body: 'As readers first saw it.' });
    expect((await publishFromEditor(aliceAgent, id, { title: 'Published then edited', body: 'As readers first saw it.' })).statusCode).toBe(303);
    const editor = await aliceAgent.get(`/blog/${id}/edit`);
    expect(editor.body).not.toContain('data-autosave=');
    expect(editor.body).toContain('Readers see your changes when you save them.');
    const revision = /name="baseRevision" value="(\d+)"/.exec(editor.body)![1]!;
    // A page opened before it was published still autosaves: refused, with why, and nothing changes.
    const typed = await aliceAgent.postForm(`/blog/${id}/autosave`, { title: 'Published then edited', body: 'Half a sentence', baseRevision: revision, visibility: 'public' }, { accept: 'application/json' });
    expect(typed.statusCode).toBe(422);
    expect(typed.json().error.message).toContain('not saved as you type');
    const entry = await app.services.blogs.forEditing(alice.viewer, id);
    expect(entry.entry.bodySource).toBe('As readers first saw it.');
    // Save changes it, and keeps the version readers had.
    const saved = await aliceAgent.postForm(`/blog/${id}/edit`, { intent: 'save', title: 'Published then edited', body: 'As corrected.', visibility: 'public', baseRevision: revision });
    expect(saved.statusCode).toBe(303);
    const versions = await app.services.blogs.revisions(alice.viewer, id);
    expect(versions.map((v) => v.bodySource)).toContain('As readers first saw it.');
  });

  test('a new entry is kept from its first autosave, as one entry whatever else its page sends; a title too short says why', async () => {
    const page = await aliceAgent.get('/blog/new');
    expect(page.body).toContain('data-autosave="/blog/autosave"');
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(page.body)![1]!;
    const typed = (fields: Record<string, string>) => ({ idempotencyKey: key, baseRevision: '', visibility: 'public', commentsOpen: '1', ...fields });
    const json = { accept: 'application/json' };

    const short = await aliceAgent.postForm('/blog/autosave', typed({ title: 'Hi', body: 'Started before the title' }), json);
    expect(short.statusCode).toBe(422);
    expect(JSON.stringify(short.json())).toContain('title of at least');

    const first = await aliceAgent.postForm('/blog/autosave', typed({ title: 'Handover in the ICU', body: 'First words' }), json);
    expect(first.statusCode, first.body).toBe(200);
    const { editUrl, autosaveUrl } = first.json() as { editUrl: string; autosaveUrl: string };
    const id = Number(/^\/blog\/(\d+)\/edit$/.exec(editUrl)![1]);
    expect(autosaveUrl).toBe(`/blog/${id}/autosave`);
    // A beacon as the tab closes, racing the first answer, and two at once: all into the same entry.
    const [again, twice] = await Promise.all([
      aliceAgent.postForm('/blog/autosave', typed({ title: 'Handover in the ICU', body: 'First words, and more' }), json),
      aliceAgent.postForm('/blog/autosave', typed({ title: 'Handover in the ICU', body: 'First words, and more' }), json),
    ]);
    expect([again.json().editUrl, twice.json().editUrl]).toEqual([editUrl, editUrl]);
    // The Save button of a page that never heard the answers: the same entry, with what it sends.
    const saved = await aliceAgent.postForm('/blog/new', typed({ intent: 'save', title: 'Handover in the ICU', body: 'The whole first draft' }));
    expect(locationOf(saved)).toBe(editUrl);
    const desk = decodeHtml((await aliceAgent.get('/blog/drafts')).body);
    expect(desk.match(/Handover in the ICU/g)).toHaveLength(1);
    expect(decodeHtml((await aliceAgent.get(editUrl)).body)).toContain('The whole first draft');

    // Another member sending the same key makes their own entry.
    await bobAgent.get('/blog/new');
    const bobs = await bobAgent.postForm('/blog/autosave', typed({ title: 'Bob’s own notes', body: 'Mine' }), json);
    expect(bobs.json().editUrl).not.toBe(editUrl);
    expect(decodeHtml((await aliceAgent.get(editUrl)).body)).not.toContain('Bob’s own notes');
  });

  test('a changed address redirects from the old one', async () => {
    const id = await writeDraft(aliceAgent, { title: 'Old address entry', body: 'Body' });
    await publishFromEditor(aliceAgent, id, { title: 'Old address entry', body: 'Body' });
    const page = await aliceAgent.get(`/blog/${id}/edit`);
    const revision = /name="baseRevision" value="(\d+)"/.exec(page.body)![1]!;
    await aliceAgent.postForm(`/blog/${id}/edit`, { intent: 'save', title: 'Old address entry', body: 'Body', slug: 'new-address', visibility: 'public', commentsOpen: '1', baseRevision: revision });
    const old = await app.inject({ method: 'GET', url: `/u/${alice.handle}/blog/old-address-entry` });
    expect(old.statusCode).toBe(301);
    expect(old.headers.location).toBe(`/u/${alice.handle}/blog/new-address`);
  });

  test('a reader comments and replies; an empty comment is refused with the form kept', async () => {
    const id = await writeDraft(aliceAgent, { title: 'Comment on me', body: 'Body' });
    await publishFromEditor(aliceAgent, id, { title: 'Comment on me', body: 'Body' });
    const url = `/u/${alice.handle}/blog/comment-on-me`;
    const posted = await bobAgent.submit(url, `${url}/comments`, { body: 'A thoughtful comment' });
    expect(posted.statusCode).toBe(303);
    const commentId = /#c(\d+)$/.exec(String(posted.headers.location))![1]!;
    const reply = await aliceAgent.submit(url, `${url}/comments`, { body: 'Thanks, Bob', parentId: commentId });
    expect(reply.statusCode).toBe(303);
    const page = await app.inject({ method: 'GET', url });
    expect(page.body).toContain('A thoughtful comment');
    expect(page.body).toContain('Thanks, Bob');
    expect(page.body).toContain('class="comment-replies"');
    const empty = await bobAgent.submit(url, `${url}/comments`, { body: '   ' });
    expect(empty.statusCode).toBe(422);
    // Reloading the refused form's address (where the browser now is) leads back to the entry.
    const reloaded = await bobAgent.get(`${url}/comments`);
    expect(reloaded.statusCode).toBe(303);
    expect(reloaded.headers.location).toBe(`${url}#comments-heading`);
    // Alice reports Bob's comment from the page: it lands in the queue.
    const reported = await aliceAgent.submit(url, `/blog/comments/${commentId}/flag`, { reason: 'off_topic' });
    expect(reported.statusCode).toBe(303);
    const queue = (await app.inject({ method: 'GET', url: '/api/v1/mod/queue', headers: (await createMember(app, { role: 'moderator' })).auth })).json() as { items: { blog: { commentId: number | null } | null }[] };
    expect(queue.items.some((i) => i.blog?.commentId === Number(commentId))).toBe(true);
  });

  test('a members-only entry says nothing in meta and asks not to be indexed', async () => {
    const id = await writeDraft(aliceAgent, { title: 'For members', body: 'Members text', summary: 'Members summary' });
    await publishFromEditor(aliceAgent, id, { title: 'For members', body: 'Members text', summary: 'Members summary', visibility: 'members' });
    const url = `/u/${alice.handle}/blog/for-members`;
    expect((await app.inject({ method: 'GET', url })).statusCode).toBe(404);
    const page = await bobAgent.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="robots" content="noindex');
    expect(page.body).not.toContain('og:');
    expect(page.body).not.toContain('rel="canonical"');
    expect(page.body).not.toContain('name="description"');
  });
});

/** The tag links of a page, as [address, text] pairs in page order. */
function tagLinks(html: string): [string, string][] {
  return [...html.matchAll(/<a class="tag" href="([^"]*)">([\s\S]*?)<\/a>/g)].map((m) => [decodeHtml(m[1]!), decodeHtml(m[2]!.replace(/<!--.*?-->/g, ''))]);
}

/** The value of a form's input named `name`, as the page shows it. */
function inputValue(html: string, name: string): string | undefined {
  const input = new RegExp(`<input\\b[^>]*\\bname="${name}"[^>]*>`).exec(html)?.[0];
  const value = input && /\bvalue="([^"]*)"/.exec(input)?.[1];
  return value === undefined ? undefined : decodeHtml(value);
}

/** Titles of the cards of a list page. */
function cardTitles(html: string): string[] {
  return [...html.matchAll(/<h2 class="entry-card-title">\s*<a href="[^"]*">([^<]*)<\/a>/g)].map((m) => decodeHtml(m[1]!));
}

describe('tags as their writer spelled them', () => {
  const TYPED = 'ECMO, Point-of-care ultrasound, NHS England';
  const SHOWN: [string, string][] = [
    ['/blog/tags/ecmo', '#ECMO'],
    ['/blog/tags/nhs-england', '#NHS England'],
    ['/blog/tags/point-of-care-ultrasound', '#Point-of-care ultrasound'],
  ];
  let carol: TestMember;
  let carolAgent: Agent;
  let entryId: number;

  beforeAll(async () => {
    carol = await createMember(app);
    carolAgent = await signedInAgent(app, carol);
    // Bob's "ecmo" first: the same tag as Carol's "ECMO", and an older entry than hers.
    const bobs = await writeDraft(bobAgent, { title: 'Cannulating for ecmo', body: 'Bob’s notes.', tags: 'ecmo' });
    expect((await publishFromEditor(bobAgent, bobs, { title: 'Cannulating for ecmo', body: 'Bob’s notes.', tags: 'ecmo' })).statusCode).toBe(303);
    entryId = await writeDraft(carolAgent, { title: 'Retrieval on ECMO', body: 'Carol’s notes.', tags: TYPED });
    expect((await publishFromEditor(carolAgent, entryId, { title: 'Retrieval on ECMO', body: 'Carol’s notes.', tags: TYPED })).statusCode).toBe(303);
  });

  test('the entry page and every list show the labels as typed; each links to the tag’s lower-case address', async () => {
    const page = await app.inject({ method: 'GET', url: `/u/${carol.handle}/blog/retrieval-on-ecmo` });
    expect(page.statusCode).toBe(200);
    expect(tagLinks(page.body)).toEqual(SHOWN);
    for (const url of ['/blog', `/u/${carol.handle}/blog`, '/blog/tags/nhs-england']) {
      const list = await app.inject({ method: 'GET', url });
      expect(list.statusCode, url).toBe(200);
      expect(tagLinks(list.body).filter(([href]) => SHOWN.some(([shown]) => shown === href)).slice(0, 3), url).toEqual(SHOWN);
    }
  });

  test('“ECMO” and “ecmo” are one tag: both entries on its page, each card in its writer’s spelling, the heading in the newest one’s', async () => {
    const tagPage = await app.inject({ method: 'GET', url: '/blog/tags/ecmo' });
    expect(tagPage.statusCode).toBe(200);
    expect(cardTitles(tagPage.body)).toEqual(['Retrieval on ECMO', 'Cannulating for ecmo']);
    expect(tagLinks(tagPage.body).filter(([href]) => href === '/blog/tags/ecmo')).toEqual([
      ['/blog/tags/ecmo', '#ECMO'],
      ['/blog/tags/ecmo', '#ecmo'],
    ]);
    expect(tagPage.body).toContain('<h1>Entries tagged #ECMO</h1>');
    expect(tagPage.body).toContain('<title>Entries tagged #ECMO');
    // The address is the slug: another spelling of it leads there.
    for (const typed of ['ECMO', 'NHS%20England', '%23ecmo']) {
      const moved = await app.inject({ method: 'GET', url: `/blog/tags/${typed}` });
      expect(moved.statusCode, typed).toBe(301);
      expect(moved.headers.location, typed).toBe(typed === 'NHS%20England' ? '/blog/tags/nhs-england' : '/blog/tags/ecmo');
    }
  });

  test('editing shows the labels in the tags field, and saving them unchanged keeps the same tags', async () => {
    const editor = await carolAgent.get(`/blog/${entryId}/edit`);
    expect(inputValue(editor.body, 'tags')).toBe('ECMO, NHS England, Point-of-care ultrasound');
    const saved = await carolAgent.postForm(`/blog/${entryId}/edit`, {
      intent: 'save',
      title: 'Retrieval on ECMO',
      body: 'Carol’s notes, revised.',
      tags: inputValue(editor.body, 'tags')!,
      visibility: 'public',
      commentsOpen: '1',
      baseRevision: inputValue(editor.body, 'baseRevision')!,
    });
    expect(saved.statusCode, saved.body.slice(0, 400)).toBe(303);
    expect((await app.services.blogs.forEditing(carol.viewer, entryId)).tags).toEqual([
      { slug: 'ecmo', label: 'ECMO' },
      { slug: 'nhs-england', label: 'NHS England' },
      { slug: 'point-of-care-ultrasound', label: 'Point-of-care ultrasound' },
    ]);
  });

  test('too many tags, or a tag list longer than the form takes, is refused as before and the form keeps what was typed', async () => {
    const nine = 'ECMO, NHS England, Sepsis, AKI, CRRT, Delirium, Proning, Tracheostomy, Handover';
    const editor = await carolAgent.get(`/blog/${entryId}/edit`);
    const fields = { intent: 'save', title: 'Retrieval on ECMO', body: 'Carol’s notes, revised.', visibility: 'public', commentsOpen: '1', baseRevision: inputValue(editor.body, 'baseRevision')! };
    const tooMany = await carolAgent.postForm(`/blog/${entryId}/edit`, { ...fields, tags: nine });
    expect(tooMany.statusCode).toBe(422);
    expect(tooMany.body).toContain('Use at most 8 tags.');
    expect(inputValue(tooMany.body, 'tags')).toBe(nine);

    const fresh = await carolAgent.submit('/blog/new', '/blog/new', { intent: 'save', title: 'Nine tags at once', body: 'Body worth keeping', visibility: 'public', tags: nine });
    expect(fresh.statusCode).toBe(422);
    expect(fresh.body).toContain('Use at most 8 tags.');
    expect(inputValue(fresh.body, 'tags')).toBe(nine);

    const long = Array.from({ length: 80 }, (_, i) => `Long Tag ${i}`).join(', ');
    expect(long.length).toBeGreaterThan(1000);
    const tooLong = await carolAgent.postForm(`/blog/${entryId}/edit`, { ...fields, tags: long });
    expect(tooLong.statusCode).toBe(400);
    expect(decodeHtml(tooLong.body)).toContain(long);
    // Nothing was saved by either.
    expect((await app.services.blogs.forEditing(carol.viewer, entryId)).tags.map((t) => t.label)).toEqual(['ECMO', 'NHS England', 'Point-of-care ultrasound']);
  });

  test('a tag’s page is spelled only as entries the viewer may read spell it', async () => {
    const members = await writeDraft(carolAgent, { title: 'For members: a spelling', body: 'Members only.', tags: 'Members Spelling' });
    expect((await publishFromEditor(carolAgent, members, { title: 'For members: a spelling', body: 'Members only.', tags: 'Members Spelling', visibility: 'members' })).statusCode).toBe(303);
    await writeDraft(carolAgent, { title: 'A draft, spelled its own way', body: 'Draft.', tags: 'Draft-Only SPELLING' });

    const asVisitor = await app.inject({ method: 'GET', url: '/blog/tags/members-spelling' });
    expect(asVisitor.body).toContain('<h1>Entries tagged #members-spelling</h1>');
    expect(asVisitor.body).not.toContain('Members Spelling');
    expect((await bobAgent.get('/blog/tags/members-spelling')).body).toContain('<h1>Entries tagged #Members Spelling</h1>');
    // A draft's spelling is not its tag's, not even for its writer: the page lists no draft.
    for (const agent of [bobAgent, carolAgent]) {
      const drafts = await agent.get('/blog/tags/draft-only-spelling');
      expect(drafts.body).toContain('<h1>Entries tagged #draft-only-spelling</h1>');
      expect(drafts.body).not.toContain('Draft-Only SPELLING');
    }
  });
});

describe('Atom feeds', () => {
  const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'entry' || name === 'link' || name === 'category' });
  type AtomEntry = { title: string | { '#text': string }; id: string; link: { '@_href': string }[]; content?: unknown };
  const titleOf = (e: AtomEntry) => (typeof e.title === 'string' ? e.title : e.title['#text']);

  async function feed(url: string, who?: TestMember) {
    const res = await app.inject({ method: 'GET', url, headers: who ? who.auth : {} });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/atom\+xml/);
    const doc = parser.parse(res.body) as { feed: { title: unknown; entry?: AtomEntry[] } };
    return (doc.feed.entry ?? []).map(titleOf);
  }

  test('community, blog and tag feeds list public entries only, whoever asks', async () => {
    const admin = await createMember(app, { role: 'admin' });
    const { space } = await createSpaceWithBoard(app, admin, { level: 'confidential' });
    await addSpaceMember(app, space.id, alice);
    const { blogs } = app.services;
    const make = async (title: string, extra: Parameters<typeof blogs.createDraft>[1] extends infer T ? Partial<T> : never, publish = true) => {
      const ref = await blogs.createDraft(alice.viewer, { title, body: `${title} body`, tags: 'feeds', ...extra });
      if (publish) await blogs.publish(alice.viewer, ref.id);
      return ref;
    };
    await make('FEED public entry', {});
    await make('FEED members entry', { visibility: 'members' });
    await make('FEED draft entry', {}, false);
    await make('FEED space entry', { visibility: 'space', spaceId: space.id });
    const later = await make('FEED scheduled entry', {}, false);
    await blogs.schedule(alice.viewer, later.id, new Date(Date.now() + 3_600_000));

    for (const url of ['/blog/feed.atom', `/u/${alice.handle}/blog/feed.atom`, '/blog/tags/feeds/feed.atom']) {
      for (const who of [undefined, alice, bob]) {
        const titles = await feed(url, who);
        expect(titles, url).toContain('FEED public entry');
        expect(titles.filter((t) => t.startsWith('FEED') && t !== 'FEED public entry'), `${url} as ${who?.handle ?? 'anonymous'}`).toEqual([]);
      }
    }
  });

  test('a feed’s categories carry each tag’s slug as the term and its writer’s spelling as the label', async () => {
    const { blogs } = app.services;
    const ref = await blogs.createDraft(alice.viewer, { title: 'FEED spelled tags', body: 'Spelled.', tags: 'Spelled FEED, ICU' });
    await blogs.publish(alice.viewer, ref.id);
    const res = await app.inject({ method: 'GET', url: '/blog/tags/spelled-feed/feed.atom' });
    const doc = parser.parse(res.body) as { feed: { title: string | { '#text': string }; entry: (AtomEntry & { category: { '@_term': string; '@_label': string }[] })[] } };
    expect(doc.feed.entry.map(titleOf)).toEqual(['FEED spelled tags']);
    expect(doc.feed.entry[0]!.category.map((c) => [c['@_term'], c['@_label']])).toEqual([
      ['icu', 'ICU'],
      ['spelled-feed', 'Spelled FEED'],
    ]);
    expect(typeof doc.feed.title === 'string' ? doc.feed.title : doc.feed.title['#text']).toBe('Rounds blogs: #Spelled FEED');
  });

  test('an empty blog’s feed dates from when its owner joined, not from 1970', async () => {
    const newcomer = await createMember(app);
    const res = await app.inject({ method: 'GET', url: `/u/${newcomer.handle}/blog/feed.atom` });
    const doc = parser.parse(res.body) as { feed: { updated: string; entry?: unknown[] } };
    expect(doc.feed.entry).toBeUndefined();
    const joined = (await app.services.accounts.findUser(newcomer.viewer.id))!.createdAt;
    expect(doc.feed.updated).toBe(joined.toISOString());
    const tag = parser.parse((await app.inject({ method: 'GET', url: '/blog/tags/nothing-here-yet/feed.atom' })).body) as { feed: { updated: string } };
    expect(new Date(tag.feed.updated).getFullYear()).toBeGreaterThanOrEqual(2026);
  });
});
