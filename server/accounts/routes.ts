import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, Ok } from '../api/schemas.ts';
import { NotFound } from '../errors.ts';
import { requireMember } from '../policy/index.ts';
import { OwnAccount, presentOwnAccount, presentProfile, PublicProfile } from './presenters.ts';
import { LIMITS } from './rules.ts';

const Password = Type.String({ maxLength: 1024 });
const TokenInfo = Type.Object({ id: Type.Integer(), name: Type.String(), createdAt: Type.String(), lastUsedAt: Type.Union([Type.String(), Type.Null()]) });

export const accountsApi: FastifyPluginAsyncTypebox = async (app) => {
  const { accounts } = app.services;
  const limits = app.config.rateLimits;

  app.post(
    '/auth/register',
    {
      config: { access: 'public', rateLimit: { max: limits.registerPerIpPerHour, timeWindow: '1 hour' } },
      schema: {
        tags: ['accounts'],
        summary: 'Create an account',
        body: Type.Object({
          handle: Type.String({ maxLength: 100 }),
          displayName: Type.String({ maxLength: 200 }),
          email: Type.String({ maxLength: 300 }),
          password: Password,
        }),
        response: { 201: OwnAccount, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { user, cookie } = await accounts.register(request.body, request.headers['user-agent'] ?? '');
      // The API works with tokens; the browser session made by registering is not needed here.
      if (cookie) await accounts.sessions.invalidate(cookie.value);
      return reply.status(201).send(presentOwnAccount(user));
    },
  );

  app.post(
    '/auth/token',
    {
      config: { access: 'public', rateLimit: { max: limits.signInPerIpPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags: ['accounts'],
        summary: 'Exchange credentials for an API token',
        security: [],
        body: Type.Object({
          login: Type.String({ maxLength: 300 }),
          password: Password,
          name: Type.String({ maxLength: LIMITS.tokenName * 2, default: 'API token' }),
        }),
        response: { 201: Type.Object({ id: Type.Integer(), name: Type.String(), token: Type.String() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { login, password, name } = request.body;
      const created = await accounts.exchangeCredentialsForToken(login, password, name);
      return reply.status(201).send({ id: created.id, name: created.name, token: created.token });
    },
  );

  app.get(
    '/auth/tokens',
    { config: { access: 'member' }, schema: { tags: ['accounts'], response: { 200: Type.Array(TokenInfo), ...errorResponses } } },
    async (request) =>
      (await accounts.listApiTokens(requireMember(request.viewer))).map((t) => ({
        id: t.id,
        name: t.name,
        createdAt: t.createdAt.toISOString(),
        lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
      })),
  );

  app.delete(
    '/auth/tokens/:id',
    {
      config: { access: 'member' },
      schema: { tags: ['accounts'], params: Type.Object({ id: Type.Integer({ minimum: 1 }) }), response: { 200: Ok, ...errorResponses } },
    },
    async (request) => {
      await accounts.revokeApiToken(requireMember(request.viewer), request.params.id);
      return { ok: true };
    },
  );

  app.get(
    '/me',
    { config: { access: 'member' }, schema: { tags: ['accounts'], response: { 200: OwnAccount, ...errorResponses } } },
    async (request) => {
      const user = await accounts.findUser(requireMember(request.viewer).id);
      if (!user) throw new NotFound();
      return presentOwnAccount(user);
    },
  );

  app.patch(
    '/me',
    {
      config: { access: 'member' },
      schema: {
        tags: ['accounts'],
        summary: 'Edit your profile',
        body: Type.Partial(
          Type.Object({
            displayName: Type.String({ maxLength: LIMITS.displayName * 2 }),
            title: Type.String({ maxLength: LIMITS.title * 2 }),
            specialty: Type.String({ maxLength: LIMITS.specialty * 2 }),
            institution: Type.String({ maxLength: LIMITS.institution * 2 }),
            bio: Type.String({ maxLength: LIMITS.bio * 2 }),
          }),
        ),
        response: { 200: OwnAccount, ...errorResponses },
      },
    },
    async (request) => {
      const viewer = requireMember(request.viewer);
      const current = await accounts.findUser(viewer.id);
      if (!current) throw new NotFound();
      await accounts.updateProfile(viewer, {
        displayName: request.body.displayName ?? current.displayName,
        title: request.body.title ?? current.title,
        specialty: request.body.specialty ?? current.specialty,
        institution: request.body.institution ?? current.institution,
        bio: request.body.bio ?? current.bioSource,
      });
      const updated = await accounts.findUser(viewer.id);
      if (!updated) throw new NotFound();
      return presentOwnAccount(updated);
    },
  );

  app.post(
    '/me/password',
    {
      config: { access: 'member' },
      schema: {
        tags: ['accounts'],
        summary: 'Change your password; ends every browser session',
        body: Type.Object({ currentPassword: Password, newPassword: Password }),
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (request) => {
      await accounts.changePassword(requireMember(request.viewer), null, request.body.currentPassword, request.body.newPassword);
      return { ok: true };
    },
  );

  app.post(
    '/me/sign-out-everywhere',
    { config: { access: 'member' }, schema: { tags: ['accounts'], response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await accounts.signOutEverywhere(requireMember(request.viewer));
      return { ok: true };
    },
  );

  app.get(
    '/users/:handle',
    {
      config: { access: 'public' },
      schema: {
        tags: ['accounts'],
        params: Type.Object({ handle: Type.String({ maxLength: 60 }) }),
        response: {
          200: Type.Object({
            profile: PublicProfile,
            recentPosts: Type.Array(
              Type.Object({ id: Type.Integer(), threadId: Type.Integer(), threadTitle: Type.String(), number: Type.Integer(), url: Type.String(), createdAt: Type.String() }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const user = await accounts.findProfileByHandle(request.params.handle);
      if (!user) throw new NotFound();
      const posts = await app.services.forum.postsByAuthor(request.viewer, user.id);
      return {
        profile: presentProfile(user),
        recentPosts: posts.map((p) => ({
          id: p.id,
          threadId: p.threadId,
          threadTitle: p.threadTitle,
          number: p.number,
          url: `/t/${p.threadId}/${p.threadSlug}#p${p.number}`,
          createdAt: p.createdAt.toISOString(),
        })),
      };
    },
  );
};
