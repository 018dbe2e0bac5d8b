import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Forbidden, NotFound, Unauthenticated } from '../errors.ts';
import { isAdmin, isSiteStaff, type MemberViewer } from '../policy/index.ts';
import type { Access } from './types.ts';

const ACCESS: readonly Access[] = ['public', 'member', 'moderator', 'admin'];

export function isApiRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/');
}

/**
 * Every route declares who may call it; registering one that does not stops the app from booting,
 * so a forgotten check cannot ship. The declared access is enforced here, before any handler.
 */
export interface DeclaredRoute {
  method: string;
  url: string;
  access: Access;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with its declared access: for the route-access test and for audits. */
    declaredRoutes: DeclaredRoute[];
  }
}

/**
 * `moderator`: site moderators and admins, and the owners and moderators of any space (their queue
 * holds their own spaces' items). Others get a 404: moderator screens are not advertised.
 */
export const routeAccess = fp(async (app: FastifyInstance, options: { assetPrefix: string; moderatesAnything: (viewer: MemberViewer) => Promise<boolean> }) => {
  const declared: DeclaredRoute[] = [];
  app.decorate('declaredRoutes', declared);
  app.addHook('onRoute', (route) => {
    // @fastify/static cannot pass route config; its files are public assets by definition.
    if (route.url.startsWith(options.assetPrefix)) route.config = { ...route.config, access: 'public' };
    const access = (route.config as { access?: unknown } | undefined)?.access;
    if (!ACCESS.includes(access as Access)) {
      throw new Error(`Route ${String(route.method)} ${route.url} declares no access (config.access: ${ACCESS.join(' | ')})`);
    }
    for (const method of [route.method].flat()) declared.push({ method, url: route.url, access: access as Access });
  });

  app.addHook('preValidation', async (request: FastifyRequest, reply: FastifyReply) => {
    const access = request.routeOptions.config.access;
    if (access === undefined || access === 'public') return;
    const viewer = request.viewer;
    if (viewer.kind === 'anonymous') {
      if (!isApiRequest(request) && request.method === 'GET') {
        return reply.redirect(`/signin?next=${encodeURIComponent(request.url)}`, 303);
      }
      throw new Unauthenticated();
    }
    if (access === 'moderator' && !isSiteStaff(viewer) && !(await options.moderatesAnything(viewer))) throw new NotFound();
    if (access === 'admin' && !isAdmin(viewer)) throw new Forbidden('Only administrators can open this.');
  });
});
