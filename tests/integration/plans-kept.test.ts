import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { createMember, createSpaceWithBoard, type TestMember } from '../helpers/factories.ts';

/*
 * A signed-in board page runs its list as a prepared statement. PostgreSQL plans such a statement
 * afresh on every run while a plan made for the values looks cheaper than its generic plan, and
 * for the list of a board much busier than the average one it always did: the bench database's
 * busiest board spent 0.64 ms planning for 0.15 ms of running, on every page. These tests give
 * the database that shape (one busy board among quieter ones), visit pages, and ask PostgreSQL
 * which plans it made.
 * PostgreSQL only: PGlite runs every statement unnamed, so it keeps no plans to ask about.
 */

const url = process.env.DATABASE_URL;

describe.runIf(url)('plans PostgreSQL keeps (PostgreSQL only)', () => {
  let app: TestApp;
  let member: TestMember;
  let busy: { id: number };

  beforeAll(async () => {
    // One connection: the prepared statements read below are the pages' own.
    app = await createTestApp({}, { poolSize: 1 });
    const admin = await createMember(app, { role: 'admin' });
    member = await createMember(app);
    busy = (await createSpaceWithBoard(app, admin)).board;
    for (let i = 0; i < 20; i++) await createSpaceWithBoard(app, admin);
    // The busy board's threads lie among the others' (written over time), as on a real site.
    await app.database.db.execute(sql`
      insert into threads (board_id, author_id, title, slug, post_count, created_at, last_post_at)
      select case when n % 3 = 0 then ${busy.id} else (select id from boards where id <> ${busy.id} order by id offset n % 20 limit 1) end,
        ${admin.viewer.id}, 'Thread ' || n, 'thread-' || n, 1, now() - n * interval '1 minute', now() - n * interval '1 minute'
      from generate_series(1, 9000) as n`);
    await app.database.db.execute(sql`analyze threads`);
  });

  afterAll(async () => app?.close());

  async function plans(name: string): Promise<{ generic: number; custom: number }> {
    const result = await app.database.db.execute(
      sql`select generic_plans::int as generic, custom_plans::int as custom from pg_prepared_statements where name = ${name}`,
    );
    const [row] = (result as unknown as { rows: { generic: number; custom: number }[] }).rows;
    if (!row) throw new Error(`no prepared statement named ${name}`);
    return row;
  }

  test('the first page of a busy board is planned once, not on every visit', async () => {
    for (let i = 0; i < 12; i++) {
      const { threads, total } = await app.services.forum.boardPage(member.viewer, busy, 1);
      expect(total).toBe(3000);
      expect(threads[0]?.title).toBe('Thread 3');
    }
    const { generic, custom } = await plans('member_board_first_threads');
    // PostgreSQL makes five custom plans before it compares; from then on the generic plan is kept.
    expect(custom).toBeLessThanOrEqual(5);
    expect(generic).toBeGreaterThanOrEqual(7);
  });

  test('a member’s notifications page is planned once, not on every visit', async () => {
    // Its list applies the visibility rules of every kind of content: ~5 ms to plan, ~0.3 ms to run.
    // On the bench database PostgreSQL never chose the generic plan for it (on this small one it
    // does after five custom plans): none is made at all.
    const { threadId } = await app.services.forum.createThread(member.viewer, { boardId: busy.id, title: 'Asking the ward', body: 'Who has the rota?' });
    const colleague = await createMember(app);
    for (let i = 0; i < 3; i++) await app.services.forum.reply(colleague.viewer, threadId, { body: `Answer number ${i + 1}.` });
    for (let i = 0; i < 12; i++) {
      const { items } = await app.services.notifications.list(member.viewer);
      expect(items).toHaveLength(1);
      expect(items[0]?.kind).toBe('reply_to_thread');
    }
    expect(await plans('notification_groups_member')).toEqual({ generic: 12, custom: 0 });
    expect((await plans('notification_details_member')).custom).toBe(0);
  });

  test('the bell of a member with something unread is counted on one plan, not planned on every page', async () => {
    // On the bench database: 8.2 ms of planning for 0.19 ms of counting, on every signed-in page.
    const { threadId } = await app.services.forum.createThread(member.viewer, { boardId: busy.id, title: 'Ringing the bell', body: 'Anyone?' });
    await app.services.forum.reply((await createMember(app)).viewer, threadId, { body: 'Here.' });
    const before = await plans('unread_groups_member').catch(() => ({ generic: 0, custom: 0 }));
    for (let i = 0; i < 12; i++) expect(await app.services.notifications.unreadCount(member.viewer)).toBeGreaterThanOrEqual(1);
    const after = await plans('unread_groups_member');
    expect(after.custom - before.custom).toBe(0);
    expect(after.generic - before.generic).toBe(12);
  });

  test('a site moderator’s review queue is read on kept plans, and its statement is built once', async () => {
    // On the bench database: 1.6-7 ms of planning for ~1.3 ms of running, on every page.
    const moderator = await createMember(app, { role: 'moderator' });
    const { threadId } = await app.services.forum.createThread(member.viewer, { boardId: busy.id, title: 'Flag me', body: 'Something to flag.' });
    const { postId } = await app.services.forum.reply((await createMember(app)).viewer, threadId, { body: 'Buy cheap watches here.' });
    await app.services.moderation.flagPost(member.viewer, postId, { reason: 'spam' });
    for (let i = 0; i < 12; i++) {
      const { items } = await app.services.moderation.queue(moderator.viewer, { sort: 'priority', status: 'open' });
      expect(items.map((item) => item.postId)).toContain(postId);
    }
    expect(await plans('queue_page_moderator_26_priority_open_0000')).toEqual({ generic: 12, custom: 0 });
    expect(await plans('moderator_queue_open_items_elsewhere')).toEqual({ generic: 12, custom: 0 });
  });
});
