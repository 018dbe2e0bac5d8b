import { bigint, boolean, index, integer, jsonb, pgEnum, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from './accounts.ts';

export const outboxStatus = pgEnum('outbox_status', ['queued', 'sent', 'failed']);

/**
 * Every e-mail the site sends, whatever the transport: with no SMTP server configured this table
 * is the delivery (the development outbox an admin reads); with one, it is the record that makes
 * retries and "sent once" checkable. `failed` means the last attempt failed (retries may follow).
 */
export const outboxMessages = pgTable(
  'outbox_messages',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** What the message is: verify-email, reset-password, confirm-email-change, email-change-requested, email-changed, account-suspended, notification, digest. */
    kind: text('kind').notNull(),
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    htmlBody: text('html_body').notNull(),
    /** Extra headers (List-Unsubscribe and List-Unsubscribe-Post on notification e-mails). */
    headers: jsonb('headers').$type<Record<string, string>>().notNull().default({}),
    /** Carries a one-time sign-in-grade link: its bodies are blanked once an SMTP server accepted it. */
    sensitive: boolean('sensitive').notNull().default(false),
    status: outboxStatus('status').notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** 'outbox' (kept here, no SMTP configured) or 'smtp'. */
    deliveredVia: text('delivered_via'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [index('outbox_messages_created_idx').on(t.createdAt), index('outbox_messages_user_idx').on(t.userId)],
);

export const accountTokenPurpose = pgEnum('account_token_purpose', ['verify_email', 'reset_password', 'change_email']);

/** Single-use, expiring links sent by e-mail; only a SHA-256 of the token is stored. */
export const accountTokens = pgTable(
  'account_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    purpose: accountTokenPurpose('purpose').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The address the link was sent to: a verification proves this address, not whatever the account holds later. */
    email: text('email').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('account_tokens_user_purpose_idx').on(t.userId, t.purpose, t.createdAt)],
);
