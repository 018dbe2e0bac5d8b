import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireMember } from '../../server/policy/index.ts';
import { pageContext } from '../context.ts';
import { sendPage } from '../render.tsx';
import { localPath, threadHref } from '../urls.ts';
import { NotificationsPage } from '../views/notifications/pages.tsx';

const IdParam = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 }) });
const Csrf = { _csrf: Type.Optional(Type.String()) };

export const notificationPages: FastifyPluginAsyncTypebox = async (app) => {
  const { notifications } = app.services;

  app.get('/notifications', { config: { access: 'member' }, schema: { querystring: Type.Object({ before: Type.Optional(IdParam.properties.id) }) } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const before = request.query.before;
    const page = await notifications.list(viewer, before === undefined ? {} : { before });
    const ctx = pageContext(request, reply);
    // The header's bell counted the unread items for this same request (web/register.tsx).
    const unreadCount = ctx.chrome?.notificationCount ?? (await notifications.unreadCount(viewer));
    return sendPage(reply, <NotificationsPage ctx={ctx} {...page} unreadCount={unreadCount} first={before === undefined} />);
  });

  /** Opening an item marks it read and goes where it leads; one the viewer can no longer read is a 404. */
  app.get('/notifications/:id', { config: { access: 'member' }, schema: { params: IdParam } }, async (request, reply) => {
    const target = await notifications.open(requireMember(request.viewer), request.params.id);
    return reply.redirect(target, 303);
  });

  app.post('/notifications/read-all', { config: { access: 'member' }, schema: { body: Type.Object(Csrf) } }, async (request, reply) => {
    await notifications.markAllRead(requireMember(request.viewer));
    request.flash('success', 'All notifications marked read.');
    return reply.redirect('/notifications', 303);
  });

  app.post(
    '/notifications/preferences',
    { config: { access: 'member' }, schema: { body: Type.Object({ watchStarted: Type.Optional(Type.Literal('on')), watchReplied: Type.Optional(Type.Literal('on')), ...Csrf }) } },
    async (request, reply) => {
      await notifications.savePreferences(requireMember(request.viewer), { watchStarted: request.body.watchStarted === 'on', watchReplied: request.body.watchReplied === 'on' });
      request.flash('success', 'Your notification defaults are saved.');
      return reply.redirect('/settings#notifications', 303);
    },
  );

  app.post(
    '/watch',
    {
      config: { access: 'member' },
      schema: {
        body: Type.Object({
          kind: Type.Union([Type.Literal('thread'), Type.Literal('board'), Type.Literal('space')]),
          id: IdParam.properties.id,
          level: Type.Union([Type.Literal('watching'), Type.Literal('tracking'), Type.Literal('muted'), Type.Literal('default')]),
          next: Type.Optional(Type.String({ maxLength: 500 })),
          ...Csrf,
        }),
      },
    },
    async (request, reply) => {
      const { kind, id, level, next } = request.body;
      await notifications.setWatch(requireMember(request.viewer), { kind, id }, level);
      request.flash('success', level === 'default' ? `This ${kind} follows your defaults again.` : `You are now ${level === 'muted' ? 'muting' : level} this ${kind}.`);
      return reply.redirect(localPath(next, '/'), 303);
    },
  );

  /**
   * The composer's @ list (JavaScript on): handles of members who can read the thread or board.
   * A page route, answered from the session cookie like the live preview; the JSON API has its own.
   */
  app.get(
    '/mentionable',
    {
      config: { access: 'member' },
      schema: { querystring: Type.Object({ thread: Type.Optional(IdParam.properties.id), board: Type.Optional(IdParam.properties.id), prefix: Type.String({ maxLength: 31, default: '' }) }) },
    },
    async (request, reply) => {
      const { thread, board, prefix } = request.query;
      const target = thread !== undefined ? { threadId: thread } : board !== undefined ? { boardId: board } : undefined;
      if (!target) return reply.status(400).send({ handles: [] });
      const found = await notifications.mentionable(requireMember(request.viewer), target, prefix);
      return { handles: found.map((m) => ({ handle: m.handle, displayName: m.displayName })) };
    },
  );

  /** Where the viewer stopped reading: the page holding the first post they have not read. */
  app.get('/t/:id/:slug/unread', { config: { access: 'public' }, schema: { params: Type.Object({ id: IdParam.properties.id, slug: Type.String({ maxLength: 200 }) }) } }, async (request, reply) => {
    const { thread, number, page } = await notifications.firstUnread(request.viewer, request.params.id);
    return reply.redirect(`${threadHref(thread.id, thread.slug, page)}#p${number}`, 303);
  });
};
