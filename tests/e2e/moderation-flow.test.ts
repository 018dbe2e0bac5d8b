import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { newContext, openPage, saveScreenshot, sessionCookies, startBrowserHarness, type BrowserHarness, type PageProblems } from '../helpers/browser.ts';
import { createMember, createSpaceWithBoard, type TestMember } from '../helpers/factories.ts';

/*
 * Moderation end to end in a real browser (issue 4): a member flags a post → it appears in the
 * review queue → a moderator opens it with the keyboard and hides it with a reason → the author
 * sees why → edits → asks for another review → the moderator restores it → everyone sees it again.
 * Screenshots of the queue, the item and the author's notice (desktop and phone) are saved for a
 * person to look at.
 */

let harness: BrowserHarness;
let author: TestMember;
let flagger: TestMember;
let moderator: TestMember;
let admin: TestMember;
let threadPath: string;
let flaggablePostId: number;

const TITLE = 'Discharge letters that GPs can actually use';
const OPENING = 'What do you put in the first three lines of a discharge letter?';
const OFFENDING = 'Example from today: Mrs Eleanor Price, 14 Mill Lane, admitted with urosepsis — her GP never got the letter.';
const FIXED = 'Example from today: an older woman admitted with urosepsis — her GP never got the letter.';
const NOTE = 'Names a patient and her home address.';
const REASON = 'It names a patient and her address. Please remove anything that identifies her.';

beforeAll(async () => {
  harness = await startBrowserHarness();
  const { app } = harness;
  admin = await createMember(app, { role: 'admin', handle: 'rounds_admin' });
  [author, flagger, moderator] = await Promise.all([
    createMember(app, { handle: 'amara_okafor' }),
    createMember(app, { handle: 'jonas_weber' }),
    createMember(app, { handle: 'sam_moderator', role: 'moderator' }),
  ]);
  const profile = (m: TestMember, displayName: string, title: string, specialty: string) =>
    app.services.accounts.updateProfile(m.viewer, { displayName, title, specialty, institution: 'St Brigid’s Teaching Hospital', bio: '' });
  await Promise.all([
    profile(author, 'Dr Amara Okafor', 'Consultant', 'Acute medicine'),
    profile(flagger, 'Dr Jonas Weber', 'Registrar', 'General practice'),
    profile(moderator, 'Sam Moderator', 'Site moderator', ''),
  ]);
  const { space, board } = await createSpaceWithBoard(app, admin, { name: 'Acute Medicine' });
  await app.services.spaces.renameBoard(admin.viewer, board.id, { name: 'Handover and discharge', description: 'Getting patients home safely.' });
  void space;
  const thread = await app.services.forum.createThread(flagger.viewer, { boardId: board.id, title: TITLE, body: OPENING });
  await app.services.forum.reply(author.viewer, thread.threadId, { body: OFFENDING });
  flaggablePostId = thread.postId;
  // A second, lower-priority item, so the queue shows more than one row.
  const other = await app.services.forum.createThread(author.viewer, { boardId: board.id, title: 'Rota for the bank holiday', body: 'Who can cover Monday nights? Ping me.' });
  await app.services.moderation.flagPost(flagger.viewer, other.postId, { reason: 'off_topic', note: 'Belongs in the rota board.' });
  threadPath = `/t/${thread.threadId}/${thread.slug}`;
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

async function contextFor(member: TestMember, options: { phone?: boolean } = {}) {
  const context = await newContext(harness, options.phone ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } : { viewport: { width: 1280, height: 900 } });
  await context.addCookies(await sessionCookies(harness, member));
  return context;
}

async function fitsTheWindow(page: Page) {
  const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  expect(widths.scroll, `${page.url()} scrolls sideways`).toBeLessThanOrEqual(widths.inner);
}

/** Every visible form control has an accessible name (a label, aria-label or aria-labelledby). */
async function everyControlLabelled(page: Page) {
  const unlabelled = await page.evaluate(() =>
    Array.from(document.querySelectorAll('input:not([type="hidden"]), select, textarea'))
      .filter((el) => {
        const control = el as HTMLInputElement;
        return !(control.labels && control.labels.length > 0) && !control.getAttribute('aria-label') && !control.getAttribute('aria-labelledby');
      })
      .map((el) => (el as HTMLInputElement).name),
  );
  expect(unlabelled, `${page.url()}: controls without a label`).toEqual([]);
}

const h1 = async (page: Page) => ((await page.locator('h1').first().textContent()) ?? '').trim();
const post2 = (page: Page) => page.locator('article#p2');

test('flag → queue → hide with a reason → the author edits and asks again → restored', { timeout: 120_000 }, async () => {
  const flaggerContext = await contextFor(flagger);
  const modContext = await contextFor(moderator);
  const authorContext = await contextFor(author);
  const problems: PageProblems[] = [];
  try {
    // 1. A member flags the post.
    const f = await openPage(flaggerContext);
    problems.push(f.problems);
    await f.page.goto(threadPath);
    await post2(f.page).getByRole('link', { name: 'Flag post 2 for moderators' }).click();
    expect(await h1(f.page)).toBe('Flag post #2');
    await everyControlLabelled(f.page);
    await f.page.getByLabel('Confidentiality breach').check();
    await f.page.getByLabel('Note for the moderators').fill(NOTE);
    await Promise.all([f.page.waitForURL((url) => url.pathname === threadPath), f.page.getByRole('button', { name: 'Send flag' }).click()]);
    expect(await f.page.getByRole('status').first().textContent()).toContain('A moderator will look at the post.');
    expect(await post2(f.page).locator('.own-flag-text').textContent()).toBe('You flagged this');
    expect(await post2(f.page).getByRole('button', { name: 'Withdraw' }).count()).toBe(1);

    // 2. The moderator finds it in the queue from the header link, and opens it with the keyboard.
    const m = await openPage(modContext);
    problems.push(m.problems);
    await m.page.goto('/');
    const queueLink = m.page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: /Review queue/ });
    expect(await queueLink.textContent()).toContain('2');
    await queueLink.click();
    expect(await h1(m.page)).toBe('Review queue');
    const first = m.page.locator('[data-queue-item]').first();
    expect(await first.textContent()).toContain(TITLE);
    expect(await first.textContent()).toContain('Confidentiality breach');
    await everyControlLabelled(m.page);
    await saveScreenshot(m.page, 'moderation-queue-desktop');
    await m.page.keyboard.press('j');
    expect(await m.page.evaluate(() => document.activeElement?.textContent ?? '')).toContain(TITLE);
    expect(await first.getAttribute('class')).toContain('is-current');
    await m.page.keyboard.press('j');
    expect(await m.page.evaluate(() => document.activeElement?.textContent ?? '')).toContain('Rota for the bank holiday');
    await m.page.keyboard.press('k');
    await Promise.all([m.page.waitForURL(/\/mod\/queue\/\d+$/), m.page.keyboard.press('Enter')]);
    expect(await h1(m.page)).toMatch(/^Flagged #\d+$/);
    expect(await m.page.locator('.flag-note').first().textContent()).toBe(NOTE);
    expect(await m.page.locator('.item-post').textContent()).toContain('Mrs Eleanor Price');
    await everyControlLabelled(m.page);
    await saveScreenshot(m.page, 'moderation-item-desktop');

    // 3. Hide, with the keyboard shortcut: "2" picks Hide and moves to the reason. Only while focus
    // is on nothing or in the form: a digit pressed on a link elsewhere chooses nothing.
    await m.page.getByRole('link', { name: 'Home' }).first().focus();
    await m.page.keyboard.press('3');
    expect(await m.page.locator('form[data-decision-form] input[type="radio"]:checked').count()).toBe(0);
    await m.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await m.page.keyboard.press('2');
    expect(await m.page.getByRole('radio', { name: /Hide/ }).isChecked()).toBe(true);
    expect(await m.page.evaluate(() => (document.activeElement as HTMLTextAreaElement | null)?.name)).toBe('reason');
    await m.page.keyboard.type(REASON);
    await Promise.all([m.page.waitForURL(/\/mod\/queue\/\d+$/), m.page.getByRole('button', { name: 'Decide and go to the next item' }).click()]);
    expect(await m.page.getByRole('status').first().textContent()).toContain('Decided: Hide. Here is the next item.');
    expect(await m.page.locator('.item-post').textContent()).toContain('Who can cover Monday nights?');

    // 4. The post is gone for other members…
    await f.page.goto(threadPath);
    expect(await f.page.locator('main').textContent()).not.toContain('Mrs Eleanor Price');

    // 5. …and its author sees why, and what to do.
    const a = await openPage(authorContext);
    problems.push(a.problems);
    await a.page.goto(threadPath);
    const notice = post2(a.page).locator('.author-notice');
    expect(await notice.textContent()).toContain('Hidden: other members cannot see this post.');
    expect(await notice.textContent()).toContain(REASON);
    await saveScreenshot(a.page, 'moderation-author-notice-desktop');
    await notice.getByRole('link', { name: 'Edit the post' }).click();
    await a.page.getByLabel('Message', { exact: true }).fill(FIXED);
    await Promise.all([a.page.waitForURL((url) => url.pathname === threadPath), a.page.getByRole('button', { name: 'Save changes' }).click()]);
    await post2(a.page).locator('.author-notice').getByRole('link', { name: 'Ask for another review' }).click();
    expect(await h1(a.page)).toBe('Ask for another review of post #2');
    await everyControlLabelled(a.page);
    await a.page.getByLabel('What did you change? (optional)').fill('Removed her name and address.');
    await Promise.all([a.page.waitForURL((url) => url.pathname === threadPath), a.page.getByRole('button', { name: 'Ask for another review' }).click()]);
    expect(await a.page.getByRole('status').first().textContent()).toContain('A moderator will look at your edited post.');

    // 6. The moderator restores it.
    await m.page.goto('/mod/queue?kind=review_request');
    const request = m.page.locator('[data-queue-item]', { hasText: TITLE });
    expect(await request.textContent()).toContain('Removed her name and address.');
    await request.getByRole('link').first().click();
    expect(await m.page.locator('.author-note').textContent()).toBe('Removed her name and address.');
    expect(await m.page.locator('.revision-detail').count()).toBeGreaterThan(0);
    await m.page.getByRole('radio', { name: /Restore/ }).check();
    await m.page.getByLabel('Reason', { exact: true }).fill('Thank you for fixing it.');
    await Promise.all([m.page.waitForURL((url) => url.pathname === '/mod/queue' || /\/mod\/queue\/\d+$/.test(url.pathname)), m.page.getByRole('button', { name: 'Decide and go to the next item' }).click()]);
    expect(await m.page.getByRole('status').first().textContent()).toContain('Decided: Restore.');

    // 7. Everyone sees the corrected post again; the log and the public page say what happened.
    await f.page.goto(threadPath);
    expect(await post2(f.page).textContent()).toContain('an older woman admitted with urosepsis');
    await m.page.goto('/mod/log');
    expect(await m.page.locator('.log-list').textContent()).toContain(REASON);
    const visitor = await newContext(harness);
    try {
      const v = await openPage(visitor);
      problems.push(v.problems);
      await v.page.goto('/');
      await v.page.getByRole('link', { name: 'Moderation log' }).click();
      expect(await h1(v.page)).toBe('Moderation log');
      expect(await v.page.locator('.log-list').textContent()).toContain(REASON);
      expect(await v.page.locator('.log-list').textContent()).not.toContain('sam_moderator');
    } finally {
      await visitor.close();
    }

    for (const p of problems) expect(p.list).toEqual([]);
  } finally {
    await Promise.all([flaggerContext.close(), modContext.close(), authorContext.close()]);
  }
});

test('the moderation pages fit a phone and read well in the dark', { timeout: 90_000 }, async () => {
  // A fresh hidden post and an open item to look at.
  const { app } = harness;
  const thread = await app.services.forum.createThread(author.viewer, {
    boardId: (await app.services.spaces.directory(author.viewer))[0]!.boards[0]!.id,
    title: 'Sepsis screening tool at triage',
    body: 'We are piloting the new screening tool. Try it on every adult with a fever — it is definitely never wrong.',
  });
  await app.services.moderation.flagPost(flagger.viewer, thread.postId, { reason: 'misinformation', note: 'No screening tool is never wrong.' });
  const { items } = await app.services.moderation.queue(moderator.viewer, { sort: 'priority', status: 'open' });
  const itemId = items.find((i) => i.postId === thread.postId)!.id;
  await app.services.moderation.decide(moderator.viewer, itemId, { decision: 'hide', reason: 'Overstates what the tool can do; please add the evidence.' });
  await app.services.moderation.flagPost(flagger.viewer, (await app.services.forum.createThread(author.viewer, { boardId: (await app.services.spaces.directory(author.viewer))[0]!.boards[0]!.id, title: 'Parking at the new wing', body: 'Anyone know where staff park now?' })).postId, { reason: 'off_topic' });

  for (const scheme of ['light', 'dark'] as const) {
    const modPhone = await contextFor(moderator, { phone: true });
    const authorPhone = await contextFor(author, { phone: true });
    try {
      const m = await openPage(modPhone);
      await m.page.emulateMedia({ colorScheme: scheme });
      await m.page.goto('/mod/queue');
      await fitsTheWindow(m.page);
      await saveScreenshot(m.page, `moderation-queue-phone-${scheme}`);
      await m.page.locator('[data-queue-link]').first().click();
      await fitsTheWindow(m.page);
      await saveScreenshot(m.page, `moderation-item-phone-${scheme}`);
      const a = await openPage(authorPhone);
      await a.page.emulateMedia({ colorScheme: scheme });
      await a.page.goto(`/t/${thread.threadId}/${thread.slug}`);
      await fitsTheWindow(a.page);
      await saveScreenshot(a.page, `moderation-author-notice-phone-${scheme}`);
      await a.page.goto('/me/moderation');
      await fitsTheWindow(a.page);
      await saveScreenshot(a.page, `moderation-mine-phone-${scheme}`);
      expect(m.problems.list).toEqual([]);
      expect(a.problems.list).toEqual([]);
    } finally {
      await Promise.all([modPhone.close(), authorPhone.close()]);
    }
  }
});

test('the other moderation pages: labelled, phone-sized, screenshotted', { timeout: 90_000 }, async () => {
  const pages: { name: string; as: TestMember | null; path: () => string; h1: string }[] = [
    { name: 'moderation-flag-form', as: author, path: () => `/p/${flaggablePostId}/flag`, h1: 'Flag post #1' },
    { name: 'moderation-settings', as: admin, path: () => '/admin/moderation', h1: 'Moderation settings' },
    { name: 'moderation-member-record', as: moderator, path: () => `/u/${author.handle}/moderate`, h1: 'Moderate Dr Amara Okafor' },
    { name: 'moderation-log', as: moderator, path: () => '/mod/log', h1: 'Moderation log' },
    { name: 'moderation-public-log', as: null, path: () => '/moderation', h1: 'Moderation log' },
  ];
  await harness.app.services.moderation.updateSettings(admin.viewer, {
    ...(await harness.app.services.moderation.settings()),
    watchedWords: [
      { word: 'casino', action: 'block', replacement: '' },
      { word: 'miracle cure', action: 'hold', replacement: '' },
    ],
  });
  for (const phone of [false, true]) {
    for (const spec of pages) {
      const context = spec.as ? await contextFor(spec.as, { phone }) : await newContext(harness, phone ? { viewport: { width: 390, height: 844 }, isMobile: true } : {});
      try {
        const { page, problems } = await openPage(context);
        const response = await page.goto(spec.path());
        expect(response?.status(), spec.name).toBe(200);
        expect(await h1(page)).toBe(spec.h1);
        await everyControlLabelled(page);
        await fitsTheWindow(page);
        await saveScreenshot(page, `${spec.name}-${phone ? 'phone' : 'desktop'}`);
        expect(problems.list).toEqual([]);
      } finally {
        await context.close();
      }
    }
  }
});

test('on a phone, flagging an opening post comes back to the thread with its title and the notice both in view', { timeout: 60_000 }, async () => {
  const phone = await contextFor(author, { phone: true });
  try {
    const { page, problems } = await openPage(phone);
    await page.goto(threadPath);
    await page.locator('article#p1').getByRole('link', { name: 'Flag post 1 for moderators' }).click();
    await page.getByLabel('Off-topic').check();
    await Promise.all([page.waitForURL((url) => url.pathname === threadPath), page.getByRole('button', { name: 'Send flag' }).click()]);
    const notice = page.locator('article#p1 [data-flash]');
    expect(await notice.textContent()).toContain('A moderator will look at the post.');
    const inView = async (selector: string) => {
      const box = await page.locator(selector).first().boundingBox();
      return box !== null && box.y >= 0 && box.y + box.height <= 844;
    };
    // Where the page comes to rest (it scrolls smoothly, after the load).
    await page.waitForLoadState('load');
    let last = -1;
    await expect.poll(async () => {
      const y = await page.evaluate(() => new Promise<number>((resolve) => setTimeout(() => resolve(window.scrollY), 250)));
      const settled = y === last;
      last = y;
      return settled;
    }).toBe(true);
    expect(await inView('h1')).toBe(true);
    expect(await inView('article#p1 [data-flash]')).toBe(true);
    expect(problems.list).toEqual([]);
  } finally {
    await phone.close();
  }
});
