import { describe, expect, test } from 'vitest';
import { TimedOut } from '../../server/errors.ts';
import { createSearchGate, SEARCH_BUSY } from '../../server/search/gate.ts';

/** A search whose end the test decides. */
function pending() {
  let finish!: (value: string) => void;
  const done = new Promise<string>((resolve) => (finish = resolve));
  return { done, finish };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('searches take turns', () => {
  test('no more than the set number run at once; the next starts, in order, when one ends', async () => {
    const gate = createSearchGate({ concurrency: 2, waitMs: 10_000 });
    const searches = [pending(), pending(), pending(), pending()];
    const started: number[] = [];
    const results = searches.map((s, i) =>
      gate.run(() => {
        started.push(i);
        return s.done;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(gate.load()).toEqual({ running: 2, waiting: 2 });

    searches[1]!.finish('second');
    await tick();
    expect(started).toEqual([0, 1, 2]);
    searches[0]!.finish('first');
    searches[2]!.finish('third');
    searches[3]!.finish('fourth');
    expect(await Promise.all(results)).toEqual(['first', 'second', 'third', 'fourth']);
    expect(gate.load()).toEqual({ running: 0, waiting: 0 });
  });

  test('a search that waits too long is turned away with a message; those running finish undisturbed', async () => {
    const gate = createSearchGate({ concurrency: 1, waitMs: 20 });
    const running = pending();
    const first = gate.run(() => running.done);
    let secondStarted = false;
    const second = gate.run(async () => {
      secondStarted = true;
      return 'never';
    });
    const refused = await second.catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TimedOut);
    expect((refused as TimedOut).message).toBe(SEARCH_BUSY);
    expect(gate.load()).toEqual({ running: 1, waiting: 0 });

    // The first search ran longer than the wait bound: only waiting is bounded, not running.
    running.finish('done');
    expect(await first).toBe('done');
    expect(secondStarted).toBe(false);
    // The turned-away search left no slot taken: the next one runs at once.
    expect(await gate.run(async () => 'next')).toBe('next');
  });

  test("a failing search frees its turn and its error reaches its caller", async () => {
    const gate = createSearchGate({ concurrency: 1, waitMs: 1_000 });
    await expect(gate.run(() => Promise.reject(new Error('statement failed')))).rejects.toThrow('statement failed');
    expect(await gate.run(async () => 'after')).toBe('after');
  });
});
