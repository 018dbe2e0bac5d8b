import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { posts, threads } from '../../db/schema/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { decodeHtml, locationOf } from '../helpers/browser-session.ts';
import { createMember, createSpaceWithBoard, createThread, signedInAgent, type TestMember } from '../helpers/factories.ts';

let app: TestApp;
let admin: TestMember;
let alice: TestMember;
let bob: TestMember;
let space: { slug: string; id: number };
let board: { slug: string; id: number; name: string };

beforeAll(async () => {
  app = await createTestApp();
  admin = await createMember(app, { role: 'admin' });
  alice = await createMember(app);
  bob = await createMember(app);
  ({ space, board } = await createSpaceWithBoard(app, admin, { name: 'Medical Education' }));
});
afterAll(async () => app.close());

const boardUrl = () => `/s/${space.slug}/${board.slug}`;

describe('starting threads from the composer (JavaScript off)', () => {
  test('a member starts a thread and lands on it', async () => {
    const agent = await signedInAgent(app, alice);
    const res = await agent.submit(`${boardUrl()}/new`, `${boardUrl()}/new`, { title: 'Teaching the Valsalva manoeuvre', body: 'Steps:\n\n1. Explain\n2. Demonstrate', intent: 'post' });
    expect(res.statusCode).toBe(303);
    const page = await agent.open(locationOf(res));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Teaching the Valsalva manoeuvre</h1>');
    expect(page.body).toContain('<ol>');
    const listing = await app.inject({ method: 'GET', url: boardUrl() });
    expect(listing.body).toContain('Teaching the Valsalva manoeuvre');
  });

  test('preview shows the rendered post and keeps everything typed, without posting', async () => {
    const agent = await signedInAgent(app, alice);
    const res = await agent.submit(`${boardUrl()}/new`, `${boardUrl()}/new`, { title: 'Preview me please', body: '**bold** <script>alert(1)</script>', intent: 'preview' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<strong>bold</strong>');
    expect(res.body).not.toContain('<script>alert(1)</script>');
    expect(res.body).toContain('value="Preview me please"');
    expect(decodeHtml(res.body)).toContain('**bold** <script>alert(1)</script></textarea>');
    expect((await app.inject({ method: 'GET', url: boardUrl() })).body).not.toContain('Preview me please');
  });

  test('a refused thread re-renders the form with the typed text and the fields marked', async () => {
    const agent = await signedInAgent(app, alice);
    const longTitle = 'T'.repeat(250);
    const res = await agent.submit(`${boardUrl()}/new`, `${boardUrl()}/new`, { title: longTitle, body: '   ', intent: 'post' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain(`value="${longTitle}"`);
    expect(res.body).toContain('Keep the title under 200 characters');
    expect(res.body).toContain('Write something before posting.');
    expect(res.body).toContain('aria-invalid="true"');
  });

  test('the same form sent twice makes one thread', async () => {
    const agent = await signedInAgent(app, bob);
    await agent.get(`${boardUrl()}/new`);
    const fields = { title: 'Double click hazard', body: 'Once only', idempotencyKey: 'form-abc-123', intent: 'post' };
    const first = await agent.postForm(`${boardUrl()}/new`, fields);
    const second = await agent.postForm(`${boardUrl()}/new`, fields);
    expect(locationOf(first)).toBe(locationOf(second));
    const listing = await app.inject({ method: 'GET', url: `/api/v1/boards/${board.id}/threads` });
    expect(listing.json().threads.filter((t: { title: string }) => t.title === 'Double click hazard')).toHaveLength(1);
  });

  test('a form without its CSRF token is refused and nothing is written', async () => {
    const agent = await signedInAgent(app, bob);
    await agent.get(`${boardUrl()}/new`);
    const res = await agent.postForm(`${boardUrl()}/new`, { title: 'Forged from elsewhere', body: 'x', intent: 'post' }, { csrf: false });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('Your text was not saved');
    expect(decodeHtml(res.body)).toContain('Forged from elsewhere');
    expect((await app.inject({ method: 'GET', url: boardUrl() })).body).not.toContain('Forged from elsewhere');
  });

  test('visitors are sent to sign in before composing', async () => {
    const res = await app.inject({ method: 'GET', url: `${boardUrl()}/new` });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/signin?next=${encodeURIComponent(`${boardUrl()}/new`)}`);
  });
});

describe('replying, quoting, editing and deleting from thread pages', () => {
  test('reply, reply-to and quote: the quote links back to the quoted post', async () => {
    const thread = await createThread(app, alice, board.id, 'Simulation debriefs', 'Use **PEARLS**.');
    const agent = await signedInAgent(app, bob);
    const threadUrl = `/t/${thread.threadId}/${thread.slug}`;
    const page = await agent.get(threadUrl);
    const firstPostId = Number(/href="\/t\/\d+\/reply\?to=(\d+)"/.exec(page.body)?.[1]);
    const quotePage = await agent.get(`/t/${thread.threadId}/reply?to=${firstPostId}&quote=1`);
    expect(quotePage.statusCode).toBe(200);
    const prefilled = decodeHtml(/<textarea[^>]*name="body"[^>]*>([\s\S]*?)<\/textarea>/.exec(quotePage.body)?.[1] ?? '');
    expect(prefilled).toContain(`> **@${alice.handle}** [wrote](${threadUrl}#p1):`);
    const posted = await agent.postForm(`/t/${thread.threadId}/reply`, { body: `${prefilled}Agreed.`, replyTo: String(firstPostId), intent: 'post' });
    expect(posted.statusCode).toBe(303);
    expect(locationOf(posted)).toBe(`${threadUrl}#p2`);
    const after = await app.inject({ method: 'GET', url: threadUrl });
    expect(after.body).toContain(`in reply to @${alice.handle} #1`);
    expect(after.body).toContain(`<a href="${threadUrl}#p1" rel="nofollow ugc noopener">wrote</a>`);
  });

  test('an empty reply re-renders with a message and nothing is posted', async () => {
    const thread = await createThread(app, alice, board.id, 'Empty replies');
    const agent = await signedInAgent(app, bob);
    const res = await agent.submit(`/t/${thread.threadId}/${thread.slug}`, `/t/${thread.threadId}/reply`, { body: '  \n ', intent: 'post' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Write something before posting.');
    const api = await app.inject({ method: 'GET', url: `/api/v1/threads/${thread.threadId}` });
    expect(api.json().postCount).toBe(1);
  });

  test('the same reply sent twice is refused with a link to the earlier post, and the text is kept', async () => {
    const thread = await createThread(app, alice, board.id, 'Double submits');
    const agent = await signedInAgent(app, bob);
    const threadUrl = `/t/${thread.threadId}/${thread.slug}`;
    const text = 'Start at 0.05 mcg/kg/min and titrate.';
    expect((await agent.submit(threadUrl, `/t/${thread.threadId}/reply`, { body: text, intent: 'post' })).statusCode).toBe(303);
    const again = await agent.submit(threadUrl, `/t/${thread.threadId}/reply`, { body: text, intent: 'post' });
    expect(again.statusCode).toBe(422);
    expect(decodeHtml(again.body)).toContain('You posted exactly this text a few minutes ago.');
    const link = /<a href="(\/p\/\d+)">Open your earlier post<\/a>/.exec(again.body)?.[1];
    expect(link).toBeDefined();
    expect(decodeHtml(/<textarea[^>]*name="body"[^>]*>([\s\S]*?)<\/textarea>/.exec(again.body)?.[1] ?? '')).toBe(text);
    // The link opens the earlier reply in its thread.
    const opened = await agent.get(link!);
    expect(opened.headers.location).toBe(`${threadUrl}#p2`);
  });

  test('editing shows "edited" with a link to every version; the stale form is refused and keeps its text', async () => {
    const thread = await createThread(app, alice, board.id, 'Editable', 'first version');
    const agent = await signedInAgent(app, alice);
    const postId = (await app.inject({ method: 'GET', url: `/api/v1/threads/${thread.threadId}` })).json().posts[0].id;
    const form = await agent.get(`/p/${postId}/edit`);
    // The way back: the breadcrumbs name the space and board, and Cancel returns to the post.
    expect(form.body).toContain(`<a href="${boardUrl()}">${board.name}</a>`);
    expect(form.body).toContain(`<a class="composer-cancel" href="/t/${thread.threadId}/editable#p1">Cancel</a>`);
    const saved = await agent.postForm(`/p/${postId}/edit`, { title: 'Editable', body: 'second version', baseRevision: '1', intent: 'post' });
    expect(saved.statusCode).toBe(303);
    const page = await agent.open(locationOf(saved));
    expect(page.body).toContain('second version');
    expect(page.body).toContain(`href="/p/${postId}/revisions"`);
    const versions = await app.inject({ method: 'GET', url: `/p/${postId}/revisions` });
    expect(versions.body).toContain('first version');
    expect(versions.body).toContain('second version');
    // What changed, word by word, as readers see the text.
    expect(versions.body).toContain('<summary>What changed in version 2</summary><div><p class="revision-diff"><del>first</del><ins>second</ins> version</p>');
    const stale = await agent.postForm(`/p/${postId}/edit`, { title: 'Editable', body: 'third from an old tab', baseRevision: '1', intent: 'post' });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('A newer version of this post was saved while you were editing');
    expect(stale.body).toContain('third from an old tab');
    // The current version is there to compare, and the form builds on it: saving again keeps the
    // typed text (it was refused a second time, for ever, while it carried the old revision).
    expect(stale.body).toMatch(/role="alert"[\s\S]*The current version[\s\S]*second version[\s\S]*<textarea/);
    expect(stale.body).toContain('name="baseRevision" value="2"');
    const again = await agent.postForm(`/p/${postId}/edit`, { title: 'Editable', body: 'third from an old tab', baseRevision: '2', intent: 'post' });
    expect(again.statusCode).toBe(303);
    expect((await agent.open(locationOf(again))).body).toContain('third from an old tab');
    // Emptying a post is not how it is taken down, and the refusal says so rather than "posting".
    const emptied = await agent.postForm(`/p/${postId}/edit`, { title: 'Editable', body: '   ', baseRevision: '3', intent: 'post' });
    expect(emptied.statusCode).toBe(422);
    expect(emptied.body).toContain('A post cannot be empty. To take it down, delete it instead.');
    expect(emptied.body).not.toContain('before posting');
  });

  test('a changed dose reads as one change in the versions, whole numbers and all', async () => {
    const thread = await createThread(app, alice, board.id, 'Noradrenaline start', 'Start at **0.05** mcg/kg/min and titrate.');
    const agent = await signedInAgent(app, alice);
    await agent.get(`/p/${thread.postId}/edit`);
    expect((await agent.postForm(`/p/${thread.postId}/edit`, { title: 'Noradrenaline start', body: 'Start at **0.1** mcg/kg/min and titrate every 5 min.', baseRevision: '1', intent: 'post' })).statusCode).toBe(303);
    const versions = (await app.inject({ method: 'GET', url: `/p/${thread.postId}/revisions` })).body;
    expect(versions).toContain('Start at <del>0.05</del><ins>0.1</ins> mcg/kg/min and <del>titrate.</del><ins>titrate every 5 min.</ins>');
    // A new title is a change too.
    expect((await agent.postForm(`/p/${thread.postId}/edit`, { title: 'Noradrenaline: where to start', body: 'Start at **0.1** mcg/kg/min and titrate every 5 min.', baseRevision: '2', intent: 'post' })).statusCode).toBe(303);
    const retitled = decodeHtml((await app.inject({ method: 'GET', url: `/p/${thread.postId}/revisions` })).body);
    expect(retitled).toContain('<summary>What changed in version 3</summary><div><p class="revision-diff">Title: <del>Noradrenaline start</del> <ins>Noradrenaline: where to start</ins></p><p class="hint">The text did not change.</p>');
  });

  test('the versions keep paragraphs and list items on their own lines, so a change shows where it is', async () => {
    const before = 'Checklist:\n\n- Airway: size 7.0 tube\n- Drugs: ketamine 1 mg/kg\n\nThen reassess.';
    const thread = await createThread(app, alice, board.id, 'RSI checklist', before);
    const agent = await signedInAgent(app, alice);
    await agent.get(`/p/${thread.postId}/edit`);
    const after = before.replace('ketamine 1 mg/kg', 'ketamine 1.5 mg/kg');
    expect((await agent.postForm(`/p/${thread.postId}/edit`, { title: 'RSI checklist', body: after, baseRevision: '1', intent: 'post' })).statusCode).toBe(303);
    const versions = decodeHtml((await app.inject({ method: 'GET', url: `/p/${thread.postId}/revisions` })).body);
    expect(versions).toContain('<p class="revision-diff">Checklist:\n• Airway: size 7.0 tube\n• Drugs: ketamine <del>1</del><ins>1.5</ins> mg/kg\nThen reassess.</p>');
  });

  test('deleting leaves "post removed by author" in place', async () => {
    const thread = await createThread(app, alice, board.id, 'Deletable');
    const agent = await signedInAgent(app, bob);
    const reply = await app.services.forum.reply(bob.viewer, thread.threadId, { body: 'Bob says something regrettable' });
    await agent.get(`/t/${thread.threadId}/${thread.slug}`);
    const res = await agent.postForm(`/p/${reply.postId}/delete`, {});
    expect(res.statusCode).toBe(303);
    const page = await app.inject({ method: 'GET', url: `/t/${thread.threadId}/${thread.slug}` });
    expect(page.body).toContain('Post removed by author.');
    expect(page.body).not.toContain('regrettable');
    expect(page.body).toContain('id="p2"');
  });

  test('a locked thread shows why it takes no replies and refuses a posted reply', async () => {
    const thread = await createThread(app, alice, board.id, 'Locked discussion');
    await app.services.forum.setThreadState(admin.viewer, thread.threadId, { locked: true });
    const agent = await signedInAgent(app, bob);
    const page = await agent.get(`/t/${thread.threadId}/${thread.slug}`);
    expect(page.body).toContain('This thread is locked: it takes no new replies.');
    expect(page.body).not.toContain('Post reply');
    const res = await agent.postForm(`/t/${thread.threadId}/reply`, { body: 'sneaking in', intent: 'post' });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('This thread is locked');
    expect(decodeHtml(res.body)).toContain('sneaking in');
  });

  test('permalinks to posts on later pages land on the right page', async () => {
    const thread = await createThread(app, alice, board.id, 'Paged thread');
    for (let i = 0; i < 31; i++) await app.services.forum.reply(bob.viewer, thread.threadId, { body: `number ${i + 2}` });
    const api = (await app.inject({ method: 'GET', url: `/api/v1/threads/${thread.threadId}?page=2` })).json();
    const res = await app.inject({ method: 'GET', url: `/p/${api.posts[1].id}` });
    expect(res.headers.location).toBe(`/t/${thread.threadId}/${thread.slug}?page=2#p32`);
    const page2 = await app.inject({ method: 'GET', url: `/t/${thread.threadId}/${thread.slug}?page=2` });
    expect(page2.body).toContain('id="p32"');
    expect(page2.body).not.toContain('id="p30"');
  });
});

describe('reading', () => {
  test('home lists spaces, boards and the latest threads; board pages list pinned first', async () => {
    const older = await createThread(app, alice, board.id, 'Pinned announcement');
    await createThread(app, bob, board.id, 'Newest chatter');
    await app.services.forum.setThreadState(admin.viewer, older.threadId, { pinned: true });
    const home = await app.inject({ method: 'GET', url: '/' });
    expect(home.body).toContain('Medical Education');
    expect(home.body).toContain(board.name);
    expect(home.body).toContain('Newest chatter');
    const listing = await app.inject({ method: 'GET', url: boardUrl() });
    expect(listing.body.indexOf('Pinned announcement')).toBeLessThan(listing.body.indexOf('Newest chatter'));
  });

  test('unknown spaces, boards, threads and pages answer with a friendly 404 page', async () => {
    for (const url of ['/s/nope', `/s/${space.slug}/nope`, '/t/999999/x', '/p/999999', '/no/such/page', `${boardUrl()}?page=999`]) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('Page not found');
    }
  });

  test('pages carry a strict Content-Security-Policy without inline script', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.body).not.toMatch(/\son[a-z]+="/);
  });
});

describe('cheap anonymous reading', () => {
  test('an anonymous reader gets no cookie and causes no session write', async () => {
    const thread = await createThread(app, alice, board.id, 'Read without a trace');
    for (const url of ['/', `/s/${space.slug}`, boardUrl(), `/t/${thread.threadId}/${thread.slug}`]) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['set-cookie'], url).toBeUndefined();
    }
  });
});

describe('a thread page by the reader’s site role', () => {
  test('a site moderator sees a held post and a held thread of a public space, on its page and in the lists; a member sees neither; the author sees their own', async () => {
    // Signed-in thread pages read through statements prepared per site role: each role must get its own.
    const siteMod = await createMember(app, { role: 'moderator' });
    const carol = await createMember(app);
    const thread = await createThread(app, alice, board.id, 'Held things');
    const url = `/t/${thread.threadId}/${thread.slug}`;
    const held = await app.services.forum.reply(bob.viewer, thread.threadId, { body: 'A reply awaiting approval.' });
    await app.database.db.update(posts).set({ status: 'held' }).where(eq(posts.id, held.postId));
    const [asModerator, asMember, asAuthor] = await Promise.all([signedInAgent(app, siteMod), signedInAgent(app, carol), signedInAgent(app, bob)]);
    expect((await asModerator.get(url)).body).toContain('A reply awaiting approval.');
    expect((await asAuthor.get(url)).body).toContain('A reply awaiting approval.');
    const memberPage = await asMember.get(url);
    expect(memberPage.statusCode).toBe(200);
    expect(memberPage.body).not.toContain('A reply awaiting approval.');
    await app.database.db.update(threads).set({ status: 'held' }).where(eq(threads.id, thread.threadId));
    expect((await asModerator.get(url)).statusCode).toBe(200);
    expect((await asMember.get(url)).statusCode).toBe(404);
    // The board's and the home page's lists too (also prepared per site role).
    for (const listUrl of [boardUrl(), '/']) {
      expect((await asModerator.get(listUrl)).body, listUrl).toContain('Held things');
      expect((await asMember.get(listUrl)).body, listUrl).not.toContain('Held things');
    }
  });
});
