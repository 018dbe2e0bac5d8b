import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import type { DatabaseHandle, Executor } from '../../db/client.ts';

/** The one NOTIFY channel; the database's triggers and the app publish `<kind>:<id>` on it. */
export const EVENTS_CHANNEL = 'rounds_events';

/** How long `settled()` waits for its own marker before giving up (the listener is then unwell). */
const SETTLE_TIMEOUT_MS = 2_000;

export type EventListener = (event: string) => void;

/**
 * What changed, as every process hears it: PostgreSQL LISTEN/NOTIFY, so two app processes on one
 * database hear the same events, in commit order. Payloads are names and ids only ("thread:12",
 * "user:7"), never content: whoever acts on one reads the content again through the policy.
 */
export interface EventBus {
  /** True while listening; while false, events may be missed and nothing may rely on hearing them. */
  readonly live: boolean;
  /** Sent at commit when `executor` is a transaction (and not at all if it rolls back). */
  publish(executor: Executor, event: string): Promise<void>;
  subscribe(listener: EventListener): () => void;
  /** Called whenever events may have been missed (the listener reconnected): drop what depends on them. */
  onResync(listener: () => void): () => void;
  /**
   * Resolves once this process has heard every event committed before the call: a marker sent
   * now arrives after them (notifications are delivered in commit order). Resolves false when
   * the bus is not live or the marker did not come back in time.
   */
  settled(): Promise<boolean>;
  close(): Promise<void>;
}

export function createEventBus(database: DatabaseHandle, options: { onError?: (error: unknown) => void } = {}): EventBus {
  const listeners = new Set<EventListener>();
  const resyncListeners = new Set<() => void>();
  const markers = new Map<string, () => void>();
  let live = false;
  let everLive = false;
  let closed = false;

  const deliver = (event: string) => {
    if (event.startsWith('settled:')) {
      // Another process's markers concern nobody here.
      markers.get(event)?.();
      return;
    }
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        options.onError?.(error);
      }
    }
  };

  const listener = database.listen(EVENTS_CHANNEL, {
    message: deliver,
    state(listening) {
      if (closed) return;
      live = listening;
      // The first connection misses nothing anyone depends on; every later one may have.
      if (listening && everLive) for (const resync of resyncListeners) resync();
      if (listening) everLive = true;
    },
  });

  const publish = async (executor: Executor, event: string) => {
    await executor.execute(sql`select pg_notify(${EVENTS_CHANNEL}, ${event})`);
  };

  /*
   * settled(): one marker statement at a time. Callers arriving while one is being sent share the
   * next marker, which is sent after all of their calls, so it still comes back after every event
   * committed before each of them. Under load (every answered write waits here) that is one
   * statement per batch of writes instead of one per write; alone, a caller waits as before.
   */
  let gathering: Promise<boolean> | null = null;
  let lastSend: Promise<void> = Promise.resolve();

  async function sendMarker(sent: () => void): Promise<boolean> {
    const marker = `settled:${randomUUID()}`;
    const heard = new Promise<true>((resolve) => markers.set(marker, () => resolve(true)));
    try {
      try {
        await publish(database.db, marker);
      } finally {
        sent();
      }
      return await Promise.race([heard, sleep(SETTLE_TIMEOUT_MS, false as const, { ref: false })]);
    } catch {
      return false;
    } finally {
      markers.delete(marker);
    }
  }

  return {
    get live() {
      return live;
    },
    publish,
    subscribe(fn) {
      listeners.add(fn);
      return () => void listeners.delete(fn);
    },
    onResync(fn) {
      resyncListeners.add(fn);
      return () => void resyncListeners.delete(fn);
    },
    settled() {
      if (!live) return Promise.resolve(false);
      if (gathering) return gathering;
      const previous = lastSend;
      let sent!: () => void;
      lastSend = new Promise<void>((resolve) => (sent = resolve));
      const batch = (async () => {
        await previous;
        // From here on the marker is on its way: a later caller needs one sent after its call.
        gathering = null;
        return sendMarker(sent);
      })();
      gathering = batch;
      return batch;
    },
    async close() {
      closed = true;
      live = false;
      listeners.clear();
      resyncListeners.clear();
      await listener.close();
    },
  };
}
