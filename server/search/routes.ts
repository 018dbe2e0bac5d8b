import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, errorResponses, Id } from '../api/schemas.ts';
import { presentSearchOutcome, SearchOutcomeOut } from './presenters.ts';
import { SEARCH_KINDS, SEARCH_LIMITS } from './rules.ts';

const SearchQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: SEARCH_LIMITS.queryMax, description: 'websearch syntax: "exact phrase", or, -exclude' })),
  kind: Type.Optional(Type.Union(SEARCH_KINDS.map((k) => Type.Literal(k)))),
  space: Type.Optional(Id),
  board: Type.Optional(Id),
  thread: Type.Optional(Id),
  author: Type.Optional(Type.String({ pattern: '^@?[A-Za-z0-9][A-Za-z0-9_-]{0,29}$' })),
  from: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD, inclusive' })),
  to: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD, inclusive' })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: SEARCH_LIMITS.maxPages })),
});

export const searchApi: FastifyPluginAsyncTypebox = async (app) => {
  const { search } = app.services;

  app.get(
    '/search',
    {
      config: { access: 'public' },
      schema: {
        tags: ['search'],
        summary: 'Search threads, posts, blog entries and comments you can read',
        description:
          'At most RATE_SEARCH_PER_MINUTE searches a minute per member (per address signed out): 429 rate_limited with Retry-After. ' +
          'When every search turn is taken for longer than SEARCH_WAIT_MS, or a search runs past the statement timeout: 503 timed_out with Retry-After.',
        querystring: SearchQuery,
        response: { 200: SearchOutcomeOut, ...errorResponses, 503: ErrorBody },
      },
    },
    async (request) => {
      const { q = '', kind, space, board, thread, author, from, to, page = 1 } = request.query;
      const query = q.trim();
      const outcome = await search.search(request.viewer, {
        q: query,
        kinds: kind ? [kind] : [...SEARCH_KINDS],
        spaceId: space,
        boardId: board,
        threadId: thread,
        author: author?.replace(/^@/, ''),
        from,
        to,
        page,
      }, request.ip);
      return presentSearchOutcome(query, outcome);
    },
  );
};
