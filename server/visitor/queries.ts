import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { onAnyExecutor, oncePerDatabase } from '../../db/named-statement.ts';
import { visitorSessions } from '../../db/schema/index.ts';

const visitorSessionBySid = oncePerDatabase((db) =>
  onAnyExecutor(
    db
      .select({ data: visitorSessions.data })
      .from(visitorSessions)
      .where(and(eq(visitorSessions.sid, sql.placeholder('sid')), gt(visitorSessions.expiresAt, sql.placeholder('now'))))
      .limit(1)
      .prepare('visitor_session'),
  ),
);

/** Read on most page requests (the CSRF secret, flash messages), so built once. */
export async function readVisitorSession(db: Executor, sid: string): Promise<unknown> {
  const [row] = await visitorSessionBySid(db)(db, { sid, now: new Date() });
  return row?.data;
}

export async function writeVisitorSession(db: Executor, sid: string, data: unknown, expiresAt: Date): Promise<void> {
  await db
    .insert(visitorSessions)
    .values({ sid, data, expiresAt })
    .onConflictDoUpdate({ target: visitorSessions.sid, set: { data, expiresAt } });
}

export async function deleteVisitorSession(db: Executor, sid: string): Promise<void> {
  await db.delete(visitorSessions).where(eq(visitorSessions.sid, sid));
}

export async function pruneVisitorSessions(db: Executor): Promise<void> {
  await db.delete(visitorSessions).where(lt(visitorSessions.expiresAt, new Date()));
}
