import type { Database } from '../../db/client.ts';
import { withGenericPlans } from '../../db/named-statement.ts';
import { NotFound } from '../errors.ts';
import type { MemberCache } from '../events/member-cache.ts';
import type { ForumService } from '../forum/service.ts';
import { POSTS_PER_PAGE } from '../forum/rules.ts';
import type { MemberViewer, Viewer } from '../policy/index.ts';
import type { SpacesService } from '../spaces/service.ts';
import type { Notifier } from './notifier.ts';
import { describe, type NotificationItem } from './presenters.ts';
import * as q from './queries.ts';

const MENTIONABLE_LIMIT = 8;

export type WatchTarget = { kind: 'thread' | 'board' | 'space'; id: number };
/** `default`: no choice of one's own here; the board's, the space's or the posting default applies. */
export type WatchChoice = q.WatchLevel | 'default';

/**
 * What the watch control shows for a thread, board or space, from the member's own watch rows
 * there and above (a thread page reads them with the thread: `ownWatchLevels`).
 */
export function watchStateOf(kind: WatchTarget['kind'], own: q.OwnWatchLevels) {
  const chosen = kind === 'thread' ? own.thread : kind === 'board' ? own.board : own.space;
  const effective = kind === 'thread' ? (own.thread ?? own.board ?? own.space) : kind === 'board' ? (own.board ?? own.space) : own.space;
  return { chosen: chosen ?? ('default' as const), effective: effective ?? ('normal' as const) };
}

export type NotificationsService = ReturnType<typeof createNotificationsService>;

/** Reading notifications, watching, unread tracking and mention autocomplete (see README.md). */
export function createNotificationsService(db: Database, notifier: Notifier, spaces: SpacesService, forum: ForumService, remembered: MemberCache) {
  const unread = q.prepareUnreadGroupCount(db);
  /*
   * Whether any of a member's rows is unread changes only when a notification of theirs is created
   * or read, both announced as `user:<id>` (migration 0010). The count is never remembered: it
   * applies the visibility rules, which change without such an event (a member leaving a space).
   */
  async function unreadGroupCount(viewer: MemberViewer): Promise<number> {
    const until = `user:${viewer.id}`;
    const any = await remembered.remember(`unread:${viewer.id}`, () => unread.anyUnread(viewer), (value) => ({ value, until }));
    return any ? unread.count(viewer) : 0;
  }
  const unreadCounts = q.prepareUnreadCounts(db);
  const ownWatchLevels = q.prepareOwnWatchLevels(db);
  /** Reads a target through the viewer's predicates (404 when they cannot see it) and names its place. */
  async function place(viewer: Viewer, target: WatchTarget) {
    if (target.kind === 'thread') {
      const found = await forum.thread(viewer, target.id);
      return { threadId: found.thread.id, boardId: found.board.id, spaceId: found.space.id };
    }
    if (target.kind === 'board') {
      const board = await spaces.boardById(viewer, target.id);
      return { boardId: board.id, spaceId: board.spaceId };
    }
    const space = await spaces.spaceById(viewer, target.id);
    return { spaceId: space.id };
  }

  return {
    /** The hook point for whatever follows a new notification (e-mail): see notifier.ts. */
    onCreated: notifier.onCreated,

    unreadCount: unreadGroupCount,

    /** One page of the viewer's notifications, collapsed, newest first; `next` pages on. */
    async list(viewer: MemberViewer, options: { before?: number } = {}): Promise<{ items: NotificationItem[]; next: number | null }> {
      const { groups, page, details } = await withGenericPlans(db, async (tx) => {
        const groups = await q.listGroups(tx, viewer, options.before);
        const page = groups.slice(0, q.NOTIFICATIONS_PER_PAGE);
        return { groups, page, details: await q.findDetails(db, tx, viewer, [...new Set(page.flatMap((g) => [g.firstId, g.lastId]))]) };
      });
      const byId = new Map(details.map((d) => [d.id, d]));
      const items = page.flatMap((g) => {
        const first = byId.get(g.firstId);
        const last = byId.get(g.lastId);
        return first && last ? [describe(first, last, g.count, g.unread)] : [];
      });
      const last = page[page.length - 1];
      return { items, next: groups.length > q.NOTIFICATIONS_PER_PAGE && last ? last.lastId : null };
    },

    /** Opens an item: marks it read (a collapsed one whole) and says where it leads. */
    async open(viewer: MemberViewer, id: number): Promise<string> {
      const [detail] = await q.findDetails(db, db, viewer, [id]);
      if (!detail) throw new NotFound('That notification is no longer available.');
      await q.markGroupRead(db, viewer, id);
      return describe(detail, detail, 1, false).target;
    },

    async markRead(viewer: MemberViewer, ids: number[]): Promise<void> {
      for (const id of ids) await q.markGroupRead(db, viewer, id);
    },

    markAllRead: (viewer: MemberViewer) => q.markAllRead(db, viewer.id),

    /**
     * The viewer's own choices for a thread, board or space and what applies (most specific wins).
     * A page that has just read the target through the policy passes where it is (`known`), saving
     * the lookup.
     */
    async watchState(viewer: MemberViewer, target: WatchTarget, known?: { threadId?: number; boardId?: number; spaceId: number }) {
      const where = known ?? (await place(viewer, target));
      return watchStateOf(target.kind, await ownWatchLevels(viewer.id, where));
    },

    async setWatch(viewer: MemberViewer, target: WatchTarget, choice: WatchChoice): Promise<void> {
      const where = await place(viewer, target);
      const level = choice === 'default' ? null : choice;
      if (target.kind === 'thread') await q.setThreadWatch(db, viewer.id, where.threadId ?? target.id, level);
      else if (target.kind === 'board') await q.setBoardWatch(db, viewer.id, where.boardId ?? target.id, level);
      else await q.setSpaceWatch(db, viewer.id, where.spaceId, level);
    },

    preferences: (viewer: MemberViewer) => q.findPreferences(db, viewer.id),
    savePreferences: (viewer: MemberViewer, prefs: { watchStarted: boolean; watchReplied: boolean }) => q.savePreferences(db, viewer.id, prefs),

    /** New posts since the viewer last read each thread of a list (signed-in members only). */
    unreadCounts: (viewer: Viewer, threadIds: number[]) => unreadCounts(viewer, threadIds),

    /** Where a thread continues for the viewer: the page and number of the first post they have not read. */
    async firstUnread(viewer: Viewer, threadId: number) {
      const { thread } = await forum.thread(viewer, threadId);
      const number = await q.findFirstUnreadNumber(db, viewer, threadId);
      return { thread, number, page: Math.max(1, Math.ceil(number / POSTS_PER_PAGE)) };
    },

    /**
     * Handles for the composer's @ list: members who can read the thread's (or board's) space.
     * The place is read through the asker's predicates first, so a place they cannot see is a 404.
     */
    async mentionable(viewer: MemberViewer, target: { threadId: number } | { boardId: number }, prefix: string) {
      const spaceId = 'threadId' in target ? (await forum.thread(viewer, target.threadId)).space.id : (await spaces.boardById(viewer, target.boardId)).spaceId;
      const clean = prefix.replace(/^@/, '').trim();
      // At least one character: the list completes a handle being typed, it is not a member directory.
      if (!/^[a-z0-9_-]{1,30}$/i.test(clean)) return [];
      return q.listMentionable(db, spaceId, clean, MENTIONABLE_LIMIT);
    },
  };
}
