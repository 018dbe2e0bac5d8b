import { storeCookies } from './browser-session.ts';
import type { TestApp } from './app.ts';

/*
 * A small crawler over `app.inject`, for sweep tests: it fetches pages the way a browser of one
 * viewer would (keeping the cookies the site sets), follows every same-site link it finds in HTML
 * and every redirect, and hands each exchange to the caller to inspect.
 */

export type Method = 'GET' | 'HEAD';

export interface Exchange {
  method: Method;
  /** Path and query, as requested. */
  url: string;
  status: number;
  body: string;
  contentType: string;
  /** Every response header as `name: value` lines, so a test can search them like the body. */
  headers: string;
  location: string | undefined;
}

export type Fetcher = (method: Method, url: string) => Promise<Exchange>;

/** Requests as one viewer: fixed headers (a Bearer token, say) plus a cookie jar the responses fill. */
export function fetcherFor(app: TestApp, fixed: Record<string, string> = {}, cookies: Record<string, string> = {}): Fetcher {
  const jar = new Map(Object.entries(cookies));
  return async (method, url) => {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const res = await app.inject({ method, url, headers: { 'user-agent': 'sweep-crawler', ...fixed, ...(cookie ? { cookie } : {}) } });
    storeCookies(jar, res.headers['set-cookie']);
    const headers = Object.entries(res.headers)
      .map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}`)
      .join('\n');
    const location = typeof res.headers.location === 'string' ? res.headers.location : undefined;
    const contentType = typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : '';
    return { method, url, status: res.statusCode, body: res.body, contentType, headers, location };
  };
}

export function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * Every URL a browser could reach from this HTML (or feed, or sitemap) without submitting data:
 * `href` and `src` attributes, the `action` of forms sent with GET, and sitemap `<loc>`s. POST
 * forms are left alone.
 */
export function linksIn(html: string): string[] {
  const found: string[] = [];
  for (const match of html.matchAll(/<([a-z][a-z0-9]*)\b([^>]*)>/gi)) {
    const tag = match[1]!.toLowerCase();
    const attrs = match[2]!;
    const attr = (name: string) => new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`, 'i').exec(attrs)?.[1];
    for (const name of ['href', 'src']) {
      const value = attr(name);
      if (value !== undefined) found.push(decodeEntities(value));
    }
    if (tag === 'form') {
      const method = (attr('method') ?? 'get').toLowerCase();
      const action = attr('action');
      if (method === 'get' && action !== undefined) found.push(decodeEntities(action));
    }
  }
  // Sitemaps list their URLs as text.
  for (const match of html.matchAll(/<loc>\s*([^<\s]+)\s*<\/loc>/gi)) found.push(decodeEntities(match[1]!));
  return found;
}

/** The path and query of `raw` resolved against `from`, when it points at this site; else undefined. */
export function sameSitePath(raw: string, from: string, origins: string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(raw, `http://crawler.invalid${from}`);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.origin !== 'http://crawler.invalid' && !origins.includes(url.origin)) return undefined;
  return `${url.pathname}${url.search}`;
}

export interface CrawlOptions {
  /** Most requests to make; the crawl stops there and says it did not finish. */
  max: number;
  /** Origins that also count as this site (absolute links the site prints, e.g. its public URL). */
  origins: string[];
  /** Paths never to request (sign-out, say). */
  exclude: (path: string) => boolean;
  onExchange: (exchange: Exchange) => void;
}

export interface CrawlResult {
  requests: number;
  /** True when every reachable URL was fetched within `max`. */
  finished: boolean;
  urls: string[];
}

/** Breadth-first over every same-site link and redirect, each URL (fragment dropped) once. */
export async function crawl(fetch: Fetcher, starts: string[], options: CrawlOptions): Promise<CrawlResult> {
  const seen = new Set<string>();
  const queue: string[] = [];
  const enqueue = (path: string | undefined) => {
    if (path === undefined || seen.has(path) || options.exclude(path.split('?')[0]!)) return;
    seen.add(path);
    queue.push(path);
  };
  for (const start of starts) enqueue(sameSitePath(start, '/', options.origins));
  const urls: string[] = [];
  while (queue.length > 0 && urls.length < options.max) {
    const url = queue.shift()!;
    urls.push(url);
    const exchange = await fetch('GET', url);
    options.onExchange(exchange);
    if (exchange.location !== undefined) enqueue(sameSitePath(exchange.location, url, options.origins));
    if (/^text\/html|xml/.test(exchange.contentType)) {
      for (const link of linksIn(exchange.body)) enqueue(sameSitePath(link, url, options.origins));
    }
  }
  return { requests: urls.length, finished: queue.length === 0, urls };
}

/** `text` with every form of `url` a page might print (raw, percent-encoded, HTML-escaped) blanked out. */
export function withoutEcho(text: string, url: string): string {
  const path = url.split('?')[0]!;
  const escape = (s: string) => s.replace(/&/g, '&amp;');
  const forms = new Set<string>();
  for (const base of [url, path]) {
    for (const variant of [base, encodeURIComponent(base), encodeURI(base)]) {
      forms.add(variant);
      forms.add(escape(variant));
    }
  }
  let out = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join('<echo>');
  return out;
}
