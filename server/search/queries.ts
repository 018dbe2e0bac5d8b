import { and, asc, desc, eq, gte, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../../db/client.ts';
import { blogComments, blogEntries, boards, posts, spaces, threads, users } from '../../db/schema/index.ts';
import { blogCommentVisible, blogEntryVisible, postVisible, threadVisible, type Viewer } from '../policy/index.ts';

/*
 * Full-text search over the generated `search_vector` columns of migration 0011 (kept out of
 * db/schema on purpose; see the migration). Every statement here applies the viewer's visibility
 * predicate inside the SQL, before any LIMIT or count: what the viewer may not read is never
 * counted, ranked or hinted.
 */

export type SearchKind = 'thread' | 'post' | 'entry' | 'comment';

export interface SearchFilters {
  kinds: readonly SearchKind[];
  spaceId?: number | undefined;
  boardId?: number | undefined;
  threadId?: number | undefined;
  authorHandle?: string | undefined;
  from?: Date | undefined;
  /** Exclusive. */
  until?: Date | undefined;
}

/**
 * Private-use characters ts_headline puts around matches. They are removed from the text first, so
 * the only ones in a snippet are the headline's own: the snippet is split on them into plain
 * segments, and no text a member wrote can ever become markup.
 */
export const MARK_START = '\uE000';
export const MARK_END = '\uE001';
const SENTINELS = MARK_START + MARK_END;
const SNIPPET_OPTIONS = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxFragments=2, MaxWords=28, MinWords=10, ShortWord=2, FragmentDelimiter=" … "`;
const TITLE_OPTIONS = `StartSel=${MARK_START}, StopSel=${MARK_END}, HighlightAll=true`;
/** ts_headline reads its whole input: long bodies are cut to what a snippet could come from. */
const SNIPPET_INPUT_CHARS = 20_000;

const tsquery = (q: string) => sql`websearch_to_tsquery('english', ${q})`;
const vectorOf = (table: SQL) => sql`${table}."search_vector"`;
const threadVector = vectorOf(sql`${threads}`);
const postVector = vectorOf(sql`${posts}`);
const entryVector = vectorOf(sql`${blogEntries}`);
const commentVector = vectorOf(sql`${blogComments}`);

function plain(text: SQL | ReturnType<typeof sql.raw>, limit = SNIPPET_INPUT_CHARS): SQL {
  return sql`translate(left(${text}, ${limit}), ${SENTINELS}, '')`;
}
/**
 * Markdown read as prose for a snippet: images and links by their text, without emphasis marks,
 * heading, quote and list markers or table rules. Only for display; what matches is the source.
 */
const PROSE_RULES: [pattern: string, replacement: string, flags: string][] = [
  [String.raw`!?\[([^\]]*)\]\([^)]*\)`, String.raw`\1`, 'g'],
  ['\\*+|~~|\u0060+', '', 'g'],
  [String.raw`\|`, ' ', 'g'],
  [String.raw`^[ \t]*((>[ \t]*)+|#{1,6}[ \t]|[-+][ \t]|\d+\.[ \t]|[-: \t]{3,}$)`, '', 'gn'],
];
function prose(markdown: SQL): SQL {
  return PROSE_RULES.reduce((text, [pattern, replacement, flags]) => sql`regexp_replace(${text}, ${pattern}, ${replacement}, ${flags})`, markdown);
}
const snippet = (markdown: SQL, q: string) => sql<string>`ts_headline('english', ${prose(plain(markdown))}, ${tsquery(q)}, ${SNIPPET_OPTIONS})`;
const highlightedTitle = (text: SQL, q: string) => sql<string>`ts_headline('english', ${plain(text, 1000)}, ${tsquery(q)}, ${TITLE_OPTIONS})`;

/**
 * The viewer's predicate, checked row by row as the matches are read (a sub-plan), not turned into
 * a join that the planner would drive the search from (every visible thread, then its posts: 0.6 s
 * at a million posts). So PostgreSQL reads the matches from the GIN index for rare words and
 * newest-first along the primary key for common ones: 35–75 ms on the benchmark data.
 */
const perRow = (predicate: SQL) => sql`(select ${predicate} offset 0)`;

const authorId = (handle: string) => sql`(select ${users.id} from ${users} where lower(${users.handle}) = lower(${handle}))`;

/** The conditions of one kind of hit, or null when the filters rule that kind out. */
function threadConditions(viewer: Viewer, q: string, f: SearchFilters): SQL | null {
  if (!f.kinds.includes('thread')) return null;
  return and(
    sql`${threadVector} @@ ${tsquery(q)}`,
    perRow(threadVisible(viewer)),
    f.threadId === undefined ? undefined : eq(threads.id, f.threadId),
    f.boardId === undefined ? undefined : eq(threads.boardId, f.boardId),
    f.spaceId === undefined ? undefined : sql`${threads.boardId} in (select ${boards.id} from ${boards} where ${boards.spaceId} = ${f.spaceId})`,
    f.authorHandle === undefined ? undefined : sql`${threads.authorId} = ${authorId(f.authorHandle)}`,
    f.from === undefined ? undefined : gte(threads.createdAt, f.from),
    f.until === undefined ? undefined : lt(threads.createdAt, f.until),
  ) as SQL;
}

function postConditions(viewer: Viewer, q: string, f: SearchFilters): SQL | null {
  if (!f.kinds.includes('post')) return null;
  // When threads are searched too, a thread found by its title stands for its opening post (its
  // result shows that post's snippet): the same words are not listed twice.
  const openingFoundByTitle = f.kinds.includes('thread')
    ? sql`not (${posts.number} = 1 and exists (select 1 from ${threads} where ${threads.id} = ${posts.threadId} and ${threadVector} @@ ${tsquery(q)}))`
    : undefined;
  return and(
    sql`${postVector} @@ ${tsquery(q)}`,
    isNull(posts.deletedAt),
    perRow(postVisible(viewer)),
    openingFoundByTitle,
    f.threadId === undefined ? undefined : eq(posts.threadId, f.threadId),
    f.boardId === undefined ? undefined : sql`${posts.threadId} in (select filter_thread.id from ${threads} as filter_thread where filter_thread.board_id = ${f.boardId})`,
    f.spaceId === undefined
      ? undefined
      : sql`${posts.threadId} in (select filter_thread.id from ${threads} as filter_thread join ${boards} as filter_board on filter_board.id = filter_thread.board_id where filter_board.space_id = ${f.spaceId})`,
    f.authorHandle === undefined ? undefined : sql`${posts.authorId} = ${authorId(f.authorHandle)}`,
    f.from === undefined ? undefined : gte(posts.createdAt, f.from),
    f.until === undefined ? undefined : lt(posts.createdAt, f.until),
  ) as SQL;
}

const entryDate = sql`coalesce(${blogEntries.publishedAt}, ${blogEntries.createdAt})`;

function entryConditions(viewer: Viewer, q: string, f: SearchFilters): SQL | null {
  // Entries live in blogs, not boards or threads.
  if (!f.kinds.includes('entry') || f.boardId !== undefined || f.threadId !== undefined) return null;
  return and(
    sql`${entryVector} @@ ${tsquery(q)}`,
    blogEntryVisible(viewer),
    f.spaceId === undefined ? undefined : eq(blogEntries.spaceId, f.spaceId),
    f.authorHandle === undefined ? undefined : sql`${blogEntries.authorId} = ${authorId(f.authorHandle)}`,
    f.from === undefined ? undefined : sql`${entryDate} >= ${f.from.toISOString()}`,
    f.until === undefined ? undefined : sql`${entryDate} < ${f.until.toISOString()}`,
  ) as SQL;
}

function commentConditions(viewer: Viewer, q: string, f: SearchFilters): SQL | null {
  if (!f.kinds.includes('comment') || f.boardId !== undefined || f.threadId !== undefined) return null;
  return and(
    sql`${commentVector} @@ ${tsquery(q)}`,
    perRow(blogCommentVisible(viewer)),
    f.spaceId === undefined
      ? undefined
      : sql`${blogComments.entryId} in (select filter_entry.id from ${blogEntries} as filter_entry where filter_entry.space_id = ${f.spaceId})`,
    f.authorHandle === undefined ? undefined : sql`${blogComments.authorId} = ${authorId(f.authorHandle)}`,
    f.from === undefined ? undefined : gte(blogComments.createdAt, f.from),
    f.until === undefined ? undefined : lt(blogComments.createdAt, f.until),
  ) as SQL;
}


/**
 * Every kind's matching, visible records as (kind, id, rank, at), one select per kind the filters
 * allow. Ranked by ts_rank over weighted vectors (titles A, summaries B, bodies D), so a title
 * match outranks a body match.
 *
 * Each kind contributes its `depth` newest matches (the deepest result a page offers), and those
 * are ranked. A rare word's matches are all found by the GIN index and sorted; a common word's are
 * read newest-first along the primary key until `depth` are found — the planner picks — instead of
 * reading and ranking a fifth of the table. Search cost then stays flat as the forum grows.
 */
function hitSelects(db: Executor, viewer: Viewer, q: string, f: SearchFilters, depth: number) {
  const query = tsquery(q);
  const selects = [];
  const thread = threadConditions(viewer, q, f);
  if (thread) {
    selects.push(
      db
        .select({ kind: sql<SearchKind>`'thread'::text`.as('kind'), id: sql<number>`${threads.id}`.mapWith(Number).as('id'), rank: sql<number>`ts_rank(${threadVector}, ${query})`.mapWith(Number).as('rank'), at: sql`${threads.createdAt}`.as('at') })
        .from(threads)
        .where(thread)
        .orderBy(desc(threads.id))
        .limit(depth),
    );
  }
  const post = postConditions(viewer, q, f);
  if (post) {
    selects.push(
      db
        .select({ kind: sql<SearchKind>`'post'::text`.as('kind'), id: sql<number>`${posts.id}`.mapWith(Number).as('id'), rank: sql<number>`ts_rank(${postVector}, ${query})`.mapWith(Number).as('rank'), at: sql`${posts.createdAt}`.as('at') })
        .from(posts)
        .where(post)
        .orderBy(desc(posts.id))
        .limit(depth),
    );
  }
  const entry = entryConditions(viewer, q, f);
  if (entry) {
    selects.push(
      db
        .select({ kind: sql<SearchKind>`'entry'::text`.as('kind'), id: sql<number>`${blogEntries.id}`.mapWith(Number).as('id'), rank: sql<number>`ts_rank(${entryVector}, ${query})`.mapWith(Number).as('rank'), at: sql`${entryDate}`.as('at') })
        .from(blogEntries)
        .where(entry)
        .orderBy(desc(blogEntries.id))
        .limit(depth),
    );
  }
  const comment = commentConditions(viewer, q, f);
  if (comment) {
    selects.push(
      db
        .select({ kind: sql<SearchKind>`'comment'::text`.as('kind'), id: sql<number>`${blogComments.id}`.mapWith(Number).as('id'), rank: sql<number>`ts_rank(${commentVector}, ${query})`.mapWith(Number).as('rank'), at: sql`${blogComments.createdAt}`.as('at') })
        .from(blogComments)
        .where(comment)
        .orderBy(desc(blogComments.id))
        .limit(depth),
    );
  }
  return selects;
}

/** The hits as one derived table, so the outer order and limit never replace a kind's own. */
function hitsTable(db: Executor, viewer: Viewer, q: string, f: SearchFilters, depth: number) {
  const [first, ...rest] = hitSelects(db, viewer, q, f, depth);
  if (!first) return null;
  let union = first.$dynamic();
  for (const next of rest) union = union.unionAll(next).$dynamic();
  return union.as('hits');
}

export type SearchHit = { kind: SearchKind; id: number; rank: number };

/**
 * One page of hits, best first; equal ranks newest first, then a fixed order so pages never
 * overlap. Every kind's select carries the viewer's visibility predicate (see the helpers above:
 * threadVisible(viewer), postVisible(viewer), blogEntryVisible(viewer), blogCommentVisible(viewer)).
 */
export async function searchHits(
  db: Executor,
  viewer: Viewer,
  q: string,
  f: SearchFilters,
  depth: number,
  limit: number,
  offset: number,
): Promise<{ hits: SearchHit[]; total: number | null }> {
  // One more per kind than the deepest page, so the count can tell "more than `depth`".
  const hits = hitsTable(db, viewer, q, f, depth + 1);
  if (!hits) return { hits: [], total: 0 };
  const rows = await db
    // The count of every hit rides along with the page (the same derived table, read once).
    .select({ kind: hits.kind, id: hits.id, rank: hits.rank, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(hits)
    .orderBy(desc(hits.rank), desc(hits.at), asc(hits.kind), desc(hits.id))
    .limit(limit)
    .offset(offset);
  // A page past the end has no rows to carry the count: the caller counts separately then.
  return { hits: rows.map((r) => ({ kind: r.kind, id: Number(r.id), rank: Number(r.rank) })), total: rows[0] ? Number(rows[0].total) : offset === 0 ? 0 : null };
}

/** How many hits the viewer may see, counted up to `depth` + 1 (so "more than" can be said), under the same predicates as searchHits. */
export async function countHits(db: Executor, viewer: Viewer, q: string, f: SearchFilters, depth: number): Promise<number> {
  const hits = hitsTable(db, viewer, q, f, depth + 1);
  if (!hits) return 0;
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(hits);
  return Number(row?.n ?? 0);
}

const author = alias(users, 'author');
const opening = alias(posts, 'opening');

// The details of one page of hits, each read again as `id AND visible(viewer)`.

export async function threadResults(db: Executor, viewer: Viewer, ids: number[], q: string) {
  if (ids.length === 0) return [];
  return db
    .select({
      id: threads.id,
      slug: threads.slug,
      title: threads.title,
      titleHighlighted: highlightedTitle(sql`${threads.title}`, q),
      // The opening post's text, when the viewer may read it (a thread's first post can be held alone).
      snippet: sql<string | null>`case when ${opening.id} is null then null else ${snippet(sql`${opening.bodySource}`, q)} end`,
      createdAt: threads.createdAt,
      authorHandle: author.handle,
      authorName: author.displayName,
      boardName: boards.name,
      boardSlug: boards.slug,
      spaceName: spaces.name,
      spaceSlug: spaces.slug,
    })
    .from(threads)
    .innerJoin(author, eq(author.id, threads.authorId))
    .innerJoin(boards, eq(boards.id, threads.boardId))
    .innerJoin(spaces, eq(spaces.id, boards.spaceId))
    .leftJoin(
      opening,
      and(
        eq(opening.threadId, threads.id),
        eq(opening.number, 1),
        isNull(opening.deletedAt),
        sql`exists (select 1 from ${posts} where ${posts.id} = ${opening.id} and ${postVisible(viewer)})`,
      ),
    )
    .where(and(inArray(threads.id, ids), threadVisible(viewer)));
}

export async function postResults(db: Executor, viewer: Viewer, ids: number[], q: string) {
  if (ids.length === 0) return [];
  return db
    .select({
      id: posts.id,
      number: posts.number,
      snippet: snippet(sql`${posts.bodySource}`, q),
      createdAt: posts.createdAt,
      threadId: threads.id,
      threadSlug: threads.slug,
      threadTitle: threads.title,
      authorHandle: author.handle,
      authorName: author.displayName,
      boardName: boards.name,
      boardSlug: boards.slug,
      spaceName: spaces.name,
      spaceSlug: spaces.slug,
    })
    .from(posts)
    .innerJoin(author, eq(author.id, posts.authorId))
    .innerJoin(threads, eq(threads.id, posts.threadId))
    .innerJoin(boards, eq(boards.id, threads.boardId))
    .innerJoin(spaces, eq(spaces.id, boards.spaceId))
    .where(and(inArray(posts.id, ids), isNull(posts.deletedAt), postVisible(viewer)));
}

export async function entryResults(db: Executor, viewer: Viewer, ids: number[], q: string) {
  if (ids.length === 0) return [];
  return db
    .select({
      id: blogEntries.id,
      slug: blogEntries.slug,
      title: blogEntries.title,
      titleHighlighted: highlightedTitle(sql`${blogEntries.title}`, q),
      snippet: snippet(sql`${blogEntries.summary} || E'\n\n' || ${blogEntries.bodySource}`, q),
      status: blogEntries.status,
      createdAt: sql<Date>`${entryDate}`.mapWith(blogEntries.createdAt),
      authorHandle: author.handle,
      authorName: author.displayName,
    })
    .from(blogEntries)
    .innerJoin(author, eq(author.id, blogEntries.authorId))
    .where(and(inArray(blogEntries.id, ids), blogEntryVisible(viewer)));
}

const commentEntry = alias(blogEntries, 'comment_entry');
const entryAuthor = alias(users, 'entry_author');

export async function commentResults(db: Executor, viewer: Viewer, ids: number[], q: string) {
  if (ids.length === 0) return [];
  return db
    .select({
      id: blogComments.id,
      snippet: snippet(sql`${blogComments.bodySource}`, q),
      createdAt: blogComments.createdAt,
      entryTitle: commentEntry.title,
      entrySlug: commentEntry.slug,
      entryAuthorHandle: entryAuthor.handle,
      authorHandle: author.handle,
      authorName: author.displayName,
    })
    .from(blogComments)
    .innerJoin(author, eq(author.id, blogComments.authorId))
    // The comment's visibility already requires its entry's; the join only names the entry.
    .innerJoin(commentEntry, eq(commentEntry.id, blogComments.entryId))
    .innerJoin(entryAuthor, eq(entryAuthor.id, commentEntry.authorId))
    .where(and(inArray(blogComments.id, ids), blogCommentVisible(viewer)));
}
