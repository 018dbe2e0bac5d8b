import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { LRUCache } from 'lru-cache';

interface CachedPage {
  body: string;
  headers: Record<string, string>;
}

/**
 * A micro-cache of HTML pages served to visitors who carry no cookie and no credentials.
 *
 * Why it is safe: such a visitor is anonymous, and the visibility policy shows anonymous viewers
 * public content only, so every page stored here was already public. A page that sets a cookie
 * (a form with a CSRF token) or answers anything but 200 is never stored. The cost is staleness:
 * a public thread made confidential stays readable to anonymous visitors for at most `ttlMs`.
 * Why it exists: a physician community's hot thread during a crisis is read thousands of times a
 * minute by visitors who are not signed in; each render costs milliseconds of CPU.
 */
export const anonymousCache = fp(async (app: FastifyInstance, options: { ttlMs: number; maxPages: number }) => {
  if (options.ttlMs <= 0) return;
  const cache = new LRUCache<string, CachedPage>({ max: options.maxPages, ttl: options.ttlMs });

  // No cookie and no credentials means no session and no viewer: anonymous, whatever the route.
  const cacheable = (request: FastifyRequest) =>
    request.method === 'GET' &&
    !request.url.startsWith('/api/') &&
    !request.url.startsWith('/static/') &&
    request.headers.cookie === undefined &&
    request.headers.authorization === undefined;

  // The first hook of all, so a hit skips the visitor session, the viewer lookup and rendering.
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!cacheable(request)) return;
    const hit = cache.get(request.url);
    if (!hit) return;
    reply.headers({ ...hit.headers, 'x-cache': 'hit' });
    return reply.send(hit.body);
  });

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!cacheable(request) || reply.statusCode !== 200 || typeof payload !== 'string') return payload;
    if (reply.getHeader('x-cache') === 'hit' || reply.hasHeader('set-cookie')) return payload;
    // This hook runs before the session plugin sets its cookie: a session that changed (a CSRF
    // secret for a form) means the page is this visitor's own.
    if (request.session?.isModified()) return payload;
    const type = String(reply.getHeader('content-type') ?? '');
    if (!type.startsWith('text/html')) return payload;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined && name !== 'content-length' && name !== 'x-request-id') headers[name] = String(value);
    }
    cache.set(request.url, { body: payload, headers });
    reply.header('x-cache', 'miss');
    return payload;
  });
});
