import { afterAll, beforeAll, expect, test } from 'vitest';
import { newContext, openPage, saveScreenshot, sessionCookies, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { createMember, type TestMember } from '../helpers/factories.ts';

/*
 * A member writes an entry in Chromium: a draft (autosaved as they type), a preview that shows
 * exactly what readers will see, publishing; a reader (JavaScript off) comments; the author sees
 * the comment and replies. Screenshots in test-artifacts/screenshots/blog-*.png.
 */

let harness: BrowserHarness;
let author: TestMember;
let reader: TestMember;

beforeAll(async () => {
  harness = await startBrowserHarness();
  author = await createMember(harness.app, { handle: 'dr_amara' });
  reader = await createMember(harness.app, { handle: 'dr_jonas' });
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

const BODY = [
  'Night shifts change how we think. These are notes from a year of them.',
  '',
  '# Sleep before the first night',
  '',
  'A **90-minute nap** in the afternoon helps more than coffee.',
  '',
  '# Handover at 7 am',
  '',
  'Use SBAR, and read it back aloud.',
  '',
  '## What we changed',
  '',
  '- A quiet room for handover',
  '- One phone, one person',
  '',
  '# Getting home safely',
  '',
  'Take the bus, not the car, after three nights in a row.',
].join('\n');

test('write a draft → autosave → preview → publish → a reader comments → the author sees it', { timeout: 120_000 }, async () => {
  const writerContext = await newContext(harness);
  await writerContext.addCookies(await sessionCookies(harness, author));
  const { page, problems } = await openPage(writerContext);

  await page.goto('/blog/new');
  await page.getByLabel('Title', { exact: true }).fill('What a year of night shifts taught me');
  await page.getByLabel('Summary (optional)').fill('Sleep, handover and getting home: what we changed on our ward.');
  await page.getByLabel('Entry', { exact: true }).fill(BODY);
  await page.getByLabel('Tags (optional)').fill('night shifts, wellbeing');
  await Promise.all([page.waitForURL(/\/blog\/\d+\/edit$/), page.getByRole('button', { name: 'Save', exact: true }).click()]);
  expect(await page.getByRole('status').first().textContent()).toContain('Draft saved');

  // Autosave: typing is saved without a click, and the saved revision moves the form on.
  const revisionBefore = await page.locator('input[name="baseRevision"]').inputValue();
  await page.getByLabel('Entry', { exact: true }).fill(`${BODY}\n\nWritten after my last night of the rota.`);
  await page.locator('[data-autosave-status]').filter({ hasText: 'Draft saved' }).waitFor({ timeout: 15_000 });
  expect(await page.locator('input[name="baseRevision"]').inputValue()).not.toBe(revisionBefore);

  // Preview (the server renders it with the readers' pipeline, heading anchors included).
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.locator('.preview h2#h-handover-at-7-am').waitFor();
  await saveScreenshot(page, 'blog-editor-preview');

  await Promise.all([page.waitForURL(/\/u\/dr_amara\/blog\/what-a-year-of-night-shifts-taught-me$/), page.getByRole('button', { name: 'Publish' }).click()]);
  expect(await page.locator('h1').textContent()).toBe('What a year of night shifts taught me');
  expect(await page.locator('.entry-body').textContent()).toContain('Written after my last night of the rota.');
  // A long entry gets a table of contents whose links reach its headings.
  await page.getByRole('navigation', { name: 'Contents' }).getByRole('link', { name: 'Getting home safely' }).click();
  expect(page.url()).toMatch(/#h-getting-home-safely$/);
  await saveScreenshot(page, 'blog-entry');

  // A reader, without JavaScript, comments.
  const readerContext = await newContext(harness, { javaScriptEnabled: false });
  await readerContext.addCookies(await sessionCookies(harness, reader));
  const { page: readerPage, problems: readerProblems } = await openPage(readerContext);
  await readerPage.goto('/blog');
  await readerPage.getByRole('link', { name: 'What a year of night shifts taught me' }).click();
  await readerPage.getByLabel('Add a comment').fill('The bus advice is underrated. We found the same after our audit.');
  await Promise.all([readerPage.waitForURL(/#c\d+$/), readerPage.getByRole('button', { name: 'Comment', exact: true }).click()]);
  expect(await readerPage.locator('.comment').first().textContent()).toContain('The bus advice is underrated.');
  await saveScreenshot(readerPage, 'blog-reader-commented');

  // The author sees it, and replies.
  await page.reload();
  expect(await page.locator('.comment').first().textContent()).toContain('The bus advice is underrated.');
  await page.locator('.reply-box summary').first().click();
  await page.getByLabel('Reply to Dr dr_jonas').fill('Thank you — which audit? I would love to read it.');
  await Promise.all([page.waitForURL(/#c\d+$/), page.getByRole('button', { name: 'Reply', exact: true }).click()]);
  expect(await page.locator('.comment-replies .comment').textContent()).toContain('which audit?');
  await saveScreenshot(page, 'blog-entry-with-comments');

  await page.goto('/blog');
  await saveScreenshot(page, 'blog-community');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/u/dr_amara/blog/what-a-year-of-night-shifts-taught-me');
  await saveScreenshot(page, 'blog-entry-phone');

  expect(problems.list).toEqual([]);
  expect(readerProblems.list).toEqual([]);
  await writerContext.close();
  await readerContext.close();
});

test('a new entry is kept as it is typed, before any Save: the page becomes its editor, and a reload finds it', { timeout: 60_000 }, async () => {
  const context = await newContext(harness);
  await context.addCookies(await sessionCookies(harness, author));
  const { page, problems } = await openPage(context);
  const status = page.locator('[data-autosave-status]');

  await page.goto('/blog/new');
  expect(await page.getByRole('button', { name: 'Publish' }).count()).toBe(0);
  // Text before a title: nothing can be kept yet, and the page says why instead of blaming the network.
  await page.getByLabel('Entry', { exact: true }).fill('Three rules for swapping shifts without losing sleep.');
  await status.filter({ hasText: 'Not saved yet. Give the entry a title' }).waitFor({ timeout: 15_000 });
  await page.getByLabel('Title', { exact: true }).fill('Rota swaps that worked');
  await status.filter({ hasText: 'Draft saved' }).waitFor({ timeout: 15_000 });
  expect(page.url()).toMatch(/\/blog\/\d+\/edit$/);
  expect(await status.textContent()).toContain('Only you can see it.');
  // Where it waits is one click away, beside the status.
  expect(await page.locator('.autosave-status').getByRole('link', { name: 'Your entries' }).getAttribute('href')).toBe('/blog/drafts');
  expect(await page.locator('.autosave-status').getByRole('link', { name: 'Your entries' }).isVisible()).toBe(true);
  // It can be published from here now, as from its editor.
  expect(await page.getByRole('button', { name: 'Publish' }).isVisible()).toBe(true);

  // The next words go to the entry it made, not to a second one.
  const saving = page.waitForResponse((r) => /\/blog\/\d+\/autosave$/.test(r.url()) && r.request().method() === 'POST');
  await page.getByLabel('Entry', { exact: true }).fill('Three rules for swapping shifts without losing sleep. And a fourth: ask early.');
  expect((await saving).status()).toBe(200);
  await page.reload();
  expect(await page.getByLabel('Entry', { exact: true }).inputValue()).toContain('And a fourth: ask early.');
  await page.goto('/blog/drafts');
  expect(await page.getByRole('link', { name: 'Rota swaps that worked' }).count()).toBe(1);

  // The browser logs the refused first save (a 422, as meant); nothing else went wrong.
  expect(problems.list.filter((p) => !p.includes('status of 422') || !p.includes('/blog/autosave'))).toEqual([]);
  await context.close();
});

test('scheduling an entry is done in the author’s own time zone, and the desk shows when it goes out', { timeout: 60_000 }, async () => {
  const draft = await harness.app.services.blogs.createDraft(author.viewer, { title: 'Grand rounds: sepsis bundles', body: 'Slides and notes.' });
  // New York in January is UTC−5.
  const context = await newContext(harness, { timezoneId: 'America/New_York', locale: 'en-US' });
  await context.addCookies(await sessionCookies(harness, author));
  const { page, problems } = await openPage(context);
  await page.goto(`/blog/${draft.id}/edit`);
  expect(await page.locator('#f-publishAt-hint').textContent()).toBe('In your time zone (America/New_York). Leave empty to publish now.');
  await page.getByLabel('Publish later at').fill('2031-01-15T10:00');
  await Promise.all([page.waitForURL(/\/blog\/\d+\/edit$/), page.getByRole('button', { name: 'Schedule' }).click()]);
  const { entry } = await harness.app.services.blogs.forEditing(author.viewer, draft.id);
  expect(entry.publishAt?.toISOString()).toBe('2031-01-15T15:00:00.000Z');
  // Back in the editor, the field shows the author's time again, not the stored UTC one. (Polled:
  // the editor's address is the same before and after, so the wait above can end before the new page's script ran.)
  await expect.poll(() => page.getByLabel('Publish later at').inputValue()).toBe('2031-01-15T10:00');

  await page.goto('/blog/drafts');
  const when = page.locator('.entry-card', { hasText: 'Grand rounds: sepsis bundles' }).locator('time[data-absolute]');
  expect(await when.textContent()).toBe('Jan 15, 2031, 10:00 AM EST');
  await saveScreenshot(page, 'blog-desk-scheduled');
  expect(problems.list).toEqual([]);
  await context.close();
});
