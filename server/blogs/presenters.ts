import { Type } from '@fastify/type-provider-typebox';
import { AuthorOut } from '../forum/presenters.ts';
import type { CommentListRow, EntryRow } from './queries.ts';
import { readingMinutes, type Tag } from './rules.ts';

export const EntryStatus = Type.Union([Type.Literal('draft'), Type.Literal('scheduled'), Type.Literal('published')]);
export const VisibilityOut = Type.Union([Type.Literal('public'), Type.Literal('members'), Type.Literal('space')]);
export const ModerationStatusOut = Type.Union([Type.Literal('published'), Type.Literal('held'), Type.Literal('hidden')]);

const TagsOut = Type.Array(Type.String(), { description: 'The entry’s tags as lower-case slugs (what ?tag= takes).' });
/** Beside `tags` rather than in place of it: clients that read the slugs keep working. */
const TagLabelsOut = Type.Array(Type.String(), { description: 'The same tags as their writer spelled them (e.g. "ECMO"), in the order of tags.' });

export const EntrySummaryOut = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  url: Type.String(),
  summary: Type.String(),
  author: AuthorOut,
  publishedAt: Type.Union([Type.String(), Type.Null()]),
  readingMinutes: Type.Integer(),
  tags: TagsOut,
  tagLabels: TagLabelsOut,
  commentCount: Type.Integer(),
  visibility: VisibilityOut,
});

export const EntryOut = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  slug: Type.String(),
  url: Type.String(),
  summary: Type.String(),
  author: AuthorOut,
  body: Type.String(),
  bodyHtml: Type.String(),
  /** `scheduled` entries whose time has come read as `published`. */
  status: EntryStatus,
  publishAt: Type.Union([Type.String(), Type.Null()]),
  publishedAt: Type.Union([Type.String(), Type.Null()]),
  visibility: VisibilityOut,
  spaceId: Type.Union([Type.Integer(), Type.Null()]),
  commentsOpen: Type.Boolean(),
  revision: Type.Integer(),
  moderationStatus: ModerationStatusOut,
  moderationNote: Type.String(),
  readingMinutes: Type.Integer(),
  tags: TagsOut,
  tagLabels: TagLabelsOut,
});

export const CommentOut = Type.Object({
  id: Type.Integer(),
  parentId: Type.Union([Type.Integer(), Type.Null()]),
  author: AuthorOut,
  body: Type.String(),
  bodyHtml: Type.String(),
  status: ModerationStatusOut,
  moderationNote: Type.String(),
  /** What an edit sends back as `baseRevision`. */
  revision: Type.Integer(),
  /** When its writer last changed it; null when never. */
  editedAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});

/** What an edit of a comment answers: where the comment is read, and its revision now. */
export const CommentRefOut = Type.Object({
  id: Type.Integer(),
  entryId: Type.Integer(),
  url: Type.String(),
  revision: Type.Integer(),
  editedAt: Type.Union([Type.String(), Type.Null()]),
});

export const EntryRefOut = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  revision: Type.Integer(),
  status: EntryStatus,
  held: Type.Union([Type.String(), Type.Null()]),
});

export function entryUrl(handle: string, slug: string): string {
  return `/u/${encodeURIComponent(handle)}/blog/${encodeURIComponent(slug)}`;
}

export function blogUrl(handle: string): string {
  return `/u/${encodeURIComponent(handle)}/blog`;
}

export function tagUrl(tag: string): string {
  return `/blog/tags/${encodeURIComponent(tag)}`;
}

type Author = { handle: string; displayName: string };

function presentTags(tags: readonly Tag[]) {
  return { tags: tags.map((t) => t.slug), tagLabels: tags.map((t) => t.label) };
}

export function presentEntrySummary(row: { entry: EntryRow; author: Author; tags: readonly Tag[]; commentCount: number }) {
  const { entry } = row;
  return {
    id: entry.id,
    title: entry.title,
    url: entryUrl(row.author.handle, entry.slug),
    summary: entry.summary,
    author: { handle: row.author.handle, displayName: row.author.displayName },
    publishedAt: entry.publishedAt?.toISOString() ?? null,
    readingMinutes: readingMinutes(entry.bodySource),
    ...presentTags(row.tags),
    commentCount: row.commentCount,
    visibility: entry.visibility,
  };
}

export function presentEntry(row: { entry: EntryRow; author: Author; tags: readonly Tag[]; live: boolean }) {
  const { entry } = row;
  return {
    id: entry.id,
    title: entry.title,
    slug: entry.slug,
    url: entryUrl(row.author.handle, entry.slug),
    summary: entry.summary,
    author: { handle: row.author.handle, displayName: row.author.displayName },
    body: entry.bodySource,
    bodyHtml: entry.bodyHtml,
    status: row.live ? ('published' as const) : entry.status,
    publishAt: entry.publishAt?.toISOString() ?? null,
    publishedAt: row.live ? (entry.publishedAt?.toISOString() ?? null) : null,
    visibility: entry.visibility,
    spaceId: entry.spaceId,
    commentsOpen: entry.commentsOpen,
    revision: entry.revision,
    moderationStatus: entry.moderationStatus,
    moderationNote: entry.moderationNote,
    readingMinutes: readingMinutes(entry.bodySource),
    ...presentTags(row.tags),
  };
}

export function presentComment(c: CommentListRow) {
  return {
    id: c.id,
    parentId: c.parentId,
    author: { handle: c.author.handle, displayName: c.author.displayName },
    body: c.bodySource,
    bodyHtml: c.bodyHtml,
    status: c.status,
    moderationNote: c.moderationNote,
    revision: c.revision,
    editedAt: c.editedAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
  };
}

export function presentCommentRef(ref: { id: number; entryId: number; revision: number; editedAt: Date | null }, entry: { handle: string; slug: string }) {
  return { id: ref.id, entryId: ref.entryId, url: `${entryUrl(entry.handle, entry.slug)}#c${ref.id}`, revision: ref.revision, editedAt: ref.editedAt?.toISOString() ?? null };
}

export function presentRef(ref: { id: number; handle: string; slug: string; revision: number; status: 'draft' | 'scheduled' | 'published'; held?: string }) {
  return { id: ref.id, url: entryUrl(ref.handle, ref.slug), revision: ref.revision, status: ref.status, held: ref.held ?? null };
}
