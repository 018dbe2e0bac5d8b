import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { createMember, createSpaceWithBoard, createThread, signedInAgent, type TestMember } from '../helpers/factories.ts';
import type { Agent } from '../helpers/browser-session.ts';

/*
 * No N+1 queries: each read page runs the same number of SQL statements whether it shows a few
 * items or many. Items come from many different authors (an author lookup per item is the usual
 * N+1) and the counts are taken from the app's own database handle (db/client.ts `onQuery`).
 */

let statements = 0;
let app: TestApp;
let admin: TestMember;
let moderator: TestMember;
let reader: TestMember;
let authors: TestMember[];
let agents: { name: string; agent: Agent | null }[];

beforeAll(async () => {
  // No job worker: its statements (notification e-mails written in the background) would be counted too.
  app = await createTestApp({ JOBS_WORK: '0' }, { onQuery: () => void statements++ });
  [admin, moderator, reader] = await Promise.all([createMember(app, { role: 'admin' }), createMember(app, { role: 'moderator' }), createMember(app)]);
  authors = await Promise.all(Array.from({ length: 8 }, () => createMember(app)));
  agents = [
    { name: 'anonymous', agent: null },
    { name: 'signed in', agent: await signedInAgent(app, reader) },
  ];
}, 120_000);

afterAll(async () => {
  await app?.close();
});

const author = (i: number) => authors[i % authors.length]!;
let written = 0;
/** Every text differs: the duplicate-post check would refuse a repeat. */
const text = (what: string) => `${what} ${++written}`;

/** Statements one page load runs, once warmed up (per-process caches are not what is measured). */
async function statementsFor(url: string, agent: Agent | null): Promise<number> {
  const load = async () => {
    const res = agent ? await agent.get(url) : await app.inject({ method: 'GET', url });
    expect(res.statusCode, `${url}: ${res.body.slice(0, 200)}`).toBe(200);
  };
  // Twice: what the first load writes (a read position, a new CSRF secret) makes the process
  // forget what it remembered about the reader once heard, and the second reads it again.
  for (let warmUp = 0; warmUp < 2; warmUp++) {
    await load();
    await app.events.settled();
  }
  statements = 0;
  await load();
  // A page that reads nothing would mean the observer is not wired, and every comparison would pass.
  expect(statements, url).toBeGreaterThan(0);
  return statements;
}

/** One after another: the statement counter is shared. */
async function countsFor(urls: string[]): Promise<number[]> {
  const counts: number[] = [];
  for (const { agent } of agents) for (const url of urls) counts.push(await statementsFor(url, agent));
  return counts;
}

async function expectSameCount(few: string, many: string, agent: Agent | null) {
  const counts = { few: await statementsFor(few, agent), many: await statementsFor(many, agent) };
  expect(counts.many, `${few} ran ${counts.few} statements, ${many} ran ${counts.many}`).toBe(counts.few);
}

async function threadWithReplies(boardId: number, replies: number) {
  const ref = await createThread(app, author(0), boardId);
  for (let i = 1; i <= replies; i++) await app.services.forum.reply(author(i).viewer, ref.threadId, { body: text(`Reply with [a link](https://example.org/${i})`) });
  return `/t/${ref.threadId}/${ref.slug}`;
}

describe('statements per page do not grow with the number of items shown', () => {
  test('thread page: 3 posts and 30 posts', async () => {
    const { board } = await createSpaceWithBoard(app, admin);
    const few = await threadWithReplies(board.id, 2);
    const many = await threadWithReplies(board.id, 29);
    for (const { agent } of agents) await expectSameCount(few, many, agent);
  });

  test('board page: 3 threads and 30 threads', async () => {
    const small = await createSpaceWithBoard(app, admin);
    const large = await createSpaceWithBoard(app, admin);
    for (let i = 0; i < 3; i++) await createThread(app, author(i), small.board.id);
    for (let i = 0; i < 30; i++) {
      const ref = await createThread(app, author(i), large.board.id);
      await app.services.forum.reply(author(i + 1).viewer, ref.threadId, { body: text('A reply so the last poster differs') });
    }
    for (const { agent } of agents) {
      await expectSameCount(`/s/${small.space.slug}/${small.board.slug}`, `/s/${large.space.slug}/${large.board.slug}`, agent);
    }
  });

  test('home page: before and after many more threads in more spaces', async () => {
    const before = await countsFor(['/']);
    for (let s = 0; s < 4; s++) {
      const { board } = await createSpaceWithBoard(app, admin);
      for (let i = 0; i < 8; i++) await createThread(app, author(i + s), board.id);
    }
    const after = await countsFor(['/']);
    expect(after).toEqual(before);
  });

  test('profile: a member with 2 posts and one with 20 posts in 20 threads', async () => {
    const { board } = await createSpaceWithBoard(app, admin);
    const [quiet, busy] = await Promise.all([createMember(app), createMember(app)]);
    for (let i = 0; i < 2; i++) await createThread(app, quiet, board.id);
    for (let i = 0; i < 20; i++) await createThread(app, busy, board.id);
    for (const { agent } of agents) await expectSameCount(`/u/${quiet.handle}`, `/u/${busy.handle}`, agent);
  });

  test('blog entry: 2 comments and 20 comments', async () => {
    const entryWith = async (comments: number) => {
      const ref = await app.services.blogs.createDraft(author(0).viewer, { title: `Entry with ${comments} comments`, body: 'Entry body', tags: 'practice' });
      await app.services.blogs.publish(author(0).viewer, ref.id);
      for (let i = 1; i <= comments; i++) await app.services.blogs.addComment(author(i).viewer, ref.id, { body: text('Comment') });
      return `/u/${author(0).handle}/blog/${ref.slug}`;
    };
    const few = await entryWith(2);
    const many = await entryWith(20);
    for (const { agent } of agents) await expectSameCount(few, many, agent);
  });

  test('blog lists: before and after 20 more entries by different members', async () => {
    const lists = ['/blog', `/u/${author(1).handle}/blog`];
    const publish = async (i: number) => {
      const ref = await app.services.blogs.createDraft(author(i).viewer, { title: `Entry ${i}`, body: `Body ${i}`, tags: ['practice', `t${i}`] });
      await app.services.blogs.publish(author(i).viewer, ref.id);
    };
    await publish(1);
    const before = await countsFor(lists);
    for (let i = 0; i < 20; i++) await publish(i);
    const after = await countsFor(lists);
    expect(after).toEqual(before);
  });

  test('moderation queue: 2 items and 20 items', async () => {
    const { board } = await createSpaceWithBoard(app, admin);
    const flagger = await createMember(app);
    const flagNew = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const ref = await createThread(app, author(i), board.id);
        await app.services.moderation.flagPost(flagger.viewer, ref.postId, { reason: 'off_topic' });
      }
    };
    const agent = await signedInAgent(app, moderator);
    await flagNew(2);
    const few = await statementsFor('/mod/queue', agent);
    await flagNew(18);
    const many = await statementsFor('/mod/queue', agent);
    expect(many, `the queue ran ${few} statements with 2 items, ${many} with 20`).toBe(few);
  });
});
