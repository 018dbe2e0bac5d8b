import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Conflict, Invalid } from '../../server/errors.ts';
import { can, requireMember } from '../../server/policy/index.ts';
import { JOIN_POLICIES, LEVELS, type JoinPolicy, type Level } from '../../server/spaces/service.ts';
import { pageContext } from '../context.ts';
import { sendPage } from '../render.tsx';
import { localPath, spaceHref } from '../urls.ts';
import { ManagePage, type ManageState } from '../views/spaces/manage-page.tsx';
import { InvitationsPage, InviteLinkPage, NewSpacePage, type NewSpaceState } from '../views/spaces/other-pages.tsx';
import { RulesPage, SpacePage } from '../views/spaces/space-page.tsx';

const Slug = Type.String({ maxLength: 200 });
const SpaceParams = Type.Object({ space: Slug });
const Handle = Type.String({ maxLength: 100 });
const Csrf = { _csrf: Type.Optional(Type.String()) };
const IdParam = Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 });


function isFormProblem(error: unknown): error is Invalid | Conflict {
  return error instanceof Invalid || error instanceof Conflict;
}

export const spacePages: FastifyPluginAsyncTypebox = async (app) => {
  const { spaces, membership } = app.services;

  async function renderSpace(request: FastifyRequest, reply: FastifyReply, slug: string, join?: { message?: string; error?: string }, status = 200) {
    const space = await spaces.spaceBySlug(request.viewer, slug);
    const pending = space.pendingChange ? { toLevel: space.pendingChange.toLevel, effectiveAt: space.pendingChange.effectiveAt } : null;
    const viewer = request.viewer;
    // Watching a space means reading it: offered once its content is readable.
    const watch = viewer.kind === 'member' && !space.rulesPending ? await app.services.notifications.watchState(viewer, { kind: 'space', id: space.id }) : undefined;
    // Only a member who could ask is told why they cannot yet.
    const mayAsk = viewer.kind === 'member' && space.joinPolicy === 'request' && (!space.facts.membership || space.facts.membership.status === 'removed');
    const refused = mayAsk ? await membership.refusalStanding(viewer, space.id) : null;
    return sendPage(
      reply,
      <SpacePage ctx={pageContext(request, reply)} space={space} pending={pending} refused={refused} {...(join ? { join } : {})} {...(watch ? { watch } : {})} />,
      status,
    );
  }

  app.get('/s/:space', { config: { access: 'public' }, schema: { params: SpaceParams } }, async (request, reply) => renderSpace(request, reply, request.params.space));

  app.post('/s/:space/join', { config: { access: 'member' }, schema: { params: SpaceParams, body: Type.Object({ message: Type.Optional(Type.String({ maxLength: 2000 })), ...Csrf }) } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const space = await spaces.spaceBySlug(viewer, request.params.space);
    const message = request.body.message ?? '';
    try {
      const status = await membership.join(viewer, space.id, message);
      request.flash('success', status === 'active' ? `Welcome to ${space.name}.` : 'Your request to join was sent to the owners and moderators.');
      return reply.redirect(spaceHref(space.slug), 303);
    } catch (error) {
      if (!isFormProblem(error)) throw error;
      return renderSpace(request, reply, space.slug, { message, error: error.message }, error.status);
    }
  });

  app.post('/s/:space/leave', { config: { access: 'member' }, schema: { params: SpaceParams } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const space = await spaces.spaceBySlug(viewer, request.params.space);
    const left = await membership.leave(viewer, space.id);
    request.flash('info', left === 'requested' ? 'Your request to join is withdrawn.' : left === 'invited' ? `You declined the invitation to ${space.name}.` : `You left ${space.name}.`);
    return reply.redirect(space.level === 'confidential' ? '/' : spaceHref(space.slug), 303);
  });

  app.get('/s/:space/rules', { config: { access: 'public' }, schema: { params: SpaceParams, querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 500 })) }) } }, async (request, reply) => {
    const space = await spaces.spaceBySlug(request.viewer, request.params.space);
    const next = localPath(request.query.next, spaceHref(space.slug));
    return sendPage(reply, <RulesPage ctx={pageContext(request, reply)} space={space} mustAccept={space.rulesPending} next={next} />);
  });

  app.post(
    '/s/:space/rules/accept',
    { config: { access: 'member' }, schema: { params: SpaceParams, body: Type.Object({ version: Type.Integer({ minimum: 0 }), next: Type.Optional(Type.String({ maxLength: 500 })), ...Csrf }) } },
    async (request, reply) => {
      const viewer = requireMember(request.viewer);
      const space = await spaces.spaceBySlug(viewer, request.params.space);
      try {
        await membership.acceptRules(viewer, space.id, request.body.version);
      } catch (error) {
        if (!(error instanceof Conflict)) throw error;
        request.flash('error', error.message);
        return reply.redirect(`${spaceHref(space.slug)}/rules`, 303);
      }
      request.flash('success', 'Thank you. Your acceptance of the ground rules is recorded.');
      return reply.redirect(localPath(request.body.next, spaceHref(space.slug)), 303);
    },
  );

  // Managing a space

  async function renderManage(request: FastifyRequest, reply: FastifyReply, slug: string, state: ManageState, status = 200) {
    const viewer = requireMember(request.viewer);
    const space = await spaces.spaceBySlug(viewer, slug);
    const roster = await membership.roster(viewer, space.id);
    return sendPage(reply, <ManagePage ctx={pageContext(request, reply)} roster={roster} state={state} />, status);
  }

  app.get('/s/:space/manage', { config: { access: 'member' }, schema: { params: SpaceParams } }, async (request, reply) => renderManage(request, reply, request.params.space, {}));

  /** One manage action: success flashes and returns to the page; a refusal shows beside its form. */
  function manageAction<B extends Record<string, unknown>>(
    path: string,
    body: ReturnType<typeof Type.Object>,
    section: string,
    act: (viewer: ReturnType<typeof requireMember>, spaceId: number, body: B, params: Record<string, unknown>) => Promise<string>,
    params: ReturnType<typeof Type.Object> = SpaceParams,
  ) {
    app.post(`/s/:space/manage/${path}`, { config: { access: 'member' }, schema: { params, body } }, async (request, reply) => {
      const viewer = requireMember(request.viewer);
      const routeParams = request.params as { space: string } & Record<string, unknown>;
      const space = await spaces.spaceBySlug(viewer, routeParams.space);
      const values = request.body as B;
      try {
        request.flash('success', await act(viewer, space.id, values, routeParams));
        return reply.redirect(`${spaceHref(space.slug)}/manage`, 303);
      } catch (error) {
        if (!isFormProblem(error)) throw error;
        const typed = Object.fromEntries(Object.entries(values).filter(([k, v]) => k !== '_csrf' && typeof v === 'string')) as Record<string, string>;
        return renderManage(request, reply, space.slug, { problem: { section, message: error.message, values: typed } }, error.status);
      }
    });
  }

  manageAction<{ handle: string }>('invite', Type.Object({ handle: Handle, ...Csrf }), 'invite', async (viewer, spaceId, body) => {
    const user = await membership.inviteByHandle(viewer, spaceId, body.handle);
    return `@${user.handle} is invited.`;
  });

  // Likewise for a new invitation link's page, opened again later.
  app.get('/s/:space/manage/links', { config: { access: 'member' }, schema: { params: SpaceParams } }, async (request, reply) =>
    reply.redirect(`/s/${encodeURIComponent(request.params.space)}/manage`, 303),
  );

  app.post('/s/:space/manage/links', { config: { access: 'member' }, schema: { params: SpaceParams } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    const space = await spaces.spaceBySlug(viewer, request.params.space);
    const link = await membership.createInvitationLink(viewer, space.id);
    // Shown in this response only: a redirect would have to store the secret to show it.
    return renderManage(request, reply, space.slug, { newLink: `${app.config.publicUrl}/invite/${link.token}` }, 201);
  });

  manageAction<Record<string, never>>(
    'links/:id/revoke',
    Type.Object({ ...Csrf }),
    'invite',
    async (viewer, spaceId, _body, params) => {
      await membership.revokeInvitationLink(viewer, spaceId, params.id as number);
      return 'The invitation link no longer works.';
    },
    Type.Object({ space: Slug, id: IdParam }),
  );

  const DECISIONS = ['approve', 'refuse', 'remove', 'ban', 'unban'] as const;
  manageAction<{ handle: string; decision: (typeof DECISIONS)[number] }>(
    'decide',
    Type.Object({ handle: Handle, decision: Type.Union(DECISIONS.map((d) => Type.Literal(d))), ...Csrf }),
    'members',
    async (viewer, spaceId, body) => {
      await membership.decide(viewer, spaceId, body.handle, body.decision);
      const done = { approve: 'is now a member', refuse: 'was refused', remove: 'was removed', ban: 'is banned', unban: 'is no longer banned' }[body.decision];
      return `@${body.handle} ${done}.`;
    },
  );

  manageAction<{ handle: string; role: 'member' | 'moderator' | 'owner' }>(
    'role',
    Type.Object({ handle: Handle, role: Type.Union([Type.Literal('member'), Type.Literal('moderator'), Type.Literal('owner')]), ...Csrf }),
    'members',
    async (viewer, spaceId, body) => {
      await membership.setRole(viewer, spaceId, body.handle, body.role);
      return `@${body.handle} is now ${body.role === 'member' ? 'a member' : `a ${body.role}`}.`;
    },
  );

  manageAction<{ handle: string }>('transfer', Type.Object({ handle: Handle, ...Csrf }), 'members', async (viewer, spaceId, body) => {
    await membership.transferOwnership(viewer, spaceId, body.handle);
    return `@${body.handle} now owns this space; you are a moderator.`;
  });

  manageAction<{ name: string; description: string; joinPolicy?: JoinPolicy }>(
    'details',
    Type.Object({
      name: Type.String({ maxLength: 400 }),
      description: Type.String({ maxLength: 2000 }),
      joinPolicy: Type.Optional(Type.Union(JOIN_POLICIES.map((p) => Type.Literal(p)))),
      ...Csrf,
    }),
    'details',
    async (viewer, spaceId, body) => {
      await spaces.changeSpaceDetails(viewer, spaceId, body);
      return 'Saved.';
    },
  );

  manageAction<{ name: string; description?: string }>(
    'boards',
    Type.Object({ name: Type.String({ maxLength: 400 }), description: Type.Optional(Type.String({ maxLength: 2000 })), ...Csrf }),
    'boards',
    async (viewer, spaceId, body) => {
      const board = await spaces.createBoard(viewer, spaceId, { name: body.name, description: body.description ?? '' });
      return `Board ${board.name} added.`;
    },
  );

  manageAction<{ archived: boolean }>(
    'boards/:id/archive',
    Type.Object({ archived: Type.Boolean(), ...Csrf }),
    'boards',
    async (viewer, _spaceId, body, params) => {
      await spaces.setBoardArchived(viewer, params.id as number, body.archived);
      return body.archived ? 'Board archived: it stays readable and takes no new posts.' : 'Board back in use.';
    },
    Type.Object({ space: Slug, id: IdParam }),
  );

  manageAction<{ rules: string }>('rules', Type.Object({ rules: Type.String({ maxLength: 20_000 }), ...Csrf }), 'rules', async (viewer, spaceId, body) => {
    const version = await membership.updateRules(viewer, spaceId, body.rules);
    return `Ground rules saved as version ${version}.`;
  });

  manageAction<{ level: Level }>('level', Type.Object({ level: Type.Union(LEVELS.map((l) => Type.Literal(l))), ...Csrf }), 'level', async (viewer, spaceId, body) => {
    const { applied } = await membership.changeLevel(viewer, spaceId, body.level);
    if (!applied) return 'The change is proposed. It applies a week after every owner has confirmed it.';
    return body.level === 'confidential' ? 'The new level applies now. People join by invitation only from now on: nobody outside can see the space.' : 'The new level applies now.';
  });

  manageAction<Record<string, never>>('level/confirm', Type.Object({ ...Csrf }), 'level', async (viewer, spaceId) => {
    await membership.confirmLowering(viewer, spaceId);
    return 'Your confirmation is recorded.';
  });

  manageAction<Record<string, never>>('level/cancel', Type.Object({ ...Csrf }), 'level', async (viewer, spaceId) => {
    await membership.cancelLowering(viewer, spaceId);
    return 'The change of level is cancelled.';
  });

  // Creating spaces

  const emptySpace = (): NewSpaceState => ({ values: { name: '', description: '', level: 'confidential', joinPolicy: 'invite', rules: '' }, errors: {} });
  const allowPublic = (request: FastifyRequest) => can(request.viewer, { kind: 'space.create', level: 'public', setting: app.config.privateSpaces }).allowed;

  app.get('/spaces/new', { config: { access: 'member' } }, async (request, reply) => sendPage(reply, <NewSpacePage ctx={pageContext(request, reply)} state={emptySpace()} allowPublic={allowPublic(request)} />));

  app.post(
    '/spaces/new',
    {
      config: { access: 'member' },
      schema: {
        body: Type.Object({
          name: Type.String({ maxLength: 400 }),
          description: Type.Optional(Type.String({ maxLength: 2000 })),
          level: Type.Optional(Type.String({ maxLength: 20 })),
          joinPolicy: Type.Optional(Type.String({ maxLength: 20 })),
          rules: Type.Optional(Type.String({ maxLength: 20_000 })),
          ...Csrf,
        }),
      },
    },
    async (request, reply) => {
      const viewer = requireMember(request.viewer);
      const values = { name: request.body.name, description: request.body.description ?? '', level: request.body.level ?? '', joinPolicy: request.body.joinPolicy ?? '', rules: request.body.rules ?? '' };
      const errors: Record<string, string> = {};
      if (!(LEVELS as readonly string[]).includes(values.level)) errors.level = 'Choose who can read the space.';
      if (!(JOIN_POLICIES as readonly string[]).includes(values.joinPolicy)) errors.joinPolicy = 'Choose how people join.';
      try {
        if (Object.keys(errors).length > 0) throw new Invalid('Please correct the marked fields.', errors);
        const space = await spaces.createSpace(viewer, { ...values, level: values.level as Level, joinPolicy: values.joinPolicy as JoinPolicy });
        request.flash('success', `${space.name} is created and you are its owner. Add a board, then invite members.`);
        return reply.redirect(`${spaceHref(space.slug)}/manage`, 303);
      } catch (error) {
        if (!isFormProblem(error)) throw error;
        const fields = error instanceof Invalid ? error.fields : {};
        return sendPage(reply, <NewSpacePage ctx={pageContext(request, reply)} state={{ values, errors: fields, message: error.message }} allowPublic={allowPublic(request)} />, error.status);
      }
    },
  );

  // Invitations

  app.get('/invitations', { config: { access: 'member' } }, async (request, reply) => {
    const invitations = await membership.myInvitations(requireMember(request.viewer));
    return sendPage(reply, <InvitationsPage ctx={pageContext(request, reply)} invitations={invitations} />);
  });

  app.post('/invitations/:id/accept', { config: { access: 'member' }, schema: { params: Type.Object({ id: IdParam }) } }, async (request, reply) => {
    const viewer = requireMember(request.viewer);
    await membership.acceptInvitation(viewer, request.params.id);
    const space = await spaces.spaceById(viewer, request.params.id);
    request.flash('success', `Welcome to ${space.name}.`);
    return reply.redirect(spaceHref(space.slug), 303);
  });

  app.post('/invitations/:id/decline', { config: { access: 'member' }, schema: { params: Type.Object({ id: IdParam }) } }, async (request, reply) => {
    await membership.leave(requireMember(request.viewer), request.params.id);
    request.flash('info', 'Invitation declined.');
    return reply.redirect('/invitations', 303);
  });

  const TokenParams = Type.Object({ token: Type.String({ maxLength: 200 }) });

  app.get('/invite/:token', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const space = await membership.invitationPreview(request.params.token);
    return sendPage(reply, <InviteLinkPage ctx={pageContext(request, reply)} space={space} action={`/invite/${encodeURIComponent(request.params.token)}`} />);
  });

  app.post('/invite/:token', { config: { access: 'member' }, schema: { params: TokenParams } }, async (request, reply) => {
    const space = await membership.acceptInvitationLink(requireMember(request.viewer), request.params.token);
    request.flash('success', `Welcome to ${space.name}.`);
    return reply.redirect(spaceHref(space.slug), 303);
  });
};
