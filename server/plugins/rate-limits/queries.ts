import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Executor } from '../../../db/client.ts';
import { rateLimitHits } from '../../../db/schema/index.ts';

export interface HitCount {
  hits: number;
  /** Milliseconds until the window ends, by the database's clock (the same for every process). */
  ttlMs: number;
}

const ttlMs = sql<number>`greatest(0, ceil(extract(epoch from (${rateLimitHits.windowEndsAt} - now())) * 1000))::integer`;

/**
 * Counts one request in one statement: a new key or an ended window starts at 1, a running window
 * goes up by 1. The row lock taken by ON CONFLICT makes concurrent requests from any process count
 * one after another, so none is lost.
 */
export async function countHit(db: Executor, key: string, windowMs: number): Promise<HitCount> {
  const [row] = await db
    .insert(rateLimitHits)
    .values({ key, hits: 1, windowEndsAt: sql`now() + ${windowMs}::integer * interval '1 millisecond'` })
    .onConflictDoUpdate({
      target: rateLimitHits.key,
      set: {
        hits: sql`case when ${rateLimitHits.windowEndsAt} <= now() then 1 else ${rateLimitHits.hits} + 1 end`,
        windowEndsAt: sql`case when ${rateLimitHits.windowEndsAt} <= now() then excluded.window_ends_at else ${rateLimitHits.windowEndsAt} end`,
      },
    })
    .returning({ hits: rateLimitHits.hits, ttlMs });
  if (!row) throw new Error('counting a rate-limited request returned no row');
  return row;
}

/** The running count without adding to it (0 when the window has ended). */
export async function readHits(db: Executor, key: string): Promise<HitCount> {
  const [row] = await db
    .select({ hits: rateLimitHits.hits, ttlMs })
    .from(rateLimitHits)
    .where(and(eq(rateLimitHits.key, key), gt(rateLimitHits.windowEndsAt, sql`now()`)));
  return row ?? { hits: 0, ttlMs: 0 };
}

/** Ended windows: the next request for their key starts a new row anyway. */
export async function pruneEndedWindows(db: Executor): Promise<number> {
  const gone = await db.delete(rateLimitHits).where(lt(rateLimitHits.windowEndsAt, sql`now()`)).returning({ key: rateLimitHits.key });
  return gone.length;
}
