import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams, Ok } from '../api/schemas.ts';
import { requireMember } from '../policy/index.ts';
import {
  presentBoard,
  presentPendingLevelChange,
  presentSpace,
  presentSpaceWithBoards,
  BoardOut,
  JoinPolicyOut,
  LevelOut,
  SpaceDetail,
  SpaceOut,
  SpaceWithBoards,
} from './presenters.ts';
import { SPACE_LIMITS } from './service.ts';

const NameBody = Type.Object({
  name: Type.String({ maxLength: SPACE_LIMITS.name * 2 }),
  description: Type.String({ maxLength: SPACE_LIMITS.description * 2, default: '' }),
});
const ChangeBody = Type.Object({
  name: Type.Optional(Type.String({ maxLength: SPACE_LIMITS.name * 2 })),
  description: Type.Optional(Type.String({ maxLength: SPACE_LIMITS.description * 2 })),
  joinPolicy: Type.Optional(JoinPolicyOut),
  archived: Type.Optional(Type.Boolean()),
});
const NewSpaceBody = Type.Object({
  ...NameBody.properties,
  level: Type.Optional(LevelOut),
  joinPolicy: Type.Optional(JoinPolicyOut),
  rules: Type.Optional(Type.String({ maxLength: SPACE_LIMITS.rules * 2 })),
});
const MoveBody = Type.Object({ direction: Type.Union([Type.Literal('up'), Type.Literal('down')]) });

export const spacesApi: FastifyPluginAsyncTypebox = async (app) => {
  const { spaces } = app.services;

  app.get(
    '/spaces',
    { config: { access: 'public' }, schema: { tags: ['spaces'], summary: 'Spaces and boards you can read', response: { 200: Type.Array(SpaceWithBoards) } } },
    async (request) => (await spaces.directory(request.viewer)).map(presentSpaceWithBoards),
  );

  app.get(
    '/spaces/:slug',
    {
      config: { access: 'public' },
      schema: { tags: ['spaces'], params: Type.Object({ slug: Type.String({ maxLength: 100 }) }), response: { 200: SpaceDetail, ...errorResponses } },
    },
    async (request) => {
      const space = await spaces.spaceBySlug(request.viewer, request.params.slug);
      // A coming lowering is announced to the space's own members (the notice they are owed).
      const member = space.facts.membership?.status === 'active';
      return {
        ...presentSpaceWithBoards(space),
        rulesPending: space.rulesPending,
        pendingLevelChange: member && space.pendingChange ? presentPendingLevelChange(space.pendingChange, space.ownerCount, space.confirmations) : null,
      };
    },
  );

  app.post(
    '/spaces',
    {
      config: { access: 'member' },
      schema: {
        tags: ['spaces'],
        summary: 'Create a space; you become its owner (public spaces: administrators only)',
        body: NewSpaceBody,
        response: { 201: SpaceOut, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(presentSpace(await spaces.createSpace(requireMember(request.viewer), request.body))),
  );

  app.patch(
    '/spaces/:id',
    { config: { access: 'member' }, schema: { tags: ['spaces'], summary: 'Owners of the space, or site administrators outside confidential spaces', params: IdParams, body: ChangeBody, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      const { name, description, joinPolicy, archived } = request.body;
      if (name !== undefined || description !== undefined || joinPolicy !== undefined) {
        await spaces.changeSpaceDetails(request.viewer, request.params.id, { name, description, joinPolicy });
      }
      if (archived !== undefined) await spaces.setSpaceArchived(request.viewer, request.params.id, archived);
      return { ok: true };
    },
  );

  app.post(
    '/spaces/:id/move',
    { config: { access: 'admin' }, schema: { tags: ['spaces'], params: IdParams, body: MoveBody, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await spaces.moveSpace(request.viewer, request.params.id, request.body.direction);
      return { ok: true };
    },
  );

  app.post(
    '/spaces/:id/boards',
    { config: { access: 'member' }, schema: { tags: ['spaces'], summary: 'Owners of the space, or site administrators outside confidential spaces', params: IdParams, body: NameBody, response: { 201: BoardOut, ...errorResponses } } },
    async (request, reply) => {
      const board = await spaces.createBoard(request.viewer, request.params.id, request.body);
      const space = await spaces.spaceById(request.viewer, request.params.id);
      return reply.status(201).send(presentBoard(board, space.slug));
    },
  );

  app.get(
    '/boards/:id',
    { config: { access: 'public' }, schema: { tags: ['spaces'], params: IdParams, response: { 200: Type.Object({ ...BoardOut.properties, space: SpaceOut }), ...errorResponses } } },
    async (request) => {
      const board = await spaces.boardById(request.viewer, request.params.id);
      return { ...presentBoard(board, board.space.slug), space: presentSpace(board.space) };
    },
  );

  app.patch(
    '/boards/:id',
    { config: { access: 'member' }, schema: { tags: ['spaces'], summary: 'Owners of the space, or site administrators outside confidential spaces', params: IdParams, body: ChangeBody, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      const { name, description, archived } = request.body;
      if (name !== undefined || description !== undefined) {
        const current = await spaces.boardById(request.viewer, request.params.id);
        await spaces.renameBoard(request.viewer, request.params.id, { name: name ?? current.name, description: description ?? current.description });
      }
      if (archived !== undefined) await spaces.setBoardArchived(request.viewer, request.params.id, archived);
      return { ok: true };
    },
  );

  app.post(
    '/boards/:id/move',
    { config: { access: 'member' }, schema: { tags: ['spaces'], summary: 'Owners of the space, or site administrators outside confidential spaces', params: IdParams, body: MoveBody, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await spaces.moveBoard(request.viewer, request.params.id, request.body.direction);
      return { ok: true };
    },
  );
};
