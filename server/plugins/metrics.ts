import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DatabaseHandle } from '../../db/client.ts';

/*
 * Prometheus metrics at /metrics (prom-client, the library Prometheus's own Node.js guide uses).
 * Labels are bounded by construction: the route is the pattern Fastify matched ("/t/:id/:slug"),
 * never the URL, so no id, slug or title — and confidential thread titles are slugs — reaches a
 * label, and a crawler cannot create new series.
 */

/** Process metrics (CPU, memory, event loop, GC) are the process's, not one app's: collected once. */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: {
      registry: Registry;
      /** Anonymous page cache outcomes (hit, stale, miss, refresh), counted from each answer's x-cache header. */
      anonymousCache: Counter<'result'>;
    };
  }
}

const UNMATCHED = '(unmatched)';

export const metricsPlugin = fp(async (app: FastifyInstance, options: { database: DatabaseHandle; searchLoad: () => { running: number; waiting: number } }) => {
  const registry = new Registry();
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from request to response, by route pattern, method and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const anonymousCache = new Counter({
    name: 'rounds_anonymous_cache_requests_total',
    help: 'Pages answered to anonymous visitors from the in-memory page cache (hit, stale), rendered for it (miss), or rendered again in the background before they ran out (refresh).',
    labelNames: ['result'] as const,
    registers: [registry],
  });

  if (options.database.poolStats()) {
    new Gauge({
      name: 'rounds_db_pool_connections',
      help: 'PostgreSQL pool connections: open (total), idle, and requests waiting for one (waiting); max is the pool size.',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const stats = options.database.poolStats();
        if (!stats) return;
        this.set({ state: 'total' }, stats.total);
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
        this.set({ state: 'max' }, stats.max);
      },
    });
  }

  new Gauge({
    name: 'rounds_searches',
    help: 'Searches this process is running (running) and waiting for their turn (waiting); SEARCH_CONCURRENCY bounds the first.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const load = options.searchLoad();
      this.set({ state: 'running' }, load.running);
      this.set({ state: 'waiting' }, load.waiting);
    },
  });

  app.decorate('metrics', { registry, anonymousCache });

  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const cached = reply.getHeader('x-cache');
    if (cached === 'hit' || cached === 'stale' || cached === 'miss' || cached === 'refresh') anonymousCache.inc({ result: cached });
    // The cache's own background renderings are nobody's wait.
    if (cached === 'refresh') return;
    const route = request.routeOptions.url ?? UNMATCHED;
    duration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  app.get('/metrics', { config: { access: 'operator' }, schema: { hide: true } }, async (_request, reply) => {
    const text = (await processMetrics().metrics()) + (await registry.metrics());
    return reply.header('cache-control', 'no-store').type(registry.contentType).send(text);
  });
});
