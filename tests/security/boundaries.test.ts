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

const CONTENT_TABLES = ['spaces', 'boards', 'threads', 'posts', 'postRevisions', 'reviewItems', 'flags', 'moderationLog', 'blogEntries', 'blogEntrySlugs', 'blogEntryTags', 'blogEntryRevisions', 'blogComments', 'blogCommentRevisions', 'notifications', 'replyDrafts', 'threadDrafts'];
const PREDICATES =
  /\b(spaceVisible|spaceContentVisible|boardVisible|threadVisible|threadInSpaceVisible|postVisible|postOfThreadVisible|threadOfBoardVisible|reviewItemVisible|moderationLogVisible|blogEntryVisible|blogCommentVisible|notificationVisible|replyDraftVisible|threadDraftVisible)\((viewer|ANONYMOUS)\b/;

/**
 * A query module's top-level declarations, each with its name: functions run per call, and the
 * builders and constants of statements prepared once (whose reads a function merely runs).
 */
function declarations(text: string): { name: string; body: string }[] {
  return text
    .split(/\n(?=(?:export )?(?:async )?(?:function|const) )/)
    .slice(1)
    .map((body) => ({ name: /^(?:export )?(?:async )?(?:function|const) (\w+)/.exec(body)?.[1] ?? '?', body }));
}

function contentReads(body: string): string[] {
  return [...body.matchAll(/\.(?:from|innerJoin|leftJoin)\((\w+)\b/g)].map((m) => m[1]!).filter((t) => CONTENT_TABLES.includes(t));
}

/**
 * Query declarations (functions, statement builders, prepared statements) that read content
 * tables without a visibility predicate, each for a stated reason. Adding a read here is a
 * decision someone has to make and defend in review.
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
  invitationCount: "the member's own invitation rows, counted: of the spaces it reads only whether each is archived",
  lockOpenPostItemQuery: 'a write: locks the review item a flag or held post attaches to; returned to the service, never to a client',
  openItemForMember: 'a write: locks the review item a profile flag or registration attaches to; returned to the service, never to a client',
  openItemForBlogTarget: 'a write: locks the review item a flag or held blog entry or comment attaches to; returned to the service, never to a client',
  findOwnOpenFlag: "the caller's own flag, by their own id: id, reason and date only",
  ownOpenFlagsOnPosts: "the caller's own flags, by their own id: flag and post ids only",
  anyOwnOpenPostFlag: "whether the caller has an open flag on a post, by their own id: a flag id only",
  countOpenFlagsOfItem: 'a count, inside a flag withdrawal that already owns the flag',
  countUpheldFlagsAgainst: "a count for a member's own trust level, never shown to others",
  countPublishedPostsBy: "a count for a member's own trust level",
  countOwnPosts: "counts of the caller's own published and held posts, for pre-moderation",
  recentPosting: "a timestamp of the caller's own post, for their rate limit, and the id of their own recent post with the same text",
  blogTargetExists: 'a yes or no for a moderator closing a review item (already visible to them) whose entry or comment its author deleted',
  findNewPostFacts: 'a write path: the facts of a post a moderator just approved, for its notifications; returned to the notifier, never to a client',
  findNewCommentFacts: 'a write path: the ids of a comment a moderator just approved (its entry, its author), for its notifications; returned to the notifier, never to a client',
  findRecipientsOf: "recipient ids of notifications just created, for the e-mail job, which then reads each one as its recipient through notificationVisible",
  findDigestRecipients: 'ids of members who chose a daily digest and have unread notifications: no content',
  anyUnreadQuery: "whether the caller has an unread notification, by their own id: a yes or no",
  findOwnEntryByKey: "the caller's own entry, by the key of their own editor page: id and revision only",
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

  test('every query declaration that reads content applies a visibility predicate for its viewer', () => {
    const problems: string[] = [];
    const named = new Set<string>();
    for (const file of sourceFiles('server').filter((f) => f.endsWith('queries.ts'))) {
      for (const { name, body } of declarations(readFileSync(path.join(root, file), 'utf8'))) {
        named.add(name);
        const reads = contentReads(body);
        if (reads.length === 0 || name in UNSCOPED_BY_DESIGN) continue;
        if (!PREDICATES.test(body)) problems.push(`${file}: ${name} reads ${reads.join(', ')} without a visibility predicate`);
      }
    }
    expect(problems).toEqual([]);
    // An exemption outliving its query would let the next one by that name through unread.
    expect(Object.keys(UNSCOPED_BY_DESIGN).filter((name) => !named.has(name))).toEqual([]);
  });

  test('the check above would catch an unscoped read, run per call or prepared once', () => {
    const sample = [
      'export async function leaky(db: Executor, id: number) {\n  return db.select().from(posts).where(eq(posts.id, id));\n}',
      "const leakyPrepared = oncePerDatabase((db) => onAnyExecutor(db.select().from(threads).where(eq(threads.id, sql.placeholder('id'))).prepare('leaky')));",
      'function scopedQuery(db: Executor, viewer: PolicyViewer) {\n  return db.select().from(posts).where(postVisible(viewer));\n}',
      'function publicQuery(db: Executor) {\n  return db.select().from(boards).where(boardVisible(ANONYMOUS));\n}',
    ].join('\n');
    const found = declarations(`import x;\n${sample}\n`).map(({ name, body }) => ({ name, reads: contentReads(body), scoped: PREDICATES.test(body) }));
    expect(found).toEqual([
      { name: 'leaky', reads: ['posts'], scoped: false },
      { name: 'leakyPrepared', reads: ['threads'], scoped: false },
      { name: 'scopedQuery', reads: ['posts'], scoped: true },
      { name: 'publicQuery', reads: ['boards'], scoped: true },
    ]);
  });
});
