import type { BrowserContext, Cookie } from 'playwright-core';
import { afterAll, beforeAll, test } from 'vitest';
import { accessibilityViolations, newContext, openPage, saveScreenshot, sessionCookies, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { createMember, createSpaceWithBoard, type TestMember } from '../helpers/factories.ts';

/*
 * Every main page in a small, believable community, on a desktop and a phone, light and dark:
 * a screenshot to look at, and the checks a page must pass before it is finished (DESIGN.md §4.9):
 * the right status, one h1, a label for every control, alt text on images, no sideways scrolling,
 * and nothing axe-core finds against WCAG 2.1 AA.
 */

let harness: BrowserHarness;
const seeded = {} as {
  spaceSlug: string;
  boardPath: string;
  threadPath: string;
  threadTitle: string;
  memberHandle: string;
  memberName: string;
  cookies: Record<'member' | 'admin', Cookie[]>;
};

/** A stand-in image host: the posts link real-looking https images, and nothing leaves the machine. */
const IMAGE_HOST = 'https://images.rounds-demo.example';
const ECG_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="160" viewBox="0 0 640 160">
<rect width="640" height="160" fill="#fff6f6"/><path d="M0 80h60l10-50 12 100 10-60h70l10-50 12 100 10-60h70l10-50 12 100 10-60h70l10-50 12 100 10-60h70l10-50 12 100 10-60h60" fill="none" stroke="#b42318" stroke-width="2"/></svg>`;

async function profile(member: TestMember, displayName: string, title: string, specialty: string, institution: string, bio = '') {
  await harness.app.services.accounts.updateProfile(member.viewer, { displayName, title, specialty, institution, bio });
  member.viewer = { ...member.viewer, displayName };
}

async function seedCommunity() {
  const { app } = harness;
  const { spaces, forum } = app.services;

  // Members are independent of each other (and password hashing runs off the main thread).
  const [admin, amara, jonas, priya] = await Promise.all([
    createMember(app, { role: 'admin', handle: 'rounds_admin' }),
    createMember(app, { handle: 'amara_okafor' }),
    createMember(app, { handle: 'jonas_weber' }),
    createMember(app, { handle: 'priya_raman' }),
  ]);
  await Promise.all([
    profile(admin, 'Rounds Admin', 'Site administrator', '', 'St Brigid’s Teaching Hospital'),
    profile(
      amara,
      'Dr Amara Okafor',
      'Consultant',
      'Emergency medicine',
      'St Brigid’s Teaching Hospital',
      'Emergency physician with an interest in **resuscitation** and teaching.\n\n- ALS instructor\n- Simulation lead',
    ),
    profile(jonas, 'Dr Jonas Weber', 'Registrar', 'Cardiology', 'Northgate University Hospital'),
    profile(priya, 'Priya Raman', 'Advanced nurse practitioner', 'Acute care', 'St Brigid’s Teaching Hospital'),
  ]);

  // Spaces and boards, one after another: their order on the page is the order they were made.
  const em = await spaces.createSpace(admin.viewer, { name: 'Emergency Medicine', description: 'Cases, protocols and rota talk for the emergency department team.' });
  const cases = await spaces.createBoard(admin.viewer, em.id, { name: 'Case discussions', description: 'De-identified cases and what we learned from them.' });
  const protocols = await spaces.createBoard(admin.viewer, em.id, { name: 'Protocols & guidelines', description: 'Local pathways, with the evidence behind them.' });
  const edu = await spaces.createSpace(admin.viewer, { name: 'Medical Education', description: 'Teaching, assessment and everything in between.' });
  const teaching = await spaces.createBoard(admin.viewer, edu.id, { name: 'Teaching rounds', description: 'Session plans and what worked.' });
  const lounge = await createSpaceWithBoard(app, admin, { level: 'members', name: 'Residents’ Lounge' });
  await spaces.changeSpaceDetails(admin.viewer, lounge.space.id, { name: 'Residents’ Lounge', description: 'For residents only: rota, leave and life outside the hospital.' });
  await spaces.renameBoard(admin.viewer, lounge.board.id, { name: 'Rota swaps', description: 'Swaps, cover and leave.' });

  // A pinned thread.
  const rules = await forum.createThread(admin.viewer, {
    boardId: cases.id,
    title: 'Read first: how we write up cases here',
    body: 'Before you post a case:\n\n1. Remove names, dates of birth and record numbers.\n2. Round ages and change details that do not matter clinically.\n3. Say what you are asking.\n\nThank you for keeping this space safe for everyone.',
  });
  await forum.setThreadState(admin.viewer, rules.threadId, { pinned: true });

  // The rich thread: table, image, code block, quote, reply-to, an edited and a removed post.
  const title = 'Broad-complex tachycardia in a 34-year-old: VT or SVT with aberrancy?';
  const bct = await forum.createThread(amara.viewer, {
    boardId: cases.id,
    title,
    body: [
      'Stable 34-year-old, palpitations for two hours, BP 118/74. No structural heart disease known.',
      '',
      '| Finding | Value | Interpretation |',
      '| --- | --- | --- |',
      '| Rate | 184/min | Regular, broad complexes |',
      '| QRS width | 168 ms | Favours ventricular origin |',
      '| Axis | −75° | Northwest: strongly suggests VT |',
      '| AV dissociation | Capture beat in II | Diagnostic of ventricular tachycardia |',
      '',
      `![Rhythm strip, lead II, showing a broad-complex tachycardia](${IMAGE_HOST}/ecg-lead-ii.svg)`,
      '',
      'We treated it as **VT** and gave amiodarone. Would you have done the same?',
    ].join('\n'),
  });
  const jonasReply = await forum.reply(jonas.viewer, bct.threadId, {
    body: 'Capture beats are close to diagnostic. Our ECG note template for these:\n\n```text\nQRS width    168 ms   (> 140 ms favours VT)\nAxis         -75 deg  (extreme axis favours VT)\nAV dissoc.   yes      (capture beat in II)\nVerdict      VT until proven otherwise\n```\n\nSynchronised DC cardioversion is also reasonable if it does not respond.',
  });
  const quote = await forum.quote(priya.viewer, bct.postId);
  await forum.reply(priya.viewer, bct.threadId, {
    body: `${quote.markdown}How long did the amiodarone infusion take to work? We see a lot of hypotension with the loading dose.`,
    replyToPostId: bct.postId,
  });
  const toEdit = await forum.reply(jonas.viewer, bct.threadId, { body: 'Worth repeating the ECG in sinus rhythm to look for pre-excitation.' });
  const current = await forum.post(jonas.viewer, toEdit.postId);
  await forum.edit(jonas.viewer, toEdit.postId, {
    body: 'Worth repeating the ECG in sinus rhythm to look for pre-excitation and a Brugada pattern. _Edited: added Brugada._',
    baseRevision: current.revision,
  });
  const removed = await forum.reply(priya.viewer, bct.threadId, { body: 'Posted in the wrong thread, sorry.' });
  await forum.remove(priya.viewer, removed.postId);
  await forum.reply(amara.viewer, bct.threadId, {
    body: 'Thanks both. It settled after about 20 minutes; the repeat ECG was normal and cardiology saw her the next day.',
    replyToPostId: jonasReply.postId,
  });

  // A locked thread in the members-only space, and a little more elsewhere.
  const rota = await forum.createThread(priya.viewer, {
    boardId: lounge.board.id,
    title: 'Christmas cover 2024 (closed)',
    body: 'All shifts are covered, thank you! Locking this so the rota stays as agreed.',
  });
  await forum.setThreadState(admin.viewer, rota.threadId, { locked: true });
  const sepsis = await forum.createThread(jonas.viewer, {
    boardId: protocols.id,
    title: 'Updated sepsis pathway (v3.2)',
    body: 'The main change: **lactate at triage** for anyone with a NEWS2 of 5 or more.',
  });
  await forum.reply(amara.viewer, sepsis.threadId, { body: 'Good change. Can we get the point-of-care analyser moved to majors?' });
  const abg = await forum.createThread(amara.viewer, { boardId: teaching.id, title: 'Ideas for teaching ABG interpretation', body: 'What has worked for your students? I start from _five questions_.' });
  await forum.reply(priya.viewer, abg.threadId, { body: 'Real gases from the shift (anonymised), one a day, ten minutes at handover.' });

  // Unposted drafts of hers, for the drafts page.
  await forum.saveReplyDraft(amara.viewer, sepsis.threadId, { body: 'Majors has the space by bed 4. I will ask **estates** on Monday and report back here.' });
  await forum.saveThreadDraft(amara.viewer, teaching.id, { title: 'A bedside ultrasound teaching list', body: 'Five views a registrar should be able to get in ten minutes:\n\n1. Parasternal long axis' });

  const thread = await forum.thread(amara.viewer, bct.threadId);
  const [member, adminCookies] = await Promise.all([sessionCookies(harness, amara), sessionCookies(harness, admin)]);
  Object.assign(seeded, {
    spaceSlug: em.slug,
    boardPath: `/s/${em.slug}/${cases.slug}`,
    threadPath: `/t/${thread.thread.id}/${thread.thread.slug}`,
    threadTitle: title,
    memberHandle: amara.handle,
    memberName: 'Dr Amara Okafor',
    cookies: { member, admin: adminCookies },
  });
}

// Generous: a fresh database, a browser and the seed take a while on a busy two-core machine.
beforeAll(async () => {
  harness = await startBrowserHarness();
  await seedCommunity();
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

type As = 'visitor' | 'member' | 'admin';
interface PageSpec {
  name: string;
  as: As;
  path: () => string;
  status: number;
  h1: () => string;
}

const PAGES: PageSpec[] = [
  { name: 'home', as: 'member', path: () => '/', status: 200, h1: () => 'Spaces' },
  { name: 'all-spaces', as: 'member', path: () => '/spaces', status: 200, h1: () => 'All spaces' },
  { name: 'space', as: 'member', path: () => `/s/${seeded.spaceSlug}`, status: 200, h1: () => 'Emergency Medicine' },
  { name: 'board', as: 'member', path: () => seeded.boardPath, status: 200, h1: () => 'Case discussions' },
  { name: 'thread', as: 'member', path: () => seeded.threadPath, status: 200, h1: () => seeded.threadTitle },
  { name: 'new-thread', as: 'member', path: () => `${seeded.boardPath}/new`, status: 200, h1: () => 'New thread in Case discussions' },
  { name: 'signin', as: 'visitor', path: () => '/signin', status: 200, h1: () => 'Sign in' },
  { name: 'register', as: 'visitor', path: () => '/register', status: 200, h1: () => 'Join Rounds' },
  { name: 'settings', as: 'member', path: () => '/settings', status: 200, h1: () => 'Settings' },
  { name: 'notifications', as: 'member', path: () => '/notifications', status: 200, h1: () => 'Notifications' },
  { name: 'drafts', as: 'member', path: () => '/drafts', status: 200, h1: () => 'Your drafts' },
  { name: 'profile', as: 'visitor', path: () => `/u/${seeded.memberHandle}`, status: 200, h1: () => seeded.memberName },
  { name: 'search', as: 'member', path: () => '/search?q=tachycardia%20or%20handover', status: 200, h1: () => 'Search' },
  { name: 'admin', as: 'admin', path: () => '/admin', status: 200, h1: () => 'Spaces and boards' },
  { name: 'not-found', as: 'visitor', path: () => `/s/${seeded.spaceSlug}/no-such-board`, status: 404, h1: () => 'Page not found' },
];

const VARIANTS = [
  { device: 'desktop', viewport: { width: 1280, height: 900 }, scheme: 'light' },
  { device: 'desktop', viewport: { width: 1280, height: 900 }, scheme: 'dark' },
  { device: 'phone', viewport: { width: 390, height: 844 }, scheme: 'light' },
  { device: 'phone', viewport: { width: 390, height: 844 }, scheme: 'dark' },
] as const;

/** Form controls a person can reach that have no accessible name from a label or ARIA. */
function unlabelledControls(): string[] {
  const skipped = new Set(['hidden', 'submit', 'button', 'reset']);
  const named = (el: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement) => {
    if (Array.from(el.labels ?? []).some((label) => (label.textContent ?? '').trim() !== '')) return true;
    if ((el.getAttribute('aria-label') ?? '').trim() !== '') return true;
    const ids = (el.getAttribute('aria-labelledby') ?? '').split(/\s+/).filter(Boolean);
    return ids.some((id) => (document.getElementById(id)?.textContent ?? '').trim() !== '');
  };
  return Array.from(document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>('input, textarea, select'))
    .filter((el) => !(el instanceof HTMLInputElement && skipped.has(el.type)))
    // Not rendered, so not in the accessibility tree: the settings page's hidden username
    // field, which exists only for password managers.
    .filter((el) => el.closest('[hidden]') === null)
    .filter((el) => !named(el))
    .map((el) => el.outerHTML.slice(0, 160));
}

function imagesWithoutAlt(): string[] {
  return Array.from(document.querySelectorAll('img'))
    .filter((img) => !img.hasAttribute('alt'))
    .map((img) => img.outerHTML.slice(0, 160));
}

/** Relative luminance of the body's background, 0 (black) to 1 (white). */
function backgroundLuminance(): number {
  let element: Element | null = document.body;
  let colour = 'rgba(0, 0, 0, 0)';
  while (element && /^rgba\(.*, 0\)$|^transparent$/.test(colour)) {
    colour = getComputedStyle(element).backgroundColor;
    element = element.parentElement;
  }
  const [r, g, b] = (colour.match(/[\d.]+/g) ?? ['255', '255', '255']).slice(0, 3).map((c) => {
    const v = Number(c) / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

type Variant = (typeof VARIANTS)[number];
const variantName = (v: Variant) => `${v.device}-${v.scheme}`;
const contexts = new Map<string, BrowserContext>();

beforeAll(async () => {
  const made = VARIANTS.flatMap((variant) =>
    (['visitor', 'member', 'admin'] as const).map(async (as) => {
      const phone = variant.device === 'phone' ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {};
      const context = await newContext(harness, { viewport: variant.viewport, colorScheme: variant.scheme, ...phone });
      // Only the app and the stand-in image host answer; anything else would be a leak to the web.
      await context.route(
        (url) => url.origin !== harness.baseUrl,
        (route) => (route.request().url().startsWith(`${IMAGE_HOST}/`) ? route.fulfill({ contentType: 'image/svg+xml', body: ECG_SVG }) : route.abort('blockedbyclient')),
      );
      if (as !== 'visitor') await context.addCookies(seeded.cookies[as]);
      contexts.set(`${variantName(variant)}/${as}`, context);
    }),
  );
  await Promise.all(made);
});

afterAll(async () => {
  await Promise.all([...contexts.values()].map((c) => c.close()));
});

const contextFor = (variant: Variant, as: As) => contexts.get(`${variantName(variant)}/${as}`)!;

// Pages are independent, so a few load at once (vitest's maxConcurrency): the two cores are kept
// busy between the app rendering and Chromium painting.
const CASES = VARIANTS.flatMap((variant) => PAGES.map((spec) => ({ variant, spec, label: `${spec.name}, ${variant.device}, ${variant.scheme}` })));

test.concurrent.for(CASES)('$label', async ({ variant, spec }, { expect }) => {
  const { device, scheme } = variant;
  const where = `${spec.name} (${device}, ${scheme}, as ${spec.as})`;
  const { page, problems } = await openPage(contextFor(variant, spec.as));
  try {
    const url = `${harness.baseUrl}${spec.path()}`;
    if (spec.status !== 200) problems.expectFailedLoad(url);
    const response = await page.goto(url, { waitUntil: 'load' });
    expect.soft(response?.status(), `${where}: status`).toBe(spec.status);

    const h1s = await page.locator('h1').allTextContents();
    expect.soft(h1s.map((t) => t.trim()), `${where}: exactly one h1, the page's own`).toEqual([spec.h1()]);
    expect.soft(await page.evaluate(unlabelledControls), `${where}: form controls without a label`).toEqual([]);
    expect.soft(await page.evaluate(imagesWithoutAlt), `${where}: images without alt`).toEqual([]);
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    expect.soft(widths.scroll, `${where}: page scrolls sideways (${widths.scroll}px of content in a ${widths.inner}px window)`).toBeLessThanOrEqual(widths.inner);
    // The screenshot really is in the scheme its name says.
    const luminance = await page.evaluate(backgroundLuminance);
    if (scheme === 'dark') expect.soft(luminance, `${where}: dark background`).toBeLessThan(0.2);
    else expect.soft(luminance, `${where}: light background`).toBeGreaterThan(0.6);

    expect.soft(await accessibilityViolations(page), `${where}: accessibility (axe: WCAG 2.1 A and AA, best practices)`).toEqual([]);
    // A code block or table is a tab stop exactly when it has something to scroll at this width.
    const stops = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.prose pre, .prose table')).map((el) => ({ scrolls: el.scrollWidth > el.clientWidth + 1, stop: el.getAttribute('tabindex') === '0' })),
    );
    expect.soft(stops.filter((s) => s.scrolls !== s.stop), `${where}: code blocks and tables in the tab order iff they scroll`).toEqual([]);

    await saveScreenshot(page, `${spec.name}-${device}-${scheme}`);
    expect.soft(problems.list, `${where}: browser errors`).toEqual([]);
  } finally {
    await page.close();
  }
});

test('a refused form lists each problem at the top as a link that takes the keyboard to its field', async ({ expect }) => {
  const { page, problems } = await openPage(contextFor(VARIANTS[0], 'visitor'));
  try {
    await page.goto('/register');
    await page.getByLabel('Handle', { exact: true }).fill('x');
    await page.getByLabel('Display name', { exact: true }).fill('Dr Test');
    await page.getByLabel('E-mail', { exact: true }).fill('not-an-address');
    await page.getByLabel('Password', { exact: true }).fill('short');
    // The server's messages are the subject here, not the browser's own checks.
    await page.evaluate(() => document.querySelectorAll('form').forEach((form) => (form.noValidate = true)));
    problems.expectFailedLoad(`${harness.baseUrl}/register`);
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Create account' }).click()]);
    const links = page.getByRole('alert').getByRole('link');
    const names = await links.allTextContents();
    expect(names.length).toBeGreaterThanOrEqual(2);
    expect(names.some((n) => n.startsWith('Handle: '))).toBe(true);
    expect(names.some((n) => n.startsWith('E-mail: '))).toBe(true);
    await links.filter({ hasText: /^E-mail: / }).click();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('email');
    expect(problems.list).toEqual([]);
  } finally {
    await page.close();
  }
});

test('on a phone a wide table in a post scrolls sideways; no word in it is broken across lines', async ({ expect }) => {
  const { page, problems } = await openPage(contextFor(VARIANTS[2], 'member'));
  try {
    await page.goto(seeded.threadPath);
    const table = page.locator('article#p1 table');
    const sizes = await table.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(sizes.scroll).toBeGreaterThan(sizes.client);
    const broken = await table.evaluate((el) => {
      const split: string[] = [];
      for (const cell of Array.from(el.querySelectorAll('th, td'))) {
        const text = cell.firstChild;
        if (!text || text.nodeType !== Node.TEXT_NODE) continue;
        const value = text.textContent ?? '';
        for (const match of value.matchAll(/\S+/g)) {
          const range = document.createRange();
          range.setStart(text, match.index);
          range.setEnd(text, match.index + match[0].length);
          // A word on one line has one box; one broken across lines has one per line.
          if (range.getClientRects().length > 1) split.push(match[0]);
        }
      }
      return split;
    });
    expect(broken).toEqual([]);
    expect(problems.list).toEqual([]);
  } finally {
    await page.close();
  }
});

test('the stylesheet is read as written: no rule is swallowed into another by an unclosed brace', async ({ expect }) => {
  // The house style nests no rules; a rule inside another means a brace is missing above it, and
  // every rule after that brace then applies only inside that one selector (it happened: the mail,
  // notification and search styles sat inside the mention list's highlighted item).
  const { page, problems } = await openPage(contextFor(VARIANTS[0], 'member'));
  try {
    await page.goto('/');
    const found = await page.evaluate(() => {
      const swallowed: string[] = [];
      let rules = 0;
      const walk = (list: CSSRuleList) => {
        for (const rule of Array.from(list)) {
          rules += 1;
          if (rule instanceof CSSStyleRule && rule.cssRules.length > 0) swallowed.push(`${rule.selectorText} holds ${rule.cssRules[0]?.cssText.slice(0, 80)}`);
          else if (rule instanceof CSSGroupingRule) walk(rule.cssRules);
        }
      };
      for (const sheet of Array.from(document.styleSheets)) if (sheet.href?.includes('app.css')) walk(sheet.cssRules);
      return { swallowed, rules };
    });
    expect(found.rules).toBeGreaterThan(100);
    expect(found.swallowed).toEqual([]);
    expect(problems.list).toEqual([]);
  } finally {
    await page.close();
  }
});

test('the seeded community has what the screenshots claim to show', async ({ expect }) => {
  const { page, problems } = await openPage(contextFor(VARIANTS[0], 'member'));
  try {
    await page.goto(seeded.threadPath);
    const image = page.locator('article#p1 img');
    expect(await image.getAttribute('alt')).toBe('Rhythm strip, lead II, showing a broad-complex tachycardia');
    expect(await image.evaluate(async (img: HTMLImageElement) => (await img.decode(), img.naturalWidth))).toBe(640);
    expect(await page.locator('article#p1 table tr').count()).toBe(5);
    expect(await page.locator('article#p2 pre code').textContent()).toContain('VT until proven otherwise');
    expect(await page.locator('article#p3 blockquote a').getAttribute('href')).toBe(`${seeded.threadPath}#p1`);
    expect(await page.locator('article#p4 .edited').textContent()).toBe('edited');
    expect(await page.locator('article#p5 .removed-note').textContent()).toBe('Post removed by author.');
    expect(await page.locator('article#p6 .reply-to').textContent()).toContain('in reply to @jonas_weber #2');
    await page.goto(seeded.boardPath);
    expect(await page.locator('.thread-row.pinned .thread-title').textContent()).toBe('Read first: how we write up cases here');
    await page.goto('/');
    expect(await page.locator('.thread-row', { hasText: 'Christmas cover 2024' }).locator('.badge-locked').textContent()).toBe('Locked');
    // A members-only space she has not joined: listed by name under "More spaces", its boards on /spaces.
    expect(await page.locator('.space-links li', { hasText: 'Residents’ Lounge' }).textContent()).toContain('Members only');
    await page.goto('/spaces');
    expect(await page.locator('.space-block', { hasText: 'Residents’ Lounge' }).locator('.board-name').textContent()).toBe('Rota swaps');
    expect(problems.list).toEqual([]);
  } finally {
    await page.close();
  }
});

test('on a phone the header still leads to one’s own profile, and its account links keep to one row', async ({ expect }) => {
  const phone = VARIANTS.find((v) => v.device === 'phone')!;
  const { page, problems } = await openPage(contextFor(phone, 'admin'));
  try {
    await page.goto('/');
    const account = page.getByRole('navigation', { name: 'Account' });
    const profile = account.getByRole('link', { name: 'Your profile' });
    expect(await profile.isVisible()).toBe(true);
    // An admin has the most links: queue, bell, Admin, profile, Settings, Sign out.
    const middles = await account.evaluate((nav) =>
      Array.from(nav.querySelectorAll('a, button')).map((el) => {
        const box = el.getBoundingClientRect();
        return (box.top + box.bottom) / 2;
      }),
    );
    expect(middles).toHaveLength(6);
    expect(Math.max(...middles) - Math.min(...middles), `middles ${middles.join(', ')}`).toBeLessThan(8);
    await Promise.all([page.waitForURL('**/u/rounds_admin'), profile.click()]);
    expect(await account.getByRole('link', { name: 'Your profile' }).getAttribute('aria-current')).toBe('page');
    expect(problems.list).toEqual([]);
  } finally {
    await page.close();
  }
});

test('on a 320 px phone an admin’s header links keep to two rows: the brand’s, and the account links’, each link still named', async ({ expect }) => {
  for (const scheme of ['light', 'dark'] as const) {
    const context = await newContext(harness, { viewport: { width: 320, height: 640 }, colorScheme: scheme, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    try {
      await context.addCookies(seeded.cookies.admin);
      const { page, problems } = await openPage(context);
      await page.goto('/');
      const header = page.locator('header.site-header');
      // Every link and button a pointer can reach (the skip link shows only on focus).
      const controls = header.locator('a:not(.skip-link), button');
      const middles: number[] = [];
      for (const control of await controls.all()) {
        const box = await control.boundingBox();
        if (box && box.width > 0) middles.push(Math.round(box.y + box.height / 2));
      }
      // Brand, Blogs, queue, bell, Admin, profile, Settings, Sign out.
      expect(middles).toHaveLength(8);
      const rows = middles.reduce<number[]>((found, y) => (found.some((row) => Math.abs(row - y) < 8) ? found : [...found, y]), []);
      expect(rows.length, `${scheme}: rows at ${rows.join(', ')} (middles ${middles.join(', ')})`).toBeLessThanOrEqual(2);
      // Shortened on screen, never to a screen reader or the keyboard: each keeps its full name.
      const account = page.getByRole('navigation', { name: 'Account' });
      for (const name of ['Admin', 'Your profile', 'Settings']) expect(await account.getByRole('link', { name, exact: true }).isVisible(), name).toBe(true);
      expect(await account.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
      await saveScreenshot(page, `header-phone-320-${scheme}`);
      expect(problems.list).toEqual([]);
    } finally {
      await context.close();
    }
  }
});
