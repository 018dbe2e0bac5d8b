import { and, asc, desc, eq, inArray, isNull, ne, sql, type Placeholder, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../../db/client.ts';
import { limitLiteral } from '../../db/integer-literal.ts';
import { onAnyExecutor, oncePerDatabase } from '../../db/named-statement.ts';
import { blogCommentRevisions, blogComments, blogEntries, blogEntryRevisions, blogEntrySlugs, blogEntryTags, spaces, users } from '../../db/schema/index.ts';
import { blogCommentVisible, blogEntryLive, blogEntryVisible, moderatesSpace, perPolicyKey, policyKey, type PolicyViewer, type Viewer, viewerParameters } from '../policy/index.ts';
import type { Tag } from './rules.ts';

export type EntryRow = typeof blogEntries.$inferSelect;
export type CommentRow = typeof blogComments.$inferSelect;

const author = alias(users, 'entry_author');
const entrySpace = alias(spaces, 'entry_space');

const entryColumns = {
  entry: blogEntries,
  author: { id: author.id, handle: author.handle, displayName: author.displayName },
  space: { id: entrySpace.id, name: entrySpace.name, slug: entrySpace.slug, level: entrySpace.level },
  live: sql<boolean>`${blogEntryLive()}`,
};

export type EntryWithAuthor = Awaited<ReturnType<typeof findVisibleEntry>> & object;

/** One entry the viewer may read (drafts only for their author), with its author and space. */
export async function findVisibleEntry(db: Executor, viewer: Viewer, id: number) {
  const [row] = await db
    .select(entryColumns)
    .from(blogEntries)
    .innerJoin(author, eq(author.id, blogEntries.authorId))
    .leftJoin(entrySpace, eq(entrySpace.id, blogEntries.spaceId))
    .where(and(eq(blogEntries.id, id), blogEntryVisible(viewer)))
    .limit(1);
  return row;
}

/**
 * An entry page's three reads (the entry by its address, its tags, its comments), built once per
 * database handle and policy key: built per call, drizzle writing the policy's SQL was a fifth of
 * a signed-in entry page's server CPU (2026-11-27).
 */
const entryPageReads = oncePerDatabase((db) =>
  perPolicyKey((viewer, key) => ({
    bySlug: onAnyExecutor(
      db
        .select(entryColumns)
        .from(blogEntries)
        .innerJoin(author, eq(author.id, blogEntries.authorId))
        .leftJoin(entrySpace, eq(entrySpace.id, blogEntries.spaceId))
        .where(and(eq(blogEntries.authorId, sql.placeholder('authorId')), eq(blogEntries.slug, sql.placeholder('slug')), blogEntryVisible(viewer)))
        .limit(1)
        .prepare(`${key}_entry_by_slug`),
    ),
    tags: onAnyExecutor(tagsOfEntriesQuery(db, viewer, eq(blogEntryTags.entryId, sql.placeholder('entryId'))).prepare(`${key}_entry_tags`)),
    comments: onAnyExecutor(commentsQuery(db, viewer, sql.placeholder('entryId')).prepare(`${key}_entry_comments`)),
  })),
);

/** The entry a member's blog address names, by its current slug. */
export async function findVisibleEntryBySlug(db: Executor, viewer: Viewer, authorId: string, slug: string) {
  const [row] = await entryPageReads(db)[policyKey(viewer)].bySlug(db, { authorId, slug, ...viewerParameters(viewer) });
  return row;
}

/** The current slug of the entry that once had `slug`, when the viewer may read it (old links redirect). */
export async function findVisibleEntryByOldSlug(db: Executor, viewer: Viewer, authorId: string, slug: string) {
  const [row] = await db
    .select({ id: blogEntries.id, slug: blogEntries.slug })
    .from(blogEntrySlugs)
    .innerJoin(blogEntries, eq(blogEntries.id, blogEntrySlugs.entryId))
    .where(and(eq(blogEntrySlugs.authorId, authorId), eq(blogEntrySlugs.slug, slug), blogEntryVisible(viewer)))
    .limit(1);
  return row;
}

export interface EntryListFilter {
  authorId?: string;
  tag?: string;
  /** Keyset: entries listed after this one (by id; the database compares its own timestamps, no precision lost). */
  before?: number;
  limit: number;
}

/** Published entries the viewer may read, newest first, with visible comment counts. */
export async function listVisibleEntries(db: Executor, viewer: Viewer, filter: EntryListFilter) {
  const conditions: (SQL | undefined)[] = [blogEntryVisible(viewer), blogEntryLive()];
  if (filter.authorId) conditions.push(eq(blogEntries.authorId, filter.authorId));
  if (filter.tag) conditions.push(sql`exists (select 1 from ${blogEntryTags} where ${blogEntryTags.entryId} = ${blogEntries.id} and ${blogEntryTags.tag} = ${filter.tag})`);
  if (filter.before !== undefined) {
    conditions.push(sql`(${blogEntries.publishedAt}, ${blogEntries.id}) < (select cursor_entry.published_at, cursor_entry.id from ${blogEntries} as cursor_entry where cursor_entry.id = ${filter.before})`);
  }
  return db
    .select({
      ...entryColumns,
      commentCount: sql<number>`(select count(*)::int from ${blogComments} where ${blogComments.entryId} = ${blogEntries.id} and ${blogCommentVisible(viewer)})`,
    })
    .from(blogEntries)
    .innerJoin(author, eq(author.id, blogEntries.authorId))
    .leftJoin(entrySpace, eq(entrySpace.id, blogEntries.spaceId))
    .where(and(...conditions))
    .orderBy(desc(blogEntries.publishedAt), desc(blogEntries.id))
    .limit(filter.limit);
}

export type EntryListRow = Awaited<ReturnType<typeof listVisibleEntries>>[number];

/** How many entry titles a member's profile lists. */
export const PROFILE_ENTRIES = 5;

/**
 * The titles of a member's newest published entries the viewer may read, for their profile: only
 * what the list prints (the blog's own list reads whole entries, their tags and comment counts).
 * Built once per database handle and policy key, as every signed-in profile page runs it.
 */
const entryTitlesByAuthor = oncePerDatabase((db) =>
  perPolicyKey((viewer, key) =>
    onAnyExecutor(
      db
        .select({ id: blogEntries.id, title: blogEntries.title, slug: blogEntries.slug, publishedAt: blogEntries.publishedAt })
        .from(blogEntries)
        .where(and(eq(blogEntries.authorId, sql.placeholder('authorId')), blogEntryVisible(viewer), blogEntryLive()))
        .orderBy(desc(blogEntries.publishedAt), desc(blogEntries.id))
        .limit(limitLiteral(PROFILE_ENTRIES))
        .prepare(`${key}_entry_titles_by_author`),
    ),
  ),
);

export async function listEntryTitlesByAuthor(db: Executor, viewer: Viewer, authorId: string) {
  return entryTitlesByAuthor(db)[policyKey(viewer)](db, { authorId, ...viewerParameters(viewer) });
}

/** The viewer's own entries in every state (their writing desk), newest change first. */
export async function listOwnEntries(db: Executor, viewer: Viewer & { id: string }, limit: number) {
  return db
    .select({
      id: blogEntries.id,
      title: blogEntries.title,
      slug: blogEntries.slug,
      status: blogEntries.status,
      publishAt: blogEntries.publishAt,
      moderationStatus: blogEntries.moderationStatus,
      visibility: blogEntries.visibility,
      updatedAt: blogEntries.updatedAt,
      live: sql<boolean>`${blogEntryLive()}`,
    })
    .from(blogEntries)
    .where(and(eq(blogEntries.authorId, viewer.id), blogEntryVisible(viewer)))
    .orderBy(desc(blogEntries.updatedAt), desc(blogEntries.id))
    .limit(limit);
}

/** `ofEntries`: which entries' tags, as a condition on the tag's entry id. Each with its writer's spelling, in the order of the slugs. */
function tagsOfEntriesQuery(db: Executor, viewer: PolicyViewer, ofEntries: SQL) {
  return db
    .select({ entryId: blogEntryTags.entryId, slug: blogEntryTags.tag, label: blogEntryTags.label })
    .from(blogEntryTags)
    .innerJoin(blogEntries, eq(blogEntries.id, blogEntryTags.entryId))
    .where(and(ofEntries, blogEntryVisible(viewer)))
    .orderBy(asc(blogEntryTags.tag));
}

/** Tags of the entries the viewer may read, for lists. */
export async function listTagsOfEntries(db: Executor, viewer: Viewer, entryIds: number[]) {
  if (entryIds.length === 0) return [];
  if (entryIds.length === 1) return entryPageReads(db)[policyKey(viewer)].tags(db, { entryId: entryIds[0], ...viewerParameters(viewer) });
  return tagsOfEntriesQuery(db, viewer, inArray(blogEntryTags.entryId, entryIds));
}

/**
 * How a tag's page spells the tag: its label on the newest entry with it that the viewer may read
 * in the lists (the first one the page shows), or undefined when there is none. Read through the
 * entry's visibility like every tag: a draft's or another space's spelling is not the page's.
 */
export async function findTagLabel(db: Executor, viewer: Viewer, tag: string): Promise<string | undefined> {
  const [row] = await db
    .select({ label: blogEntryTags.label })
    .from(blogEntryTags)
    .innerJoin(blogEntries, eq(blogEntries.id, blogEntryTags.entryId))
    .where(and(eq(blogEntryTags.tag, tag), blogEntryVisible(viewer), blogEntryLive()))
    .orderBy(desc(blogEntries.publishedAt), desc(blogEntries.id))
    .limit(1);
  return row?.label;
}

export async function listEntryRevisions(db: Executor, viewer: Viewer, entryId: number) {
  return db
    .select({ revision: blogEntryRevisions.revision, title: blogEntryRevisions.title, bodySource: blogEntryRevisions.bodySource, createdAt: blogEntryRevisions.createdAt })
    .from(blogEntryRevisions)
    .innerJoin(blogEntries, eq(blogEntries.id, blogEntryRevisions.entryId))
    .where(and(eq(blogEntryRevisions.entryId, entryId), blogEntryVisible(viewer)))
    .orderBy(desc(blogEntryRevisions.revision));
}

const commentAuthor = alias(users, 'comment_author');

function commentsQuery(db: Executor, viewer: PolicyViewer, entryId: number | Placeholder) {
  return db
    .select({
      id: blogComments.id,
      entryId: blogComments.entryId,
      parentId: blogComments.parentId,
      authorId: blogComments.authorId,
      bodySource: blogComments.bodySource,
      bodyHtml: blogComments.bodyHtml,
      status: blogComments.status,
      moderationNote: blogComments.moderationNote,
      revision: blogComments.revision,
      editedAt: blogComments.editedAt,
      createdAt: blogComments.createdAt,
      author: { handle: commentAuthor.handle, displayName: commentAuthor.displayName },
    })
    .from(blogComments)
    .innerJoin(commentAuthor, eq(commentAuthor.id, blogComments.authorId))
    .where(and(eq(blogComments.entryId, entryId), blogCommentVisible(viewer)))
    .orderBy(asc(blogComments.id));
}

/** An entry's comments the viewer may read, oldest first. */
export async function listVisibleComments(db: Executor, viewer: Viewer, entryId: number) {
  return entryPageReads(db)[policyKey(viewer)].comments(db, { entryId, ...viewerParameters(viewer) });
}

export type CommentListRow = Awaited<ReturnType<typeof listVisibleComments>>[number];

export async function findVisibleComment(db: Executor, viewer: Viewer, id: number) {
  const [row] = await db.select().from(blogComments).where(and(eq(blogComments.id, id), blogCommentVisible(viewer))).limit(1);
  return row;
}

const revisionEditor = alias(users, 'revision_editor');

/** A comment's earlier versions, newest first, when the viewer may read the comment (its moderators, for a flagged one). */
export async function listCommentRevisions(db: Executor, viewer: Viewer, commentId: number) {
  return db
    .select({
      revision: blogCommentRevisions.revision,
      bodySource: blogCommentRevisions.bodySource,
      bodyHtml: blogCommentRevisions.bodyHtml,
      createdAt: blogCommentRevisions.createdAt,
      editorHandle: revisionEditor.handle,
    })
    .from(blogCommentRevisions)
    .innerJoin(blogComments, eq(blogComments.id, blogCommentRevisions.commentId))
    .innerJoin(revisionEditor, eq(revisionEditor.id, blogCommentRevisions.editorId))
    .where(and(eq(blogCommentRevisions.commentId, commentId), blogCommentVisible(viewer)))
    .orderBy(desc(blogCommentRevisions.revision));
}

/** An entry as moderation needs it: where it lives and whether the viewer moderates it. */
export async function findEntryForModeration(db: Executor, viewer: Viewer, id: number) {
  const [row] = await db
    .select({
      id: blogEntries.id,
      authorId: blogEntries.authorId,
      title: blogEntries.title,
      slug: blogEntries.slug,
      bodyHtml: blogEntries.bodyHtml,
      authorHandle: author.handle,
      moderationStatus: blogEntries.moderationStatus,
      revision: blogEntries.revision,
      visibility: blogEntries.visibility,
      spaceId: blogEntries.spaceId,
      live: sql<boolean>`${blogEntryLive()}`,
      moderates: sql<boolean>`(case when ${blogEntries.visibility} = 'space' then ${moderatesSpace(viewer, blogEntries.spaceId)} else ${viewer.kind === 'member' && viewer.role !== 'member'} end)`,
    })
    .from(blogEntries)
    .innerJoin(author, eq(author.id, blogEntries.authorId))
    .where(and(eq(blogEntries.id, id), blogEntryVisible(viewer)))
    .limit(1);
  return row;
}

export async function findCommentForModeration(db: Executor, viewer: Viewer, id: number) {
  const [row] = await db
    .select({
      id: blogComments.id,
      entryId: blogComments.entryId,
      authorId: blogComments.authorId,
      status: blogComments.status,
      bodyHtml: blogComments.bodyHtml,
      editedAt: blogComments.editedAt,
      entryTitle: blogEntries.title,
      entrySlug: blogEntries.slug,
      entryAuthorHandle: author.handle,
      spaceId: blogEntries.spaceId,
      visibility: blogEntries.visibility,
      moderates: sql<boolean>`(case when ${blogEntries.visibility} = 'space' then ${moderatesSpace(viewer, blogEntries.spaceId)} else ${viewer.kind === 'member' && viewer.role !== 'member'} end)`,
    })
    .from(blogComments)
    .innerJoin(blogEntries, eq(blogEntries.id, blogComments.entryId))
    .innerJoin(author, eq(author.id, blogEntries.authorId))
    .where(and(eq(blogComments.id, id), blogCommentVisible(viewer)))
    .limit(1);
  return row;
}

// Writes. Callers have read their target through a visibility predicate first.

/** Whether the author already uses `slug` (now or before) for an entry other than `exceptId`. */
export async function entrySlugTaken(db: Executor, authorId: string, slug: string, exceptId: number | null): Promise<boolean> {
  const [current] = await db
    .select({ id: blogEntries.id })
    .from(blogEntries)
    .where(and(eq(blogEntries.authorId, authorId), eq(blogEntries.slug, slug), exceptId === null ? undefined : ne(blogEntries.id, exceptId)))
    .limit(1);
  if (current) return true;
  const [old] = await db
    .select({ id: blogEntrySlugs.entryId })
    .from(blogEntrySlugs)
    .where(and(eq(blogEntrySlugs.authorId, authorId), eq(blogEntrySlugs.slug, slug), exceptId === null ? undefined : ne(blogEntrySlugs.entryId, exceptId)))
    .limit(1);
  return old !== undefined;
}

/** The author's own entry made from an editor page with this key: id and revision only. */
export async function findOwnEntryByKey(db: Executor, authorId: string, key: string): Promise<{ id: number; revision: number } | undefined> {
  const [row] = await db
    .select({ id: blogEntries.id, revision: blogEntries.revision })
    .from(blogEntries)
    .where(and(eq(blogEntries.authorId, authorId), eq(blogEntries.idempotencyKey, key)));
  return row;
}

export async function insertEntry(db: Executor, values: typeof blogEntries.$inferInsert): Promise<EntryRow> {
  const [row] = await db.insert(blogEntries).values(values).returning();
  if (!row) throw new Error('insert returned no row');
  return row;
}

/** Compare-and-set on the revision: a save based on an older revision updates nothing. */
export async function updateEntry(db: Executor, id: number, baseRevision: number, values: Partial<typeof blogEntries.$inferInsert>): Promise<EntryRow | undefined> {
  const [row] = await db
    .update(blogEntries)
    .set({ ...values, revision: baseRevision + 1, updatedAt: new Date() })
    .where(and(eq(blogEntries.id, id), eq(blogEntries.revision, baseRevision), isNull(blogEntries.deletedAt)))
    .returning();
  return row;
}

export async function insertEntryRevision(db: Executor, values: typeof blogEntryRevisions.$inferInsert): Promise<void> {
  await db.insert(blogEntryRevisions).values(values).onConflictDoNothing();
}

export async function replaceTags(db: Executor, entryId: number, tags: readonly Tag[]): Promise<void> {
  await db.delete(blogEntryTags).where(eq(blogEntryTags.entryId, entryId));
  if (tags.length > 0) await db.insert(blogEntryTags).values(tags.map((t) => ({ entryId, tag: t.slug, label: t.label })));
}

/** Keeps an old slug pointing at its entry, and forgets the entry's new slug as an old one. */
export async function recordSlugChange(db: Executor, authorId: string, entryId: number, oldSlug: string, newSlug: string): Promise<void> {
  await db.delete(blogEntrySlugs).where(and(eq(blogEntrySlugs.authorId, authorId), eq(blogEntrySlugs.slug, newSlug), eq(blogEntrySlugs.entryId, entryId)));
  await db.insert(blogEntrySlugs).values({ authorId, slug: oldSlug, entryId }).onConflictDoNothing();
}

export async function softDeleteEntry(db: Executor, id: number): Promise<void> {
  await db.update(blogEntries).set({ deletedAt: new Date() }).where(eq(blogEntries.id, id));
}

/** Scheduled entries whose time has come become published (they already read as published). */
export async function publishDueEntries(db: Executor): Promise<{ id: number; authorId: string }[]> {
  return db
    .update(blogEntries)
    .set({ status: 'published', publishedAt: sql`coalesce(${blogEntries.publishedAt}, ${blogEntries.publishAt})` })
    .where(and(eq(blogEntries.status, 'scheduled'), sql`${blogEntries.publishAt} <= now()`))
    .returning({ id: blogEntries.id, authorId: blogEntries.authorId });
}

export async function setEntryModeration(db: Executor, id: number, status: 'published' | 'held' | 'hidden', note: string): Promise<void> {
  await db.update(blogEntries).set({ moderationStatus: status, moderationNote: note }).where(eq(blogEntries.id, id));
}

export async function insertComment(db: Executor, values: typeof blogComments.$inferInsert): Promise<CommentRow> {
  const [row] = await db.insert(blogComments).values(values).returning();
  if (!row) throw new Error('insert returned no row');
  return row;
}

/** The version an edit replaces; a second edit from the same revision collides on (comment_id, revision). */
export async function insertCommentRevision(db: Executor, values: typeof blogCommentRevisions.$inferInsert): Promise<void> {
  await db.insert(blogCommentRevisions).values(values);
}

/**
 * Compare-and-set on the revision: an edit based on an older revision (or of a comment removed
 * meanwhile) updates nothing. The moderation status is left as it is: a held or hidden comment stays so.
 */
export async function updateCommentBody(
  db: Executor,
  id: number,
  baseRevision: number,
  values: { bodySource: string; bodyHtml: string; renderVersion: number },
): Promise<{ revision: number; editedAt: Date | null } | undefined> {
  const [row] = await db
    .update(blogComments)
    .set({ ...values, revision: baseRevision + 1, editedAt: new Date() })
    .where(and(eq(blogComments.id, id), eq(blogComments.revision, baseRevision), isNull(blogComments.deletedAt)))
    .returning({ revision: blogComments.revision, editedAt: blogComments.editedAt });
  return row;
}

export async function softDeleteComment(db: Executor, id: number): Promise<void> {
  await db.update(blogComments).set({ deletedAt: new Date() }).where(eq(blogComments.id, id));
}

export async function setCommentModeration(db: Executor, id: number, status: 'published' | 'held' | 'hidden', note: string): Promise<void> {
  await db.update(blogComments).set({ status, moderationNote: note }).where(eq(blogComments.id, id));
}

/**
 * Whether a blog entry or comment row exists at all (deleted or not), for closing a review item
 * about one its author has since deleted. Answers yes or no, never content.
 */
export async function blogTargetExists(db: Executor, target: { entryId: number } | { commentId: number }): Promise<boolean> {
  const [row] =
    'entryId' in target
      ? await db.select({ id: blogEntries.id }).from(blogEntries).where(eq(blogEntries.id, target.entryId)).limit(1)
      : await db.select({ id: blogComments.id }).from(blogComments).where(eq(blogComments.id, target.commentId)).limit(1);
  return row !== undefined;
}
