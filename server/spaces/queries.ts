import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { boards, spaces } from '../../db/schema/index.ts';
import { boardVisible, spaceVisible, type Viewer } from '../policy/index.ts';

export type SpaceRow = typeof spaces.$inferSelect;
export type BoardRow = typeof boards.$inferSelect;

export async function listVisibleSpaces(db: Executor, viewer: Viewer, options: { includeArchived: boolean }): Promise<SpaceRow[]> {
  return db
    .select()
    .from(spaces)
    .where(and(spaceVisible(viewer), options.includeArchived ? undefined : isNull(spaces.archivedAt)))
    .orderBy(asc(spaces.position), asc(spaces.id));
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

export async function findVisibleBoard(db: Executor, viewer: Viewer, spaceId: number, slug: string): Promise<BoardRow | undefined> {
  const [row] = await db
    .select()
    .from(boards)
    .where(and(eq(boards.spaceId, spaceId), sql`lower(${boards.slug}) = ${slug.toLowerCase()}`, boardVisible(viewer)))
    .limit(1);
  return row;
}

export async function findVisibleBoardById(db: Executor, viewer: Viewer, id: number): Promise<(BoardRow & { space: SpaceRow }) | undefined> {
  const [row] = await db
    .select({ board: boards, space: spaces })
    .from(boards)
    .innerJoin(spaces, eq(spaces.id, boards.spaceId))
    .where(and(eq(boards.id, id), spaceVisible(viewer)))
    .limit(1);
  return row ? { ...row.board, space: row.space } : undefined;
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
