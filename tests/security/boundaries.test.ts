import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    if (statSync(path.join(root, rel)).isDirectory()) return sourceFiles(rel);
    return /\.(ts|tsx)$/.test(name) ? [rel] : [];
  });
}

const CONTENT_TABLES = ['spaces', 'boards', 'threads', 'posts', 'postRevisions', 'reviewItems', 'flags', 'moderationLog', 'blogEntries', 'blogEntrySlugs', 'blogEntryTags', 'blogEntryRevisions', 'blogComments', 'notifications'];
const PREDICATES = /\b(spaceVisible|spaceContentVisible|boardVisible|threadVisible|threadInSpaceVisible|postVisible|reviewItemVisible|moderationLogVisible|blogEntryVisible|blogCommentVisible|notificationVisible)\(viewer\)/;

/**
 * Query functions that read content tables without a visibility predicate, each for a stated
 * reason. Adding a read here is a decision someone has to make and defend in review.
 */
const UNSCOPED_BY_DESIGN: Record<string, string> = {
  slugTaken: 'returns only whether a slug exists, for admins choosing a new one',
  boardSlugTaken: 'returns only whether a slug exists, for admins choosing a new one',
  nextSpacePosition: 'returns a number for ordering, no content',
  nextBoardPosition: 'returns a number for ordering, no content',
  findThreadByIdempotencyKey: "the caller's own submission, by its own key: ids and slug only",
  findPostByIdempotencyKey: "the caller's own submission, by its own key: ids only",
  listSpacesForGovernance: 'admins may see that a space exists, its level and member count (DESIGN §3), and nothing more',
  findSpaceByInvitation: "the holder of a valid invitation link may read the space's name and ground rules before joining",
  listInvitationsForUser: "an invitee may read the names of the spaces they are invited to",
  openItemForPost: 'a write: locks the review item a flag or held post attaches to; returned to the service, never to a client',
  openItemForMember: 'a write: locks the review item a profile flag or registration attaches to; returned to the service, never to a client',
  openItemForBlogTarget: 'a write: locks the review item a flag or held blog entry or comment attaches to; returned to the service, never to a client',
  findOwnOpenFlag: "the caller's own flag, by their own id: id, reason and date only",
  findOwnOpenFlagsOnPosts: "the caller's own flags, by their own id: flag and post ids only",
  countOpenFlagsOfItem: 'a count, inside a flag withdrawal that already owns the flag',
  countUpheldFlagsAgainst: "a count for a member's own trust level, never shown to others",
  countPublishedPostsBy: "a count for a member's own trust level and pre-moderation",
  findOwnRecentPosting: "a timestamp of the caller's own post, for their rate limit, and whether their own recent posts hold the same text",
  blogTargetExists: 'a yes or no for a moderator closing a review item (already visible to them) whose entry or comment its author deleted',
  findNewPostFacts: 'a write path: the facts of a post a moderator just approved, for its notifications; returned to the notifier, never to a client',
  findNewCommentFacts: 'a write path: the ids of a comment a moderator just approved (its entry, its author), for its notifications; returned to the notifier, never to a client',
  findRecipientsOf: "recipient ids of notifications just created, for the e-mail job, which then reads each one as its recipient through notificationVisible",
  findDigestRecipients: 'ids of members who chose a daily digest and have unread notifications: no content',
  entrySlugTaken: "whether the author's own blog already uses a slug (now or before): a yes or no, for the author choosing one",
};

describe('module boundaries', () => {
  test('only query modules, the policy, db/, scripts/ and tests/ import the database schema', () => {
    const offenders = [...sourceFiles('server'), ...sourceFiles('web')].filter((file) => {
      if (/(^|\/)queries\.ts$/.test(file) || file.startsWith('server/policy/')) return false;
      return /from ['"][./]*db\/schema/.test(readFileSync(path.join(root, file), 'utf8'));
    });
    expect(offenders).toEqual([]);
  });

  test('no view prints raw HTML except the SafeHtml outlet', () => {
    const offenders = sourceFiles('web').filter((file) => file !== 'web/views/safe-html.tsx' && readFileSync(path.join(root, file), 'utf8').includes('dangerouslySetInnerHTML'));
    expect(offenders).toEqual([]);
  });

  test('every query function that reads content applies a visibility predicate for its viewer', () => {
    const problems: string[] = [];
    for (const file of sourceFiles('server').filter((f) => f.endsWith('queries.ts'))) {
      const text = readFileSync(path.join(root, file), 'utf8');
      const functions = text.split(/\nexport async function /).slice(1);
      for (const fn of functions) {
        const name = fn.slice(0, fn.indexOf('('));
        const body = fn.slice(0, fn.search(/\n}\n|\n}$/) + 2);
        const reads = [...body.matchAll(/\.(?:from|innerJoin|leftJoin)\((\w+)\b/g)].map((m) => m[1]!).filter((t) => CONTENT_TABLES.includes(t));
        if (reads.length === 0 || name in UNSCOPED_BY_DESIGN) continue;
        if (!/\bviewer: Viewer\b/.test(body) || !PREDICATES.test(body)) problems.push(`${file}: ${name} reads ${reads.join(', ')} without a visibility predicate`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('the check above would catch an unscoped read', () => {
    const sample = 'export async function leaky(db: Executor, id: number) {\n  return db.select().from(posts).where(eq(posts.id, id));\n}\n';
    expect(/\bviewer: Viewer\b/.test(sample) || PREDICATES.test(sample)).toBe(false);
    expect([...sample.matchAll(/\.from\((\w+)\)/g)].map((m) => m[1])).toEqual(['posts']);
  });
});
