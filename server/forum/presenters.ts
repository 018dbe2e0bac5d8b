import { Type } from '@fastify/type-provider-typebox';
import type { PostListRow, ThreadListRow } from './queries.ts';

export const REMOVED_BY_AUTHOR = 'Post removed by author.';

export const AuthorOut = Type.Object({ handle: Type.String(), displayName: Type.String() });

export const ThreadSummaryOut = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  url: Type.String(),
  pinned: Type.Boolean(),
  locked: Type.Boolean(),
  replyCount: Type.Integer(),
  createdAt: Type.String(),
  lastPostAt: Type.String(),
  author: AuthorOut,
  lastPoster: Type.Union([AuthorOut, Type.Null()]),
});

export const PostOut = Type.Object({
  id: Type.Integer(),
  number: Type.Integer(),
  url: Type.String(),
  author: AuthorOut,
  /** Null once the author removed the post; the number stays so replies still make sense. */
  body: Type.Union([Type.String(), Type.Null()]),
  bodyHtml: Type.Union([Type.String(), Type.Null()]),
  removed: Type.Boolean(),
  /** Who removed it, when removed: the author or a moderator. */
  removedBy: Type.Union([Type.Literal('author'), Type.Literal('moderator'), Type.Null()]),
  /** `held` and `hidden` posts reach only their author and the place's moderators. */
  status: Type.Union([Type.Literal('published'), Type.Literal('held'), Type.Literal('hidden')]),
  /** What moderation says to the author about a held or hidden post, in plain words. */
  moderationNote: Type.String(),
  revision: Type.Integer(),
  edited: Type.Boolean(),
  createdAt: Type.String(),
  editedAt: Type.Union([Type.String(), Type.Null()]),
  replyTo: Type.Union([Type.Object({ id: Type.Integer(), number: Type.Integer(), handle: Type.String() }), Type.Null()]),
});

export function threadUrl(id: number, slug: string): string {
  return `/t/${id}/${slug}`;
}

export function presentThreadSummary(t: ThreadListRow) {
  return {
    id: t.id,
    title: t.title,
    url: threadUrl(t.id, t.slug),
    pinned: t.pinned,
    locked: t.locked,
    replyCount: Math.max(0, t.postCount - 1),
    createdAt: t.createdAt.toISOString(),
    lastPostAt: t.lastPostAt.toISOString(),
    author: { handle: t.authorHandle, displayName: t.authorName },
    lastPoster: t.lastAuthorHandle && t.lastAuthorName ? { handle: t.lastAuthorHandle, displayName: t.lastAuthorName } : null,
  };
}

export function presentPost(p: PostListRow, threadSlug: string) {
  const removed = p.deletedAt !== null;
  return {
    id: p.id,
    number: p.number,
    url: `${threadUrl(p.threadId, threadSlug)}#p${p.number}`,
    author: { handle: p.author.handle, displayName: p.author.displayName },
    body: removed ? null : p.bodySource,
    bodyHtml: removed ? null : p.bodyHtml,
    removed,
    removedBy: removed ? (p.removedByModerator ? ('moderator' as const) : ('author' as const)) : null,
    status: p.status,
    moderationNote: p.moderationNote,
    revision: p.revision,
    edited: p.editedAt !== null,
    createdAt: p.createdAt.toISOString(),
    editedAt: p.editedAt?.toISOString() ?? null,
    replyTo: p.replyToPostId && p.replyToNumber && p.replyToHandle ? { id: p.replyToPostId, number: p.replyToNumber, handle: p.replyToHandle } : null,
  };
}
