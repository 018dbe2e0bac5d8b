import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgEnum, pgTable, real, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from './accounts.ts';
import { blogComments, blogEntries } from './blogs.ts';
import { posts } from './forum.ts';
import { spaces } from './spaces.ts';

export const flagReason = pgEnum('flag_reason', ['spam', 'abusive', 'off_topic', 'misinformation', 'confidentiality', 'other']);
export const flagStatus = pgEnum('flag_status', ['open', 'agreed', 'disagreed', 'dismissed', 'withdrawn']);
/**
 * What a review item asks of a moderator. `flagged`: members reported it; `held_post`: a newcomer's
 * post waiting for approval; `review_request`: an author edited a hidden post and asks to have it
 * back; `appeal`: an author's one appeal, which goes to a different moderator; `registration`: a
 * new account waiting for approval (when the site holds registrations).
 */
export const reviewKind = pgEnum('review_kind', ['flagged', 'held_post', 'review_request', 'appeal', 'registration']);
export const reviewStatus = pgEnum('review_status', ['open', 'decided']);
export const sanctionKind = pgEnum('sanction_kind', ['warn', 'silence', 'suspend']);

/** The queue's unit: one open item per target and kind, aggregating every flag on it. */
export const reviewItems = pgTable(
  'review_items',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    kind: reviewKind('kind').notNull(),
    status: reviewStatus('status').notNull().default('open'),
    /** The post under review, or null for an item about a member's profile. */
    postId: bigint('post_id', { mode: 'number' }).references(() => posts.id),
    /** A blog entry or blog comment under review (at most one of post, entry, comment is set). */
    entryId: bigint('entry_id', { mode: 'number' }).references(() => blogEntries.id),
    commentId: bigint('comment_id', { mode: 'number' }).references(() => blogComments.id),
    /** The member the item is about: the post's author, or the flagged profile. */
    subjectId: text('subject_id')
      .notNull()
      .references(() => users.id),
    /** Where the target lives; decides whose queue the item is in. Null: site-wide (profiles). */
    spaceId: bigint('space_id', { mode: 'number' }).references(() => spaces.id),
    /** Sum of the open flags' weights; the queue sorts by it. */
    score: real('score').notNull().default(0),
    flagCount: integer('flag_count').notNull().default(0),
    /** The target was hidden automatically when the score crossed the site's threshold. */
    autoHidden: boolean('auto_hidden').notNull().default(false),
    /** An appeal must go to a different moderator from the one who decided first. */
    excludedModeratorId: text('excluded_moderator_id').references(() => users.id),
    /** The author's words with a review request or appeal. */
    authorNote: text('author_note').notNull().default(''),
    /** The post's revision when the item was decided: another review needs a newer one. */
    targetRevision: integer('target_revision'),
    decision: text('decision'),
    decisionReason: text('decision_reason').notNull().default(''),
    decidedById: text('decided_by_id').references(() => users.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('review_items_open_post_idx').on(t.kind, t.postId).where(sql`${t.status} = 'open' and ${t.postId} is not null`),
    uniqueIndex('review_items_open_profile_idx')
      .on(t.kind, t.subjectId)
      .where(sql`${t.status} = 'open' and ${t.postId} is null and ${t.entryId} is null and ${t.commentId} is null`),
    uniqueIndex('review_items_open_entry_idx').on(t.kind, t.entryId).where(sql`${t.status} = 'open' and ${t.entryId} is not null`),
    uniqueIndex('review_items_open_comment_idx').on(t.kind, t.commentId).where(sql`${t.status} = 'open' and ${t.commentId} is not null`),
    // The queue's two orders, each a keyset over open items. The space rides along, which is all a
    // page's walk reads besides the order (whether the moderator may see the item): the walk is
    // then index-only, which PostgreSQL prefers to sorting every open item (19,000: 24 ms a page).
    index('review_items_priority_idx').on(t.score.desc().nullsFirst(), t.id.desc().nullsFirst(), t.spaceId).where(sql`${t.status} = 'open'`),
    index('review_items_age_idx').on(t.createdAt, t.id, t.spaceId).where(sql`${t.status} = 'open'`),
    index('review_items_space_idx').on(t.spaceId),
    // Open items space by space: what site staff are told waits in confidential spaces.
    index('review_items_open_space_idx').on(t.spaceId).where(sql`${t.status} = 'open'`),
    index('review_items_post_idx').on(t.postId),
    index('review_items_subject_idx').on(t.subjectId),
  ],
);

export const flags = pgTable(
  'flags',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    itemId: bigint('item_id', { mode: 'number' })
      .notNull()
      .references(() => reviewItems.id),
    postId: bigint('post_id', { mode: 'number' }).references(() => posts.id),
    entryId: bigint('entry_id', { mode: 'number' }).references(() => blogEntries.id),
    commentId: bigint('comment_id', { mode: 'number' }).references(() => blogComments.id),
    subjectId: text('subject_id')
      .notNull()
      .references(() => users.id),
    flaggerId: text('flagger_id')
      .notNull()
      .references(() => users.id),
    reason: flagReason('reason').notNull(),
    note: text('note').notNull().default(''),
    /** What this flag added to the item's score, fixed when it was raised. */
    weight: real('weight').notNull(),
    status: flagStatus('status').notNull().default('open'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('flags_open_post_idx').on(t.flaggerId, t.postId).where(sql`${t.status} = 'open' and ${t.postId} is not null`),
    uniqueIndex('flags_open_profile_idx')
      .on(t.flaggerId, t.subjectId)
      .where(sql`${t.status} = 'open' and ${t.postId} is null and ${t.entryId} is null and ${t.commentId} is null`),
    uniqueIndex('flags_open_entry_idx').on(t.flaggerId, t.entryId).where(sql`${t.status} = 'open' and ${t.entryId} is not null`),
    uniqueIndex('flags_open_comment_idx').on(t.flaggerId, t.commentId).where(sql`${t.status} = 'open' and ${t.commentId} is not null`),
    index('flags_item_idx').on(t.itemId),
    index('flags_flagger_idx').on(t.flaggerId),
  ],
);

export const sanctions = pgTable(
  'sanctions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    kind: sanctionKind('kind').notNull(),
    reason: text('reason').notNull(),
    /** End of a silence or suspension; null for a warning or an indefinite sanction. */
    until: timestamp('until', { withTimezone: true }),
    moderatorId: text('moderator_id')
      .notNull()
      .references(() => users.id),
    itemId: bigint('item_id', { mode: 'number' }).references(() => reviewItems.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('sanctions_user_idx').on(t.userId, t.createdAt.desc().nullsFirst())],
);

/**
 * Every moderator and automatic action, written in the same transaction as the action.
 * `spaceId` decides who may read a line: a confidential space's lines only its own moderators.
 */
export const moderationLog = pgTable(
  'moderation_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** Null for an automatic action (auto-hide). */
    actorId: text('actor_id').references(() => users.id),
    action: text('action').notNull(),
    postId: bigint('post_id', { mode: 'number' }).references(() => posts.id),
    entryId: bigint('entry_id', { mode: 'number' }).references(() => blogEntries.id),
    commentId: bigint('comment_id', { mode: 'number' }).references(() => blogComments.id),
    subjectId: text('subject_id').references(() => users.id),
    spaceId: bigint('space_id', { mode: 'number' }).references(() => spaces.id),
    itemId: bigint('item_id', { mode: 'number' }).references(() => reviewItems.id),
    reason: text('reason').notNull().default(''),
    detail: jsonb('detail').$type<Record<string, string | number | boolean | null>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('moderation_log_created_idx').on(t.id.desc().nullsFirst()),
    index('moderation_log_space_idx').on(t.spaceId, t.id.desc().nullsFirst()),
  ],
);

/** Site settings an admin changes from a page; typed and defaulted in server/moderation/settings.ts. */
export const siteSettings = pgTable('site_settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedById: text('updated_by_id').references(() => users.id),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
