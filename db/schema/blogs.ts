import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from './accounts.ts';
import { contentStatus } from './forum.ts';
import { spaces } from './spaces.ts';

/**
 * Where an entry stands for its author. `scheduled` with `publish_at` in the past counts as
 * published everywhere (policy/visibility.ts reads it that way), so a missed sweep never keeps an
 * entry back; the start-up sweep only tidies the status.
 */
export const blogEntryStatus = pgEnum('blog_entry_status', ['draft', 'scheduled', 'published']);
/** Who may read a published entry: anyone, signed-in members, or exactly the readers of one space. */
export const blogVisibility = pgEnum('blog_visibility', ['public', 'members', 'space']);

export const blogEntries = pgTable(
  'blog_entries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    authorId: text('author_id')
      .notNull()
      .references(() => users.id),
    title: text('title').notNull(),
    /** Unique per author (with the slugs it had before: see blog_entry_slugs). */
    slug: text('slug').notNull(),
    summary: text('summary').notNull().default(''),
    bodySource: text('body_source').notNull(),
    bodyHtml: text('body_html').notNull(),
    renderVersion: integer('render_version').notNull(),
    status: blogEntryStatus('status').notNull().default('draft'),
    publishAt: timestamp('publish_at', { withTimezone: true }),
    /** Set when published, or to publish_at when scheduled: lists order by it. */
    publishedAt: timestamp('published_at', { withTimezone: true }),
    visibility: blogVisibility('visibility').notNull().default('public'),
    /** The space whose readers may read a `space` entry; null otherwise. */
    spaceId: bigint('space_id', { mode: 'number' }).references(() => spaces.id),
    commentsOpen: boolean('comments_open').notNull().default(true),
    /** Bumped on every save; a save names the revision it started from, so a stale save is refused. */
    revision: integer('revision').notNull().default(1),
    /** The editor page's key for a new entry: its first autosave and its Save button make one entry, not two. */
    idempotencyKey: text('idempotency_key'),
    moderationStatus: contentStatus('moderation_status').notNull().default('published'),
    moderationNote: text('moderation_note').notNull().default(''),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('blog_entries_author_slug_idx').on(t.authorId, t.slug),
    uniqueIndex('blog_entries_author_idempotency_idx').on(t.authorId, t.idempotencyKey),
    // A member's blog, newest first; the community's latest entries.
    index('blog_entries_author_published_idx').on(t.authorId, t.publishedAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('blog_entries_published_idx').on(t.publishedAt.desc().nullsFirst(), t.id.desc().nullsFirst()).where(sql`${t.status} <> 'draft' and ${t.deletedAt} is null`),
    // The start-up sweep looks only at scheduled entries.
    index('blog_entries_scheduled_idx').on(t.publishAt).where(sql`${t.status} = 'scheduled'`),
    // A search within a space finds its entries (and their comments) from here, not from every match of the words.
    index('blog_entries_space_idx').on(t.spaceId).where(sql`${t.spaceId} is not null`),
  ],
);

/** Slugs an entry had before: old links keep redirecting to the entry. */
export const blogEntrySlugs = pgTable(
  'blog_entry_slugs',
  {
    authorId: text('author_id')
      .notNull()
      .references(() => users.id),
    slug: text('slug').notNull(),
    entryId: bigint('entry_id', { mode: 'number' })
      .notNull()
      .references(() => blogEntries.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.authorId, t.slug] }), index('blog_entry_slugs_entry_idx').on(t.entryId)],
);

export const blogEntryTags = pgTable(
  'blog_entry_tags',
  {
    entryId: bigint('entry_id', { mode: 'number' })
      .notNull()
      .references(() => blogEntries.id, { onDelete: 'cascade' }),
    /** The tag's address and identity: a lower-case slug (`/blog/tags/ecmo`), so "ECMO" and "ecmo" are one tag. */
    tag: text('tag').notNull(),
    /** How this entry's writer spelled it ("ECMO", "NHS England"): what readers see. */
    label: text('label').notNull(),
  },
  (t) => [primaryKey({ columns: [t.entryId, t.tag] }), index('blog_entry_tags_tag_idx').on(t.tag, t.entryId)],
);

/** Every earlier version of an entry's title and body. */
export const blogEntryRevisions = pgTable(
  'blog_entry_revisions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    entryId: bigint('entry_id', { mode: 'number' })
      .notNull()
      .references(() => blogEntries.id),
    revision: integer('revision').notNull(),
    title: text('title').notNull(),
    bodySource: text('body_source').notNull(),
    bodyHtml: text('body_html').notNull(),
    editorId: text('editor_id')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('blog_entry_revisions_entry_revision_idx').on(t.entryId, t.revision)],
);

export const blogComments = pgTable(
  'blog_comments',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    entryId: bigint('entry_id', { mode: 'number' })
      .notNull()
      .references(() => blogEntries.id),
    authorId: text('author_id')
      .notNull()
      .references(() => users.id),
    /** One level of threading: a reply names a top-level comment. */
    parentId: bigint('parent_id', { mode: 'number' }),
    bodySource: text('body_source').notNull(),
    bodyHtml: text('body_html').notNull(),
    renderVersion: integer('render_version').notNull(),
    status: contentStatus('status').notNull().default('published'),
    moderationNote: text('moderation_note').notNull().default(''),
    /** Bumped on every edit by its writer; an edit names the revision it started from, so a stale save is refused. */
    revision: integer('revision').notNull().default(1),
    /** When its writer last changed the text (null: never); readers see "edited". */
    editedAt: timestamp('edited_at', { withTimezone: true }),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('blog_comments_entry_idx').on(t.entryId, t.id), index('blog_comments_author_idx').on(t.authorId, t.createdAt.desc().nullsFirst())],
);

/**
 * Every earlier version of a comment, as `post_revisions` keeps posts': a moderator looking at a
 * flagged comment still sees what it said when it was flagged. Read only through the comment's
 * own visibility (`blogCommentVisible`).
 */
export const blogCommentRevisions = pgTable(
  'blog_comment_revisions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    commentId: bigint('comment_id', { mode: 'number' })
      .notNull()
      .references(() => blogComments.id),
    revision: integer('revision').notNull(),
    bodySource: text('body_source').notNull(),
    bodyHtml: text('body_html').notNull(),
    editorId: text('editor_id')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('blog_comment_revisions_comment_revision_idx').on(t.commentId, t.revision)],
);
