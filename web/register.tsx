import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorView } from '../server/plugins/errors.ts';
import { ANONYMOUS } from '../server/policy/index.ts';
import { chromeOf, deferChrome, setChrome, settleChrome, type PageContext } from './context.ts';
import { renderDocument } from './render.tsx';
import { accountPages } from './routes/accounts.tsx';
import { adminPages } from './routes/admin.tsx';
import { blogPages } from './routes/blogs.tsx';
import { forumPages } from './routes/forum.tsx';
import { mailPages } from './routes/mail.tsx';
import { moderationPages } from './routes/moderation.tsx';
import { notificationPages } from './routes/notifications.tsx';
import { searchPages } from './routes/search.tsx';
import { spacePages } from './routes/spaces.tsx';
import { ErrorPage, type KeptText, type RetryForm } from './views/error-page.tsx';

const KEEP = ['title', 'body', 'summary', 'tags', 'bio', 'description', 'name', 'note', 'reason', 'handle', 'displayName', 'email', 'login'];

export async function registerWeb(app: FastifyInstance): Promise<void> {
  // The header's review-queue link, the bell's count and the silenced-member notice. Pages only
  // (this plugin holds no API route), signed-in viewers only. A GET's page needs them; a form post
  // needs them only when it renders a page instead of redirecting (sendPage looks them up then).
  app.addHook('preHandler', async (request) => {
    const viewer = request.viewer;
    if (viewer.kind !== 'member') return;
    const { moderation, notifications } = app.services;
    const load = async () => {
      const [queueCount, mine, notificationCount] = await Promise.all([
        moderation.queueBadge(viewer),
        viewer.status === 'silenced' ? moderation.mine(viewer) : undefined,
        notifications.unreadCount(viewer),
      ]);
      return { queueCount, notificationCount, silenced: mine && mine.status === 'silenced' ? { reason: mine.statusReason, until: mine.statusUntil } : null };
    };
    if (request.method === 'GET' || request.method === 'HEAD') setChrome(request, await load());
    else deferChrome(request, load);
  });
  await app.register(forumPages);
  await app.register(spacePages);
  await app.register(accountPages);
  await app.register(adminPages);
  await app.register(moderationPages);
  await app.register(blogPages);
  await app.register(notificationPages);
  await app.register(mailPages);
  await app.register(searchPages);
}

/** Fields never printed back into a page, not even to the person who typed them. */
const SECRET_FIELD = /pass|secret|token|code/i;
const PASSWORD_FIELD = /^(password|newPassword|currentPassword)$/;

export async function renderErrorPage(request: FastifyRequest, reply: FastifyReply, error: ErrorView, submitted: Record<string, unknown> | undefined): Promise<string> {
  // The database may have failed before the viewer was known (the session lookup): show the page as to a visitor.
  const viewer = request.viewer ?? ANONYMOUS;
  // A form post refused here (not found, forbidden, a conflict) still shows the member their header;
  // not while the database is away, and a header that cannot be read is left out.
  if (error.code !== 'unavailable') await settleChrome(request).catch(() => undefined);
  let csrfToken = '';
  try {
    csrfToken = viewer.kind === 'member' ? reply.generateCsrf() : '';
  } catch {
    // No visitor session (e.g. the database is down): the page renders without a sign-out form token.
  }
  const ctx: PageContext = { viewer, csrfToken, flash: [], path: request.url, chrome: chromeOf(request) };
  const body = submitted ?? {};
  const kept: KeptText = request.method === 'POST' && error.status !== 422
    ? KEEP.filter((k) => typeof body[k] === 'string' && (body[k] as string).trim() !== '').map((k) => ({ name: k, value: body[k] as string }))
    : [];
  return renderDocument(<ErrorPage ctx={ctx} error={error} kept={kept} retry={retryForm(request, error, body)} />);
}

/**
 * While the database is away, or a rate limit refuses a form, it comes back as itself: the typed
 * text editable, every other field (its CSRF token, idempotency key, base revision) carried along,
 * and "Send again" posting to the same address. A password is asked for again, never echoed; a
 * form with any other secret (a token, a code) is not echoed at all.
 */
function retryForm(request: FastifyRequest, error: ErrorView, body: Record<string, unknown>): RetryForm | undefined {
  const reason = error.code === 'unavailable' ? 'outage' : error.code === 'rate_limited' ? 'rate limit' : undefined;
  if (!reason || request.method !== 'POST' || request.url.startsWith('/api/')) return undefined;
  const names = Object.keys(body);
  if (names.length === 0 || names.some((name) => name !== '_csrf' && SECRET_FIELD.test(name) && !PASSWORD_FIELD.test(name))) return undefined;
  const fields: RetryForm['fields'] = [];
  for (const name of names) {
    if (PASSWORD_FIELD.test(name)) {
      fields.push({ name, value: '', editable: true, password: true });
      continue;
    }
    const values = [body[name]].flat().filter((v): v is string => typeof v === 'string');
    for (const value of values) fields.push({ name, value, editable: KEEP.includes(name) && values.length === 1 });
  }
  return { action: request.url, fields, reason };
}
