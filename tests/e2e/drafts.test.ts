import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { newContext, openPage, saveScreenshot, sessionCookies, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { createMember, createSpaceWithBoard, createThread, type TestMember } from '../helpers/factories.ts';

/*
 * A reply half written survives the tab: in Chromium, a member types, closes the tab before the
 * autosave's pause is over (the page's last words go as it closes), opens the thread again in a
 * new window and finds their text; posting it leaves an empty box behind.
 */

let harness: BrowserHarness;
let member: TestMember;
let threadPath: string;
let boardPath: string;

beforeAll(async () => {
  harness = await startBrowserHarness();
  const admin = await createMember(harness.app, { role: 'admin' });
  member = await createMember(harness.app);
  const { space, board } = await createSpaceWithBoard(harness.app, admin, { name: 'Intensive care' });
  boardPath = `/s/${space.slug}/${board.slug}`;
  const thread = await createThread(harness.app, admin, board.id, 'Proning awake patients: who tolerates it?');
  threadPath = `/t/${thread.threadId}/${thread.slug}`;
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

test('a reply typed, then the tab closed at once, is in the reply box of a new window; posting it empties the box', { timeout: 60_000 }, async () => {
  const cookies = await sessionCookies(harness, member);
  const first = await newContext(harness);
  await first.addCookies(cookies);
  const second = await newContext(harness);
  await second.addCookies(cookies);
  try {
    const a = await openPage(first);
    await a.page.goto(threadPath);
    const box = a.page.locator('#reply').getByLabel('Message', { exact: true });
    await box.fill('Two-hour sessions, with the SpO2 watched');
    // The pause after typing passes: the draft is kept and the page says so.
    await a.page.locator('[data-draft-status]').getByText(/^Draft saved at .+\. Only you can see it\.$/).waitFor({ timeout: 10_000 });
    // Kept: it can be discarded now, without a reload.
    expect(await a.page.getByRole('button', { name: 'Discard draft' }).isVisible()).toBe(true);
    // More words, and the tab is closed before the next pause is over.
    await box.pressSequentially(' for the first 30 minutes.');
    await a.page.close({ runBeforeUnload: true });

    const b = await openPage(second);
    const expected = 'Two-hour sessions, with the SpO2 watched for the first 30 minutes.';
    // The beacon may land a moment after the tab is gone.
    await expect.poll(async () => (await harness.app.services.forum.replyDraft(member.viewer, Number(/\/t\/(\d+)/.exec(threadPath)![1])))?.body, { timeout: 10_000 }).toBe(expected);
    await b.page.goto(threadPath);
    const again = b.page.locator('#reply').getByLabel('Message', { exact: true });
    expect(await again.inputValue()).toBe(expected);
    expect(await b.page.locator('[data-draft-status]').textContent()).toMatch(/^Draft saved .+\. Only you can see it\.$/);
    await saveScreenshot(b.page, 'reply-draft-restored');

    await Promise.all([b.page.waitForURL(/#p2$/), b.page.getByRole('button', { name: 'Post reply' }).click()]);
    expect(await b.page.locator('article#p2 .prose').textContent()).toContain(expected);
    await b.page.goto(threadPath);
    expect(await b.page.locator('#reply').getByLabel('Message', { exact: true }).inputValue()).toBe('');
    expect(await b.page.getByRole('button', { name: 'Discard draft' }).count()).toBe(0);
    expect(a.problems.list).toEqual([]);
    expect(b.problems.list).toEqual([]);
  } finally {
    await Promise.all([first.close(), second.close()]);
  }
});

/** Opens the thread, follows post #1's Reply link and types until the draft is saved. */
async function draftFromReplyLink(page: Page, text: string): Promise<void> {
  await page.goto(threadPath);
  await page.getByRole('link', { name: 'Reply to post 1' }).click();
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.locator('[data-draft-status]').getByText(/^Draft saved at .+\. Only you can see it\.$/).waitFor({ timeout: 10_000 });
}

test('a reply started from a post’s Reply link keeps that post through its draft, on the thread page too, and answers it', { timeout: 60_000 }, async () => {
  const context = await newContext(harness);
  await context.addCookies(await sessionCookies(harness, member));
  try {
    const { page, problems } = await openPage(context);
    await draftFromReplyLink(page, 'Most of ours manage an hour');
    // The autosave took the post along (not only the text).
    const threadId = Number(/\/t\/(\d+)/.exec(threadPath)![1]);
    expect((await harness.app.services.forum.replyDraft(member.viewer, threadId))?.replyToPostId).not.toBeNull();

    // Later, on the thread page: the box has the words and says which post they answer.
    await page.goto(threadPath);
    const reply = page.locator('#reply');
    expect(await reply.getByLabel('Message', { exact: true }).inputValue()).toBe('Most of ours manage an hour');
    expect(await reply.locator('.composer-answers').textContent()).toContain('Your draft answers post #1');
    await Promise.all([page.waitForURL(/#p\d+$/), reply.getByRole('button', { name: 'Post reply' }).click()]);
    const posted = page.locator(`article${new URL(page.url()).hash}`);
    expect(await posted.locator('.reply-to').textContent()).toContain('#1');
    expect(problems.list).toEqual([]);
  } finally {
    await context.close();
  }
});

test('clearing “answers post #1” in the thread’s box makes the draft, and then the reply, answer the thread', { timeout: 60_000 }, async () => {
  const context = await newContext(harness);
  await context.addCookies(await sessionCookies(harness, member));
  try {
    const { page, problems } = await openPage(context);
    await draftFromReplyLink(page, 'A general point, not about #1');
    const threadId = Number(/\/t\/(\d+)/.exec(threadPath)![1]);

    await page.goto(threadPath);
    const reply = page.locator('#reply');
    const answers = reply.getByRole('checkbox', { name: /Your draft answers post #1/ });
    expect(await answers.isChecked()).toBe(true);
    await answers.scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'reply-box-answers-post');
    const status = reply.locator('[data-draft-status]');
    await answers.uncheck();
    // The choice alone is saved, as a change of text would be.
    await status.getByText(/^Draft saved at .+\. Only you can see it\.$/).waitFor({ timeout: 10_000 });
    expect((await harness.app.services.forum.replyDraft(member.viewer, threadId))?.replyToPostId).toBeNull();
    await page.reload();
    expect(await page.locator('#reply .composer-answers').count()).toBe(0);
    await Promise.all([page.waitForURL(/#p\d+$/), page.locator('#reply').getByRole('button', { name: 'Post reply' }).click()]);
    const posted = page.locator(`article${new URL(page.url()).hash}`);
    expect(await posted.locator('.prose').textContent()).toContain('A general point, not about #1');
    expect(await posted.locator('.reply-to').count()).toBe(0);
    expect(problems.list).toEqual([]);
  } finally {
    await context.close();
  }
});

test('a new thread half written keeps its title and text through a reload, and is listed on the drafts page', { timeout: 60_000 }, async () => {
  const context = await newContext(harness);
  await context.addCookies(await sessionCookies(harness, member));
  try {
    const { page, problems } = await openPage(context);
    await page.goto(`${boardPath}/new`);
    await page.getByLabel('Title', { exact: true }).fill('Heliox in 2026: anyone?');
    await page.getByLabel('Message', { exact: true }).fill('We still stock it for **upper airway** obstruction.');
    await page.locator('[data-draft-status]').getByText(/^Draft saved at .+\. Only you can see it\.$/).waitFor({ timeout: 10_000 });
    await page.reload();
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('Heliox in 2026: anyone?');
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('We still stock it for **upper airway** obstruction.');

    await page.goto('/drafts');
    const link = page.getByRole('link', { name: 'Heliox in 2026: anyone?' });
    expect(await link.getAttribute('href')).toBe(`${boardPath}/new`);
    await saveScreenshot(page, 'drafts-page');
    // Discarded from the form: gone from the form and from the list.
    await link.click();
    // It asks first: the text goes with it.
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await Promise.all([page.waitForURL(`**${boardPath}/new`), page.getByRole('button', { name: 'Discard draft' }).click()]);
    expect(asked).toContain('Discard this draft?');
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('');
    await page.goto('/drafts');
    expect(await page.getByRole('link', { name: 'Heliox in 2026: anyone?' }).count()).toBe(0);
    expect(problems.list).toEqual([]);
  } finally {
    await context.close();
  }
});

test('signed out elsewhere while writing: the page says the draft is no longer being saved, and why', { timeout: 60_000 }, async () => {
  const writer = await createMember(harness.app);
  const context = await newContext(harness);
  await context.addCookies(await sessionCookies(harness, writer));
  try {
    const { page, problems } = await openPage(context);
    await page.goto(threadPath);
    await harness.app.services.accounts.signOutEverywhere(writer.viewer);
    await page.locator('#reply').getByLabel('Message', { exact: true }).fill('Words that must not be lost');
    await page.locator('[data-draft-status]').getByText('You are signed out, so this draft is not being saved. Copy your text, then sign in again.').waitFor({ timeout: 10_000 });
    expect(await page.locator('#reply').getByLabel('Message', { exact: true }).inputValue()).toBe('Words that must not be lost');
    // The page's other requests are refused too now (live updates, the preview); nothing may throw.
    expect(problems.list.filter((p) => p.startsWith('pageerror'))).toEqual([]);
  } finally {
    await context.close();
  }
});
