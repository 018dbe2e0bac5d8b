import { afterAll, beforeAll, test } from 'vitest';
import { newContext, openPage, saveScreenshot, sessionCookies, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { createMember, createSpaceWithBoard, createThread, type TestMember } from '../helpers/factories.ts';

/*
 * The browser test, in two browser contexts: A mentions B (picking B's handle from the
 * composer's @ list with the keyboard) → B's bell shows 1 and the open thread offers the new
 * reply, both without reloading (server-sent events) → B opens the notification and lands on the
 * post that mentions them.
 */

let harness: BrowserHarness;
let alice: TestMember;
let bob: TestMember;
let threadPath: string;

beforeAll(async () => {
  harness = await startBrowserHarness();
  const { app } = harness;
  const admin = await createMember(app, { role: 'admin' });
  alice = await createMember(app, { handle: 'alice_ahmed' });
  bob = await createMember(app, { handle: 'bob_brennan' });
  const { board } = await createSpaceWithBoard(app, admin, { name: 'Intensive Care' });
  const thread = await createThread(app, bob, board.id, 'Weaning from ventilation', 'What is your weaning protocol?');
  threadPath = `/t/${thread.threadId}/${thread.slug}`;
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

test('A mentions B; B’s bell shows 1 without reloading; B opens it at the right post', { timeout: 90_000 }, async ({ expect }) => {
  const contextA = await newContext(harness);
  const contextB = await newContext(harness);
  try {
    await contextA.addCookies(await sessionCookies(harness, alice));
    await contextB.addCookies(await sessionCookies(harness, bob));
    const a = await openPage(contextA);
    const b = await openPage(contextB);

    // B reads the thread; the page's event stream is open before anything happens.
    const streamOpen = b.page.waitForResponse((res) => new URL(res.url()).pathname === '/events');
    await b.page.goto(threadPath);
    expect((await streamOpen).headers()['content-type']).toContain('text/event-stream');
    const bell = b.page.locator('[data-bell-count]');
    expect(await bell.textContent()).toBe('0');

    // A replies and mentions B, choosing the handle from the @ list with the keyboard.
    await a.page.goto(threadPath);
    const message = a.page.locator('#reply').getByLabel('Message', { exact: true });
    await message.focus();
    await a.page.keyboard.type('Spontaneous breathing trials daily. What do you think, @bob_b');
    const option = a.page.getByRole('option', { name: /@bob_brennan/ });
    await option.waitFor({ state: 'visible', timeout: 10_000 });
    await a.page.keyboard.press('Enter');
    expect(await message.inputValue()).toBe('Spontaneous breathing trials daily. What do you think, @bob_brennan ');
    await Promise.all([a.page.waitForURL(/#p2$/), a.page.locator('#reply').getByRole('button', { name: 'Post reply' }).click()]);
    expect(await a.page.locator('article#p2 .prose a[href="/u/bob_brennan"]').textContent()).toBe('@bob_brennan');

    // B's page, never reloaded: the bell and the thread both say something new arrived.
    await expect.poll(() => bell.textContent(), { timeout: 10_000 }).toBe('1');
    const bar = b.page.getByRole('status').getByRole('link', { name: '1 new reply — show' });
    await bar.waitFor({ state: 'visible', timeout: 10_000 });
    await saveScreenshot(b.page, 'notifications-live-bell');

    // B opens the notification from the bell and lands on A's post.
    await b.page.locator('[data-bell]').click();
    await b.page.waitForURL((url) => url.pathname === '/notifications');
    const item = b.page.getByRole('link', { name: /@alice_ahmed mentioned you in “Weaning from ventilation”/ });
    await saveScreenshot(b.page, 'notifications-page');
    await Promise.all([b.page.waitForURL(/#p2$/), item.click()]);
    expect(new URL(b.page.url()).pathname).toBe(threadPath);
    expect(await b.page.locator('article#p2 .prose').textContent()).toContain('Spontaneous breathing trials daily.');
    // Opened, so read: the bell is back to 0.
    expect(await b.page.locator('[data-bell-count]').textContent()).toBe('0');

    expect(a.problems.list).toEqual([]);
    expect(b.problems.list).toEqual([]);
  } finally {
    await contextA.close();
    await contextB.close();
  }
});
