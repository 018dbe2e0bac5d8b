import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Forbidden, NotFound, Unauthenticated } from '../errors.ts';
import { isAdmin, isSiteStaff, type MemberViewer } from '../policy/index.ts';
import type { Access } from './types.ts';

const ACCESS: readonly Access[] = ['public', 'member', 'moderator', 'admin', 'operator'];

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

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

/**
 * A request from this machine itself. A reverse proxy on the same machine also connects from
 * loopback, so a request carrying any forwarding header counts as remote; the peer address is the
 * socket's, never a header's (X-Forwarded-For can say anything).
 */
export function isLocalRequest(request: FastifyRequest): boolean {
  const headers = request.headers;
  if (headers['x-forwarded-for'] !== undefined || headers.forwarded !== undefined || headers['x-real-ip'] !== undefined) return false;
  return LOOPBACK.test(request.socket.remoteAddress ?? '');
}

function carriesToken(request: FastifyRequest, token: string | undefined): boolean {
  if (!token) return false;
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]!);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * `moderator`: site moderators and admins, and the owners and moderators of any space (their queue
 * holds their own spaces' items). Others get a 404: moderator screens are not advertised.
 */
export const routeAccess = fp(async (app: FastifyInstance, options: { assetPrefix: string; moderatesAnything: (viewer: MemberViewer) => Promise<boolean>; operatorToken?: string | undefined }) => {
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
    if (access === 'operator' && (isLocalRequest(request) || carriesToken(request, options.operatorToken))) return;
    const viewer = request.viewer;
    if (viewer.kind === 'anonymous') {
      if (!isApiRequest(request) && request.method === 'GET') {
        return reply.redirect(`/signin?next=${encodeURIComponent(request.url)}`, 303);
      }
      throw new Unauthenticated();
    }
    if (access === 'moderator' && !isSiteStaff(viewer) && !(await options.moderatesAnything(viewer))) throw new NotFound();
    if ((access === 'admin' || access === 'operator') && !isAdmin(viewer)) throw new Forbidden('Only administrators can open this.');
  });
});
