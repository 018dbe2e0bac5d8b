import { Type } from '@fastify/type-provider-typebox';
import { plainExcerptOfHtml } from '../content/render-markdown.ts';
import { threadUrl } from '../forum/presenters.ts';
import type { QueueRow } from './queries.ts';
import type { ModerationService } from './service.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const NullableInt = Type.Union([Type.Integer(), Type.Null()]);

/** A queue line's excerpt: the text a reader sees (not the Markdown), from the start of the stored rendering. */
export function excerpt(html: string | null, length = 280): string {
  return html ? plainExcerptOfHtml(html, length) : '';
}

export const QueueItemOut = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  status: Type.String(),
  score: Type.Number(),
  flagCount: Type.Integer(),
  reasons: Type.Record(Type.String(), Type.Integer()),
  autoHidden: Type.Boolean(),
  createdAt: Type.String(),
  decision: Nullable(Type.String()),
  subject: Type.Object({ handle: Type.String(), displayName: Type.String() }),
  post: Type.Union([
    Type.Object({ id: Type.Integer(), number: Type.Integer(), status: Type.String(), excerpt: Type.String(), url: Type.String(), threadTitle: Type.String() }),
    Type.Null(),
  ]),
  space: Type.Union([Type.Object({ id: Type.Integer(), name: Type.String(), level: Type.String() }), Type.Null()]),
  /** A blog entry or comment under review (ids only; the item page shows it). */
  blog: Type.Union([
    Type.Object({ entryId: Type.Union([Type.Integer(), Type.Null()]), commentId: Type.Union([Type.Integer(), Type.Null()]), title: Type.String(), excerpt: Type.String(), status: Type.String() }),
    Type.Null(),
  ]),
  authorNote: Type.String(),
});

export function presentQueueItem(row: QueueRow) {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    score: row.score,
    flagCount: row.flagCount,
    reasons: row.reasons ?? {},
    autoHidden: row.autoHidden,
    createdAt: row.createdAt.toISOString(),
    decision: row.decision,
    subject: { handle: row.subjectHandle, displayName: row.subjectName },
    post:
      row.postId !== null && row.threadId !== null && row.threadSlug !== null && row.postNumber !== null
        ? {
            id: row.postId,
            number: row.postNumber,
            status: row.postStatus ?? 'published',
            excerpt: excerpt(row.postHtml),
            url: `${threadUrl(row.threadId, row.threadSlug)}#p${row.postNumber}`,
            threadTitle: row.threadTitle ?? '',
          }
        : null,
    space: row.spaceId !== null && row.spaceName !== null && row.spaceLevel !== null ? { id: row.spaceId, name: row.spaceName, level: row.spaceLevel } : null,
    blog:
      row.entryId !== null || row.commentId !== null
        ? { entryId: row.entryId, commentId: row.commentId, title: row.blogTitle ?? '', excerpt: excerpt(row.blogHtml), status: row.blogStatus ?? 'published' }
        : null,
    authorNote: row.authorNote,
  };
}

export const ItemDetailOut = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  status: Type.String(),
  score: Type.Number(),
  autoHidden: Type.Boolean(),
  decision: Nullable(Type.String()),
  decisionReason: Type.String(),
  decidedBy: Nullable(Type.String()),
  decidedAt: Nullable(Type.String()),
  /** Brought back after the decision by a moderator (its post shown again), with why. */
  restored: Type.Union([Type.Object({ by: Type.String(), reason: Type.String(), at: Type.String() }), Type.Null()]),
  authorNote: Type.String(),
  createdAt: Type.String(),
  allowedDecisions: Type.Array(Type.String()),
  flags: Type.Array(
    Type.Object({ id: Type.Integer(), reason: Type.String(), note: Type.String(), weight: Type.Number(), status: Type.String(), flagger: Type.String(), createdAt: Type.String() }),
  ),
  subject: Type.Union([
    Type.Object({ handle: Type.String(), displayName: Type.String(), trustLevel: Type.Integer(), status: Type.String(), joinedAt: Type.String() }),
    Type.Null(),
  ]),
  post: Type.Union([
    Type.Object({
      id: Type.Integer(),
      number: Type.Integer(),
      status: Type.String(),
      /** What the author was told when it was held or hidden ('' when published). */
      note: Type.String(),
      revision: Type.Integer(),
      bodyHtml: Type.String(),
      body: Type.String(),
      url: Type.String(),
      threadTitle: Type.String(),
    }),
    Type.Null(),
  ]),
  /** A blog entry or comment under review, as readers see it. */
  blog: Type.Union([
    Type.Object({
      kind: Type.Union([Type.Literal('entry'), Type.Literal('comment')]),
      title: Type.String(),
      bodyHtml: Type.String(),
      status: Type.String(),
      url: Type.String(),
      /** When a comment's writer last changed it (its earlier versions are in `revisions`); null when never, and for entries. */
      editedAt: Nullable(Type.String()),
    }),
    Type.Null(),
  ]),
  context: Type.Array(Type.Object({ number: Type.Integer(), author: Type.String(), status: Type.String(), removed: Type.Boolean(), bodyHtml: Type.String() })),
  revisions: Type.Array(Type.Object({ revision: Type.Integer(), bodyHtml: Type.String(), editor: Type.String(), createdAt: Type.String() })),
  sanctions: Type.Array(Type.Object({ kind: Type.String(), reason: Type.String(), until: Nullable(Type.String()), createdAt: Type.String() })),
  history: Type.Array(Type.Object({ id: Type.Integer(), kind: Type.String(), status: Type.String(), decision: Nullable(Type.String()), decisionReason: Type.String() })),
  /** Other flagged items about the same author, newest first, in places this moderator moderates. */
  authorFlags: Type.Array(Type.Object({ id: Type.Integer(), status: Type.String(), decision: Nullable(Type.String()), decisionReason: Type.String(), flagCount: Type.Integer(), createdAt: Type.String() })),
});

export type ItemDetail = Awaited<ReturnType<ModerationService['item']>>;

export function presentItemDetail(detail: ItemDetail, allowed: readonly string[] = []) {
  const { item, post } = detail;
  return {
    id: item.id,
    kind: item.kind,
    status: item.status,
    score: item.score,
    autoHidden: item.autoHidden,
    decision: item.decision,
    decisionReason: item.decisionReason,
    decidedBy: detail.decidedBy,
    decidedAt: item.decidedAt?.toISOString() ?? null,
    restored: detail.restored ? { by: detail.restored.handle, reason: detail.restored.reason, at: detail.restored.at.toISOString() } : null,
    authorNote: item.authorNote,
    createdAt: item.createdAt.toISOString(),
    allowedDecisions: [...allowed],
    flags: detail.flags.map((f) => ({ id: f.id, reason: f.reason, note: f.note, weight: f.weight, status: f.status, flagger: f.flaggerHandle, createdAt: f.createdAt.toISOString() })),
    subject: detail.subject
      ? { handle: detail.subject.handle, displayName: detail.subject.displayName, trustLevel: detail.subject.trustLevel, status: detail.subject.status, joinedAt: detail.subject.createdAt.toISOString() }
      : null,
    post: post
      ? {
          id: post.id,
          number: post.number,
          status: post.status,
          note: post.status === 'published' ? '' : post.moderationNote,
          revision: post.revision,
          bodyHtml: post.bodyHtml,
          body: post.bodySource,
          url: `${threadUrl(post.threadId, post.threadSlug)}#p${post.number}`,
          threadTitle: post.threadTitle,
        }
      : null,
    blog: detail.blog ? { ...detail.blog, editedAt: detail.blog.editedAt?.toISOString() ?? null } : null,
    context: detail.context.map((c) => ({ number: c.number, author: c.authorHandle, status: c.status, removed: c.deletedAt !== null, bodyHtml: c.deletedAt ? '' : c.bodyHtml })),
    revisions: detail.revisions.map((r) => ({ revision: r.revision, bodyHtml: r.bodyHtml, editor: r.editorHandle, createdAt: r.createdAt.toISOString() })),
    sanctions: detail.sanctions.map((s) => ({ kind: s.kind, reason: s.reason, until: s.until?.toISOString() ?? null, createdAt: s.createdAt.toISOString() })),
    history: detail.history.map((h) => ({ id: h.id, kind: h.kind, status: h.status, decision: h.decision, decisionReason: h.decisionReason })),
    authorFlags: detail.authorFlags.map((h) => ({ id: h.id, status: h.status, decision: h.decision, decisionReason: h.decisionReason, flagCount: h.flagCount, createdAt: h.createdAt.toISOString() })),
  };
}

export const LogLineOut = Type.Object({
  id: Type.Integer(),
  action: Type.String(),
  reason: Type.String(),
  actor: Nullable(Type.String()),
  subject: Nullable(Type.String()),
  space: Nullable(Type.String()),
  postId: NullableInt,
  itemId: NullableInt,
  createdAt: Type.String(),
});

export function presentLogLine(row: Awaited<ReturnType<ModerationService['log']>>[number]) {
  return {
    id: row.id,
    action: row.action,
    reason: row.reason,
    actor: row.actorHandle,
    subject: row.subjectHandle,
    space: row.spaceName,
    postId: row.postId,
    itemId: row.itemId,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Log lines about a whole thread (its pin or lock): they name no post of their own. */
export const THREAD_LOG_ACTIONS: readonly string[] = ['pin', 'unpin', 'lock', 'unlock'];

export const PublicLogLineOut = Type.Object({
  id: Type.Integer(),
  action: Type.String(),
  reason: Type.String(),
  moderator: Nullable(Type.String()),
  automatic: Type.Boolean(),
  thread: Type.Union([Type.Object({ title: Type.String(), url: Type.String() }), Type.Null()]),
  createdAt: Type.String(),
});

export function presentPublicLogLine(row: Awaited<ReturnType<ModerationService['publicLog']>>[number]) {
  return {
    id: row.id,
    action: row.action,
    reason: row.reason,
    moderator: row.actorHandle,
    automatic: row.automatic,
    thread: row.threadId !== null && row.threadTitle !== null && row.threadSlug !== null ? { title: row.threadTitle, url: threadUrl(row.threadId, row.threadSlug) } : null,
    createdAt: row.createdAt.toISOString(),
  };
}

export const MembershipRequestOut = Type.Object({
  space: Type.Object({ id: Type.Integer(), name: Type.String(), url: Type.String() }),
  handle: Type.String(),
  displayName: Type.String(),
  message: Type.String(),
  requestedAt: Type.String(),
  /** Requests are decided on the space's members page. */
  decideAt: Type.String(),
});

export function presentMembershipRequest(row: Awaited<ReturnType<ModerationService['queue']>>['membershipRequests'][number]) {
  return {
    space: { id: row.spaceId, name: row.spaceName, url: `/s/${row.spaceSlug}` },
    handle: row.handle,
    displayName: row.displayName,
    message: row.message,
    requestedAt: row.requestedAt.toISOString(),
    decideAt: `/s/${row.spaceSlug}/manage`,
  };
}
