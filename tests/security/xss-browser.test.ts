import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { expect, test } from 'vitest';
import { renderMarkdown } from '../../server/content/render-markdown.ts';
import { loadAllVectors, vectorName } from './corpora/load-xss-corpora.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// Runs before any payload: every dialog-style sink records instead of blocking,
// so one look at window.__xss tells whether any injected script ran.
const TRAP_SCRIPT = `
window.__xss = [];
for (const name of ['alert', 'confirm', 'prompt', 'print']) {
  window[name] = (...args) => { window.__xss.push(name + '(' + args.map(String).join(', ') + ')'); };
}`;

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function corpusPage(): string {
  const articles = loadAllVectors().map(
    (vector) =>
      `<article><h1>${escapeText(vectorName(vector))}</h1>\n${renderMarkdown(vector.payload)}</article>`,
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>XSS corpus</title>
<script>${TRAP_SCRIPT}</script></head><body>
${articles.join('\n')}
</body></html>`;
}

/**
 * Checked by the browser's own parsers after it built the DOM, which is the
 * ground truth the string-level corpus test can only approximate (mutation
 * XSS, odd URL parsing).
 */
function domProblems(): string[] {
  // Array.from: the project's tsconfig has no DOM.Iterable lib.
  const problems: string[] = [];
  const scripts = document.querySelectorAll('script');
  if (scripts.length !== 1) problems.push(`${scripts.length} script elements (expected only the trap)`);
  const dangerous = 'iframe, frame, object, embed, form, base, meta:not([charset]), link, svg, math, style, template';
  for (const element of Array.from(document.body.querySelectorAll(dangerous))) {
    problems.push(`<${element.localName}> in the body`);
  }
  for (const element of Array.from(document.body.querySelectorAll('*'))) {
    for (const attribute of Array.from(element.attributes)) {
      if (attribute.name.startsWith('on') || attribute.name === 'style') {
        problems.push(`${attribute.name} on <${element.localName}>`);
      }
    }
  }
  // The page is about:blank, which relative URLs cannot resolve against, so
  // they are resolved against a stand-in origin with the browser's URL parser.
  const protocolOf = (url: string): string | null => {
    try {
      return new URL(url, 'https://rounds.invalid/t/1').protocol;
    } catch {
      return null; // unparseable: the browser cannot follow or fetch it either
    }
  };
  for (const link of Array.from(document.querySelectorAll('a[href]'))) {
    const href = link.getAttribute('href') ?? '';
    const protocol = protocolOf(href);
    if (protocol !== null && !['http:', 'https:', 'mailto:'].includes(protocol)) {
      problems.push(`link with ${protocol} URL: ${href}`);
    }
  }
  for (const image of Array.from(document.querySelectorAll('img'))) {
    const src = image.getAttribute('src') ?? '';
    if (!/^https:\/\//i.test(src.trim()) || protocolOf(src) !== 'https:') {
      problems.push(`image with non-https src: ${src}`);
    }
  }
  return problems;
}

test('no rendered corpus payload runs script or leaves a live sink in Chromium', async () => {
  if (!existsSync(CHROMIUM)) {
    // Not a skip: CI installs Chromium, and a silently skipped XSS test is a hole.
    throw new Error(`Chromium is missing at ${CHROMIUM}: install it (apt-get install -y chromium) to run this test.`);
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    // Payload images point at real hosts: nothing may leave the machine.
    await page.route('**/*', (route) => route.abort());

    const navigations: string[] = [];
    const dialogs: string[] = [];
    const pageErrors: string[] = [];
    const consoleErrors: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      // Aborted image loads are expected noise; anything else is a script's doing.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        consoleErrors.push(message.text());
      }
    });

    await page.setContent(corpusPage(), { waitUntil: 'load' });
    // Listened for only now: setContent itself commits a navigation.
    page.on('framenavigated', (frame) => navigations.push(frame.url()));
    await page.waitForTimeout(1000);

    // Soft: one run reports every kind of failure, not just the first.
    expect.soft(navigations, 'navigations started by the content (meta refresh, location=…)').toEqual([]);
    const trapped = await page.evaluate(() => (window as unknown as { __xss?: string[] }).__xss);
    expect.soft(trapped, 'dialog sinks called by injected script (undefined: the trap was clobbered)').toEqual([]);
    expect.soft(dialogs, 'real dialogs opened (trap bypassed)').toEqual([]);
    expect.soft(pageErrors, 'errors thrown by script on the page').toEqual([]);
    expect.soft(consoleErrors, 'console errors').toEqual([]);
    expect.soft(await page.evaluate(domProblems), 'dangerous DOM after parsing').toEqual([]);
    // Guard against a vacuous pass: every payload made it onto the page.
    expect(await page.locator('article').count()).toBe(loadAllVectors().length);
  } finally {
    await browser.close();
  }
}, 60_000);
