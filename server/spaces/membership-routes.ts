import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, Id, IdParams, Ok } from '../api/schemas.ts';
import { requireMember } from '../policy/index.ts';
import {
  GovernanceSpaceOut,
  InvitationLinkOut,
  InvitationPreviewOut,
  LevelOut,
  LogEntryOut,
  MemberOut,
  MyInvitationOut,
  presentGovernanceSpace,
  presentInvitationLink,
  presentInvitationPreview,
  presentLogEntry,
  presentMember,
} from './presenters.ts';
import { SPACE_LIMITS } from './service.ts';

/*
 * Membership of private spaces: joining, invitations, decisions on members, ground rules and
 * confidentiality levels. Every handler goes through the membership service, which reads the
 * space through its visibility predicate first: an outsider of a confidential space gets 404
 * from every route here, before any permission is weighed.
 */

const Handle = Type.String({ minLength: 1, maxLength: 60 });
const HandleParams = Type.Object({ id: Id, handle: Handle });
const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 100 }) });
const Decision = Type.Union([Type.Literal('approve'), Type.Literal('refuse'), Type.Literal('remove'), Type.Literal('ban'), Type.Literal('unban')]);
const ok = { ok: true };

export const membershipApi: FastifyPluginAsyncTypebox = async (app) => {
  const { membership, spaces } = app.services;
  const tags = ['membership'];

  app.get(
    '/spaces/:id/members',
    {
      config: { access: 'member' },
      schema: { tags, summary: 'Members of a space, by status (its owners and moderators)', params: IdParams, response: { 200: Type.Array(MemberOut), ...errorResponses } },
    },
    async (request) => (await membership.roster(requireMember(request.viewer), request.params.id)).members.map(presentMember),
  );

  app.get(
    '/spaces/:id/log',
    {
      config: { access: 'member' },
      schema: { tags, summary: 'The space’s own log of membership changes, newest first (its owners and moderators)', params: IdParams, response: { 200: Type.Array(LogEntryOut), ...errorResponses } },
    },
    async (request) => (await membership.roster(requireMember(request.viewer), request.params.id)).log.map(presentLogEntry),
  );

  app.post(
    '/spaces/:id/join',
    {
      config: { access: 'member' },
      schema: {
        tags,
        summary: 'Join an open space, or ask to join one that takes requests',
        params: IdParams,
        body: Type.Object({ message: Type.Optional(Type.String({ maxLength: 1000 })) }),
        response: { 200: Type.Object({ status: Type.Union([Type.Literal('active'), Type.Literal('requested')], { description: 'active once joined; requested while the request waits for an owner or moderator' }) }), ...errorResponses },
      },
    },
    async (request) => ({ status: await membership.join(requireMember(request.viewer), request.params.id, request.body.message) }),
  );

  app.post(
    '/spaces/:id/leave',
    { config: { access: 'member' }, schema: { tags, summary: 'Leave a space (or withdraw a request, or decline an invitation)', params: IdParams, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await membership.leave(requireMember(request.viewer), request.params.id);
      return ok;
    },
  );

  app.post(
    '/spaces/:id/invitations',
    {
      config: { access: 'member' },
      schema: { tags, summary: 'Invite a member by handle (approves their request if they asked)', params: IdParams, body: Type.Object({ handle: Handle }), response: { 200: Ok, ...errorResponses } },
    },
    async (request) => {
      await membership.inviteByHandle(requireMember(request.viewer), request.params.id, request.body.handle);
      return ok;
    },
  );

  app.post(
    '/spaces/:id/invitation-links',
    {
      config: { access: 'member' },
      schema: {
        tags,
        summary: 'Create a single-use invitation link valid for a week; its URL is shown only now',
        params: IdParams,
        response: { 201: Type.Object({ id: Type.Integer(), url: Type.String(), expiresAt: Type.String({ format: 'date-time' }) }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const link = await membership.createInvitationLink(requireMember(request.viewer), request.params.id);
      return reply.status(201).send({ id: link.id, url: `${app.config.publicUrl}/invite/${link.token}`, expiresAt: link.expiresAt.toISOString() });
    },
  );

  app.get(
    '/spaces/:id/invitation-links',
    {
      config: { access: 'member' },
      schema: { tags, summary: 'Invitation links not yet used, revoked or expired', params: IdParams, response: { 200: Type.Array(InvitationLinkOut), ...errorResponses } },
    },
    async (request) => (await membership.roster(requireMember(request.viewer), request.params.id)).invitations.map(presentInvitationLink),
  );

  app.delete(
    '/spaces/:id/invitation-links/:linkId',
    {
      config: { access: 'member' },
      schema: { tags, summary: 'Revoke an invitation link', params: Type.Object({ id: Id, linkId: Id }), response: { 200: Ok, ...errorResponses } },
    },
    async (request) => {
      await membership.revokeInvitationLink(requireMember(request.viewer), request.params.id, request.params.linkId);
      return ok;
    },
  );

  app.get(
    '/invitations',
    { config: { access: 'member' }, schema: { tags, summary: 'Your pending invitations by handle', response: { 200: Type.Array(MyInvitationOut) } } },
    async (request) =>
      (await membership.myInvitations(requireMember(request.viewer))).map((space) => ({ spaceId: space.id, ...presentInvitationPreview(space) })),
  );

  app.post(
    '/spaces/:id/invitation/accept',
    { config: { access: 'member' }, schema: { tags, summary: 'Accept your invitation to a space', params: IdParams, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await membership.acceptInvitation(requireMember(request.viewer), request.params.id);
      return ok;
    },
  );

  app.get(
    '/invite/:token',
    {
      config: { access: 'public' },
      schema: { tags, summary: 'What an invitation link leads to: the space’s name, description, level and ground rules', params: TokenParams, response: { 200: InvitationPreviewOut, ...errorResponses } },
    },
    async (request, reply) => {
      const preview = presentInvitationPreview(await membership.invitationPreview(request.params.token));
      // Often opened signed out, and it names a private space: no cache keeps it, no engine lists it.
      reply.header('cache-control', 'private, no-store').header('x-robots-tag', 'noindex');
      return preview;
    },
  );

  app.post(
    '/invite/:token/accept',
    {
      config: { access: 'member' },
      schema: {
        tags,
        summary: 'Join through an invitation link (each link admits one person)',
        params: TokenParams,
        response: { 200: Type.Object({ spaceId: Type.Integer(), slug: Type.String(), name: Type.String(), url: Type.String() }), ...errorResponses },
      },
    },
    async (request) => {
      const space = await membership.acceptInvitationLink(requireMember(request.viewer), request.params.token);
      return { spaceId: space.id, slug: space.slug, name: space.name, url: `/s/${space.slug}` };
    },
  );

  app.post(
    '/spaces/:id/members/:handle/decision',
    {
      config: { access: 'member' },
      schema: {
        tags,
        summary: 'Approve or refuse a request; remove, ban or unban a member (owners and moderators)',
        params: HandleParams,
        body: Type.Object({ decision: Decision }),
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (request) => {
      await membership.decide(requireMember(request.viewer), request.params.id, request.params.handle, request.body.decision);
      return ok;
    },
  );

  app.post(
    '/spaces/:id/members/:handle/role',
    {
      config: { access: 'member' },
      schema: {
        tags,
        summary: 'Make a member an owner, a moderator or a plain member (owners)',
        params: HandleParams,
        body: Type.Object({ role: Type.Union([Type.Literal('member'), Type.Literal('moderator'), Type.Literal('owner')]) }),
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (request) => {
      await membership.setRole(requireMember(request.viewer), request.params.id, request.params.handle, request.body.role);
      return ok;
    },
  );

  app.post(
    '/spaces/:id/transfer',
    {
      config: { access: 'member' },
      schema: { tags, summary: 'Hand the space to another member; you stay on as a moderator (owners)', params: IdParams, body: Type.Object({ handle: Handle }), response: { 200: Ok, ...errorResponses } },
    },
    async (request) => {
      await membership.transferOwnership(requireMember(request.viewer), request.params.id, request.body.handle);
      return ok;
    },
  );

  app.put(
    '/spaces/:id/rules',
    {
      config: { access: 'member' },
      schema: {
        tags,
        summary: 'Change the ground rules (Markdown); every member accepts the new version again (owners)',
        params: IdParams,
        body: Type.Object({ rules: Type.String({ maxLength: SPACE_LIMITS.rules * 2 }) }),
        response: { 200: Type.Object({ version: Type.Integer() }), ...errorResponses },
      },
    },
    async (request) => ({ version: await membership.updateRules(requireMember(request.viewer), request.params.id, request.body.rules) }),
  );

  app.post(
    '/spaces/:id/rules/accept',
    {
      config: { access: 'member' },
      schema: {
        tags,
        summary: 'Accept the version of the ground rules you read (409 if they changed meanwhile)',
        params: IdParams,
        body: Type.Object({ version: Type.Integer({ minimum: 0, maximum: 2_147_483_647 }) }),
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (request) => {
      await membership.acceptRules(requireMember(request.viewer), request.params.id, request.body.version);
      return ok;
    },
  );

  app.post(
    '/spaces/:id/level',
    {
      config: { access: 'member' },
      schema: {
        tags,
        summary: 'Raise the level at once, or propose lowering it: every owner confirms, then it applies after a week’s notice (owners)',
        params: IdParams,
        body: Type.Object({ level: LevelOut }),
        response: { 200: Type.Object({ applied: Type.Boolean() }), ...errorResponses },
      },
    },
    async (request) => membership.changeLevel(requireMember(request.viewer), request.params.id, request.body.level),
  );

  app.post(
    '/spaces/:id/level/confirm',
    { config: { access: 'member' }, schema: { tags, summary: 'Confirm the proposed lowering (owners)', params: IdParams, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await membership.confirmLowering(requireMember(request.viewer), request.params.id);
      return ok;
    },
  );

  app.post(
    '/spaces/:id/level/cancel',
    { config: { access: 'member' }, schema: { tags, summary: 'Cancel the proposed lowering (owners)', params: IdParams, response: { 200: Ok, ...errorResponses } } },
    async (request) => {
      await membership.cancelLowering(requireMember(request.viewer), request.params.id);
      return ok;
    },
  );

  app.get(
    '/governance/spaces',
    {
      config: { access: 'admin' },
      schema: { tags, summary: 'Every space by name, level and member count — never its content (administrators)', response: { 200: Type.Array(GovernanceSpaceOut), ...errorResponses } },
    },
    async (request) => (await spaces.governance(request.viewer)).map(presentGovernanceSpace),
  );
};
