import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runLoadCheck, type LoadSummary } from '../../scripts/load-consistency.ts';
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

  test(
    'every acknowledged thread, reply, edit, flag and decision is stored exactly once, counters equal a recount, and outsiders never see the confidential space',
    async () => {
      summary = await runLoadCheck(app, app.database.db, baseUrl, { clients: 8, seconds: 5 });
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
});
