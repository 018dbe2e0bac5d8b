import { and, eq, sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { posts, spaceMembers, threads, users } from '../../db/schema/index.ts';
import { userToViewer } from '../../server/accounts/service.ts';
import { ANONYMOUS, postOfThreadVisible, postVisible, threadOfBoardVisible, threadVisible, type Viewer } from '../../server/policy/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { addSpaceMember, createMember, createSpaceWithBoard, createThread, type TestMember } from '../helpers/factories.ts';

/*
 * A thread page reads its posts through postOfThreadVisible, a faster form of postVisible that
 * checks the thread once per statement; a board page reads its threads through threadOfBoardVisible,
 * the same for threadVisible and the board. Each pair must agree on every row for every viewer: a
 * difference would show content to someone the general rule keeps it from, or hide it from its reader.
 */

let app: TestApp;
let admin: TestMember;
let author: TestMember;
let member: TestMember;
let spaceModerator: TestMember;
let siteModerator: TestMember;
let outsider: TestMember;
let unaccepted: TestMember;
const postsByThread = new Map<number, number[]>();
const threadsByBoard = new Map<number, number[]>();

beforeAll(async () => {
  app = await createTestApp();
  admin = await createMember(app, { role: 'admin' });
  author = await createMember(app);
  member = await createMember(app);
  spaceModerator = await createMember(app);
  outsider = await createMember(app);
  unaccepted = await createMember(app);
  siteModerator = await createMember(app, { role: 'moderator' });
  const db = app.database.db;

  for (const level of ['public', 'confidential'] as const) {
    const { space, board } = await createSpaceWithBoard(app, admin, { level, name: `Twin ${level}` });
    for (const m of [author, member, unaccepted]) await addSpaceMember(app, space.id, m);
    await db.insert(spaceMembers).values({ spaceId: space.id, userId: spaceModerator.viewer.id, status: 'active', role: 'moderator' });
    await db.update(spaceMembers).set({ rulesAcceptedVersion: -1 }).where(and(eq(spaceMembers.spaceId, space.id), eq(spaceMembers.userId, unaccepted.viewer.id)));

    const open = await createThread(app, author, board.id, `Open ${level}`);
    const hidden = await app.services.forum.reply(member.viewer, open.threadId, { body: `hidden in ${level}` });
    const held = await app.services.forum.reply(author.viewer, open.threadId, { body: `held in ${level}` });
    await app.services.forum.reply(member.viewer, open.threadId, { body: `published in ${level}` });
    await db.update(posts).set({ status: 'hidden' }).where(eq(posts.id, hidden.postId));
    await db.update(posts).set({ status: 'held' }).where(eq(posts.id, held.postId));

    const heldThread = await createThread(app, author, board.id, `Held thread ${level}`);
    await db.update(threads).set({ status: 'held' }).where(eq(threads.id, heldThread.threadId));
    const removed = await createThread(app, author, board.id, `Removed ${level}`);
    await db.update(threads).set({ deletedAt: new Date() }).where(eq(threads.id, removed.threadId));

    threadsByBoard.set(board.id, [open.threadId, heldThread.threadId, removed.threadId]);
    for (const { threadId } of [open, heldThread, removed]) {
      const rows = await db.select({ id: posts.id }).from(posts).where(eq(posts.threadId, threadId));
      postsByThread.set(threadId, rows.map((r) => r.id));
    }
  }
}, 60_000);

afterAll(async () => app?.close());

async function viewerOf(m: TestMember): Promise<Viewer> {
  const [row] = await app.database.db.select().from(users).where(eq(users.id, m.viewer.id));
  return userToViewer(row!);
}

/**
 * Asks both predicates of every row of every group (a thread's posts, a board's threads), for every
 * kind of viewer, and expects the same answer; returns how often that answer was yes and no.
 */
async function expectAgreement(
  table: typeof posts | typeof threads,
  groups: Map<number, number[]>,
  general: (viewer: Viewer) => SQL,
  twin: (viewer: Viewer, groupId: number) => SQL,
): Promise<{ seen: number; hidden: number }> {
  const viewers: [string, Viewer][] = [['anonymous', ANONYMOUS]];
  for (const [name, m] of Object.entries({ admin, author, member, spaceModerator, siteModerator, outsider, unaccepted })) viewers.push([name, await viewerOf(m)]);
  let seen = 0;
  let hidden = 0;
  for (const [name, viewer] of viewers) {
    for (const [groupId, ids] of groups) {
      for (const id of ids) {
        const [row] = await app.database.db
          .select({ general: sql<boolean>`${general(viewer)}`, twin: sql<boolean>`${twin(viewer, groupId)}` })
          .from(table)
          .where(eq(table.id, id));
        expect({ viewer: name, id, visible: row!.twin }).toEqual({ viewer: name, id, visible: row!.general });
        if (row!.general) seen++;
        else hidden++;
      }
    }
  }
  return { seen, hidden };
}

test('postOfThreadVisible agrees with postVisible on every post of every thread, for every kind of viewer', async () => {
  const { seen, hidden } = await expectAgreement(posts, postsByThread, postVisible, postOfThreadVisible);
  // Both outcomes occur, so the agreement is not two predicates that are always true or always false.
  expect(seen).toBeGreaterThan(10);
  expect(hidden).toBeGreaterThan(10);
});

test('postOfThreadVisible never passes a post of another thread', async () => {
  const [first, second] = [...postsByThread.keys()];
  expect(postsByThread.get(first!)!.length).toBeGreaterThan(0);
  const [row] = await app.database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(posts)
    .where(and(eq(posts.threadId, first!), postOfThreadVisible(await viewerOf(admin), second!)));
  expect(row!.n).toBe(0);
});

test('threadOfBoardVisible agrees with threadVisible on every thread of every board, for every kind of viewer', async () => {
  const { seen, hidden } = await expectAgreement(threads, threadsByBoard, threadVisible, threadOfBoardVisible);
  expect(seen).toBeGreaterThan(5);
  expect(hidden).toBeGreaterThan(5);
});

test('threadOfBoardVisible never passes a thread of another board', async () => {
  const [first, second] = [...threadsByBoard.keys()];
  expect(threadsByBoard.get(first!)!.length).toBeGreaterThan(0);
  const [row] = await app.database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(threads)
    .where(and(eq(threads.boardId, first!), threadOfBoardVisible(await viewerOf(admin), second!)));
  expect(row!.n).toBe(0);
});
