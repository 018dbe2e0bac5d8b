import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AccountsService } from '../accounts/service.ts';
import { userToViewer } from '../accounts/service.ts';
import { Unauthenticated } from '../errors.ts';
import { ANONYMOUS } from '../policy/index.ts';
import { isApiRequest } from './route-access.ts';

/**
 * Works out who is asking. The JSON API accepts only Bearer tokens (so it needs no CSRF defence);
 * pages accept only the session cookie.
 */
export const viewerPlugin = fp(async (app: FastifyInstance, options: { accounts: AccountsService; secureCookies: boolean }) => {
  const { accounts } = options;
  // Fastify forbids shared objects as decorator defaults; every request gets its viewer below.
  app.decorateRequest('viewer', null as never);
  app.decorateRequest('authSessionId', null);
  app.decorateRequest('viaToken', false);

  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    request.viewer = ANONYMOUS;
    if (request.url.startsWith('/static/')) return;
    if (isApiRequest(request)) {
      const header = request.headers.authorization;
      if (!header) return;
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const viewer = match?.[1] ? await accounts.viewerFromApiToken(match[1]) : null;
      // A wrong token is an error, not an anonymous request: scripts should fail loudly.
      if (!viewer) throw new Unauthenticated('The API token is missing, malformed, revoked or belongs to a suspended account.');
      request.viewer = viewer;
      request.viaToken = true;
      return;
    }
    const sessionId = request.cookies[accounts.sessions.cookieName];
    if (!sessionId) return;
    const valid = await accounts.resumeSession(sessionId);
    if (!valid) {
      const blank = accounts.sessions.blankCookie();
      reply.header('set-cookie', blank.serialized);
      return;
    }
    if (valid.refreshedCookie) reply.header('set-cookie', valid.refreshedCookie.serialized);
    request.viewer = userToViewer(valid.user);
    request.authSessionId = valid.sessionId;
  });
});
