import type { Executor } from '../../db/client.ts';
import { mentionsOutsideQuotes, quotedPosts } from '../forum/references.ts';
import * as q from './queries.ts';

/**
 * Creating notifications: called by the services whose writes cause them, with their transaction,
 * so a rolled-back write leaves none. Each call returns the ids it created, and every listener
 * registered with `onCreated` runs inside the same transaction with them (the hook point for
 * e-mail: enqueue a job there and it commits or rolls back with the notification), each marked
 * with whether its recipient asked for e-mail at once.
 */
export type CreatedListener = (tx: Executor, created: q.CreatedNotification[]) => Promise<void>;

export interface NewPost {
  postId: number;
  threadId: number;
  boardId: number;
  spaceId: number;
  number: number;
  authorId: string;
  replyToPostId: number | null;
  /** Lower-cased handles `@mentioned` in the body. */
  mentioned: string[];
  /** Posts the body quotes, by thread and number. */
  quoted: { threadId: number; number: number }[];
  /** An edit: only the members it newly mentions. */
  mentionsOnly?: boolean;
}

/** A moderation decision's code, shown as fixed words (never the moderator's free text). */
export type ModerationOutcome = 'approve' | 'reject' | 'hide' | 'auto_hide' | 'delete' | 'keep' | 'restore' | 'keep_hidden' | 'edit_keep' | 'dismiss' | 'agreed' | 'disagreed' | 'dismissed';

export type Notifier = ReturnType<typeof createNotifier>;

export function createNotifier() {
  const listeners: CreatedListener[] = [];
  async function created(tx: Executor, rows: q.CreatedNotification[]): Promise<number[]> {
    if (rows.length > 0) for (const listener of listeners) await listener(tx, rows);
    return rows.map((r) => r.id);
  }

  /** A post became readable (published at once, or approved): replies, quotes, mentions, watchers. */
  async function newPost(tx: Executor, post: NewPost): Promise<number[]> {
    const rows = await q.insertForNewPost(tx, {
      postId: post.postId,
      threadId: post.threadId,
      boardId: post.boardId,
      spaceId: post.spaceId,
      number: post.number,
      actorId: post.authorId,
      replyToPostId: post.replyToPostId,
      mentioned: post.mentioned,
      quoted: post.quoted,
      ...(post.mentionsOnly ? { mentionsOnly: true } : {}),
    });
    return created(tx, rows);
  }

  return {
    /** Registers a listener for every batch of new notifications (see above). */
    onCreated(listener: CreatedListener): void {
      listeners.push(listener);
    },

    newPost,

    /** A held post was approved: it now concerns the same people it would have when posted. */
    async postApproved(tx: Executor, postId: number): Promise<number[]> {
      const post = await q.findNewPostFacts(tx, postId);
      if (!post) return [];
      const { bodySource, ...facts } = post;
      return newPost(tx, { ...facts, mentioned: mentionsOutsideQuotes(bodySource), quoted: quotedPosts(bodySource) });
    },

    /** An edit of a published post mentions members it did not before: they are told, nobody else. */
    async mentionsAdded(tx: Executor, postId: number, handles: string[]): Promise<number[]> {
      if (handles.length === 0) return [];
      const post = await q.findNewPostFacts(tx, postId);
      if (!post) return [];
      const { bodySource: _body, ...facts } = post;
      return newPost(tx, { ...facts, mentioned: handles, quoted: [], mentionsOnly: true });
    },

    /** A member was shown a thread up to post `number`: its notifications up to there are read. */
    threadRead: (db: Executor, userId: string, threadId: number, number: number) => q.markThreadRead(db, userId, threadId, number),

    /** A member posted in a thread: it gets their default level (tracking, or watching by preference). */
    watchOnPosting: (tx: Executor, userId: string, threadId: number, started: boolean) => q.watchOnPosting(tx, userId, threadId, started),

    /** Mentioned members who cannot read the space: not notified, and the author is told. */
    mentionedOutsiders: (tx: Executor, spaceId: number, handles: string[]) => q.findMentionedOutsiders(tx, spaceId, handles),

    /** The author of moderated content learns the outcome, if they can still read it. */
    async moderatedContent(tx: Executor, n: { recipientId: string; actorId: string | null; reviewItemId: number; outcome: ModerationOutcome; threadId?: number | null; postId?: number | null; blogEntryId?: number | null }) {
      const mustSee = n.postId ? 'post' : 'none';
      return created(tx, await q.insertDirect(tx, { ...n, kind: 'moderation_content' }, mustSee));
    },

    /**
     * A flagger learns what became of their flag: about the thread if they can still read it, else
     * (the decision hid the post that opened it, or they left its space) without naming anything.
     */
    async flagOutcome(tx: Executor, n: { recipientId: string; actorId: string; reviewItemId: number; outcome: ModerationOutcome; threadId?: number | null; postId?: number | null; blogEntryId?: number | null }) {
      if (!n.threadId) return created(tx, await q.insertDirect(tx, { ...n, kind: 'moderation_flag' }, 'none'));
      const about = await q.insertDirect(tx, { ...n, kind: 'moderation_flag' }, 'thread');
      return created(tx, about.length > 0 ? about : await q.insertDirect(tx, { ...n, threadId: null, postId: null, kind: 'moderation_flag' }, 'none'));
    },

    async invited(tx: Executor, n: { recipientId: string; actorId: string; spaceId: number }) {
      return created(tx, await q.insertDirect(tx, { ...n, kind: 'space_invited' }, 'none'));
    },

    async requestApproved(tx: Executor, n: { recipientId: string; actorId: string; spaceId: number }) {
      return created(tx, await q.insertDirect(tx, { ...n, kind: 'space_approved' }, 'none'));
    },

    async requestRefused(tx: Executor, n: { recipientId: string; actorId: string; spaceId: number }) {
      return created(tx, await q.insertDirect(tx, { ...n, kind: 'space_refused' }, 'none'));
    },

    async joinRequested(tx: Executor, n: { actorId: string; spaceId: number }) {
      return created(tx, await q.insertForJoinRequest(tx, n.spaceId, n.actorId));
    },

    /** The requests are no longer waiting: nobody is left with an unread "asked to join" that leads nowhere. */
    joinRequestsSettled: (tx: Executor, spaceId: number, requesterIds: string[]) => q.markJoinRequestsSettled(tx, spaceId, requesterIds),

    async rulesChanged(tx: Executor, n: { actorId: string; spaceId: number }) {
      return created(tx, await q.insertForRulesChange(tx, n.spaceId, n.actorId));
    },

    /** A comment became readable (published at once, or approved): the entry's author and earlier commenters. */
    async newComment(tx: Executor, comment: { commentId: number; entryId: number; authorId: string }): Promise<number[]> {
      return created(tx, await q.insertForNewComment(tx, { commentId: comment.commentId, entryId: comment.entryId, actorId: comment.authorId }));
    },

    /** A held comment was approved: it now concerns the same people it would have when written. */
    async commentApproved(tx: Executor, commentId: number): Promise<number[]> {
      const facts = await q.findNewCommentFacts(tx, commentId);
      if (!facts) return [];
      return created(tx, await q.insertForNewComment(tx, facts));
    },

    async entriesPublished(tx: Executor, entries: { id: number; authorId: string }[]) {
      return created(tx, await q.insertForPublishedEntries(tx, entries));
    },
  };
}
