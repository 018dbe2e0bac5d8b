import { and, isNull, sql, type SQL } from 'drizzle-orm';
import { boards, posts, spaceMembers, spaces, threads } from '../../db/schema/index.ts';
import type { Viewer } from './viewer.ts';

/*
 * Visibility predicates: the only definition of "who may read what".
 * Each is a SQL condition over ONE table, so a query reads a record as `id AND visible(viewer)` —
 * never fetched first and checked after. Membership is looked up in the same statement, so a
 * member removed a second ago loses access at once.
 *
 * Site admins and moderators get nothing extra here: they are outsiders to a confidential space
 * unless they are members of it.
 */

/** The space itself (its name, description, rules): confidential spaces only for active members. */
export function spaceVisible(viewer: Viewer): SQL {
  if (viewer.kind === 'anonymous') return sql`${spaces.level} = 'public'`;
  return sql`(${spaces.level} in ('public', 'members') or exists (
    select 1 from ${spaceMembers}
    where ${spaceMembers.spaceId} = ${spaces.id}
      and ${spaceMembers.userId} = ${viewer.id}
      and ${spaceMembers.status} = 'active'))`;
}

/**
 * The space's content (boards, threads, posts): as above, and in a confidential space only once
 * the member has accepted the current version of its ground rules.
 */
export function spaceContentVisible(viewer: Viewer): SQL {
  if (viewer.kind === 'anonymous') return sql`${spaces.level} = 'public'`;
  return sql`(${spaces.level} in ('public', 'members') or exists (
    select 1 from ${spaceMembers}
    where ${spaceMembers.spaceId} = ${spaces.id}
      and ${spaceMembers.userId} = ${viewer.id}
      and ${spaceMembers.status} = 'active'
      and ${spaceMembers.rulesAcceptedVersion} >= ${spaces.rulesVersion}))`;
}

export function boardVisible(viewer: Viewer): SQL {
  return sql`exists (select 1 from ${spaces} where ${spaces.id} = ${boards.spaceId} and ${spaceContentVisible(viewer)})`;
}

export function threadVisible(viewer: Viewer): SQL {
  return and(
    isNull(threads.deletedAt),
    sql`exists (select 1 from ${boards} join ${spaces} on ${spaces.id} = ${boards.spaceId}
      where ${boards.id} = ${threads.boardId} and ${spaceContentVisible(viewer)})`,
  ) as SQL;
}

/** A post is readable when its thread is; a removed post stays in place as a tombstone. */
export function postVisible(viewer: Viewer): SQL {
  return sql`exists (select 1 from ${threads} where ${threads.id} = ${posts.threadId} and ${threadVisible(viewer)})`;
}
