import type { Database } from '../../db/client.ts';
import { normaliseText } from '../text/normalise.ts';
import { NotFound, throwIfInvalid } from '../errors.ts';
import { authorize, type Viewer } from '../policy/index.ts';
import { slugFrom } from '../text/slug.ts';
import * as q from './queries.ts';

export const SPACE_LIMITS = { name: 80, description: 500 } as const;

export interface NameInput {
  name: string;
  description: string;
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

export type SpacesService = ReturnType<typeof createSpacesService>;

export function createSpacesService(db: Database) {
  async function spaceForManager(viewer: Viewer, spaceId: number) {
    authorize(viewer, { kind: 'site.manage' });
    const space = await q.findVisibleSpaceById(db, viewer, spaceId);
    if (!space) throw new NotFound('No such space.');
    return space;
  }

  async function boardForManager(viewer: Viewer, boardId: number) {
    authorize(viewer, { kind: 'site.manage' });
    const board = await q.findVisibleBoardById(db, viewer, boardId);
    if (!board) throw new NotFound('No such board.');
    return board;
  }

  return {
    /** Spaces with their boards, as a visitor browsing the site sees them. */
    async directory(viewer: Viewer, options: { includeArchived: boolean } = { includeArchived: false }) {
      const [spaces, boards] = await Promise.all([
        q.listVisibleSpaces(db, viewer, options),
        q.listVisibleBoards(db, viewer, options),
      ]);
      return spaces.map((space) => ({ ...space, boards: boards.filter((b) => b.spaceId === space.id) }));
    },

    async spaceBySlug(viewer: Viewer, slug: string) {
      const space = await q.findVisibleSpaceBySlug(db, viewer, slug);
      if (!space) throw new NotFound();
      const boards = await q.listVisibleBoards(db, viewer, { spaceId: space.id, includeArchived: false });
      return { ...space, boards };
    },

    async boardBySlugs(viewer: Viewer, spaceSlug: string, boardSlug: string) {
      const space = await q.findVisibleSpaceBySlug(db, viewer, spaceSlug);
      const board = space ? await q.findVisibleBoard(db, viewer, space.id, boardSlug) : undefined;
      if (!space || !board) throw new NotFound();
      return { ...board, space };
    },

    async spaceById(viewer: Viewer, id: number) {
      const space = await q.findVisibleSpaceById(db, viewer, id);
      if (!space) throw new NotFound();
      return space;
    },

    async boardById(viewer: Viewer, id: number) {
      const board = await q.findVisibleBoardById(db, viewer, id);
      if (!board) throw new NotFound();
      return board;
    },

    async createSpace(viewer: Viewer, input: NameInput) {
      authorize(viewer, { kind: 'site.manage' });
      const clean = checkName(input);
      const slug = await uniqueSlug(slugFrom(clean.name, 'space'), (s) => q.slugTaken(db, s));
      return q.insertSpace(db, { ...clean, slug, position: await q.nextSpacePosition(db) });
    },

    async renameSpace(viewer: Viewer, spaceId: number, input: NameInput) {
      await spaceForManager(viewer, spaceId);
      // The slug stays: links people saved keep working after a rename.
      await q.updateSpace(db, spaceId, checkName(input));
    },

    async setSpaceArchived(viewer: Viewer, spaceId: number, archived: boolean) {
      await spaceForManager(viewer, spaceId);
      await q.updateSpace(db, spaceId, { archivedAt: archived ? new Date() : null });
    },

    async moveSpace(viewer: Viewer, spaceId: number, direction: 'up' | 'down') {
      await spaceForManager(viewer, spaceId);
      await db.transaction(async (tx) => {
        const order = move(await q.listVisibleSpaces(tx, viewer, { includeArchived: true }), spaceId, direction);
        if (order) await q.setSpaceOrder(tx, order);
      });
    },

    async createBoard(viewer: Viewer, spaceId: number, input: NameInput) {
      await spaceForManager(viewer, spaceId);
      const clean = checkName(input);
      const slug = await uniqueSlug(slugFrom(clean.name, 'board'), (s) => q.boardSlugTaken(db, spaceId, s));
      return q.insertBoard(db, { ...clean, slug, spaceId, position: await q.nextBoardPosition(db, spaceId) });
    },

    async renameBoard(viewer: Viewer, boardId: number, input: NameInput) {
      await boardForManager(viewer, boardId);
      await q.updateBoard(db, boardId, checkName(input));
    },

    async setBoardArchived(viewer: Viewer, boardId: number, archived: boolean) {
      await boardForManager(viewer, boardId);
      await q.updateBoard(db, boardId, { archivedAt: archived ? new Date() : null });
    },

    async moveBoard(viewer: Viewer, boardId: number, direction: 'up' | 'down') {
      const board = await boardForManager(viewer, boardId);
      await db.transaction(async (tx) => {
        const siblings = await q.listVisibleBoards(tx, viewer, { spaceId: board.spaceId, includeArchived: true });
        const order = move(siblings, boardId, direction);
        if (order) await q.setBoardOrder(tx, order);
      });
    },
  };
}
