import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Cookie, type Page } from 'playwright-core';
import { createTestApp, type TestApp } from './app.ts';
import { PASSWORD, type TestMember } from './factories.ts';

/*
 * Real Chromium against the real app: the app listens on a free local port in this process, and
 * one browser serves a whole test file (a launch costs about a second on the CI machine).
 */

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const SCREENSHOT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../test-artifacts/screenshots');

export interface BrowserHarness {
  app: TestApp;
  browser: Browser;
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  baseUrl: string;
  close(): Promise<void>;
}

/** Starts the app on a free port and launches Chromium; `close` stops both (call it in afterAll). */
export async function startBrowserHarness(): Promise<BrowserHarness> {
  if (!existsSync(CHROMIUM)) {
    // Never a skip: CI installs Chromium, and a silently skipped browser suite proves nothing.
    throw new Error(`Chromium is missing at ${CHROMIUM}: install it (apt-get install -y chromium) to run the browser tests.`);
  }
  const app = await createTestApp();
  let browser: Browser | undefined;
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const launched = browser;
    return {
      app,
      browser: launched,
      baseUrl: `http://127.0.0.1:${port}`,
      async close() {
        // The browser first: it may hold keep-alive connections the app would wait for.
        await launched.close().catch(() => undefined);
        await app.close();
      },
    };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    await app.close();
    throw error;
  }
}

/** A new browser context whose relative URLs resolve against the app. */
export function newContext(harness: BrowserHarness, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return harness.browser.newContext({ baseURL: harness.baseUrl, ...options });
}

/**
 * Session cookies for `member`, made the way the sign-in form makes them (the accounts service), for
 * tests whose subject is not signing in: `context.addCookies(await sessionCookies(harness, member))`.
 * One set can serve several contexts.
 */
export async function sessionCookies(harness: BrowserHarness, member: TestMember): Promise<Cookie[]> {
  const { cookie } = await harness.app.services.accounts.signIn(member.handle, PASSWORD, 'e2e');
  const { hostname } = new URL(harness.baseUrl);
  return [{ name: cookie.name, value: cookie.value, domain: hostname, path: '/', expires: -1, httpOnly: true, secure: false, sameSite: 'Lax' }];
}

export interface PageProblems {
  /** Uncaught exceptions, console errors (CSP violations are logged as those) and failed requests. */
  readonly list: string[];
  /** A console "failed to load resource" for this URL is expected (a page the test asks to be a 404). */
  expectFailedLoad(url: string): void;
}

/**
 * Records everything on `page` that a visitor's browser would flag as broken. Chromium logs CSP
 * violations ("Refused to … because it violates the following Content Security Policy directive")
 * and subresource failures as console errors, so they land here too.
 */
export function watchProblems(page: Page): PageProblems {
  const list: string[] = [];
  const expectedFailures = new Set<string>();
  page.on('pageerror', (error) => list.push(`pageerror on ${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const where = message.location().url;
    if (message.text().startsWith('Failed to load resource')) {
      if (expectedFailures.has(where)) return;
      // Chromium probes /favicon.ico on its own when a page names no icon; the layout names none
      // yet. Only that probe is let through: an icon the page does link to must load.
      if (new URL(where, page.url()).pathname === '/favicon.ico') return;
    }
    list.push(`console error on ${page.url()}: ${message.text()}${where ? ` (${where})` : ''}`);
  });
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? '';
    // ERR_ABORTED is the browser cancelling a request because the page moved on (a live preview
    // still in flight when the form is sent), not something that broke.
    if (reason === 'net::ERR_ABORTED') return;
    list.push(`request failed on ${page.url()}: ${request.method()} ${request.url()} ${reason}`);
  });
  return {
    list,
    expectFailedLoad(url: string) {
      expectedFailures.add(url);
    },
  };
}

/** A page in `context` with its problems watched. */
export async function openPage(context: BrowserContext): Promise<{ page: Page; problems: PageProblems }> {
  const page = await context.newPage();
  return { page, problems: watchProblems(page) };
}

/** Saves a full-page screenshot to test-artifacts/screenshots/<name>.png and returns the path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`Screenshot names are lower-case words and hyphens: ${name}`);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * What axe-core (Deque's engine, the one behind Lighthouse's accessibility audit) finds on the
 * page as it stands, against WCAG 2.1 A and AA and axe's best practices: one line per rule broken,
 * with the first few elements. Injected through the DevTools protocol, which the page's CSP does
 * not govern, so the page is checked under its real policy.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(`${AXE_SOURCE}\n;undefined`);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.map(String).join(' ')) }));
  });
  return violations.map((v) => `${v.id} (${v.impact ?? 'unrated'}): ${v.targets.join(' | ')}`);
}
