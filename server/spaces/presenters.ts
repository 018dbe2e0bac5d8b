import { Type, type TSchema } from '@fastify/type-provider-typebox';
import type { BoardRow, LevelChangeRow, SpaceRow } from './queries.ts';

export const LevelOut = Type.Union([Type.Literal('public'), Type.Literal('members'), Type.Literal('confidential')]);
export const JoinPolicyOut = Type.Union([Type.Literal('open'), Type.Literal('request'), Type.Literal('invite')]);
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const BoardOut = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  position: Type.Integer(),
  threadCount: Type.Integer(),
  postCount: Type.Integer(),
  lastPostAt: Type.Union([Type.String(), Type.Null()]),
  archived: Type.Boolean(),
  url: Type.String(),
});

export const SpaceOut = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  level: LevelOut,
  joinPolicy: JoinPolicyOut,
  /** 0 while the space has no ground rules. */
  rulesVersion: Type.Integer(),
  rulesHtml: Type.String(),
  archived: Type.Boolean(),
  url: Type.String(),
});

export const SpaceWithBoards = Type.Object({ ...SpaceOut.properties, boards: Type.Array(BoardOut) });

/** A proposed lowering of the level, announced to the space's members until it applies. */
export const PendingLevelChangeOut = Type.Object({
  toLevel: LevelOut,
  /** Set once every owner has confirmed: the moment the new level applies. */
  effectiveAt: Nullable(Type.String({ format: 'date-time' })),
  confirmations: Type.Integer(),
  ownersNeeded: Type.Integer(),
});

/** One space as its page shows it: boards (once readable), rules still to accept, a coming change of level. */
export const SpaceDetail = Type.Object({
  ...SpaceWithBoards.properties,
  /** True for a member of a confidential space who has not accepted the current ground rules yet. */
  rulesPending: Type.Boolean(),
  /** Only for active members of the space; null otherwise and when nothing is pending. */
  pendingLevelChange: Nullable(PendingLevelChangeOut),
});

export function presentBoard(board: BoardRow, spaceSlug: string) {
  return {
    id: board.id,
    slug: board.slug,
    name: board.name,
    description: board.description,
    position: board.position,
    threadCount: board.threadCount,
    postCount: board.postCount,
    lastPostAt: board.lastPostAt?.toISOString() ?? null,
    archived: board.archivedAt !== null,
    url: `/s/${spaceSlug}/${board.slug}`,
  };
}

export function presentSpace(space: SpaceRow) {
  return {
    id: space.id,
    slug: space.slug,
    name: space.name,
    description: space.description,
    level: space.level,
    joinPolicy: space.joinPolicy,
    rulesVersion: space.rulesVersion,
    rulesHtml: space.rulesHtml,
    archived: space.archivedAt !== null,
    url: `/s/${space.slug}`,
  };
}

export function presentSpaceWithBoards(space: SpaceRow & { boards: BoardRow[] }) {
  return { ...presentSpace(space), boards: space.boards.map((b) => presentBoard(b, space.slug)) };
}

export function presentPendingLevelChange(change: LevelChangeRow, ownersNeeded: number, confirmations: number) {
  return {
    toLevel: change.toLevel,
    effectiveAt: change.effectiveAt?.toISOString() ?? null,
    confirmations,
    ownersNeeded,
  };
}

// Membership: what a space's owners and moderators see.

export const MemberOut = Type.Object({
  handle: Type.String(),
  displayName: Type.String(),
  role: Type.Union([Type.Literal('owner'), Type.Literal('moderator'), Type.Literal('member')]),
  status: Type.Union([Type.Literal('active'), Type.Literal('invited'), Type.Literal('requested'), Type.Literal('removed'), Type.Literal('banned')]),
  requestMessage: Type.String(),
  rulesAcceptedVersion: Type.Integer(),
});

export const LogEntryOut = Type.Object({
  id: Type.Integer(),
  action: Type.String(),
  detail: Type.String(),
  actorHandle: Nullable(Type.String()),
  subjectHandle: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});

export const InvitationLinkOut = Type.Object({
  id: Type.Integer(),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
});

/** What an invitee may learn before accepting: the space's name, description, level and ground rules. */
export const InvitationPreviewOut = Type.Object({
  name: Type.String(),
  description: Type.String(),
  level: LevelOut,
  rulesHtml: Type.String(),
});

export const MyInvitationOut = Type.Object({ spaceId: Type.Integer(), ...InvitationPreviewOut.properties });

/** Site governance: that a space exists, its level and size — nothing of what is said in it. */
export const GovernanceSpaceOut = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  level: LevelOut,
  memberCount: Type.Integer(),
  archived: Type.Boolean(),
});

type Level = SpaceRow['level'];

export function presentMember(m: { handle: string; displayName: string; role: 'owner' | 'moderator' | 'member'; status: 'active' | 'invited' | 'requested' | 'removed' | 'banned'; requestMessage: string; rulesAcceptedVersion: number }) {
  return { handle: m.handle, displayName: m.displayName, role: m.role, status: m.status, requestMessage: m.requestMessage, rulesAcceptedVersion: m.rulesAcceptedVersion };
}

export function presentLogEntry(e: { id: number; action: string; detail: string; actorHandle: string | null; subjectHandle: string | null; createdAt: Date }) {
  return { id: e.id, action: e.action, detail: e.detail, actorHandle: e.actorHandle, subjectHandle: e.subjectHandle, createdAt: e.createdAt.toISOString() };
}

export function presentInvitationLink(link: { id: number; createdBy: string; createdAt: Date; expiresAt: Date }) {
  return { id: link.id, createdBy: link.createdBy, createdAt: link.createdAt.toISOString(), expiresAt: link.expiresAt.toISOString() };
}

export function presentInvitationPreview(space: { name: string; description: string; level: Level; rulesHtml: string }) {
  return { name: space.name, description: space.description, level: space.level, rulesHtml: space.rulesHtml };
}

export function presentGovernanceSpace(space: { id: number; name: string; level: Level; memberCount: number; archived: boolean }) {
  return { id: space.id, name: space.name, level: space.level, memberCount: Number(space.memberCount), archived: Boolean(space.archived) };
}
