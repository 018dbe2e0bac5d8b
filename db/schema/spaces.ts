import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
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
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('spaces_slug_idx').on(sql`lower(${t.slug})`)],
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
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
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
