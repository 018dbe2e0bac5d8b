import { LRUCache } from 'lru-cache';
import type { EventBus } from './bus.ts';
import { createChangeClock } from './change-clock.ts';

/** What to keep of a value just read, and the event that makes it out of date; null keeps nothing. */
export type Keep<T> = (value: T) => { value: T; until: string } | null;

/**
 * What this process remembers between a member's requests: their sign-in session or API token and
 * account row, their visitor session, whether they have anything unread, whether they moderate
 * nothing, whether they have an open flag on a post, whether they have no invitation at all (the
 * home page's notice; no access follows from it); and the moderation settings every post reads.
 * Every signed-in page asked the database the first four questions before reading any content (a
 * quarter of a thread page's statements, and a signed-in request that reads nothing ran at a
 * third of an anonymous one's rate).
 *
 * A value is kept only while the event bus is live, and dropped the moment the event it names is
 * heard: the database announces every change to a member's account row, sessions, space
 * memberships (`member:<id>`, migration 0017), notifications (`user:<id>`, 0010), visitor
 * session (`visitor:<digest>`), flags (`flags:<id>`, 0018) and site settings (`setting:<key>`,
 * 0018) at commit, to every process. A value read while its event came is
 * not kept (it may predate the change), a reconnected bus forgets everything, and nothing is kept
 * longer than `ttlMs` whatever happens. Content and membership are never kept here: the policy
 * still reads them from the database in every statement.
 */
export interface MemberCache {
  /** `load()`'s value for `key`: remembered when `keep` says so, from memory while nothing said it changed. */
  remember<T>(key: string, load: () => Promise<T>, keep: Keep<T>): Promise<T>;
  /** Drops one value now (this process's own write; other processes hear the event). */
  forget(key: string): void;
  readonly size: number;
}

export function createMemberCache(events: EventBus, options: { ttlMs: number; maxEntries: number }): MemberCache {
  interface Entry {
    value: unknown;
    until: string;
  }
  // Which keys each event drops; kept in step with `entries` by its dispose callback.
  const keysOf = new Map<string, Set<string>>();
  const entries = new LRUCache<string, Entry>({
    max: options.maxEntries,
    ttl: options.ttlMs,
    dispose: (entry, key) => {
      const keys = keysOf.get(entry.until);
      keys?.delete(key);
      if (keys?.size === 0) keysOf.delete(entry.until);
    },
  });

  // The race a value must not win: read before a change committed, stored after its event was
  // heard. Each load notes the clock when it starts and is stored only if its event did not come since.
  const clock = createChangeClock(events);
  events.subscribe((event) => {
    const keys = keysOf.get(event);
    if (keys) for (const key of [...keys]) entries.delete(key);
  });
  events.onResync(() => entries.clear());

  return {
    async remember<T>(key: string, load: () => Promise<T>, keep: Keep<T>): Promise<T> {
      if (events.live) {
        const entry = entries.get(key);
        if (entry) return entry.value as T;
      }
      const startedAt = clock.now;
      const value = await load();
      const kept = keep(value);
      if (kept && events.live && clock.unchangedSince(kept.until, startedAt)) {
        entries.set(key, { value: kept.value, until: kept.until });
        let keys = keysOf.get(kept.until);
        if (!keys) keysOf.set(kept.until, (keys = new Set()));
        keys.add(key);
      }
      return value;
    },
    forget(key) {
      entries.delete(key);
    },
    get size() {
      return entries.size;
    },
  };
}

/** For one-off commands (seeding, creating an admin) that run without an event bus: every call reads. */
export const REMEMBER_NOTHING: MemberCache = {
  remember: (_key, load) => load(),
  forget: () => undefined,
  size: 0,
};
