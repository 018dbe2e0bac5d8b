import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { createMember, createSpaceWithBoard, type TestMember } from '../helpers/factories.ts';

let app: TestApp;
let admin: TestMember;
let alice: TestMember;
let bob: TestMember;
let boardId: number;

beforeAll(async () => {
  app = await createTestApp();
  admin = await createMember(app, { role: 'admin' });
  alice = await createMember(app);
  bob = await createMember(app);
  ({ board: { id: boardId } } = await createSpaceWithBoard(app, admin, { name: 'Critical Care' }));
});
afterAll(async () => app.close());

let opened = 0;
async function startThread(author: TestMember, title = 'Prone positioning in ARDS', body = `What is your **protocol**? (${++opened})`) {
  const res = await app.inject({ method: 'POST', url: `/api/v1/boards/${boardId}/threads`, headers: author.auth, payload: { title, body } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { threadId: number; postId: number; number: number; url: string };
}

async function reply(author: TestMember, threadId: number, payload: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: `/api/v1/threads/${threadId}/posts`, headers: author.auth, payload });
}

describe('threads and replies', () => {
  test('a member starts a thread and its first post is rendered from Markdown', async () => {
    const { threadId, url } = await startThread(alice);
    expect(url).toMatch(new RegExp(`^/t/${threadId}/prone-positioning-in-ards#p1$`));
    const thread = (await app.inject({ method: 'GET', url: `/api/v1/threads/${threadId}` })).json();
    expect(thread.title).toBe('Prone positioning in ARDS');
    expect(thread.posts).toHaveLength(1);
    expect(thread.posts[0].bodyHtml).toContain('<strong>protocol</strong>');
    expect(thread.posts[0].author.handle).toBe(alice.handle);
  });

  test('replies get consecutive numbers and the board lists the thread with count and last poster', async () => {
    const { threadId } = await startThread(alice, 'Heparin dosing in obesity');
    const r1 = await reply(bob, threadId, { body: 'Use actual body weight.' });
    const r2 = await reply(alice, threadId, { body: 'Thanks, and anti-Xa monitoring?' });
    expect(r1.json().number).toBe(2);
    expect(r2.json().number).toBe(3);
    const board = (await app.inject({ method: 'GET', url: `/api/v1/boards/${boardId}/threads` })).json();
    const listed = board.threads.find((t: { id: number }) => t.id === threadId);
    expect(listed.replyCount).toBe(2);
    expect(listed.lastPoster.handle).toBe(alice.handle);
    // Latest activity first.
    expect(board.threads[0].id).toBe(threadId);
  });

  test('a reply to a specific post links back to it', async () => {
    const { threadId, postId } = await startThread(alice, 'Tracheostomy timing');
    const res = await reply(bob, threadId, { body: 'Early, in my experience.', replyToPostId: postId });
    const thread = (await app.inject({ method: 'GET', url: `/api/v1/threads/${threadId}` })).json();
    expect(res.statusCode).toBe(201);
    expect(thread.posts[1].replyTo).toEqual({ id: postId, number: 1, handle: alice.handle });
  });

  test('replying to a post of another thread is refused and writes nothing', async () => {
    const a = await startThread(alice, 'Thread A about sedation');
    const b = await startThread(alice, 'Thread B about delirium');
    const res = await reply(bob, b.threadId, { body: 'cross-thread', replyToPostId: a.postId });
    expect(res.statusCode).toBe(422);
    const thread = (await app.inject({ method: 'GET', url: `/api/v1/threads/${b.threadId}` })).json();
    expect(thread.posts).toHaveLength(1);
    expect(thread.postCount).toBe(1);
  });

  test('quoting a post gives Markdown that links back to the quoted post', async () => {
    const { threadId, postId } = await startThread(alice, 'Ketamine for status asthmaticus', 'Line one\nLine two');
    const quote = await app.inject({ method: 'GET', url: `/api/v1/posts/${postId}/quote`, headers: bob.auth });
    expect(quote.statusCode).toBe(200);
    const { markdown } = quote.json();
    expect(markdown).toContain(`@${alice.handle}`);
    expect(markdown).toContain(`/t/${threadId}/`);
    expect(markdown).toContain('> Line one\n> Line two');
    const res = await reply(bob, threadId, { body: `${markdown}Agreed.` });
    const thread = (await app.inject({ method: 'GET', url: `/api/v1/threads/${threadId}` })).json();
    expect(res.statusCode).toBe(201);
    expect(thread.posts[1].bodyHtml).toContain('<blockquote>');
    expect(thread.posts[1].bodyHtml).toContain(`href="/t/${threadId}/ketamine-for-status-asthmaticus#p1"`);
  });

  test('sending the same form twice creates one post', async () => {
    const { threadId } = await startThread(alice, 'Idempotent replies');
    const payload = { body: 'Only once, please.', idempotencyKey: 'key-123-abc' };
    const [first, second] = await Promise.all([reply(bob, threadId, payload), reply(bob, threadId, payload)]);
    expect(first.json().postId).toBe(second.json().postId);
    const thread = (await app.inject({ method: 'GET', url: `/api/v1/threads/${threadId}` })).json();
    expect(thread.posts).toHaveLength(2);
  });

  test('starting the same thread twice creates one thread, and the retry is told its opening post', async () => {
    const payload = { title: 'Sent twice', body: `Only one thread, please. (${++opened})`, idempotencyKey: 'thread-key-123' };
    const send = () => app.inject({ method: 'POST', url: `/api/v1/boards/${boardId}/threads`, headers: alice.auth, payload });
    const first = await send();
    const retry = await send();
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toMatchObject({ threadId: first.json().threadId, postId: first.json().postId });
    expect(first.json().postId).toBeGreaterThan(0);
  });

  test('concurrent replies from many members get distinct, gap-free numbers', async () => {
    const { threadId } = await startThread(alice, 'Busy thread');
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => reply(i % 2 ? alice : bob, threadId, { body: `reply ${i}` })));
    expect(results.every((r) => r.statusCode === 201)).toBe(true);
    const numbers = results.map((r) => r.json().number).sort((a: number, b: number) => a - b);
    expect(numbers).toEqual(Array.from({ length: 12 }, (_, i) => i + 2));
  });

  test('thread pages hold 30 posts and keep post numbers stable', async () => {
    const { threadId } = await startThread(alice, 'Long discussion');
    for (let i = 0; i < 31; i++) await reply(bob, threadId, { body: `message ${i + 2}` });
    const page1 = (await app.inject({ method: 'GET', url: `/api/v1/threads/${threadId}` })).json();
    const page2 = (await app.inject({ method: 'GET', url: `/api/v1/threads/${threadId}?page=2` })).json();
    expect(page1.pages).toBe(2);
    expect(page1.posts).toHaveLength(30);
    expect(page2.posts.map((p: { number: number }) => p.number)).toEqual([31, 32]);
    expect(page2.posts[1].url).toMatch(/\?page=2#p32$|#p32$/);
    const missing = await app.inject({ method: 'GET', url: `/api/v1/threads/${threadId}?page=3` });
    expect(missing.statusCode).toBe(404);
  });
});

describe('editing and removing', () => {
  test('the author edits a post: revision kept, marked edited, old version viewable', async () => {
    const { threadId, postId } = await startThread(alice, 'Norepinephrine dose', 'Start at 0.05');
    const res = await app.inject({ method: 'PATCH', url: `/api/v1/posts/${postId}`, headers: alice.auth, payload: { body: 'Start at 0.05 mcg/kg/min', baseRevision: 1 } });
    expect(res.statusCode, res.body).toBe(200);
    const post = (await app.inject({ method: 'GET', url: `/api/v1/posts/${postId}` })).json();
    expect(post.edited).toBe(true);
    expect(post.revision).toBe(2);
    expect(post.body).toBe('Start at 0.05 mcg/kg/min');
    const revisions = (await app.inject({ method: 'GET', url: `/api/v1/posts/${postId}/revisions` })).json();
    expect(revisions).toEqual([expect.objectContaining({ revision: 1, body: 'Start at 0.05', title: 'Norepinephrine dose' })]);
    // The permalink does not depend on the content.
    const thread = (await app.inject({ method: 'GET', url: `/api/v1/threads/${threadId}` })).json();
    expect(thread.posts[0].url).toBe(`/t/${threadId}/norepinephrine-dose#p1`);
  });

  test('editing the first post can change the thread title; the old slug redirects', async () => {
    const { threadId, postId } = await startThread(alice, 'Old title here');
    await app.inject({ method: 'PATCH', url: `/api/v1/posts/${postId}`, headers: alice.auth, payload: { body: 'Same body', title: 'New title here', baseRevision: 1 } });
    const page = await app.inject({ method: 'GET', url: `/t/${threadId}/old-title-here` });
    expect(page.statusCode).toBe(301);
    expect(page.headers.location).toBe(`/t/${threadId}/new-title-here`);
  });

  test('a save based on an old revision is refused with a conflict, nothing overwritten', async () => {
    const { postId } = await startThread(alice, 'Conflicting edits', 'v1');
    const first = await app.inject({ method: 'PATCH', url: `/api/v1/posts/${postId}`, headers: alice.auth, payload: { body: 'v2 from laptop', baseRevision: 1 } });
    const second = await app.inject({ method: 'PATCH', url: `/api/v1/posts/${postId}`, headers: alice.auth, payload: { body: 'v2 from phone', baseRevision: 1 } });
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(409);
    expect(second.json().error.message).toMatch(/newer version/);
    const post = (await app.inject({ method: 'GET', url: `/api/v1/posts/${postId}` })).json();
    expect(post.body).toBe('v2 from laptop');
  });

  test('nobody edits or removes another member’s post', async () => {
    const { postId } = await startThread(alice, 'Mine alone');
    const edit = await app.inject({ method: 'PATCH', url: `/api/v1/posts/${postId}`, headers: bob.auth, payload: { body: 'hijacked', baseRevision: 1 } });
    const remove = await app.inject({ method: 'DELETE', url: `/api/v1/posts/${postId}`, headers: bob.auth });
    expect(edit.statusCode).toBe(403);
    expect(remove.statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: `/api/v1/posts/${postId}` })).json().body).toMatch(/^What is your \*\*protocol\*\*\? \(\d+\)$/);
  });

  test('a removed post stays in place as a tombstone without its text or history', async () => {
    const { threadId } = await startThread(alice, 'Tombstones');
    const r = (await reply(bob, threadId, { body: 'I regret this' })).json();
    await app.inject({ method: 'PATCH', url: `/api/v1/posts/${r.postId}`, headers: bob.auth, payload: { body: 'I regret this a lot', baseRevision: 1 } });
    const third = await reply(alice, threadId, { body: 'Replying after', replyToPostId: r.postId });
    const del = await app.inject({ method: 'DELETE', url: `/api/v1/posts/${r.postId}`, headers: bob.auth });
    expect(del.statusCode).toBe(200);
    const thread = (await app.inject({ method: 'GET', url: `/api/v1/threads/${threadId}` })).json();
    expect(thread.posts[1]).toMatchObject({ number: 2, removed: true, body: null, bodyHtml: null });
    expect(thread.posts[2].replyTo.number).toBe(2);
    expect(third.statusCode).toBe(201);
    expect((await app.inject({ method: 'GET', url: `/api/v1/posts/${r.postId}/revisions` })).json()).toEqual([]);
    const page = await app.inject({ method: 'GET', url: `/t/${threadId}/tombstones` });
    expect(page.body).toContain('Post removed by author.');
    expect(page.body).not.toContain('I regret this');
  });
});

describe('locking and pinning', () => {
  test('a locked thread refuses replies with a clear message; moderators pin and lock', async () => {
    const { threadId } = await startThread(alice, 'Will be locked');
    const mod = await createMember(app, { role: 'moderator' });
    const member = await app.inject({ method: 'PATCH', url: `/api/v1/threads/${threadId}`, headers: alice.auth, payload: { locked: true } });
    expect(member.statusCode).toBe(404);
    const lock = await app.inject({ method: 'PATCH', url: `/api/v1/threads/${threadId}`, headers: mod.auth, payload: { locked: true, pinned: true } });
    expect(lock.statusCode).toBe(200);
    const refused = await reply(bob, threadId, { body: 'too late' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toBe('This thread is locked: it takes no new replies.');
    const board = (await app.inject({ method: 'GET', url: `/api/v1/boards/${boardId}/threads` })).json();
    expect(board.threads[0]).toMatchObject({ id: threadId, pinned: true, locked: true });
  });
});
