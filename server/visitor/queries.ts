import { and, eq, gt, lt } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { visitorSessions } from '../../db/schema/index.ts';

export async function readVisitorSession(db: Executor, sid: string): Promise<unknown> {
  const [row] = await db
    .select({ data: visitorSessions.data })
    .from(visitorSessions)
    .where(and(eq(visitorSessions.sid, sid), gt(visitorSessions.expiresAt, new Date())))
    .limit(1);
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
