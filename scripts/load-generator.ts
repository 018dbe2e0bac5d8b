import { createRequire } from 'node:module';
import autocannon from 'autocannon';

/*
 * autocannon keeps every response's body as a string (`body += chunk` in its request queue) for
 * callbacks that might read it; the benches read status codes and headers only. Decoding compressed
 * pages as UTF-8 was most of the load generator's work, on the two cores it shares with the server
 * and PostgreSQL: 0.097 ms of its CPU per cached thread page against 0.022 ms without, and the
 * anonymous thread page measured 9,649 req/s where the server could answer 38,101 (2026-11-29).
 * The queue is autocannon 9's; the bench stops if a new version moves it.
 */
interface RequestQueue {
  prototype: { addBody(data: Buffer): void };
}
const queue = createRequire(import.meta.url)('autocannon/lib/pipelinedRequestsQueue.js') as RequestQueue;
if (typeof queue.prototype.addBody !== 'function') throw new Error('autocannon changed: lib/pipelinedRequestsQueue.js has no addBody to replace (scripts/load-generator.ts)');
queue.prototype.addBody = () => {};

export default autocannon;
