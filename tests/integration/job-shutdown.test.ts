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
