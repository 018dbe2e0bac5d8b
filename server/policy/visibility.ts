import { and, isNull, sql, type AnyColumn, type Placeholder, type SQL } from 'drizzle-orm';
import { blogComments, blogEntries, boards, moderationLog, notifications, posts, replyDrafts, reviewItems, spaceMembers, spaces, threadDrafts, threads, users } from '../../db/schema/index.ts';
import type { PolicyViewer } from './viewer.ts';

/*
 * Visibility predicates: the only definition of "who may read what".
 * Each is a SQL condition over ONE table, so a query reads a record as `id AND visible(viewer)` —
 * never fetched first and checked after. Membership is looked up in the same statement, so a
 * member removed a second ago loses access at once.
 *
 * Site admins and moderators get nothing extra here: they are outsiders to a confidential space
 * unless they are members of it.
 */

/*
 * Membership is asked as `spaces.id in (the member's spaces)`, not as a correlated `exists` per
 * space: PostgreSQL then reads the member's few memberships once per statement into a hash,
 * where `exists` probed space_members once for every private space a list passes (200 probes for
 * the home page's latest threads on the bench's data), and its plans were slower to make.
 */

/** The space itself (its name, description, rules): confidential spaces only for active members. */
export function spaceVisible(viewer: PolicyViewer): SQL {
  if (viewer.kind === 'anonymous') return sql`${spaces.level} = 'public'`;
  return sql`(${spaces.level} in ('public', 'members') or ${spaces.id} in (
    select ${spaceMembers.spaceId} from ${spaceMembers}
    where ${spaceMembers.userId} = ${viewer.id}
      and ${spaceMembers.status} = 'active'))`;
}

/**
 * The space's content (boards, threads, posts): as above, and in a confidential space only once
 * the member has accepted the current version of its ground rules.
 */
export function spaceContentVisible(viewer: PolicyViewer): SQL {
  if (viewer.kind === 'anonymous') return sql`${spaces.level} = 'public'`;
  // Aliased: the caller's `spaces` is in scope, and the rules version compared is the space's own.
  return sql`(${spaces.level} in ('public', 'members') or ${spaces.id} in (
    select ${spaceMembers.spaceId} from ${spaceMembers} join ${spaces} as accepted_space on accepted_space.id = ${spaceMembers.spaceId}
    where ${spaceMembers.userId} = ${viewer.id}
      and ${spaceMembers.status} = 'active'
      and ${spaceMembers.rulesAcceptedVersion} >= accepted_space.rules_version))`;
}

/**
 * The audiences whose content the viewer may read, as a subquery of text keys: 'public' and
 * 'members' for every space of those levels, a confidential space's id for that space
 * (`search_audience`, migration 0020, which also keeps each thread's and post's `audience`). Only
 * the spaces `spaceContentVisible` lets through are mapped, so this is a necessary condition of
 * `threadVisible` and `postVisible`, never a sufficient one: it lets an index leave out what the
 * viewer cannot read before any row is touched (search), so that no statement's work grows with
 * content it cannot show. The row's own predicate still decides.
 */
export function readableAudiences(viewer: PolicyViewer): SQL {
  return sql`select distinct search_audience(${spaces.level}, ${spaces.id}) from ${spaces} where ${spaceContentVisible(viewer)}`;
}

/**
 * `readableAudiences` for blog entries and comments (migration 0021): public entries for everyone;
 * members-only entries and the viewer's own drafts ('author:<id>') for members; entries in spaces
 * as those spaces' audiences. Necessary, never sufficient: `blogEntryVisible` still decides.
 */
export function readableEntryAudiences(viewer: PolicyViewer): SQL {
  const member = viewer.kind === 'member' ? sql` union select 'members' union select ${`author:${viewer.id}`}` : sql``;
  return sql`select 'public'${member} union ${readableAudiences(viewer)}`;
}

/**
 * Whether the viewer moderates the space `spaceId` refers to: its active owners and moderators,
 * and site moderators and admins for every space that is not confidential (there they are
 * outsiders like anyone else).
 */
export function moderatesSpace(viewer: PolicyViewer, spaceId: AnyColumn | SQL): SQL {
  if (viewer.kind === 'anonymous') return sql`false`;
  // `in (subquery)` rather than a correlated `exists`: PostgreSQL hashes each set once per query,
  // which keeps long lists (the review queue) cheap to plan and to filter.
  const ownModerator = sql`${spaceId} in (select ${spaceMembers.spaceId} from ${spaceMembers}
    where ${spaceMembers.userId} = ${viewer.id}
      and ${spaceMembers.status} = 'active'
      and ${spaceMembers.role} in ('owner', 'moderator'))`;
  if (viewer.role === 'member') return ownModerator;
  // Aliased: callers often have `spaces` in scope already.
  return sql`(${ownModerator} or ${spaceId} in (select moderated_space.id from ${spaces} as moderated_space
    where moderated_space.level <> 'confidential'))`;
}

/**
 * A thread's moderation state, for queries that have joined its board's `spaces` row: held and
 * hidden threads are seen by their author and the space's moderators only.
 */
function threadStateVisible(viewer: PolicyViewer): SQL {
  if (viewer.kind === 'anonymous') return sql`${threads.status} = 'published'`;
  return sql`(${threads.status} = 'published' or ${threads.authorId} = ${viewer.id} or ${moderatesSpace(viewer, spaces.id)})`;
}

/** For queries that join a thread to its board and space: existence, space access and moderation state. */
export function threadInSpaceVisible(viewer: PolicyViewer): SQL {
  return and(isNull(threads.deletedAt), spaceContentVisible(viewer), threadStateVisible(viewer)) as SQL;
}

export function boardVisible(viewer: PolicyViewer): SQL {
  return sql`exists (select 1 from ${spaces} where ${spaces.id} = ${boards.spaceId} and ${spaceContentVisible(viewer)})`;
}

export function threadVisible(viewer: PolicyViewer): SQL {
  return and(
    isNull(threads.deletedAt),
    sql`exists (select 1 from ${boards} join ${spaces} on ${spaces.id} = ${boards.spaceId}
      where ${boards.id} = ${threads.boardId} and ${spaceContentVisible(viewer)} and ${threadStateVisible(viewer)})`,
  ) as SQL;
}

/**
 * `threadVisible` for the threads of one board: the same rule, with the board and its space checked
 * once per statement instead of once per thread (a board's page count of 2,000 threads took 2.2 ms
 * checking them 2,000 times). The board's id is part of the predicate, so it cannot be asked of
 * threads from anywhere else.
 */
export function threadOfBoardVisible(viewer: PolicyViewer, boardId: number | AnyColumn | SQL | Placeholder): SQL {
  const thisBoard = (also: SQL) => sql`exists (select 1 from ${boards} join ${spaces} on ${spaces.id} = ${boards.spaceId}
    where ${boards.id} = ${boardId} and ${spaceContentVisible(viewer)} and ${also})`;
  const state =
    viewer.kind === 'anonymous'
      ? sql`${threads.status} = 'published'`
      : sql`(${threads.status} = 'published' or ${threads.authorId} = ${viewer.id} or ${thisBoard(moderatesSpace(viewer, spaces.id))})`;
  return sql`(${threads.boardId} = ${boardId} and ${threads.deletedAt} is null and ${thisBoard(sql`true`)} and ${state})`;
}

/**
 * A post is readable when its thread is and it is published — or the viewer wrote it or
 * moderates its space (held and hidden posts). A removed post stays in place as a tombstone.
 */
export function postVisible(viewer: PolicyViewer): SQL {
  const state =
    viewer.kind === 'anonymous'
      ? sql`${posts.status} = 'published'`
      : sql`(${posts.status} = 'published' or ${posts.authorId} = ${viewer.id} or ${moderatesSpace(viewer, spaces.id)})`;
  return sql`exists (select 1 from ${threads} join ${boards} on ${boards.id} = ${threads.boardId} join ${spaces} on ${spaces.id} = ${boards.spaceId}
    where ${threads.id} = ${posts.threadId} and ${threadInSpaceVisible(viewer)} and ${state})`;
}

/**
 * `postVisible` for the posts of one thread: the same rule, with the thread, its board and space
 * checked once per statement (a thread page's 30 posts checked them 30 times). The thread's id is
 * part of the predicate, so it cannot be asked of posts from anywhere else.
 */
export function postOfThreadVisible(viewer: PolicyViewer, threadId: number | AnyColumn | SQL | Placeholder): SQL {
  const thisThread = (also: SQL) => sql`exists (select 1 from ${threads} join ${boards} on ${boards.id} = ${threads.boardId} join ${spaces} on ${spaces.id} = ${boards.spaceId}
    where ${threads.id} = ${threadId} and ${threadInSpaceVisible(viewer)} and ${also})`;
  const state =
    viewer.kind === 'anonymous'
      ? sql`${posts.status} = 'published'`
      : sql`(${posts.status} = 'published' or ${posts.authorId} = ${viewer.id} or ${thisThread(moderatesSpace(viewer, spaces.id))})`;
  return sql`(${posts.threadId} = ${threadId} and ${thisThread(sql`true`)} and ${state})`;
}

/**
 * A reply draft: its writer's alone, and only while they may still read its thread (a member
 * removed from a confidential space does not get the thread's words back through their draft).
 * `ownReplyDraft` is the first half, for a statement that has checked the thread already.
 */
export function ownReplyDraft(viewer: PolicyViewer, threadId: AnyColumn | SQL | Placeholder): SQL {
  if (viewer.kind === 'anonymous') return sql`false`;
  return sql`(${replyDrafts.userId} = ${viewer.id} and ${replyDrafts.threadId} = ${threadId})`;
}

export function replyDraftVisible(viewer: PolicyViewer): SQL {
  return sql`(${ownReplyDraft(viewer, replyDrafts.threadId)} and exists (select 1 from ${threads} join ${boards} on ${boards.id} = ${threads.boardId}
    join ${spaces} on ${spaces.id} = ${boards.spaceId} where ${threads.id} = ${replyDrafts.threadId} and ${threadInSpaceVisible(viewer)}))`;
}

/** A new thread's draft: the same rule as a reply's, over the board it is for. */
export function ownThreadDraft(viewer: PolicyViewer, boardId: AnyColumn | SQL | Placeholder): SQL {
  if (viewer.kind === 'anonymous') return sql`false`;
  return sql`(${threadDrafts.userId} = ${viewer.id} and ${threadDrafts.boardId} = ${boardId})`;
}

export function threadDraftVisible(viewer: PolicyViewer): SQL {
  return sql`(${ownThreadDraft(viewer, threadDrafts.boardId)} and exists (select 1 from ${boards} join ${spaces} on ${spaces.id} = ${boards.spaceId}
    where ${boards.id} = ${threadDrafts.boardId} and ${spaceContentVisible(viewer)}))`;
}

/**
 * A review item, for moderators: items in a space go to whoever moderates it (so a confidential
 * space's items reach its own moderators only); site-wide items (profiles) to site staff. Never to
 * the member it is about: a moderator does not decide flags on their own post or profile, nor
 * their own appeal, and does not learn who flagged them (the flag form promises as much; in a
 * group of eight a reason and a time can name the flagger too). Another moderator decides.
 */
export function reviewItemVisible(viewer: PolicyViewer): SQL {
  if (viewer.kind === 'anonymous') return sql`false`;
  return sql`(${moderatesPlace(viewer, reviewItems.spaceId)} and ${reviewItems.subjectId} <> ${viewer.id})`;
}

/** A line of the moderation log, for moderators: the same rule as review items. */
export function moderationLogVisible(viewer: PolicyViewer): SQL {
  return moderatesPlace(viewer, moderationLog.spaceId);
}

/** The public transparency page: actions on content in public spaces only, never on people or private places. */
export function moderationLogPublic(): SQL {
  return sql`exists (select 1 from ${spaces} as public_space where public_space.id = ${moderationLog.spaceId} and public_space.level = 'public')`;
}

function moderatesPlace(viewer: PolicyViewer, spaceId: AnyColumn): SQL {
  if (viewer.kind === 'anonymous') return sql`false`;
  const siteStaff = viewer.role === 'moderator' || viewer.role === 'admin';
  return sql`((${spaceId} is null and ${siteStaff ? sql`true` : sql`false`}) or ${moderatesSpace(viewer, spaceId)})`;
}

/**
 * An entry counts as published when it is, or when it was scheduled for a moment that has passed:
 * reading it this way publishes it on time even when no sweep ran (a restart, a second process).
 */
export function blogEntryLive(): SQL {
  return sql`(${blogEntries.status} = 'published' or (${blogEntries.status} = 'scheduled' and ${blogEntries.publishAt} <= now()))`;
}

/** Who moderates an entry: a space entry's space moderators; site staff for public and members entries. */
function moderatesBlogEntry(viewer: PolicyViewer): SQL {
  if (viewer.kind === 'anonymous') return sql`false`;
  const siteStaff = viewer.role === 'moderator' || viewer.role === 'admin';
  return sql`(case when ${blogEntries.visibility} = 'space' then ${moderatesSpace(viewer, blogEntries.spaceId)} else ${siteStaff ? sql`true` : sql`false`} end)`;
}

/**
 * A blog entry. Its audience: public entries anyone, members entries signed-in members, space
 * entries exactly the readers of that space's content (a confidential space: its active members
 * who accepted the current rules) — the author included, as in the forum. Within the audience,
 * drafts and entries not yet due are the author's alone; held and hidden entries are seen by the
 * author and whoever moderates the entry.
 */
export function blogEntryVisible(viewer: PolicyViewer): SQL {
  if (viewer.kind === 'anonymous') {
    return sql`(${blogEntries.deletedAt} is null and ${blogEntries.visibility} = 'public' and ${blogEntries.moderationStatus} = 'published' and ${blogEntryLive()})`;
  }
  const audience = sql`(${blogEntries.visibility} in ('public', 'members') or exists (
    select 1 from ${spaces} where ${spaces.id} = ${blogEntries.spaceId} and ${spaceContentVisible(viewer)}))`;
  const own = sql`${blogEntries.authorId} = ${viewer.id}`;
  // A held entry scheduled for later reaches its moderators before its time, so it can be approved
  // by then; nobody else sees it early.
  const heldForLater = sql`(${blogEntries.status} = 'scheduled' and ${blogEntries.moderationStatus} = 'held' and ${moderatesBlogEntry(viewer)})`;
  return sql`(${blogEntries.deletedAt} is null and ${audience} and (${own} or (${blogEntryLive()} and (${blogEntries.moderationStatus} = 'published' or ${moderatesBlogEntry(viewer)})) or ${heldForLater}))`;
}

/** A comment: its entry is visible, and it is published — or the viewer wrote it or moderates the entry. */
export function blogCommentVisible(viewer: PolicyViewer): SQL {
  const state =
    viewer.kind === 'anonymous'
      ? sql`${blogComments.status} = 'published'`
      : sql`(${blogComments.status} = 'published' or ${blogComments.authorId} = ${viewer.id} or ${moderatesBlogEntry(viewer)})`;
  return sql`(${blogComments.deletedAt} is null and exists (select 1 from ${blogEntries}
    where ${blogEntries.id} = ${blogComments.entryId} and ${blogEntryVisible(viewer)} and ${blogEntryLive()} and ${state}))`;
}

/*
 * Set-based forms, for many readers at once: who among a set of members (their ids in a column,
 * e.g. the candidates of a notification fan-out) may read something. Each states the same rule as
 * its per-viewer twin above, for a member viewer whose id is `userId`; a test holds the two equal.
 */

/** Like `moderatesSpace`, for the member whose id is `userId` (their site role read from `users`). */
function moderatesSpaceFor(userId: AnyColumn | SQL, spaceId: AnyColumn | SQL): SQL {
  return sql`(${spaceId} in (select ${spaceMembers.spaceId} from ${spaceMembers}
      where ${spaceMembers.userId} = ${userId} and ${spaceMembers.status} = 'active' and ${spaceMembers.role} in ('owner', 'moderator'))
    or (exists (select 1 from ${users} as staff where staff.id = ${userId} and staff.role in ('moderator', 'admin'))
      and ${spaceId} in (select moderated_space.id from ${spaces} as moderated_space where moderated_space.level <> 'confidential')))`;
}

/** `spaceContentVisible` for the member whose id is `userId`, over a query that has `spaces` in scope. */
export function spaceContentVisibleTo(userId: AnyColumn | SQL): SQL {
  return sql`(${spaces.level} in ('public', 'members') or exists (
    select 1 from ${spaceMembers}
    where ${spaceMembers.spaceId} = ${spaces.id}
      and ${spaceMembers.userId} = ${userId}
      and ${spaceMembers.status} = 'active'
      and ${spaceMembers.rulesAcceptedVersion} >= ${spaces.rulesVersion}))`;
}

/** `threadVisible` for the member whose id is `userId`, over a query that has `threads` in scope. */
export function threadVisibleTo(userId: AnyColumn | SQL): SQL {
  return sql`(${threads.deletedAt} is null and exists (select 1 from ${boards} join ${spaces} on ${spaces.id} = ${boards.spaceId}
    where ${boards.id} = ${threads.boardId} and ${spaceContentVisibleTo(userId)}
      and (${threads.status} = 'published' or ${threads.authorId} = ${userId} or ${moderatesSpaceFor(userId, spaces.id)})))`;
}

/** `postVisible` for the member whose id is `userId`, over a query that has `posts` in scope. */
export function postVisibleTo(userId: AnyColumn | SQL): SQL {
  return sql`exists (select 1 from ${threads} join ${boards} on ${boards.id} = ${threads.boardId} join ${spaces} on ${spaces.id} = ${boards.spaceId}
    where ${threads.id} = ${posts.threadId} and ${threads.deletedAt} is null and ${spaceContentVisibleTo(userId)}
      and (${threads.status} = 'published' or ${threads.authorId} = ${userId} or ${moderatesSpaceFor(userId, spaces.id)})
      and (${posts.status} = 'published' or ${posts.authorId} = ${userId} or ${moderatesSpaceFor(userId, spaces.id)}))`;
}

/** Like `moderatesBlogEntry`, for the member whose id is `userId`: a space entry's space moderators; site staff otherwise. */
function moderatesBlogEntryFor(userId: AnyColumn | SQL): SQL {
  return sql`(case when ${blogEntries.visibility} = 'space' then ${moderatesSpaceFor(userId, blogEntries.spaceId)}
    else exists (select 1 from ${users} as staff where staff.id = ${userId} and staff.role in ('moderator', 'admin')) end)`;
}

/** `blogEntryVisible` for the member whose id is `userId`, over a query that has `blogEntries` in scope. */
export function blogEntryVisibleTo(userId: AnyColumn | SQL): SQL {
  const audience = sql`(${blogEntries.visibility} in ('public', 'members') or exists (
    select 1 from ${spaces} where ${spaces.id} = ${blogEntries.spaceId} and ${spaceContentVisibleTo(userId)}))`;
  const own = sql`${blogEntries.authorId} = ${userId}`;
  const heldForLater = sql`(${blogEntries.status} = 'scheduled' and ${blogEntries.moderationStatus} = 'held' and ${moderatesBlogEntryFor(userId)})`;
  return sql`(${blogEntries.deletedAt} is null and ${audience} and (${own} or (${blogEntryLive()} and (${blogEntries.moderationStatus} = 'published' or ${moderatesBlogEntryFor(userId)})) or ${heldForLater}))`;
}

/** `blogCommentVisible` for the member whose id is `userId`, over a query that has `blogComments` in scope. */
export function blogCommentVisibleTo(userId: AnyColumn | SQL): SQL {
  return sql`(${blogComments.deletedAt} is null and exists (select 1 from ${blogEntries}
    where ${blogEntries.id} = ${blogComments.entryId} and ${blogEntryVisibleTo(userId)} and ${blogEntryLive()}
      and (${blogComments.status} = 'published' or ${blogComments.authorId} = ${userId} or ${moderatesBlogEntryFor(userId)})))`;
}

/**
 * A notification, for its recipient only, and only while what it is about is readable by them
 * now: it holds ids, and its text is read through the predicates above when it is shown. A post
 * the recipient can no longer read (hidden, removed, moved away, space closed to them) takes its
 * notifications out of every list and count. A flag's outcome needs only the thread: the flagger
 * learns a hidden post was hidden, never what it says. A new comment needs the comment itself
 * (and so its entry): removed, hidden, entry taken private or out of reach, and it is gone.
 */
export function notificationVisible(viewer: PolicyViewer): SQL {
  if (viewer.kind === 'anonymous') return sql`false`;
  const livePost = sql`exists (select 1 from ${posts} where ${posts.id} = ${notifications.postId} and ${posts.deletedAt} is null and ${postVisible(viewer)})`;
  const anyPost = sql`exists (select 1 from ${posts} where ${posts.id} = ${notifications.postId} and ${postVisible(viewer)})`;
  const thread = sql`exists (select 1 from ${threads} where ${threads.id} = ${notifications.threadId} and ${threadVisible(viewer)})`;
  const entry = sql`exists (select 1 from ${blogEntries} where ${blogEntries.id} = ${notifications.blogEntryId} and ${blogEntryVisible(viewer)})`;
  const space = sql`exists (select 1 from ${spaces} where ${spaces.id} = ${notifications.spaceId} and ${spaceVisible(viewer)})`;
  const comment = sql`exists (select 1 from ${blogComments} where ${blogComments.id} = ${notifications.blogCommentId} and ${blogCommentVisible(viewer)})`;
  // An invitee reads the name of a space they are invited to (as on their invitations list).
  const invitation = sql`exists (select 1 from ${spaceMembers} where ${spaceMembers.spaceId} = ${notifications.spaceId}
    and ${spaceMembers.userId} = ${viewer.id} and ${spaceMembers.status} in ('invited', 'active'))`;
  return sql`(${notifications.recipientId} = ${viewer.id} and (case
    when ${notifications.kind} in ('reply_to_thread', 'reply_to_post', 'quote', 'mention', 'watched_post') then ${livePost}
    when ${notifications.kind} = 'moderation_content' then (case when ${notifications.postId} is not null then ${anyPost} else ${entry} end)
    when ${notifications.kind} = 'moderation_flag' then (case when ${notifications.threadId} is not null then ${thread} when ${notifications.blogEntryId} is not null then ${entry} else true end)
    when ${notifications.kind} = 'space_invited' then ${invitation}
    when ${notifications.kind} in ('space_approved', 'space_refused', 'space_requested', 'space_rules_changed') then ${space}
    when ${notifications.kind} = 'blog_published' then ${entry}
    when ${notifications.kind} in ('blog_comment', 'blog_comment_followed') then ${comment}
    else false end))`;
}

/**
 * A predicate checked on each row as the rows come, as a sub-plan. Meant for an ordered derived
 * table fenced with `offset 0` and named as its base table (`(select * from posts where … order by
 * … offset 0) as posts`), so the predicate written against the table applies unchanged and a
 * LIMIT above stops once enough rows pass. Left as a plain condition, the planner turns the
 * predicate into a join and drives the query from it: every visible thread hashed before a
 * profile page's 20 posts (150 ms at a million posts), every open review item joined before a
 * queue page, the search started from the visible threads.
 */
export function checkedPerRow(predicate: SQL): SQL {
  return sql`(select ${predicate} offset 0)`;
}
