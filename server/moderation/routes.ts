import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, Id, IdParams, Ok } from '../api/schemas.ts';
import { requireMember } from '../policy/index.ts';
import { ItemDetailOut, LogLineOut, MembershipRequestOut, presentMembershipRequest, presentItemDetail, presentLogLine, presentPublicLogLine, presentQueueItem, PublicLogLineOut, QueueItemOut } from './presenters.ts';
import { decisionsForTarget } from './blog-targets.ts';
import { DECISIONS, FLAG_REASONS } from './service.ts';
import { ModerationSettings } from './settings.ts';

const Reason = Type.Union(FLAG_REASONS.map((r) => Type.Literal(r)));
const Kind = Type.Union(Object.keys(DECISIONS).map((k) => Type.Literal(k as keyof typeof DECISIONS)));
const DecisionName = Type.Union([...new Set(Object.values(DECISIONS).flat())].map((d) => Type.Literal(d)));
const Note = Type.String({ maxLength: 2000 });
const Handle = Type.Object({ handle: Type.String({ minLength: 1, maxLength: 40 }) });
const Sanction = Type.Object({
  kind: Type.Union([Type.Literal('warn'), Type.Literal('silence'), Type.Literal('suspend')]),
  days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  reason: Note,
});
const FlagBody = Type.Object({ reason: Reason, note: Type.Optional(Note) });

/**
 * The queue's cursor: the last item's id. The keyset compares with that row's own score and date
 * in the database, so no float or timestamp precision is lost on the way through the client.
 */
export const CURSOR_PATTERN = '^[0-9]{1,15}$';
const Cursor = Type.String({ pattern: CURSOR_PATTERN });
function parseCursor(raw: string | undefined): number | undefined {
  return raw ? Number(raw) : undefined;
}
export function formatCursor(next: number | null): string | null {
  return next === null ? null : String(next);
}

export const QueueQuery = Type.Object({
  sort: Type.Optional(Type.Union([Type.Literal('priority'), Type.Literal('age')])),
  kind: Type.Optional(Kind),
  reason: Type.Optional(Reason),
  space: Type.Optional(Id),
  status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('decided')])),
  after: Type.Optional(Cursor),
});

export function queueFilter(query: { sort?: 'priority' | 'age'; kind?: keyof typeof DECISIONS; reason?: (typeof FLAG_REASONS)[number]; space?: number; status?: 'open' | 'decided'; after?: string }) {
  return { sort: query.sort ?? 'priority', kind: query.kind, reason: query.reason, spaceId: query.space, status: query.status ?? 'open', after: parseCursor(query.after) } as const;
}

export const moderationApi: FastifyPluginAsyncTypebox = async (app) => {
  const { moderation } = app.services;

  app.post(
    '/posts/:id/flags',
    {
      config: { access: 'member' },
      schema: { tags: ['moderation'], summary: 'Flag a post for moderators', params: IdParams, body: FlagBody, response: { 201: Type.Object({ flagId: Type.Integer(), hidden: Type.Boolean(), waits: Type.Boolean({ description: 'Nobody but the author moderates this place: the flag waits until someone else does.' }) }), ...errorResponses } },
    },
    async (request, reply) => reply.status(201).send(await moderation.flagPost(requireMember(request.viewer), request.params.id, request.body)),
  );

  app.post(
    '/users/:handle/flags',
    {
      config: { access: 'member' },
      schema: { tags: ['moderation'], summary: "Flag a member's profile", params: Handle, body: FlagBody, response: { 201: Type.Object({ flagId: Type.Integer() }), ...errorResponses } },
    },
    async (request, reply) => reply.status(201).send(await moderation.flagMember(requireMember(request.viewer), request.params.handle, request.body)),
  );

  app.delete(
    '/flags/:id',
    { config: { access: 'member' }, schema: { tags: ['moderation'], summary: 'Withdraw your own flag', params: IdParams, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await moderation.withdrawFlag(requireMember(request.viewer), request.params.id);
      return { ok: true };
    },
  );

  app.post(
    '/posts/:id/review-request',
    {
      config: { access: 'member' },
      schema: { tags: ['moderation'], summary: 'Ask for another review of your edited, hidden post', params: IdParams, body: Type.Object({ note: Type.Optional(Note) }), response: { 201: Ok, ...errorResponses } },
    },
    async (request, reply) => {
      await moderation.requestReview(requireMember(request.viewer), request.params.id, request.body.note ?? '');
      return reply.status(201).send({ ok: true });
    },
  );

  app.post(
    '/posts/:id/appeal',
    {
      config: { access: 'member' },
      schema: { tags: ['moderation'], summary: 'Appeal a moderator’s decision once; a different moderator decides', params: IdParams, body: Type.Object({ note: Note }), response: { 201: Ok, ...errorResponses } },
    },
    async (request, reply) => {
      await moderation.appeal(requireMember(request.viewer), request.params.id, request.body.note);
      return reply.status(201).send({ ok: true });
    },
  );

  app.get(
    '/mod/queue',
    {
      config: { access: 'moderator' },
      schema: {
        tags: ['moderation'],
        summary: 'The review queue: items in places you moderate',
        querystring: QueueQuery,
        response: {
          200: Type.Object({
            items: Type.Array(QueueItemOut),
            next: Type.Union([Type.String(), Type.Null()]),
            elsewhere: Type.Integer(),
            membershipRequests: Type.Array(MembershipRequestOut),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const result = await moderation.queue(requireMember(request.viewer), queueFilter(request.query));
      return {
        items: result.items.map(presentQueueItem),
        next: formatCursor(result.next),
        elsewhere: result.elsewhere,
        membershipRequests: result.membershipRequests.map(presentMembershipRequest),
      };
    },
  );

  app.get(
    '/mod/queue/:id',
    { config: { access: 'moderator' }, schema: { tags: ['moderation'], params: IdParams, response: { 200: ItemDetailOut, ...errorResponses } } },
    async (request) => {
      const detail = await moderation.item(requireMember(request.viewer), request.params.id);
      return presentItemDetail(detail, detail.item.status === 'open' ? decisionsForTarget(DECISIONS[detail.item.kind], detail.item) : []);
    },
  );

  app.post(
    '/mod/queue/:id/decision',
    {
      config: { access: 'moderator' },
      schema: {
        tags: ['moderation'],
        summary: 'Decide an item (one transaction with its effects and log lines)',
        params: IdParams,
        body: Type.Object({ decision: DecisionName, reason: Type.Optional(Note), body: Type.Optional(Type.String({ maxLength: 100_000 })), sanction: Type.Optional(Sanction) }),
        response: { 200: Type.Object({ decision: Type.String() }), ...errorResponses },
      },
    },
    async (request) => moderation.decide(requireMember(request.viewer), request.params.id, { ...request.body, reason: request.body.reason ?? '' }),
  );

  app.post(
    '/users/:handle/sanctions',
    { config: { access: 'moderator' }, schema: { tags: ['moderation'], summary: 'Warn, silence or suspend a member', params: Handle, body: Sanction, response: { 201: Ok, ...errorResponses } } },
    async (request, reply) => {
      await moderation.sanction(requireMember(request.viewer), request.params.handle, request.body);
      return reply.status(201).send({ ok: true });
    },
  );

  app.post(
    '/users/:handle/purge',
    {
      config: { access: 'moderator' },
      schema: { tags: ['moderation'], summary: 'Spam: remove every post by a member and suspend them', params: Handle, body: Type.Object({ reason: Note }), response: { 200: Type.Object({ removed: Type.Integer() }), ...errorResponses } },
    },
    async (request) => moderation.purgeSpammer(requireMember(request.viewer), request.params.handle, request.body.reason),
  );

  app.get(
    '/mod/log',
    {
      config: { access: 'moderator' },
      schema: {
        tags: ['moderation'],
        querystring: Type.Object({ action: Type.Optional(Type.String({ maxLength: 40 })), actor: Type.Optional(Type.String({ maxLength: 40 })), subject: Type.Optional(Type.String({ maxLength: 40 })), before: Type.Optional(Id) }),
        response: { 200: Type.Array(LogLineOut), ...errorResponses },
      },
    },
    async (request) => {
      const { action, actor, subject, before } = request.query;
      return (await moderation.log(requireMember(request.viewer), { action, actorHandle: actor, subjectHandle: subject, before })).map(presentLogLine);
    },
  );

  app.get(
    '/moderation/log',
    {
      config: { access: 'public' },
      schema: { tags: ['moderation'], summary: 'Public transparency log: actions on public content', querystring: Type.Object({ before: Type.Optional(Id) }), response: { 200: Type.Array(PublicLogLineOut), ...errorResponses } },
    },
    async (request) => (await moderation.publicLog({ before: request.query.before })).map(presentPublicLogLine),
  );

  app.get(
    '/admin/moderation-settings',
    { config: { access: 'admin' }, schema: { tags: ['moderation'], response: { 200: ModerationSettings, ...errorResponses } } },
    async () => moderation.settings(),
  );

  app.put(
    '/admin/moderation-settings',
    { config: { access: 'admin' }, schema: { tags: ['moderation'], body: ModerationSettings, response: { 200: ModerationSettings, ...errorResponses } } },
    async (request) => moderation.updateSettings(requireMember(request.viewer), request.body),
  );
};
