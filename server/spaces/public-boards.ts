import type { Database } from '../../db/client.ts';
import type { EventBus } from '../events/bus.ts';
import { createChangeClock } from '../events/change-clock.ts';
import { listPublicBoards, type BoardRow } from './queries.ts';

/** The boards of each public space, in order. The arrays are shared between requests: never change one. */
export type PublicBoards = ReadonlyMap<number, readonly BoardRow[]>;

/** Boards by their space's id, each list in the order given. */
export function boardsBySpace(boards: readonly BoardRow[]): Map<number, BoardRow[]> {
  const bySpace = new Map<number, BoardRow[]>();
  for (const board of boards) {
    const list = bySpace.get(board.spaceId);
    if (list) list.push(board);
    else bySpace.set(board.spaceId, [board]);
  }
  return bySpace;
}

/** What moves a board out of a public space, or a space out of the public level (migration 0007's triggers). */
const STRUCTURE_EVENTS = ['structure:boards', 'structure:spaces'] as const;

/**
 * The public spaces' boards, read once for every home page for `keepMs` (the anonymous pages'
 * TTL, 2 s). A signed-in home page read and rendered every board of every public space on each
 * request — a hundred board cards on a large site, most of the page's cost — although they are
 * the same for every viewer: a public space's boards are what a visitor may read.
 *
 * Public content only, so nothing here can show anyone more than a visitor sees. Which spaces a
 * viewer is shown, and at what level, is still read for each request; a board moved out of a public
 * space, or a space raised from public, is announced by the database (`structure:*`) and the kept
 * boards are dropped at once, in every process. What may be up to `keepMs` old are the counters
 * and a new board's appearance, as on the anonymous home page. Nothing is kept while the event
 * bus is down.
 */
export function createPublicBoards(db: Database, options: { events: EventBus | undefined; keepMs: number }) {
  const { events, keepMs } = options;
  const clock = createChangeClock(events);
  const unchangedSince = (readAt: number) => STRUCTURE_EVENTS.every((name) => clock.unchangedSince(name, readAt));
  let kept: { boards: PublicBoards; readAt: number; until: number } | undefined;
  // One read at a time: when the kept boards run out under load, the requests waiting share it.
  let reading: { boards: Promise<PublicBoards>; startedAt: number } | undefined;

  async function read(startedAt: number): Promise<PublicBoards> {
    const grouped = boardsBySpace(await listPublicBoards(db));
    if (keepMs > 0 && events?.live && unchangedSince(startedAt)) kept = { boards: grouped, readAt: startedAt, until: Date.now() + keepMs };
    return grouped;
  }

  return async function publicBoards(): Promise<PublicBoards> {
    if (kept && events?.live && Date.now() < kept.until && unchangedSince(kept.readAt)) return kept.boards;
    kept = undefined;
    // A read that began before a structure change was heard may hold the old structure: not shared.
    if (!reading || !unchangedSince(reading.startedAt)) {
      const startedAt = clock.now;
      const current = { boards: read(startedAt), startedAt };
      reading = current;
      const done = () => {
        if (reading === current) reading = undefined;
      };
      current.boards.then(done, done);
    }
    return reading.boards;
  };
}
