import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Strict CSP (no inline script or style anywhere), no Referer to other sites (titled URLs must not
 * leave), and no caching of anything a signed-in member sees.
 */
export const securityHeaders = fp(async (app: FastifyInstance, options: { hsts: boolean }) => {
  await app.register(helmet, {
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
