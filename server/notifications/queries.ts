import { and, eq, gte, inArray, isNotNull, isNull, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { rowsOf, type Executor } from '../../db/client.ts';
import {
  blogComments,
  blogEntries,
  boardWatches,
  boards,
  notificationPreferences,
  notifications,
  posts,
  spaceMembers,
  spaces,
  spaceWatches,
  threadReads,
  threadWatches,
  threads,
  users,
} from '../../db/schema/index.ts';
import { blogCommentVisibleTo, notificationVisible, postVisibleTo, spaceContentVisibleTo, threadVisible, threadVisibleTo, type MemberViewer, type Viewer } from '../policy/index.ts';

export type NotificationKind = (typeof notifications.$inferSelect)['kind'];
export type WatchLevel = (typeof threadWatches.$inferSelect)['level'];

/** Kinds that fold together while unread: "5 new replies in …" rather than five lines. */
export const COLLAPSING_KINDS: readonly NotificationKind[] = ['reply_to_thread', 'watched_post', 'blog_comment', 'blog_comment_followed'];

/*
 * Creation. Every insert runs inside the transaction of the write that causes it, and checks at
 * creation that each recipient may read what it is about (set-based predicates from the policy);
 * the list checks again at read time.
 */

export interface NewPostFacts {
  postId: number;
  threadId: number;
  boardId: number;
  spaceId: number;
  number: number;
  actorId: string;
  replyToPostId: number | null;
  mentioned: string[];
  quoted: { threadId: number; number: number }[];
  /** An edit: only the members it newly mentions, nobody else. */
  mentionsOnly?: boolean;
}

/**
 * The member's effective level for a thread: the most specific watch row (thread, then board,
 * then space); null when there is none.
 */
function effectiveLevel(userId: SQL, threadId: number, boardId: number, spaceId: number): SQL {
  return sql`coalesce(
    (select ${threadWatches.level} from ${threadWatches} where ${threadWatches.threadId} = ${threadId} and ${threadWatches.userId} = ${userId}),
    (select ${boardWatches.level} from ${boardWatches} where ${boardWatches.boardId} = ${boardId} and ${boardWatches.userId} = ${userId}),
    (select ${spaceWatches.level} from ${spaceWatches} where ${spaceWatches.spaceId} = ${spaceId} and ${spaceWatches.userId} = ${userId}))`;
}

/**
 * One INSERT … SELECT for everyone a new post concerns, each once, under the most specific reason
 * (mention, quote, reply to their post, reply to their thread, watching): never the author, never
 * someone who muted the place, never someone who cannot read the post.
 */
export async function insertForNewPost(db: Executor, f: NewPostFacts): Promise<{ id: number; recipientId: string }[]> {
  const handles = f.mentioned.length > 0 ? sql`array[${sql.join(f.mentioned.map((h) => sql`${h}`), sql`, `)}]::text[]` : sql`array[]::text[]`;
  const quoted = f.quoted.length > 0 ? sql.join(f.quoted.map((qp) => sql`(${posts.threadId} = ${qp.threadId} and ${posts.number} = ${qp.number})`), sql` or `) : sql`false`;
  const candidate = sql.raw('candidate.user_id');
  const others = f.mentionsOnly ? sql`false` : sql`true`;
  const result = await db.execute(sql`
    insert into ${notifications} (recipient_id, kind, actor_id, thread_id, post_id)
    select distinct on (candidate.user_id) candidate.user_id, candidate.kind::notification_kind, ${f.actorId}, ${f.threadId}::bigint, ${f.postId}::bigint
    from (
      select ${users.id} as user_id, 'mention' as kind, 1 as rank from ${users} where lower(${users.handle}) = any(${handles})
      union all select ${posts.authorId}, 'quote', 2 from ${posts} where ${others} and (${quoted})
      union all select ${posts.authorId}, 'reply_to_post', 3 from ${posts} where ${others} and ${posts.id} = ${f.replyToPostId ?? 0}
      union all select ${threads.authorId}, 'reply_to_thread', 4 from ${threads} where ${others} and ${threads.id} = ${f.threadId} and ${f.number} > 1
      union all select ${threadWatches.userId}, 'watched_post', 5 from ${threadWatches} where ${others} and ${threadWatches.threadId} = ${f.threadId} and ${threadWatches.level} = 'watching'
      union all select ${boardWatches.userId}, 'watched_post', 5 from ${boardWatches} where ${others} and ${boardWatches.boardId} = ${f.boardId} and ${boardWatches.level} = 'watching'
      union all select ${spaceWatches.userId}, 'watched_post', 5 from ${spaceWatches} where ${others} and ${spaceWatches.spaceId} = ${f.spaceId} and ${spaceWatches.level} = 'watching'
    ) as candidate
    cross join lateral (select ${effectiveLevel(candidate, f.threadId, f.boardId, f.spaceId)} as level) as watch
    where candidate.user_id <> ${f.actorId}
      and watch.level is distinct from 'muted'
      and (candidate.kind <> 'watched_post' or watch.level = 'watching')
      and exists (select 1 from ${posts} where ${posts.id} = ${f.postId} and ${postVisibleTo(candidate)})
    order by candidate.user_id, candidate.rank
    returning id, recipient_id`);
  return rowsOf<{ id: number | string; recipient_id: string }>(result).map((r) => ({ id: Number(r.id), recipientId: r.recipient_id }));
}

/**
 * A post a moderator just approved, for its notifications: where it is, who wrote it, its body.
 * A write path inside the approval; returned to the notifier, never to a client.
 */
export async function findNewPostFacts(db: Executor, postId: number) {
  const [row] = await db
    .select({
      postId: posts.id,
      threadId: posts.threadId,
      number: posts.number,
      authorId: posts.authorId,
      replyToPostId: posts.replyToPostId,
      bodySource: posts.bodySource,
      boardId: threads.boardId,
      spaceId: boards.spaceId,
    })
    .from(posts)
    .innerJoin(threads, eq(threads.id, posts.threadId))
    .innerJoin(boards, eq(boards.id, threads.boardId))
    .where(eq(posts.id, postId));
  return row;
}

/**
 * The handles mentioned in a post whose members cannot read the place it is in: nobody among them
 * is notified, and the author is told. Judged on the space (not the post's moderation state), so a
 * held post gets the same answer it will get once approved.
 */
export async function findMentionedOutsiders(db: Executor, spaceId: number, handles: string[]): Promise<{ handle: string; member: boolean }[]> {
  if (handles.length === 0) return [];
  const rows = await db
    .select({
      handle: users.handle,
      // An active member who has not accepted the current ground rules yet: told apart for the author.
      member: sql<boolean>`exists (select 1 from ${spaceMembers} where ${spaceMembers.spaceId} = ${spaceId} and ${spaceMembers.userId} = ${users.id} and ${spaceMembers.status} = 'active')`,
    })
    .from(users)
    .where(
      and(
        inArray(sql`lower(${users.handle})`, handles),
        sql`not exists (select 1 from ${spaces} where ${spaces.id} = ${spaceId} and ${spaceContentVisibleTo(users.id)})`,
      ),
    )
    .orderBy(users.handle);
  return rows;
}

export interface DirectNotification {
  recipientId: string;
  kind: NotificationKind;
  actorId?: string | null;
  threadId?: number | null;
  postId?: number | null;
  blogEntryId?: number | null;
  spaceId?: number | null;
  reviewItemId?: number | null;
  outcome?: string | null;
}

/**
 * One notification, inserted only when its recipient is not the actor and may read its subject
 * now: the post (`mustSee: 'post'`), the thread, or nothing to check (their own membership, entry).
 */
export async function insertDirect(db: Executor, n: DirectNotification, mustSee: 'post' | 'thread' | 'none'): Promise<number[]> {
  const recipient = sql`${n.recipientId}`;
  const check =
    mustSee === 'post'
      ? sql`exists (select 1 from ${posts} where ${posts.id} = ${n.postId ?? 0} and ${postVisibleTo(recipient)})`
      : mustSee === 'thread'
        ? sql`exists (select 1 from ${threads} where ${threads.id} = ${n.threadId ?? 0} and ${threadVisibleTo(recipient)})`
        : sql`true`;
  const result = await db.execute(sql`
    insert into ${notifications} (recipient_id, kind, actor_id, thread_id, post_id, blog_entry_id, space_id, review_item_id, outcome)
    select ${n.recipientId}, ${n.kind}::notification_kind, ${n.actorId ?? null}, ${n.threadId ?? null}::bigint, ${n.postId ?? null}::bigint,
      ${n.blogEntryId ?? null}::bigint, ${n.spaceId ?? null}::bigint, ${n.reviewItemId ?? null}::bigint, ${n.outcome ?? null}
    where ${n.recipientId} is distinct from ${n.actorId ?? null} and ${check}
    returning id`);
  return rowsOf<{ id: number | string }>(result).map((r) => Number(r.id));
}

/** The space's active members (but the actor) learn its ground rules changed: one INSERT … SELECT. */
export async function insertForRulesChange(db: Executor, spaceId: number, actorId: string): Promise<number[]> {
  const result = await db.execute(sql`
    insert into ${notifications} (recipient_id, kind, actor_id, space_id)
    select ${spaceMembers.userId}, 'space_rules_changed', ${actorId}, ${spaceId}::bigint from ${spaceMembers}
    where ${spaceMembers.spaceId} = ${spaceId} and ${spaceMembers.status} = 'active' and ${spaceMembers.userId} <> ${actorId}
    returning id`);
  return rowsOf<{ id: number | string }>(result).map((r) => Number(r.id));
}

/** Each scheduled entry that just went out tells its author. */
export async function insertForPublishedEntries(db: Executor, entries: { id: number; authorId: string }[]): Promise<number[]> {
  if (entries.length === 0) return [];
  const rows = await db
    .insert(notifications)
    .values(entries.map((e) => ({ recipientId: e.authorId, kind: 'blog_published' as const, blogEntryId: e.id })))
    .returning({ id: notifications.id });
  return rows.map((r) => r.id);
}

export interface NewCommentFacts {
  commentId: number;
  entryId: number;
  actorId: string;
}

/**
 * One INSERT … SELECT for everyone a new comment concerns, each once: the entry's author
 * (`blog_comment`), then whoever commented on the entry before (`blog_comment_followed`: a comment
 * follows the entry, as replying tracks a thread). Never the commenter; never someone who cannot
 * read the comment now (entry out of their audience, a confidential space they left, the comment
 * held or hidden).
 */
export async function insertForNewComment(db: Executor, f: NewCommentFacts): Promise<{ id: number; recipientId: string }[]> {
  const candidate = sql.raw('candidate.user_id');
  const result = await db.execute(sql`
    insert into ${notifications} (recipient_id, kind, actor_id, blog_entry_id, blog_comment_id)
    select distinct on (candidate.user_id) candidate.user_id, candidate.kind::notification_kind, ${f.actorId}, ${f.entryId}::bigint, ${f.commentId}::bigint
    from (
      select ${blogEntries.authorId} as user_id, 'blog_comment' as kind, 1 as rank from ${blogEntries} where ${blogEntries.id} = ${f.entryId}
      union all select ${blogComments.authorId}, 'blog_comment_followed', 2 from ${blogComments}
        where ${blogComments.entryId} = ${f.entryId} and ${blogComments.id} <> ${f.commentId} and ${blogComments.deletedAt} is null
    ) as candidate
    where candidate.user_id <> ${f.actorId}
      and exists (select 1 from ${blogComments} where ${blogComments.id} = ${f.commentId} and ${blogCommentVisibleTo(candidate)})
    order by candidate.user_id, candidate.rank
    returning id, recipient_id`);
  return rowsOf<{ id: number | string; recipient_id: string }>(result).map((r) => ({ id: Number(r.id), recipientId: r.recipient_id }));
}

/** A comment a moderator just approved, for its notifications: its entry and author. A write path; never returned to a client. */
export async function findNewCommentFacts(db: Executor, commentId: number): Promise<NewCommentFacts | undefined> {
  const [row] = await db
    .select({ commentId: blogComments.id, entryId: blogComments.entryId, actorId: blogComments.authorId })
    .from(blogComments)
    .where(eq(blogComments.id, commentId));
  return row;
}

/** The thread a member starts or replies in gets their default level, unless they chose one already. */
export async function watchOnPosting(db: Executor, userId: string, threadId: number, started: boolean): Promise<void> {
  const pref = started ? notificationPreferences.watchStarted : notificationPreferences.watchReplied;
  await db.execute(sql`
    insert into ${threadWatches} (user_id, thread_id, level)
    values (${userId}, ${threadId}, coalesce((select case when ${pref} then 'watching' end from ${notificationPreferences} where ${notificationPreferences.userId} = ${userId}), 'tracking')::watch_level)
    on conflict do nothing`);
}

/*
 * Reading. Everything goes through `notificationVisible(viewer)`, which is also what keeps
 * notifications about content the viewer lost access to out of lists and counts.
 */

/** The grouping key: unread replies to one thread, or unread comments on one entry, collapse into one item. */
function groupKey(): SQL {
  return sql`case when ${notifications.readAt} is null and ${notifications.kind} in ('reply_to_thread', 'watched_post')
    then 't' || ${notifications.threadId}
    when ${notifications.readAt} is null and ${notifications.kind} in ('blog_comment', 'blog_comment_followed')
    then 'e' || ${notifications.blogEntryId}
    else 'n' || ${notifications.id} end`;
}

export interface NotificationGroup {
  /** The newest notification of the group: its id pages the list. */
  lastId: number;
  /** The oldest: opening the group goes to its post, the first one unread. */
  firstId: number;
  count: number;
  unread: boolean;
}

/** One page of the viewer's notifications, collapsed, newest first. */
export async function listGroups(db: Executor, viewer: Viewer, limit: number, before?: number): Promise<NotificationGroup[]> {
  const result = await db.execute(sql`
    select max(${notifications.id}) as last_id, min(${notifications.id}) as first_id, count(*)::int as n, bool_or(${notifications.readAt} is null) as unread
    from ${notifications} where ${notificationVisible(viewer)}
    group by ${groupKey()}
    having ${before === undefined ? sql`true` : sql`max(${notifications.id}) < ${before}`}
    order by max(${notifications.id}) desc
    limit ${limit}`);
  return rowsOf<{ last_id: number | string; first_id: number | string; n: number; unread: boolean }>(result).map((r) => ({
    lastId: Number(r.last_id),
    firstId: Number(r.first_id),
    count: Number(r.n),
    unread: r.unread,
  }));
}

/** The bell's number: unread items as the list shows them (collapsed). */
export async function countUnreadGroups(db: Executor, viewer: Viewer): Promise<number> {
  const result = await db.execute(sql`
    select count(distinct ${groupKey()})::int as n from ${notifications}
    where ${notificationVisible(viewer)} and ${notifications.readAt} is null`);
  return Number(rowsOf<{ n: number }>(result)[0]?.n ?? 0);
}

const actor = alias(users, 'actor');

/** What the notifications with these ids are about, each read through the viewer's predicates. */
export async function findDetails(db: Executor, viewer: Viewer, ids: number[]) {
  if (ids.length === 0) return [];
  return db
    .select({
      id: notifications.id,
      kind: notifications.kind,
      outcome: notifications.outcome,
      createdAt: notifications.createdAt,
      readAt: notifications.readAt,
      actorHandle: actor.handle,
      actorName: actor.displayName,
      threadId: notifications.threadId,
      postId: notifications.postId,
      spaceId: notifications.spaceId,
      blogEntryId: notifications.blogEntryId,
      commentId: notifications.blogCommentId,
      threadTitle: threads.title,
      threadSlug: threads.slug,
      postNumber: posts.number,
      spaceName: spaces.name,
      spaceSlug: spaces.slug,
      entryTitle: blogEntries.title,
      entrySlug: blogEntries.slug,
      entryAuthorHandle: sql<string | null>`(select ${users.handle} from ${users} where ${users.id} = ${blogEntries.authorId})`,
      // The space the subject lives in (a membership event's own, a thread's, a space-only entry's),
      // read only for rows the predicate below let through: e-mails about a confidential one say nothing.
      placeLevel: sql<'public' | 'members' | 'confidential' | null>`coalesce(${spaces.level},
        (select place.level from boards place_board join spaces place on place.id = place_board.space_id where place_board.id = ${threads.boardId}),
        (select place.level from spaces place where place.id = ${blogEntries.spaceId}))`,
      placeName: sql<string | null>`coalesce(${spaces.name},
        (select place.name from boards place_board join spaces place on place.id = place_board.space_id where place_board.id = ${threads.boardId}),
        (select place.name from spaces place where place.id = ${blogEntries.spaceId}))`,
    })
    .from(notifications)
    .leftJoin(actor, eq(actor.id, notifications.actorId))
    // Joined only where the notification predicate has just said the viewer may read them.
    .leftJoin(threads, eq(threads.id, notifications.threadId))
    .leftJoin(posts, eq(posts.id, notifications.postId))
    .leftJoin(spaces, eq(spaces.id, notifications.spaceId))
    .leftJoin(blogEntries, eq(blogEntries.id, notifications.blogEntryId))
    .where(and(inArray(notifications.id, ids), notificationVisible(viewer)));
}

/** Marks one item read: for a collapsed group, every unread notification of its thread (or entry). */
export async function markGroupRead(db: Executor, viewer: MemberViewer, id: number): Promise<boolean> {
  const rows = await db.execute(sql`
    with target as (select ${notifications.id} as id, ${notifications.kind} as kind, ${notifications.threadId} as thread_id,
        ${notifications.blogEntryId} as entry_id, ${notifications.readAt} as read_at
      from ${notifications} where ${notifications.id} = ${id} and ${notificationVisible(viewer)})
    update ${notifications} set read_at = now()
    from target
    where ${notifications.recipientId} = ${viewer.id} and ${notifications.readAt} is null
      and (${notifications.id} = target.id
        or (target.read_at is null and target.kind in ('reply_to_thread', 'watched_post')
          and ${notifications.kind} in ('reply_to_thread', 'watched_post') and ${notifications.threadId} = target.thread_id)
        or (target.read_at is null and target.kind in ('blog_comment', 'blog_comment_followed')
          and ${notifications.kind} in ('blog_comment', 'blog_comment_followed') and ${notifications.blogEntryId} = target.entry_id))
    returning ${notifications.id}`);
  return rowsOf(rows).length > 0;
}

export async function markAllRead(db: Executor, viewerId: string): Promise<void> {
  await db.update(notifications).set({ readAt: new Date() }).where(and(eq(notifications.recipientId, viewerId), isNull(notifications.readAt)));
}

/** Reading a thread reads its notifications (replies, mentions) up to the last post shown. */
export async function markThreadRead(db: Executor, viewerId: string, threadId: number, upToNumber: number): Promise<void> {
  await db.execute(sql`
    update ${notifications} set read_at = now()
    where ${notifications.recipientId} = ${viewerId} and ${notifications.threadId} = ${threadId} and ${notifications.readAt} is null
      and ${notifications.kind} in ('reply_to_thread', 'reply_to_post', 'quote', 'mention', 'watched_post')
      and ${notifications.postId} in (select ${posts.id} from ${posts} where ${posts.threadId} = ${threadId} and ${posts.number} <= ${upToNumber})`);
}

// Watching.

export async function setThreadWatch(db: Executor, userId: string, threadId: number, level: WatchLevel | null): Promise<void> {
  if (level === null) {
    await db.delete(threadWatches).where(and(eq(threadWatches.userId, userId), eq(threadWatches.threadId, threadId)));
    return;
  }
  await db
    .insert(threadWatches)
    .values({ userId, threadId, level })
    .onConflictDoUpdate({ target: [threadWatches.threadId, threadWatches.userId], set: { level, updatedAt: new Date() } });
}

export async function setBoardWatch(db: Executor, userId: string, boardId: number, level: WatchLevel | null): Promise<void> {
  if (level === null) {
    await db.delete(boardWatches).where(and(eq(boardWatches.userId, userId), eq(boardWatches.boardId, boardId)));
    return;
  }
  await db
    .insert(boardWatches)
    .values({ userId, boardId, level })
    .onConflictDoUpdate({ target: [boardWatches.boardId, boardWatches.userId], set: { level, updatedAt: new Date() } });
}

export async function setSpaceWatch(db: Executor, userId: string, spaceId: number, level: WatchLevel | null): Promise<void> {
  if (level === null) {
    await db.delete(spaceWatches).where(and(eq(spaceWatches.userId, userId), eq(spaceWatches.spaceId, spaceId)));
    return;
  }
  await db
    .insert(spaceWatches)
    .values({ userId, spaceId, level })
    .onConflictDoUpdate({ target: [spaceWatches.spaceId, spaceWatches.userId], set: { level, updatedAt: new Date() } });
}

/** The member's own watch rows for a thread, its board and its space (their own settings, no content). */
export async function findOwnWatchLevels(db: Executor, userId: string, target: { threadId?: number; boardId?: number; spaceId?: number }) {
  const [thread, board, space] = await Promise.all([
    target.threadId === undefined
      ? undefined
      : db.select({ level: threadWatches.level }).from(threadWatches).where(and(eq(threadWatches.userId, userId), eq(threadWatches.threadId, target.threadId))),
    target.boardId === undefined
      ? undefined
      : db.select({ level: boardWatches.level }).from(boardWatches).where(and(eq(boardWatches.userId, userId), eq(boardWatches.boardId, target.boardId))),
    target.spaceId === undefined
      ? undefined
      : db.select({ level: spaceWatches.level }).from(spaceWatches).where(and(eq(spaceWatches.userId, userId), eq(spaceWatches.spaceId, target.spaceId))),
  ]);
  return { thread: thread?.[0]?.level ?? null, board: board?.[0]?.level ?? null, space: space?.[0]?.level ?? null };
}

export async function findPreferences(db: Executor, userId: string) {
  const [row] = await db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, userId));
  return { watchStarted: row?.watchStarted ?? false, watchReplied: row?.watchReplied ?? false };
}

export async function savePreferences(db: Executor, userId: string, prefs: { watchStarted: boolean; watchReplied: boolean }): Promise<void> {
  await db
    .insert(notificationPreferences)
    .values({ userId, ...prefs })
    .onConflictDoUpdate({ target: notificationPreferences.userId, set: { ...prefs, updatedAt: new Date() } });
}

// Unread tracking.

/**
 * For threads of a board page: how many posts came after the viewer last read each (threads they
 * never opened, or muted, have none). Numbers only; the threads were read through the predicate.
 */
export async function findUnreadCounts(db: Executor, viewer: Viewer, threadIds: number[]): Promise<Map<number, { unread: number; firstUnread: number }>> {
  if (threadIds.length === 0 || viewer.kind !== 'member') return new Map();
  const rows = await db
    .select({ threadId: threads.id, postCount: threads.postCount, lastRead: threadReads.lastReadNumber })
    .from(threads)
    .innerJoin(threadReads, and(eq(threadReads.threadId, threads.id), eq(threadReads.userId, viewer.id)))
    .innerJoin(boards, eq(boards.id, threads.boardId))
    .where(
      and(
        inArray(threads.id, threadIds),
        threadVisible(viewer),
        sql`not exists (select 1 from ${threadWatches} where ${threadWatches.threadId} = ${threads.id} and ${threadWatches.userId} = ${viewer.id} and ${threadWatches.level} = 'muted')`,
        sql`not exists (select 1 from ${boardWatches} where ${boardWatches.boardId} = ${threads.boardId} and ${boardWatches.userId} = ${viewer.id} and ${boardWatches.level} = 'muted')`,
        sql`not exists (select 1 from ${spaceWatches} where ${spaceWatches.spaceId} = ${boards.spaceId} and ${spaceWatches.userId} = ${viewer.id} and ${spaceWatches.level} = 'muted')`,
      ),
    );
  return new Map(rows.filter((r) => r.postCount > r.lastRead).map((r) => [r.threadId, { unread: r.postCount - r.lastRead, firstUnread: r.lastRead + 1 }]));
}

/** The first post number after what the viewer last read in a thread (1 when never opened). */
export async function findFirstUnreadNumber(db: Executor, viewer: Viewer, threadId: number): Promise<number> {
  if (viewer.kind !== 'member') return 1;
  const [row] = await db
    .select({ lastRead: threadReads.lastReadNumber, postCount: threads.postCount })
    .from(threads)
    .leftJoin(threadReads, and(eq(threadReads.threadId, threads.id), eq(threadReads.userId, viewer.id)))
    .where(and(eq(threads.id, threadId), threadVisible(viewer)));
  if (!row) return 0;
  return Math.min((row.lastRead ?? 0) + 1, Math.max(1, row.postCount));
}

// Mention autocomplete.

/**
 * Handles starting with `prefix` of members who can read the space's content: for a confidential
 * space its active members who accepted the rules; for others any member. The space was read
 * through the asker's predicate by the caller, so nothing is said about places they cannot see.
 */
export async function listMentionable(db: Executor, spaceId: number, prefix: string, limit: number) {
  const pattern = `${prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return db
    .select({ handle: users.handle, displayName: users.displayName })
    .from(users)
    .where(
      and(
        sql`lower(${users.handle}) like ${pattern}`,
        eq(users.status, 'active'),
        sql`exists (select 1 from ${spaces} where ${spaces.id} = ${spaceId} and ${spaceContentVisibleTo(users.id)})`,
      ),
    )
    .orderBy(sql`lower(${users.handle})`)
    .limit(limit);
}

/** Who each of these notifications is for: ids only, for the e-mail job (which then reads each as its recipient). */
export async function findRecipientsOf(db: Executor, ids: number[]): Promise<{ id: number; recipientId: string }[]> {
  if (ids.length === 0) return [];
  return db.select({ id: notifications.id, recipientId: notifications.recipientId }).from(notifications).where(inArray(notifications.id, ids));
}

/** Members who asked for a daily digest, have a verified address and unread notifications since `since`. */
export async function findDigestRecipients(db: Executor, since: Date): Promise<string[]> {
  const rows = await db
    .selectDistinct({ id: notifications.recipientId })
    .from(notifications)
    .innerJoin(users, eq(users.id, notifications.recipientId))
    .where(and(gte(notifications.createdAt, since), isNull(notifications.readAt), eq(users.emailNotifications, 'daily'), isNotNull(users.emailVerifiedAt)));
  return rows.map((r) => r.id);
}

/** The viewer's unread notifications since `since` that they may still read, oldest first. */
export async function findUnreadSince(db: Executor, viewer: Viewer, since: Date, limit: number): Promise<number[]> {
  const rows = await db
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(gte(notifications.createdAt, since), isNull(notifications.readAt), notificationVisible(viewer)))
    .orderBy(notifications.id)
    .limit(limit);
  return rows.map((r) => r.id);
}
