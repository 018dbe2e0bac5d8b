import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from './accounts.ts';
import { boards } from './spaces.ts';

/**
 * Where a post (or thread) stands with moderation. `held`: a newcomer's post waiting for approval;
 * `hidden`: taken down pending review or by a moderator. Both are readable only by the author and
 * by the moderators of the place (see policy/visibility.ts).
 */
export const contentStatus = pgEnum('content_status', ['published', 'held', 'hidden']);

export const threads = pgTable(
  'threads',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    boardId: bigint('board_id', { mode: 'number' })
      .notNull()
      .references(() => boards.id),
    authorId: text('author_id')
      .notNull()
      .references(() => users.id),
    title: text('title').notNull(),
    slug: text('slug').notNull(),
    pinned: boolean('pinned').notNull().default(false),
    locked: boolean('locked').notNull().default(false),
    /** Highest post number handed out; numbers are never reused, so permalinks stay stable. */
    postCount: integer('post_count').notNull().default(0),
    lastPostAt: timestamp('last_post_at', { withTimezone: true }).notNull().defaultNow(),
    lastPostAuthorId: text('last_post_author_id').references(() => users.id),
    idempotencyKey: text('idempotency_key'),
    /** Follows its first post: a held or hidden opening post holds or hides the whole thread. */
    status: contentStatus('status').notNull().default('published'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    /**
     * Bumped by database triggers (migration 0003) whenever something a thread page shows changes:
     * any update of this row, an update or delete of one of its posts, an author's renaming. The
     * anonymous page cache keys thread pages on it. A new post always updates this row (its number
     * comes from post_count), so inserts need no trigger of their own.
     */
    contentVersion: integer('content_version').notNull().default(0),
  },
  (t) => [
    index('threads_board_activity_idx').on(t.boardId, t.pinned.desc().nullsFirst(), t.lastPostAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('threads_activity_idx').on(t.lastPostAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    // A board page counts the threads its viewer may read (for its page numbers) from this index
    // alone, where it read every thread row of the board: 2.0 -> 0.4 ms for a board of 1,000.
    index('threads_board_live_idx').on(t.boardId, t.status, t.authorId).where(sql`${t.deletedAt} is null`),
    uniqueIndex('threads_author_idempotency_idx').on(t.authorId, t.idempotencyKey),
  ],
);

export const posts = pgTable(
  'posts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    threadId: bigint('thread_id', { mode: 'number' })
      .notNull()
      .references(() => threads.id),
    number: integer('number').notNull(),
    authorId: text('author_id')
      .notNull()
      .references(() => users.id),
    bodySource: text('body_source').notNull(),
    bodyHtml: text('body_html').notNull(),
    renderVersion: integer('render_version').notNull(),
    /** Bumped on every edit; an edit names the revision it started from so a stale save is refused. */
    revision: integer('revision').notNull().default(1),
    replyToPostId: bigint('reply_to_post_id', { mode: 'number' }),
    idempotencyKey: text('idempotency_key'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    editedAt: timestamp('edited_at', { withTimezone: true }),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    status: contentStatus('status').notNull().default('published'),
    /** Said to the author while the post is held or hidden, in plain words. */
    moderationNote: text('moderation_note').notNull().default(''),
    /** A removal by a moderator shows a different tombstone from one by the author. */
    removedByModerator: boolean('removed_by_moderator').notNull().default(false),
  },
  (t) => [
    uniqueIndex('posts_thread_number_idx').on(t.threadId, t.number),
    index('posts_author_created_idx').on(t.authorId, t.createdAt.desc().nullsFirst()),
    uniqueIndex('posts_author_idempotency_idx').on(t.authorId, t.idempotencyKey),
    // Only the few posts waiting on moderation are indexed: "my posts under review" stays cheap.
    index('posts_author_unpublished_idx').on(t.authorId).where(sql`${t.status} <> 'published'`),
  ],
);

/**
 * How far each member has read each thread (the highest post number they were shown). It counts
 * toward trust ("posts read") and is where unread tracking will start.
 */
export const threadReads = pgTable(
  'thread_reads',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    threadId: bigint('thread_id', { mode: 'number' })
      .notNull()
      .references(() => threads.id),
    lastReadNumber: integer('last_read_number').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.threadId] })],
);

/** Every earlier version of a post (and of the thread title, for a thread's first post). */
export const postRevisions = pgTable(
  'post_revisions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    postId: bigint('post_id', { mode: 'number' })
      .notNull()
      .references(() => posts.id),
    revision: integer('revision').notNull(),
    title: text('title'),
    bodySource: text('body_source').notNull(),
    bodyHtml: text('body_html').notNull(),
    editorId: text('editor_id')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('post_revisions_post_revision_idx').on(t.postId, t.revision)],
);

/**
 * A reply a member has started and not yet posted, one per member and thread, kept on the server
 * (not in the browser: on a shared ward computer it must not outlive signing out). Read only with
 * the thread, through the member's visibility of it; posting in the thread deletes it (migration
 * 0030's trigger, whatever path the post took).
 */
export const replyDrafts = pgTable(
  'reply_drafts',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    threadId: bigint('thread_id', { mode: 'number' })
      .notNull()
      .references(() => threads.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    /** The post of the thread it answers (the Reply link it was started from); null: the thread. */
    replyToPostId: bigint('reply_to_post_id', { mode: 'number' }).references(() => posts.id, { onDelete: 'set null' }),
    /** Counts saves, so a page that loaded an older one does not write over a newer (another tab, another device). */
    revision: integer('revision').notNull().default(1),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.threadId] })],
);

/**
 * A new thread a member has started writing on a board and not yet posted, one per member and
 * board; as `replyDrafts`, kept on the server for them alone, read through their visibility of the
 * board, and ended by their next thread there (migration 0031's trigger).
 */
export const threadDrafts = pgTable(
  'thread_drafts',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    boardId: bigint('board_id', { mode: 'number' })
      .notNull()
      .references(() => boards.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    body: text('body').notNull(),
    revision: integer('revision').notNull().default(1),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.boardId] })],
);
