import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type SQLChunk } from 'drizzle-orm';
import PgBoss from 'pg-boss';
import type { DatabaseHandle, Executor } from '../../db/client.ts';

/*
 * The one background job queue: pg-boss over the app's own database (PGlite or PostgreSQL).
 * pg-boss takes a `db` object with executeSql(text, values), so it runs on PGlite's single
 * in-process connection as well as on a pool; graphile-worker needs a pg Pool with LISTEN,
 * which PGlite does not offer. Jobs survive restarts (they are rows), fail into retries with
 * exponential backoff, and a singleton key keeps a second copy of the same job out.
 */

export interface QueueOptions {
  /** Retries after the first failure. */
  retryLimit?: number;
  /** First retry delay; with backoff each next one roughly doubles (with jitter). */
  retryDelaySeconds?: number;
  backoff?: boolean;
  /** A run that takes longer fails (and is retried). */
  expireInSeconds?: number;
}

export interface SendOptions {
  /** At most one waiting job with this key per queue: sending it again while one waits is a no-op. */
  singletonKey?: string;
  startAfterSeconds?: number;
  /**
   * Send inside this transaction: the job exists if and only if the transaction commits. Required
   * when called inside a transaction on PGlite, whose one connection is held by it.
   */
  tx?: Executor;
}

export interface JobContext {
  id: string;
}

export type JobHandler<T> = (data: T, job: JobContext) => Promise<void>;

export interface Jobs {
  /** Declares a queue and its handler; call before start(). */
  define<T extends object>(name: string, handler: JobHandler<T>, options?: QueueOptions): void;
  /** Enqueues a job; answers its id, or null when a job with the same singleton key already waits. */
  send<T extends object>(name: string, data: T, options?: SendOptions): Promise<string | null>;
  /** Runs a queue's job on a cron schedule (UTC), e.g. a daily digest; call after start(). */
  schedule<T extends object>(name: string, cron: string, data?: T): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface JobsOptions {
  /** False: enqueue only (this process runs no handlers). */
  work: boolean;
  pollSeconds: number;
  onError: (error: unknown) => void;
}

/** pg-boss writes `$1`-style SQL; inside a Drizzle transaction it runs as a parameterised Drizzle query. */
function inTransaction(tx: Executor) {
  return {
    async executeSql(text: string, values: unknown[] = []) {
      const chunks: SQLChunk[] = [];
      let last = 0;
      for (const match of text.matchAll(/\$(\d+)/g)) {
        chunks.push(sql.raw(text.slice(last, match.index)));
        chunks.push(sql.param(values[Number(match[1]) - 1]));
        last = match.index + match[0].length;
      }
      chunks.push(sql.raw(text.slice(last)));
      return (await tx.execute(sql.join(chunks))) as unknown as { rows: unknown[] };
    },
  };
}

/**
 * The statements pg-boss sends without awaiting them: recording that a job finished or failed
 * (manager.js, after the handler). One that fails (the database went away meanwhile) would be an
 * unhandled rejection, which ends a Node process by default.
 */
const pgBossPlans = createRequire(import.meta.url)('pg-boss/src/plans.js') as { completeJobs(schema: string): string; failJobsById(schema: string): string };
const SCHEMA = 'pgboss';
const UNAWAITED_STATEMENTS = new Set([pgBossPlans.completeJobs(SCHEMA), pgBossPlans.failJobsById(SCHEMA)]);

/** deadlock_detected, unique_violation, duplicate_table, duplicate_object. */
const CREATION_RACES = new Set(['40P01', '23505', '42P07', '42710']);

const startsByDatabase = new WeakMap<object, Promise<void>>();

export function createJobs(database: DatabaseHandle, options: JobsOptions): Jobs {
  // pg-boss records a finished job without awaiting it, and its stop() can answer before that
  // statement has run: stop() waits for every statement pg-boss started, so the job is recorded as
  // done (not run again after a restart) and nothing reaches a pool that is closed next.
  const running = new Set<Promise<unknown>>();
  // pg-boss's stop() also answers while a fetch is in flight (it sees no job in hand yet); the job
  // that fetch returns is then run after stop(). stop() waits for handlers too, so it runs to the end
  // on an open pool and is recorded as done.
  const handling = new Set<Promise<unknown>>();
  // After stop() has answered, the caller closes the pool. A statement pg-boss would still start
  // then (a handler that outlived stop()'s timeout is completed fire-and-forget) would reject with
  // nobody listening. It is not sent and its answer never comes: any made-up answer is misread (an
  // empty result made pg-boss's complete() throw on rows[0].count). Such a job is retried later.
  let stopped = false;
  const executeSql = (text: string, values?: unknown[]): Promise<{ rows: unknown[] }> => {
    if (stopped) return new Promise(() => undefined);
    const sent = database.executeSql(text, values);
    // Reported instead, and read as "no job changed": the job stays active and is retried once it
    // expires, as after a crash.
    const statement = UNAWAITED_STATEMENTS.has(text)
      ? sent.catch((error: unknown) => {
          options.onError(error);
          return { rows: [{ count: '0' }] as unknown[] };
        })
      : sent;
    running.add(statement);
    statement.then(
      () => running.delete(statement),
      () => running.delete(statement),
    );
    return statement;
  };
  const boss = new PgBoss({
    db: { executeSql },
    schema: SCHEMA,
    // Archived jobs are kept a week for diagnosis, then dropped by pg-boss's own maintenance.
    archiveCompletedAfterSeconds: 3600,
    deleteAfterDays: 7,
  } as PgBoss.ConstructorOptions);
  boss.on('error', options.onError);

  const queues = new Map<string, { handler: JobHandler<object>; options: QueueOptions }>();
  const workers = new Map<string, string>();
  let started = false;

  const jobs: Jobs = {
    define(name, handler, queueOptions = {}) {
      if (started) throw new Error(`queue ${name} defined after the job queue started`);
      queues.set(name, { handler: handler as JobHandler<object>, options: queueOptions });
    },

    async send(name, data, sendOptions = {}) {
      const queue = queues.get(name);
      if (!queue) throw new Error(`no queue named ${name}`);
      const id = await boss.send(name, data, {
        ...(sendOptions.singletonKey ? { singletonKey: sendOptions.singletonKey } : {}),
        ...(sendOptions.startAfterSeconds ? { startAfter: sendOptions.startAfterSeconds } : {}),
        ...(sendOptions.tx ? { db: inTransaction(sendOptions.tx) } : {}),
      } as PgBoss.SendOptions);
      // Outside a transaction the job is visible now: wake this process's worker instead of waiting for its next poll.
      const worker = workers.get(name);
      if (id && worker && !sendOptions.tx) boss.notifyWorker(worker);
      return id;
    },

    async schedule(name, cron, data) {
      await boss.schedule(name, cron, data ?? {}, { tz: 'UTC' });
    },

    async start() {
      if (started) return;
      started = true;
      stopped = false;
      // Two apps on one database handle (the embedded database's single connection) must not
      // create pg-boss's schema and queues at once: their statements would interleave.
      const previous = startsByDatabase.get(database.db) ?? Promise.resolve();
      const starting = previous.catch(() => undefined).then(startOnce);
      startsByDatabase.set(database.db, starting);
      await starting;
    },

    async stop() {
      if (!started) return;
      started = false;
      // Waits for running handlers; a job cut short is failed, so it is retried after a restart.
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
      // A fetch that answers now hands its job to a handler within the same turn of the event loop.
      // A handler that hangs (a mail server that never answers) does not hold the shutdown for long.
      const givingUp = sleep(10_000, 'gave up', { ref: false });
      while (running.size > 0 || handling.size > 0) {
        if ((await Promise.race([Promise.allSettled([...running, ...handling]), givingUp])) === 'gave up') break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      stopped = true;
      workers.clear();
    },
  };
  return jobs;

  async function startOnce(): Promise<void> {
    await boss.start();
    for (const [name, queue] of queues) {
      const settings = {
        name,
        // 'stately': at most one waiting and one running job per singleton key.
        policy: 'stately',
        retryLimit: queue.options.retryLimit ?? 5,
        retryDelay: queue.options.retryDelaySeconds ?? 30,
        retryBackoff: queue.options.backoff ?? true,
        expireInSeconds: queue.options.expireInSeconds ?? 300,
      } as PgBoss.Queue;
      // Two processes starting at once (replicas after a deploy) may both find the queue missing and
      // both create it: one of them deadlocks or collides; it looks again and finds the other's.
      for (let attempt = 1; ; attempt++) {
        try {
          if (await boss.getQueue(name)) await boss.updateQueue(name, settings);
          else await boss.createQueue(name, settings);
          break;
        } catch (error) {
          if (attempt >= 5 || !CREATION_RACES.has((error as { code?: string }).code ?? '')) throw error;
          await sleep(25 * attempt * (1 + Math.random()));
        }
      }
    }
    if (!options.work) return;
    for (const [name, queue] of queues) {
      const id = await boss.work<object>(name, { pollingIntervalSeconds: options.pollSeconds, batchSize: 1 }, async (batch) => {
        for (const job of batch) {
          const run = queue.handler(job.data, { id: job.id });
          handling.add(run);
          await run.finally(() => handling.delete(run));
        }
      });
      workers.set(name, id);
    }
  }
}
