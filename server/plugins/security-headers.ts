import helmet from 'helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Strict CSP (no inline script or style anywhere), no Referer to other sites (titled URLs must not
 * leave), and no caching of anything a signed-in member sees.
 */
export const securityHeaders = fp(async (app: FastifyInstance, options: { hsts: boolean }) => {
  // Built once: @fastify/helmet built helmet's middleware again on every request (~12 µs each,
  // re-reading the CSP directives), for per-route options and nonces this app never uses.
  const setHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'https:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
    hsts: options.hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  app.addHook('onRequest', (request, reply, done) => {
    // Helmet 8 only sets headers here; it throws rather than passing errors on.
    setHeaders(request.raw, reply.raw, () => done());
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url.startsWith('/static/')) return payload;
    // A page answered from the anonymous cache never met the viewer hook: it is anonymous.
    if (request.viewer?.kind === 'member') {
      // Whatever a signed-in member sees may be members-only or confidential: never cached by
      // anyone, never indexed. Anonymous responses can only carry public content.
      reply.header('cache-control', 'private, no-store');
      reply.header('x-robots-tag', 'noindex, nofollow');
    } else if (!reply.hasHeader('cache-control')) {
      reply.header('cache-control', 'no-cache');
    }
    // Appended: the anonymous cache has already said its pages vary by Accept-Encoding.
    const vary = reply.getHeader('vary');
    reply.header('vary', vary ? `${String(vary)}, Cookie, Authorization` : 'Cookie, Authorization');
    return payload;
  });
});
