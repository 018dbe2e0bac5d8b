import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from './accounts.ts';

export const confidentialityLevel = pgEnum('confidentiality_level', ['public', 'members', 'confidential']);
export const joinPolicy = pgEnum('join_policy', ['open', 'request', 'invite']);
export const spaceRole = pgEnum('space_role', ['owner', 'moderator', 'member']);
export const membershipStatus = pgEnum('membership_status', ['active', 'invited', 'requested', 'removed', 'banned']);

export const spaces = pgTable(
  'spaces',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    level: confidentialityLevel('level').notNull().default('public'),
    joinPolicy: joinPolicy('join_policy').notNull().default('open'),
    position: integer('position').notNull().default(0),
    /** Markdown ground rules; members of a confidential space accept each version before reading. */
    rulesSource: text('rules_source').notNull().default(''),
    rulesHtml: text('rules_html').notNull().default(''),
    rulesVersion: integer('rules_version').notNull().default(0),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('spaces_slug_idx').on(sql`lower(${t.slug})`),
    // Nobody outside a confidential space can see it, so nobody could ask to join it or join it openly.
    check('spaces_confidential_by_invitation', sql`${t.level} <> 'confidential' or ${t.joinPolicy} = 'invite'`),
  ],
);

export const spaceMembers = pgTable(
  'space_members',
  {
    spaceId: bigint('space_id', { mode: 'number' })
      .notNull()
      .references(() => spaces.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: spaceRole('role').notNull().default('member'),
    status: membershipStatus('status').notNull().default('active'),
    /** The ground-rules version this member last accepted (0: none). */
    rulesAcceptedVersion: integer('rules_accepted_version').notNull().default(0),
    requestMessage: text('request_message').notNull().default(''),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.spaceId, t.userId] }), index('space_members_user_idx').on(t.userId)],
);

export const boards = pgTable(
  'boards',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    spaceId: bigint('space_id', { mode: 'number' })
      .notNull()
      .references(() => spaces.id),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    position: integer('position').notNull().default(0),
    threadCount: integer('thread_count').notNull().default(0),
    postCount: integer('post_count').notNull().default(0),
    lastPostAt: timestamp('last_post_at', { withTimezone: true }),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('boards_space_slug_idx').on(t.spaceId, sql`lower(${t.slug})`)],
);

/** Single-use, expiring invitation links; only a hash of the token is stored. */
export const spaceInvitations = pgTable(
  'space_invitations',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    spaceId: bigint('space_id', { mode: 'number' })
      .notNull()
      .references(() => spaces.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    createdBy: text('created_by')
      .notNull()
      .references(() => users.id),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    usedBy: text('used_by').references(() => users.id),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('space_invitations_hash_idx').on(t.tokenHash), index('space_invitations_space_idx').on(t.spaceId)],
);

/** Every membership change, readable by the space's owners and moderators only. */
export const spaceLog = pgTable(
  'space_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    spaceId: bigint('space_id', { mode: 'number' })
      .notNull()
      .references(() => spaces.id, { onDelete: 'cascade' }),
    actorId: text('actor_id').references(() => users.id),
    subjectId: text('subject_id').references(() => users.id),
    action: text('action').notNull(),
    detail: text('detail').notNull().default(''),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('space_log_space_idx').on(t.spaceId, t.id.desc())],
);

/** Who accepted which version of a space's ground rules, and when. */
export const rulesAcceptances = pgTable(
  'rules_acceptances',
  {
    spaceId: bigint('space_id', { mode: 'number' })
      .notNull()
      .references(() => spaces.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.spaceId, t.userId, t.version] })],
);

/**
 * A proposal to lower a space's confidentiality. It takes effect a week after the last owner
 * confirms it, so every member gets notice before the promise they posted under changes.
 */
export const levelChanges = pgTable(
  'level_changes',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    spaceId: bigint('space_id', { mode: 'number' })
      .notNull()
      .references(() => spaces.id, { onDelete: 'cascade' }),
    fromLevel: confidentialityLevel('from_level').notNull(),
    toLevel: confidentialityLevel('to_level').notNull(),
    proposedBy: text('proposed_by')
      .notNull()
      .references(() => users.id),
    /** Owners who confirmed, the proposer included. */
    confirmedBy: text('confirmed_by').array().notNull(),
    /** Set when every owner has confirmed: the date the new level applies. */
    effectiveAt: timestamp('effective_at', { withTimezone: true }),
    status: text('status').notNull().default('pending'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('level_changes_space_idx').on(t.spaceId)],
);
