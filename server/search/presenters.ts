import { Type } from '@fastify/type-provider-typebox';
import type { FilterLabel, SearchOutcome, SearchResult } from './service.ts';

/** Plain text; `highlighted` marks the words that matched. Clients render it as text, never as HTML. */
export const SegmentOut = Type.Object({ text: Type.String(), highlighted: Type.Boolean() });

export const SearchResultOut = Type.Object({
  kind: Type.Union([Type.Literal('thread'), Type.Literal('post'), Type.Literal('entry'), Type.Literal('comment')]),
  id: Type.Integer(),
  title: Type.Array(SegmentOut),
  snippet: Type.Array(SegmentOut),
  url: Type.String(),
  number: Type.Union([Type.Integer(), Type.Null()]),
  author: Type.Object({ handle: Type.String(), displayName: Type.String() }),
  createdAt: Type.String(),
  place: Type.Array(Type.Object({ label: Type.String(), url: Type.String() })),
});

const FilterOut = Type.Union([Type.Object({ id: Type.Integer(), name: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]);

export const SearchOutcomeOut = Type.Object({
  query: Type.String(),
  total: Type.Integer(),
  /** More results exist than the pages offered (`total` is then the cap). */
  capped: Type.Boolean(),
  page: Type.Integer(),
  pages: Type.Integer(),
  filters: Type.Object({ space: FilterOut, board: FilterOut, thread: FilterOut }),
  results: Type.Array(SearchResultOut),
});

export function presentSearchResult(r: SearchResult) {
  return {
    kind: r.kind,
    id: r.id,
    title: r.title,
    snippet: r.snippet,
    url: r.url,
    number: r.number ?? null,
    author: r.author,
    createdAt: r.createdAt.toISOString(),
    place: r.place,
  };
}

const presentFilter = (f: FilterLabel | null) => (f ? { id: f.id, name: f.name } : null);

export function presentSearchOutcome(query: string, outcome: SearchOutcome) {
  return {
    query,
    total: outcome.total,
    capped: outcome.capped,
    page: outcome.page,
    pages: outcome.pages,
    filters: { space: presentFilter(outcome.filters.space), board: presentFilter(outcome.filters.board), thread: presentFilter(outcome.filters.thread) },
    results: outcome.results.map(presentSearchResult),
  };
}
