import { LRUCache } from 'lru-cache';
import type { EventBus } from './bus.ts';

/**
 * What the event bus has said, as counts, for caches that must not keep a value read before a
 * change they heard about: `now` is the number of events heard so far; a value read at `now = t`
 * is still vouched for while no event with its name came after `t`. Names are remembered for the
 * last 100,000 that changed; one forgotten (or a reconnected bus, or `forgetAll`) raises a floor,
 * and values read before it are no longer vouched for.
 */
export interface ChangeClock {
  readonly now: number;
  unchangedSince(name: string, readAt: number): boolean;
  /** Nothing read before this moment is vouched for any more. */
  forgetAll(): void;
}

export function createChangeClock(events: EventBus | undefined): ChangeClock {
  let heard = 0;
  let floor = 0;
  const changedAt = new LRUCache<string, number>({
    max: 100_000,
    dispose: (count, _name, reason) => {
      if (reason === 'evict') floor = Math.max(floor, count);
    },
  });
  const forgetAll = () => {
    floor = ++heard;
  };
  events?.subscribe((event) => void changedAt.set(event, ++heard));
  events?.onResync(forgetAll);
  return {
    get now() {
      return heard;
    },
    unchangedSince: (name, readAt) => readAt >= floor && (changedAt.get(name) ?? 0) <= readAt,
    forgetAll,
  };
}
