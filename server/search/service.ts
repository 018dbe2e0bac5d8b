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
        snippet: segmentsOf(t.snippet),
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
        snippet: segmentsOf(p.snippet),
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
        snippet: segmentsOf(e.snippet),
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
        snippet: segmentsOf(c.snippet),
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
