import type { FastifyRateLimitOptions, FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Database } from '../../../db/client.ts';
import { countHit, pruneEndedWindows, readHits } from './queries.ts';

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

const PRUNE_EVERY_MS = 60_000;

/**
 * A `store` for @fastify/rate-limit that keeps counts in the database, so every app process on
 * it shares one count per route and client (the plugin's default store counts per process).
 * The plugin makes one child store per rate-limited route; each prefixes its keys with the route.
 */
export function databaseRateLimitStore(db: Database): FastifyRateLimitStoreCtor {
  let lastPrune = 0;
  const pruneNowAndThen = () => {
    const now = Date.now();
    if (now - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = now;
    // Pruning only saves space; a failure here must not fail the request being counted.
    pruneEndedWindows(db).catch(() => {});
  };

  class DatabaseStore implements FastifyRateLimitStore {
    constructor(
      private readonly options: FastifyRateLimitOptions,
      private readonly route = '',
    ) {}

    incr(key: string, callback: Callback, timeWindow: number): void {
      pruneNowAndThen();
      countHit(db, `${this.route}|${key}`, timeWindow).then(
        (count) => callback(null, { current: count.hits, ttl: count.ttlMs }),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    }

    read(key: string, callback: Callback): void {
      readHits(db, `${this.route}|${key}`).then(
        (count) => callback(null, { current: count.hits, ttl: count.ttlMs }),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    }

    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
      const info = (routeOptions as { routeInfo?: { method?: string | string[]; url?: string } }).routeInfo;
      const method = Array.isArray(info?.method) ? info.method.join(',') : (info?.method ?? '');
      return new DatabaseStore({ ...this.options, ...routeOptions }, `${method} ${info?.url ?? routeOptions.url ?? ''}`);
    }
  }
  return DatabaseStore as unknown as FastifyRateLimitStoreCtor;
}
