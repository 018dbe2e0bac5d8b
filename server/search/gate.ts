import PQueue from 'p-queue';
import { TimedOut } from '../errors.ts';

export interface SearchGateOptions {
  /** Searches this process runs at once. */
  concurrency: number;
  /** How long a search may wait for its turn before it is turned away. */
  waitMs: number;
}

export const SEARCH_BUSY = 'Many people are searching right now, and yours waited too long for its turn. Try it again in a moment.';

/**
 * Searches take turns. A search costs PostgreSQL 40–90 ms of CPU at a million posts (it reads the
 * newest rows of each kind one by one; `server/search/README.md`), against ~0.3 ms for a signed-in
 * thread page, and each one holds four pooled connections while its kinds run side by side. Five
 * members searching without pause took the signed-in thread page from ~820 to ~120 pages/s on two
 * cores, and queued every other request behind the pool. At most `concurrency` searches run here
 * at once; the others wait in order, and one that waits longer than `waitMs` is told so (503, the
 * words kept) instead of making everyone else wait too. Per process: replicas each have their own.
 *
 * p-queue keeps the order and the count; the wait bound is an abort signal that is only ever fired
 * while the search is still queued (the timer stops when its turn comes), so a running search is
 * never cut short here and never overlaps one more than `concurrency` allows.
 */
export function createSearchGate(options: SearchGateOptions) {
  const queue = new PQueue({ concurrency: options.concurrency });
  return {
    async run<T>(work: () => Promise<T>): Promise<T> {
      const turnedAway = new AbortController();
      const timer = setTimeout(() => turnedAway.abort(new TimedOut(SEARCH_BUSY)), options.waitMs);
      try {
        return await queue.add(
          () => {
            clearTimeout(timer);
            return work();
          },
          { signal: turnedAway.signal },
        );
      } finally {
        clearTimeout(timer);
      }
    },
    /** Searches running and waiting now (for /metrics). */
    load: () => ({ running: queue.pending, waiting: queue.size }),
  };
}

export type SearchGate = ReturnType<typeof createSearchGate>;
