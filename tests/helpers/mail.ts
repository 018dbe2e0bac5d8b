import { asc, eq } from 'drizzle-orm';
import { outboxMessages } from '../../db/schema/index.ts';
import type { TestApp } from './app.ts';

export type OutboxRow = typeof outboxMessages.$inferSelect;

export async function outboxTo(app: TestApp, address: string): Promise<OutboxRow[]> {
  return app.database.db.select().from(outboxMessages).where(eq(outboxMessages.toAddress, address)).orderBy(asc(outboxMessages.id));
}

/** Polls until `check` answers a value (the job queue works in the background), or fails after a while. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The token of the first link to `path` in an e-mail's text, e.g. linkToken(text, '/verify-email/'). */
export function linkToken(text: string, path: string): string {
  const match = new RegExp(`${path.replace(/\//g, '\\/')}([A-Za-z0-9_.-]+)`).exec(text);
  if (!match?.[1]) throw new Error(`no ${path} link in: ${text}`);
  return match[1];
}
