import { and, desc, eq, gt, isNull, lt, ne, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { accountTokens, outboxMessages, users } from '../../db/schema/index.ts';

export type OutboxRow = typeof outboxMessages.$inferSelect;
export type NewOutboxMessage = typeof outboxMessages.$inferInsert;
export type EmailNotifications = (typeof users.$inferSelect)['emailNotifications'];
export type AccountTokenPurpose = (typeof accountTokens.$inferSelect)['purpose'];

export async function insertOutboxMessage(db: Executor, message: NewOutboxMessage): Promise<number> {
  const [row] = await db.insert(outboxMessages).values(message).returning({ id: outboxMessages.id });
  if (!row) throw new Error('insert returned no row');
  return row.id;
}

export async function findOutboxMessage(db: Executor, id: number): Promise<OutboxRow | undefined> {
  const [row] = await db.select().from(outboxMessages).where(eq(outboxMessages.id, id)).limit(1);
  return row;
}

/** Newest first, a page at a time (keyset on id). */
export async function listOutboxMessages(db: Executor, options: { before?: number | undefined; limit: number }) {
  return db
    .select({
      id: outboxMessages.id,
      kind: outboxMessages.kind,
      toAddress: outboxMessages.toAddress,
      subject: outboxMessages.subject,
      status: outboxMessages.status,
      attempts: outboxMessages.attempts,
      createdAt: outboxMessages.createdAt,
      sentAt: outboxMessages.sentAt,
    })
    .from(outboxMessages)
    .where(options.before ? lt(outboxMessages.id, options.before) : undefined)
    .orderBy(desc(outboxMessages.id))
    .limit(options.limit);
}

/**
 * Records a delivery once: a second worker finishing the same message changes nothing. A
 * sensitive message's bodies (one-time links) are blanked once an SMTP server holds them.
 */
export async function markOutboxSent(db: Executor, id: number, via: 'outbox' | 'smtp', blankBodies: boolean): Promise<boolean> {
  const removed = '(Removed after delivery: this message carried a one-time link.)';
  const rows = await db
    .update(outboxMessages)
    .set({
      status: 'sent',
      sentAt: new Date(),
      deliveredVia: via,
      attempts: sql`${outboxMessages.attempts} + 1`,
      lastError: null,
      ...(blankBodies ? { textBody: removed, htmlBody: `<p>${removed}</p>` } : {}),
    })
    .where(and(eq(outboxMessages.id, id), ne(outboxMessages.status, 'sent')))
    .returning({ id: outboxMessages.id });
  return rows.length > 0;
}

export async function markOutboxFailed(db: Executor, id: number, error: string): Promise<void> {
  await db
    .update(outboxMessages)
    .set({ status: 'failed', attempts: sql`${outboxMessages.attempts} + 1`, lastError: error })
    .where(and(eq(outboxMessages.id, id), ne(outboxMessages.status, 'sent')));
}

// Recipients

export interface Recipient {
  id: string;
  email: string;
  displayName: string;
  emailVerified: boolean;
  emailNotifications: EmailNotifications;
}

export async function findRecipient(db: Executor, userId: string): Promise<Recipient | undefined> {
  const [row] = await db
    .select({
      id: users.id,
      email: users.email,
      displayName: users.displayName,
      emailVerified: sql<boolean>`${users.emailVerifiedAt} is not null`,
      emailNotifications: users.emailNotifications,
    })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  return row;
}

export async function setEmailNotifications(db: Executor, userId: string, value: EmailNotifications): Promise<boolean> {
  const rows = await db.update(users).set({ emailNotifications: value, updatedAt: new Date() }).where(eq(users.id, userId)).returning({ id: users.id });
  return rows.length > 0;
}

// Single-use links sent by e-mail

export async function insertAccountToken(db: Executor, token: { tokenHash: string; purpose: AccountTokenPurpose; userId: string; email: string; expiresAt: Date }): Promise<void> {
  await db.insert(accountTokens).values(token);
}

export async function countRecentAccountTokens(db: Executor, userId: string, purpose: AccountTokenPurpose, since: Date): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(accountTokens)
    .where(and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, purpose), gt(accountTokens.createdAt, since)));
  return row?.n ?? 0;
}

/** A link that can still be used: unused and unexpired. Reading it spends nothing. */
export async function findUsableAccountToken(db: Executor, tokenHash: string, purpose: AccountTokenPurpose) {
  const [row] = await db
    .select({ userId: accountTokens.userId, email: accountTokens.email })
    .from(accountTokens)
    .where(and(eq(accountTokens.tokenHash, tokenHash), eq(accountTokens.purpose, purpose), isNull(accountTokens.usedAt), gt(accountTokens.expiresAt, new Date())))
    .limit(1);
  return row;
}

/** The newest usable link of a kind, with the address it was sent to and when it runs out. */
export async function findPendingAccountToken(db: Executor, userId: string, purpose: AccountTokenPurpose) {
  const [row] = await db
    .select({ email: accountTokens.email, expiresAt: accountTokens.expiresAt })
    .from(accountTokens)
    .where(and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, purpose), isNull(accountTokens.usedAt), gt(accountTokens.expiresAt, new Date())))
    .orderBy(desc(accountTokens.createdAt))
    .limit(1);
  return row;
}

/** Spends a link in one statement, so it works exactly once even when pressed twice at the same time. */
export async function consumeAccountToken(db: Executor, tokenHash: string, purpose: AccountTokenPurpose) {
  const [row] = await db
    .update(accountTokens)
    .set({ usedAt: new Date() })
    .where(and(eq(accountTokens.tokenHash, tokenHash), eq(accountTokens.purpose, purpose), isNull(accountTokens.usedAt), gt(accountTokens.expiresAt, new Date())))
    .returning({ userId: accountTokens.userId, email: accountTokens.email });
  return row;
}

/** After a reset or a verification, the other links of the same kind are spent too. */
export async function spendAccountTokensOf(db: Executor, userId: string, purpose: AccountTokenPurpose): Promise<void> {
  await db
    .update(accountTokens)
    .set({ usedAt: new Date() })
    .where(and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, purpose), isNull(accountTokens.usedAt)));
}

/** Marks the address verified, but only if the account still has the address the link was sent to. */
export async function markEmailVerified(db: Executor, userId: string, email: string): Promise<boolean> {
  const rows = await db
    .update(users)
    .set({ emailVerifiedAt: new Date(), updatedAt: new Date() })
    .where(and(eq(users.id, userId), sql`lower(${users.email}) = ${email.toLowerCase()}`))
    .returning({ id: users.id });
  return rows.length > 0;
}

export async function findUserIdByEmail(db: Executor, email: string): Promise<string | undefined> {
  const [row] = await db
    .select({ id: users.id })
    .from(users)
    .where(sql`lower(${users.email}) = ${email.trim().toLowerCase()}`)
    .limit(1);
  return row?.id;
}

export async function pruneAccountTokens(db: Executor, before: Date): Promise<void> {
  await db.delete(accountTokens).where(lt(accountTokens.expiresAt, before));
}

/** Deletes messages delivered before `before`; queued and failed ones stay (they may still go, or need a look). */
export async function pruneSentOutbox(db: Executor, before: Date): Promise<number> {
  const rows = await db
    .delete(outboxMessages)
    .where(and(eq(outboxMessages.status, 'sent'), lt(outboxMessages.sentAt, before)))
    .returning({ id: outboxMessages.id });
  return rows.length;
}
