import { Type } from '@fastify/type-provider-typebox';
import { entryUrl } from '../blogs/presenters.ts';
import { plainExcerptOfHtml, withoutQuotations } from '../content/render-markdown.ts';
import { POSTS_PER_PAGE } from '../forum/rules.ts';
import type { NotificationKind } from './queries.ts';

/**
 * What a notification says, written at read time from rows the recipient may read now (the
 * service fetched them through `notificationVisible`). Nothing here is stored.
 */
export interface NotificationDetail {
  id: number;
  kind: NotificationKind;
  outcome: string | null;
  createdAt: Date;
  actorHandle: string | null;
  threadId: number | null;
  postId: number | null;
  threadTitle: string | null;
  threadSlug: string | null;
  postNumber: number | null;
  spaceName: string | null;
  spaceSlug: string | null;
  spaceLevel: string | null;
  entryTitle: string | null;
  entrySlug: string | null;
  entryAuthorHandle: string | null;
  /** The comment a `blog_comment*` notification is about. */
  commentId: number | null;
  /** The post's rendering, for the kinds that quote it. */
  postHtml: string | null;
}

/** Kinds about a post someone wrote: the item quotes its opening, so the reader can judge it before opening it. */
const QUOTED_KINDS: ReadonlySet<string> = new Set(['reply_to_thread', 'reply_to_post', 'quote', 'mention', 'watched_post', 'blog_comment', 'blog_comment_followed']);

/** Two lines of a phone's width under the headline. */
const LIST_EXCERPT_CHARS = 140;

/** The opening of the post or blog comment a notification is about, as readers see it; '' for the other kinds. */
export function excerptOf(detail: Pick<NotificationDetail, 'kind' | 'postHtml'>, chars: number): string {
  return QUOTED_KINDS.has(detail.kind) && detail.postHtml ? plainExcerptOfHtml(withoutQuotations(detail.postHtml), chars) : '';
}

export interface NotificationItem {
  /** The oldest notification of the item: opening it marks the whole item read. */
  id: number;
  kind: NotificationKind;
  count: number;
  unread: boolean;
  text: string;
  /** The opening of the post it is about (the oldest, for a collapsed item); '' when it quotes nothing. */
  excerpt: string;
  /** Where opening the item leads (the first unread post of a collapsed item). */
  target: string;
  actor: string | null;
  createdAt: Date;
}

export const NotificationOut = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  count: Type.Integer({ description: 'How many notifications this item collapses (new replies to one thread, new comments on one entry)' }),
  unread: Type.Boolean(),
  text: Type.String(),
  excerpt: Type.String({ description: 'The opening of the post it is about, as readers see it; empty for kinds about no post' }),
  url: Type.String({ description: 'Where the item leads' }),
  actor: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});

export function presentNotification(item: NotificationItem) {
  return { id: item.id, kind: item.kind, count: item.count, unread: item.unread, text: item.text, excerpt: item.excerpt, url: item.target, actor: item.actor, createdAt: item.createdAt.toISOString() };
}

function postUrl(d: NotificationDetail): string {
  if (d.threadId === null || d.threadSlug === null) return '/notifications';
  if (d.postNumber === null) return `/t/${d.threadId}/${d.threadSlug}`;
  const page = Math.ceil(d.postNumber / POSTS_PER_PAGE);
  return `/t/${d.threadId}/${d.threadSlug}${page > 1 ? `?page=${page}` : ''}#p${d.postNumber}`;
}

/** The comment on its entry's page (comments are one list, never paged); the oldest of a collapsed item. */
function commentUrl(d: NotificationDetail, entry: { url: string } | null): string {
  if (!entry) return '/notifications';
  return d.commentId !== null ? `${entry.url}#c${d.commentId}` : entry.url;
}

const CONTENT_OUTCOMES: Record<string, string> = {
  approve: 'A moderator approved your {x}.',
  reject: 'A moderator did not approve your {x}.',
  hide: 'A moderator hid your {x}.',
  auto_hide: 'Members flagged your {x}, so it is hidden until a moderator reviews it.',
  keep_hidden: 'A moderator kept your {x} hidden.',
  delete: 'A moderator removed your {x}.',
  restore: 'Your {x} is visible again.',
  keep: 'Your {x} is visible again.',
  dismiss: 'Your {x} is visible again.',
  edit_keep: 'A moderator edited your {x}.',
};

const FLAG_OUTCOMES: Record<string, string> = {
  agreed: 'Moderators agreed with your flag on {x}.',
  disagreed: 'Moderators reviewed your flag on {x} and kept it as it was.',
  dismissed: 'Your flag on {x} was dismissed.',
};

/** The words of an item: `first` is the oldest notification it holds, `last` the newest. */
export function describe(first: NotificationDetail, last: NotificationDetail, count: number, unread: boolean): NotificationItem {
  const by = last.actorHandle ? `@${last.actorHandle}` : 'Someone';
  const title = `“${first.threadTitle ?? ''}”`;
  const entry = first.entryTitle !== null && first.entryAuthorHandle !== null && first.entrySlug !== null ? { title: `“${first.entryTitle}”`, url: entryUrl(first.entryAuthorHandle, first.entrySlug) } : null;
  const space = first.spaceName ?? '';
  const words = (): { text: string; target: string } => {
    switch (first.kind) {
      case 'reply_to_thread':
        return { text: count > 1 ? `${count} new replies in ${title}` : `${by} replied to your thread ${title}`, target: postUrl(first) };
      case 'watched_post':
        return { text: count > 1 ? `${count} new posts in ${title}` : `${by} posted in ${title}`, target: postUrl(first) };
      case 'reply_to_post':
        return { text: `${by} replied to your post in ${title}`, target: postUrl(first) };
      case 'quote':
        return { text: `${by} quoted your post in ${title}`, target: postUrl(first) };
      case 'mention':
        return { text: `${by} mentioned you in ${title}`, target: postUrl(first) };
      case 'moderation_content': {
        const what = first.postId !== null ? `post in ${title}` : `entry ${entry?.title ?? ''}`;
        const text = (CONTENT_OUTCOMES[first.outcome ?? ''] ?? 'A moderator reviewed your {x}.').replace('{x}', what);
        return { text, target: first.postId !== null ? postUrl(first) : (entry?.url ?? '/me/moderation') };
      }
      case 'moderation_flag': {
        // Neither thread nor entry: the flagger can no longer read what they flagged, so it goes unnamed.
        const what = first.threadId !== null ? `a post in ${title}` : entry ? `the entry ${entry.title}` : 'a post';
        const text = (FLAG_OUTCOMES[first.outcome ?? ''] ?? 'Moderators reviewed your flag on {x}.').replace('{x}', what);
        const target = first.threadId !== null && first.threadSlug !== null ? `/t/${first.threadId}/${first.threadSlug}` : (entry?.url ?? '/notifications');
        return { text, target };
      }
      case 'space_invited':
        return { text: `${by} invited you to join ${space}`, target: '/invitations' };
      case 'space_approved':
        return { text: `Your request to join ${space} was approved`, target: `/s/${first.spaceSlug ?? ''}` };
      case 'space_refused':
        // Who refused stays with the space's owners and moderators (their log), not the member.
        return { text: `Your request to join ${space} was not accepted`, target: `/s/${first.spaceSlug ?? ''}` };
      case 'space_requested':
        return { text: count > 1 ? `${count} people asked to join ${space}` : `${by} asked to join ${space}`, target: `/s/${first.spaceSlug ?? ''}/manage` };
      case 'space_rules_changed':
        // Only a confidential space asks its members to accept its rules before reading on.
        return {
          text: first.spaceLevel === 'confidential' ? `The ground rules of ${space} changed: read and accept them to keep reading` : `The ground rules of ${space} changed: read the new version`,
          target: `/s/${first.spaceSlug ?? ''}/rules`,
        };
      case 'blog_published':
        return { text: `Your scheduled entry ${entry?.title ?? ''} is published`, target: entry?.url ?? '/blog' };
      case 'blog_comment':
        return { text: count > 1 ? `${count} new comments on your entry ${entry?.title ?? ''}` : `${by} commented on your entry ${entry?.title ?? ''}`, target: commentUrl(first, entry) };
      case 'blog_comment_followed':
        return { text: count > 1 ? `${count} new comments on ${entry?.title ?? ''}` : `${by} also commented on ${entry?.title ?? ''}`, target: commentUrl(first, entry) };
    }
  };
  const { text, target } = words();
  // Moderators act for the site: the moderation log decides whether they are named, not this.
  const actor = first.kind === 'moderation_content' || first.kind === 'moderation_flag' ? null : last.actorHandle;
  return { id: first.id, kind: first.kind, count, unread, text, excerpt: excerptOf(first, LIST_EXCERPT_CHARS), target, actor, createdAt: last.createdAt };
}
