import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DatabaseHandle } from '../../db/client.ts';
import { rateLimitHits } from '../../db/schema/index.ts';
import { buildApp, type App } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { countHit, pruneEndedWindows, readHits } from '../../server/plugins/rate-limits/queries.ts';
import { freshDatabase, type FreshDatabase } from '../helpers/database.ts';

// Two app processes behind one load balancer: each built on its own handle to the same database.
const LIMIT = 6;
let database: FreshDatabase;
let second: DatabaseHandle;
let one: App;
let two: App;

beforeAll(async () => {
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: 'memory://', RATE_SIGNIN_PER_IP_PER_MINUTE: String(LIMIT), RATE_REGISTER_PER_IP_PER_HOUR: '3' });
  database = await freshDatabase();
  second = await database.connectAgain();
  one = await buildApp(config, database);
  two = await buildApp(config, second);
  await Promise.all([one.ready(), two.ready()]);
});

afterAll(async () => {
  await one?.close();
  await two?.close();
  await second?.close();
  await database?.close();
});

const askForToken = (app: App) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { login: 'nobody@example.org', password: 'not the password' } });

describe('rate limits shared by every app process on the database', () => {
  test('sign-in attempts split between two processes are refused once the configured total is reached, not twice it', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < LIMIT * 2; attempt++) statuses.push((await askForToken(attempt % 2 === 0 ? one : two)).statusCode);
    expect(statuses.slice(0, LIMIT).every((status) => status !== 429)).toBe(true);
    expect(statuses.slice(LIMIT)).toEqual(Array(LIMIT).fill(429));
    const refused = await askForToken(one);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(Number(refused.headers['x-ratelimit-limit'])).toBe(LIMIT);
  });

  test('attempts sent to both processes at the same moment are each counted once', async () => {
    const register = (app: App, n: number) =>
      app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { handle: `x${n}`, displayName: '', email: 'bad', password: '' } });
    const answers = await Promise.all(Array.from({ length: 8 }, (_, n) => register(n % 2 === 0 ? one : two, n)));
    expect(answers.filter((answer) => answer.statusCode === 429)).toHaveLength(8 - 3);
  });

  test('each route keeps its own count', async () => {
    const keys = (await database.db.select({ key: rateLimitHits.key }).from(rateLimitHits)).map((row) => row.key);
    expect(keys.some((key) => key.startsWith('POST /api/v1/auth/token|'))).toBe(true);
    expect(keys.some((key) => key.startsWith('POST /api/v1/auth/register|'))).toBe(true);
  });

  test('a window that has ended starts again at one, and ended windows are pruned', async () => {
    const key = 'test|window';
    expect((await countHit(database.db, key, 60_000)).hits).toBe(1);
    expect((await countHit(database.db, key, 60_000)).hits).toBe(2);
    // As if the minute had passed (the database's clock decides, the same for every process).
    await database.db.update(rateLimitHits).set({ windowEndsAt: sql`now() - interval '1 second'` }).where(eq(rateLimitHits.key, key));
    expect(await readHits(database.db, key)).toEqual({ hits: 0, ttlMs: 0 });
    const restarted = await countHit(second.db, key, 60_000);
    expect(restarted.hits).toBe(1);
    expect(restarted.ttlMs).toBeGreaterThan(59_000);
    await database.db.update(rateLimitHits).set({ windowEndsAt: sql`now() - interval '1 second'` }).where(eq(rateLimitHits.key, key));
    await pruneEndedWindows(database.db);
    expect(await database.db.select().from(rateLimitHits).where(eq(rateLimitHits.key, key))).toEqual([]);
  });
});
