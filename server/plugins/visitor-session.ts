import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import session from '@fastify/session';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Database } from '../../db/client.ts';
import type { MemberCache } from '../events/member-cache.ts';
import { databaseSessionStore } from '../visitor/store.ts';
import { isApiRequest } from './route-access.ts';
import type { FlashMessage } from './types.ts';

const MAX_AGE_MS = 7 * 86_400_000;
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

declare module 'fastify' {
  interface FastifyRequest {
    flash(kind: FlashMessage['kind'], text: string): void;
    takeFlash(): FlashMessage[];
  }
}

/**
 * The visitor's own state, separate from authentication: the CSRF secret and one-shot flash
 * messages, stored in the database. Every unsafe page request must carry a CSRF token; the JSON
 * API authenticates with Bearer tokens only, which a browser never sends by itself.
 */
export const visitorSession = fp(async (app: FastifyInstance, options: { db: Database; remembered: MemberCache; secret: string; secure: boolean }) => {
  await app.register(cookie);
  await app.register(session, {
    secret: options.secret,
    cookieName: options.secure ? '__Host-rounds_visitor' : 'rounds_visitor',
    cookie: { secure: options.secure, httpOnly: true, sameSite: 'lax', path: '/', maxAge: MAX_AGE_MS },
    saveUninitialized: false,
    rolling: false,
    store: databaseSessionStore(options.db, MAX_AGE_MS, options.remembered),
  });
  await app.register(csrf, { sessionPlugin: '@fastify/session' });

  app.decorateRequest('flash', function (this: FastifyRequest, kind: FlashMessage['kind'], text: string) {
    this.session.flash = [...(this.session.flash ?? []), { kind, text }];
  });
  app.decorateRequest('takeFlash', function (this: FastifyRequest): FlashMessage[] {
    const messages = this.session.flash ?? [];
    if (messages.length > 0) this.session.flash = [];
    return messages;
  });

  app.addHook('preHandler', (request: FastifyRequest, reply: FastifyReply, done) => {
    if (!UNSAFE.has(request.method) || isApiRequest(request)) return done();
    app.csrfProtection(request, reply, done);
  });
});
