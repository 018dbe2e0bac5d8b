import type { Page } from 'playwright-core';
import { afterAll, beforeAll, test, type ExpectStatic } from 'vitest';
import { newContext, openPage, saveScreenshot, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { createMember, createSpaceWithBoard } from '../helpers/factories.ts';

/*
 * The main thing people do here, in a real browser: join, start a thread with a preview, reply
 * (with the keyboard only), be quoted by someone else, edit, and find the old version. Once with
 * JavaScript and once without, because every page must work with JavaScript off. The two runs
 * share the app and the browser but not a member or a thread, so they run side by side.
 */

let harness: BrowserHarness;
const BOARD = 'Clinical questions';

// Generous: a fresh database and a browser start slowly on a busy two-core machine.
beforeAll(async () => {
  harness = await startBrowserHarness();
  const admin = await createMember(harness.app, { role: 'admin' });
  const { space, board } = await createSpaceWithBoard(harness.app, admin, { name: 'Emergency Medicine' });
  await harness.app.services.spaces.changeSpaceDetails(admin.viewer, space.id, { name: 'Emergency Medicine', description: 'Cases and protocols for the emergency department team.' });
  await harness.app.services.spaces.renameBoard(admin.viewer, board.id, { name: BOARD, description: 'Ask the team.' });
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

const PASSWORD = 'a long phrase nobody guesses 2024';

const SCRIPTS = {
  js: {
    title: 'Hand-off checklist for night shifts',
    opening: 'Use **SBAR** for every hand-off.\n\n- Situation\n- Background',
    bold: 'SBAR',
    reply: 'Agreed, and we read it back aloud.',
    comment: 'Read-back caught two errors on our ward last month.',
    edited: 'Use **SBAR** for every hand-off, including the ones at 7 am.',
    first: { handle: 'amara_js', name: 'Dr Amara Okafor' },
    second: { handle: 'priya_js', name: 'Priya Raman' },
  },
  nojs: {
    title: 'Sepsis bundle timing audit',
    opening: 'We start the **one-hour** bundle clock at triage.\n\n- Lactate\n- Cultures',
    bold: 'one-hour',
    reply: 'Our audit says the clock should start at recognition.',
    comment: 'Recognition is harder to time, though.',
    edited: 'We start the **one-hour** bundle clock at triage, as the audit advises.',
    first: { handle: 'jonas_nojs', name: 'Dr Jonas Weber' },
    second: { handle: 'lena_nojs', name: 'Dr Lena Holm' },
  },
} as const;

const plain = (markdown: string) => markdown.replace(/\*\*/g, '');
const post = (page: Page, n: number) => page.locator(`article#p${n}`);
const h1 = async (page: Page) => ((await page.locator('h1').textContent()) ?? '').trim();

/** Registers through /register, filling the form the way a person does: by its labels. */
async function register(expect: ExpectStatic, page: Page, who: { handle: string; name: string }) {
  await page.goto('/register');
  expect(await h1(page)).toBe('Join Rounds');
  await page.getByLabel('Handle', { exact: true }).fill(who.handle);
  await page.getByLabel('Display name', { exact: true }).fill(who.name);
  await page.getByLabel('E-mail', { exact: true }).fill(`${who.handle}@example.org`);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.getByRole('button', { name: 'Create account' }).click()]);
  expect(await page.getByRole('status').first().textContent()).toContain(`Welcome to Rounds, ${who.name}.`);
  // Signed in: the header names the member where it offered "Sign in".
  const account = page.getByRole('navigation', { name: 'Account' });
  expect(await account.getByRole('link', { name: who.name }).count()).toBe(1);
  expect(await account.getByRole('link', { name: 'Sign in' }).count()).toBe(0);
}

test.concurrent.for([
  { js: true, label: 'with JavaScript' },
  { js: false, label: 'without JavaScript' },
])('$label: a member joins, previews, posts, replies, is quoted, edits, and finds the old version', { timeout: 90_000 }, async ({ js }, { expect }) => {
  const tag = js ? 'js' : 'nojs';
  const s = SCRIPTS[tag];
  const first = await newContext(harness, { javaScriptEnabled: js });
  const second = await newContext(harness, { javaScriptEnabled: js });
  try {
    const a = await openPage(first);
    const b = await openPage(second);
    const page = a.page;

    // 1. Join.
    await register(expect, page, s.first);

    // 2. Find the board from the home page and open the composer.
    await page.getByRole('link', { name: BOARD, exact: true }).first().click();
    expect(await h1(page)).toBe(BOARD);
    await page.getByRole('link', { name: 'New thread' }).click();
    expect(await h1(page)).toBe(`New thread in ${BOARD}`);
    const preview = page.locator('[data-preview]');
    expect(await preview.isVisible()).toBe(false);
    await page.getByLabel('Title', { exact: true }).fill(s.title);
    await page.getByLabel('Message', { exact: true }).fill(s.opening);

    // 3. Preview.
    const composerUrl = page.url();
    if (js) {
      // Live: the rendered Markdown appears while typing, and nothing is submitted.
      await preview.locator('strong').waitFor({ state: 'visible', timeout: 10_000 });
      expect(page.url()).toBe(composerUrl);
    } else {
      // A full round trip re-renders the form with the preview and everything typed.
      await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Preview' }).click()]);
      expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe(s.title);
      expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe(s.opening);
    }
    expect(await preview.isVisible()).toBe(true);
    expect(await preview.locator('strong').textContent()).toBe(s.bold);
    expect(await preview.locator('li').allTextContents()).toHaveLength(2);
    await saveScreenshot(page, `flow-${tag}-preview`);

    // 4. Post it.
    await Promise.all([page.waitForURL(/\/t\/\d+\/[^/#]+$/), page.getByRole('button', { name: 'Start thread' }).click()]);
    expect(await h1(page)).toBe(s.title);
    const threadPath = new URL(page.url()).pathname;
    expect(await post(page, 1).locator('.prose strong').textContent()).toBe(s.bold);
    expect(await post(page, 1).locator('.author-name').textContent()).toBe(s.first.name);
    expect(await post(page, 1).locator('.permalink').textContent()).toBe('#1');

    // 5. Reply with the keyboard only: focus the message, type, Tab to "Post reply", press Enter.
    await page.locator('#reply').getByLabel('Message', { exact: true }).focus();
    await page.keyboard.type(s.reply);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Post reply');
    await Promise.all([page.waitForURL(/#p2$/), page.keyboard.press('Enter')]);
    expect(await post(page, 2).locator('.prose').textContent()).toContain(s.reply);
    expect(await post(page, 2).locator('.permalink').textContent()).toBe('#2');

    // 6. A second member quotes the opening post.
    await register(expect, b.page, s.second);
    await b.page.goto(threadPath);
    expect(await h1(b.page)).toBe(s.title);
    await post(b.page, 1).getByRole('link', { name: 'Quote' }).click();
    expect(await h1(b.page)).toBe(`Reply: ${s.title}`);
    expect(await b.page.locator('.replying-to .hint').textContent()).toBe(`Replying to @${s.first.handle} (#1):`);
    const message = b.page.getByLabel('Message', { exact: true });
    const prefilled = await message.inputValue();
    expect(prefilled.startsWith(`> **@${s.first.handle}** [wrote](${threadPath}#p1):\n>\n> ${s.opening.split('\n')[0]}`)).toBe(true);
    // The page is for writing: the cursor waits in the box, and (with the script) after the quote.
    await expect.poll(() => message.evaluate((el) => el === document.activeElement)).toBe(true);
    if (js) await expect.poll(() => message.evaluate((el: HTMLTextAreaElement) => el.selectionStart === el.value.length)).toBe(true);
    await message.fill(`${prefilled}${s.comment}`);
    await Promise.all([b.page.waitForURL(/#p3$/), b.page.getByRole('button', { name: 'Post reply' }).click()]);
    const quoting = post(b.page, 3);
    expect(await quoting.locator('.author-name').textContent()).toBe(s.second.name);
    expect(await quoting.locator('.reply-to').textContent()).toContain(`in reply to @${s.first.handle} #1`);
    expect(await quoting.locator('.prose blockquote').textContent()).toContain(plain(s.opening.split('\n')[0]!));
    const quoteLink = quoting.locator('.prose blockquote a', { hasText: 'wrote' });
    expect(await quoteLink.getAttribute('href')).toBe(`${threadPath}#p1`);
    expect(await quoting.locator('.prose > p').last().textContent()).toBe(s.comment);
    expect(await b.page.locator('article.post .permalink').allTextContents()).toEqual(['#1', '#2', '#3']);
    // The quote leads back to what it quotes.
    await quoteLink.click();
    await b.page.waitForURL((url) => url.pathname === threadPath && url.hash === '#p1');
    await saveScreenshot(b.page, `flow-${tag}-quoted`);

    // 7. The first member edits the opening post.
    await page.goto(threadPath);
    await post(page, 1).getByRole('link', { name: 'Edit' }).click();
    expect(await h1(page)).toBe('Edit post #1');
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe(s.opening);
    await page.getByLabel('Message', { exact: true }).fill(s.edited);
    await Promise.all([page.waitForURL(/#p1$/), page.getByRole('button', { name: 'Save changes' }).click()]);
    expect(await page.getByRole('status').first().textContent()).toBe('Your changes are saved.');
    expect(await post(page, 1).locator('.prose').textContent()).toContain(plain(s.edited));
    const editedLink = post(page, 1).getByRole('link', { name: 'edited' });
    expect(await editedLink.isVisible()).toBe(true);
    expect(await post(page, 2).getByRole('link', { name: 'edited' }).count()).toBe(0);
    await saveScreenshot(page, `flow-${tag}-edited`);

    // 8. The versions page keeps the old text.
    await editedLink.click();
    expect(await h1(page)).toBe('Versions of post #1');
    const versions = page.locator('section.revision');
    expect(await versions.count()).toBe(2);
    expect(await versions.nth(0).locator('h2').textContent()).toContain('Current (version 2)');
    expect(await versions.nth(0).textContent()).toContain(plain(s.edited));
    expect(await versions.nth(1).locator('h2').textContent()).toContain('Version 1');
    expect(await versions.nth(1).textContent()).toContain(plain(s.opening.split('\n')[0]!));
    expect(await versions.nth(1).textContent()).not.toContain(plain(s.edited));

    // Nothing broke along the way: no script errors, CSP violations or failed loads.
    expect(a.problems.list).toEqual([]);
    expect(b.problems.list).toEqual([]);
  } finally {
    await Promise.all([first.close(), second.close()]);
  }
});
