import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../../db/client.ts';
import type { MemberCache } from '../events/member-cache.ts';
import { findUserByHandle } from '../accounts/queries.ts';
import { renderMarkdown } from '../content/render-markdown.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors.ts';
import type { Notifier } from '../notifications/notifier.ts';
import { authorize, type MemberViewer } from '../policy/index.ts';
import * as q from './queries.ts';
import { checkRules, spaceFacts, type Level } from './service.ts';

const STRICTNESS: Record<Level, number> = { public: 0, members: 1, confidential: 2 };
export const LOWERING_NOTICE_DAYS = 7;
const INVITATION_DAYS = 7;
const REQUEST_MESSAGE_MAX = 500;
/** How long a refused member waits before asking the same space again. */
export const ASK_AGAIN_DAYS = 30;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export type MembershipService = ReturnType<typeof createMembershipService>;

export interface StandingRefusal {
  refusedOn: Date;
  askAgainFrom: Date;
}

/** Said on the space page and when a refused member asks again too soon. */
export const refusalWords = (r: StandingRefusal): string =>
  `Your request to join was not accepted on ${r.refusedOn.toISOString().slice(0, 10)}. You can ask again from ${r.askAgainFrom.toISOString().slice(0, 10)}.`;

/**
 * Joining, leaving, inviting, moderating membership, ground rules and confidentiality levels.
 * Every change is one transaction with its line in the space's own log.
 */
export interface MembershipEvents {
  /** A space just became less visible: whatever was cached of it for outsiders must go. */
  levelRaised?: (spaceId: number) => void;
}

export function createMembershipService(db: Database, notifier: Notifier, remembered: MemberCache, events: MembershipEvents = {}) {
  async function visibleSpace(viewer: MemberViewer, spaceId: number) {
    const space = await q.findVisibleSpaceById(db, viewer, spaceId);
    if (!space) throw new NotFound();
    return { space, facts: await spaceFacts(db, viewer, space) };
  }

  async function asManager(viewer: MemberViewer, spaceId: number) {
    const found = await visibleSpace(viewer, spaceId);
    authorize(viewer, { kind: 'space.manageMembers', space: found.facts });
    return found;
  }

  async function asOwner(viewer: MemberViewer, spaceId: number) {
    const found = await visibleSpace(viewer, spaceId);
    authorize(viewer, { kind: 'space.govern', space: found.facts });
    return found;
  }

  async function target(spaceId: number, handle: string) {
    const user = await findUserByHandle(db, handle.trim().replace(/^@/, ''));
    if (!user) throw new Invalid(`There is no member @${handle.replace(/^@/, '')}.`, { handle: 'No such member' });
    return { user, membership: await q.findMembership(db, spaceId, user.id) };
  }

  /** A refusal still standing: when it was made and from when the member may ask again. */
  async function standingRefusal(spaceId: number, userId: string): Promise<StandingRefusal | null> {
    const refusedOn = await q.findLastRefusal(db, spaceId, userId);
    if (!refusedOn) return null;
    const askAgainFrom = new Date(refusedOn.getTime() + ASK_AGAIN_DAYS * 86_400_000);
    return askAgainFrom.getTime() > Date.now() ? { refusedOn, askAgainFrom } : null;
  }

  return {
    /**
     * Whether the viewer, not a member of a space that takes requests, was refused lately: the space
     * page says when they may ask again instead of offering a form that would be refused.
     */
    async refusalStanding(viewer: MemberViewer, spaceId: number): Promise<StandingRefusal | null> {
      await visibleSpace(viewer, spaceId);
      return standingRefusal(spaceId, viewer.id);
    },

    /** What a manager sees: members by status, the open invitation links, the log. */
    async roster(viewer: MemberViewer, spaceId: number) {
      const { space, facts } = await asManager(viewer, spaceId);
      const [members, invitations, log, pendingChange, ownerIds, boards] = await Promise.all([
        q.listMembers(db, viewer, spaceId),
        q.listOpenInvitations(db, spaceId),
        q.listLog(db, viewer, spaceId, 100),
        q.findPendingLevelChange(db, spaceId),
        q.listOwnerIds(db, spaceId),
        q.listVisibleBoards(db, viewer, { spaceId, includeArchived: true }),
      ]);
      return { space, facts, members, invitations, log, pendingChange: pendingChange ?? null, ownerIds, boards };
    },

    async join(viewer: MemberViewer, spaceId: number, message = '') {
      const { space, facts } = await visibleSpace(viewer, spaceId);
      authorize(viewer, { kind: 'space.join', space: facts });
      const requestMessage = message.normalize('NFC').trim();
      if (requestMessage.length > REQUEST_MESSAGE_MAX) throw new Invalid(`Keep the message under ${REQUEST_MESSAGE_MAX} characters.`, { message: 'Too long' });
      const status: 'active' | 'requested' = space.joinPolicy === 'open' ? 'active' : 'requested';
      if (status === 'requested') {
        // A refusal stands for a while: asking again at once would notify the owners again and again.
        const refused = await standingRefusal(spaceId, viewer.id);
        if (refused) throw new Conflict(refusalWords(refused));
      }
      await db.transaction(async (tx) => {
        await q.upsertMembership(tx, { spaceId, userId: viewer.id, role: 'member', status, requestMessage });
        await q.insertLog(tx, { spaceId, actorId: viewer.id, subjectId: viewer.id, action: status === 'active' ? 'joined' : 'requested', detail: requestMessage });
        if (status === 'requested') await notifier.joinRequested(tx, { actorId: viewer.id, spaceId });
      });
      return status;
    },

    /** Leaves a space, withdraws a request to join or declines an invitation; answers which it was. */
    async leave(viewer: MemberViewer, spaceId: number) {
      const membership = await q.findMembership(db, spaceId, viewer.id);
      if (!membership || (membership.status !== 'active' && membership.status !== 'requested' && membership.status !== 'invited')) throw new NotFound();
      if (membership.role === 'owner' && membership.status === 'active' && (await q.listOwnerIds(db, spaceId)).length === 1) {
        throw new Conflict('You are the only owner: hand the space to another member before you leave.');
      }
      await db.transaction(async (tx) => {
        await q.updateMembership(tx, spaceId, viewer.id, { status: 'removed', role: 'member' });
        await q.insertLog(tx, { spaceId, actorId: viewer.id, subjectId: viewer.id, action: membership.status === 'invited' ? 'declined' : membership.status === 'requested' ? 'withdrew request' : 'left' });
        if (membership.status === 'requested') await notifier.joinRequestsSettled(tx, spaceId, [viewer.id]);
        if (membership.role === 'owner') await resettle(tx, spaceId);
      });
      return membership.status;
    },

    async inviteByHandle(viewer: MemberViewer, spaceId: number, handle: string) {
      await asManager(viewer, spaceId);
      const { user, membership } = await target(spaceId, handle);
      if (membership?.status === 'active') throw new Invalid(`@${user.handle} is already a member.`, { handle: 'Already a member' });
      if (membership?.status === 'banned') throw new Invalid(`@${user.handle} is banned from this space; lift the ban first.`, { handle: 'Banned' });
      await db.transaction(async (tx) => {
        // A pending request is approved by inviting its author.
        const status = membership?.status === 'requested' ? 'active' : 'invited';
        await q.upsertMembership(tx, { spaceId, userId: user.id, role: 'member', status });
        await q.insertLog(tx, { spaceId, actorId: viewer.id, subjectId: user.id, action: status === 'active' ? 'approved' : 'invited' });
        const notice = { recipientId: user.id, actorId: viewer.id, spaceId };
        await (status === 'active' ? notifier.requestApproved(tx, notice) : notifier.invited(tx, notice));
      });
      return user;
    },

    /** A single-use link valid for a week; the token is returned once and stored only as a hash. */
    async createInvitationLink(viewer: MemberViewer, spaceId: number) {
      await asManager(viewer, spaceId);
      const token = randomBytes(24).toString('base64url');
      const expiresAt = new Date(Date.now() + INVITATION_DAYS * 86_400_000);
      return db.transaction(async (tx) => {
        const row = await q.insertInvitation(tx, { spaceId, tokenHash: hashToken(token), createdBy: viewer.id, expiresAt });
        await q.insertLog(tx, { spaceId, actorId: viewer.id, action: 'invitation link created', detail: `expires ${expiresAt.toISOString().slice(0, 10)}` });
        return { ...row, token };
      });
    },

    async revokeInvitationLink(viewer: MemberViewer, spaceId: number, invitationId: number) {
      await asManager(viewer, spaceId);
      await db.transaction(async (tx) => {
        if (!(await q.revokeInvitation(tx, spaceId, invitationId))) throw new NotFound('That invitation link is no longer open.');
        await q.insertLog(tx, { spaceId, actorId: viewer.id, action: 'invitation link revoked' });
      });
    },

    /** What the holder of a link may see before accepting: the space's name and rules. */
    async invitationPreview(token: string) {
      const space = await q.findSpaceByInvitation(db, hashToken(token));
      if (!space) throw new NotFound('This invitation link is not valid: it was used, revoked, or it expired.');
      return space;
    },

    async acceptInvitationLink(viewer: MemberViewer, token: string) {
      return db.transaction(async (tx) => {
        const preview = await q.findSpaceByInvitation(tx, hashToken(token));
        if (!preview) throw new NotFound('This invitation link is not valid: it was used, revoked, or it expired.');
        const existing = await q.findMembership(tx, preview.id, viewer.id);
        if (existing?.status === 'banned') throw new NotFound('This invitation link is not valid for you.');
        if (existing?.status === 'active') return preview;
        const spaceId = await q.consumeInvitation(tx, hashToken(token), viewer.id);
        if (spaceId === undefined) throw new NotFound('This invitation link is not valid: it was used, revoked, or it expired.');
        await q.upsertMembership(tx, { spaceId, userId: viewer.id, role: 'member', status: 'active' });
        await q.insertLog(tx, { spaceId, actorId: viewer.id, subjectId: viewer.id, action: 'joined by invitation link' });
        return preview;
      });
    },

    myInvitations: (viewer: MemberViewer) => q.listInvitationsForUser(db, viewer.id),

    /**
     * How many open invitations the home page mentions. Having none at all — most members, on every
     * home page — is remembered until one of their memberships changes (`member:<id>`, migration
     * 0017): an invitation is a membership row of theirs, so no other change can make one.
     */
    async openInvitationCount(viewer: MemberViewer): Promise<number> {
      const counted = await remembered.remember(`invitations:${viewer.id}`, () => q.countInvitationsForUser(db, viewer.id), (value) =>
        value.rows === 0 ? { value, until: `member:${viewer.id}` } : null,
      );
      return counted.open;
    },

    async acceptInvitation(viewer: MemberViewer, spaceId: number) {
      const membership = await q.findMembership(db, spaceId, viewer.id);
      if (membership?.status !== 'invited') throw new NotFound('There is no open invitation to that space.');
      await db.transaction(async (tx) => {
        await q.updateMembership(tx, spaceId, viewer.id, { status: 'active' });
        await q.insertLog(tx, { spaceId, actorId: viewer.id, subjectId: viewer.id, action: 'accepted invitation' });
      });
    },

    async decide(viewer: MemberViewer, spaceId: number, handle: string, decision: 'approve' | 'refuse' | 'remove' | 'ban' | 'unban') {
      await asManager(viewer, spaceId);
      const { user, membership } = await target(spaceId, handle);
      if (!membership) throw new NotFound(`@${user.handle} has no membership here.`);
      const allowed: Record<typeof decision, string[]> = {
        approve: ['requested'],
        refuse: ['requested'],
        remove: ['active', 'invited'],
        ban: ['active', 'invited', 'requested', 'removed'],
        unban: ['banned'],
      };
      if (!allowed[decision].includes(membership.status)) throw new Conflict(`That does not apply: @${user.handle} is ${membership.status}.`);
      if (membership.role === 'owner' && (decision === 'remove' || decision === 'ban')) throw new Conflict('An owner cannot be removed or banned; they can hand over ownership and leave.');
      const { facts } = await visibleSpace(viewer, spaceId);
      if (membership.role === 'moderator' && facts.membership?.role !== 'owner') throw new Forbidden('Only owners can remove or ban a moderator of this space.');
      if (user.id === viewer.id) throw new Conflict('You cannot do that to yourself.');
      const status = { approve: 'active', refuse: 'removed', remove: 'removed', ban: 'banned', unban: 'removed' } as const;
      await db.transaction(async (tx) => {
        await q.updateMembership(tx, spaceId, user.id, { status: status[decision], role: 'member' });
        await q.insertLog(tx, { spaceId, actorId: viewer.id, subjectId: user.id, action: { approve: 'approved', refuse: 'refused', remove: 'removed', ban: 'banned', unban: 'unbanned' }[decision] });
        if (decision === 'approve') await notifier.requestApproved(tx, { recipientId: user.id, actorId: viewer.id, spaceId });
        if (decision === 'refuse') await notifier.requestRefused(tx, { recipientId: user.id, actorId: viewer.id, spaceId });
        if (membership.status === 'requested') await notifier.joinRequestsSettled(tx, spaceId, [user.id]);
      });
    },

    async setRole(viewer: MemberViewer, spaceId: number, handle: string, role: 'moderator' | 'member' | 'owner') {
      await asOwner(viewer, spaceId);
      const { user, membership } = await target(spaceId, handle);
      if (membership?.status !== 'active') throw new Conflict(`@${user.handle} is not an active member.`);
      if (membership.role === 'owner' && role !== 'owner' && (await q.listOwnerIds(db, spaceId)).length === 1) {
        throw new Conflict('A space needs an owner: make someone else owner first.');
      }
      await db.transaction(async (tx) => {
        await q.updateMembership(tx, spaceId, user.id, { role });
        await q.insertLog(tx, { spaceId, actorId: viewer.id, subjectId: user.id, action: `role set to ${role}` });
        await resettle(tx, spaceId);
      });
    },

    /** Hands the space to another active member; the previous owner stays on as a moderator. */
    async transferOwnership(viewer: MemberViewer, spaceId: number, handle: string) {
      await asOwner(viewer, spaceId);
      const { user, membership } = await target(spaceId, handle);
      if (membership?.status !== 'active') throw new Conflict(`@${user.handle} is not an active member.`);
      if (user.id === viewer.id) throw new Conflict('You already own this space.');
      await db.transaction(async (tx) => {
        await q.updateMembership(tx, spaceId, user.id, { role: 'owner' });
        await q.updateMembership(tx, spaceId, viewer.id, { role: 'moderator' });
        await q.insertLog(tx, { spaceId, actorId: viewer.id, subjectId: user.id, action: 'ownership transferred' });
        await resettle(tx, spaceId);
      });
    },

    async updateRules(viewer: MemberViewer, spaceId: number, markdown: string) {
      const { space } = await asOwner(viewer, spaceId);
      const rules = checkRules(markdown);
      if (rules === space.rulesSource) return space.rulesVersion;
      const version = space.rulesVersion + 1;
      await db.transaction(async (tx) => {
        await q.updateSpace(tx, spaceId, { rulesSource: rules, rulesHtml: renderMarkdown(rules), rulesVersion: version });
        await q.updateMembership(tx, spaceId, viewer.id, { rulesAcceptedVersion: version });
        await q.insertAcceptance(tx, spaceId, viewer.id, version);
        await q.insertLog(tx, { spaceId, actorId: viewer.id, action: 'ground rules changed', detail: `version ${version}` });
        await notifier.rulesChanged(tx, { actorId: viewer.id, spaceId });
      });
      return version;
    },

    async acceptRules(viewer: MemberViewer, spaceId: number, version: number) {
      const { space } = await visibleSpace(viewer, spaceId);
      const membership = await q.findMembership(db, spaceId, viewer.id);
      if (membership?.status !== 'active') throw new NotFound();
      // Accepting names the version read, so rules changed while the page was open are read again.
      if (version !== space.rulesVersion) throw new Conflict('The ground rules changed while you were reading them. Please read the new version.');
      await db.transaction(async (tx) => {
        await q.updateMembership(tx, spaceId, viewer.id, { rulesAcceptedVersion: version });
        await q.insertAcceptance(tx, spaceId, viewer.id, version);
        await q.insertLog(tx, { spaceId, actorId: viewer.id, subjectId: viewer.id, action: 'accepted ground rules', detail: `version ${version}` });
      });
    },

    /**
     * Raising takes effect at once. Lowering is a proposal every owner must confirm; it applies a
     * week after the last confirmation, announced on every page of the space meanwhile.
     */
    async changeLevel(viewer: MemberViewer, spaceId: number, to: Level) {
      const { space } = await asOwner(viewer, spaceId);
      if (to === space.level) throw new Conflict(`The space is already ${to}.`);
      // Public spaces are the site's to make, as at creation.
      if (to === 'public' && viewer.role !== 'admin') throw new Forbidden('Only site administrators make a space public.');
      if (STRICTNESS[to] > STRICTNESS[space.level]) {
        await db.transaction(async (tx) => {
          // Outsiders stop seeing a confidential space, so it can no longer be found to join or to ask.
          await q.updateSpace(tx, spaceId, { level: to, ...(to === 'confidential' ? { joinPolicy: 'invite' as const } : {}) });
          const pending = await q.findPendingLevelChange(tx, spaceId);
          if (pending) await q.updateLevelChange(tx, pending.id, { status: 'cancelled' });
          const byInvitation = to === 'confidential' && space.joinPolicy !== 'invite';
          await q.insertLog(tx, { spaceId, actorId: viewer.id, action: 'level raised', detail: `${space.level} → ${to}${byInvitation ? '; joining by invitation only' : ''}` });
          if (to === 'confidential') {
            // Those waiting could no longer see the space, to be let in or to withdraw: their requests close.
            const closed = await q.closeJoinRequests(tx, spaceId);
            if (closed.length > 0) {
              await q.insertLog(tx, { spaceId, actorId: viewer.id, action: 'requests closed', detail: `${closed.length} waiting: the space is confidential now` });
              await notifier.joinRequestsSettled(tx, spaceId, closed);
            }
          }
        });
        events.levelRaised?.(spaceId);
        return { applied: true as const };
      }
      if (await q.findPendingLevelChange(db, spaceId)) throw new Conflict('A change of level is already proposed; confirm or cancel it first.');
      return db.transaction(async (tx) => {
        const change = await q.insertLevelChange(tx, { spaceId, fromLevel: space.level, toLevel: to, proposedBy: viewer.id, confirmedBy: [viewer.id] });
        await q.insertLog(tx, { spaceId, actorId: viewer.id, action: 'lowering proposed', detail: `${space.level} → ${to}` });
        await settleIfConfirmed(tx, change.id, spaceId, [viewer.id]);
        return { applied: false as const };
      });
    },

    async confirmLowering(viewer: MemberViewer, spaceId: number) {
      await asOwner(viewer, spaceId);
      const pending = await q.findPendingLevelChange(db, spaceId);
      if (!pending) throw new NotFound('No change of level is waiting for confirmation.');
      if (pending.confirmedBy.includes(viewer.id)) throw new Conflict('You have already confirmed this change.');
      await db.transaction(async (tx) => {
        const confirmedBy = [...pending.confirmedBy, viewer.id];
        await q.updateLevelChange(tx, pending.id, { confirmedBy });
        await q.insertLog(tx, { spaceId, actorId: viewer.id, action: 'lowering confirmed', detail: `${pending.fromLevel} → ${pending.toLevel}` });
        await settleIfConfirmed(tx, pending.id, spaceId, confirmedBy);
      });
    },

    async cancelLowering(viewer: MemberViewer, spaceId: number) {
      await asOwner(viewer, spaceId);
      const pending = await q.findPendingLevelChange(db, spaceId);
      if (!pending) throw new NotFound('No change of level is pending.');
      await db.transaction(async (tx) => {
        await q.updateLevelChange(tx, pending.id, { status: 'cancelled' });
        await q.insertLog(tx, { spaceId, actorId: viewer.id, action: 'lowering cancelled' });
      });
    },

    /** Run periodically: applies lowerings whose notice has run out. */
    async applyDueLevelChanges(now = new Date()) {
      return db.transaction(async (tx) => {
        const applied = await q.applyDueLevelChanges(tx, now);
        for (const change of applied) await q.insertLog(tx, { spaceId: change.spaceId, action: 'level lowered', detail: `now ${change.toLevel}` });
        return applied;
      });
    },
  };

  /**
   * When the set of owners changes, a pending lowering may now have every confirmation it needs, or
   * may no longer have it: a lowering is scheduled only while every current owner has confirmed it,
   * so an owner who joins (or is handed the space) after it was scheduled must confirm it too.
   */
  async function resettle(tx: Database, spaceId: number) {
    const pending = await q.findPendingLevelChange(tx, spaceId);
    if (!pending) return;
    if (!pending.effectiveAt) {
      await settleIfConfirmed(tx, pending.id, spaceId, pending.confirmedBy);
      return;
    }
    const owners = await q.listOwnerIds(tx, spaceId);
    if (!owners.every((id) => pending.confirmedBy.includes(id))) {
      await q.updateLevelChange(tx, pending.id, { effectiveAt: null });
      await q.insertLog(tx, { spaceId, action: 'lowering on hold', detail: 'waits for every current owner to confirm' });
    }
  }

  async function settleIfConfirmed(tx: Database, changeId: number, spaceId: number, confirmedBy: string[]) {
    const owners = await q.listOwnerIds(tx, spaceId);
    if (owners.every((id) => confirmedBy.includes(id))) {
      const effectiveAt = new Date(Date.now() + LOWERING_NOTICE_DAYS * 86_400_000);
      await q.updateLevelChange(tx, changeId, { effectiveAt });
      await q.insertLog(tx, { spaceId, action: 'lowering scheduled', detail: `applies ${effectiveAt.toISOString().slice(0, 10)}` });
    }
  }
}
