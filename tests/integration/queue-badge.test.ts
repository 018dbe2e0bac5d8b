import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { createMember, signedInAgent, type TestMember } from '../helpers/factories.ts';

/*
 * The review queue's badge is in the header of every page a moderator opens. It counts exactly up
 * to 99 and says "99+" beyond: a busy site's moderators have thousands of open items, and counting
 * all of them on every page cost more than the rest of the page.
 */

let app: TestApp;
let moderator: TestMember;

beforeAll(async () => {
  app = await createTestApp();
  moderator = await createMember(app, { role: 'moderator' });
});
afterAll(async () => app.close());

let registered = 0;
/** Newcomers whose registrations wait for approval: site-wide items, in every site moderator's queue. */
async function openItems(count: number) {
  const first = registered + 1;
  registered += count;
  await app.database.db.execute(sql`insert into users (id, handle, display_name, email)
    select 'newcomer' || g, 'newcomer' || g, 'Newcomer ' || g, 'newcomer' || g || '@example.org' from generate_series(${first}::int, ${registered}::int) g`);
  await app.database.db.execute(sql`insert into review_items (kind, subject_id)
    select 'registration', 'newcomer' || g from generate_series(${first}::int, ${registered}::int) g`);
}

async function badge(): Promise<string | undefined> {
  const page = await (await signedInAgent(app, moderator)).get('/');
  return /href="\/mod\/queue"[^>]*><span class="wide-only">Review queue<\/span><span class="narrow-only">Queue<\/span> <span class="count[^"]*">([^<]+)</.exec(page.body)?.[1];
}

test('the badge counts open items exactly up to 99, then says 99+', async () => {
  expect(await badge()).toBe('0');
  await openItems(99);
  expect(await badge()).toBe('99');
  await openItems(1);
  expect(await badge()).toBe('99+');
  await openItems(400);
  expect(await badge()).toBe('99+');
});
