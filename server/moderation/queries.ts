import { and, asc, desc, eq, gt, inArray, isNotNull, lt, ne, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { THREAD_LOG_ACTIONS } from './presenters.ts';
import type { Executor } from '../../db/client.ts';
import { integerLiteral, limitLiteral } from '../../db/integer-literal.ts';
import { onAnyExecutor, oncePerDatabase, placeholders } from '../../db/named-statement.ts';
import { blogComments, blogEntries, boards, flags, moderationLog, postRevisions, posts, reviewItems, sanctions, siteSettings, spaceMembers, spaces, threads, users } from '../../db/schema/index.ts';
import {
  checkedPerRow,
  moderatesSpace,
  moderationLogPublic,
  moderationLogVisible,
  parameterisedViewer,
  perPolicyKey,
  perSiteRole,
  policyKey,
  postVisible,
  reviewItemVisible,
  spaceVisible,
  threadVisible,
  viewerParameters,
  type MemberViewer,
  type PolicyViewer,
  type Viewer,
} from '../policy/index.ts';

export type ReviewItemRow = typeof reviewItems.$inferSelect;
export type FlagReason = (typeof flags.$inferSelect)['reason'];
export type ReviewKind = ReviewItemRow['kind'];

const subject = alias(users, 'subject');
const actor = alias(users, 'actor');
const decider = alias(users, 'decider');
const commentEntry = alias(blogEntries, 'comment_entry');
/** Markup read for a queue line's 280-character excerpt: a long post's rest would be read for nothing. */
const EXCERPT_HTML_CHARS = 4000;

/** A post as moderation needs it: where it lives and whether this viewer moderates that place. */
function postForModerationQuery(db: Executor, viewer: PolicyViewer) {
  return db
    .select({
      id: posts.id,
      threadId: posts.threadId,
      number: posts.number,
      authorId: posts.authorId,
      status: posts.status,
      /** What its author was told when it was held or hidden (why it waits). */
      moderationNote: posts.moderationNote,
      revision: posts.revision,
      deletedAt: posts.deletedAt,
      createdAt: posts.createdAt,
      bodySource: posts.bodySource,
      bodyHtml: posts.bodyHtml,
      threadTitle: threads.title,
      threadSlug: threads.slug,
      spaceId: spaces.id,
      spaceLevel: spaces.level,
      moderates: sql<boolean>`${moderatesSpace(viewer, spaces.id)}`,
      /** Someone other than its author may decide a flag on it (`someoneElseDecidesIn`); a flag asks with its post. */
      someoneElseDecides: sql<boolean>`${someoneElseDecidesIn(spaces.id, spaces.level, posts.authorId)}`,
    })
    .from(posts)
    .innerJoin(threads, eq(threads.id, posts.threadId))
    .innerJoin(boards, eq(boards.id, threads.boardId))
    .innerJoin(spaces, eq(spaces.id, boards.spaceId))
    .where(and(eq(posts.id, sql.placeholder('postId')), postVisible(viewer)))
    .limit(1);
}

type ReviewItemKey = { kind: ReviewKind; postId: number; subjectId: string; spaceId: number; excludedModeratorId?: string | null; authorNote?: string };
type NewFlag = { itemId: number; postId?: number; entryId?: number; commentId?: number; subjectId: string; flaggerId: string; reason: FlagReason; note: string; weight: number };

function openPostItemQuery(db: Executor) {
  return db
    .insert(reviewItems)
    .values({ ...placeholders('kind', 'postId', 'subjectId', 'spaceId', 'excludedModeratorId', 'authorNote'), status: 'open' })
    .onConflictDoNothing({ target: [reviewItems.kind, reviewItems.postId], where: sql`${reviewItems.status} = 'open' and ${reviewItems.postId} is not null` });
}

function lockOpenPostItemQuery(db: Executor) {
  return db
    .select()
    .from(reviewItems)
    .where(and(eq(reviewItems.kind, sql.placeholder('kind')), eq(reviewItems.postId, sql.placeholder('postId')), eq(reviewItems.status, 'open')))
    .for('update');
}

/**
 * A flag's weight added to the open "flagged" item of its post, which is created when there is
 * none; the row comes back locked for the rest of the transaction. One statement, so a new item
 * is written once rather than inserted and then updated (each write of an item touches its ten
 * indexes).
 */
function flagPostItemQuery(db: Executor) {
  return db
    .insert(reviewItems)
    .values({ kind: 'flagged', ...placeholders('postId', 'subjectId', 'spaceId'), score: sql`greatest(0, ${sql.placeholder('weight')}::real)`, flagCount: 1, status: 'open' })
    .onConflictDoUpdate({
      target: [reviewItems.kind, reviewItems.postId],
      targetWhere: sql`${reviewItems.status} = 'open' and ${reviewItems.postId} is not null`,
      set: { score: sql`greatest(0, ${reviewItems.score} + excluded.score)`, flagCount: sql`${reviewItems.flagCount} + 1`, updatedAt: sql`now()` },
    })
    .returning();
}

function insertFlagQuery(db: Executor) {
  return db
    .insert(flags)
    .values(placeholders('itemId', 'postId', 'entryId', 'commentId', 'subjectId', 'flaggerId', 'reason', 'note', 'weight'))
    .returning({ id: flags.id });
}

function addToItemScoreQuery(db: Executor) {
  return db
    .update(reviewItems)
    .set({ score: sql`greatest(0, ${reviewItems.score} + ${sql.placeholder('weight')})`, flagCount: sql`${reviewItems.flagCount} + ${sql.placeholder('flagDelta')}`, updatedAt: sql`now()` })
    .where(eq(reviewItems.id, sql.placeholder('itemId')))
    .returning();
}

function flaggerFactsQuery(db: Executor) {
  return db.select({ trustLevel: users.trustLevel, flagsAgreed: users.flagsAgreed, flagsDisagreed: users.flagsDisagreed }).from(users).where(eq(users.id, sql.placeholder('userId')));
}

/**
 * Flagging's statements and the post a moderation action is about, built once per database
 * handle (and policy key). Built per call, drizzle writing their SQL was a third of a flag's
 * server CPU (V8 profile of the bench's flag run, 2026-11-27). They run on the database or inside
 * a transaction (`onAnyExecutor`): ask with the database, not a transaction, or they are built
 * again for it.
 */
export const moderationStatements = oncePerDatabase((db) => {
  const postForModeration = perPolicyKey((viewer, key) => onAnyExecutor(postForModerationQuery(db, viewer).prepare(`${key}_post_for_moderation`)));
  const openPostItem = onAnyExecutor(openPostItemQuery(db).prepare('open_post_item'));
  const lockPostItem = onAnyExecutor(lockOpenPostItemQuery(db).prepare('lock_open_post_item'));
  const flagPostItem = onAnyExecutor(flagPostItemQuery(db).prepare('flag_post_item'));
  const insertFlag = onAnyExecutor(insertFlagQuery(db).prepare('insert_flag'));
  const addToScore = onAnyExecutor(addToItemScoreQuery(db).prepare('add_to_item_score'));
  const flaggerFacts = onAnyExecutor(flaggerFactsQuery(db).prepare('flagger_facts'));
  return {
    async findPostForModeration(executor: Executor, viewer: Viewer, postId: number) {
      const [row] = await postForModeration[policyKey(viewer)](executor, { postId, ...viewerParameters(viewer) });
      return row;
    },
    /** The open item of `kind` for a post, created if there is none; locked for the rest of the transaction. */
    async openItemForPost(executor: Executor, values: ReviewItemKey): Promise<ReviewItemRow> {
      await openPostItem(executor, { ...values, excludedModeratorId: values.excludedModeratorId ?? null, authorNote: values.authorNote ?? '' });
      const [row] = await lockPostItem(executor, { kind: values.kind, postId: values.postId });
      if (!row) throw new Error('review item vanished inside its transaction');
      return row;
    },
    /** The open "flagged" item of a post with a flag's weight added (created if there is none); locked. */
    async flagPostItem(executor: Executor, values: { postId: number; subjectId: string; spaceId: number; weight: number }): Promise<ReviewItemRow> {
      const [row] = await flagPostItem(executor, values);
      if (!row) throw new Error('upsert returned no row');
      return row;
    },
    /** A flag on a post, entry, comment or (none of them) a profile. */
    async insertFlag(executor: Executor, values: NewFlag): Promise<{ id: number }> {
      const [row] = await insertFlag(executor, { ...values, postId: values.postId ?? null, entryId: values.entryId ?? null, commentId: values.commentId ?? null });
      if (!row) throw new Error('insert returned no row');
      return row;
    },
    async addToItemScore(executor: Executor, itemId: number, weight: number, flagDelta: number): Promise<ReviewItemRow> {
      const [row] = await addToScore(executor, { itemId, weight, flagDelta });
      if (!row) throw new Error('review item vanished inside its transaction');
      return row;
    },
    async findFlaggerFacts(executor: Executor, userId: string) {
      const [row] = await flaggerFacts(executor, { userId });
      return row;
    },
  };
});

export type ModerationPost = NonNullable<Awaited<ReturnType<ReturnType<typeof moderationStatements>['findPostForModeration']>>>;

/** Whether the viewer moderates a space, by id (for items without a post). */
export async function viewerModeratesSpace(db: Executor, viewer: Viewer, spaceId: number): Promise<boolean> {
  const [row] = await db.select({ yes: sql<boolean>`${moderatesSpace(viewer, sql`${spaceId}::bigint`)}` }).from(sql`(select 1) as one`);
  return row?.yes === true;
}

/** The member is an active owner or moderator of some space (the route check and the queue badge ask). */
function moderatesSomeSpace(userId: string | SQL): SQL {
  return sql`exists (select 1 from ${spaceMembers} where ${and(eq(spaceMembers.userId, userId), eq(spaceMembers.status, 'active'), inArray(spaceMembers.role, ['owner', 'moderator']))})`;
}

export async function moderatesAnySpace(db: Executor, userId: string): Promise<boolean> {
  const [row] = await db.select({ yes: sql<boolean>`${moderatesSomeSpace(userId)}` }).from(sql`(select 1) as one`);
  return row?.yes === true;
}

// Review items.

/** The open item of `kind` for a blog entry or comment, created if there is none; locked. */
export async function openItemForBlogTarget(
  db: Executor,
  values: { kind: 'flagged' | 'held_post'; target: { entryId: number } | { commentId: number }; subjectId: string; spaceId: number | null },
): Promise<ReviewItemRow> {
  const byEntry = 'entryId' in values.target;
  const column = byEntry ? reviewItems.entryId : reviewItems.commentId;
  const id = 'entryId' in values.target ? values.target.entryId : values.target.commentId;
  await db
    .insert(reviewItems)
    .values({ kind: values.kind, subjectId: values.subjectId, spaceId: values.spaceId, status: 'open', ...values.target })
    .onConflictDoNothing({ target: [reviewItems.kind, column], where: sql`${reviewItems.status} = 'open' and ${column} is not null` });
  const [row] = await db
    .select()
    .from(reviewItems)
    .where(and(eq(reviewItems.kind, values.kind), eq(column, id), eq(reviewItems.status, 'open')))
    .for('update');
  if (!row) throw new Error('review item vanished inside its transaction');
  return row;
}

/** The open item of `kind` about a member (profile flags, registrations), created if there is none; locked. */
export async function openItemForMember(db: Executor, kind: 'flagged' | 'registration', subjectId: string): Promise<ReviewItemRow> {
  await db
    .insert(reviewItems)
    .values({ kind, subjectId, status: 'open' })
    .onConflictDoNothing({
      target: [reviewItems.kind, reviewItems.subjectId],
      where: sql`${reviewItems.status} = 'open' and ${reviewItems.postId} is null and ${reviewItems.entryId} is null and ${reviewItems.commentId} is null`,
    });
  const [row] = await db
    .select()
    .from(reviewItems)
    .where(
      and(
        eq(reviewItems.kind, kind),
        eq(reviewItems.subjectId, subjectId),
        sql`${reviewItems.postId} is null and ${reviewItems.entryId} is null and ${reviewItems.commentId} is null`,
        eq(reviewItems.status, 'open'),
      ),
    )
    .for('update');
  if (!row) throw new Error('review item vanished inside its transaction');
  return row;
}

export async function markAutoHidden(db: Executor, itemId: number): Promise<void> {
  await db.update(reviewItems).set({ autoHidden: true }).where(eq(reviewItems.id, itemId));
}

/**
 * Whether anyone but the member an item is about may decide items in this space (see
 * `reviewItemVisible`): its other active owners and moderators, or site staff unless it is
 * confidential. A yes or no only; site staff are found along `users_staff_idx`.
 */
function someoneElseDecidesIn(spaceId: SQLWrapper, level: SQLWrapper, subjectId: SQLWrapper): SQL {
  return sql`(exists (select 1 from ${spaceMembers} where ${spaceMembers.spaceId} = ${spaceId} and ${spaceMembers.status} = 'active'
      and ${spaceMembers.role} in ('owner', 'moderator') and ${spaceMembers.userId} <> ${subjectId})
    or (${level} <> 'confidential'
      and exists (select 1 from ${users} where ${users.role} in ('moderator', 'admin') and ${users.status} = 'active' and ${users.id} <> ${subjectId})))`;
}

/** A review item this viewer moderates, locked when `lock` (decisions). */
export async function findVisibleItem(db: Executor, viewer: Viewer, itemId: number, lock = false) {
  const query = db.select().from(reviewItems).where(and(eq(reviewItems.id, itemId), reviewItemVisible(viewer))).limit(1);
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

/** Compare-and-set: only an open item is decided, so a second moderator's click changes nothing. */
export async function decideItem(
  db: Executor,
  itemId: number,
  values: { decision: string; decisionReason: string; decidedById: string; targetRevision: number | null },
): Promise<boolean> {
  const rows = await db
    .update(reviewItems)
    .set({ ...values, status: 'decided', decidedAt: new Date(), updatedAt: new Date() })
    .where(and(eq(reviewItems.id, itemId), eq(reviewItems.status, 'open')))
    .returning({ id: reviewItems.id });
  return rows.length > 0;
}

/** Items about a post, newest first: appeals and review requests look at what came before. */
export async function listItemsForPost(db: Executor, viewer: Viewer, postId: number) {
  return db
    .select({
      id: reviewItems.id,
      kind: reviewItems.kind,
      status: reviewItems.status,
      decision: reviewItems.decision,
      decisionReason: reviewItems.decisionReason,
      decidedById: reviewItems.decidedById,
      targetRevision: reviewItems.targetRevision,
      createdAt: reviewItems.createdAt,
    })
    .from(reviewItems)
    .innerJoin(posts, eq(posts.id, reviewItems.postId))
    .where(and(eq(reviewItems.postId, postId), postVisible(viewer)))
    .orderBy(desc(reviewItems.id));
}

/** Earlier flagged items about a member, in places this viewer moderates: their record with flags. */
export async function listFlagHistoryOfMember(db: Executor, viewer: Viewer, subjectId: string, exceptItemId: number, limit: number) {
  return db
    .select({ id: reviewItems.id, status: reviewItems.status, decision: reviewItems.decision, decisionReason: reviewItems.decisionReason, flagCount: reviewItems.flagCount, createdAt: reviewItems.createdAt })
    .from(reviewItems)
    .where(and(eq(reviewItems.subjectId, subjectId), eq(reviewItems.kind, 'flagged'), ne(reviewItems.id, exceptItemId), reviewItemVisible(viewer)))
    .orderBy(desc(reviewItems.id))
    .limit(limit);
}

export interface QueueFilter {
  sort: 'priority' | 'age';
  kind?: ReviewKind;
  reason?: FlagReason;
  spaceId?: number;
  status: 'open' | 'decided';
  /** Keyset cursor: the id of the last item of the previous page. */
  after?: number;
  limit: number;
}

/**
 * The status as text of the statement, not a parameter: only then can PostgreSQL's plan (kept for
 * the statement, named by the pool) walk the open items' partial indexes in the page's order; with
 * `status = $1` it read and sorted every open item on each page (3,700 of them: 2.6 -> 1.3 ms).
 */
const STATUS_CONDITION: Record<QueueFilter['status'], SQL> = {
  open: sql`${reviewItems.status} = 'open'`,
  decided: sql`${reviewItems.status} = 'decided'`,
};

/**
 * The ids of one page of the queue, in its order: only items in places this viewer moderates.
 * The items are walked along the sort's index and the viewer's predicate is checked on each until
 * a page is full (see checkedPerRow) — a queue of thousands costs what one page does. Every value
 * is a placeholder (`kind`, `spaceId`, `reason`, `after`); which conditions there are is the shape.
 */
function queuePageIds(viewer: PolicyViewer, shape: QueueShape, limit: number): SQL {
  const p = (name: string) => sql.placeholder(name);
  const conditions: (SQL | undefined)[] = [STATUS_CONDITION[shape.status]];
  if (shape.kind) conditions.push(sql`${reviewItems.kind} = ${p('kind')}::review_kind`);
  if (shape.spaceId) conditions.push(sql`${reviewItems.spaceId} = ${p('spaceId')}::bigint`);
  if (shape.reason) {
    conditions.push(sql`exists (select 1 from ${flags} where ${flags.itemId} = ${reviewItems.id} and ${flags.reason} = ${p('reason')}::flag_reason)`);
  }
  if (shape.after) {
    conditions.push(
      shape.sort === 'priority'
        ? sql`(${reviewItems.score}, ${reviewItems.id}) < (select last.score, last.id from ${reviewItems} as last where last.id = ${p('after')}::bigint)`
        : sql`(${reviewItems.createdAt}, ${reviewItems.id}) > (select last.created_at, last.id from ${reviewItems} as last where last.id = ${p('after')}::bigint)`,
    );
  }
  const order = shape.sort === 'priority' ? sql`${reviewItems.score} desc, ${reviewItems.id} desc` : sql`${reviewItems.createdAt} asc, ${reviewItems.id} asc`;
  // Only what the predicate reads rides along: a sort, when the planner picks one, stays narrow.
  // The limit is text of the statement (a page size, never input): as a parameter, PostgreSQL's
  // kept plan assumed a tenth of the items and never won, so every page was planned afresh.
  return sql`select ${reviewItems.id} from (select ${reviewItems.id}, ${reviewItems.spaceId}, ${reviewItems.subjectId} from ${reviewItems} where ${and(...conditions)} order by ${order} offset 0) as ${reviewItems}
    where ${checkedPerRow(reviewItemVisible(viewer))} limit ${integerLiteral(limit)}`;
}

/** Which conditions a page of the queue has (not their values): one statement is built per shape. */
interface QueueShape {
  sort: QueueFilter['sort'];
  status: QueueFilter['status'];
  kind: boolean;
  spaceId: boolean;
  reason: boolean;
  after: boolean;
}

function buildQueuePage(db: Executor, viewer: PolicyViewer, shape: QueueShape, limit: number) {
  const order = shape.sort === 'priority' ? [desc(reviewItems.score), desc(reviewItems.id)] : [asc(reviewItems.createdAt), asc(reviewItems.id)];
  return db
    .select({
      id: reviewItems.id,
      kind: reviewItems.kind,
      status: reviewItems.status,
      score: reviewItems.score,
      flagCount: reviewItems.flagCount,
      autoHidden: reviewItems.autoHidden,
      createdAt: reviewItems.createdAt,
      updatedAt: reviewItems.updatedAt,
      decision: reviewItems.decision,
      decidedAt: reviewItems.decidedAt,
      postId: reviewItems.postId,
      entryId: reviewItems.entryId,
      commentId: reviewItems.commentId,
      spaceId: reviewItems.spaceId,
      authorNote: reviewItems.authorNote,
      subjectHandle: subject.handle,
      subjectName: subject.displayName,
      postNumber: posts.number,
      postStatus: posts.status,
      postHtml: sql<string | null>`left(${posts.bodyHtml}, ${EXCERPT_HTML_CHARS})`,
      threadId: threads.id,
      threadTitle: threads.title,
      threadSlug: threads.slug,
      spaceName: spaces.name,
      spaceLevel: spaces.level,
      blogTitle: sql<string | null>`coalesce(${blogEntries.title}, ${commentEntry.title})`,
      blogHtml: sql<string | null>`left(coalesce(${blogComments.bodyHtml}, ${blogEntries.bodyHtml}), ${EXCERPT_HTML_CHARS})`,
      blogStatus: sql<string | null>`coalesce(${blogComments.status}::text, ${blogEntries.moderationStatus}::text)`,
      reasons: sql<Record<string, number> | null>`(select json_object_agg(r.reason, r.n) from (
        select ${flags.reason} as reason, count(*)::int as n from ${flags}
        where ${flags.itemId} = ${reviewItems.id} and ${flags.status} <> 'withdrawn' group by ${flags.reason}) r)`,
    })
    .from(reviewItems)
    .innerJoin(subject, eq(subject.id, reviewItems.subjectId))
    .leftJoin(posts, eq(posts.id, reviewItems.postId))
    .leftJoin(threads, eq(threads.id, posts.threadId))
    .leftJoin(spaces, eq(spaces.id, reviewItems.spaceId))
    .leftJoin(blogEntries, eq(blogEntries.id, reviewItems.entryId))
    .leftJoin(blogComments, eq(blogComments.id, reviewItems.commentId))
    .leftJoin(commentEntry, eq(commentEntry.id, blogComments.entryId))
    // The page's items — `= any(array(...))` finds them first, once; with `in` the planner joined every
    // open item to its details and then matched the page — read again under the viewer's predicate.
    .where(and(sql`${reviewItems.id} = any(array(${queuePageIds(viewer, shape, limit)}))`, reviewItemVisible(viewer)))
    .orderBy(...order);
}

type QueuePageStatement = ReturnType<typeof preparedQueuePage>;
function preparedQueuePage(db: Executor, viewer: PolicyViewer, shape: QueueShape, limit: number, name: string) {
  return onAnyExecutor(buildQueuePage(db, viewer, shape, limit).prepare(name));
}

/**
 * A page of the queue's statement, built once per database handle, policy key, page size and
 * shape (at most 4 × 2 × 2 × 16 of them) and sent named. Built per call, drizzle spent ~3 ms of
 * the server's CPU a queue page assembling the two copies of the viewer's predicate (2026-11-28,
 * on a machine where `select 1` cost 0.3 ms).
 */
const queuePageStatements = oncePerDatabase(() => new Map<string, QueuePageStatement>());

/**
 * One page of the queue: only items in places this viewer moderates, with their targets in brief.
 * Built on `db` (the database handle, so it is built once), run on `executor` (it or a transaction).
 */
export async function listQueue(db: Executor, executor: Executor, viewer: Viewer, filter: QueueFilter) {
  const shape: QueueShape = {
    sort: filter.sort,
    status: filter.status,
    kind: filter.kind !== undefined,
    spaceId: filter.spaceId !== undefined,
    reason: filter.reason !== undefined,
    after: filter.after !== undefined,
  };
  const key = `${policyKey(viewer)}_${filter.limit}_${shape.sort}_${shape.status}_${Number(shape.kind)}${Number(shape.spaceId)}${Number(shape.reason)}${Number(shape.after)}`;
  const statements = queuePageStatements(db);
  let run = statements.get(key);
  if (!run) {
    run = preparedQueuePage(db, parameterisedViewer(policyKey(viewer)), shape, filter.limit, `queue_page_${key}`);
    statements.set(key, run);
  }
  return run(executor, { ...viewerParameters(viewer), kind: filter.kind, spaceId: filter.spaceId, reason: filter.reason, after: filter.after });
}

export type QueueRow = Awaited<ReturnType<typeof listQueue>>[number];

/**
 * Requests to join spaces this viewer moderates: they sit in the same queue, and are decided on
 * the space's members page (one place for membership rules).
 */
/** Requests to join listed in the queue at most; more wait on each space's members page. */
const MEMBERSHIP_REQUESTS_LISTED = 50;

const membershipRequests = oncePerDatabase((db) =>
  perSiteRole((viewer, role) =>
    onAnyExecutor(
      db
        .select({
          spaceId: spaces.id,
          spaceName: spaces.name,
          spaceSlug: spaces.slug,
          handle: users.handle,
          displayName: users.displayName,
          message: spaceMembers.requestMessage,
          requestedAt: spaceMembers.updatedAt,
        })
        .from(spaceMembers)
        .innerJoin(spaces, eq(spaces.id, spaceMembers.spaceId))
        .innerJoin(users, eq(users.id, spaceMembers.userId))
        .where(
          and(
            eq(spaceMembers.status, 'requested'),
            spaceVisible(viewer),
            // The space's own owners and moderators decide who joins, not site staff.
            sql`exists (select 1 from ${spaceMembers} as mine where mine.space_id = ${spaces.id}
              and mine.user_id = ${viewer.id} and mine.status = 'active' and mine.role in ('owner', 'moderator'))`,
          ),
        )
        .orderBy(asc(spaceMembers.updatedAt))
        .limit(limitLiteral(MEMBERSHIP_REQUESTS_LISTED))
        .prepare(`${role}_queue_membership_requests`),
    ),
  ),
);

/** Built on `db` once per site role, run on `executor` (it or a transaction). */
export async function listMembershipRequests(db: Executor, executor: Executor, viewer: MemberViewer) {
  return membershipRequests(db)[viewer.role](executor, { viewerId: viewer.id });
}

/**
 * How many open items wait in places this viewer does not moderate but whose existence site staff
 * may know (confidential spaces). Counted space by space along the open items' space index: as a
 * join, PostgreSQL read every open item of the site first (18 ms at 78,000 open items, nearly all
 * in public spaces); this way it reads only the confidential spaces' (under 1 ms; migration 0019).
 */
const openItemsElsewhere = oncePerDatabase((db) =>
  perSiteRole((viewer, role) => {
    const waiting = db
      .select({ n: sql<number>`count(*)` })
      .from(reviewItems)
      .where(and(eq(reviewItems.spaceId, spaces.id), eq(reviewItems.status, 'open'), sql`not ${reviewItemVisible(viewer)}`));
    return onAnyExecutor(
      db
        .select({ n: sql<number>`coalesce(sum((${waiting})), 0)::int` })
        .from(spaces)
        .where(eq(spaces.level, 'confidential'))
        .prepare(`${role}_queue_open_items_elsewhere`),
    );
  }),
);

/** Built on `db` once per site role, run on `executor` (it or a transaction). */
export async function countOpenItemsElsewhere(db: Executor, executor: Executor, viewer: MemberViewer): Promise<number> {
  const [row] = await openItemsElsewhere(db)[viewer.role](executor, { viewerId: viewer.id });
  return row?.n ?? 0;
}

/**
 * The badge counts open items up to this many and then says "99+": it is on every page a
 * moderator opens, and counting all of a site moderator's 15,000 open items took ~4 ms a page.
 */
export const QUEUE_BADGE_CAP = 100;

/**
 * The header's queue badge in one round trip (every signed-in page shows it): the open items in
 * the queue this viewer works, or null when they moderate nothing (no link then).
 */
export async function countOpenItemsIfModerating(db: Executor, viewer: MemberViewer): Promise<number | null> {
  const [row] = await queueBadge(db)[viewer.role](db, { viewerId: viewer.id });
  return row?.n ?? null;
}

const queueBadge = oncePerDatabase((db) =>
  perSiteRole((viewer, role) => {
    // Site staff always have a queue; a member has one while they moderate some space.
    const moderates = role !== 'member' ? sql`true` : moderatesSomeSpace(viewer.id);
    const open = db.select({ one: sql`1` }).from(reviewItems).where(and(eq(reviewItems.status, 'open'), reviewItemVisible(viewer))).limit(QUEUE_BADGE_CAP);
    const count = sql`select count(*)::int from (${open}) as capped`;
    return onAnyExecutor(db.select({ n: sql<number | null>`case when ${moderates} then (${count}) end` }).from(sql`(select 1) as one`).prepare(`${role}_queue_badge`));
  }),
);

/** The flags on an item the viewer moderates, with their flaggers. */
export async function listFlagsOfItem(db: Executor, viewer: Viewer, itemId: number) {
  return db
    .select({
      id: flags.id,
      reason: flags.reason,
      note: flags.note,
      weight: flags.weight,
      status: flags.status,
      createdAt: flags.createdAt,
      flaggerHandle: users.handle,
      flaggerName: users.displayName,
      flaggerTrust: users.trustLevel,
    })
    .from(flags)
    .innerJoin(reviewItems, eq(reviewItems.id, flags.itemId))
    .innerJoin(users, eq(users.id, flags.flaggerId))
    .where(and(eq(flags.itemId, itemId), reviewItemVisible(viewer)))
    .orderBy(asc(flags.id));
}

// Flags.

/** The viewer's own open flag on a post, if any (a member sees that they flagged it and may withdraw). */
export async function findOwnOpenFlag(db: Executor, flaggerId: string, target: { postId: number } | { subjectId: string }) {
  const where =
    'postId' in target
      ? and(eq(flags.flaggerId, flaggerId), eq(flags.postId, target.postId), eq(flags.status, 'open'))
      : and(eq(flags.flaggerId, flaggerId), eq(flags.subjectId, target.subjectId), sql`${flags.postId} is null and ${flags.entryId} is null and ${flags.commentId} is null`, eq(flags.status, 'open'));
  const [row] = await db.select({ id: flags.id, reason: flags.reason, createdAt: flags.createdAt }).from(flags).where(where).limit(1);
  return row;
}

/**
 * The caller's own open flags among some posts, in one statement (a thread page shows up to 30):
 * one text for any number of posts (an array parameter), built once, since every signed-in thread
 * page asks.
 */
const ownOpenFlagsOnPosts = oncePerDatabase((db) =>
  onAnyExecutor(
    db
      .select({ id: flags.id, postId: flags.postId })
      .from(flags)
      .where(and(eq(flags.flaggerId, sql.placeholder('flaggerId')), sql`${flags.postId} = any(${sql.placeholder('postIds')}::bigint[])`, eq(flags.status, 'open')))
      .prepare('own_open_flags_on_posts'),
  ),
);

export async function findOwnOpenFlagsOnPosts(db: Executor, flaggerId: string, postIds: number[]) {
  if (postIds.length === 0) return [];
  return ownOpenFlagsOnPosts(db)(db, { flaggerId, postIds });
}

/** Whether the caller has an open flag on any post (the partial index of open post flags answers it). */
const anyOwnOpenPostFlag = oncePerDatabase((db) =>
  onAnyExecutor(
    db
      .select({ id: flags.id })
      .from(flags)
      .where(and(eq(flags.flaggerId, sql.placeholder('flaggerId')), eq(flags.status, 'open'), isNotNull(flags.postId)))
      .limit(1)
      .prepare('any_own_open_post_flag'),
  ),
);

export async function hasOwnOpenPostFlag(db: Executor, flaggerId: string): Promise<boolean> {
  return (await anyOwnOpenPostFlag(db)(db, { flaggerId })).length > 0;
}

/** Withdraws the flagger's own open flag; returns it so its weight comes off the item. */
export async function withdrawOwnFlag(db: Executor, flaggerId: string, flagId: number) {
  const [row] = await db
    .update(flags)
    .set({ status: 'withdrawn', resolvedAt: new Date() })
    .where(and(eq(flags.id, flagId), eq(flags.flaggerId, flaggerId), eq(flags.status, 'open')))
    .returning({ itemId: flags.itemId, weight: flags.weight });
  return row;
}

export async function countOpenFlagsOfItem(db: Executor, itemId: number): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(flags).where(and(eq(flags.itemId, itemId), eq(flags.status, 'open')));
  return row?.n ?? 0;
}

/** Closes an item's open flags with the decision's verdict; returns the flaggers so their accuracy moves. */
export async function resolveFlags(db: Executor, itemId: number, status: 'agreed' | 'disagreed' | 'dismissed') {
  return db
    .update(flags)
    .set({ status, resolvedAt: new Date() })
    .where(and(eq(flags.itemId, itemId), eq(flags.status, 'open')))
    .returning({ flaggerId: flags.flaggerId });
}

export async function recordFlagOutcomes(db: Executor, flaggerIds: string[], agreed: boolean): Promise<void> {
  if (flaggerIds.length === 0) return;
  const set = agreed ? { flagsAgreed: sql`${users.flagsAgreed} + 1` } : { flagsDisagreed: sql`${users.flagsDisagreed} + 1` };
  await db.update(users).set(set).where(inArray(users.id, flaggerIds));
}

// Content state changes. Callers have read the post through a predicate first.

/**
 * A held reply left its thread and board untouched (no new activity until approval); approved, it
 * counts as the post it is, written when it was written: the newest post stays the thread's last.
 */
export async function recordApprovedReply(db: Executor, post: { threadId: number; authorId: string; createdAt: Date }): Promise<void> {
  const at = sql`${post.createdAt.toISOString()}::timestamptz`;
  await db
    .update(threads)
    .set({
      lastPostAuthorId: sql`case when ${threads.lastPostAt} <= ${at} then ${post.authorId} else ${threads.lastPostAuthorId} end`,
      lastPostAt: sql`greatest(${threads.lastPostAt}, ${at})`,
    })
    .where(eq(threads.id, post.threadId));
  await db
    .update(boards)
    .set({ postCount: sql`${boards.postCount} + 1`, lastPostAt: sql`greatest(${boards.lastPostAt}, ${at})` })
    .where(eq(boards.id, sql`(select ${threads.boardId} from ${threads} where ${threads.id} = ${post.threadId})`));
}

export async function setPostState(db: Executor, postId: number, status: 'published' | 'held' | 'hidden', note: string): Promise<void> {
  await db.update(posts).set({ status, moderationNote: note }).where(eq(posts.id, postId));
  // A thread follows its first post.
  await db
    .update(threads)
    .set({ status })
    .where(and(eq(threads.id, sql`(select ${posts.threadId} from ${posts} where ${posts.id} = ${postId} and ${posts.number} = 1)`)));
}

export async function removePostByModerator(db: Executor, postId: number): Promise<void> {
  const [row] = await db
    .update(posts)
    .set({ deletedAt: new Date(), removedByModerator: true, status: 'published', moderationNote: '' })
    .where(eq(posts.id, postId))
    .returning({ threadId: posts.threadId, number: posts.number });
  // Removing an opening post removes its thread: there is nothing left to reply to.
  if (row?.number === 1) await db.update(threads).set({ deletedAt: new Date() }).where(eq(threads.id, row.threadId));
}

/** Every live post by a member, for "delete everything a spammer posted". */
export async function listLivePostIdsByAuthor(db: Executor, viewer: Viewer, authorId: string) {
  return db
    .select({ id: posts.id })
    .from(posts)
    .innerJoin(threads, eq(threads.id, posts.threadId))
    .innerJoin(boards, eq(boards.id, threads.boardId))
    .innerJoin(spaces, eq(spaces.id, boards.spaceId))
    .where(and(eq(posts.authorId, authorId), sql`${posts.deletedAt} is null`, postVisible(viewer), moderatesSpace(viewer, spaces.id)));
}

export async function updatePostBodyByModerator(
  db: Executor,
  post: { id: number; revision: number; bodySource: string; bodyHtml: string },
  editorId: string,
  values: { bodySource: string; bodyHtml: string; renderVersion: number },
): Promise<boolean> {
  await db.insert(postRevisions).values({ postId: post.id, revision: post.revision, bodySource: post.bodySource, bodyHtml: post.bodyHtml, editorId });
  const rows = await db
    .update(posts)
    .set({ ...values, revision: post.revision + 1, editedAt: new Date() })
    .where(and(eq(posts.id, post.id), eq(posts.revision, post.revision)))
    .returning({ id: posts.id });
  return rows.length > 0;
}

// Members: history, sanctions, trust.

/** A member's standing, as moderation reads it. */
const memberColumns = {
  id: users.id,
  handle: users.handle,
  displayName: users.displayName,
  role: users.role,
  status: users.status,
  statusUntil: users.statusUntil,
  statusReason: users.statusReason,
  trustLevel: users.trustLevel,
  flagsAgreed: users.flagsAgreed,
  flagsDisagreed: users.flagsDisagreed,
  daysVisited: users.daysVisited,
  postsRead: users.postsRead,
  createdAt: users.createdAt,
};

export async function findMemberByHandle(db: Executor, handle: string) {
  const [row] = await db.select(memberColumns).from(users).where(sql`lower(${users.handle}) = ${handle.toLowerCase()}`).limit(1);
  return row;
}

export async function findMemberById(db: Executor, id: string) {
  const [row] = await db.select(memberColumns).from(users).where(eq(users.id, id));
  return row;
}

export async function insertSanction(db: Executor, values: typeof sanctions.$inferInsert): Promise<void> {
  await db.insert(sanctions).values(values);
}

export async function setMemberStatus(
  db: Executor,
  userId: string,
  values: { status: 'active' | 'silenced' | 'suspended'; statusUntil: Date | null; statusReason: string },
): Promise<void> {
  await db.update(users).set({ ...values, updatedAt: new Date() }).where(eq(users.id, userId));
}

/** A member's sanctions, newest first: moderators see the history, the member sees their own. */
export async function listSanctions(db: Executor, userId: string, limit = 20) {
  return db
    .select({
      id: sanctions.id,
      kind: sanctions.kind,
      reason: sanctions.reason,
      until: sanctions.until,
      createdAt: sanctions.createdAt,
      moderatorHandle: users.handle,
    })
    .from(sanctions)
    .innerJoin(users, eq(users.id, sanctions.moderatorId))
    .where(eq(sanctions.userId, userId))
    .orderBy(desc(sanctions.id))
    .limit(limit);
}

/** Flags upheld against a member's content since `since`: a mark against their trust. */
export async function countUpheldFlagsAgainst(db: Executor, userId: string, since: Date): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(flags)
    .where(and(eq(flags.subjectId, userId), eq(flags.status, 'agreed'), gt(flags.resolvedAt, since)));
  return row?.n ?? 0;
}

/** A member's posts that readers see, and those waiting for a moderator's approval (deleted ones neither). */
export async function countOwnPosts(db: Executor, userId: string): Promise<{ published: number; held: number }> {
  const [row] = await db
    .select({
      published: sql<number>`count(*) filter (where ${posts.status} = 'published')::int`,
      held: sql<number>`count(*) filter (where ${posts.status} = 'held')::int`,
    })
    .from(posts)
    .where(and(eq(posts.authorId, userId), sql`${posts.deletedAt} is null`));
  return { published: row?.published ?? 0, held: row?.held ?? 0 };
}

export async function countPublishedPostsBy(db: Executor, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(posts)
    .where(and(eq(posts.authorId, userId), eq(posts.status, 'published'), sql`${posts.deletedAt} is null`));
  return row?.n ?? 0;
}

/**
 * Both admission checks on a member's recent posts in one round trip: when their `nth` most recent
 * post since `since` was written (the hourly limit is reached when there is one; the window frees
 * a slot when that post ages out; reads at most `nth` index entries), and which post of theirs
 * since `duplicateSince` has exactly this text (null: no duplicate check).
 */
const recentPosting = oncePerDatabase((db) => {
  const userId = sql.placeholder('userId');
  const nthCreatedAt = db
    .select({ createdAt: posts.createdAt })
    .from(posts)
    .where(and(eq(posts.authorId, userId), gt(posts.createdAt, sql.placeholder('since'))))
    .orderBy(desc(posts.createdAt))
    .offset(sql.placeholder('skip'))
    .limit(1);
  const duplicate = sql<number | null>`(${db
    .select({ id: posts.id })
    .from(posts)
    .where(
      and(eq(posts.authorId, userId), gt(posts.createdAt, sql.placeholder('duplicateSince')), eq(posts.bodySource, sql.placeholder('bodySource')), sql`${posts.deletedAt} is null`),
    )
    .orderBy(desc(posts.createdAt))
    .limit(1)})`.mapWith(Number);
  const build = (withDuplicate: boolean, name: string) =>
    onAnyExecutor(
      db
        .select({ limitReachedAt: sql<Date | null>`(${nthCreatedAt})`.mapWith(posts.createdAt), duplicateOf: withDuplicate ? duplicate : sql<number | null>`null::int` })
        .from(sql`(select 1) as one`)
        .prepare(name),
    );
  return { withDuplicate: build(true, 'own_recent_posting'), limitOnly: build(false, 'own_recent_posting_limit') };
});

export async function findOwnRecentPosting(
  db: Executor,
  /** Where it runs: `db`, or a transaction (the statements stay those built once for `db`). */
  exec: Executor,
  userId: string,
  check: { since: Date; nth: number; bodySource: string; duplicateSince: Date | null },
): Promise<{ limitReachedAt: Date | undefined; duplicateOf: number | null }> {
  const statements = recentPosting(db);
  const values = { userId, since: check.since, skip: check.nth - 1 };
  const [row] = check.duplicateSince
    ? await statements.withDuplicate(exec, { ...values, duplicateSince: check.duplicateSince, bodySource: check.bodySource })
    : await statements.limitOnly(exec, values);
  return { limitReachedAt: row?.limitReachedAt ?? undefined, duplicateOf: row?.duplicateOf ?? null };
}

export async function setApprovalPending(db: Executor, userId: string, pending: boolean): Promise<void> {
  await db.update(users).set({ approvalPending: pending }).where(eq(users.id, userId));
}

export async function setTrustLevel(db: Executor, userId: string, trustLevel: number): Promise<void> {
  await db.update(users).set({ trustLevel }).where(eq(users.id, userId));
}

/** The author's own held and hidden posts, with what moderation said about them. */
export async function listOwnPostsUnderModeration(db: Executor, viewer: Viewer & { id: string }) {
  return db
    .select({
      postId: posts.id,
      number: posts.number,
      status: posts.status,
      moderationNote: posts.moderationNote,
      revision: posts.revision,
      createdAt: posts.createdAt,
      threadId: threads.id,
      threadTitle: threads.title,
      threadSlug: threads.slug,
      /** Whether a moderator has this post in front of them now (no second request then). */
      reviewPending: sql<boolean>`exists (select 1 from ${reviewItems} where ${reviewItems.postId} = ${posts.id} and ${reviewItems.status} = 'open')`,
      /** The one appeal is spent. */
      appealUsed: sql<boolean>`exists (select 1 from ${reviewItems} where ${reviewItems.postId} = ${posts.id} and ${reviewItems.kind} = 'appeal')`,
    })
    .from(posts)
    .innerJoin(threads, eq(threads.id, posts.threadId))
    .where(and(eq(posts.authorId, viewer.id), ne(posts.status, 'published'), sql`${posts.deletedAt} is null`, postVisible(viewer)))
    .orderBy(desc(posts.id))
    .limit(100);
}

// The log.

export async function insertLog(db: Executor, values: typeof moderationLog.$inferInsert): Promise<void> {
  await db.insert(moderationLog).values(values);
}

export interface LogFilter {
  action?: string;
  actorHandle?: string;
  subjectHandle?: string;
  before?: number;
  limit: number;
}

/** The moderation log for moderators: lines about places this viewer moderates. */
export async function listLog(db: Executor, viewer: Viewer, filter: LogFilter) {
  const conditions: (SQL | undefined)[] = [moderationLogVisible(viewer)];
  if (filter.action) conditions.push(eq(moderationLog.action, filter.action));
  if (filter.actorHandle) conditions.push(sql`lower(${actor.handle}) = ${filter.actorHandle.toLowerCase()}`);
  if (filter.subjectHandle) conditions.push(sql`lower(${subject.handle}) = ${filter.subjectHandle.toLowerCase()}`);
  if (filter.before !== undefined) conditions.push(lt(moderationLog.id, filter.before));
  return db
    .select({
      id: moderationLog.id,
      action: moderationLog.action,
      reason: moderationLog.reason,
      detail: moderationLog.detail,
      createdAt: moderationLog.createdAt,
      postId: moderationLog.postId,
      itemId: moderationLog.itemId,
      actorHandle: actor.handle,
      subjectHandle: subject.handle,
      spaceName: spaces.name,
    })
    .from(moderationLog)
    .leftJoin(actor, eq(actor.id, moderationLog.actorId))
    .leftJoin(subject, eq(subject.id, moderationLog.subjectId))
    .leftJoin(spaces, eq(spaces.id, moderationLog.spaceId))
    .where(and(...conditions))
    .orderBy(desc(moderationLog.id))
    .limit(filter.limit);
}

const PUBLIC_ACTIONS = ['auto_hide', 'hide', 'keep', 'dismiss', 'edit', 'delete', 'restore', 'keep_hidden', 'pin', 'unpin', 'lock', 'unlock'];

/**
 * The public transparency log: actions on content in public spaces, with the reason. Thread titles
 * only while the thread is still readable by `viewer` (the anonymous visitor); never the author.
 */
export async function listPublicLog(db: Executor, viewer: Viewer, filter: { before?: number; limit: number }) {
  return db
    .select({
      id: moderationLog.id,
      action: moderationLog.action,
      // Until 2026-11-28 a pin's or lock's line carried its thread's title as the reason: never shown publicly.
      reason: sql<string>`case when ${inArray(moderationLog.action, [...THREAD_LOG_ACTIONS])} then '' else ${moderationLog.reason} end`,
      createdAt: moderationLog.createdAt,
      actorHandle: actor.handle,
      automatic: sql<boolean>`${moderationLog.actorId} is null`,
      threadId: threads.id,
      threadTitle: threads.title,
      threadSlug: threads.slug,
      postNumber: posts.number,
    })
    .from(moderationLog)
    .leftJoin(actor, eq(actor.id, moderationLog.actorId))
    .leftJoin(posts, eq(posts.id, moderationLog.postId))
    .leftJoin(threads, and(eq(threads.id, posts.threadId), threadVisible(viewer)))
    .where(
      and(
        moderationLogPublic(),
        // Moderators' and automatic actions only: an author's review request or appeal carries their private note.
        inArray(moderationLog.action, PUBLIC_ACTIONS),
        filter.before !== undefined ? lt(moderationLog.id, filter.before) : undefined,
      ),
    )
    .orderBy(desc(moderationLog.id))
    .limit(filter.limit);
}

// Context for a decision.

/** The posts around the target, as the moderator may read them. */
export async function listPostsAround(db: Executor, viewer: Viewer, threadId: number, number: number, span: number) {
  return db
    .select({
      id: posts.id,
      number: posts.number,
      status: posts.status,
      bodyHtml: posts.bodyHtml,
      deletedAt: posts.deletedAt,
      createdAt: posts.createdAt,
      authorHandle: users.handle,
      authorName: users.displayName,
    })
    .from(posts)
    .innerJoin(users, eq(users.id, posts.authorId))
    .where(and(eq(posts.threadId, threadId), sql`${posts.number} between ${number - span} and ${number + span}`, postVisible(viewer)))
    .orderBy(asc(posts.number));
}

export async function listPostRevisions(db: Executor, viewer: Viewer, postId: number) {
  return db
    .select({ revision: postRevisions.revision, bodyHtml: postRevisions.bodyHtml, createdAt: postRevisions.createdAt, editorHandle: users.handle })
    .from(postRevisions)
    .innerJoin(posts, eq(posts.id, postRevisions.postId))
    .innerJoin(users, eq(users.id, postRevisions.editorId))
    .where(and(eq(postRevisions.postId, postId), postVisible(viewer)))
    .orderBy(desc(postRevisions.revision));
}

export async function findDecider(db: Executor, viewer: Viewer, itemId: number) {
  const [row] = await db
    .select({ handle: decider.handle })
    .from(reviewItems)
    .innerJoin(decider, eq(decider.id, reviewItems.decidedById))
    .where(and(eq(reviewItems.id, itemId), reviewItemVisible(viewer)));
  return row;
}

/** The newest time a moderator brought back the post of a decided item (`restoreHidden`): who, when, why. */
export async function findRestoreOfItem(db: Executor, viewer: Viewer, itemId: number) {
  const [row] = await db
    .select({ handle: decider.handle, reason: moderationLog.reason, at: moderationLog.createdAt })
    .from(moderationLog)
    .innerJoin(decider, eq(decider.id, moderationLog.actorId))
    .where(and(eq(moderationLog.itemId, itemId), eq(moderationLog.action, 'restore'), moderationLogVisible(viewer)))
    .orderBy(desc(moderationLog.id))
    .limit(1);
  return row;
}

/** Closes every open item about a member in places this moderator moderates (a spammer's purge). */
export async function closeOpenItemsAbout(db: Executor, viewer: Viewer, subjectId: string, moderatorId: string, reason: string): Promise<void> {
  const open = await db
    .select({ id: reviewItems.id })
    .from(reviewItems)
    .where(and(eq(reviewItems.subjectId, subjectId), eq(reviewItems.status, 'open'), reviewItemVisible(viewer)));
  for (const { id } of open) {
    await resolveFlags(db, id, 'agreed');
    await decideItem(db, id, { decision: 'delete', decisionReason: reason, decidedById: moderatorId, targetRevision: null });
  }
}

// Settings.

const settingByKey = oncePerDatabase((db) =>
  onAnyExecutor(db.select({ value: siteSettings.value }).from(siteSettings).where(eq(siteSettings.key, sql.placeholder('key'))).prepare('site_setting')),
);

/** Read on every post's admission, so built once. */
export async function readSetting(db: Executor, key: string): Promise<unknown> {
  const [row] = await settingByKey(db)(db, { key });
  return row?.value;
}

export async function writeSetting(db: Executor, key: string, value: unknown, updatedById: string): Promise<void> {
  await db
    .insert(siteSettings)
    .values({ key, value, updatedById })
    .onConflictDoUpdate({ target: siteSettings.key, set: { value, updatedById, updatedAt: new Date() } });
}
