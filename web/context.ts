import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FlashMessage } from '../server/plugins/types.ts';
import type { Viewer } from '../server/policy/index.ts';

/** What every page needs besides its own data. */
export interface PageContext {
  viewer: Viewer;
  /** Read only by pages that render a form. */
  readonly csrfToken: string;
  flash: FlashMessage[];
  path: string;
}

export function pageContext(request: FastifyRequest, reply: FastifyReply): PageContext {
  let token: string | undefined;
  return {
    viewer: request.viewer,
    // Lazy: making a token stores a CSRF secret in the visitor session, and an anonymous reader
    // of a thread (most traffic) should not cost a database write or carry a cookie.
    get csrfToken() {
      token ??= reply.generateCsrf();
      return token;
    },
    // Reading the session is free when the visitor has none; only a visitor with one can have flash.
    flash: request.session.flash?.length ? request.takeFlash() : [],
    path: request.url,
  };
}
