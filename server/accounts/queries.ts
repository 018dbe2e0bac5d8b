import { DrizzlePostgreSQLAdapter } from '@lucia-auth/adapter-drizzle';
import { and, desc, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { DatabaseSession, DatabaseUser } from 'lucia';
import type { Database, Executor } from '../../db/client.ts';
import { onAnyExecutor, oncePerDatabase } from '../../db/named-statement.ts';
import { apiTokens, sessions, signInFailures, signInLinks, users } from '../../db/schema/index.ts';

export type UserRow = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;

/**
 * lucia's drizzle adapter, with the lookup every signed-in request makes built once instead of on
 * each call (its user row is every column of users: building that select was most of it).
 */
class SessionAdapter extends DrizzlePostgreSQLAdapter {
  private readonly sessionAndUser;

  constructor(db: Database) {
    // The adapter's parameter type names the node-postgres flavour; both drivers share the query builder.
    super(db as never, sessions, users);
    this.sessionAndUser = db
      .select({ user: users, session: sessions })
      .from(sessions)
      .innerJoin(users, eq(sessions.userId, users.id))
      .where(eq(sessions.id, sql.placeholder('id')))
      .prepare('session_and_user');
  }

  override async getSessionAndUser(sessionId: string): Promise<[DatabaseSession | null, DatabaseUser | null]> {
    const rows = await this.sessionAndUser.execute({ id: sessionId });
    const row = rows[0];
    if (rows.length !== 1 || !row) return [null, null];
    // The shapes the base adapter answers: every other column is an attribute.
    const { id, userId, expiresAt, ...sessionAttributes } = row.session;
    const { id: userRowId, ...userAttributes } = row.user;
    return [
      { id, userId, expiresAt, attributes: sessionAttributes },
      { id: userRowId, attributes: userAttributes },
    ];
  }
}

export function sessionAdapter(db: Database): DrizzlePostgreSQLAdapter {
  return new SessionAdapter(db);
}

export async function findUserByLogin(db: Executor, login: string): Promise<UserRow | undefined> {
  const key = login.trim().toLowerCase();
  const [row] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.handle}) = ${key} or lower(${users.email}) = ${key}`)
    .limit(1);
  return row;
}

export async function findUserById(db: Executor, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return row;
}

/**
 * A member as the author of what a page shows (their blog, an entry): the name and nothing else
 * of the account but when it was made (an empty blog's feed dates from then). Built once per database handle: every blog page asks it.
 */
const authorByHandle = oncePerDatabase((db) =>
  onAnyExecutor(
    db
      .select({ id: users.id, handle: users.handle, displayName: users.displayName, createdAt: users.createdAt })
      .from(users)
      .where(sql`lower(${users.handle}) = ${sql.placeholder('handle')}`)
      .limit(1)
      .prepare('author_by_handle'),
  ),
);

export async function findAuthorByHandle(db: Executor, handle: string): Promise<Pick<UserRow, 'id' | 'handle' | 'displayName' | 'createdAt'> | undefined> {
  const [row] = await authorByHandle(db)(db, { handle: handle.toLowerCase() });
  return row;
}

/** What a member's public profile shows of their account (and the id its lists are read by). */
export type ProfileRow = Pick<UserRow, 'id' | 'handle' | 'displayName' | 'title' | 'specialty' | 'institution' | 'bioHtml' | 'role' | 'createdAt'>;

/** Built once per database handle: every profile page asks it, and it never reads the password hash or e-mail. */
const profileByHandle = oncePerDatabase((db) =>
  onAnyExecutor(
    db
      .select({
        id: users.id,
        handle: users.handle,
        displayName: users.displayName,
        title: users.title,
        specialty: users.specialty,
        institution: users.institution,
        bioHtml: users.bioHtml,
        role: users.role,
        createdAt: users.createdAt,
      })
      .from(users)
      .where(sql`lower(${users.handle}) = ${sql.placeholder('handle')}`)
      .limit(1)
      .prepare('profile_by_handle'),
  ),
);

export async function findProfileByHandle(db: Executor, handle: string): Promise<ProfileRow | undefined> {
  const [row] = await profileByHandle(db)(db, { handle: handle.toLowerCase() });
  return row;
}

export async function findUserByHandle(db: Executor, handle: string): Promise<UserRow | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.handle}) = ${handle.toLowerCase()}`)
    .limit(1);
  return row;
}

export async function handleOrEmailTaken(db: Executor, handle: string, email: string): Promise<{ handle: boolean; email: boolean }> {
  const rows = await db
    .select({ handle: users.handle, email: users.email })
    .from(users)
    .where(sql`lower(${users.handle}) = ${handle.toLowerCase()} or lower(${users.email}) = ${email.toLowerCase()}`);
  return {
    handle: rows.some((r) => r.handle.toLowerCase() === handle.toLowerCase()),
    email: rows.some((r) => r.email.toLowerCase() === email.toLowerCase()),
  };
}

export async function insertUser(db: Executor, user: NewUser): Promise<UserRow> {
  const [row] = await db.insert(users).values(user).returning();
  if (!row) throw new Error('insert returned no row');
  return row;
}

export async function countUsers(db: Executor): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
  return row?.n ?? 0;
}

export async function updateUser(db: Executor, id: string, values: Partial<NewUser>): Promise<void> {
  await db.update(users).set({ ...values, updatedAt: new Date() }).where(eq(users.id, id));
}

export async function deleteSessionsOfUser(db: Executor, userId: string, exceptSessionId?: string): Promise<void> {
  await db
    .delete(sessions)
    .where(exceptSessionId ? and(eq(sessions.userId, userId), sql`${sessions.id} <> ${exceptSessionId}`) : eq(sessions.userId, userId));
}

export async function listSessionsOfUser(db: Executor, userId: string) {
  return db
    .select({ id: sessions.id, createdAt: sessions.createdAt, expiresAt: sessions.expiresAt, userAgent: sessions.userAgent })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, new Date())))
    .orderBy(desc(sessions.createdAt));
}

export async function deleteExpiredSessions(db: Executor): Promise<void> {
  await db.delete(sessions).where(sql`${sessions.expiresAt} < now() or ${sessions.absoluteExpiresAt} < now()`);
}

// API tokens

export async function insertApiToken(db: Executor, userId: string, name: string, tokenHash: string) {
  const [row] = await db.insert(apiTokens).values({ userId, name, tokenHash }).returning({ id: apiTokens.id, name: apiTokens.name, createdAt: apiTokens.createdAt });
  if (!row) throw new Error('insert returned no row');
  return row;
}

export async function listApiTokens(db: Executor, userId: string) {
  return db
    .select({ id: apiTokens.id, name: apiTokens.name, createdAt: apiTokens.createdAt, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens)
    .where(eq(apiTokens.userId, userId))
    .orderBy(desc(apiTokens.createdAt));
}

export async function deleteApiToken(db: Executor, userId: string, id: number): Promise<boolean> {
  const rows = await db.delete(apiTokens).where(and(eq(apiTokens.userId, userId), eq(apiTokens.id, id))).returning({ id: apiTokens.id });
  return rows.length > 0;
}

export async function deleteApiTokensOfUser(db: Executor, userId: string): Promise<void> {
  await db.delete(apiTokens).where(eq(apiTokens.userId, userId));
}

/**
 * The member behind an API token, or undefined; looked up on every API request, so built once per
 * database handle.
 */
export function prepareApiTokenLookup(db: Executor): (tokenHash: string) => Promise<UserRow | undefined> {
  const lookup = db
    .select({ user: users, tokenId: apiTokens.id, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(eq(apiTokens.tokenHash, sql.placeholder('tokenHash')))
    .limit(1)
    .prepare('user_by_api_token');
  return async (tokenHash) => {
    const [row] = await lookup.execute({ tokenHash });
    if (!row) return undefined;
    // "Last used" to the minute is enough, and a write on every API call would serialise a busy script.
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
      await db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, row.tokenId));
    }
    return row.user;
  };
}

// One-time sign-in links

export async function insertSignInLink(db: Executor, userId: string, tokenHash: string, expiresAt: Date): Promise<void> {
  await db.insert(signInLinks).values({ userId, tokenHash, expiresAt });
}

/** Marks the link used and returns its user, in one statement so a link works exactly once. */
export async function consumeSignInLink(db: Executor, tokenHash: string): Promise<string | undefined> {
  const [row] = await db
    .update(signInLinks)
    .set({ usedAt: new Date() })
    .where(and(eq(signInLinks.tokenHash, tokenHash), isNull(signInLinks.usedAt), gt(signInLinks.expiresAt, new Date())))
    .returning({ userId: signInLinks.userId });
  return row?.userId;
}

// Failed sign-ins

export async function recordSignInFailure(db: Executor, accountKey: string): Promise<void> {
  await db.insert(signInFailures).values({ accountKey });
}

export async function countRecentSignInFailures(db: Executor, accountKey: string, since: Date): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(signInFailures)
    .where(and(eq(signInFailures.accountKey, accountKey), gt(signInFailures.at, since)));
  return row?.n ?? 0;
}

export async function clearSignInFailures(db: Executor, accountKey: string): Promise<void> {
  await db.delete(signInFailures).where(eq(signInFailures.accountKey, accountKey));
}

export async function pruneSignInFailures(db: Executor, before: Date): Promise<void> {
  await db.delete(signInFailures).where(lt(signInFailures.at, before));
}

/** Counts a signed-in day once: the first request of each (UTC) day. */
export async function recordVisitDay(db: Executor, userId: string, today: string): Promise<void> {
  await db
    .update(users)
    .set({ daysVisited: sql`${users.daysVisited} + 1`, lastVisitedOn: today })
    .where(and(eq(users.id, userId), sql`${users.lastVisitedOn} is distinct from ${today}::date`));
}
