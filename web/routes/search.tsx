import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Invalid, TimedOut, TooManyRequests } from '../../server/errors.ts';
import { retryLater } from '../../server/plugins/errors.ts';
import { parseSearchForm, type SearchForm } from '../../server/search/rules.ts';
import { pageContext } from '../context.ts';
import { sendPage } from '../render.tsx';
import { SearchPage } from '../views/search/search-page.tsx';

// Loose on purpose: the page validates each field itself, so a refused search comes back with
// what was typed and the field marked (the API's schema is the strict one).
const Field = Type.Optional(Type.String({ maxLength: 2000 }));
const SearchFormQuery = Type.Object({ q: Field, kind: Field, space: Field, board: Field, thread: Field, author: Field, from: Field, to: Field, page: Field });

export const searchPages: FastifyPluginAsyncTypebox = async (app) => {
  const { search } = app.services;

  app.get('/search', { config: { access: 'public' }, schema: { querystring: SearchFormQuery } }, async (request, reply) => {
    // Result pages are lists of other pages: never indexed, for anyone (the page's meta says so too).
    reply.header('x-robots-tag', 'noindex, nofollow');
    const form: SearchForm = request.query;
    let parsed;
    try {
      parsed = parseSearchForm(form);
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return sendPage(reply, <SearchPage ctx={pageContext(request, reply)} form={form} outcome={null} errors={error.fields} message={error.message} />, 422);
    }
    let outcome;
    try {
      outcome = await search.search(request.viewer, parsed, request.ip);
    } catch (error) {
      if (!(error instanceof TimedOut || error instanceof TooManyRequests)) throw error;
      // The form again with what was typed, and why there are no results.
      retryLater(reply, error instanceof TooManyRequests ? error.retryAfterSeconds : undefined);
      return sendPage(reply, <SearchPage ctx={pageContext(request, reply)} form={form} outcome={null} errors={{}} message={error.message} />, error.status);
    }
    return sendPage(reply, <SearchPage ctx={pageContext(request, reply)} form={form} outcome={outcome} errors={{}} />);
  });
};
