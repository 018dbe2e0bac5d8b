import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, Id, IdParams, Ok } from '../api/schemas.ts';
import { requireMember } from '../policy/index.ts';
import { NotificationOut, presentNotification } from './presenters.ts';

const WatchLevelIn = Type.Union([Type.Literal('watching'), Type.Literal('tracking'), Type.Literal('muted'), Type.Literal('default')], {
  description: 'watching: every new post; tracking: unread counts, replies to you and mentions; muted: nothing, not even mentions; default: no choice of your own here',
});
const WatchStateOut = Type.Object({
  chosen: Type.String({ description: 'Your own choice for this thread, board or space, or "default"' }),
  effective: Type.String({ description: 'What applies here (the most specific choice wins); "normal" when none' }),
});
const Prefix = Type.Object({ prefix: Type.String({ maxLength: 31, default: '' }) });
const MentionableOut = Type.Array(Type.Object({ handle: Type.String(), displayName: Type.String() }));

export const notificationsApi: FastifyPluginAsyncTypebox = async (app) => {
  const { notifications } = app.services;

  app.get(
    '/notifications',
    {
      config: { access: 'member' },
      schema: {
        tags: ['notifications'],
        summary: 'Your notifications, newest first; unread replies to one thread collapse into one item',
        querystring: Type.Object({ before: Type.Optional(Id) }),
        response: { 200: Type.Object({ items: Type.Array(NotificationOut), next: Type.Union([Type.Integer(), Type.Null()]), unreadCount: Type.Integer() }), ...errorResponses },
      },
    },
    async (request) => {
      const viewer = requireMember(request.viewer);
      const [page, unreadCount] = await Promise.all([
        notifications.list(viewer, request.query.before === undefined ? {} : { before: request.query.before }),
        notifications.unreadCount(viewer),
      ]);
      return { items: page.items.map(presentNotification), next: page.next, unreadCount };
    },
  );

  app.get(
    '/notifications/count',
    { config: { access: 'member' }, schema: { tags: ['notifications'], summary: 'How many unread items the bell shows', response: { 200: Type.Object({ unread: Type.Integer() }), ...errorResponses } } },
    async (request) => ({ unread: await notifications.unreadCount(requireMember(request.viewer)) }),
  );

  app.post(
    '/notifications/read',
    {
      config: { access: 'member' },
      schema: {
        tags: ['notifications'],
        summary: 'Mark items read: the ids given (a collapsed item whole), or all',
        body: Type.Object({ ids: Type.Optional(Type.Array(Id, { maxItems: 100 })), all: Type.Optional(Type.Boolean()) }),
        response: { 200: Type.Object({ unread: Type.Integer() }), ...errorResponses },
      },
    },
    async (request) => {
      const viewer = requireMember(request.viewer);
      if (request.body.all) await notifications.markAllRead(viewer);
      else await notifications.markRead(viewer, request.body.ids ?? []);
      return { unread: await notifications.unreadCount(viewer) };
    },
  );

  app.get(
    '/notifications/preferences',
    {
      config: { access: 'member' },
      schema: { tags: ['notifications'], response: { 200: Type.Object({ watchStarted: Type.Boolean(), watchReplied: Type.Boolean() }), ...errorResponses } },
    },
    async (request) => notifications.preferences(requireMember(request.viewer)),
  );

  app.put(
    '/notifications/preferences',
    {
      config: { access: 'member' },
      schema: {
        tags: ['notifications'],
        summary: 'Watch (rather than track) the threads you start or reply to',
        body: Type.Object({ watchStarted: Type.Boolean(), watchReplied: Type.Boolean() }),
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (request) => {
      await notifications.savePreferences(requireMember(request.viewer), request.body);
      return { ok: true };
    },
  );

  for (const kind of ['thread', 'board', 'space'] as const) {
    app.get(
      `/${kind}s/:id/watch`,
      { config: { access: 'member' }, schema: { tags: ['notifications'], summary: `Your watch level for a ${kind}`, params: IdParams, response: { 200: WatchStateOut, ...errorResponses } } },
      async (request) => notifications.watchState(requireMember(request.viewer), { kind, id: request.params.id }),
    );
    app.put(
      `/${kind}s/:id/watch`,
      {
        config: { access: 'member' },
        schema: { tags: ['notifications'], summary: `Watch, track or mute a ${kind}`, params: IdParams, body: Type.Object({ level: WatchLevelIn }), response: { 200: WatchStateOut, ...errorResponses } },
      },
      async (request) => {
        const viewer = requireMember(request.viewer);
        await notifications.setWatch(viewer, { kind, id: request.params.id }, request.body.level);
        return notifications.watchState(viewer, { kind, id: request.params.id });
      },
    );
  }

  app.get(
    '/threads/:id/mentionable',
    {
      config: { access: 'member' },
      schema: { tags: ['notifications'], summary: 'Handles of members who can read the thread, for @mention autocomplete', params: IdParams, querystring: Prefix, response: { 200: MentionableOut, ...errorResponses } },
    },
    async (request) => notifications.mentionable(requireMember(request.viewer), { threadId: request.params.id }, request.query.prefix),
  );

  app.get(
    '/boards/:id/mentionable',
    {
      config: { access: 'member' },
      schema: { tags: ['notifications'], summary: 'Handles of members who can read the board, for a new thread', params: IdParams, querystring: Prefix, response: { 200: MentionableOut, ...errorResponses } },
    },
    async (request) => notifications.mentionable(requireMember(request.viewer), { boardId: request.params.id }, request.query.prefix),
  );
};
