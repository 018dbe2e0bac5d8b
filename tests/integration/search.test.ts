import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { boards, posts, spaces, threads } from '../../db/schema/index.ts';
import { rowsOf } from '../../db/client.ts';
import { decodeHtml } from '../helpers/browser-session.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { addSpaceMember, createMember, createSpaceWithBoard, signedInAgent, type TestMember } from '../helpers/factories.ts';
import { ANONYMOUS, type Viewer } from '../../server/policy/index.ts';
import { kindStatements, searchHits, type SearchFilters, type SearchKind } from '../../server/search/queries.ts';
import { loadCorpus } from '../security/corpora/load-xss-corpora.ts';

let app: TestApp;
let admin: TestMember;
let alice: TestMember;
let bob: TestMember;
let space: { id: number; slug: string };
let board: { id: number; slug: string };
let otherSpace: { id: number; slug: string };
let otherBoard: { id: number; slug: string };

interface Segment {
  text: string;
  highlighted: boolean;
}
interface Result {
  kind: string;
  id: number;
  title: Segment[];
  snippet: Segment[];
  url: string;
  number: number | null;
  author: { handle: string };
  createdAt: string;
}
interface Outcome {
  total: number;
  capped: boolean;
  page: number;
  pages: number;
  results: Result[];
  filters: Record<string, { id: number; name: string | null } | null>;
}

beforeAll(async () => {
  app = await createTestApp();
  admin = await createMember(app, { role: 'admin' });
  alice = await createMember(app);
  bob = await createMember(app);
  ({ space, board } = await createSpaceWithBoard(app, admin, { name: 'Cardiology' }));
  ({ space: otherSpace, board: otherBoard } = await createSpaceWithBoard(app, admin, { name: 'Nephrology' }));
});
afterAll(async () => app.close());

async function api(query: string, who?: TestMember) {
  return app.inject({ method: 'GET', url: `/api/v1/search?${query}`, headers: who ? who.auth : {} });
}

async function search(query: string, who?: TestMember): Promise<Outcome> {
  const res = await api(query, who);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Outcome;
}

const q = (text: string) => `q=${encodeURIComponent(text)}`;
const text = (segments: Segment[]) => segments.map((s) => s.text).join('');
const highlighted = (segments: Segment[]) => segments.filter((s) => s.highlighted).map((s) => s.text.toLowerCase());

async function thread(author: TestMember, title: string, body: string, boardId = board.id) {
  return app.services.forum.createThread(author.viewer, { boardId, title, body });
}

async function backdate(threadId: number, at: Date) {
  await app.database.db.update(threads).set({ createdAt: at }).where(eq(threads.id, threadId));
  await app.database.db.update(posts).set({ createdAt: at }).where(eq(posts.threadId, threadId));
}

describe('ranking', () => {
  test('a title match outranks a body match', async () => {
    const inBody = await thread(alice, 'Weekly handover notes', 'We talked about the axolotl study at length, axolotl again.');
    const inTitle = await thread(bob, 'Axolotl regeneration study', 'Nothing else to say.');
    const { results } = await search(q('axolotl'));
    expect(results[0]).toMatchObject({ kind: 'thread', id: inTitle.threadId });
    expect(results.some((r) => r.kind === 'post' && r.id === inBody.postId)).toBe(true);
  });

  test('a thread found by its title stands for its opening post; replies are listed on their own', async () => {
    const t = await thread(alice, 'Pelican audit', 'The pelican numbers are in.');
    const r = await app.services.forum.reply(bob.viewer, t.threadId, { body: 'More pelican numbers.' });
    const { results } = await search(q('pelican'));
    expect(results.map((x) => `${x.kind}:${x.id}`)).toEqual([`thread:${t.threadId}`, `post:${r.postId}`]);
    expect(highlighted(results[0]!.snippet)).toEqual(['pelican']);
  });

  test('equal relevance: the newer one first', async () => {
    const older = await thread(alice, 'Capybara rota', 'Plain text, once.');
    const newer = await thread(alice, 'Capybara rota', 'Plain text, twice.');
    await backdate(older.threadId, new Date('2024-01-01T00:00:00Z'));
    await backdate(newer.threadId, new Date('2025-01-01T00:00:00Z'));
    const ids = (await search(`${q('capybara')}&kind=thread`)).results.map((r) => r.id);
    expect(ids).toEqual([newer.threadId, older.threadId]);
  });
});

describe('websearch syntax', () => {
  let phrase: number;
  let apart: number;
  let other: number;
  beforeAll(async () => {
    phrase = (await thread(alice, 'Quokka note one', 'The night pangolin shift was quiet.')).postId;
    apart = (await thread(alice, 'Quokka note two', 'Pangolin at night, then the shift ended.')).postId;
    other = (await thread(alice, 'Quokka note three', 'A wombat in the ward.')).postId;
  });
  const postIds = async (query: string) => (await search(`${q(query)}&kind=post`)).results.map((r) => r.id).sort();

  test('"quotes" find the exact phrase only', async () => {
    expect(await postIds('"night pangolin shift"')).toEqual([phrase]);
    expect(await postIds('night pangolin shift')).toEqual([phrase, apart].sort());
  });

  test('or finds either word', async () => {
    expect(await postIds('pangolin or wombat')).toEqual([phrase, apart, other].sort());
  });

  test('-word leaves out what contains it', async () => {
    expect(await postIds('pangolin -ended')).toEqual([phrase]);
  });
});

describe('filters', () => {
  let inBoard: Awaited<ReturnType<typeof thread>>;
  let inOther: Awaited<ReturnType<typeof thread>>;
  let reply: { postId: number };
  let entryId: number;
  beforeAll(async () => {
    inBoard = await thread(alice, 'Marmoset ward round', 'The marmoset protocol.');
    inOther = await thread(bob, 'Marmoset in nephrology', 'Another marmoset.', otherBoard.id);
    reply = await app.services.forum.reply(bob.viewer, inBoard.threadId, { body: 'A marmoset reply from Bob.' });
    const entry = await app.services.blogs.createDraft(alice.viewer, { title: 'Marmoset musings', body: 'Long-form marmoset.' });
    await app.services.blogs.publish(alice.viewer, entry.id);
    entryId = entry.id;
    await app.services.blogs.addComment(bob.viewer, entry.id, { body: 'A marmoset comment.' });
    await backdate(inOther.threadId, new Date('2023-06-15T12:00:00Z'));
  });
  const keys = (o: Outcome) => o.results.map((r) => `${r.kind}:${r.id}`).sort();

  test('by kind', async () => {
    expect(keys(await search(`${q('marmoset')}&kind=thread`))).toEqual([`thread:${inBoard.threadId}`, `thread:${inOther.threadId}`].sort());
    expect((await search(`${q('marmoset')}&kind=entry`)).results.map((r) => r.id)).toEqual([entryId]);
    const comments = await search(`${q('marmoset')}&kind=comment`);
    expect(comments.results).toHaveLength(1);
    expect(comments.results[0]!.url).toMatch(/#c\d+$/);
    expect((await search(`${q('marmoset')}&kind=post`)).results).toHaveLength(3);
  });

  test('by space, board and thread', async () => {
    const inSpace = await search(`${q('marmoset')}&space=${otherSpace.id}`);
    // The thread found by its title stands for its opening post.
    expect(keys(inSpace)).toEqual([`thread:${inOther.threadId}`]);
    expect(inSpace.filters.space).toEqual({ id: otherSpace.id, name: 'Nephrology' });
    expect(keys(await search(`${q('marmoset')}&board=${board.id}`))).toEqual([`post:${reply.postId}`, `thread:${inBoard.threadId}`].sort());
    const inThread = await search(`${q('marmoset')}&thread=${inBoard.threadId}&kind=post`);
    expect(keys(inThread)).toEqual([`post:${inBoard.postId}`, `post:${reply.postId}`].sort());
  });

  test('by author handle, with or without @', async () => {
    for (const handle of [bob.handle, `@${bob.handle}`]) {
      const found = await search(`${q('marmoset')}&author=${encodeURIComponent(handle)}`);
      expect(found.results.every((r) => r.author.handle === bob.handle)).toBe(true);
      // Bob's thread (standing for its opening post), his reply, his comment.
      expect(found.results.length).toBe(3);
    }
    expect((await search(`${q('marmoset')}&author=nobody-at-all`)).total).toBe(0);
  });

  test('by date range, both ends inclusive', async () => {
    expect(keys(await search(`${q('marmoset')}&from=2023-06-15&to=2023-06-15`))).toEqual([`thread:${inOther.threadId}`]);
    expect(keys(await search(`${q('marmoset')}&from=2023-06-15&to=2023-06-15&kind=post`))).toEqual([`post:${inOther.postId}`]);
    const recent = await search(`${q('marmoset')}&from=2024-01-01`);
    expect(keys(recent)).not.toContain(`thread:${inOther.threadId}`);
    expect(recent.total).toBe(4);
  });

  test('a filter naming a place that does not exist finds nothing, and says so only by number', async () => {
    const none = await search(`${q('marmoset')}&space=999999`);
    expect(none.total).toBe(0);
    expect(none.filters.space).toEqual({ id: 999999, name: null });
  });
});

describe('pagination', () => {
  test('20 per page in a stable order, no result twice, "about N" counts them all', async () => {
    const { threadId } = await thread(alice, 'Paging test', 'tapir 0');
    for (let i = 1; i < 25; i++) await app.services.forum.reply(bob.viewer, threadId, { body: `tapir ${i}` });
    const first = await search(`${q('tapir')}`);
    const second = await search(`${q('tapir')}&page=2`);
    expect(first).toMatchObject({ total: 25, pages: 2, page: 1, capped: false });
    expect(first.results).toHaveLength(20);
    expect(second.results).toHaveLength(5);
    const all = [...first.results, ...second.results].map((r) => r.id);
    expect(new Set(all).size).toBe(25);
    expect((await search(`${q('tapir')}&page=2`)).results.map((r) => r.id)).toEqual(second.results.map((r) => r.id));
    const page = await app.inject({ method: 'GET', url: `/search?${q('tapir')}` });
    expect(page.body).toContain('>25 results<');
    expect(page.body).toContain(`href="/search?q=tapir&amp;page=2"`);
  });

  test('pages beyond the 10th are refused', async () => {
    expect((await api(`${q('tapir')}&page=11`)).statusCode).toBe(400);
    const page = await app.inject({ method: 'GET', url: `/search?${q('tapir')}&page=11` });
    expect(page.statusCode).toBe(422);
    expect(page.body).toContain('Only the first 10 pages');
  });

  test('a very common word: 10 full pages, "more than 200 results", the newest first among equals', async () => {
    // Someone of their own: the future-dated rows below count against their hourly posting limit.
    const prolific = await createMember(app);
    const { threadId } = await thread(prolific, 'Gecko thread', 'The first gecko.');
    // Written directly: 250 replies through the service would take most of a minute.
    await app.database.db.insert(posts).values(
      Array.from({ length: 250 }, (_, i) => ({ threadId, number: i + 2, authorId: prolific.viewer.id, bodySource: `gecko ${i}`, bodyHtml: `<p>gecko ${i}</p>`, renderVersion: 1, createdAt: new Date(Date.now() + (i + 1) * 60_000) })),
    );
    await app.database.db.update(threads).set({ postCount: 251 }).where(eq(threads.id, threadId));
    const first = await search(`${q('gecko')}&kind=post`);
    expect(first).toMatchObject({ total: 200, capped: true, pages: 10 });
    // Equal ranks: the newest first; the 200 newest matches are the ones ranked.
    const dates = first.results.map((r) => r.createdAt);
    expect(dates).toEqual([...dates].sort().reverse());
    expect(Date.parse(dates[0]!)).toBeGreaterThan(Date.now() + 249 * 60_000 - 5_000);
    const last = await search(`${q('gecko')}&kind=post&page=10`);
    expect(last.results).toHaveLength(20);
    const page = await app.inject({ method: 'GET', url: `/search?${q('gecko')}` });
    expect(page.body).toContain('More than 200 results');
  });
});

describe('how matches are found', () => {
  test('the newest rows read in order and the older ones fetched through the index give the same pages, counting only what the viewer may see', async () => {
    const insider = await createMember(app);
    const { space: secret, board: secretBoard } = await createSpaceWithBoard(app, admin, { level: 'confidential' });
    await addSpaceMember(app, secret.id, insider);
    const prolific = await createMember(app);
    await addSpaceMember(app, secret.id, prolific);
    const open = await thread(prolific, 'Numbat notes', 'Nothing here.');
    const closed = await thread(prolific, 'Numbat notes, in confidence', 'Nothing here either.', secretBoard.id);
    // Written directly and interleaved: public and confidential matches, and rows that do not match.
    await app.database.db.insert(posts).values(
      Array.from({ length: 90 }, (_, i) => ({
        threadId: i % 2 === 0 ? open.threadId : closed.threadId,
        number: Math.floor(i / 2) + 2,
        authorId: prolific.viewer.id,
        bodySource: i % 3 === 2 ? `nothing to see ${i}` : `numbat sighting ${i}`,
        bodyHtml: '<p>…</p>',
        renderVersion: 1,
      })),
    );
    const filters = { kinds: ['post' as const] };
    const read = (viewer: Viewer, depth: number, windows: Record<SearchKind, number>, words = 'numbat') => searchHits(app.database.db, viewer, words, filters, depth, 500, 0, windows);
    const everyRowInOrder = { post: 1_000_000, thread: 1_000_000, comment: 1_000_000, entry: 1_000_000 };
    const indexOnly = { post: 0, thread: 0, comment: 0, entry: 0 };
    const acrossTheBoundary = { post: 25, thread: 25, comment: 25, entry: 25 };
    for (const viewer of [ANONYMOUS, insider.viewer]) {
      for (const depth of [10, 45, 200]) {
        const expected = await read(viewer, depth, everyRowInOrder);
        expect(await read(viewer, depth, indexOnly)).toEqual(expected);
        expect(await read(viewer, depth, acrossTheBoundary)).toEqual(expected);
      }
      // The index is asked a looser question for phrases and exclusions; each row then answers the exact one.
      for (const words of ['"numbat sighting"', '"sighting numbat"', 'numbat -nothing', 'nothing -numbat', 'sighting or nothing']) {
        const expected = await read(viewer, 200, everyRowInOrder, words);
        expect(await read(viewer, 200, indexOnly, words), words).toEqual(expected);
        expect(await read(viewer, 200, acrossTheBoundary, words), words).toEqual(expected);
      }
      expect((await read(viewer, 200, indexOnly, '"numbat sighting"')).total).toBe(viewer === ANONYMOUS ? 30 : 60);
      expect((await read(viewer, 200, indexOnly, '"sighting numbat"')).total).toBe(0);
    }
    const outsiders = await read(ANONYMOUS, 200, acrossTheBoundary);
    const insiders = await read(insider.viewer, 200, acrossTheBoundary);
    // 30 public and 30 confidential matching replies.
    expect(outsiders.total).toBe(30);
    expect(insiders.total).toBe(60);
    const confidential = await app.database.db.select({ id: posts.id }).from(posts).where(eq(posts.threadId, closed.threadId));
    const hidden = new Set(confidential.map((p) => p.id));
    expect(outsiders.hits.filter((h) => hidden.has(h.id))).toEqual([]);
    // Each kind is cut at its newest `depth` visible matches, whichever way they were found.
    const newest = await read(ANONYMOUS, 10, acrossTheBoundary);
    const newestIds = newest.hits.map((h) => h.id).sort((a, b) => b - a);
    const allIds = outsiders.hits.map((h) => h.id).sort((a, b) => b - a);
    expect(newestIds).toEqual(allIds.slice(0, 11));
  });
});

describe('what a search costs, and for whom', () => {
  interface PlanNode {
    'Relation Name'?: string;
    'Actual Rows'?: number;
    'Actual Loops'?: number;
    'Rows Removed by Filter'?: number;
    'Rows Removed by Index Recheck'?: number;
    Plans?: PlanNode[];
  }
  const SEARCHED = new Set(['threads', 'posts', 'blog_entries', 'blog_comments']);
  /** Rows of the searched tables read in every step of the plan: those that passed its conditions and those that did not. */
  function rowsRead(node: PlanNode): number {
    const read = (node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0);
    const own = SEARCHED.has(node['Relation Name'] ?? '') ? read * (node['Actual Loops'] ?? 0) : 0;
    return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsRead(child), 0);
  }
  /**
   * A confidential space with a board and a thread of `replies` replies (`body(i)`), read by an
   * insider; an outsider member and a site admin (staff are outsiders to a confidential space
   * they did not join) read none of it.
   */
  async function confidentialThread(title: string, replies: number, body: (i: number) => string) {
    const [insider, outsider, siteAdmin] = [await createMember(app), await createMember(app), await createMember(app, { role: 'admin' })];
    const { space: secret, board: secretBoard } = await createSpaceWithBoard(app, admin, { level: 'confidential' });
    await addSpaceMember(app, secret.id, insider);
    const { threadId } = await thread(insider, title, 'Opening.', secretBoard.id);
    await app.database.db.insert(posts).values(
      Array.from({ length: replies }, (_, i) => ({ threadId, number: i + 2, authorId: insider.viewer.id, bodySource: body(i), bodyHtml: '<p>…</p>', renderVersion: 1 })),
    );
    return { insider, outsider, siteAdmin, secret, secretBoard, threadId };
  }

  /** Those rows over every kind's statement of one search (`EXPLAIN ANALYZE`, so the statements run). */
  async function statementsRead(viewer: Viewer, words: string, filters: SearchFilters, windows: Record<SearchKind, number>): Promise<number> {
    let read = 0;
    for (const statement of kindStatements(viewer, words, filters, 201, windows)) {
      const [row] = rowsOf<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(await app.database.db.execute(sql`explain (analyze, format json) ${statement}`));
      read += rowsRead(row!['QUERY PLAN'][0].Plan);
    }
    return read;
  }

  test('matches the viewer cannot read (confidential threads, posts, entries and comments; drafts) cost no row read and no check: a search cannot be timed to learn what they say', async () => {
    const { insider, outsider, siteAdmin, secret } = await confidentialThread('Potoroo protocol', 40, (i) => `potoroo dosing ${i}`);
    await thread(alice, 'Public and unrelated', 'Nothing about marsupials.');
    // An entry in the space with a comment, and somebody's draft, say it too.
    const entry = await app.services.blogs.createDraft(insider.viewer, { title: 'Potoroo rounds', body: 'In confidence.', visibility: 'space', spaceId: secret.id });
    await app.services.blogs.publish(insider.viewer, entry.id);
    await app.services.blogs.addComment(insider.viewer, entry.id, { body: 'A potoroo footnote.' });
    await app.services.blogs.createDraft(bob.viewer, { title: 'Potoroo thoughts', body: 'Not yet.' });
    // The newest 25 rows read in order, the older matches through the index: both ways are asked.
    const windows = { post: 25, thread: 25, comment: 25, entry: 25 };
    const filters = { kinds: ['thread' as const, 'post' as const, 'entry' as const, 'comment' as const] };
    const work = (viewer: Viewer, word: string) => statementsRead(viewer, word, filters, windows);
    // Compared with a word nobody wrote (a plan reads a row or two whatever the words: the boundary
    // between the newest rows and the older ones).
    const nowhere = 'bettongia';
    // The insider's search reads the 43 matches (thread, posts, entry, comment; through both steps) and checks them.
    expect((await work(insider.viewer, 'potoroo')) - (await work(insider.viewer, nowhere))).toBeGreaterThanOrEqual(43);
    expect((await searchHits(app.database.db, insider.viewer, 'potoroo', filters, 200, 500, 0, windows)).total).toBe(43);
    // The draft's author reads it.
    expect((await searchHits(app.database.db, bob.viewer, 'potoroo', filters, 200, 500, 0, windows)).total).toBe(1);
    // For everyone else the index and the scans leave them out before any is read or checked: the
    // same work as for a word written nowhere.
    for (const viewer of [ANONYMOUS, outsider.viewer, siteAdmin.viewer]) {
      expect(await work(viewer, 'potoroo'), `${viewer.kind} ${viewer.kind === 'member' ? viewer.role : ''}`).toBe(await work(viewer, nowhere));
      expect((await searchHits(app.database.db, viewer, 'potoroo', filters, 200, 500, 0, windows)).total).toBe(0);
    }
  });

  test('a filter naming a space, board or thread the viewer cannot read reads none of its rows: what the place holds, or whether it exists, does not show in the time', async () => {
    const { insider, outsider, siteAdmin, secret, secretBoard, threadId } = await confidentialThread('Dibbler round', 30, (i) => `dibbler note ${i}`);
    // More threads than its twin: how many a place holds must not show either.
    for (const title of ['Dibbler rota', 'Dibbler audit']) await thread(insider, title, `${title}: dibbler`, secretBoard.id);
    const entry = await app.services.blogs.createDraft(insider.viewer, { title: 'Dibbler rounds', body: 'In confidence.', visibility: 'space', spaceId: secret.id });
    await app.services.blogs.publish(insider.viewer, entry.id);
    await app.services.blogs.addComment(insider.viewer, entry.id, { body: 'A dibbler footnote.' });
    // Its twin says nothing of the kind; and there are public matches, which every search reads without a filter.
    const { space: twin, board: twinBoard } = await createSpaceWithBoard(app, admin, { level: 'confidential' });
    const twinThread = await thread(admin, 'Twin round', 'Opening.', twinBoard.id);
    await thread(alice, 'Dibbler in public', 'A public dibbler.');
    const windows = { post: 10, thread: 10, comment: 10, entry: 10 };
    const kinds = ['thread' as const, 'post' as const, 'entry' as const, 'comment' as const];
    const work = (viewer: Viewer, place: Partial<SearchFilters>) => statementsRead(viewer, 'dibbler', { kinds, ...place }, windows);
    const nowhere = 2_000_000_000;
    const places: { name: string; place: Partial<SearchFilters>; empty: Partial<SearchFilters>; missing: Partial<SearchFilters> }[] = [
      { name: 'space', place: { spaceId: secret.id }, empty: { spaceId: twin.id }, missing: { spaceId: nowhere } },
      { name: 'board', place: { boardId: secretBoard.id }, empty: { boardId: twinBoard.id }, missing: { boardId: nowhere } },
      { name: 'thread', place: { threadId }, empty: { threadId: twinThread.threadId }, missing: { threadId: nowhere } },
    ];
    expect(await work(ANONYMOUS, {})).toBeGreaterThan(0);
    for (const { name, place, empty, missing } of places) {
      // The insider's filtered search reads the place's matches.
      expect(await work(insider.viewer, place), name).toBeGreaterThan(await work(insider.viewer, missing));
      expect((await searchHits(app.database.db, insider.viewer, 'dibbler', { kinds, ...place }, 200, 500, 0, windows)).total, name).toBeGreaterThan(0);
      for (const viewer of [ANONYMOUS, outsider.viewer, siteAdmin.viewer]) {
        const who = `${name}, ${viewer.kind} ${viewer.kind === 'member' ? viewer.role : ''}`;
        const read = await work(viewer, place);
        expect(read, who).toBe(await work(viewer, empty));
        // Only a thread filter reads a row of what was searched: the named thread's own, to ask whether it may be read.
        expect(read - (await work(viewer, missing)), who).toBeLessThanOrEqual(name === 'thread' ? 2 * kinds.length : 0);
        expect((await searchHits(app.database.db, viewer, 'dibbler', { kinds, ...place }, 200, 500, 0, windows)).total, who).toBe(0);
      }
    }
  });

  test('a search within a space, board or thread finds what that place holds for the viewer, their own draft in it included, and nothing from elsewhere', async () => {
    const insider = await createMember(app);
    const { space: group, board: groupBoard } = await createSpaceWithBoard(app, admin, { level: 'confidential' });
    await addSpaceMember(app, group.id, insider);
    const { threadId } = await thread(insider, 'Bandicoot rota', 'bandicoot clinic on Tuesdays', groupBoard.id);
    await app.services.forum.reply(insider.viewer, threadId, { body: 'The bandicoot clinic moves.' });
    // The index is asked for the place's audience only (and the member's own drafts, which are theirs wherever they are).
    await app.services.blogs.createDraft(insider.viewer, { title: 'Bandicoot draft', body: 'Not yet.', visibility: 'space', spaceId: group.id });
    const elsewhere = await thread(alice, 'Bandicoots in public', 'A public bandicoot.');
    await app.services.forum.reply(alice.viewer, elsewhere.threadId, { body: 'Another bandicoot.' });
    // Another public space shares the public audience: only the filter keeps its posts out.
    const neighbour = await thread(alice, 'Bandicoots next door', 'A neighbouring bandicoot.', otherBoard.id);
    await app.services.forum.reply(alice.viewer, neighbour.threadId, { body: 'One more bandicoot next door.' });
    const kinds = ['thread' as const, 'post' as const, 'entry' as const, 'comment' as const];
    const indexOnly = { post: 0, thread: 0, comment: 0, entry: 0 };
    const newestOnly = { post: 1_000, thread: 1_000, comment: 1_000, entry: 1_000 };
    // Through the index and by the newest rows, each as a small place (older: its set as an array;
    // newest: read from the place) and as a large one (older: a hashed set; newest: each row checked).
    for (const [windows, smallPlace] of [[indexOnly, 2000], [indexOnly, 0], [newestOnly, 2000], [newestOnly, 0]] as const) {
      const found = async (place: Partial<SearchFilters>) => (await searchHits(app.database.db, insider.viewer, 'bandicoot', { kinds, ...place }, 200, 500, 0, windows, smallPlace)).total;
      // The thread (standing for its opening post), the reply and the draft; a board or a thread holds no entries.
      expect(await found({ spaceId: group.id })).toBe(3);
      expect(await found({ boardId: groupBoard.id })).toBe(2);
      expect(await found({ threadId })).toBe(2);
      expect(await found({ threadId: elsewhere.threadId })).toBe(2);
      expect(await found({ spaceId: space.id })).toBe(2);
      expect(await found({ boardId: board.id })).toBe(2);
      expect(await found({ spaceId: otherSpace.id })).toBe(2);
      expect(await found({})).toBe(7);
    }
  });

  test('a thread moved to another space, a board with its threads, or a space changing level: searched as where it is now', async () => {
    const first = await createSpaceWithBoard(app, admin, { level: 'confidential' });
    const second = await createSpaceWithBoard(app, admin, { level: 'confidential' });
    const inFirst = await createMember(app);
    const inSecond = await createMember(app);
    await addSpaceMember(app, first.space.id, inFirst);
    await addSpaceMember(app, second.space.id, inSecond);
    const { threadId } = await thread(inFirst, 'Bilby rota', 'Who covers the bilby clinic?', first.board.id);
    await app.services.forum.reply(inFirst.viewer, threadId, { body: 'The bilby clinic moves to Tuesdays.' });
    // An entry of the space, with a comment: they follow the space's level.
    const entry = await app.services.blogs.createDraft(inFirst.viewer, { title: 'Bilby clinic notes', body: 'For the group.', visibility: 'space', spaceId: first.space.id });
    await app.services.blogs.publish(inFirst.viewer, entry.id);
    await app.services.blogs.addComment(inFirst.viewer, entry.id, { body: 'Bilby clinic: agreed.' });
    const found = async (who?: TestMember) => (await search(q('bilby'), who)).total;
    expect(await found(inFirst)).toBe(4);
    expect(await found(inSecond)).toBe(0);

    // Moved as an operator would move it: the database keeps the search's copy of where it is.
    await app.database.db.update(threads).set({ boardId: second.board.id }).where(eq(threads.id, threadId));
    expect(await found(inSecond)).toBe(2);
    expect(await found(inFirst)).toBe(2);

    await app.database.db.update(boards).set({ spaceId: first.space.id }).where(eq(boards.id, second.board.id));
    expect(await found(inFirst)).toBe(4);
    expect(await found(inSecond)).toBe(0);
    expect(await found()).toBe(0);

    // Opened to every member, then to everyone (set directly, as the level change's job writes it).
    // Visitors never read entries of a space, whatever its level.
    await app.database.db.update(spaces).set({ level: 'members' }).where(eq(spaces.id, first.space.id));
    expect(await found(inSecond)).toBe(4);
    expect(await found()).toBe(0);
    await app.database.db.update(spaces).set({ level: 'public' }).where(eq(spaces.id, first.space.id));
    expect(await found()).toBe(2);
    expect(await found(inSecond)).toBe(4);
    await app.database.db.update(spaces).set({ level: 'confidential', joinPolicy: 'invite' }).where(eq(spaces.id, first.space.id));
    expect(await found()).toBe(0);
    expect(await found(inSecond)).toBe(0);
    expect(await found(inFirst)).toBe(4);
  });
});

describe('doses and units', () => {
  test('a dose written with a slash is found by each of its words and as written, and its snippet reads as written', async () => {
    const { postId } = await thread(alice, 'Vancomycin and pressors (AUC/MIC)', 'Aim for a trough of 16 micrograms/mL; start noradrenaline at 0.1 mcg/kg/min.');
    for (const words of ['micrograms', 'microgram', 'mcg', 'mcg/kg/min', 'kg/min', 'noradrenaline mcg']) {
      expect((await search(`${q(words)}&kind=post`)).results.map((r) => r.id), words).toContain(postId);
    }
    // A unit is still a phrase: its words apart, or in another order, do not make it.
    expect((await search(`${q('min/kg')}&kind=post`)).results.map((r) => r.id)).not.toContain(postId);
    const result = (await search(`${q('micrograms')}&kind=post`)).results.find((r) => r.id === postId)!;
    expect(highlighted(result.snippet)).toEqual(['micrograms']);
    expect(text(result.snippet)).toContain('16 micrograms/mL;');
    expect(text(result.snippet)).not.toContain('\u200B');
    const titled = (await search(`${q('mic')}&kind=thread`)).results.find((r) => r.title.some((segment) => segment.highlighted));
    expect(titled && text(titled.title)).toBe('Vancomycin and pressors (AUC/MIC)');
  });
});

describe('snippets', () => {
  test('highlight the matching words and nothing else', async () => {
    const { postId } = await thread(alice, 'Snippets', 'Before the meeting we discussed the okapi protocol in detail, then lunch.');
    const result = (await search(`${q('okapi')}&kind=post`)).results.find((r) => r.id === postId)!;
    expect(highlighted(result.snippet)).toEqual(['okapi']);
    expect(text(result.snippet)).toContain('discussed the okapi protocol');
    const page = await app.inject({ method: 'GET', url: `/search?${q('okapi')}` });
    expect(page.body).toContain('<mark>okapi</mark>');
  });

  test('a snippet cut from the middle of a long post says so with "…" at both ends; a short post shown whole has none', async () => {
    const before = 'We are writing a policy for short-term peripheral infusions on the wards. It covers dilution, line checks and what to do when the site looks pale. ';
    const after = ' Many units already allow it, and the practice has quietly spread without much written guidance behind it, which worries our pharmacists a great deal.';
    const long = await thread(alice, 'Peripheral infusions policy', `${before.repeat(3)}Nobody has audited the quagga rate so far.${after.repeat(3)}`);
    const short = await thread(bob, 'Short one', 'A short post about the quagga round.');
    const results = (await search(`${q('quagga')}&kind=post`)).results;
    const cut = results.find((r) => r.id === long.postId)!.snippet;
    expect(highlighted(cut)).toEqual(['quagga']);
    expect(cut[0]).toEqual({ text: '… ', highlighted: false });
    expect(cut.at(-1)).toEqual({ text: ' …', highlighted: false });
    const whole = results.find((r) => r.id === short.postId)!.snippet;
    // ts_headline leaves out a short first word and the final stop; they are put back, not marked as cut.
    expect(text(whole)).toBe('A short post about the quagga round.');

    // A match near the start: the snippet begins the post as written, and is cut after.
    const opening = await thread(alice, 'Opening words', `We (quokka people) start at eight.${after.repeat(3)}`);
    const start = (await search(`${q('quokka')}&kind=post`)).results.find((r) => r.id === opening.postId)!.snippet;
    expect(text(start)).toMatch(/^We \(quokka people\) start at eight/);
    expect(text(start)).toMatch(/ …$/);
    // On the page, as text around the snippet.
    const page = await app.inject({ method: 'GET', url: `/search?${q('quagga')}&kind=post` });
    expect(page.body).toMatch(/<p class="search-snippet">… [^<]*<mark>quagga<\/mark>[^<]* …<\/p>/);
  });

  test('a list and a heading read apart on the one line a snippet is, not run together', async () => {
    const body = ['## Ventilation', '', 'Settings we start with:', '', '- PEEP 10', '- FiO2 0.6', '* **Tidal** volume 6 ml/kg', '', 'Then titrate to the gas.', '', '1. Prone early', '2) Recheck at four hours'].join('\n');
    const { postId } = await thread(alice, 'Our axolotl unit settings', `Axolotl ward notes.\n\n${body}`);
    const snippet = (await search(`${q('axolotl tidal')}&kind=post`)).results.find((r) => r.id === postId)!.snippet;
    const read = text(snippet).replace(/\s+/g, ' ');
    // The paragraph after the list is set off by a dash, not read as one more item.
    expect(read).toContain('Ventilation: Settings we start with: · PEEP 10 · FiO2 0.6 · Tidal volume 6 ml/kg — Then titrate to the gas.');
    expect(read).toContain('· Prone early · Recheck at four hours');
    expect(highlighted(snippet)).toEqual(expect.arrayContaining(['tidal']));

    // A code block's fence and language are left out; its lines are kept.
    const code = await thread(alice, 'Wombat ventilator settings', 'Our wombat settings:\n\n```text\nMode VC-AC\nVt 420\n```\n\nThen the gas.');
    const codeSnippet = (await search(`${q('wombat')}&kind=post`)).results.find((r) => r.id === code.postId)!.snippet;
    expect(text(codeSnippet).replace(/\s+/g, ' ')).toBe('Our wombat settings: Mode VC-AC Vt 420 · Then the gas.');
  });

  test('a table reads as its cells, row by row; its alignment row and pipes are not shown', async () => {
    const table = ['| Drug | Dose |', '|---|:--:|', '| **Heparin** | 5000 units |', '| | 40 mg |', '  | Enoxaparin|40 mg|'].join('\n');
    const { postId } = await thread(alice, 'Manatee anticoagulation', `Manatee ward doses:\n\n${table}\n\nCheck platelets daily.`);
    const snippet = (await search(`${q('manatee heparin')}&kind=post`)).results.find((r) => r.id === postId)!.snippet;
    const read = text(snippet).replace(/\s+/g, ' ');
    expect(read).toBe('Manatee ward doses: · Drug, Dose · Heparin, 5000 units · 40 mg · Enoxaparin, 40 mg — Check platelets daily.');
    expect(highlighted(snippet)).toEqual(['manatee', 'heparin']);

    // Without the outer pipes (GFM allows it) the cells still read apart, and the alignment row still goes.
    const bare = await thread(alice, 'Fluids', 'Manatee fluid | Rate\n:--- | ---:\nSaline | 80 ml/h');
    const bareSnippet = (await search(`${q('manatee saline')}&kind=post`)).results.find((r) => r.id === bare.postId)!.snippet;
    expect(text(bareSnippet).replace(/\s+/g, ' ')).toBe('Manatee fluid, Rate Saline, 80 ml/h');
    expect(highlighted(bareSnippet)).toEqual(['manatee', 'saline']);
  });

  test('a paragraph right after a list reads as the list ending, not as one more item', async () => {
    const body = [
      'Before we extubate the shoebill bay:',
      '',
      '- Cuff leak present',
      '- Weaning trial passed',
      '  on minimal support',
      '',
      'Then the checklist is signed.',
      '',
      '1. Sedation off.',
      '',
      'Review at noon',
      '',
      '## Handover',
    ].join('\n');
    const { postId } = await thread(alice, 'Extubation', body);
    const snippet = (await search(`${q('shoebill')}&kind=post`)).results.find((r) => r.id === postId)!.snippet;
    const read = text(snippet).replace(/\s+/g, ' ');
    // An item that ends in a full stop already reads as ended; a paragraph without punctuation, as before, gets "·".
    expect(read).toBe('Before we extubate the shoebill bay: · Cuff leak present · Weaning trial passed on minimal support — Then the checklist is signed. · Sedation off. Review at noon · Handover:');
    expect(highlighted(snippet)).toEqual(['shoebill']);
  });

  test('markup in titles and bodies comes back as text, and the highlight sentinels cannot be forged', async () => {
    const vectors = [...loadCorpus('xss-vectors.json').slice(0, 40), ...loadCorpus('markdown-xss-vectors.json').slice(0, 20)].map((v) => v.payload);
    const hostile = ['\uE000forged\uE001 </mark><script>alert(1)</script>', '<mark>fake</mark> &lt;b&gt;', ...vectors].join('\n\n');
    const title = '<img src=x onerror=alert(1)> Narwhal <script>alert(2)</script>';
    const { threadId, postId } = await thread(alice, title, `narwhal ${hostile.slice(0, 9000)} narwhal`);
    const found = await search(q('narwhal'));
    const t = found.results.find((r) => r.kind === 'thread' && r.id === threadId)!;
    expect(text(t.title)).toBe(title);
    expect(highlighted(t.title)).toEqual(['narwhal']);
    const p = (await search(`${q('narwhal')}&kind=post`)).results.find((r) => r.id === postId)!;
    expect(highlighted(p.snippet).every((w) => w === 'narwhal')).toBe(true);
    expect(text(p.snippet)).not.toMatch(/[\uE000\uE001]/);
    // Search for the forged word: its sentinels were stripped, so only the real match is marked.
    const forged = (await search(`${q('forged')}&kind=post`)).results.find((r) => r.id === postId)!;
    expect(highlighted(forged.snippet)).toEqual(['forged']);

    const page = (await app.inject({ method: 'GET', url: `/search?${q('narwhal forged')}` })).body;
    const results = page.slice(page.indexOf('class="search-results"'));
    // Text is escaped, so every literal `<` opens a tag the view wrote itself, with its own attributes.
    for (const [, tag, attributes] of results.matchAll(/<\/?([a-z0-9]+)([^>]*)>/gi)) {
      expect(['section', 'h2', 'h3', 'ol', 'li', 'p', 'a', 'mark', 'time', 'span', 'nav', 'main', 'footer', 'div', 'body', 'html']).toContain(tag!.toLowerCase());
      for (const [, name] of attributes!.matchAll(/\s([\w-]+)=/g)) expect(['href', 'class', 'id', 'datetime', 'title', 'aria-labelledby', 'aria-label', 'aria-current', 'rel']).toContain(name);
    }
    // The title is shown as typed, as text; entities someone typed stay text too (never decoded into tags).
    expect(results).toContain('&lt;script>alert(2)&lt;/script>');
    expect(decodeHtml(results)).toContain(title);
    expect(results).toContain('&amp;lt;b&amp;gt;');
  });
});

describe('bad input', () => {
  test('an empty query shows the empty search page, no error', async () => {
    for (const url of ['/search', '/search?q=', '/search?q=%20%20']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain('<h1>Search</h1>');
      expect(res.body).not.toContain('role="alert"');
      expect(res.body).not.toContain('No results');
    }
    expect(await search('q=')).toMatchObject({ total: 0, results: [] });
    expect(await search('')).toMatchObject({ total: 0, results: [] });
  });

  test('a query over 200 characters is refused clearly, with the text kept', async () => {
    const long = `platypus ${'x'.repeat(200)}`;
    const res = await app.inject({ method: 'GET', url: `/search?${q(long)}` });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('at most 200 characters');
    expect(res.body).toContain(`value="${long}"`);
    expect(res.body).toContain('aria-invalid="true"');
    const viaApi = await api(q(long));
    expect(viaApi.statusCode).toBe(400);
    expect(viaApi.json().error.fields).toHaveProperty('q');
  });

  test('malformed filters: a 400 from the API, the form again with a message on the page', async () => {
    for (const query of ['space=abc', 'board=-1', 'thread=1.5', 'kind=everything', 'from=yesterday', 'author=%3Cscript%3E']) {
      const res = await api(`q=x&${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.code).toBe('invalid');
      const page = await app.inject({ method: 'GET', url: `/search?q=kept+words&${query}` });
      expect(page.statusCode, query).toBe(422);
      expect(page.body).toContain('Please correct the search.');
      expect(page.body).toContain('value="kept words"');
      expect(page.body).not.toContain('<script>');
    }
    const reversed = await app.inject({ method: 'GET', url: '/search?q=x&from=2025-02-01&to=2025-01-01' });
    expect(reversed.statusCode).toBe(422);
    expect(reversed.body).toContain('The end date comes before the start date.');
    expect((await api('q=x&from=2025-02-30')).statusCode).toBe(422);
  });

  test('filters without words say a search needs words; a page past the last says so and leads back', async () => {
    const filtersOnly = decodeHtml((await app.inject({ method: 'GET', url: '/search?author=nobody_in_particular' })).body);
    expect(filtersOnly).toContain('Type a word or two to search for');
    await thread(alice, 'Echidna rounds', 'An echidna on the ward.');
    const past = decodeHtml((await app.inject({ method: 'GET', url: '/search?q=echidna&page=4' })).body);
    expect(past).not.toContain('Nothing you can read matches that');
    expect(past).toContain('There are fewer pages of results than that.');
    expect(past).toContain('href="/search?q=echidna"');
  });

  test('a query of stop words or punctuation only finds nothing, without an error', async () => {
    for (const query of ['the', '"""', '-', 'or', '!!! & |']) expect((await search(q(query))).total, query).toBe(0);
  });
});

describe('keeping up with edits', () => {
  test('an edited post and a renamed thread are found by their new words only, at once', async () => {
    const t = await thread(alice, 'Ibis protocol', 'The ibis text.');
    await app.services.forum.edit(alice.viewer, t.postId, { title: 'Heron protocol', body: 'The heron text.', baseRevision: 1 });
    expect((await search(q('ibis'))).total).toBe(0);
    expect((await search(q('heron'))).results.map((r) => `${r.kind}:${r.id}`)).toEqual([`thread:${t.threadId}`]);
    expect((await search(`${q('heron')}&kind=post`)).results.map((r) => r.id)).toEqual([t.postId]);
  });
});

describe('what search never shows', () => {
  test('held, hidden and removed posts and drafts: only those the policy lets see them', async () => {
    const newcomer = await createMember(app);
    const { threadId, postId } = await thread(alice, 'Visibility', 'The opening mentions nothing special.');
    const held = await app.services.forum.reply(newcomer.viewer, threadId, { body: 'A held wallaby remark.' });
    await app.database.db.update(posts).set({ status: 'held' }).where(inArray(posts.id, [held.postId]));
    const hidden = await app.services.forum.reply(bob.viewer, threadId, { body: 'A hidden wallaby remark.' });
    await app.database.db.update(posts).set({ status: 'hidden' }).where(inArray(posts.id, [hidden.postId]));
    const removed = await app.services.forum.reply(bob.viewer, threadId, { body: 'A removed wallaby remark.' });
    await app.services.forum.remove(bob.viewer, removed.postId);
    const draft = await app.services.blogs.createDraft(alice.viewer, { title: 'Wallaby draft', body: 'Not yet.' });
    const siteMod = await createMember(app, { role: 'moderator' });

    const ids = async (who?: TestMember) => (await search(q('wallaby'), who)).results.map((r) => `${r.kind}:${r.id}`).sort();
    expect(await ids()).toEqual([]);
    expect((await search(q('wallaby'))).total).toBe(0);
    expect(await ids(newcomer)).toEqual([`post:${held.postId}`]);
    expect(await ids(bob)).toEqual([`post:${hidden.postId}`]);
    expect(await ids(alice)).toEqual([`entry:${draft.id}`]);
    // Site moderators moderate this public space: they see what is held or hidden there, never a draft.
    expect(await ids(siteMod)).toEqual([`post:${held.postId}`, `post:${hidden.postId}`].sort());
    expect(postId).toBeGreaterThan(0);
  });
});

describe('the page', () => {
  test('is never indexed, and the header carries a search box on every page', async () => {
    await thread(alice, 'Dugong thread', 'dugong');
    const res = await app.inject({ method: 'GET', url: `/search?${q('dugong')}` });
    expect(res.body).toContain('<meta name="robots" content="noindex, nofollow"/>');
    expect(res.headers['x-robots-tag']).toBe('noindex, nofollow');
    const signedIn = await (await signedInAgent(app, bob)).get(`/search?${q('dugong')}`);
    expect(signedIn.headers['cache-control']).toBe('private, no-store');
    expect(res.body).toContain('action="/search"');
    const home = await app.inject({ method: 'GET', url: '/' });
    expect(home.body).toMatch(/<form[^>]*action="\/search"[^>]*role="search"/);
  });

  test('thread, board and space pages offer a search of that place, pre-filled', async () => {
    const t = await thread(alice, 'Search within', 'Here.');
    const pages = {
      thread: await app.inject({ method: 'GET', url: `/t/${t.threadId}/${t.slug}` }),
      board: await app.inject({ method: 'GET', url: `/s/${space.slug}/${board.slug}` }),
      space: await app.inject({ method: 'GET', url: `/s/${space.slug}` }),
    };
    const ids = { thread: t.threadId, board: board.id, space: space.id };
    for (const [field, res] of Object.entries(pages)) {
      expect(res.statusCode).toBe(200);
      expect(res.body, field).toContain(`<input type="hidden" name="${field}" value="${ids[field as keyof typeof ids]}"/>`);
    }
    const agent = await signedInAgent(app, alice);
    const within = await agent.get(`/search?q=here&thread=${t.threadId}`);
    expect(within.body).toContain('Search within</strong>');
    expect(within.body).toContain(`name="thread" value="${t.threadId}"`);
  });
});
