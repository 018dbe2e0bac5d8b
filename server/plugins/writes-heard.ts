import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { EventBus } from '../events/bus.ts';

/**
 * A write's answer waits until this process has heard the events it caused. What the process
 * remembers (anonymous pages, a member's session, their bell) is dropped by those events, so
 * nothing from before a write is served here after its answer: a member who signs out, or a
 * moderator who suspends someone, is obeyed by their next request. Another process hears the same
 * events a moment later (milliseconds). Writers answered at the same time share one marker.
 */
export const writesHeard = fp(async (app: FastifyInstance, options: { events: EventBus }) => {
  const { events } = options;
  app.addHook('onSend', async (request: FastifyRequest, _reply, payload: unknown) => {
    if (events.live && request.method !== 'GET' && request.method !== 'HEAD') await events.settled();
    return payload;
  });
});
