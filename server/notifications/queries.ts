import { and, eq, gt, inArray, isNotNull, isNull, sql, type Placeholder, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { rowsOf, type Executor } from '../../db/client.ts';
import { integerLiteral } from '../../db/integer-literal.ts';
import { namedStatement, onAnyExecutor, oncePerDatabase, withGenericPlans } from '../../db/named-statement.ts';
import {
  blogComments,
  blogEntries,
  boardWatches,
  boards,
  notificationPreferences,
  notifications,
  outboxMessages,
  posts,
  spaceMembers,
  spaces,
  spaceWatches,
  threadReads,
  threadWatches,
  threads,
  users,
} from '../../db/schema/index.ts';
import {
  blogCommentVisible,
  blogCommentVisibleTo,
  notificationVisible,
  perSiteRole,
  postVisibleTo,
  spaceContentVisibleTo,
  threadVisible,
  threadVisibleTo,
  type MemberViewer,
  type PolicyMember,
  type PolicyViewer,
  type Viewer,
} from '../policy/index.ts';

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

/** A new notification, and whether its recipient asked for an e-mail at once (verified address, "immediately"). */
export interface CreatedNotification {
  id: number;
  emailNow: boolean;
}

/**
 * Wraps `INSERT INTO notifications …` (without RETURNING) so that the statement answers each new
 * row with its recipient's e-mail wish, read in the same statement: the write queues an e-mail job
 * only when someone may get one, without another round trip (most members never asked for e-mails).
 */
function returningCreated(insert: SQL): SQL {
  return sql`
    with created as (${insert} returning id, recipient_id)
    select created.id, (${users.emailNotifications} = 'immediately' and ${users.emailVerifiedAt} is not null) as email_now
    from created join ${users} on ${users.id} = created.recipient_id
    order by created.id`;
}

type CreatedRow = { id: number | string; email_now: boolean };
const toCreated = (rows: CreatedRow[]): CreatedNotification[] => rows.map((r) => ({ id: Number(r.id), emailNow: r.email_now }));

async function insertReturningCreated(db: Executor, insert: SQL): Promise<CreatedNotification[]> {
  return toCreated(rowsOf<CreatedRow>(await db.execute(returningCreated(insert))));
}

/**
 * The member's effective level for a thread: the most specific watch row (thread, then board,
 * then space); null when there is none.
 */
function effectiveLevel(userId: SQL, threadId: SQL, boardId: SQL, spaceId: SQL): SQL {
  return sql`coalesce(
    (select ${threadWatches.level} from ${threadWatches} where ${threadWatches.threadId} = ${threadId} and ${threadWatches.userId} = ${userId}),
    (select ${boardWatches.level} from ${boardWatches} where ${boardWatches.boardId} = ${boardId} and ${boardWatches.userId} = ${userId}),
    (select ${spaceWatches.level} from ${spaceWatches} where ${spaceWatches.spaceId} = ${spaceId} and ${spaceWatches.userId} = ${userId}))`;
}

/**
 * One INSERT … SELECT for everyone a new post concerns, each once, under the most specific reason
 * (mention, quote, reply to their post, reply to their thread, watching): never the author, never
 * someone who muted the place, never someone who cannot read the post.
 *
 * A named prepared statement (every value a parameter, so the text never changes) with one generic
 * plan: planning its sub-queries cost PostgreSQL several times what running them does, on every
 * reply and new thread. It runs inside their transactions.
 */
const newPostFanOut = (() => {
  const p = (name: string) => sql.placeholder(name);
  const threadId = sql`${p('threadId')}::bigint`;
  const boardId = sql`${p('boardId')}::bigint`;
  const spaceId = sql`${p('spaceId')}::bigint`;
  const postId = sql`${p('postId')}::bigint`;
  const actorId = sql`${p('actorId')}::text`;
  const others = sql`${p('others')}::boolean`;
  const candidate = sql.raw('candidate.user_id');
  return namedStatement<CreatedRow>(
    'notifications_for_new_post',
    returningCreated(sql`
    insert into ${notifications} (recipient_id, kind, actor_id, thread_id, post_id)
    select distinct on (candidate.user_id) candidate.user_id, candidate.kind::notification_kind, ${actorId}, ${threadId}, ${postId}
    from (
      select ${users.id} as user_id, 'mention' as kind, 1 as rank from ${users} where lower(${users.handle}) = any(${p('mentioned')}::text[])
      union all select ${posts.authorId}, 'quote', 2 from ${posts}
        where ${others} and (${posts.threadId}, ${posts.number}) in (select * from unnest(${p('quotedThreads')}::bigint[], ${p('quotedNumbers')}::integer[]))
      union all select ${posts.authorId}, 'reply_to_post', 3 from ${posts} where ${others} and ${posts.id} = ${p('replyToPostId')}::bigint
      union all select ${threads.authorId}, 'reply_to_thread', 4 from ${threads} where ${others} and ${threads.id} = ${threadId} and ${p('number')}::integer > 1
      union all select ${threadWatches.userId}, 'watched_post', 5 from ${threadWatches} where ${others} and ${threadWatches.threadId} = ${threadId} and ${threadWatches.level} = 'watching'
      union all select ${boardWatches.userId}, 'watched_post', 5 from ${boardWatches} where ${others} and ${boardWatches.boardId} = ${boardId} and ${boardWatches.level} = 'watching'
      union all select ${spaceWatches.userId}, 'watched_post', 5 from ${spaceWatches} where ${others} and ${spaceWatches.spaceId} = ${spaceId} and ${spaceWatches.level} = 'watching'
    ) as candidate
    cross join lateral (select ${effectiveLevel(candidate, threadId, boardId, spaceId)} as level) as watch
    where candidate.user_id <> ${actorId}
      and watch.level is distinct from 'muted'
      and (candidate.kind <> 'watched_post' or watch.level = 'watching')
      and exists (select 1 from ${posts} where ${posts.id} = ${postId} and ${postVisibleTo(candidate)})
    order by candidate.user_id, candidate.rank`),
    // Planned for its values, the statement cost PostgreSQL three times what running it did (the
    // values switch branches off, so every such plan looked cheaper than the generic one).
    { genericPlan: true },
  );
})();

export async function insertForNewPost(db: Executor, f: NewPostFacts): Promise<CreatedNotification[]> {
  const rows = await newPostFanOut.execute(db, {
    postId: f.postId,
    threadId: f.threadId,
    boardId: f.boardId,
    spaceId: f.spaceId,
    number: f.number,
    actorId: f.actorId,
    replyToPostId: f.replyToPostId ?? 0,
    mentioned: f.mentioned,
    quotedThreads: f.quoted.map((qp) => qp.threadId),
    quotedNumbers: f.quoted.map((qp) => qp.number),
    others: !f.mentionsOnly,
  });
  return toCreated(rows);
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
export async function insertDirect(db: Executor, n: DirectNotification, mustSee: 'post' | 'thread' | 'none'): Promise<CreatedNotification[]> {
  const recipient = sql`${n.recipientId}`;
  const check =
    mustSee === 'post'
      ? sql`exists (select 1 from ${posts} where ${posts.id} = ${n.postId ?? 0} and ${postVisibleTo(recipient)})`
      : mustSee === 'thread'
        ? sql`exists (select 1 from ${threads} where ${threads.id} = ${n.threadId ?? 0} and ${threadVisibleTo(recipient)})`
        : sql`true`;
  return insertReturningCreated(
    db,
    sql`
    insert into ${notifications} (recipient_id, kind, actor_id, thread_id, post_id, blog_entry_id, space_id, review_item_id, outcome)
    select ${n.recipientId}, ${n.kind}::notification_kind, ${n.actorId ?? null}, ${n.threadId ?? null}::bigint, ${n.postId ?? null}::bigint,
      ${n.blogEntryId ?? null}::bigint, ${n.spaceId ?? null}::bigint, ${n.reviewItemId ?? null}::bigint, ${n.outcome ?? null}
    where ${n.recipientId} is distinct from ${n.actorId ?? null} and ${check}`,
  );
}

/** The space's active members (but the actor) learn its ground rules changed: one INSERT … SELECT. */
export async function insertForRulesChange(db: Executor, spaceId: number, actorId: string): Promise<CreatedNotification[]> {
  return insertReturningCreated(
    db,
    sql`
    insert into ${notifications} (recipient_id, kind, actor_id, space_id)
    select ${spaceMembers.userId}, 'space_rules_changed', ${actorId}, ${spaceId}::bigint from ${spaceMembers}
    where ${spaceMembers.spaceId} = ${spaceId} and ${spaceMembers.status} = 'active' and ${spaceMembers.userId} <> ${actorId}`,
  );
}

/** A request to join reaches the space's active owners and moderators, who decide it. */
export async function insertForJoinRequest(db: Executor, spaceId: number, actorId: string): Promise<CreatedNotification[]> {
  return insertReturningCreated(
    db,
    sql`
    insert into ${notifications} (recipient_id, kind, actor_id, space_id)
    select ${spaceMembers.userId}, 'space_requested', ${actorId}, ${spaceId}::bigint from ${spaceMembers}
    where ${spaceMembers.spaceId} = ${spaceId} and ${spaceMembers.status} = 'active' and ${spaceMembers.role} in ('owner', 'moderator')
      and ${spaceMembers.userId} <> ${actorId}`,
  );
}

/** Requests that were decided, withdrawn or closed: their "asked to join" notices are read for everyone. */
export async function markJoinRequestsSettled(db: Executor, spaceId: number, requesterIds: string[]): Promise<void> {
  if (requesterIds.length === 0) return;
  await db
    .update(notifications)
    .set({ readAt: sql`now()` })
    .where(
      and(
        eq(notifications.kind, 'space_requested'),
        eq(notifications.spaceId, spaceId),
        inArray(notifications.actorId, requesterIds),
        isNull(notifications.readAt),
      ),
    );
}

/** Each scheduled entry that just went out tells its author. */
export async function insertForPublishedEntries(db: Executor, entries: { id: number; authorId: string }[]): Promise<CreatedNotification[]> {
  if (entries.length === 0) return [];
  const values = sql.join(
    entries.map((e) => sql`(${e.authorId}, 'blog_published'::notification_kind, ${e.id}::bigint)`),
    sql`, `,
  );
  return insertReturningCreated(db, sql`insert into ${notifications} (recipient_id, kind, blog_entry_id) values ${values}`);
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
export async function insertForNewComment(db: Executor, f: NewCommentFacts): Promise<CreatedNotification[]> {
  const candidate = sql.raw('candidate.user_id');
  return insertReturningCreated(
    db,
    sql`
    insert into ${notifications} (recipient_id, kind, actor_id, blog_entry_id, blog_comment_id)
    select distinct on (candidate.user_id) candidate.user_id, candidate.kind::notification_kind, ${f.actorId}, ${f.entryId}::bigint, ${f.commentId}::bigint
    from (
      select ${blogEntries.authorId} as user_id, 'blog_comment' as kind, 1 as rank from ${blogEntries} where ${blogEntries.id} = ${f.entryId}
      union all select ${blogComments.authorId}, 'blog_comment_followed', 2 from ${blogComments}
        where ${blogComments.entryId} = ${f.entryId} and ${blogComments.id} <> ${f.commentId} and ${blogComments.deletedAt} is null
    ) as candidate
    where candidate.user_id <> ${f.actorId}
      and exists (select 1 from ${blogComments} where ${blogComments.id} = ${f.commentId} and ${blogCommentVisibleTo(candidate)})
    order by candidate.user_id, candidate.rank`,
  );
}

/** A comment a moderator just approved, for its notifications: its entry and author. A write path; never returned to a client. */
export async function findNewCommentFacts(db: Executor, commentId: number): Promise<NewCommentFacts | undefined> {
  const [row] = await db
    .select({ commentId: blogComments.id, entryId: blogComments.entryId, actorId: blogComments.authorId })
    .from(blogComments)
    .where(eq(blogComments.id, commentId));
  return row;
}

/** The level a member's posting gives them in a thread: tracking, or watching by their preference. */
function levelOnPosting(userId: SQL | string, started: boolean): SQL {
  const pref = started ? notificationPreferences.watchStarted : notificationPreferences.watchReplied;
  return sql`coalesce((select case when ${pref} then 'watching' end from ${notificationPreferences} where ${notificationPreferences.userId} = ${userId}), 'tracking')::watch_level`;
}

/** The thread a member starts or replies in gets their default level, unless they chose one already. */
export async function watchOnPosting(db: Executor, userId: string, threadId: number, started: boolean): Promise<void> {
  await db.insert(threadWatches).values({ userId, threadId, level: levelOnPosting(userId, started) }).onConflictDoNothing();
}

/**
 * `watchOnPosting` as a step of the statement that writes the post (a data-modifying `WITH`, which
 * PostgreSQL runs whether or not the rest reads it): a round trip fewer for every reply and new
 * thread. `threadId` may name the thread that same statement creates.
 */
export function watchOnPostingStep(db: Executor, { userId, threadId, started }: { userId: SQL | Placeholder; threadId: SQL | Placeholder; started: boolean }) {
  return db.$with('author_watch').as(
    db
      .insert(threadWatches)
      .values({ userId, threadId, level: levelOnPosting(sql`${userId}::text`, started) })
      .onConflictDoNothing()
      .returning({ threadId: threadWatches.threadId }),
  );
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

/** A page of notification groups, and one more to tell whether another page follows. */
export const NOTIFICATIONS_PER_PAGE = 20;
const NOTIFICATION_GROUPS_READ = NOTIFICATIONS_PER_PAGE + 1;

/*
 * The list and its details are named statements, one per site role (the member's id a parameter):
 * sent as new statements, both were planned on every page, and planning the visibility rules of
 * every kind took PostgreSQL longer than running them (the list: ~5.8 ms of planning for 0.3 ms of
 * running). Named, the list was still planned for its values on every run (its generic plan is
 * costed a few percent higher), so the service reads it with `withGenericPlans`.
 */
const groupStatements = perSiteRole((viewer, role) =>
  namedStatement<{ last_id: number | string; first_id: number | string; n: number; unread: boolean }>(
    `notification_groups_${role}`,
    sql`
    select max(${notifications.id}) as last_id, min(${notifications.id}) as first_id, count(*)::int as n, bool_or(${notifications.readAt} is null) as unread
    from ${notifications} where ${notificationVisible(viewer)}
    group by ${groupKey()}
    having max(${notifications.id}) < coalesce(${sql.placeholder('before')}::bigint, 9223372036854775807)
    order by max(${notifications.id}) desc
    limit ${integerLiteral(NOTIFICATION_GROUPS_READ)}`,
  ),
);

/** One page of the viewer's notifications, collapsed, newest first, plus one group when another page follows. */
export async function listGroups(db: Executor, viewer: MemberViewer, before?: number): Promise<NotificationGroup[]> {
  const rows = await groupStatements[viewer.role].execute(db, { viewerId: viewer.id, before: before ?? null });
  return rows.map((r) => ({
    lastId: Number(r.last_id),
    firstId: Number(r.first_id),
    count: Number(r.n),
    unread: r.unread,
  }));
}

/** The bell's number: unread items as the list shows them (collapsed). */
function unreadGroupsQuery(db: Executor, viewer: PolicyViewer) {
  return db
    .select({ n: sql<number>`count(distinct ${groupKey()})::int` })
    .from(notifications)
    .where(sql`${notificationVisible(viewer)} and ${notifications.readAt} is null`);
}

function anyUnreadQuery(db: Executor) {
  return db
    .select({ id: notifications.id })
    .from(notifications)
    .where(sql`${notifications.recipientId} = ${sql.placeholder('viewerId')} and ${notifications.readAt} is null`)
    .limit(1);
}

/**
 * The bell's count, prepared once per database handle and site role (the predicate differs by
 * role, never by member: the member's id is the statement's parameter). It is on every signed-in
 * page. Its predicate is every kind's visibility rule: a generic plan of 185 lines and 51
 * sub-plans, which PostgreSQL sets up on every run before reading a row (~0.4–0.8 ms of bind for
 * ~0.03 ms of running, measured 2026-11-27). So `anyUnread`, a cheap question, goes first: a
 * member with nothing unread never runs `count`. For one who has, PostgreSQL planned the count for
 * their id on every page (8.2 ms of `bind` for 0.19 ms of running, on the bench database after
 * its write runs), so it runs on generic plans (`withGenericPlans`: three short round trips).
 */
export function prepareUnreadGroupCount(db: Executor): { anyUnread(viewer: MemberViewer): Promise<boolean>; count(viewer: MemberViewer): Promise<number> } {
  const anyUnread = anyUnreadQuery(db).prepare('any_unread_notification');
  const byRole = perSiteRole((viewer, role) => onAnyExecutor(unreadGroupsQuery(db, viewer).prepare(`unread_groups_${role}`)));
  return {
    anyUnread: async (viewer) => (await anyUnread.execute({ viewerId: viewer.id })).length > 0,
    async count(viewer) {
      const [row] = await withGenericPlans(db, (tx) => byRole[viewer.role](tx, { viewerId: viewer.id }));
      return Number(row?.n ?? 0);
    },
  };
}

const actor = alias(users, 'actor');

function detailsQuery(db: Executor, viewer: PolicyMember) {
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
      /**
       * The post's (or blog comment's) rendering, for the excerpt; the e-mail composers drop it for a
       * confidential space. A comment counts only while the viewer may still read it.
       */
      postHtml: sql<string | null>`coalesce(${posts.bodyHtml}, ${blogComments.bodyHtml})`,
      spaceName: spaces.name,
      spaceSlug: spaces.slug,
      spaceLevel: spaces.level,
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
    .leftJoin(blogComments, and(eq(blogComments.id, notifications.blogCommentId), blogCommentVisible(viewer)))
    .where(and(sql`${notifications.id} = any(${sql.placeholder('ids')}::bigint[])`, notificationVisible(viewer)));
}

const detailStatements = oncePerDatabase((db) => perSiteRole((viewer, role) => onAnyExecutor(detailsQuery(db, viewer).prepare(`notification_details_${role}`))));

/**
 * What the notifications with these ids are about, each read through the viewer's predicates.
 * Runs on `exec` (the database or a transaction) with the statements built once for `db`.
 */
export async function findDetails(db: Executor, exec: Executor, viewer: MemberViewer, ids: number[]) {
  if (ids.length === 0) return [];
  return detailStatements(db)[viewer.role](exec, { ids, viewerId: viewer.id });
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

/**
 * Reading a thread reads its notifications (replies, mentions) up to the last post shown. Run on
 * every signed-in thread page, so its text is built once.
 */
const markThreadReadStatement = (() => {
  const viewerId = sql`${sql.placeholder('viewerId')}::text`;
  const threadId = sql`${sql.placeholder('threadId')}::bigint`;
  return namedStatement(
    'mark_thread_read',
    sql`
    update ${notifications} set read_at = now()
    where ${notifications.recipientId} = ${viewerId} and ${notifications.threadId} = ${threadId} and ${notifications.readAt} is null
      and ${notifications.kind} in ('reply_to_thread', 'reply_to_post', 'quote', 'mention', 'watched_post')
      and ${notifications.postId} in (select ${posts.id} from ${posts} where ${posts.threadId} = ${threadId} and ${posts.number} <= ${sql.placeholder('upToNumber')}::int)
    returning 1`,
  );
})();

/** How many notifications it read. */
export async function markThreadRead(db: Executor, viewerId: string, threadId: number, upToNumber: number): Promise<number> {
  return (await markThreadReadStatement.execute(db, { viewerId, threadId, upToNumber })).length;
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

/** The member's own watch levels for a thread, its board and its space (their own settings, no content). */
export interface OwnWatchLevels {
  thread: WatchLevel | null;
  board: WatchLevel | null;
  space: WatchLevel | null;
}

/** The member's own watch levels for a place, as expressions any statement can select (ids as SQL); a visitor's (`null`) are none. */
export function ownWatchLevels(userId: SQL | null, place: { threadId: SQL; boardId: SQL; spaceId: SQL }) {
  if (userId === null) return { thread: sql<WatchLevel | null>`null`, board: sql<WatchLevel | null>`null`, space: sql<WatchLevel | null>`null` };
  return {
    thread: sql<WatchLevel | null>`(select ${threadWatches.level} from ${threadWatches} where ${threadWatches.userId} = ${userId} and ${threadWatches.threadId} = ${place.threadId})`,
    board: sql<WatchLevel | null>`(select ${boardWatches.level} from ${boardWatches} where ${boardWatches.userId} = ${userId} and ${boardWatches.boardId} = ${place.boardId})`,
    space: sql<WatchLevel | null>`(select ${spaceWatches.level} from ${spaceWatches} where ${spaceWatches.userId} = ${userId} and ${spaceWatches.spaceId} = ${place.spaceId})`,
  };
}

/**
 * The member's own watch rows for a thread, its board and its space, in one prepared statement
 * (a thread or board page shows the watch control on every signed-in view: one round trip, not
 * three). An id left out matches nothing.
 */
export function prepareOwnWatchLevels(db: Executor) {
  const userId = sql.placeholder('userId');
  const statement = db
    .select(ownWatchLevels(sql`${userId}`, { threadId: sql`${sql.placeholder('threadId')}`, boardId: sql`${sql.placeholder('boardId')}`, spaceId: sql`${sql.placeholder('spaceId')}` }))
    .from(users)
    .where(eq(users.id, userId))
    .prepare('own_watch_levels');
  return async (memberId: string, target: { threadId?: number; boardId?: number; spaceId?: number }) => {
    const [row] = await statement.execute({ userId: memberId, threadId: target.threadId ?? null, boardId: target.boardId ?? null, spaceId: target.spaceId ?? null });
    return { thread: row?.thread ?? null, board: row?.board ?? null, space: row?.space ?? null };
  };
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
function unreadCountsQuery(db: Executor, viewer: PolicyMember) {
  return db
    .select({ threadId: threads.id, postCount: threads.postCount, lastRead: threadReads.lastReadNumber })
    .from(threads)
    .innerJoin(threadReads, and(eq(threadReads.threadId, threads.id), eq(threadReads.userId, viewer.id)))
    .innerJoin(boards, eq(boards.id, threads.boardId))
    .where(
      and(
        // An array parameter rather than `in (…)`: one statement whatever the number of threads.
        sql`${threads.id} = any(${sql.placeholder('threadIds')}::bigint[])`,
        threadVisible(viewer),
        sql`not exists (select 1 from ${threadWatches} where ${threadWatches.threadId} = ${threads.id} and ${threadWatches.userId} = ${viewer.id} and ${threadWatches.level} = 'muted')`,
        sql`not exists (select 1 from ${boardWatches} where ${boardWatches.boardId} = ${threads.boardId} and ${boardWatches.userId} = ${viewer.id} and ${boardWatches.level} = 'muted')`,
        sql`not exists (select 1 from ${spaceWatches} where ${spaceWatches.spaceId} = ${boards.spaceId} and ${spaceWatches.userId} = ${viewer.id} and ${spaceWatches.level} = 'muted')`,
      ),
    );
}

/**
 * New posts since the member last read, for the threads of a board page: prepared once per database
 * handle and site role (the member's id is the parameter `viewerId`). PostgreSQL spent ~1.9 ms
 * planning it for ~0.2 ms of running it, on every signed-in board page.
 */
export function prepareUnreadCounts(db: Executor) {
  const byRole = perSiteRole((viewer, role) => unreadCountsQuery(db, viewer).prepare(`unread_counts_${role}`));
  return async (viewer: Viewer, threadIds: number[]): Promise<Map<number, { unread: number; firstUnread: number }>> => {
    if (threadIds.length === 0 || viewer.kind !== 'member') return new Map();
    const rows = await byRole[viewer.role].execute({ threadIds, viewerId: viewer.id });
    return new Map(rows.filter((r) => r.postCount > r.lastRead).map((r) => [r.threadId, { unread: r.postCount - r.lastRead, firstUnread: r.lastRead + 1 }]));
  };
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
/**
 * Members who chose the daily digest (verified address) with unread notifications since their
 * previous digest (the newest 'digest' message in the outbox), or since `firstWindowMs` before
 * `now` when they have had none; never further back than `maxWindowMs`. Ids and moments only.
 */
export async function findDigestRecipients(db: Executor, now: Date, firstWindowMs: number, maxWindowMs: number): Promise<{ recipientId: string; since: Date }[]> {
  // Spelled out with table names: in a select list Drizzle would print the columns bare, and
  // "user_id" = "id" inside the sub-select would compare the outbox row with itself.
  const since = sql<Date>`greatest(
    coalesce((select max(prior.created_at) from ${outboxMessages} as prior where prior.user_id = ${users}.id and prior.kind = 'digest'),
      ${new Date(now.getTime() - firstWindowMs).toISOString()}::timestamptz),
    ${new Date(now.getTime() - maxWindowMs).toISOString()}::timestamptz)`;
  const rows = await db
    .select({ recipientId: users.id, since: since.mapWith((value: string | Date) => new Date(value)) })
    .from(users)
    .where(
      and(
        eq(users.emailNotifications, 'daily'),
        isNotNull(users.emailVerifiedAt),
        sql`exists (select 1 from ${notifications} where ${notifications.recipientId} = ${users.id} and ${notifications.readAt} is null and ${notifications.createdAt} > ${since})`,
      ),
    );
  return rows;
}

/** The viewer's unread notifications since `since` that they may still read, oldest first. */
export async function findUnreadSince(db: Executor, viewer: Viewer, since: Date, limit: number): Promise<number[]> {
  const rows = await db
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(gt(notifications.createdAt, since), isNull(notifications.readAt), notificationVisible(viewer)))
    .orderBy(notifications.id)
    .limit(limit);
  return rows.map((r) => r.id);
}
