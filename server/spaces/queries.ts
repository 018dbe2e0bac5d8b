import { and, asc, desc, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../../db/client.ts';
import { onAnyExecutor, oncePerDatabase } from '../../db/named-statement.ts';
import { boards, levelChanges, rulesAcceptances, spaceInvitations, spaceLog, spaceMembers, spaces, threads, users } from '../../db/schema/index.ts';
import { ownWatchLevels } from '../notifications/queries.ts';
import { ANONYMOUS, boardVisible, moderatesSpace, perPolicyKey, policyKey, spaceContentVisible, spaceVisible, type Viewer, viewerParameters } from '../policy/index.ts';

export type SpaceRow = typeof spaces.$inferSelect;
export type BoardRow = typeof boards.$inferSelect;

export async function listVisibleSpaces(db: Executor, viewer: Viewer, options: { includeArchived: boolean }): Promise<SpaceRow[]> {
  return db
    .select()
    .from(spaces)
    .where(and(spaceVisible(viewer), options.includeArchived ? undefined : isNull(spaces.archivedAt)))
    .orderBy(asc(spaces.position), asc(spaces.id));
}

/**
 * The names of the spaces the viewer may see, in the site's order (a filter's choices), built once
 * per database handle and policy key: the review queue's page offers every one of them, and a site
 * moderator sees a hundred or more.
 */
const visibleSpaceNames = oncePerDatabase((db) =>
  perPolicyKey((viewer, key) =>
    onAnyExecutor(
      db
        .select({ id: spaces.id, name: spaces.name })
        .from(spaces)
        .where(and(spaceVisible(viewer), isNull(spaces.archivedAt)))
        .orderBy(asc(spaces.position), asc(spaces.id))
        .prepare(`${key}_visible_space_names`),
    ),
  ),
);

export async function listVisibleSpaceNames(db: Executor, viewer: Viewer): Promise<{ id: number; name: string }[]> {
  return visibleSpaceNames(db)[policyKey(viewer)](db, viewerParameters(viewer));
}

/**
 * The home page's two reads (every signed-in home page runs them), built once per database handle
 * and policy key: the spaces the viewer may see, each marked when they are an active member of it,
 * and the boards of their own spaces that are not public (a public space's boards are everyone's:
 * `listPublicBoards`, which the spaces service keeps for a moment). Built per call they were three
 * statements and a tenth of the page's server CPU in drizzle (2026-11-27).
 */
const homeReads = oncePerDatabase((db) =>
  perPolicyKey((viewer, key) => {
    const joinedSpaceIds =
      viewer.kind === 'anonymous'
        ? sql`select null::bigint where false`
        : sql`select ${spaceMembers.spaceId} from ${spaceMembers} where ${spaceMembers.userId} = ${viewer.id} and ${spaceMembers.status} = 'active'`;
    return {
      spaces: onAnyExecutor(
        db
          // What the page prints of a space, not its ground rules: a member sees a hundred spaces here.
          .select({
            space: { id: spaces.id, slug: spaces.slug, name: spaces.name, description: spaces.description, level: spaces.level },
            joined: sql<boolean>`${spaces.id} in (${joinedSpaceIds})`,
          })
          .from(spaces)
          .where(and(spaceVisible(viewer), isNull(spaces.archivedAt)))
          .orderBy(asc(spaces.position), asc(spaces.id))
          .prepare(`${key}_home_spaces`),
      ),
      boards: onAnyExecutor(
        db
          .select({ board: boards })
          .from(boards)
          .innerJoin(spaces, eq(spaces.id, boards.spaceId))
          .where(
            and(
              boardVisible(viewer),
              isNull(boards.archivedAt),
              isNull(spaces.archivedAt),
              sql`${spaces.level} <> 'public' and ${spaces.id} in (${joinedSpaceIds})`,
            ),
          )
          .orderBy(asc(boards.position), asc(boards.id))
          .prepare(`${key}_home_boards`),
      ),
    };
  }),
);

/** The boards of the public spaces, as a visitor may read them: the same for every viewer. */
const publicBoards = oncePerDatabase((db) =>
  onAnyExecutor(
    db
      .select({ board: boards })
      .from(boards)
      .innerJoin(spaces, eq(spaces.id, boards.spaceId))
      .where(and(boardVisible(ANONYMOUS), isNull(boards.archivedAt), isNull(spaces.archivedAt), eq(spaces.level, 'public')))
      .orderBy(asc(boards.position), asc(boards.id))
      .prepare('public_boards'),
  ),
);

export async function listPublicBoards(db: Executor): Promise<BoardRow[]> {
  const rows = await publicBoards(db)(db, {});
  return rows.map((row) => row.board);
}

/** A space as the home page lists it. */
export type HomeSpaceRow = Pick<SpaceRow, 'id' | 'slug' | 'name' | 'description' | 'level'>;

export async function listHomeSpaces(db: Executor, viewer: Viewer): Promise<{ spaces: { space: HomeSpaceRow; joined: boolean }[]; boards: BoardRow[] }> {
  const reads = homeReads(db)[policyKey(viewer)];
  const [spaceRows, boardRows] = await Promise.all([reads.spaces(db, viewerParameters(viewer)), reads.boards(db, viewerParameters(viewer))]);
  return { spaces: spaceRows, boards: boardRows.map((row) => row.board) };
}

export async function listVisibleBoards(db: Executor, viewer: Viewer, options: { spaceId?: number; includeArchived: boolean }): Promise<BoardRow[]> {
  return db
    .select()
    .from(boards)
    .where(
      and(
        boardVisible(viewer),
        options.spaceId === undefined ? undefined : eq(boards.spaceId, options.spaceId),
        options.includeArchived ? undefined : isNull(boards.archivedAt),
      ),
    )
    .orderBy(asc(boards.position), asc(boards.id));
}

export async function findVisibleSpaceBySlug(db: Executor, viewer: Viewer, slug: string): Promise<SpaceRow | undefined> {
  const [row] = await db
    .select()
    .from(spaces)
    .where(and(sql`lower(${spaces.slug}) = ${slug.toLowerCase()}`, spaceVisible(viewer)))
    .limit(1);
  return row;
}

export async function findVisibleSpaceById(db: Executor, viewer: Viewer, id: number): Promise<SpaceRow | undefined> {
  const [row] = await db.select().from(spaces).where(and(eq(spaces.id, id), spaceVisible(viewer))).limit(1);
  return row;
}

/** Built once per database handle and site role: every watch change reads it. */
const visibleBoardById = oncePerDatabase((db) =>
  perPolicyKey((viewer, key) =>
    onAnyExecutor(
      db
        .select({ board: boards, space: spaces })
        .from(boards)
        .innerJoin(spaces, eq(spaces.id, boards.spaceId))
        .where(and(eq(boards.id, sql.placeholder('id')), spaceContentVisible(viewer)))
        .limit(1)
        .prepare(`${key}_board_by_id`),
    ),
  ),
);

export async function findVisibleBoardById(db: Executor, viewer: Viewer, id: number): Promise<(BoardRow & { space: SpaceRow }) | undefined> {
  const [row] = await visibleBoardById(db)[policyKey(viewer)](db, { id, ...viewerParameters(viewer) });
  return row ? { ...row.board, space: row.space } : undefined;
}

/**
 * A board by its space's and its own slug, as a board page opens it: with the viewer's membership
 * of the space (null for visitors and non-members), which the page's facts are decided from, and
 * their own watch levels of the board and the space, which its watch control shows. One
 * statement, built once per database handle and policy key: a board page asked for the space, then
 * the board, then the membership.
 */
const visibleBoardBySlugs = oncePerDatabase((db) =>
  perPolicyKey((viewer, key) =>
    onAnyExecutor(
      db
        .select({
          board: boards,
          space: spaces,
          membership: { role: spaceMembers.role, status: spaceMembers.status },
          ownWatch: ownWatchLevels(viewer.kind === 'member' ? sql`${viewer.id}` : null, { threadId: sql`null`, boardId: sql`${boards.id}`, spaceId: sql`${spaces.id}` }),
        })
        .from(boards)
        .innerJoin(spaces, eq(spaces.id, boards.spaceId))
        .leftJoin(spaceMembers, and(eq(spaceMembers.spaceId, spaces.id), sql`${spaceMembers.userId} = ${viewer.kind === 'member' ? viewer.id : sql`null`}`))
        .where(and(sql`lower(${spaces.slug}) = ${sql.placeholder('spaceSlug')}`, sql`lower(${boards.slug}) = ${sql.placeholder('boardSlug')}`, spaceContentVisible(viewer)))
        .limit(1)
        .prepare(`${key}_board_by_slugs`),
    ),
  ),
);

export async function findVisibleBoardBySlugs(db: Executor, viewer: Viewer, spaceSlug: string, boardSlug: string) {
  const [row] = await visibleBoardBySlugs(db)[policyKey(viewer)](db, { spaceSlug: spaceSlug.toLowerCase(), boardSlug: boardSlug.toLowerCase(), ...viewerParameters(viewer) });
  return row && { ...row.board, space: row.space, membership: row.membership, ownWatch: row.ownWatch };
}

/**
 * A board as a member posts to it: the board and space as they may see them, their membership of
 * the space (what `can()` decides posting from) and whether they moderate it (moderators are not
 * held or limited), in one statement; a new thread read these in three.
 */
const postingBoardById = oncePerDatabase((db) =>
  perPolicyKey((viewer, key) =>
    onAnyExecutor(
      db
        .select({
          board: boards,
          space: spaces,
          membership: { role: spaceMembers.role, status: spaceMembers.status },
          moderates: sql<boolean>`${moderatesSpace(viewer, spaces.id)}`,
        })
        .from(boards)
        .innerJoin(spaces, eq(spaces.id, boards.spaceId))
        .leftJoin(spaceMembers, and(eq(spaceMembers.spaceId, spaces.id), viewer.kind === 'member' ? eq(spaceMembers.userId, viewer.id) : sql`false`))
        .where(and(eq(boards.id, sql.placeholder('id')), spaceContentVisible(viewer)))
        .limit(1)
        .prepare(`${key}_posting_board`),
    ),
  ),
);

export async function findPostingBoard(db: Executor, viewer: Viewer, id: number) {
  const [row] = await postingBoardById(db)[policyKey(viewer)](db, { id, ...viewerParameters(viewer) });
  return row && { board: { ...row.board, space: row.space }, membership: row.membership, moderates: row.moderates };
}

export async function slugTaken(db: Executor, slug: string): Promise<boolean> {
  const [row] = await db.select({ id: spaces.id }).from(spaces).where(sql`lower(${spaces.slug}) = ${slug.toLowerCase()}`).limit(1);
  return row !== undefined;
}

export async function boardSlugTaken(db: Executor, spaceId: number, slug: string): Promise<boolean> {
  const [row] = await db
    .select({ id: boards.id })
    .from(boards)
    .where(and(eq(boards.spaceId, spaceId), sql`lower(${boards.slug}) = ${slug.toLowerCase()}`))
    .limit(1);
  return row !== undefined;
}

export async function nextSpacePosition(db: Executor): Promise<number> {
  const [row] = await db.select({ n: sql<number>`coalesce(max(${spaces.position}), -1)::int + 1` }).from(spaces);
  return row?.n ?? 0;
}

export async function nextBoardPosition(db: Executor, spaceId: number): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`coalesce(max(${boards.position}), -1)::int + 1` })
    .from(boards)
    .where(eq(boards.spaceId, spaceId));
  return row?.n ?? 0;
}

export async function insertSpace(db: Executor, values: typeof spaces.$inferInsert): Promise<SpaceRow> {
  const [row] = await db.insert(spaces).values(values).returning();
  if (!row) throw new Error('insert returned no row');
  return row;
}

export async function updateSpace(db: Executor, id: number, values: Partial<typeof spaces.$inferInsert>): Promise<void> {
  await db.update(spaces).set(values).where(eq(spaces.id, id));
}

export async function insertBoard(db: Executor, values: typeof boards.$inferInsert): Promise<BoardRow> {
  const [row] = await db.insert(boards).values(values).returning();
  if (!row) throw new Error('insert returned no row');
  return row;
}

export async function updateBoard(db: Executor, id: number, values: Partial<typeof boards.$inferInsert>): Promise<void> {
  await db.update(boards).set(values).where(eq(boards.id, id));
}

/** Rewrites positions 0..n-1 in the given order, in the caller's transaction. */
export async function setSpaceOrder(db: Executor, orderedIds: number[]): Promise<void> {
  for (const [position, id] of orderedIds.entries()) await db.update(spaces).set({ position }).where(eq(spaces.id, id));
}

export async function setBoardOrder(db: Executor, orderedIds: number[]): Promise<void> {
  for (const [position, id] of orderedIds.entries()) await db.update(boards).set({ position }).where(eq(boards.id, id));
}

// Membership. These rows hold no content; they are the facts the policy decides from.

export type MembershipRow = typeof spaceMembers.$inferSelect;

const membershipOf = oncePerDatabase((db) =>
  onAnyExecutor(
    db
      .select()
      .from(spaceMembers)
      .where(and(eq(spaceMembers.spaceId, sql.placeholder('spaceId')), eq(spaceMembers.userId, sql.placeholder('userId'))))
      .limit(1)
      .prepare('membership'),
  ),
);

/** Read by most pages and writes in a space (the policy's facts), so built once. */
export async function findMembership(db: Executor, spaceId: number, userId: string): Promise<MembershipRow | undefined> {
  const [row] = await membershipOf(db)(db, { spaceId, userId });
  return row;
}

export async function upsertMembership(db: Executor, values: typeof spaceMembers.$inferInsert): Promise<void> {
  const { spaceId: _s, userId: _u, ...rest } = values;
  await db
    .insert(spaceMembers)
    .values(values)
    .onConflictDoUpdate({ target: [spaceMembers.spaceId, spaceMembers.userId], set: { ...rest, updatedAt: new Date() } });
}

export async function updateMembership(db: Executor, spaceId: number, userId: string, values: Partial<typeof spaceMembers.$inferInsert>): Promise<void> {
  await db
    .update(spaceMembers)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(spaceMembers.spaceId, spaceId), eq(spaceMembers.userId, userId)));
}

/** Waiting requests to join, closed at once (the space became confidential): who had asked. */
export async function closeJoinRequests(db: Executor, spaceId: number): Promise<string[]> {
  const rows = await db
    .update(spaceMembers)
    .set({ status: 'removed', role: 'member', updatedAt: new Date() })
    .where(and(eq(spaceMembers.spaceId, spaceId), eq(spaceMembers.status, 'requested')))
    .returning({ userId: spaceMembers.userId });
  return rows.map((r) => r.userId);
}

/** When the space's managers last refused this member's request to join, if they did. */
export async function findLastRefusal(db: Executor, spaceId: number, userId: string): Promise<Date | undefined> {
  const [row] = await db
    .select({ at: spaceLog.createdAt })
    .from(spaceLog)
    .where(and(eq(spaceLog.spaceId, spaceId), eq(spaceLog.subjectId, userId), eq(spaceLog.action, 'refused')))
    .orderBy(desc(spaceLog.id))
    .limit(1);
  return row?.at;
}

/** Members of a space the viewer can see, with their public names. */
export async function listMembers(db: Executor, viewer: Viewer, spaceId: number) {
  return db
    .select({
      userId: users.id,
      handle: users.handle,
      displayName: users.displayName,
      role: spaceMembers.role,
      status: spaceMembers.status,
      requestMessage: spaceMembers.requestMessage,
      rulesAcceptedVersion: spaceMembers.rulesAcceptedVersion,
      since: spaceMembers.createdAt,
    })
    .from(spaceMembers)
    .innerJoin(users, eq(users.id, spaceMembers.userId))
    .innerJoin(spaces, eq(spaces.id, spaceMembers.spaceId))
    .where(and(eq(spaceMembers.spaceId, spaceId), spaceVisible(viewer)))
    .orderBy(asc(spaceMembers.role), asc(users.displayName));
}

export async function listOwnerIds(db: Executor, spaceId: number): Promise<string[]> {
  const rows = await db
    .select({ userId: spaceMembers.userId })
    .from(spaceMembers)
    .where(and(eq(spaceMembers.spaceId, spaceId), eq(spaceMembers.role, 'owner'), eq(spaceMembers.status, 'active')));
  return rows.map((r) => r.userId);
}

export async function insertLog(db: Executor, values: typeof spaceLog.$inferInsert): Promise<void> {
  await db.insert(spaceLog).values(values);
}

const actor = alias(users, 'actor');
const subject = alias(users, 'subject');

export async function listLog(db: Executor, viewer: Viewer, spaceId: number, limit: number) {
  return db
    .select({
      id: spaceLog.id,
      action: spaceLog.action,
      detail: spaceLog.detail,
      createdAt: spaceLog.createdAt,
      actorHandle: actor.handle,
      subjectHandle: subject.handle,
    })
    .from(spaceLog)
    .innerJoin(spaces, eq(spaces.id, spaceLog.spaceId))
    .leftJoin(actor, eq(actor.id, spaceLog.actorId))
    .leftJoin(subject, eq(subject.id, spaceLog.subjectId))
    .where(and(eq(spaceLog.spaceId, spaceId), spaceVisible(viewer)))
    .orderBy(desc(spaceLog.id))
    .limit(limit);
}

export async function insertAcceptance(db: Executor, spaceId: number, userId: string, version: number): Promise<void> {
  await db.insert(rulesAcceptances).values({ spaceId, userId, version }).onConflictDoNothing();
}

// Invitations

export async function insertInvitation(db: Executor, values: typeof spaceInvitations.$inferInsert) {
  const [row] = await db.insert(spaceInvitations).values(values).returning({ id: spaceInvitations.id, expiresAt: spaceInvitations.expiresAt });
  if (!row) throw new Error('insert returned no row');
  return row;
}

export async function listOpenInvitations(db: Executor, spaceId: number) {
  return db
    .select({ id: spaceInvitations.id, createdAt: spaceInvitations.createdAt, expiresAt: spaceInvitations.expiresAt, createdBy: users.handle })
    .from(spaceInvitations)
    .innerJoin(users, eq(users.id, spaceInvitations.createdBy))
    .where(and(eq(spaceInvitations.spaceId, spaceId), isNull(spaceInvitations.usedAt), isNull(spaceInvitations.revokedAt), gt(spaceInvitations.expiresAt, new Date())))
    .orderBy(desc(spaceInvitations.id));
}

export async function revokeInvitation(db: Executor, spaceId: number, id: number): Promise<boolean> {
  const rows = await db
    .update(spaceInvitations)
    .set({ revokedAt: new Date() })
    .where(and(eq(spaceInvitations.spaceId, spaceId), eq(spaceInvitations.id, id), isNull(spaceInvitations.usedAt), isNull(spaceInvitations.revokedAt)))
    .returning({ id: spaceInvitations.id });
  return rows.length > 0;
}

/** Marks the link used by `userId` in one statement, so it admits exactly one person. */
export async function consumeInvitation(db: Executor, tokenHash: string, userId: string): Promise<number | undefined> {
  const [row] = await db
    .update(spaceInvitations)
    .set({ usedAt: new Date(), usedBy: userId })
    .where(and(eq(spaceInvitations.tokenHash, tokenHash), isNull(spaceInvitations.usedAt), isNull(spaceInvitations.revokedAt), gt(spaceInvitations.expiresAt, new Date())))
    .returning({ spaceId: spaceInvitations.spaceId });
  return row?.spaceId;
}

/**
 * What the holder of a valid invitation link may learn before joining: the space's name,
 * description and ground rules, never its content.
 */
export async function findSpaceByInvitation(db: Executor, tokenHash: string) {
  const [row] = await db
    .select({ id: spaces.id, slug: spaces.slug, name: spaces.name, description: spaces.description, level: spaces.level, rulesHtml: spaces.rulesHtml })
    .from(spaceInvitations)
    .innerJoin(spaces, eq(spaces.id, spaceInvitations.spaceId))
    .where(and(eq(spaceInvitations.tokenHash, tokenHash), isNull(spaceInvitations.usedAt), isNull(spaceInvitations.revokedAt), gt(spaceInvitations.expiresAt, new Date())))
    .limit(1);
  return row;
}

/**
 * The home page's notice: how many of a member's invitations are open (their space not archived),
 * and whether they have an invitation row at all (an archived space's may open again).
 */
const invitationCount = oncePerDatabase((db) =>
  onAnyExecutor(
    db
      .select({ open: sql<number>`count(*) filter (where ${spaces.archivedAt} is null)::int`, rows: sql<number>`count(*)::int` })
      .from(spaceMembers)
      .innerJoin(spaces, eq(spaces.id, spaceMembers.spaceId))
      .where(and(eq(spaceMembers.userId, sql.placeholder('userId')), eq(spaceMembers.status, 'invited')))
      .prepare('own_invitation_count'),
  ),
);

export async function countInvitationsForUser(db: Executor, userId: string): Promise<{ open: number; rows: number }> {
  const [row] = await invitationCount(db)(db, { userId });
  return { open: row?.open ?? 0, rows: row?.rows ?? 0 };
}

/** A member's own pending invitations by handle: the invitee may learn the space's name. */
export async function listInvitationsForUser(db: Executor, userId: string) {
  // Who invited them, from the space's log (the newest invitation of this member): knowing who
  // asked is what lets someone decide to join a confidential group.
  const inviter = db
    .select({ handle: users.handle, name: users.displayName })
    .from(spaceLog)
    .innerJoin(users, eq(users.id, spaceLog.actorId))
    .where(and(eq(spaceLog.spaceId, spaces.id), eq(spaceLog.subjectId, userId), eq(spaceLog.action, 'invited')))
    .orderBy(desc(spaceLog.id))
    .limit(1)
    .as('inviter');
  return db
    .select({
      id: spaces.id,
      slug: spaces.slug,
      name: spaces.name,
      description: spaces.description,
      level: spaces.level,
      rulesHtml: spaces.rulesHtml,
      inviterHandle: inviter.handle,
      inviterName: inviter.name,
    })
    .from(spaceMembers)
    .innerJoin(spaces, eq(spaces.id, spaceMembers.spaceId))
    .leftJoinLateral(inviter, sql`true`)
    .where(and(eq(spaceMembers.userId, userId), eq(spaceMembers.status, 'invited'), isNull(spaces.archivedAt)))
    .orderBy(asc(spaces.name));
}

/** Site governance: every space by name, level and member count, and nothing more. */
export async function listSpacesForGovernance(db: Executor) {
  return db
    .select({
      id: spaces.id,
      name: spaces.name,
      level: spaces.level,
      archived: sql<boolean>`${spaces.archivedAt} is not null`,
      memberCount: sql<number>`(select count(*)::int from ${spaceMembers} where ${spaceMembers.spaceId} = ${spaces.id} and ${spaceMembers.status} = 'active')`,
    })
    .from(spaces)
    .orderBy(asc(spaces.position), asc(spaces.id));
}

/**
 * For an active member who has not yet accepted the current ground rules: the space a board or
 * thread belongs to, so the page can send them to the rules instead of a 404.
 */
export async function findRulesGate(db: Executor, viewer: Viewer, target: { boardId?: number; threadId?: number }) {
  if (viewer.kind === 'anonymous') return undefined;
  const boardId = target.threadId !== undefined ? sql`(select ${threads.boardId} from ${threads} where ${threads.id} = ${target.threadId})` : sql`${target.boardId ?? 0}`;
  const [row] = await db
    .select({ slug: spaces.slug })
    .from(spaces)
    .innerJoin(boards, eq(boards.spaceId, spaces.id))
    .innerJoin(spaceMembers, and(eq(spaceMembers.spaceId, spaces.id), eq(spaceMembers.userId, viewer.id)))
    .where(and(sql`${boards.id} = ${boardId}`, spaceVisible(viewer), eq(spaceMembers.status, 'active'), lt(spaceMembers.rulesAcceptedVersion, spaces.rulesVersion)))
    .limit(1);
  return row;
}

// Level changes

export type LevelChangeRow = typeof levelChanges.$inferSelect;

export async function findPendingLevelChange(db: Executor, spaceId: number): Promise<LevelChangeRow | undefined> {
  const [row] = await db
    .select()
    .from(levelChanges)
    .where(and(eq(levelChanges.spaceId, spaceId), eq(levelChanges.status, 'pending')))
    .limit(1);
  return row;
}

export async function insertLevelChange(db: Executor, values: typeof levelChanges.$inferInsert): Promise<LevelChangeRow> {
  const [row] = await db.insert(levelChanges).values(values).returning();
  if (!row) throw new Error('insert returned no row');
  return row;
}

export async function updateLevelChange(db: Executor, id: number, values: Partial<typeof levelChanges.$inferInsert>): Promise<void> {
  await db.update(levelChanges).set(values).where(eq(levelChanges.id, id));
}

/** Applies every lowering whose week of notice has passed; returns the spaces changed. */
export async function applyDueLevelChanges(db: Executor, now: Date): Promise<{ spaceId: number; toLevel: string }[]> {
  const due = await db
    .update(levelChanges)
    .set({ status: 'applied' })
    .where(and(eq(levelChanges.status, 'pending'), lt(levelChanges.effectiveAt, now)))
    .returning({ spaceId: levelChanges.spaceId, toLevel: levelChanges.toLevel });
  for (const change of due) await db.update(spaces).set({ level: change.toLevel }).where(eq(spaces.id, change.spaceId));
  return due;
}
