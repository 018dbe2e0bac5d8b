import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FlashMessage } from '../server/plugins/types.ts';
import type { Viewer } from '../server/policy/index.ts';

/** What every page needs besides its own data. */
export interface PageContext {
  viewer: Viewer;
  csrfToken: string;
  flash: FlashMessage[];
  path: string;
}

export function pageContext(request: FastifyRequest, reply: FastifyReply): PageContext {
  return {
    viewer: request.viewer,
    csrfToken: reply.generateCsrf(),
    flash: request.takeFlash(),
    path: request.url,
  };
}
