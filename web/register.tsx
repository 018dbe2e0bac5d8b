import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorView } from '../server/plugins/errors.ts';
import { chromeOf, setChrome, type PageContext } from './context.ts';
import { renderDocument } from './render.tsx';
import { accountPages } from './routes/accounts.tsx';
import { adminPages } from './routes/admin.tsx';
import { blogPages } from './routes/blogs.tsx';
import { forumPages } from './routes/forum.tsx';
import { moderationPages } from './routes/moderation.tsx';
import { searchPages } from './routes/search.tsx';
import { spacePages } from './routes/spaces.tsx';
import { ErrorPage, type KeptText } from './views/error-page.tsx';

const KEEP = ['title', 'body', 'summary', 'bio', 'description', 'name', 'note', 'reason'];

export async function registerWeb(app: FastifyInstance): Promise<void> {
  // The header's review-queue link and the silenced-member notice. Pages only (this plugin holds
  // no API route), signed-in viewers only, and only for GET: a form post redirects anyway.
  app.addHook('preHandler', async (request) => {
    const viewer = request.viewer;
    if (viewer.kind !== 'member' || (request.method !== 'GET' && request.method !== 'HEAD')) return;
    const { moderation } = app.services;
    const [queueCount, mine] = await Promise.all([
      moderation.moderatesAnything(viewer).then((yes) => (yes ? moderation.openItemCount(viewer) : null)),
      viewer.status === 'silenced' ? moderation.mine(viewer) : undefined,
    ]);
    setChrome(request, {
      queueCount,
      silenced: mine && mine.status === 'silenced' ? { reason: mine.statusReason, until: mine.statusUntil } : null,
    });
  });
  await app.register(forumPages);
  await app.register(spacePages);
  await app.register(accountPages);
  await app.register(adminPages);
  await app.register(moderationPages);
  await app.register(blogPages);
  await app.register(searchPages);
}

export function renderErrorPage(request: FastifyRequest, reply: FastifyReply, error: ErrorView): string {
  let csrfToken = '';
  try {
    csrfToken = request.viewer.kind === 'member' ? reply.generateCsrf() : '';
  } catch {
    // No visitor session (e.g. the database is down): the page renders without a sign-out form token.
  }
  const ctx: PageContext = { viewer: request.viewer, csrfToken, flash: [], path: request.url, chrome: chromeOf(request) };
  const body = (request.body ?? {}) as Record<string, unknown>;
  const kept: KeptText = request.method === 'POST' && error.status !== 422
    ? KEEP.filter((k) => typeof body[k] === 'string' && (body[k] as string).trim() !== '').map((k) => ({ name: k, value: body[k] as string }))
    : [];
  return renderDocument(<ErrorPage ctx={ctx} error={error} kept={kept} />);
}
