import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { posts, threads } from '../../db/schema/index.ts';
import { runLoadCheck, verifyLoad, type LoadFixtures, type LoadSummary } from '../../scripts/load-consistency.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

// The load check of `npm run load:check` at a small size, over real HTTP against the real app.
let app: TestApp;
let baseUrl: string;

beforeAll(async () => {
  app = await createTestApp();
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  baseUrl = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await app?.close();
});

describe('many members writing at once', () => {
  let summary: LoadSummary;
  let fixtures: LoadFixtures;

  test(
    'every acknowledged thread, reply, edit, flag and decision is stored exactly once, counters equal a recount, and outsiders never see the confidential space',
    async () => {
      summary = await runLoadCheck(app, app.database.db, baseUrl, { clients: 8, seconds: 5, atLeast: 3 });
      fixtures = summary.fixtures;
      expect(summary.violations, summary.text).toEqual([]);
    },
    90_000,
  );

  test('the load really did write in both kinds of space, retry submissions, race edits and decide flags', () => {
    const { ledger } = summary;
    const acked = <T extends { outcome: { kind: string } }>(writes: T[]) => writes.filter((w) => w.outcome.kind === 'ack');
    expect(acked(ledger.threads).some((t) => t.confidential)).toBe(true);
    expect(acked(ledger.threads).some((t) => !t.confidential)).toBe(true);
    expect(acked(ledger.replies).length).toBeGreaterThan(0);
    expect(acked(ledger.edits).length).toBeGreaterThan(0);
    expect(acked(ledger.flags).length).toBeGreaterThan(0);
    expect(ledger.retried).toBeGreaterThan(0);
    expect(ledger.probes).toBeGreaterThan(0);
  });

  test('the check reports a counter that drifted and an acknowledged edit that was lost', async () => {
    const edit = summary.ledger.edits.find((e) => e.outcome.kind === 'ack')!;
    const thread = summary.ledger.threads.find((t) => t.outcome.kind === 'ack')!;
    await app.database.db.update(posts).set({ bodySource: 'overwritten behind the check' }).where(eq(posts.id, edit.postId));
    await app.database.db.update(threads).set({ postCount: sql`${threads.postCount} + 1` }).where(eq(threads.id, thread.threadId!));
    const violations = await verifyLoad(app.database.db, fixtures, summary.ledger);
    expect(violations.some((v) => v.startsWith(`post ${edit.postId} reads`) || v.includes(`edit of post ${edit.postId}`))).toBe(true);
    expect(violations.some((v) => v.startsWith(`thread ${thread.threadId}: post_count`))).toBe(true);
  });
});
