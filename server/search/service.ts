import type { Database } from '../../db/client.ts';
import { isStatementTimeout } from '../../db/errors.ts';
import { NotFound, TimedOut, TooManyRequests } from '../errors.ts';
import type { ForumService } from '../forum/service.ts';
import { countHit } from '../plugins/rate-limits/queries.ts';
import type { Viewer } from '../policy/index.ts';
import type { SpacesService } from '../spaces/service.ts';
import type { SearchGate } from './gate.ts';
import * as q from './queries.ts';
import { checkSearchRequest, parseDay, SEARCH_LIMITS, type SearchRequest } from './rules.ts';

/** A piece of a snippet or title: plain text, highlighted or not. Never markup. */
export interface Segment {
  text: string;
  highlighted: boolean;
}

export interface SearchResult {
  kind: q.SearchKind;
  id: number;
  /** The thread's or entry's title (for a post or comment: the one it belongs to). */
  title: Segment[];
  snippet: Segment[];
  /** Where the result lives; for a post its number in the thread. */
  url: string;
  author: { handle: string; displayName: string };
  createdAt: Date;
  /** Where it was said: a space and board, or a blog. */
  place: { label: string; url: string }[];
  number?: number;
}

/** A filter as the viewer may see it: a name when they can read the place, else only its number. */
export interface FilterLabel {
  id: number;
  name: string | null;
}

export interface SearchOutcome {
  results: SearchResult[];
  /** Visible hits, counted up to the deepest page offered; `capped` when there are more. */
  total: number;
  capped: boolean;
  page: number;
  pages: number;
  filters: { space: FilterLabel | null; board: FilterLabel | null; thread: FilterLabel | null };
}

/**
 * Splits a headline on the sentinels the query put around matches. The text was stripped of them
 * first, so each pair is a match; an unpaired one (cut by a fragment's end) just ends the match.
 */
export function segmentsOf(headline: string | null): Segment[] {
  if (!headline) return [];
  const segments: Segment[] = [];
  let highlighted = false;
  let text = '';
  const push = (part: string, marked: boolean) => {
    if (part !== '') segments.push({ text: part, highlighted: marked });
  };
  const flush = () => {
    // ts_headline can put the spaces around a word inside the mark: keep them outside.
    const [, before = '', word = '', after = ''] = highlighted ? /^(\s*)([\s\S]*?)(\s*)$/.exec(text) ?? [] : [];
    if (highlighted) {
      push(before, false);
      push(word, true);
      push(after, false);
    } else {
      push(text, false);
    }
    text = '';
  };
  for (const char of headline) {
    if (char === q.MARK_START || char === q.MARK_END) {
      flush();
      highlighted = char === q.MARK_START;
    } else {
      text += char;
    }
  }
  flush();
  return segments;
}

/** What ts_headline joins a snippet's fragments with (SNIPPET_OPTIONS); a cut edge shows the same. */
const FRAGMENT_DELIMITER = ' … ';
const CUT_BEFORE: Segment = { text: '… ', highlighted: false };
const CUT_AFTER: Segment = { text: ' …', highlighted: false };

/** What ts_headline prints as a space: an HTML tag (as its parser reads one, near enough). */
const TAG_LIKE = /<[/!?]?[A-Za-z][^<>]*>/g;
const WORD_CHARACTER = /[\p{L}\p{N}]/gu;

/**
 * A text's letters and digits, and where each one starts and ends in it (tags masked out). A
 * fragment is copied from the text word for word, but ts_headline prints tags as spaces and leaves
 * out what it does not count as a word where a fragment starts or ends ("(", a final "."): none of
 * that moves a fragment, so only letters and digits are compared.
 */
function lettersOf(text: string) {
  const masked = text.replace(TAG_LIKE, (tag) => ' '.repeat(tag.length));
  let letters = '';
  const starts: number[] = [];
  const ends: number[] = [];
  for (const m of masked.matchAll(WORD_CHARACTER)) {
    letters += m[0];
    starts.push(m.index);
    ends.push(m.index + m[0].length);
  }
  return { masked, letters, starts, ends };
}

/**
 * ts_headline never starts or ends a fragment on a word of two letters or less (ShortWord), a
 * number or punctuation: "We are writing…" came back as "are writing…", "…the round." as "…the
 * round". What it left out between a fragment and the text's edge is put back when it is only
 * such words, and short; null when the fragment really stops short of the edge.
 */
const LEFT_OUT_CHARS = 32;
const spaced = (text: string) => text.replace(/[\u200B\uE000\uE001]/g, '').replace(/\s+/g, ' ');
function leftOut(text: string): string | null {
  if (text.trim().length > LEFT_OUT_CHARS) return null;
  for (const [word] of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    if ([...word].length > 2 && !/^\p{N}+$/u.test(word)) return null;
  }
  return text;
}

/**
 * A snippet's segments, with "…" where it leaves text out: before it unless its first fragment
 * begins the text, after it unless its last fragment ends the text (ts_headline already put one
 * between fragments). A fragment is placed by its letters in the text's edges, which are longer
 * than a fragment can be; should one be longer still, the edge must be where it begins (or ends).
 */
export function snippetSegments(source: q.SnippetSource | null): Segment[] {
  const segments = segmentsOf(source?.headline ?? null);
  if (!source || segments.length === 0) return segments;
  const fragments = source.headline.split(FRAGMENT_DELIMITER);
  const firstShown = fragments[0] ?? '';
  const lastShown = fragments[fragments.length - 1] ?? '';
  const first = lettersOf(firstShown).letters;
  const last = lettersOf(lastShown).letters;

  const head = lettersOf(source.head);
  const from = head.letters.startsWith(first) || first.startsWith(head.letters) ? 0 : head.letters.indexOf(first);
  const start = head.starts[from];
  let before: string | null = null;
  if (from >= 0) {
    // Up to the fragment's first letter, less what the fragment shows before it (a "(", an "@").
    const shown = spaced(/^[^\p{L}\p{N}]*/u.exec(firstShown)?.[0] ?? '');
    const gap = start === undefined ? '' : spaced(head.masked.slice(0, start));
    before = leftOut(gap.endsWith(shown) ? gap.slice(0, gap.length - shown.length) : gap)?.trimStart() ?? null;
  }

  let after: string | null = null;
  if (source.tail !== null) {
    const tail = lettersOf(source.tail);
    const found = tail.letters.lastIndexOf(last);
    const to = tail.letters.endsWith(last) || last.endsWith(tail.letters) ? tail.letters.length : found < 0 ? -1 : found + last.length;
    const end = tail.ends[to - 1];
    if (to >= 0) {
      const shown = spaced(/[^\p{L}\p{N}]*$/u.exec(lastShown)?.[0] ?? '');
      const gap = end === undefined ? '' : spaced(tail.masked.slice(end));
      after = leftOut(gap.startsWith(shown) ? gap.slice(shown.length) : gap)?.trimEnd() ?? null;
    }
  }

  return lineBreaksRead([
    ...(before === null ? [CUT_BEFORE] : before === '' ? [] : [{ text: before, highlighted: false }]),
    ...segments,
    ...(after === null ? [CUT_AFTER] : after === '' ? [] : [{ text: after, highlighted: false }]),
  ]);
}

/**
 * ts_headline keeps the text's line breaks, and a page shows them as spaces. List items, table
 * rows and headings are marked where the text is made (PROSE_RULES), and so is the end of a list
 * (" —" after its last item, when a paragraph follows: a "·" there read as one more item). A
 * paragraph that ends without punctuation (a label on its own line) is set off from the next by
 * "·", or "Ask for Dr Okafor" would run into the paragraph after it.
 */
const PARAGRAPH_BREAK = /[^\S\n]*\n[^\S\n]*\n\s*/g;
const ENDS_A_PHRASE = /[.,:;!?…·—–-]$/u;
function lineBreaksRead(segments: Segment[]): Segment[] {
  let shown = '';
  return segments.map((segment) => {
    const text = segment.text.replace(PARAGRAPH_BREAK, (_break: string, at: number, whole: string) => {
      const before = (shown + whole.slice(0, at)).trimEnd();
      return before === '' || ENDS_A_PHRASE.test(before) ? '\n\n' : ' ·\n\n';
    });
    shown += text;
    return text === segment.text ? segment : { ...segment, text };
  });
}

const plainText = (text: string): Segment[] => [{ text, highlighted: false }];

const nextDay = (day: Date) => new Date(day.getTime() + 86_400_000);

export type SearchService = ReturnType<typeof createSearchService>;

/**
 * How many searches one searcher may run a minute: a member by their account, a visitor by their
 * address. With searches taking turns (gate.ts), one client searching without pause from many
 * connections would otherwise hold every turn and leave everyone else waiting.
 */
export interface SearchLimits {
  perMinute: number;
}

export function createSearchService(db: Database, spaces: SpacesService, forum: ForumService, gate: SearchGate, limits: SearchLimits) {
  /** Counted in the database, so the limit holds across processes; an empty search is no search. */
  async function countSearch(viewer: Viewer, address: string): Promise<void> {
    const key = viewer.kind === 'member' ? `search:member:${viewer.id}` : `search:address:${address}`;
    const { hits, ttlMs } = await countHit(db, key, 60_000);
    if (hits <= limits.perMinute) return;
    const seconds = Math.max(1, Math.ceil(ttlMs / 1000));
    throw new TooManyRequests(`You have searched ${limits.perMinute} times in the last minute, the most one person may. Search again in ${seconds} second${seconds === 1 ? '' : 's'}.`, seconds);
  }

  /** Names of the places a search is narrowed to, read through the viewer's visibility: an invisible place reads exactly like one that does not exist. */
  async function filterLabels(viewer: Viewer, request: SearchRequest): Promise<SearchOutcome['filters']> {
    const named = async (id: number | undefined, lookup: (id: number) => Promise<string>): Promise<FilterLabel | null> => {
      if (id === undefined) return null;
      try {
        return { id, name: await lookup(id) };
      } catch (error) {
        if (error instanceof NotFound) return { id, name: null };
        throw error;
      }
    };
    const [space, board, thread] = await Promise.all([
      named(request.spaceId, async (id) => (await spaces.spaceById(viewer, id)).name),
      named(request.boardId, async (id) => (await spaces.boardById(viewer, id)).name),
      named(request.threadId, async (id) => (await forum.thread(viewer, id)).thread.title),
    ]);
    return { space, board, thread };
  }

  async function details(viewer: Viewer, hits: q.SearchHit[], query: string): Promise<Map<string, SearchResult>> {
    const ids = (kind: q.SearchKind) => hits.filter((h) => h.kind === kind).map((h) => h.id);
    const [threads, posts, entries, comments] = await Promise.all([
      q.threadResults(db, viewer, ids('thread'), query),
      q.postResults(db, viewer, ids('post'), query),
      q.entryResults(db, viewer, ids('entry'), query),
      q.commentResults(db, viewer, ids('comment'), query),
    ]);
    const found = new Map<string, SearchResult>();
    for (const t of threads) {
      found.set(`thread:${t.id}`, {
        kind: 'thread',
        id: t.id,
        title: segmentsOf(t.titleHighlighted),
        snippet: snippetSegments(t.snippet),
        url: `/t/${t.id}/${t.slug}`,
        author: { handle: t.authorHandle, displayName: t.authorName },
        createdAt: t.createdAt,
        place: [
          { label: t.spaceName, url: `/s/${t.spaceSlug}` },
          { label: t.boardName, url: `/s/${t.spaceSlug}/${t.boardSlug}` },
        ],
      });
    }
    for (const p of posts) {
      found.set(`post:${p.id}`, {
        kind: 'post',
        id: p.id,
        number: p.number,
        title: plainText(p.threadTitle),
        snippet: snippetSegments(p.snippet),
        url: `/p/${p.id}`,
        author: { handle: p.authorHandle, displayName: p.authorName },
        createdAt: p.createdAt,
        place: [
          { label: p.spaceName, url: `/s/${p.spaceSlug}` },
          { label: p.boardName, url: `/s/${p.spaceSlug}/${p.boardSlug}` },
        ],
      });
    }
    for (const e of entries) {
      found.set(`entry:${e.id}`, {
        kind: 'entry',
        id: e.id,
        title: segmentsOf(e.titleHighlighted),
        snippet: snippetSegments(e.snippet),
        url: `/u/${e.authorHandle}/blog/${e.slug}`,
        author: { handle: e.authorHandle, displayName: e.authorName },
        createdAt: e.createdAt,
        place: [{ label: `${e.authorName}’s blog`, url: `/u/${e.authorHandle}/blog` }],
      });
    }
    for (const c of comments) {
      found.set(`comment:${c.id}`, {
        kind: 'comment',
        id: c.id,
        title: plainText(c.entryTitle),
        snippet: snippetSegments(c.snippet),
        url: `/u/${c.entryAuthorHandle}/blog/${c.entrySlug}#c${c.id}`,
        author: { handle: c.authorHandle, displayName: c.authorName },
        createdAt: c.createdAt,
        place: [{ label: 'Blog comment', url: `/u/${c.entryAuthorHandle}/blog` }],
      });
    }
    return found;
  }

  return {
    /** The turns searches take in this process (gate.ts); /metrics reads its load. */
    gate,

    /**
     * One page of results the viewer may read, with how many there are. An empty query is no
     * search at all (the empty page, not an error). The same predicates bound the count, the
     * ranking and the page, so nothing invisible is counted, ranked or hinted at.
     */
    async search(viewer: Viewer, request: SearchRequest, address: string): Promise<SearchOutcome> {
      checkSearchRequest(request);
      // Counted first: a refused search costs one statement, not the filters' lookups too.
      if (request.q !== '') await countSearch(viewer, address);
      const filters = await filterLabels(viewer, request);
      const empty = { results: [], total: 0, capped: false, page: request.page, pages: 1, filters };
      if (request.q === '') return empty;
      const from = request.from === undefined ? undefined : parseDay(request.from);
      const to = request.to === undefined ? undefined : parseDay(request.to);
      const queryFilters: q.SearchFilters = {
        kinds: request.kinds,
        spaceId: request.spaceId,
        boardId: request.boardId,
        threadId: request.threadId,
        authorHandle: request.author,
        from,
        until: to && nextDay(to),
      };
      const perPage = SEARCH_LIMITS.perPage;
      const cap = perPage * SEARCH_LIMITS.maxPages;
      // The costly part takes its turn (gate.ts); the filters' names above are key lookups.
      const { page, found } = await gate.run(async () => {
        const page = await q.searchHits(db, viewer, request.q, queryFilters, cap, perPage, (request.page - 1) * perPage).catch((error: unknown) => {
          // A search whose pages are not in memory yet (just after PostgreSQL started, on a large
          // site) can run past the statement timeout once; that is not the database being down.
          if (isStatementTimeout(error)) throw new TimedOut('That search took too long and was stopped. Try it again in a moment, or add a word or a filter to narrow it.');
          throw error;
        });
        return { page, found: await details(viewer, page.hits, request.q) };
      });
      const hits = page.hits;
      const counted = page.total;
      // A record that became invisible between the two reads is simply left out.
      const results = hits.flatMap((h) => found.get(`${h.kind}:${h.id}`) ?? []);
      const total = Math.min(counted, cap);
      return { results, total, capped: counted > cap, page: request.page, pages: Math.max(1, Math.ceil(total / perPage)), filters };
    },
  };
}
