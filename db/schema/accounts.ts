import { sql } from 'drizzle-orm';
import { bigint, boolean, date, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const siteRole = pgEnum('site_role', ['member', 'moderator', 'admin']);
export const userStatus = pgEnum('user_status', ['active', 'silenced', 'suspended']);
/** Notification e-mails a member asked for: none (the default), one per notification, or one digest a day. */
export const emailNotifications = pgEnum('email_notifications', ['off', 'immediately', 'daily']);

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    handle: text('handle').notNull(),
    displayName: text('display_name').notNull(),
    email: text('email').notNull(),
    passwordHash: text('password_hash'),
    role: siteRole('role').notNull().default('member'),
    trustLevel: integer('trust_level').notNull().default(0),
    status: userStatus('status').notNull().default('active'),
    statusUntil: timestamp('status_until', { withTimezone: true }),
    title: text('title').notNull().default(''),
    specialty: text('specialty').notNull().default(''),
    institution: text('institution').notNull().default(''),
    bioSource: text('bio_source').notNull().default(''),
    bioHtml: text('bio_html').notNull().default(''),
    renderVersion: integer('render_version').notNull().default(1),
    /** Flag accuracy: this member's flags that moderators upheld or rejected; it weighs their next flags. */
    flagsAgreed: integer('flags_agreed').notNull().default(0),
    flagsDisagreed: integer('flags_disagreed').notNull().default(0),
    /** Activity that earns trust: distinct days with a signed-in visit, and posts read in threads. */
    daysVisited: integer('days_visited').notNull().default(0),
    lastVisitedOn: date('last_visited_on'),
    postsRead: integer('posts_read').notNull().default(0),
    /** Set while a registration waits for a moderator (when the site holds registrations). */
    approvalPending: boolean('approval_pending').notNull().default(false),
    /** The reason for the current silence or suspension, shown to the member. */
    statusReason: text('status_reason').notNull().default(''),
    /** When the member proved they read mail at `email`; null until then, and again after a change of address. */
    emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true }),
    emailNotifications: emailNotifications('email_notifications').notNull().default('off'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_handle_lower_idx').on(sql`lower(${t.handle})`),
    uniqueIndex('users_email_lower_idx').on(sql`lower(${t.email})`),
    /** Site staff: "may anyone else decide this flag?" asks on every flag, and staff are a handful among thousands. */
    index('users_staff_idx').on(t.id).where(sql`${t.role} in ('moderator', 'admin') and ${t.status} = 'active'`),
  ],
);

/** Lucia's session table, plus an absolute expiry lucia does not model itself. */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    absoluteExpiresAt: timestamp('absolute_expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    userAgent: text('user_agent').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** Bearer tokens for scripts; only a SHA-256 of the token is stored. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('api_tokens_hash_idx').on(t.tokenHash), index('api_tokens_user_idx').on(t.userId)],
);

/** One-time sign-in links (first admin bootstrap); only a hash of the token is stored. */
export const signInLinks = pgTable('sign_in_links', {
  tokenHash: text('token_hash').primaryKey(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
  createdAt: createdAt(),
});

/** Failed sign-ins, kept in the database so the per-account limit holds across processes. */
export const signInFailures = pgTable(
  'sign_in_failures',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    accountKey: text('account_key').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('sign_in_failures_key_at_idx').on(t.accountKey, t.at)],
);

/** @fastify/session's store: visitor state (CSRF secret, flash messages), never content. */
export const visitorSessions = pgTable(
  'visitor_sessions',
  {
    sid: text('sid').primaryKey(),
    data: jsonb('data').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('visitor_sessions_expires_idx').on(t.expiresAt)],
);
