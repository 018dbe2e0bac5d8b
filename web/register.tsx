import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorView } from '../server/plugins/errors.ts';
import type { PageContext } from './context.ts';
import { renderDocument } from './render.tsx';
import { accountPages } from './routes/accounts.tsx';
import { adminPages } from './routes/admin.tsx';
import { forumPages } from './routes/forum.tsx';
import { spacePages } from './routes/spaces.tsx';
import { ErrorPage, type KeptText } from './views/error-page.tsx';

const KEEP = ['title', 'body', 'bio', 'description', 'name'];

export async function registerWeb(app: FastifyInstance): Promise<void> {
  await app.register(forumPages);
  await app.register(spacePages);
  await app.register(accountPages);
  await app.register(adminPages);
}

export function renderErrorPage(request: FastifyRequest, reply: FastifyReply, error: ErrorView): string {
  let csrfToken = '';
  try {
    csrfToken = request.viewer.kind === 'member' ? reply.generateCsrf() : '';
  } catch {
    // No visitor session (e.g. the database is down): the page renders without a sign-out form token.
  }
  const ctx: PageContext = { viewer: request.viewer, csrfToken, flash: [], path: request.url };
  const body = (request.body ?? {}) as Record<string, unknown>;
  const kept: KeptText = request.method === 'POST' && error.status !== 422
    ? KEEP.filter((k) => typeof body[k] === 'string' && (body[k] as string).trim() !== '').map((k) => ({ name: k, value: body[k] as string }))
    : [];
  return renderDocument(<ErrorPage ctx={ctx} error={error} kept={kept} />);
}
