import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { DatabaseHandle } from '../../db/client.ts';
import { createJobs } from '../../server/jobs/queue.ts';
import { freshDatabase, type FreshDatabase } from '../helpers/database.ts';

let database: FreshDatabase;
beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => database.close());

/**
 * The same database, except that pg-boss's "this job is done" statement takes a while, as it may
 * on a busy server: pg-boss issues it without waiting, after the handler has returned.
 */
function slowToRecordCompletion(handle: DatabaseHandle, delayMs: number): DatabaseHandle {
  return {
    ...handle,
    async executeSql(text, values) {
      if (/state = 'completed'/.test(text)) await sleep(delayMs);
      return handle.executeSql(text, values);
    },
  };
}

test('a job that finishes while the process shuts down is recorded as done before the queue stops, so a restart does not run it again', async () => {
  const errors: unknown[] = [];
  const jobs = createJobs(slowToRecordCompletion(database, 800), { work: true, pollSeconds: 1, onError: (error) => errors.push(error) });
  let handlerEnded!: () => void;
  const ended = new Promise<void>((resolve) => (handlerEnded = resolve));
  let runs = 0;
  jobs.define<{ note: string }>('shutdown-probe', async () => {
    runs += 1;
    handlerEnded();
  });
  await jobs.start();
  const id = await jobs.send('shutdown-probe', { note: 'finish during stop' }, { singletonKey: 'probe' });
  await ended;
  await jobs.stop();

  const { rows } = await database.executeSql('select state from pgboss.job where id = $1', [id]);
  expect(rows).toEqual([{ state: 'completed' }]);
  expect(runs).toBe(1);
  expect(errors).toEqual([]);
});

test('a job fetched while the process shuts down runs to the end before the queue stops, and nothing reaches the pool after it', async () => {
  const errors: unknown[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  let stopCalled!: () => void;
  const stopping = new Promise<void>((resolve) => (stopCalled = resolve));
  let armed = false;
  let heldFetches = 0;
  let poolClosed = false;
  // pg-boss's fetch takes a while, as it may on a busy server: it is in flight when stop() begins
  // and answers after pg-boss has looked for jobs in hand. The pool is closed once stop() answers.
  const racing: DatabaseHandle = {
    ...database,
    async executeSql(text, values) {
      if (poolClosed) throw new Error('Cannot use a pool after calling end on the pool');
      if (armed && /SKIP LOCKED/.test(text)) {
        heldFetches += 1;
        await stopping;
        await sleep(300);
      }
      return database.executeSql(text, values);
    },
  };
  const jobs = createJobs(racing, { work: true, pollSeconds: 1, onError: (error) => errors.push(error) });
  let runs = 0;
  jobs.define<{ note: string }>('fetch-race-probe', async () => {
    await racing.executeSql('select 1');
    runs += 1;
  });
  try {
    await jobs.start();
    armed = true;
    const id = await jobs.send('fetch-race-probe', { note: 'fetched during stop' });
    while (heldFetches === 0) await sleep(20);
    stopCalled();
    await jobs.stop();
    poolClosed = true;
    await sleep(500);

    expect(runs).toBe(1);
    const { rows } = await database.executeSql('select state from pgboss.job where id = $1', [id]);
    expect(rows).toEqual([{ state: 'completed' }]);
    expect(unhandled).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('when recording a finished job fails (the database went away), the error is reported, not left unhandled, and the job is kept for a retry', async () => {
  const errors: unknown[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  const lost = new Error('Connection terminated unexpectedly');
  // pg-boss records a finished job without awaiting it; here that statement meets a dropped connection.
  const dropping: DatabaseHandle = {
    ...database,
    async executeSql(text, values) {
      if (/state = 'completed'/.test(text)) throw lost;
      return database.executeSql(text, values);
    },
  };
  const jobs = createJobs(dropping, { work: true, pollSeconds: 1, onError: (error) => errors.push(error) });
  let ran!: () => void;
  const done = new Promise<void>((resolve) => (ran = resolve));
  jobs.define<{ note: string }>('lost-completion-probe', async () => ran());
  try {
    await jobs.start();
    const id = await jobs.send('lost-completion-probe', { note: 'finished, but not recorded' });
    await done;
    while (errors.length === 0) await sleep(20);
    await jobs.stop();
    await sleep(100);

    expect(errors).toEqual([lost]);
    expect(unhandled).toEqual([]);
    const { rows } = await database.executeSql('select state from pgboss.job where id = $1', [id]);
    expect(rows).toEqual([{ state: 'active' }]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
