import { sql } from 'drizzle-orm';
import { bigint, boolean, index, pgEnum, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from './accounts.ts';
import { blogComments, blogEntries } from './blogs.ts';
import { posts, threads } from './forum.ts';
import { reviewItems } from './moderation.ts';
import { boards, spaces } from './spaces.ts';

/**
 * What a notification is about. Rows hold ids only, never text: what a notification says is read
 * at display time through the visibility predicates, so one about content the recipient can no
 * longer read (removed from the space, post hidden, level raised) disappears from lists and counts.
 */
export const notificationKind = pgEnum('notification_kind', [
  'reply_to_thread',
  'reply_to_post',
  'quote',
  'mention',
  'watched_post',
  'moderation_content',
  'moderation_flag',
  'space_invited',
  'space_approved',
  'space_rules_changed',
  // A request to join was refused: the member hears of it instead of waiting for ever.
  'space_refused',
  // Someone asked to join: the space's owners and moderators, who decide, hear of it.
  'space_requested',
  'blog_published',
  // A new comment on the recipient's own entry.
  'blog_comment',
  // A new comment on an entry the recipient commented on (commenters follow the entry).
  'blog_comment_followed',
]);

export const notifications = pgTable(
  'notifications',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    recipientId: text('recipient_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: notificationKind('kind').notNull(),
    actorId: text('actor_id').references(() => users.id, { onDelete: 'set null' }),
    threadId: bigint('thread_id', { mode: 'number' }).references(() => threads.id),
    postId: bigint('post_id', { mode: 'number' }).references(() => posts.id),
    blogEntryId: bigint('blog_entry_id', { mode: 'number' }).references(() => blogEntries.id),
    /** The comment a `blog_comment*` notification is about (its entry is in `blog_entry_id`). */
    blogCommentId: bigint('blog_comment_id', { mode: 'number' }).references(() => blogComments.id),
    spaceId: bigint('space_id', { mode: 'number' }).references(() => spaces.id, { onDelete: 'cascade' }),
    reviewItemId: bigint('review_item_id', { mode: 'number' }).references(() => reviewItems.id),
    /** A moderation decision's code (`hide`, `approve`, `agreed`…), from a fixed list: never free text. */
    outcome: text('outcome'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    readAt: timestamp('read_at', { withTimezone: true }),
  },
  (t) => [
    index('notifications_recipient_idx').on(t.recipientId, t.id.desc()),
    index('notifications_post_idx').on(t.postId),
    // The bell asks on every signed-in page whether anything is unread before counting what is
    // (see prepareUnreadGroupCount): only unread rows are in it, so a member's read history of
    // thousands costs nothing.
    index('notifications_unread_idx').on(t.recipientId).where(sql`${t.readAt} is null`),
  ],
);

/**
 * How closely a member follows a thread, board or space (as Discourse does): `watching` notifies
 * on every new post; `tracking` shows unread counts and notifies on replies to them and mentions;
 * `muted` notifies of nothing there, not even mentions. The most specific row wins.
 */
export const watchLevel = pgEnum('watch_level', ['watching', 'tracking', 'muted']);

export const threadWatches = pgTable(
  'thread_watches',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    threadId: bigint('thread_id', { mode: 'number' })
      .notNull()
      .references(() => threads.id),
    level: watchLevel('level').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.threadId, t.userId] }), index('thread_watches_user_idx').on(t.userId)],
);

export const boardWatches = pgTable(
  'board_watches',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    boardId: bigint('board_id', { mode: 'number' })
      .notNull()
      .references(() => boards.id),
    level: watchLevel('level').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.boardId, t.userId] })],
);

export const spaceWatches = pgTable(
  'space_watches',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    spaceId: bigint('space_id', { mode: 'number' })
      .notNull()
      .references(() => spaces.id, { onDelete: 'cascade' }),
    level: watchLevel('level').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.spaceId, t.userId] })],
);

/** A member's defaults for threads they take part in; no row means both off (tracking). */
export const notificationPreferences = pgTable('notification_preferences', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  watchStarted: boolean('watch_started').notNull().default(false),
  watchReplied: boolean('watch_replied').notNull().default(false),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
