import type { Executor } from '../../db/client.ts';
import * as q from './queries.ts';
import { earnedTrustLevel } from './trust.ts';

/**
 * Re-earns a member's trust level from their activity and returns it; levels only rise here.
 * Run when it matters — before a newcomer's post is admitted, and when a held post is approved —
 * so nobody waits for a batch job to stop being a newcomer.
 */
export async function refreshTrust(db: Executor, userId: string): Promise<number> {
  const member = await q.findMemberById(db, userId);
  if (!member) return 0;
  if (member.trustLevel >= 2) return member.trustLevel;
  const since = new Date(Date.now() - 90 * 86_400_000);
  const published = await q.countPublishedPostsBy(db, userId);
  const upheld = await q.countUpheldFlagsAgainst(db, userId, since);
  const level = earnedTrustLevel({
    trustLevel: member.trustLevel,
    publishedPosts: published,
    accountAgeDays: (Date.now() - member.createdAt.getTime()) / 86_400_000,
    daysVisited: member.daysVisited,
    postsRead: member.postsRead,
    upheldFlagsAgainst: upheld,
  });
  if (level > member.trustLevel) await q.setTrustLevel(db, userId, level);
  return level;
}
