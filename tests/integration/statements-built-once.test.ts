import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { onAnyExecutor } from '../../db/named-statement.ts';
import { siteSettings } from '../../db/schema/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

/*
 * Writes run statements built once on the database inside their own transactions
 * (db/named-statement.ts). If such a statement ran on the database instead of the transaction it
 * was given, a failed reply would leave its post behind: what a rolled-back write did must be gone.
 */

let app: TestApp;

beforeAll(async () => {
  app = await createTestApp();
});

afterAll(async () => {
  await app?.close();
});

describe('a statement built once runs on the executor it is given', () => {
  test('inside a transaction it is undone with it; on the database it stays', async () => {
    const db = app.database.db;
    const insert = onAnyExecutor(
      db
        .insert(siteSettings)
        .values({ key: sql.placeholder('key'), value: sql.placeholder('value') })
        .returning({ key: siteSettings.key })
        .prepare('test_insert_setting'),
    );
    const stored = async (key: string) => db.select({ value: siteSettings.value }).from(siteSettings).where(eq(siteSettings.key, key));

    await expect(
      db.transaction(async (tx) => {
        expect(await insert(tx, { key: 'test.rolled-back', value: { written: 'in the transaction' } })).toEqual([{ key: 'test.rolled-back' }]);
        // The transaction sees its own write through the same statement's connection.
        expect(await tx.select({ key: siteSettings.key }).from(siteSettings).where(eq(siteSettings.key, 'test.rolled-back'))).toHaveLength(1);
        throw new Error('the write fails after the statement ran');
      }),
    ).rejects.toThrow('the write fails after the statement ran');
    expect(await stored('test.rolled-back')).toEqual([]);

    await insert(db, { key: 'test.committed', value: { written: 'on the database' } });
    expect(await stored('test.committed')).toEqual([{ value: { written: 'on the database' } }]);
  });
});
