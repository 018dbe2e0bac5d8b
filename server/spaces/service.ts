import { randomBytes } from 'node:crypto';
import type { Database } from '../../db/client.ts';
import { renderMarkdown } from '../content/render-markdown.ts';
import { Invalid, NotFound, throwIfInvalid } from '../errors.ts';
import { authorize, can, type PrivateSpaceSetting, type MemberViewer, type SpaceFacts, type Viewer } from '../policy/index.ts';
import { normaliseText } from '../text/normalise.ts';
import { slugFrom } from '../text/slug.ts';
import type { EventBus } from '../events/bus.ts';
import { boardsBySpace, createPublicBoards } from './public-boards.ts';
import * as q from './queries.ts';

export const SPACE_LIMITS = { name: 80, description: 500, rules: 10_000 } as const;
export const LEVELS = ['public', 'members', 'confidential'] as const;
export const JOIN_POLICIES = ['open', 'request', 'invite'] as const;
const CONFIDENTIAL_BY_INVITATION = 'Only its members can see a confidential space, so nobody else could find it to join or to ask: choose "By invitation".';
export type Level = (typeof LEVELS)[number];
export type JoinPolicy = (typeof JOIN_POLICIES)[number];

export interface NameInput {
  name: string;
  description: string;
}

export interface NewSpaceInput extends NameInput {
  level?: Level;
  joinPolicy?: JoinPolicy;
  rules?: string;
}

function checkName(input: NameInput): NameInput {
  const name = normaliseText(input.name);
  const description = normaliseText(input.description);
  const fields: Record<string, string> = {};
  if (name.length === 0) fields.name = 'Enter a name.';
  if (name.length > SPACE_LIMITS.name) fields.name = `Use at most ${SPACE_LIMITS.name} characters.`;
  if (description.length > SPACE_LIMITS.description) fields.description = `Use at most ${SPACE_LIMITS.description} characters.`;
  throwIfInvalid(fields);
  return { name, description };
}

export function checkRules(raw: string): string {
  const rules = raw.normalize('NFC').replace(/\r\n?/g, '\n').trim();
  if (rules.length > SPACE_LIMITS.rules) throw new Invalid(`Keep the ground rules under ${SPACE_LIMITS.rules.toLocaleString('en')} characters.`, { rules: 'Too long' });
  return rules;
}

async function uniqueSlug(base: string, taken: (slug: string) => Promise<boolean>): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!(await taken(candidate))) return candidate;
  }
}

function move<T extends { id: number }>(items: T[], id: number, direction: 'up' | 'down'): number[] | null {
  const ids = items.map((i) => i.id);
  const at = ids.indexOf(id);
  if (at < 0) return null;
  const to = direction === 'up' ? at - 1 : at + 1;
  if (to < 0 || to >= ids.length) return ids;
  [ids[at], ids[to]] = [ids[to]!, ids[at]!];
  return ids;
}

/** The facts `can()` decides space actions from: the space and the viewer's membership in it. */
export async function spaceFacts(db: Database, viewer: Viewer, space: q.SpaceRow): Promise<SpaceFacts> {
  const membership = viewer.kind === 'member' ? await q.findMembership(db, space.id, viewer.id) : undefined;
  return spaceFactsFrom(space, membership ?? null);
}

/** Whether the viewer may post in the space (for buttons), from a membership read with it (null when none). */
export function mayPostIn(viewer: Viewer, space: q.SpaceRow, membership: Pick<q.MembershipRow, 'role' | 'status'> | null): boolean {
  return viewer.kind === 'member' && can(viewer, { kind: 'space.post', space: spaceFactsFrom(space, membership) }).allowed;
}

/** `spaceFacts` from a membership the caller already read (with the space, in one statement). */
export function spaceFactsFrom(space: q.SpaceRow, membership: Pick<q.MembershipRow, 'role' | 'status'> | null): SpaceFacts {
  return {
    level: space.level,
    joinPolicy: space.joinPolicy,
    archived: space.archivedAt !== null,
    membership: membership ? { role: membership.role, status: membership.status } : null,
  };
}

const NO_BOARDS: readonly q.BoardRow[] = Object.freeze([]);

export type SpacesService = ReturnType<typeof createSpacesService>;

export function createSpacesService(db: Database, setting: PrivateSpaceSetting, listing: { events?: EventBus; publicBoardsMs: number } = { publicBoardsMs: 0 }) {
  const publicBoards = createPublicBoards(db, { events: listing.events, keepMs: listing.publicBoardsMs });

  async function spaceForStructure(viewer: Viewer, spaceId: number) {
    const space = await q.findVisibleSpaceById(db, viewer, spaceId);
    if (!space) throw new NotFound('No such space.');
    authorize(viewer, { kind: 'space.structure', space: await spaceFacts(db, viewer, space) });
    return space;
  }

  async function boardForStructure(viewer: Viewer, boardId: number) {
    const board = await q.findVisibleBoardById(db, viewer, boardId);
    if (!board) throw new NotFound('No such board.');
    authorize(viewer, { kind: 'space.structure', space: await spaceFacts(db, viewer, board.space) });
    return board;
  }

  return {
    /** Spaces with their boards, as a visitor browsing the site sees them. */
    async directory(viewer: Viewer, options: { includeArchived: boolean } = { includeArchived: false }) {
      const [spaces, boards] = await Promise.all([q.listVisibleSpaces(db, viewer, options), q.listVisibleBoards(db, viewer, options)]);
      return groupBoards(spaces, boards);
    },

    /**
     * The home page's spaces: the member's own and the public ones with their boards, every other
     * space they may see by name only. On a large site a member sees a hundred spaces open to all
     * members; their own few come first instead of somewhere in that list (the rest: /spaces).
     */
    async home(viewer: Viewer) {
      const [found, shared] = await Promise.all([q.listHomeSpaces(db, viewer), publicBoards()]);
      const joined = new Set(found.spaces.filter((row) => row.joined).map((row) => row.space.id));
      const visible = found.spaces.map((row) => row.space);
      const ownBoards = boardsBySpace(found.boards);
      // A space's level as read just now decides where its boards come from: one raised from
      // public a moment ago is not public here, whatever the kept boards say.
      const withBoards = visible
        .filter((space) => joined.has(space.id) || space.level === 'public')
        .map((space) => ({ ...space, boards: (space.level === 'public' ? shared.get(space.id) : ownBoards.get(space.id)) ?? NO_BOARDS }));
      return {
        yours: withBoards.filter((space) => joined.has(space.id)),
        open: withBoards.filter((space) => !joined.has(space.id)),
        others: visible.filter((space) => !joined.has(space.id) && space.level !== 'public'),
      };
    },

    /** The names of the spaces the viewer may see (a filter's choices). */
    spaceNames: (viewer: Viewer) => q.listVisibleSpaceNames(db, viewer),

    /** A space page: boards only once its content is readable (confidential: rules accepted). */
    async spaceBySlug(viewer: Viewer, slug: string) {
      const space = await q.findVisibleSpaceBySlug(db, viewer, slug);
      if (!space) throw new NotFound();
      const [allBoards, facts, pendingChange] = await Promise.all([
        q.listVisibleBoards(db, viewer, { spaceId: space.id, includeArchived: true }),
        spaceFacts(db, viewer, space),
        q.findPendingLevelChange(db, space.id),
      ]);
      const membership = viewer.kind === 'member' ? await q.findMembership(db, space.id, viewer.id) : undefined;
      const rulesPending = space.level === 'confidential' && membership !== undefined && membership.rulesAcceptedVersion < space.rulesVersion;
      // A lowering waits for every owner: how many there are, for "2 of 3 owners confirmed". An owner
      // is told on the page when they are the only one (they must hand the space over to leave).
      const ownerIds = pendingChange || membership?.role === 'owner' ? await q.listOwnerIds(db, space.id) : [];
      // Only current owners' confirmations count: one given before the space changed hands does not.
      const confirmations = pendingChange ? ownerIds.filter((id) => pendingChange.confirmedBy.includes(id)).length : 0;
      // Archived boards stay readable, so the page still leads to them, apart from the boards in use.
      const boards = allBoards.filter((b) => b.archivedAt === null);
      const archivedBoards = allBoards.filter((b) => b.archivedAt !== null);
      return { ...space, boards, archivedBoards, facts, rulesPending, pendingChange: pendingChange ?? null, ownerCount: ownerIds.length, confirmations };
    },

    async spaceById(viewer: Viewer, id: number) {
      const space = await q.findVisibleSpaceById(db, viewer, id);
      if (!space) throw new NotFound();
      return space;
    },

    /** A board with its space and the viewer's membership of it (null when none). */
    async boardBySlugs(viewer: Viewer, spaceSlug: string, boardSlug: string) {
      const board = await q.findVisibleBoardBySlugs(db, viewer, spaceSlug, boardSlug);
      if (!board) throw new NotFound();
      return board;
    },

    async boardById(viewer: Viewer, id: number) {
      const board = await q.findVisibleBoardById(db, viewer, id);
      if (!board) throw new NotFound();
      return board;
    },

    /** A board to start a thread on, with the facts posting is decided from. */
    async postingBoard(viewer: MemberViewer, id: number) {
      const found = await q.findPostingBoard(db, viewer, id);
      if (!found) throw new NotFound();
      return { board: found.board, space: spaceFactsFrom(found.board.space, found.membership), moderates: found.moderates };
    },

    /** Where an active member who has not accepted the current rules should go instead of a 404. */
    async rulesGate(viewer: Viewer, target: { boardId?: number; threadId?: number; spaceSlug?: string }): Promise<string | null> {
      if (target.spaceSlug !== undefined) {
        const space = await q.findVisibleSpaceBySlug(db, viewer, target.spaceSlug);
        if (!space || viewer.kind !== 'member' || space.level !== 'confidential') return null;
        const m = await q.findMembership(db, space.id, viewer.id);
        return m?.status === 'active' && m.rulesAcceptedVersion < space.rulesVersion ? space.slug : null;
      }
      return (await q.findRulesGate(db, viewer, target))?.slug ?? null;
    },

    /** Site governance: admins see that every space exists, its level and size, nothing more. */
    async governance(viewer: Viewer) {
      authorize(viewer, { kind: 'site.manage' });
      return q.listSpacesForGovernance(db);
    },

    async createSpace(viewer: Viewer, input: NewSpaceInput) {
      const level = input.level ?? 'public';
      const joinPolicy = input.joinPolicy ?? (level === 'confidential' ? 'invite' : 'open');
      authorize(viewer, { kind: 'space.create', level, setting });
      const clean = checkName(input);
      if (level === 'confidential' && joinPolicy !== 'invite') {
        // Outsiders get "not found" for a confidential space: nobody could find it to join or to ask.
        throw new Invalid(CONFIDENTIAL_BY_INVITATION, { joinPolicy: 'Confidential spaces are joined by invitation' });
      }
      const rules = checkRules(input.rules ?? '');
      // A private space's address gets a random tail: a guessable one would tell whoever picks the
      // same name ("secret-circle-2") that a hidden space exists.
      const base = slugFrom(clean.name, 'space');
      const slug = await uniqueSlug(level === 'public' ? base : `${base.slice(0, 50)}-${randomBytes(4).toString('hex')}`, (s) => q.slugTaken(db, s));
      return db.transaction(async (tx) => {
        const space = await q.insertSpace(tx, {
          ...clean,
          slug,
          level,
          joinPolicy,
          rulesSource: rules,
          rulesHtml: renderMarkdown(rules),
          rulesVersion: rules ? 1 : 0,
          position: await q.nextSpacePosition(tx),
        });
        if (viewer.kind === 'member') {
          // The creator owns the space and, having written its rules, has accepted them.
          await q.upsertMembership(tx, { spaceId: space.id, userId: viewer.id, role: 'owner', status: 'active', rulesAcceptedVersion: space.rulesVersion });
          if (space.rulesVersion > 0) await q.insertAcceptance(tx, space.id, viewer.id, space.rulesVersion);
          await q.insertLog(tx, { spaceId: space.id, actorId: viewer.id, subjectId: viewer.id, action: 'created', detail: `level ${level}, join policy ${joinPolicy}` });
        }
        return space;
      });
    },

    /** Name, description and join policy; what is left out stays as it is. */
    async changeSpaceDetails(viewer: Viewer, spaceId: number, input: Partial<NameInput> & { joinPolicy?: JoinPolicy }) {
      const space = await spaceForStructure(viewer, spaceId);
      // The slug stays: links people saved keep working after a rename.
      const clean = checkName({ name: input.name ?? space.name, description: input.description ?? space.description });
      const joinPolicy = input.joinPolicy ?? space.joinPolicy;
      if (space.level === 'confidential' && joinPolicy !== 'invite') {
        throw new Invalid(CONFIDENTIAL_BY_INVITATION, { joinPolicy: 'Confidential spaces are joined by invitation' });
      }
      const changes = [
        clean.name !== space.name && `name “${space.name}” → “${clean.name}”`,
        clean.description !== space.description && 'description',
        joinPolicy !== space.joinPolicy && `join policy ${space.joinPolicy} → ${joinPolicy}`,
      ].filter((c): c is string => typeof c === 'string');
      if (changes.length === 0) return;
      await db.transaction(async (tx) => {
        await q.updateSpace(tx, spaceId, { ...clean, joinPolicy });
        // Requests already made stay for the owners to decide, whatever the new policy.
        if (viewer.kind === 'member') await q.insertLog(tx, { spaceId, actorId: viewer.id, action: 'changed', detail: changes.join('; ') });
      });
    },

    async setSpaceArchived(viewer: Viewer, spaceId: number, archived: boolean) {
      await spaceForStructure(viewer, spaceId);
      await q.updateSpace(db, spaceId, { archivedAt: archived ? new Date() : null });
    },

    async moveSpace(viewer: Viewer, spaceId: number, direction: 'up' | 'down') {
      authorize(viewer, { kind: 'site.manage' });
      await spaceForStructure(viewer, spaceId);
      await db.transaction(async (tx) => {
        // Governance order covers every space, so hidden ones keep their places too.
        const order = move(await q.listSpacesForGovernance(tx), spaceId, direction);
        if (order) await q.setSpaceOrder(tx, order);
      });
    },

    async createBoard(viewer: Viewer, spaceId: number, input: NameInput) {
      await spaceForStructure(viewer, spaceId);
      const clean = checkName(input);
      const slug = await uniqueSlug(slugFrom(clean.name, 'board'), (s) => q.boardSlugTaken(db, spaceId, s));
      return q.insertBoard(db, { ...clean, slug, spaceId, position: await q.nextBoardPosition(db, spaceId) });
    },

    async renameBoard(viewer: Viewer, boardId: number, input: NameInput) {
      await boardForStructure(viewer, boardId);
      await q.updateBoard(db, boardId, checkName(input));
    },

    async setBoardArchived(viewer: Viewer, boardId: number, archived: boolean) {
      await boardForStructure(viewer, boardId);
      await q.updateBoard(db, boardId, { archivedAt: archived ? new Date() : null });
    },

    async moveBoard(viewer: Viewer, boardId: number, direction: 'up' | 'down') {
      const board = await boardForStructure(viewer, boardId);
      await db.transaction(async (tx) => {
        const siblings = await q.listVisibleBoards(tx, viewer, { spaceId: board.spaceId, includeArchived: true });
        const order = move(siblings, boardId, direction);
        if (order) await q.setBoardOrder(tx, order);
      });
    },

    /**
     * What every page of a space shows besides its content: a coming change of level, and whether
     * the viewer may post (for buttons; the services decide again on every write). `membership`:
     * the member's own, when the page read it with the space (saves a lookup).
     */
    async pageFacts(viewer: Viewer, space: q.SpaceRow, membership?: Pick<q.MembershipRow, 'role' | 'status'> | null) {
      const [pending, canPost] = await Promise.all([
        // Public is the lowest level, so only private spaces can have a lowering pending.
        space.level === 'public' ? undefined : q.findPendingLevelChange(db, space.id),
        viewer.kind !== 'member'
          ? false
          : membership !== undefined
            ? mayPostIn(viewer, space, membership)
            : spaceFacts(db, viewer, space).then((facts) => can(viewer, { kind: 'space.post', space: facts }).allowed),
      ]);
      return { pending: pending ? { toLevel: pending.toLevel, effectiveAt: pending.effectiveAt } : null, canPost };
    },
  };
}

/** Each space with its boards, grouped once: a site moderator sees ~300 spaces and ~400 boards. */
function groupBoards(spaces: q.SpaceRow[], boards: q.BoardRow[]): (q.SpaceRow & { boards: q.BoardRow[] })[] {
  const bySpace = boardsBySpace(boards);
  return spaces.map((space) => ({ ...space, boards: bySpace.get(space.id) ?? [] }));
}
