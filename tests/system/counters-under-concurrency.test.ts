import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { boards } from '../../db/schema/index.ts';
import { prepareWriteStatements } from '../../server/forum/queries.ts';
import { recountViolations } from '../../scripts/load-consistency.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { createMember, createSpaceWithBoard, createThread, type TestMember } from '../helpers/factories.ts';

// Counters kept beside the rows (a board's counts and last activity, a thread's last post) must
// equal a recount from the rows, whatever order concurrent writes commit in.
let app: TestApp;
let admin: TestMember;
let moderator: TestMember;
let members: TestMember[];

beforeAll(async () => {
  app = await createTestApp();
  [admin, moderator] = await Promise.all([createMember(app, { role: 'admin' }), createMember(app, { role: 'moderator' })]);
  members = await Promise.all(Array.from({ length: 10 }, () => createMember(app)));
});

afterAll(async () => {
  await app?.close();
});

let written = 0;
const text = (what: string) => `${what} ${++written}`;

describe('board and thread counters', () => {
  test("a board's last activity never moves back when an earlier-stamped post commits after a later one", async () => {
    const { board } = await createSpaceWithBoard(app, admin);
    // The statement a new thread runs, with the times two concurrent ones would have stamped.
    const writes = prepareWriteStatements(app.database.db);
    const thread = (title: string, createdAt: Date) =>
      writes.insertThread(app.database.db, {
        boardId: board.id,
        authorId: members[0]!.viewer.id,
        title,
        slug: title.toLowerCase(),
        idempotencyKey: null,
        bodySource: text('Opening'),
        bodyHtml: '<p>Opening</p>',
        renderVersion: 1,
        status: 'published',
        moderationNote: '',
        createdAt,
      });
    const later = new Date('2026-03-02T10:00:00.500Z');
    await thread('Later', later);
    await thread('Earlier', new Date('2026-03-02T10:00:00.100Z'));
    const [row] = await app.database.db.select().from(boards).where(eq(boards.id, board.id));
    expect(row?.lastPostAt?.getTime()).toBe(later.getTime());
    expect(row?.postCount).toBe(2);
    expect(row?.threadCount).toBe(2);
  });

  test('replies sent at once to many threads of one board leave every counter equal to a recount', async () => {
    const { board } = await createSpaceWithBoard(app, admin);
    const threads = [];
    for (let i = 0; i < 10; i++) threads.push(await createThread(app, members[i]!, board.id));
    for (let round = 0; round < 5; round++) {
      await Promise.all(threads.map((t, i) => app.services.forum.reply(members[(i + round + 1) % 10]!.viewer, t.threadId, { body: text('Reply') })));
    }
    expect(await recountViolations(app.database.db, [board.id])).toEqual([]);
  });

  test('an approved held thread and reply count in their board and thread like any other post', async () => {
    const { board } = await createSpaceWithBoard(app, admin);
    const opening = await createThread(app, members[0]!, board.id);
    await app.services.moderation.updateSettings(admin.viewer, { ...(await app.services.moderation.settings()), watchedWords: [{ word: 'holdword', action: 'hold', replacement: '' }] });
    try {
      const heldThread = await app.services.forum.createThread(members[1]!.viewer, { boardId: board.id, title: 'Held thread', body: text('Contains holdword') });
      await app.services.forum.reply(members[3]!.viewer, opening.threadId, { body: text('Published reply') });
      // The newest post of its thread: approved, it is the thread's last post.
      const heldReply = await app.services.forum.reply(members[2]!.viewer, opening.threadId, { body: text('Contains holdword') });
      expect(heldThread.held).toBeDefined();
      expect(heldReply.held).toBeDefined();
      const queue = await app.services.moderation.queue(moderator.viewer, { sort: 'age', status: 'open' } as Parameters<typeof app.services.moderation.queue>[1]);
      for (const item of queue.items.filter((i) => i.kind === 'held_post')) await app.services.moderation.decide(moderator.viewer, item.id, { decision: 'approve', reason: '' });
      expect(await recountViolations(app.database.db, [board.id])).toEqual([]);
    } finally {
      await app.services.moderation.updateSettings(admin.viewer, { ...(await app.services.moderation.settings()), watchedWords: [] });
    }
  });
});
