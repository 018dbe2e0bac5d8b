import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { newContext, openPage, saveScreenshot, sessionCookies, startBrowserHarness, type BrowserHarness } from '../helpers/browser.ts';
import { createMember, PASSWORD, type TestMember } from '../helpers/factories.ts';

/*
 * A confidential space in a real browser (issue 3): member A creates it with ground rules, starts a
 * thread, makes an invitation link; member B opens the link, signs in, joins, is held at the ground
 * rules until accepting them, and replies; outsider C (and an anonymous visitor) get a 404 page for
 * the thread and the space, and find no trace of it on the home page.
 */

let harness: BrowserHarness;
let a: TestMember;
let b: TestMember;
let c: TestMember;

const SPACE = 'Tuesday Balint Circle';
const DESCRIPTION = 'Eight colleagues who meet every three weeks to talk about difficult cases.';
const RULES = 'We meet every three weeks.\n\n- **Everything said here stays in confidence.**\n- We hold each other accountable.';
const BOARD = 'Case reflections';
const TITLE = 'A night I keep thinking about';
const OPENING = 'A patient I could not help, and what I wish I had said to the family.';
const REPLY = 'Thank you for trusting us with this. I had a night like that last winter.';

beforeAll(async () => {
  harness = await startBrowserHarness();
  a = await createMember(harness.app, { handle: 'amara_circle' });
  b = await createMember(harness.app, { handle: 'bo_circle' });
  c = await createMember(harness.app, { handle: 'cy_outsider' });
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

const h1 = async (page: Page) => ((await page.locator('h1').first().textContent()) ?? '').trim();

async function signIn(page: Page, member: TestMember) {
  await page.getByLabel('Handle or e-mail', { exact: true }).fill(member.handle);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/signin'), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/** Navigates and returns the response of the document itself (after any redirects). */
async function visit(page: Page, path: string): Promise<Response> {
  const response = await page.goto(path);
  if (!response) throw new Error(`no response for ${path}`);
  return response;
}

test('a confidential space: create, invite by link, accept the rules, post — and an outsider gets 404', { timeout: 120_000 }, async () => {
  const contexts = await Promise.all([newContext(harness), newContext(harness), newContext(harness), newContext(harness)]);
  const [ctxA, ctxB, ctxC, ctxAnon] = contexts;
  try {
    const A = await openPage(ctxA!);
    const B = await openPage(ctxB!);
    const C = await openPage(ctxC!);
    const anon = await openPage(ctxAnon!);

    // 1. A signs in through the sign-in page and creates the space.
    await visit(A.page, '/signin');
    await signIn(A.page, a);
    await visit(A.page, '/');
    await A.page.getByRole('link', { name: 'Create a space' }).click();
    expect(await h1(A.page)).toBe('Create a space');
    await A.page.getByLabel('Name', { exact: true }).fill(SPACE);
    await A.page.getByLabel('Description', { exact: true }).fill(DESCRIPTION);
    await A.page.getByRole('radio', { name: /^Confidential/ }).check();
    await A.page.getByRole('radio', { name: /^By invitation/ }).check();
    await A.page.getByLabel('Ground rules (Markdown)', { exact: true }).fill(RULES);
    await saveScreenshot(A.page, 'confidential-create-space');
    await Promise.all([A.page.waitForURL(/\/s\/[^/]+\/manage$/), A.page.getByRole('button', { name: 'Create space' }).click()]);
    const spacePath = new URL(A.page.url()).pathname.replace(/\/manage$/, '');
    expect(await h1(A.page)).toBe(`Manage ${SPACE}`);
    expect(await A.page.getByRole('status').first().textContent()).toContain(`${SPACE} is created and you are its owner.`);

    // 2. A board: owners have no page for boards yet, so through the service as A.
    const space = await harness.app.services.spaces.spaceBySlug(a.viewer, spacePath.slice('/s/'.length));
    expect(space.level).toBe('confidential');
    expect(space.joinPolicy).toBe('invite');
    await harness.app.services.spaces.createBoard(a.viewer, space.id, { name: BOARD, description: 'What stays with us after a shift.' });

    // 3. A starts a thread from the space page.
    await visit(A.page, spacePath);
    expect(await A.page.getByRole('note', { name: 'Confidentiality of this space' }).textContent()).toContain('Only the members of this space can read it.');
    await A.page.getByRole('link', { name: BOARD, exact: true }).click();
    await A.page.getByRole('link', { name: 'New thread' }).click();
    await A.page.getByLabel('Title', { exact: true }).fill(TITLE);
    await A.page.getByLabel('Message', { exact: true }).fill(OPENING);
    await Promise.all([A.page.waitForURL(/\/t\/\d+\/[^/#]+$/), A.page.getByRole('button', { name: 'Start thread' }).click()]);
    const threadPath = new URL(A.page.url()).pathname;
    expect(await h1(A.page)).toBe(TITLE);

    // 4. A makes an invitation link on the manage page and copies it from the read-only field.
    await visit(A.page, `${spacePath}/manage`);
    await Promise.all([A.page.waitForLoadState('load'), A.page.getByRole('button', { name: 'Create an invitation link' }).click()]);
    const linkField = A.page.getByLabel(/New invitation link/);
    expect(await linkField.getAttribute('readonly')).not.toBeNull();
    const link = await linkField.inputValue();
    expect(link).toMatch(/\/invite\/[\w-]{20,}$/);
    await saveScreenshot(A.page, 'confidential-manage');
    // The link names the configured public address; in this test the app listens elsewhere.
    const invitePath = new URL(link).pathname;

    // 5. B opens the link signed out: the invitation shows the space and its rules, and asks to sign in.
    await visit(B.page, invitePath);
    expect(await h1(B.page)).toBe(`You are invited to ${SPACE}`);
    expect(await B.page.locator('.rules-text').textContent()).toContain('Everything said here stays in confidence.');
    await B.page.getByRole('link', { name: 'Sign in' }).first().click();
    await signIn(B.page, b);
    expect(new URL(B.page.url()).pathname).toBe(invitePath);
    await Promise.all([B.page.waitForURL((url) => url.pathname === spacePath), B.page.getByRole('button', { name: `Join ${SPACE}` }).click()]);
    expect(await B.page.getByRole('status').first().textContent()).toContain(`Welcome to ${SPACE}.`);
    // A member who has not accepted the rules sees them instead of the boards.
    expect(await B.page.getByRole('link', { name: BOARD, exact: true }).count()).toBe(0);
    expect(await B.page.getByRole('heading', { name: /^Ground rules \(version 1\)$/ }).count()).toBe(1);

    // 6. Going straight to the board sends B to the rules page first.
    const boardPath = `${spacePath}/${(await harness.app.services.spaces.spaceBySlug(a.viewer, space.slug)).boards[0]!.slug}`;
    await visit(B.page, boardPath);
    const gate = new URL(B.page.url());
    expect(gate.pathname).toBe(`${spacePath}/rules`);
    expect(gate.searchParams.get('next')).toBe(boardPath);
    expect(await h1(B.page)).toBe(`Ground rules of ${SPACE}`);
    expect(await B.page.locator('.rules-gate').textContent()).toContain('Everything said here stays in confidence.');
    await saveScreenshot(B.page, 'confidential-rules-gate');
    // The thread is held back the same way.
    await visit(B.page, threadPath);
    expect(new URL(B.page.url()).pathname).toBe(`${spacePath}/rules`);
    await visit(B.page, gate.pathname + gate.search);
    await Promise.all([
      B.page.waitForURL((url) => url.pathname === boardPath),
      B.page.getByRole('button', { name: 'I have read and accept these ground rules' }).click(),
    ]);
    expect(await B.page.getByRole('status').first().textContent()).toContain('Your acceptance of the ground rules is recorded.');

    // 7. B reads A's thread and replies.
    await B.page.getByRole('link', { name: TITLE, exact: true }).click();
    expect(await h1(B.page)).toBe(TITLE);
    await B.page.locator('#reply').getByLabel('Message', { exact: true }).fill(REPLY);
    await Promise.all([B.page.waitForURL(/#p2$/), B.page.getByRole('button', { name: 'Post reply' }).click()]);
    expect(await B.page.locator('article#p2 .prose').textContent()).toContain(REPLY);
    expect(await B.page.locator('article#p2 .author-name').textContent()).toBe(`Dr ${b.handle}`);
    // A mention of someone outside the space reaches nobody. The page opens at the new post, and the
    // notice that says so is there too, in view, not at the top of the page.
    await B.page.setViewportSize({ width: 390, height: 700 });
    await B.page.locator('#reply').getByLabel('Message', { exact: true }).fill(`@${c.handle} would know what to say here, I think.`);
    await Promise.all([B.page.waitForURL(/#p3$/), B.page.getByRole('button', { name: 'Post reply' }).click()]);
    const notice = B.page.locator('article#p3 [data-flash]');
    expect(await notice.textContent()).toContain(`@${c.handle} is not a member of this confidential space`);
    // (Polled: the page scrolls there smoothly.)
    await expect.poll(async () => {
      const box = await notice.boundingBox();
      return box !== null && box.y >= 0 && box.y + box.height <= 700;
    }).toBe(true);
    await saveScreenshot(B.page, 'confidential-mention-outsider-phone');
    await B.page.setViewportSize({ width: 1280, height: 900 });
    expect(await B.page.getByRole('note', { name: 'Confidentiality of this space' }).textContent()).toContain('Confidential');
    await saveScreenshot(B.page, 'confidential-thread-member');
    const memberView = await visit(B.page, threadPath);
    expect(memberView.status()).toBe(200);
    expect(await memberView.headerValue('cache-control')).toBe('private, no-store');
    expect(await memberView.headerValue('x-robots-tag')).toContain('noindex');

    // 8. Outsider C (signed in, not a member) and an anonymous visitor: 404 pages, and no trace on home.
    await ctxC!.addCookies(await sessionCookies(harness, c));
    for (const [who, page] of [['C', C], ['anonymous', anon]] as const) {
      for (const path of [threadPath, spacePath, boardPath, `${spacePath}/rules`]) {
        page.problems.expectFailedLoad(`${harness.baseUrl}${path}`);
        const res = await visit(page.page, path);
        expect(res.status(), `${who} ${path}`).toBe(404);
        expect(await h1(page.page), `${who} ${path}`).toBe('Page not found');
        const text = (await page.page.content()) + (await page.page.title());
        for (const secret of [SPACE, TITLE, OPENING, REPLY, BOARD, 'Balint']) expect(text, `${who} ${path}`).not.toContain(secret);
      }
      if (who === 'C') {
        await visit(page.page, threadPath);
        await saveScreenshot(page.page, 'confidential-404-outsider');
      }
      const home = await visit(page.page, '/');
      expect(home.status()).toBe(200);
      const html = await page.page.content();
      for (const secret of [SPACE, TITLE, BOARD, spacePath, threadPath, b.handle]) expect(html, `${who} home`).not.toContain(secret);
    }
    // A and B still see it on their home page.
    await visit(B.page, '/');
    expect(await B.page.getByRole('link', { name: SPACE, exact: true }).count()).toBe(1);

    // Nothing broke along the way: no script errors, CSP violations or unexpected failed loads.
    expect(A.problems.list).toEqual([]);
    expect(B.problems.list).toEqual([]);
    expect(C.problems.list).toEqual([]);
    expect(anon.problems.list).toEqual([]);
  } finally {
    await Promise.all(contexts.map((context) => context!.close()));
  }
});
