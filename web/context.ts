import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FlashMessage } from '../server/plugins/types.ts';
import type { Viewer } from '../server/policy/index.ts';

/**
 * What the page header says about the signed-in viewer beyond who they are: the review queue's
 * open count for those who moderate something, and why a silenced member cannot post. Looked up
 * once per page by a hook in web/register.tsx, for signed-in viewers only.
 */
export interface Chrome {
  /** Open items in the viewer's queue; null when they moderate nothing. */
  queueCount: number | null;
  /** Unread notification items, for the bell. */
  notificationCount: number;
  silenced: { reason: string; until: Date | null } | null;
}

const chromes = new WeakMap<FastifyRequest, Chrome>();
const deferred = new WeakMap<FastifyRequest, () => Promise<Chrome>>();

export function setChrome(request: FastifyRequest, chrome: Chrome): void {
  chromes.set(request, chrome);
}

export function chromeOf(request: FastifyRequest): Chrome | undefined {
  return chromes.get(request);
}

/**
 * A form post usually answers with a redirect, so its header is looked up only if it renders a
 * page after all (refused, previewed, in conflict): `settleChrome` runs `load` then.
 */
export function deferChrome(request: FastifyRequest, load: () => Promise<Chrome>): void {
  deferred.set(request, load);
}

/** Looks up a deferred header now, once. A failure is the caller's to handle. */
export async function settleChrome(request: FastifyRequest): Promise<void> {
  const load = deferred.get(request);
  if (!load) return;
  deferred.delete(request);
  chromes.set(request, await load());
}

/** What every page needs besides its own data. */
export interface PageContext {
  viewer: Viewer;
  /** Read only by pages that render a form. */
  readonly csrfToken: string;
  flash: FlashMessage[];
  path: string;
  chrome?: Chrome | undefined;
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
    // Read when the page renders: a form post's header is looked up just before (sendPage).
    get chrome() {
      return chromeOf(request);
    },
  };
}
