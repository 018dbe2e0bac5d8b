import { Type } from '@fastify/type-provider-typebox';
import type { BoardRow, SpaceRow } from './queries.ts';

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
  level: Type.String(),
  position: Type.Integer(),
  archived: Type.Boolean(),
  url: Type.String(),
});

export const SpaceWithBoards = Type.Object({ ...SpaceOut.properties, boards: Type.Array(BoardOut) });

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
    position: space.position,
    archived: space.archivedAt !== null,
    url: `/s/${space.slug}`,
  };
}

export function presentSpaceWithBoards(space: SpaceRow & { boards: BoardRow[] }) {
  return { ...presentSpace(space), boards: space.boards.map((b) => presentBoard(b, space.slug)) };
}
