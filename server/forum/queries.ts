import { and, asc, between, desc, eq, inArray, isNull, lt, sql, type Placeholder } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../../db/client.ts';
import { limitLiteral } from '../../db/integer-literal.ts';
import { namedStatement, onAnyExecutor, oncePerDatabase } from '../../db/named-statement.ts';
import { boards, postRevisions, posts, replyDrafts, spaceMembers, spaces, threadDrafts, threadReads, threads, users } from '../../db/schema/index.ts';
import {
  ANONYMOUS,
  checkedPerRow,
  boardVisible,
  moderatesSpace,
  ownReplyDraft,
  ownThreadDraft,
  perSiteRole,
  perPolicyKey,
  policyKey,
  postOfThreadVisible,
  postVisible,
  replyDraftVisible,
  threadDraftVisible,
  threadInSpaceVisible,
  threadOfBoardVisible,
  type PolicyMember,
  type PolicyViewer,
  type Viewer,
  viewerParameters,
} from '../policy/index.ts';
import { ownWatchLevels, watchOnPostingStep } from '../notifications/queries.ts';
import { DRAFTS_KEPT, LATEST_THREADS, THREADS_PER_PAGE, type LatestList } from './rules.ts';

/** A bound value, or a named parameter of a prepared statement. */
type Param = number | Placeholder;

export type ThreadRow = typeof threads.$inferSelect;
type SpaceLevel = (typeof spaces.$inferSelect)['level'];
export type PostRow = typeof posts.$inferSelect;

const author = alias(users, 'author');
const lastAuthor = alias(users, 'last_author');
const parent = alias(posts, 'parent');
const parentAuthor = alias(users, 'parent_author');

const authorColumns = { handle: author.handle, displayName: author.displayName, title: author.title };

/** What a list of threads prints of each thread itself. */
const listedThreadColumns = {
  id: threads.id,
  title: threads.title,
  slug: threads.slug,
  pinned: threads.pinned,
  locked: threads.locked,
  postCount: threads.postCount,
  createdAt: threads.createdAt,
  lastPostAt: threads.lastPostAt,
};

const threadListColumns = {
  ...listedThreadColumns,
  authorHandle: author.handle,
  authorName: author.displayName,
  lastAuthorHandle: lastAuthor.handle,
  lastAuthorName: lastAuthor.displayName,
  boardId: threads.boardId,
};

export type ThreadListRow = Awaited<ReturnType<ReturnType<typeof prepareListReads>['member']['boardThreads']['first']['execute']>>[number];

/**
 * One page of a board, pinned first, then by latest activity. The page is chosen from the threads
 * alone and only its rows are joined with their authors: with the joins under the LIMIT,
 * PostgreSQL costed its generic plan by the average board and a busy board's by that board, so
 * the generic plan never won and every run was planned afresh (0.64 ms of planning for 0.15 ms of
 * running, on the bench database). With the first page's limit and offset written into the
 * statement as well, both plans cost about the same and the generic one is kept.
 */
function boardThreadsQuery(db: Executor, viewer: PolicyViewer, boardId: Param, limit: Param, offset: Param) {
  const listed = db
    .select({ ...listedThreadColumns, boardId: threads.boardId, authorId: threads.authorId, lastPostAuthorId: threads.lastPostAuthorId })
    .from(threads)
    .where(threadOfBoardVisible(viewer, boardId))
    .orderBy(desc(threads.pinned), desc(threads.lastPostAt), desc(threads.id))
    .limit(limit)
    .offset(offset)
    .as('listed');
  return db
    .select({
      id: listed.id,
      title: listed.title,
      slug: listed.slug,
      pinned: listed.pinned,
      locked: listed.locked,
      postCount: listed.postCount,
      createdAt: listed.createdAt,
      lastPostAt: listed.lastPostAt,
      authorHandle: author.handle,
      authorName: author.displayName,
      lastAuthorHandle: lastAuthor.handle,
      lastAuthorName: lastAuthor.displayName,
      boardId: listed.boardId,
    })
    .from(listed)
    .innerJoin(author, eq(author.id, listed.authorId))
    .leftJoin(lastAuthor, eq(lastAuthor.id, listed.lastPostAuthorId))
    .orderBy(desc(listed.pinned), desc(listed.lastPostAt), desc(listed.id));
}

function boardThreadCountQuery(db: Executor, viewer: PolicyViewer, boardId: Param) {
  return db
    .select({ n: sql<number>`count(*)::int` })
    .from(threads)
    .where(threadOfBoardVisible(viewer, boardId));
}

/**
 * Latest activity across every board the viewer may read. The limit is written into the
 * statement: with `limit $n` PostgreSQL's generic plan assumes a tenth of all threads, never wins
 * against a plan made for the value, and so every run was planned afresh (1.2–2.3 ms, more than
 * the 0.7 ms it runs; measured 2026-11-27).
 */
function latestThreadsQuery(db: Executor, viewer: PolicyViewer, list: LatestList) {
  return db
    // The space's level: a list mixing places shows which threads are from a members-only or confidential one.
    .select({ ...threadListColumns, boardName: boards.name, boardSlug: boards.slug, spaceSlug: spaces.slug, spaceLevel: spaces.level })
    .from(threads)
    .innerJoin(author, eq(author.id, threads.authorId))
    .leftJoin(lastAuthor, eq(lastAuthor.id, threads.lastPostAuthorId))
    .innerJoin(boards, eq(boards.id, threads.boardId))
    .innerJoin(spaces, eq(spaces.id, boards.spaceId))
    .where(and(threadInSpaceVisible(viewer), isNull(boards.archivedAt), isNull(spaces.archivedAt)))
    .orderBy(desc(threads.lastPostAt), desc(threads.id))
    .limit(limitLiteral(LATEST_THREADS[list]));
}

/**
 * The board page's and the home page's lists, prepared once per database handle and policy key
 * (anonymous, or a site role with the member's id as the parameter `viewerId`): every signed-in
 * board or home page runs them, and PostgreSQL spent longer planning them (the visibility
 * sub-queries) than running them.
 */
export function prepareListReads(db: Executor) {
  const boardId = sql.placeholder('boardId');
  return perPolicyKey((viewer, key) => ({
    boardThreads: {
      first: boardThreadsQuery(db, viewer, boardId, limitLiteral(THREADS_PER_PAGE), limitLiteral(0)).prepare(`${key}_board_first_threads`),
      later: boardThreadsQuery(db, viewer, boardId, limitLiteral(THREADS_PER_PAGE), sql.placeholder('offset')).prepare(`${key}_board_threads`),
    },
    boardThreadCount: boardThreadCountQuery(db, viewer, boardId).prepare(`${key}_board_thread_count`),
    latestThreads: {
      home: latestThreadsQuery(db, viewer, 'home').prepare(`${key}_latest_threads_home`),
      api: latestThreadsQuery(db, viewer, 'api').prepare(`${key}_latest_threads_api`),
    } satisfies Record<LatestList, unknown>,
  }));
}

function visibleThreadQuery(db: Executor, viewer: PolicyViewer, id: Param) {
  return db
    .select({ thread: threads, board: boards, space: spaces })
    .from(threads)
    .innerJoin(boards, eq(boards.id, threads.boardId))
    .innerJoin(spaces, eq(spaces.id, boards.spaceId))
    .where(and(eq(threads.id, id), threadInSpaceVisible(viewer)))
    .limit(1);
}

/**
 * The thread as `visibleThreadQuery` reads it, with what a signed-in page needs besides, in one
 * statement: the member's own membership of its space (null when none), how far they have read it
 * (null when never), and for a page of it (posts numbered `from`..`to`) the two facts that decide
 * which of its posts they see besides the published ones: whether they moderate the space (then
 * every post) and whether any post in the range is their own (their held and hidden posts). The
 * thread page shares one rendering of its posts among the members for whom both are the same
 * (web/thread-posts-cache.ts); other pages pass an empty range. And the member's own watch levels
 * for the thread, its board and its space, which the page's watch control shows.
 */
function visibleThreadForMemberQuery(db: Executor, viewer: PolicyMember, id: Param, from: Param, to: Param) {
  return db
    .select({
      thread: threads,
      board: boards,
      space: spaces,
      membership: { role: spaceMembers.role, status: spaceMembers.status },
      lastReadNumber: threadReads.lastReadNumber,
      moderates: sql<boolean>`${moderatesSpace(viewer, spaces.id)}`,
      ownPostsInRange: sql<boolean>`exists (select 1 from ${posts} where ${posts.threadId} = ${threads.id}
        and ${posts.authorId} = ${viewer.id} and ${posts.number} between ${from} and ${to})`,
      ownWatch: ownWatchLevels(sql`${viewer.id}`, { threadId: sql`${threads.id}`, boardId: sql`${boards.id}`, spaceId: sql`${spaces.id}` }),
      // The row's own condition below is the thread's visibility; the draft's is that it is theirs.
      // The post it answers by its number, while the member may read that post.
      draft: sql<ReplyDraft | null>`(select json_build_object('body', ${replyDrafts.body}, 'revision', ${replyDrafts.revision}, 'savedAt', ${replyDrafts.updatedAt},
          'replyTo', (select json_build_object('id', ${posts.id}, 'number', ${posts.number}) from ${posts} where ${posts.id} = ${replyDrafts.replyToPostId} and ${posts.deletedAt} is null and ${postVisible(viewer)}))
        from ${replyDrafts} where ${ownReplyDraft(viewer, threads.id)})`,
    })
    .from(threads)
    .innerJoin(boards, eq(boards.id, threads.boardId))
    .innerJoin(spaces, eq(spaces.id, boards.spaceId))
    .leftJoin(spaceMembers, and(eq(spaceMembers.spaceId, spaces.id), eq(spaceMembers.userId, viewer.id)))
    .leftJoin(threadReads, and(eq(threadReads.threadId, threads.id), eq(threadReads.userId, viewer.id)))
    .where(and(eq(threads.id, id), threadInSpaceVisible(viewer)))
    .limit(1);
}

/** A reply its writer has started in a thread; `savedAt` as PostgreSQL writes a time in JSON. */
export interface ReplyDraft {
  body: string;
  revision: number;
  savedAt: string;
  /** The post it answers, when the member may read it. */
  replyTo: { id: number; number: number } | null;
}

/**
 * What keeping a draft came to: kept (its new revision), `'posted'` (the form was posted already),
 * `'ended'` (empty: none is kept), `'elsewhere'` (a newer save than the one the page loaded, from
 * another tab or device, is kept instead: not overwritten).
 */
export type DraftSaved = { savedAt: Date; revision: number } | 'posted' | 'ended' | 'elsewhere';

export type MemberThreadRow = Awaited<ReturnType<typeof visibleThreadForMemberQuery>>[number];

export async function findVisibleThread(db: Executor, viewer: Viewer, id: number) {
  const [row] = await visibleThreadQuery(db, viewer, id);
  return row;
}

/**
 * Locks the thread row so concurrent replies get distinct, gap-free post numbers; with the
 * member's membership of its space (the facts the policy decides posting from) and whether they
 * moderate it (moderators are not held or limited there), in one statement.
 */
function lockVisibleThreadQuery(db: Executor, viewer: PolicyViewer, id: Param) {
  return db
    .select({
      thread: threads,
      space: spaces,
      boardArchived: sql<boolean>`${boards.archivedAt} is not null or ${spaces.archivedAt} is not null`,
      membership: { role: spaceMembers.role, status: spaceMembers.status },
      moderates: sql<boolean>`${moderatesSpace(viewer, spaces.id)}`,
    })
    .from(threads)
    .innerJoin(boards, eq(boards.id, threads.boardId))
    .innerJoin(spaces, eq(spaces.id, boards.spaceId))
    .leftJoin(spaceMembers, and(eq(spaceMembers.spaceId, spaces.id), viewer.kind === 'member' ? eq(spaceMembers.userId, viewer.id) : sql`false`))
    .where(and(eq(threads.id, id), threadInSpaceVisible(viewer)))
    .for('update', { of: threads });
}

/**
 * A new post's board: its counters and last activity, the last part of a write's statement (its
 * row lock is then held for the shortest time). Posts in different threads of a board commit in
 * any order, and the one stamped last may take the board's lock first: the newer time wins, so the
 * board's last activity never goes back.
 */
function touchedBoard(db: Executor, { newThread }: { newThread: boolean }) {
  const p = (name: string) => sql.placeholder(name);
  return db.$with('touched_board').as(
    db
      .update(boards)
      .set({
        ...(newThread ? { threadCount: sql`${boards.threadCount} + 1` } : {}),
        postCount: sql`${boards.postCount} + 1`,
        lastPostAt: sql`greatest(${boards.lastPostAt}, ${p('createdAtText')}::timestamptz)`,
      })
      .where(eq(boards.id, p('boardId')))
      .returning({ id: boards.id }),
  );
}

/**
 * A published reply in one statement: the post, its thread's count and last activity, the author's
 * watch of the thread, and its board's (the board row last, so its lock is held for the shortest
 * time). The caller holds the thread's row lock (`lockVisibleThread`), which makes `number` the
 * next number.
 */
function insertPublishedReplyQuery(db: Executor) {
  const p = (name: string) => sql.placeholder(name);
  const created = db.$with('created_post').as(
    db
      .insert(posts)
      .values({
        threadId: p('threadId'),
        number: p('number'),
        authorId: p('authorId'),
        bodySource: p('bodySource'),
        bodyHtml: p('bodyHtml'),
        renderVersion: p('renderVersion'),
        replyToPostId: p('replyToPostId'),
        idempotencyKey: p('idempotencyKey'),
        status: p('status'),
        moderationNote: p('moderationNote'),
        createdAt: p('createdAt'),
      })
      .returning({ id: posts.id }),
  );
  const thread = db.$with('touched_thread').as(
    db
      .update(threads)
      .set({ postCount: sql`${p('number')}::int`, lastPostAt: sql`${p('createdAtText')}::timestamptz`, lastPostAuthorId: sql`${p('authorId')}::text` })
      .where(eq(threads.id, p('threadId')))
      .returning({ id: threads.id }),
  );
  const watch = watchOnPostingStep(db, { userId: p('authorId'), threadId: p('threadId'), started: false });
  return db.with(created, thread, watch, touchedBoard(db, { newThread: false })).select({ id: created.id }).from(created);
}

/**
 * A new thread in one statement: the thread, its opening post, its author's watch of it, and its
 * board's counters and last activity (the board row last, so its lock is held for the shortest
 * time). They were four round trips.
 */
function insertThreadQuery(db: Executor) {
  const p = (name: string) => sql.placeholder(name);
  const thread = db.$with('created_thread').as(
    db
      .insert(threads)
      .values({
        boardId: p('boardId'),
        authorId: p('authorId'),
        title: p('title'),
        slug: p('slug'),
        idempotencyKey: p('idempotencyKey'),
        postCount: 1,
        lastPostAt: p('createdAt'),
        lastPostAuthorId: p('authorId'),
        status: p('status'),
        createdAt: p('createdAt'),
      })
      .returning({ id: threads.id, slug: threads.slug }),
  );
  const post = db.$with('opening_post').as(
    db
      .insert(posts)
      .values({
        threadId: sql`(select ${thread.id} from ${thread})`,
        number: 1,
        authorId: p('authorId'),
        bodySource: p('bodySource'),
        bodyHtml: p('bodyHtml'),
        renderVersion: p('renderVersion'),
        status: p('status'),
        moderationNote: p('moderationNote'),
        createdAt: p('createdAt'),
      })
      .returning({ id: posts.id }),
  );
  const watch = watchOnPostingStep(db, { userId: p('authorId'), threadId: sql`(select ${thread.id} from ${thread})`, started: true });
  return db.with(thread, post, watch, touchedBoard(db, { newThread: true })).select({ threadId: thread.id, slug: thread.slug, postId: post.id }).from(thread).innerJoin(post, sql`true`);
}

export type NewThread = {
  boardId: number;
  authorId: string;
  title: string;
  slug: string;
  idempotencyKey: string | null;
  bodySource: string;
  bodyHtml: string;
  renderVersion: number;
  status: 'published' | 'held';
  moderationNote: string;
  createdAt: Date;
};

/**
 * The statements of a reply and of a new thread, built once per database handle (and site role,
 * for the policy's): a reply ran them built anew each time, and building their SQL was a third of
 * its server CPU. They run on the database or inside the write's transaction (`onAnyExecutor`).
 */
export function prepareWriteStatements(db: Executor) {
  const id = sql.placeholder('id');
  const opening = onAnyExecutor(insertThreadQuery(db).prepare('insert_thread'));
  const locks = perPolicyKey((viewer, key) => onAnyExecutor(lockVisibleThreadQuery(db, viewer, id).prepare(`${key}_lock_thread`)));
  const insert = onAnyExecutor(insertPublishedReplyQuery(db).prepare('insert_published_reply'));
  return {
    async insertThread(executor: Executor, values: NewThread): Promise<{ threadId: number; slug: string; postId: number }> {
      const [row] = await opening(executor, { ...values, createdAtText: values.createdAt.toISOString() });
      if (!row) throw new Error('insert returned no row');
      return row;
    },
    async lockVisibleThread(executor: Executor, viewer: Viewer, threadId: number) {
      const [row] = await locks[policyKey(viewer)](executor, { id: threadId, ...viewerParameters(viewer) });
      return row;
    },
    async insertPublishedReply(executor: Executor, values: PublishedReply, boardId: number): Promise<{ id: number }> {
      const [row] = await insert(executor, {
        ...values,
        replyToPostId: values.replyToPostId ?? null,
        idempotencyKey: values.idempotencyKey ?? null,
        moderationNote: values.moderationNote ?? null,
        createdAtText: values.createdAt.toISOString(),
        boardId,
      });
      if (!row) throw new Error('insert returned no row');
      return row;
    },
  };
}

export interface PublishedReply {
  threadId: number;
  number: number;
  authorId: string;
  bodySource: string;
  bodyHtml: string;
  renderVersion: number;
  replyToPostId?: number | null;
  idempotencyKey?: string | null;
  status: 'published' | 'held';
  moderationNote?: string | null;
  createdAt: Date;
}

const postColumns = {
  id: posts.id,
  threadId: posts.threadId,
  number: posts.number,
  authorId: posts.authorId,
  bodySource: posts.bodySource,
  bodyHtml: posts.bodyHtml,
  revision: posts.revision,
  createdAt: posts.createdAt,
  editedAt: posts.editedAt,
  deletedAt: posts.deletedAt,
  status: posts.status,
  moderationNote: posts.moderationNote,
  removedByModerator: posts.removedByModerator,
  replyToPostId: posts.replyToPostId,
  author: authorColumns,
  replyToNumber: parent.number,
  replyToHandle: parentAuthor.handle,
};

export type PostListRow = Awaited<ReturnType<typeof listThreadPosts>>[number];

function threadPostsQuery(db: Executor, viewer: PolicyViewer, threadId: Param, from: Param, to: Param) {
  return db
    .select(postColumns)
    .from(posts)
    .innerJoin(author, eq(author.id, posts.authorId))
    .leftJoin(parent, eq(parent.id, posts.replyToPostId))
    .leftJoin(parentAuthor, eq(parentAuthor.id, parent.authorId))
    .where(and(postOfThreadVisible(viewer, threadId), between(posts.number, from, to)))
    .orderBy(asc(posts.number));
}

/** Posts numbered `from`..`to` of a thread: numbers are stable, so a page is a range, not an OFFSET. */
export async function listThreadPosts(db: Executor, viewer: Viewer, threadId: number, from: number, to: number) {
  return threadPostsQuery(db, viewer, threadId, from, to);
}

/**
 * Everything a thread page shows besides its posts and their authors, which the triggers of
 * migration 0003 fold into `threads.content_version`. The anonymous page cache compares it, read
 * through the anonymous visibility predicate, with what the stored page was rendered from.
 */
function threadStampQuery(db: Executor, id: Param) {
  return db
    .select({
      thread: { contentVersion: threads.contentVersion },
      board: { name: boards.name, slug: boards.slug, archivedAt: boards.archivedAt },
      space: { name: spaces.name, slug: spaces.slug, level: spaces.level, archivedAt: spaces.archivedAt },
    })
    .from(threads)
    .innerJoin(boards, eq(boards.id, threads.boardId))
    .innerJoin(spaces, eq(spaces.id, boards.spaceId))
    .where(and(eq(threads.id, id), threadInSpaceVisible(ANONYMOUS)))
    .limit(1);
}

export type ThreadStamp = Awaited<ReturnType<typeof threadStampQuery>>[number];

/**
 * The anonymous thread page's statements, prepared once per database handle: it is the most-read
 * page of the site, and building the SQL (drizzle) and planning it (PostgreSQL, the visibility
 * sub-queries) cost more than running it. Same builders as the functions above, so the same SQL.
 */
export function prepareAnonymousThreadReads(db: Executor) {
  const id = sql.placeholder('id');
  return {
    thread: visibleThreadQuery(db, ANONYMOUS, id).prepare('anonymous_thread'),
    posts: threadPostsQuery(db, ANONYMOUS, id, sql.placeholder('from'), sql.placeholder('to')).prepare('anonymous_thread_posts'),
    stamp: threadStampQuery(db, id).prepare('anonymous_thread_stamp'),
  };
}

/**
 * The same two reads for members (the thread with the member's membership of its space), prepared
 * once per database handle and site role (the predicates differ by role, never by member: the
 * member's id is the parameter `viewerId`). Every signed-in thread page runs them, and PostgreSQL
 * spent longer planning the posts statement than running it; prepared, it keeps a generic plan
 * per connection.
 */
export function prepareMemberThreadReads(db: Executor) {
  const id = sql.placeholder('id');
  return perSiteRole((viewer, role) => ({
    thread: visibleThreadForMemberQuery(db, viewer, id, sql.placeholder('from'), sql.placeholder('to')).prepare(`${role}_thread`),
    posts: threadPostsQuery(db, viewer, id, sql.placeholder('from'), sql.placeholder('to')).prepare(`${role}_thread_posts`),
  }));
}

export async function findVisiblePost(db: Executor, viewer: Viewer, postId: number) {
  const [row] = await db
    .select({ ...postColumns, threadTitle: threads.title, threadSlug: threads.slug, threadLocked: threads.locked })
    .from(posts)
    .innerJoin(author, eq(author.id, posts.authorId))
    .innerJoin(threads, eq(threads.id, posts.threadId))
    .leftJoin(parent, eq(parent.id, posts.replyToPostId))
    .leftJoin(parentAuthor, eq(parentAuthor.id, parent.authorId))
    .where(and(eq(posts.id, postId), postVisible(viewer)))
    .limit(1);
  return row;
}

export async function findVisiblePostByNumber(db: Executor, viewer: Viewer, threadId: number, number: number) {
  const [row] = await db
    .select({ id: posts.id })
    .from(posts)
    .where(and(eq(posts.threadId, threadId), eq(posts.number, number), postVisible(viewer)))
    .limit(1);
  return row;
}

/** How many of a member's posts their profile lists. */
export const PROFILE_POSTS = 20;

/**
 * A member's newest posts the viewer may read: their posts walked newest first along (author,
 * created_at), the viewer's predicate checked on each until enough pass (see checkedPerRow).
 * Built once per database handle and policy key: built per call, drizzle writing the policy's SQL
 * was the largest part of a signed-in profile page's server CPU (2026-11-28).
 */
const postsByAuthorReads = oncePerDatabase((db) =>
  perPolicyKey((viewer, key) => {
    const ownPosts = sql`(select * from ${posts} where ${posts.authorId} = ${sql.placeholder('authorId')} and ${posts.deletedAt} is null
      order by ${posts.createdAt} desc offset 0) as ${posts}`;
    return onAnyExecutor(
      db
        .select({
          // Columns of the derived table: drizzle types them from the table, read through `mapWith`.
          id: sql<number>`${posts.id}`.mapWith(posts.id),
          number: sql<number>`${posts.number}`.mapWith(posts.number),
          bodyHtml: sql<string>`${posts.bodyHtml}`.mapWith(posts.bodyHtml),
          createdAt: sql<Date>`${posts.createdAt}`.mapWith(posts.createdAt),
          threadId: threads.id,
          threadTitle: threads.title,
          threadSlug: threads.slug,
          // The profile lists posts from every place the viewer may read: it labels the members-only
          // and confidential ones. Read for the listed posts only (a subquery, not a join to plan around).
          spaceLevel: sql<SpaceLevel>`(select ${spaces.level} from ${boards} join ${spaces} on ${spaces.id} = ${boards.spaceId} where ${boards.id} = ${threads.boardId})`,
        })
        .from(ownPosts)
        .innerJoin(threads, eq(threads.id, posts.threadId))
        .where(checkedPerRow(postVisible(viewer)))
        .orderBy(desc(posts.createdAt))
        .limit(limitLiteral(PROFILE_POSTS))
        .prepare(`${key}_posts_by_author`),
    );
  }),
);

export async function listPostsByAuthor(db: Executor, viewer: Viewer, authorId: string) {
  return postsByAuthorReads(db)[policyKey(viewer)](db, { authorId, ...viewerParameters(viewer) });
}

export async function listRevisions(db: Executor, viewer: Viewer, postId: number) {
  return db
    .select({
      revision: postRevisions.revision,
      title: postRevisions.title,
      bodySource: postRevisions.bodySource,
      bodyHtml: postRevisions.bodyHtml,
      createdAt: postRevisions.createdAt,
    })
    .from(postRevisions)
    .innerJoin(posts, eq(posts.id, postRevisions.postId))
    .where(and(eq(postRevisions.postId, postId), postVisible(viewer)))
    .orderBy(desc(postRevisions.revision));
}

// Writes. Callers have read their target through a visibility predicate first.

export async function findThreadByIdempotencyKey(db: Executor, authorId: string, key: string) {
  const [row] = await db
    .select({ id: threads.id, slug: threads.slug, postId: posts.id })
    .from(threads)
    .innerJoin(posts, and(eq(posts.threadId, threads.id), eq(posts.number, 1)))
    .where(and(eq(threads.authorId, authorId), eq(threads.idempotencyKey, key)))
    .limit(1);
  return row;
}

export async function findPostByIdempotencyKey(db: Executor, authorId: string, key: string) {
  const [row] = await db
    .select({ id: posts.id, threadId: posts.threadId, number: posts.number })
    .from(posts)
    .where(and(eq(posts.authorId, authorId), eq(posts.idempotencyKey, key)))
    .limit(1);
  return row;
}

export async function insertPost(db: Executor, values: typeof posts.$inferInsert): Promise<PostRow> {
  const [row] = await db.insert(posts).values(values).returning();
  if (!row) throw new Error('insert returned no row');
  return row;
}

export async function recordPostNumber(db: Executor, threadId: number, postNumber: number): Promise<void> {
  await db.update(threads).set({ postCount: postNumber }).where(eq(threads.id, threadId));
}

export async function insertRevision(db: Executor, values: typeof postRevisions.$inferInsert): Promise<void> {
  await db.insert(postRevisions).values(values);
}

/** Compare-and-set on the revision: a save based on an older revision updates nothing. */
export async function updatePostBody(
  db: Executor,
  postId: number,
  baseRevision: number,
  values: { bodySource: string; bodyHtml: string; renderVersion: number },
): Promise<boolean> {
  const rows = await db
    .update(posts)
    .set({ ...values, revision: baseRevision + 1, editedAt: new Date() })
    .where(and(eq(posts.id, postId), eq(posts.revision, baseRevision), isNull(posts.deletedAt)))
    .returning({ id: posts.id });
  return rows.length > 0;
}

export async function updateThreadTitle(db: Executor, threadId: number, title: string, slug: string): Promise<void> {
  await db.update(threads).set({ title, slug }).where(eq(threads.id, threadId));
}

export async function softDeletePost(db: Executor, postId: number): Promise<boolean> {
  const rows = await db
    .update(posts)
    .set({ deletedAt: new Date() })
    .where(and(eq(posts.id, postId), isNull(posts.deletedAt)))
    .returning({ id: posts.id });
  return rows.length > 0;
}

export async function setThreadFlags(db: Executor, threadId: number, values: { pinned?: boolean; locked?: boolean }): Promise<void> {
  await db.update(threads).set(values).where(eq(threads.id, threadId));
}

/** The space and level of each thread the viewer can read, for cross-space quoting rules. */
export async function findVisibleThreadSpaces(db: Executor, viewer: Viewer, threadIds: number[]) {
  if (threadIds.length === 0) return [];
  return db
    .select({ threadId: threads.id, spaceId: spaces.id, level: spaces.level })
    .from(threads)
    .innerJoin(boards, eq(boards.id, threads.boardId))
    .innerJoin(spaces, eq(spaces.id, boards.spaceId))
    .where(and(inArray(threads.id, threadIds), threadInSpaceVisible(viewer)));
}

/**
 * Records that a member was shown a thread up to post `number`, and adds what is new to their
 * "posts read" count (trust). Nothing is written when they had already read that far — not even
 * a row lock: `on conflict do update … where` locks the conflicting row (a transaction id, WAL
 * and a commit flush) even when its condition then refuses the update, and re-reading a thread
 * is the common case. So the insert proposes no row at all unless the position advances; two
 * concurrent views that both advance still meet in the `on conflict` clause.
 */
const recordThreadReadStatement = (() => {
  const userId = sql`${sql.placeholder('userId')}::text`;
  const threadId = sql`${sql.placeholder('threadId')}::bigint`;
  const number = sql`${sql.placeholder('number')}::int`;
  // Run on every signed-in thread page, so its text is built once.
  return namedStatement(
    'record_thread_read',
    sql`
    with previous as (
      select ${threadReads.lastReadNumber} as n from ${threadReads}
      where ${threadReads.userId} = ${userId} and ${threadReads.threadId} = ${threadId}
    ), saved as (
      insert into ${threadReads} (user_id, thread_id, last_read_number)
      select ${userId}, ${threadId}, ${number} where not exists (select 1 from previous where n >= ${number})
      on conflict (user_id, thread_id) do update set last_read_number = excluded.last_read_number, updated_at = now()
        where ${threadReads.lastReadNumber} < excluded.last_read_number
      returning last_read_number
    )
    update ${users} set posts_read = posts_read + (select last_read_number from saved) - coalesce((select n from previous), 0)
    where ${users.id} = ${userId} and exists (select 1 from saved)`,
  );
})();

export async function recordThreadRead(db: Executor, userId: string, threadId: number, number: number): Promise<void> {
  await recordThreadReadStatement.execute(db, { userId, threadId, number });
}

/**
 * Keeps a member's unfinished reply (an empty body ends it). `null` when they may not read the
 * thread; `'posted'` when the form it came from has been posted already (its idempotency key is
 * on a post of theirs): an autosave that was on its way while the reply was sent must not bring
 * the text back as a draft. The thread row is share-locked first, so a save waits for a reply
 * being posted in the thread, and its second statement then sees that post. With `baseRevision`
 * (the draft's revision when the page loaded, 0 for none), a draft saved since from elsewhere is
 * left as it is (`'elsewhere'`).
 */
export async function saveReplyDraft(
  db: Executor,
  viewer: PolicyMember & { id: string },
  threadId: number,
  draft: { body: string; replyToPostId: number | null },
  options: { idempotencyKey: string | null; baseRevision: number | null },
) {
  const { body } = draft;
  return db.transaction(async (tx): Promise<DraftSaved | null> => {
    const [thread] = await tx
      .select({ id: threads.id })
      .from(threads)
      .innerJoin(boards, eq(boards.id, threads.boardId))
      .innerJoin(spaces, eq(spaces.id, boards.spaceId))
      .where(and(eq(threads.id, threadId), threadInSpaceVisible(viewer)))
      .for('key share', { of: threads });
    if (!thread) return null;
    if (options.idempotencyKey !== null && (await postedWithKey(tx, posts, viewer.id, options.idempotencyKey))) return 'posted';
    const own = ownReplyDraft(viewer, sql`${threadId}`);
    const [stored] = await tx.select({ revision: replyDrafts.revision }).from(replyDrafts).where(own).for('update');
    if (stored && options.baseRevision !== null && stored.revision !== options.baseRevision) return 'elsewhere';
    if (body.trim() === '') {
      await tx.delete(replyDrafts).where(own);
      return 'ended';
    }
    // Only a post of this thread: the page that shows the draft reads it through the policy again.
    const replyToPostId = draft.replyToPostId === null ? null : sql`(select ${posts.id} from ${posts} where ${posts.id} = ${draft.replyToPostId} and ${posts.threadId} = ${threadId})`;
    const [saved] = await tx
      .insert(replyDrafts)
      .values({ userId: viewer.id, threadId, body, replyToPostId })
      .onConflictDoUpdate({
        target: [replyDrafts.userId, replyDrafts.threadId],
        set: { body, replyToPostId: sql`excluded.reply_to_post_id`, revision: sql`${replyDrafts.revision} + 1`, updatedAt: sql`now()` },
      })
      .returning({ savedAt: replyDrafts.updatedAt, revision: replyDrafts.revision });
    if (!saved) throw new Error('upsert returned no row');
    await tx.execute(sql`delete from ${replyDrafts} where ${replyDrafts.userId} = ${viewer.id} and ${replyDrafts.threadId} not in (
      select ${replyDrafts.threadId} from ${replyDrafts} where ${replyDrafts.userId} = ${viewer.id} order by ${replyDrafts.updatedAt} desc limit ${DRAFTS_KEPT})`);
    return saved;
  });
}

/** Whether the member has posted (a reply, or with `threads` a thread) from the form with this key. */
async function postedWithKey(tx: Executor, table: typeof posts | typeof threads, authorId: string, key: string): Promise<boolean> {
  const [posted] = await tx
    .select({ id: table.id })
    .from(table)
    .where(and(eq(table.authorId, authorId), eq(table.idempotencyKey, key)))
    .limit(1);
  return posted !== undefined;
}

/** The member's draft in a thread, while they may read the thread. */
export async function findReplyDraft(db: Executor, viewer: PolicyViewer, threadId: number) {
  const [row] = await db
    .select({ body: replyDrafts.body, revision: replyDrafts.revision, savedAt: replyDrafts.updatedAt, replyToPostId: replyDrafts.replyToPostId })
    .from(replyDrafts)
    .where(and(eq(replyDrafts.threadId, threadId), replyDraftVisible(viewer)));
  return row;
}

/**
 * Keeps a member's unfinished new thread on a board (empty title and body end it), as
 * `saveReplyDraft`. The board row is share-locked first: a thread being started there holds the
 * board's row (its counters) until it commits, so a save waits for it and then finds its key.
 */
export async function saveThreadDraft(
  db: Executor,
  viewer: PolicyMember & { id: string },
  boardId: number,
  draft: { title: string; body: string },
  options: { idempotencyKey: string | null; baseRevision: number | null },
) {
  return db.transaction(async (tx): Promise<DraftSaved | null> => {
    const [board] = await tx
      .select({ id: boards.id })
      .from(boards)
      .where(and(eq(boards.id, boardId), boardVisible(viewer)))
      .for('share');
    if (!board) return null;
    if (options.idempotencyKey !== null && (await postedWithKey(tx, threads, viewer.id, options.idempotencyKey))) return 'posted';
    const own = ownThreadDraft(viewer, sql`${boardId}`);
    const [stored] = await tx.select({ revision: threadDrafts.revision }).from(threadDrafts).where(own).for('update');
    if (stored && options.baseRevision !== null && stored.revision !== options.baseRevision) return 'elsewhere';
    if (draft.title.trim() === '' && draft.body.trim() === '') {
      await tx.delete(threadDrafts).where(own);
      return 'ended';
    }
    const [saved] = await tx
      .insert(threadDrafts)
      .values({ userId: viewer.id, boardId, ...draft })
      .onConflictDoUpdate({ target: [threadDrafts.userId, threadDrafts.boardId], set: { ...draft, revision: sql`${threadDrafts.revision} + 1`, updatedAt: sql`now()` } })
      .returning({ savedAt: threadDrafts.updatedAt, revision: threadDrafts.revision });
    if (!saved) throw new Error('upsert returned no row');
    await tx.execute(sql`delete from ${threadDrafts} where ${threadDrafts.userId} = ${viewer.id} and ${threadDrafts.boardId} not in (
      select ${threadDrafts.boardId} from ${threadDrafts} where ${threadDrafts.userId} = ${viewer.id} order by ${threadDrafts.updatedAt} desc limit ${DRAFTS_KEPT})`);
    return saved;
  });
}

/** The member's unfinished new thread on a board they may read, if any. */
export async function findThreadDraft(db: Executor, viewer: PolicyViewer, boardId: number) {
  const [row] = await db
    .select({ title: threadDrafts.title, body: threadDrafts.body, revision: threadDrafts.revision, savedAt: threadDrafts.updatedAt })
    .from(threadDrafts)
    .where(and(eq(threadDrafts.boardId, boardId), threadDraftVisible(viewer)));
  return row;
}

/**
 * Every unfinished reply and new thread of the member, where they may still read the place; newest
 * first. A reply's `replyTo` is the post it answers, by its number, while the member may read that
 * post and it is not deleted (null otherwise: nothing of it is shown), read in the same statement.
 */
export async function listOwnDrafts(db: Executor, viewer: PolicyMember) {
  const [replies, opened] = await Promise.all([
    db
      .select({
        threadId: threads.id,
        threadSlug: threads.slug,
        threadTitle: threads.title,
        body: replyDrafts.body,
        savedAt: replyDrafts.updatedAt,
        replyTo: { id: posts.id, number: posts.number },
      })
      .from(replyDrafts)
      .innerJoin(threads, eq(threads.id, replyDrafts.threadId))
      .leftJoin(posts, and(eq(posts.id, replyDrafts.replyToPostId), eq(posts.threadId, replyDrafts.threadId), isNull(posts.deletedAt), postVisible(viewer)))
      .where(and(eq(replyDrafts.userId, viewer.id), replyDraftVisible(viewer)))
      .orderBy(desc(replyDrafts.updatedAt))
      .limit(DRAFTS_KEPT),
    db
      .select({ boardId: boards.id, boardSlug: boards.slug, boardName: boards.name, spaceSlug: spaces.slug, spaceName: spaces.name, title: threadDrafts.title, body: threadDrafts.body, savedAt: threadDrafts.updatedAt })
      .from(threadDrafts)
      .innerJoin(boards, eq(boards.id, threadDrafts.boardId))
      .innerJoin(spaces, eq(spaces.id, boards.spaceId))
      .where(and(eq(threadDrafts.userId, viewer.id), threadDraftVisible(viewer)))
      .orderBy(desc(threadDrafts.updatedAt))
      .limit(DRAFTS_KEPT),
  ]);
  return { replies, opened };
}

/** Ends every draft last saved before `before`, readable to its writer or not; how many of each went. */
export async function pruneDrafts(db: Executor, before: Date): Promise<{ replies: number; threads: number }> {
  const [replies, opened] = await Promise.all([
    db.delete(replyDrafts).where(lt(replyDrafts.updatedAt, before)).returning({ threadId: replyDrafts.threadId }),
    db.delete(threadDrafts).where(lt(threadDrafts.updatedAt, before)).returning({ boardId: threadDrafts.boardId }),
  ]);
  return { replies: replies.length, threads: opened.length };
}
