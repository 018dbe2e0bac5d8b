import { and, eq, gte, inArray, isNull, lt, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { alias, type PgTable } from 'drizzle-orm/pg-core';
import { rowsOf, type Executor } from '../../db/client.ts';
import { blogComments, blogEntries, boards, posts, spaces, threads, users } from '../../db/schema/index.ts';
import { blogCommentVisible, blogEntryVisible, checkedPerRow, postVisible, readableAudiences, readableEntryAudiences, spaceContentVisible, threadVisible, type Viewer } from '../policy/index.ts';

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

/**
 * A zero-width space after each slash between word characters, exactly as the stored vectors are
 * made (migration 0029, the same expression in SQL): the text parser then reads "mcg/kg/min" as
 * three words instead of one file path, in the query as in the rows, so "mcg" finds
 * "0.1 mcg/kg/min" and "mg/kg" is still a phrase.
 */
const ZWSP = '\u200B';
const splitSlashes = (text: SQL | string) => sql`regexp_replace(${text}, ${'(\\w)/(?=\\w)'}, ${`\\1/${ZWSP}`}, 'g')`;
const tsquery = (q: string) => sql`websearch_to_tsquery('english', ${splitSlashes(q)})`;
const vectorOf = (table: SQL) => sql`${table}."search_vector"`;
const threadVector = vectorOf(sql`${threads}`);
const postVector = vectorOf(sql`${posts}`);
const entryVector = vectorOf(sql`${blogEntries}`);
const commentVector = vectorOf(sql`${blogComments}`);

/** Text for ts_headline, split at slashes as the vectors are (the headline's output drops the split again). */
function plain(text: SQL | ReturnType<typeof sql.raw>, limit = SNIPPET_INPUT_CHARS): SQL {
  return splitSlashes(sql`translate(left(${text}, ${limit}), ${SENTINELS}, '')`);
}
/**
 * Markdown read as prose for a snippet: images and links by their text, without emphasis marks,
 * quote markers or table rules. A snippet is one line, so what only a line break set apart keeps
 * something to read it by: a list item starts with "·" and a heading ends with ":" (the service
 * does the same for a paragraph that ends without punctuation). A table reads as a list of its
 * rows, each row's cells joined by ", " ("· Drug, Dose · Heparin, 5000"); its alignment row goes
 * with its line break, so the rows stay one block. The paragraph after a list or table is set off
 * from it by " —" when the last item ends without punctuation: the service's "·" there made it
 * read as one more item. Only for display; what matches is the source.
 *
 * Each rule is one `regexp_replace` over the text, inside the snippet's one expression (no query
 * per row). Groups that are not put back are `(?:…)`: PostgreSQL 15 spent 90–170 ms on a
 * 20,000-character text of lists and tables finding where the list-end rule's captured groups
 * matched, against ~2 ms without them.
 */
const PROSE_RULES: [pattern: string, replacement: string, flags: string][] = [
  [String.raw`!?\[([^\]]*)\]\([^)]*\)`, String.raw`\1`, 'g'],
  // A code fence and its language ("```text") are not words anyone wrote to be read.
  ['^[ \t]*(\u0060{3,}|~{3,}).*$', '', 'gn'],
  // A table's alignment row ("|---|:--:|", "--- | ---"): dashes, colons and at least one pipe.
  [String.raw`^(?=[^|]*\|)(?=[^-]*-)[ \t]*(?:>[ \t]*)*[-|: \t]+(?:\n|$)`, '', 'gn'],
  // A list item, or a table row (its leading pipe, and any empty cells after it).
  [String.raw`^[ \t]*(?:>[ \t]*)*(?:(?:[-+*]|\d+[.)])[ \t]+|(?:\|[ \t]*)+)`, '· ', 'gn'],
  [String.raw`^[ \t]*#{1,6}[ \t]+(.*[^.:;?!…#[:space:]])[ \t#]*$`, String.raw`\1:`, 'gn'],
  ['\\*+|~~|\u0060+', '', 'g'],
  // Between cells (empty ones too); a row's last pipe goes with the rule below.
  [String.raw`[ \t]*(?:\|[ \t]*)+(?=[^|[:space:]])`, ', ', 'gn'],
  [String.raw`^[ \t]*((>[ \t]*)+|#{1,6}[ \t]|[-: \t]{3,}$)|[ \t]*(?:\|[ \t]*)+$`, '', 'gn'],
  // A list's (or table's) last line, when it ends without punctuation and a paragraph follows: the
  // block of lines from an item to the blank line, so an item written over two lines counts.
  [String.raw`^(·[ \t].*(?:\n[ \t]*[^[:space:]].*)*[^.,:;!?…·—–[:space:]-])[ \t]*\n(?:[ \t]*\n)+(?=[ \t]*[^·[:space:]])`, '\\1 —\n\n', 'gn'],
];
function prose(markdown: SQL): SQL {
  return PROSE_RULES.reduce((text, [pattern, replacement, flags]) => sql`regexp_replace(${text}, ${pattern}, ${replacement}, ${flags})`, markdown);
}

/**
 * A snippet and what it needs to say whether it was cut: the headline, and the first and last
 * `SNIPPET_EDGE_CHARS` of the text it was made from (`tail` is null when that text was itself cut
 * at `SNIPPET_INPUT_CHARS`: the snippet cannot reach the end). ts_headline drops punctuation and
 * short words at a fragment's edges and says nothing of where a fragment sits, so the service
 * compares the fragments with these edges (`snippetSegments`). The edges never leave the service.
 */
export interface SnippetSource {
  headline: string;
  head: string;
  tail: string | null;
}
/** More than a fragment of `MaxWords` words is ever long. */
const SNIPPET_EDGE_CHARS = 1000;

/**
 * The text is made once (`offset 0` keeps PostgreSQL from writing its regular expressions out
 * again for each use) and read for the headline and its two edges.
 */
const snippet = (markdown: SQL, q: string) => sql<SnippetSource>`(select json_build_object(
    'headline', replace(ts_headline('english', snippet_source.text, ${tsquery(q)}, ${SNIPPET_OPTIONS}), ${ZWSP}, ''),
    'head', left(snippet_source.text, ${SNIPPET_EDGE_CHARS}),
    'tail', case when snippet_source.whole then right(snippet_source.text, ${SNIPPET_EDGE_CHARS}) end)
  from (select ${prose(plain(markdown))} as text, length(${markdown}) <= ${SNIPPET_INPUT_CHARS} as whole offset 0) as snippet_source)`;
const highlightedTitle = (text: SQL, q: string) => sql<string>`replace(ts_headline('english', ${plain(text, 1000)}, ${tsquery(q)}, ${TITLE_OPTIONS}), ${ZWSP}, '')`;

const authorId = (handle: string) => sql`(select ${users.id} from ${users} where lower(${users.handle}) = lower(${handle}))`;

/**
 * Who a kind's rows are for, as its GIN index holds them (migration 0020): `row` asks one row
 * whether its audience is one the viewer may read; `matches(q)` asks the index for the words in
 * those audiences only (each word is indexed once per audience: 'shock§public', 'shock§131'), so the
 * index never touches another audience's entries and a search costs the same whether or not its
 * words are written where the viewer cannot read.
 */
interface Reach {
  row: SQL;
  matches: (q: string) => SQL;
}

/** `audiences`: the policy's readable audiences for the kind (`readableAudiences`, `readableEntryAudiences`). */
function reachOf(table: SQL, vector: SQL, audiences: SQL): Reach {
  const audience = sql`${table}."audience"`;
  const readable = sql`array(${audiences})`;
  return {
    row: sql`${audience} = any(${readable})`,
    // For a query with a phrase the index answers a superset (its positive words, phrases as plain
    // AND; see search_terms_query), so the row's own vector decides. A query of stop words only has
    // no lexeme: nothing to look for.
    matches: (q) =>
      sql`numnode(${tsquery(q)}) > 0 and search_terms(${vector}, ${audience}) @@ search_terms_query(${tsquery(q)}, ${readable}) and ${vector} @@ ${tsquery(q)}`,
  };
}

/**
 * One kind of searchable record: its table, what a match must satisfy besides the words and the
 * viewer's predicate (`filters`), and that predicate (`visible`); `reach`, who its rows are for
 * (above), so that what a search of it costs does not depend on what the viewer cannot see.
 */
interface KindSource {
  kind: SearchKind;
  table: PgTable;
  vector: SQL;
  at: SQL;
  filters: (form: SetForm) => SQL | undefined;
  /** The ids a filter's set is read from (a space's threads...), when it has one: its size decides how older matches are found. */
  placeIds: SQL | undefined;
  visible: SQL;
  reach: Reach;
}

/**
 * How a filter's set of ids is asked: row by row (`checked`, for the newest rows read in order),
 * as a set PostgreSQL may join (`hashed`), or as an array its column's index can be asked with.
 */
type SetForm = 'checked' | 'hashed' | 'indexed';

/**
 * A column in a place's set of ids (a space's boards or threads, its entries).
 *
 * The newest rows of a large place, read in order, check each row that has the words (`checked`;
 * `perRow` when a row can say where it is more cheaply than the whole set can be gathered).
 * Written as `in`, the check was a join PostgreSQL drove from the set: for "patient" in a public
 * space of 12,800 threads it read every post of every one of them (74,000 pages) instead of the
 * newest 60,000 posts, 200 ms against 37 ms for the whole search. `coalesce` keeps it a condition
 * on each row. A small place's newest rows keep `in` (see `newestVisibleMatches`).
 *
 * For the older matches of a small place the set is an array the column's index is asked with,
 * so that PostgreSQL combines that index with the words' once: as `in`, it joined them and asked
 * the GIN index again for every thread of the place (2.6 s for a members-only space of 235 threads
 * and "patient": 72,812 matches read 235 times). A large place keeps `in` (see SMALL_PLACE).
 */
function inSet(column: SQL | AnyColumn, ids: SQL, perRow: SQL = sql`${column} in (${ids})`) {
  const filter = (form: SetForm) =>
    form === 'checked' ? sql`coalesce(${perRow}, false)` : form === 'hashed' ? sql`${column} in (${ids})` : sql`${column} = any(array(${ids}))`;
  return { ids, filter };
}

/**
 * Up to this many ids a place's older matches are found through its set as an array (a members-only
 * space of 235 threads, through the API: 1.5 s -> 0.15 s); past it, through a hashed set, as before
 * (a public space of 25,000 threads: 0.4 s that way, 1.1 s as an array).
 */
const SMALL_PLACE = 2000;

/** The conditions of one kind of hit, or null when the filters rule that kind out. */
function threadSource(viewer: Viewer, q: string, f: SearchFilters): KindSource | null {
  if (!f.kinds.includes('thread')) return null;
  const boardsOfSpace = f.spaceId === undefined ? undefined : inSet(threads.boardId, sql`select ${boards.id} from ${boards} where ${boards.spaceId} = ${f.spaceId}`);
  const filters = (form: SetForm) => and(
    f.threadId === undefined ? undefined : eq(threads.id, f.threadId),
    f.boardId === undefined ? undefined : eq(threads.boardId, f.boardId),
    boardsOfSpace?.filter(form),
    f.authorHandle === undefined ? undefined : sql`${threads.authorId} = ${authorId(f.authorHandle)}`,
    f.from === undefined ? undefined : gte(threads.createdAt, f.from),
    f.until === undefined ? undefined : lt(threads.createdAt, f.until),
  );
  return { kind: 'thread', table: threads, vector: threadVector, at: sql`${threads.createdAt}`, filters, placeIds: boardsOfSpace?.ids, visible: threadVisible(viewer), reach: reachOf(sql`${threads}`, threadVector, audiencesWithin(readableAudiences(viewer), f)) };
}

function postSource(viewer: Viewer, q: string, f: SearchFilters): KindSource | null {
  if (!f.kinds.includes('post')) return null;
  // When threads are searched too, a thread found by its title stands for its opening post (its
  // result shows that post's snippet): the same words are not listed twice.
  const openingFoundByTitle = f.kinds.includes('thread')
    ? // A scalar subquery read only for opening posts (`and` stops at the number), not a hash of every title match.
      sql`not (${posts.number} = 1 and coalesce((select ${threadVector} @@ ${tsquery(q)} from ${threads} where ${threads.id} = ${posts.threadId}), false))`
    : undefined;
  const threadsOfBoard =
    f.boardId === undefined ? undefined : inSet(posts.threadId, sql`select filter_thread.id from ${threads} as filter_thread where filter_thread.board_id = ${f.boardId}`);
  // A post's space is two key lookups away; a large space's threads are tens of thousands.
  const threadsOfSpace =
    f.spaceId === undefined
      ? undefined
      : inSet(
          posts.threadId,
          sql`select filter_thread.id from ${threads} as filter_thread join ${boards} as filter_board on filter_board.id = filter_thread.board_id where filter_board.space_id = ${f.spaceId}`,
          sql`(select filter_board.space_id = ${f.spaceId} from ${threads} as filter_thread join ${boards} as filter_board on filter_board.id = filter_thread.board_id where filter_thread.id = ${posts.threadId})`,
        );
  const filters = (form: SetForm) => and(
    isNull(posts.deletedAt),
    openingFoundByTitle,
    f.threadId === undefined ? undefined : eq(posts.threadId, f.threadId),
    threadsOfBoard?.filter(form),
    threadsOfSpace?.filter(form),
    f.authorHandle === undefined ? undefined : sql`${posts.authorId} = ${authorId(f.authorHandle)}`,
    f.from === undefined ? undefined : gte(posts.createdAt, f.from),
    f.until === undefined ? undefined : lt(posts.createdAt, f.until),
  );
  return { kind: 'post', table: posts, vector: postVector, at: sql`${posts.createdAt}`, filters, placeIds: (threadsOfBoard ?? threadsOfSpace)?.ids, visible: postVisible(viewer), reach: reachOf(sql`${posts}`, postVector, audiencesWithin(readableAudiences(viewer), f)) };
}

const entryDate = sql`coalesce(${blogEntries.publishedAt}, ${blogEntries.createdAt})`;

function entrySource(viewer: Viewer, q: string, f: SearchFilters): KindSource | null {
  // Entries live in blogs, not boards or threads.
  if (!f.kinds.includes('entry') || f.boardId !== undefined || f.threadId !== undefined) return null;
  const filters = () => and(
    f.spaceId === undefined ? undefined : eq(blogEntries.spaceId, f.spaceId),
    f.authorHandle === undefined ? undefined : sql`${blogEntries.authorId} = ${authorId(f.authorHandle)}`,
    f.from === undefined ? undefined : sql`${entryDate} >= ${f.from.toISOString()}`,
    f.until === undefined ? undefined : sql`${entryDate} < ${f.until.toISOString()}`,
  );
  return { kind: 'entry', table: blogEntries, vector: entryVector, at: entryDate, filters, placeIds: undefined, visible: blogEntryVisible(viewer), reach: reachOf(sql`${blogEntries}`, entryVector, audiencesWithin(readableEntryAudiences(viewer), f)) };
}

function commentSource(viewer: Viewer, q: string, f: SearchFilters): KindSource | null {
  if (!f.kinds.includes('comment') || f.boardId !== undefined || f.threadId !== undefined) return null;
  const entriesOfSpace =
    f.spaceId === undefined ? undefined : inSet(blogComments.entryId, sql`select filter_entry.id from ${blogEntries} as filter_entry where filter_entry.space_id = ${f.spaceId}`);
  const filters = (form: SetForm) => and(
    entriesOfSpace?.filter(form),
    f.authorHandle === undefined ? undefined : sql`${blogComments.authorId} = ${authorId(f.authorHandle)}`,
    f.from === undefined ? undefined : gte(blogComments.createdAt, f.from),
    f.until === undefined ? undefined : lt(blogComments.createdAt, f.until),
  );
  return { kind: 'comment', table: blogComments, vector: commentVector, at: sql`${blogComments.createdAt}`, filters, placeIds: entriesOfSpace?.ids, visible: blogCommentVisible(viewer), reach: reachOf(sql`${blogComments}`, commentVector, audiencesWithin(readableEntryAudiences(viewer), f)) };
}

/**
 * How many of a kind's newest rows are read one by one for matches before the rest are fetched
 * through the GIN index. Rows read in id order share pages (~0.6 µs a post); matches fetched
 * through the index each touch a page of their own (~7 µs with PostgreSQL's default buffer cache),
 * and all of them are fetched before any is checked. The window must hold `depth` matches the
 * viewer may see, so what sizes it is the rarest common word and the share of recent posts outside
 * the viewer's reach (for a visitor, everything in private spaces). Measured at a million posts:
 * with 30,000, 8,000 new posts without the searched words were enough to send visitors' common
 * words down the slow path (p50 160 ms: "sepsis" has 25,000 older matches); 60,000 held (p50 43 ms,
 * rare words ~45 ms); 100,000 made rare words read rows for nothing (~90 ms). Entries are long
 * (costly to read row by row), so their window is smaller.
 */
export const RECENT_WINDOW: Readonly<Record<SearchKind, number>> = { post: 60_000, thread: 20_000, comment: 10_000, entry: 4_000 };

/**
 * One kind's `depth` newest matches the viewer may see, as (kind, id, rank, at).
 *
 * PostgreSQL cannot read a GIN index in any order, and its guess of how many rows match is far off
 * for words that go together ("driving pressure": guessed 9,000, matched 83,000): with the wrong
 * guess it fetches every match from the index (0.8 s) or walks most of the table. So the order of
 * work is fixed here. First the newest rows (`RECENT_WINDOW`) are read newest-first along the primary
 * key, the words checked on each row; a common word finds its `depth` matches there and nothing
 * else runs (the union's second branch is never started). Only when those fall short are the older
 * matches fetched from the GIN index and sorted: few for a rare word, thousands for one that is
 * common overall but sparse among the newest visible rows (the slow case; see RECENT_WINDOW).
 *
 * In both steps the viewer's predicate is checked on the matches newest-first, only until `depth`
 * pass — not on every match. Each inner select carries the base table's name, so the predicate
 * written against that table applies unchanged to its rows. The fences (`offset 0`) keep the steps
 * apart: without them the planner turns the predicate into a join and drives the search from it
 * (every visible thread, then its posts).
 */
function newestVisibleMatches(source: KindSource, q: string, depth: number, window: number, smallPlace: number): SQL {
  const { table, kind, vector } = source;
  const boundary = sql`(select coalesce(max(${table}.id), 0) - ${window} from ${table})`;
  const filters = (form: SetForm) => {
    const conditions = source.filters(form);
    return conditions ? sql`and ${conditions}` : sql``;
  };
  // With a place's set, its size picks the form (each branch runs only when its condition holds).
  // Counted once per statement: each of the four conditions written out counted it again.
  const placeSize =
    source.placeIds &&
    sql`with place_size as materialized (select (select count(*) from (${source.placeIds} limit ${smallPlace + 1}) as place_ids) <= ${smallPlace} as small) `;
  const small = placeSize && sql`(select place_size.small from place_size)`;
  // `coalesce` keeps the first step off the GIN index: it is meant to read the newest rows in order.
  // The reach is asked first (`case` fixes the order): a row the viewer cannot read costs the same
  // whatever it says, and only readable rows are matched against the words.
  const words = sql`coalesce(${vector} @@ ${tsquery(q)}, false)`;
  const newest = (form: SetForm, condition?: SQL) =>
    sql`select * from ${table} where ${table}.id > ${boundary} and (case when ${source.reach.row} then ${words} else false end) ${filters(form)}
      ${condition ? sql`and ${condition}` : sql``} order by ${table}.id desc offset 0`;
  // A small place's own rows are fewer than the window's: PostgreSQL may read them from the place
  // (a board of 1,100 threads: 35 ms, against 68 ms reading the window); a large one's window is read.
  // Only one branch yields rows, newest first, as the union with the older step below relies on.
  const newestRows = small ? sql`(${newest('hashed', small)}) union all (${newest('checked', sql`not ${small}`)})` : newest('checked');
  const recent = sql`select * from (${newestRows}) as ${table} where ${checkedPerRow(source.visible)}`;
  // Only the ids of older matches are sorted (a sort of whole rows spills to disk); each row is read
  // again by its id, newest first, only until `depth` are visible. `+ 0` keeps the boundary off the
  // primary key: unknown when planning, it was guessed loose, and a bitmap of nearly every id was
  // built to be ANDed with the matches (60 ms).
  const olderMatches = (form: SetForm) => sql`select ${table}.id from ${table} where ${table}.id + 0 <= ${boundary} and ${source.reach.matches(q)} ${filters(form)}`;
  const olderIds = small
    ? sql`select older_id.id from ((${olderMatches('indexed')} and ${small}) union all (${olderMatches('hashed')} and not ${small})) as older_id order by older_id.id desc offset 0`
    : sql`${olderMatches('hashed')} order by ${table}.id desc offset 0`;
  const older = sql`select * from (select ${table}.* from (${olderIds}) as older_match
      cross join lateral (select * from ${table} where ${table}.id = older_match.id) as ${table} order by older_match.id desc offset 0) as ${table}
    where ${checkedPerRow(source.visible)}`;
  return sql`(${placeSize ?? sql``}select ${kind}::text as kind, ${table}.id as id, ts_rank(${vector}, ${tsquery(q)}) as rank,
      (extract(epoch from ${source.at}) * 1000000)::bigint::text as at
    from ((${recent}) union all (${older})) as ${table}
    limit ${depth})`;
}

/**
 * A filter naming a space, board or thread the viewer may not read matches nothing — and costs
 * nothing either. Without this, a visitor filtering on a confidential space had its threads and
 * blog entries gathered and matched (2.4 s against 0.26 s for a space that does not exist, at a
 * million posts): how big a confidential space is, and that it exists, showed in the time. Each
 * gate is a condition on no row of the search (PostgreSQL checks it once, before any scan), so an
 * unreadable place stops every kind's statement as a place that never existed does.
 */
function placeReadable(viewer: Viewer, f: SearchFilters): SQL | undefined {
  return and(
    f.spaceId === undefined
      ? undefined
      : sql`exists (select 1 from ${spaces} where ${spaces.id} = ${f.spaceId} and ${spaceContentVisible(viewer)})`,
    f.boardId === undefined
      ? undefined
      : sql`exists (select 1 from ${boards} join ${spaces} on ${spaces.id} = ${boards.spaceId} where ${boards.id} = ${f.boardId} and ${spaceContentVisible(viewer)})`,
    f.threadId === undefined ? undefined : sql`exists (select 1 from ${threads} where ${threads.id} = ${f.threadId} and ${threadVisible(viewer)})`,
  );
}

/**
 * The audience of the place a filter names (the most specific one), or undefined without one: the
 * rows of a space, board or thread all carry its audience (migration 0020's triggers), so the index
 * need be asked for that audience only. Searching their own confidential group, a member's index
 * question no longer covered every public and members-only match as well, each fetched only to
 * be dropped by the filter (~7 µs a match).
 */
function placeAudience(f: SearchFilters): SQL | undefined {
  if (f.threadId !== undefined) return sql`(select named_thread.audience from ${threads} as named_thread where named_thread.id = ${f.threadId})`;
  if (f.boardId !== undefined) {
    return sql`(select search_audience(named_space.level, named_space.id) from ${boards} as named_board
      join ${spaces} as named_space on named_space.id = named_board.space_id where named_board.id = ${f.boardId})`;
  }
  if (f.spaceId !== undefined) return sql`(select search_audience(named_space.level, named_space.id) from ${spaces} as named_space where named_space.id = ${f.spaceId})`;
  return undefined;
}

/** The viewer's readable audiences within the filter's place; a member's own drafts ('author:<id>') stay. */
function audiencesWithin(audiences: SQL, f: SearchFilters): SQL {
  const place = placeAudience(f);
  return place ? sql`select readable.a from (${audiences}) as readable(a) where readable.a = ${place} or readable.a like 'author:%'` : audiences;
}

/** Every source the filters allow, one per kind. */
function sourcesOf(viewer: Viewer, q: string, f: SearchFilters): KindSource[] {
  const gate = placeReadable(viewer, f);
  return [threadSource(viewer, q, f), postSource(viewer, q, f), entrySource(viewer, q, f), commentSource(viewer, q, f)]
    .filter((s) => s !== null)
    .map((source) =>
      gate
        ? {
            ...source,
            filters: (form: SetForm) => and(gate, source.filters(form)),
            // Counted only once the gate passed: how many threads an unreadable place has must not cost time either.
            placeIds: source.placeIds && sql`select gated.id from (${source.placeIds}) as gated(id) where ${gate}`,
          }
        : source,
    );
}

/** One statement per kind the filters allow, each answering that kind's `depth` newest visible matches. */
export function kindStatements(viewer: Viewer, q: string, f: SearchFilters, depth: number, windows: Readonly<Record<SearchKind, number>>, smallPlace = SMALL_PLACE): SQL[] {
  return sourcesOf(viewer, q, f).map((source) => sql`select kind, id, rank, at from ${newestVisibleMatches(source, q, depth, windows[source.kind], smallPlace)} as hits`);
}

export type SearchHit = { kind: SearchKind; id: number; rank: number };
type RankedHit = SearchHit & { at: bigint };

/** Best first; equal ranks newest first, then a fixed order, so pages never overlap. */
function byRank(a: RankedHit, b: RankedHit): number {
  if (a.rank !== b.rank) return b.rank - a.rank;
  if (a.at !== b.at) return a.at > b.at ? -1 : 1;
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  return b.id - a.id;
}

/**
 * One page of hits and how many there are (each kind counted up to `depth` + 1, so "more than"
 * can be said), ranked by ts_rank over weighted vectors (titles A, summaries B, bodies D): a title
 * match outranks a body match.
 *
 * Each kind contributes its `depth` newest visible matches (the deepest result a page offers), and
 * those are ranked: search cost then stays flat as the forum grows, instead of reading and ranking
 * a fifth of the table for a common word. The kinds are searched by separate statements at once —
 * on a pool, on separate connections — so a search takes as long as its slowest kind, not the sum;
 * at most 4 × (`depth` + 1) short rows come back to be merged. Every kind's statement carries the
 * viewer's visibility predicate (threadVisible, postVisible, blogEntryVisible, blogCommentVisible).
 */
export async function searchHits(
  db: Executor,
  viewer: Viewer,
  q: string,
  f: SearchFilters,
  depth: number,
  limit: number,
  offset: number,
  /** Tests make it small, to see both ways of finding matches give the same page. */
  windows = RECENT_WINDOW,
  /** Tests make it 0 or large, to see both ways of asking a place's set give the same page. */
  smallPlace = SMALL_PLACE,
): Promise<{ hits: SearchHit[]; total: number }> {
  const perKind = await Promise.all(
    kindStatements(viewer, q, f, depth + 1, windows, smallPlace).map(async (statement) =>
      rowsOf<{ kind: SearchKind; id: number | string; rank: number | string; at: string }>(await db.execute(statement)),
    ),
  );
  // `at` in microseconds: ties are broken as PostgreSQL orders them, finer than a JavaScript Date.
  const hits = perKind.flat().map((r) => ({ kind: r.kind, id: Number(r.id), rank: Number(r.rank), at: BigInt(r.at) }));
  hits.sort(byRank);
  return { hits: hits.slice(offset, offset + limit).map(({ kind, id, rank }) => ({ kind, id, rank })), total: hits.length };
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
      snippet: sql<SnippetSource | null>`case when ${opening.id} is null then null else ${snippet(sql`${opening.bodySource}`, q)} end`,
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
