import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from './app.ts';

/** The value of the first `_csrf` hidden input in a page, or undefined when it has none. */
export function csrfTokenIn(html: string): string | undefined {
  for (const input of html.match(/<input\b[^>]*>/g) ?? []) {
    if (!/\bname="_csrf"/.test(input)) continue;
    return /\bvalue="([^"]*)"/.exec(input)?.[1];
  }
  return undefined;
}

/** Decodes the entities preact writes into attribute values and text. */
export function decodeHtml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * A browser for `app.inject`: keeps cookies across requests (honouring deletions) and posts
 * forms the way a page would, with the CSRF token of the last page it loaded.
 */
/** The fields of an error page's "Send again" form, as a browser would submit them. */
export function retryFields(html: string): Record<string, string> {
  const form = /<form[^>]*class="kept-text retry-form"[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1] ?? '';
  const fields: Record<string, string> = {};
  for (const input of form.match(/<input\b[^>]*>/g) ?? []) {
    const name = /\bname="([^"]*)"/.exec(input)?.[1];
    if (name) fields[name] = decodeHtml(/\bvalue="([^"]*)"/.exec(input)?.[1] ?? '');
  }
  for (const area of form.matchAll(/<textarea\b[^>]*\bname="([^"]*)"[^>]*>([\s\S]*?)<\/textarea>/g)) fields[area[1]!] = decodeHtml(area[2]!);
  return fields;
}

export class Agent {
  readonly cookies = new Map<string, string>();
  /** The `_csrf` value of the last page that carried one. */
  csrf: string | undefined;

  constructor(
    private readonly app: TestApp,
    private readonly headers: Record<string, string> = { 'user-agent': 'vitest-agent' },
  ) {}

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.remember(await this.app.inject({ method: 'GET', url, headers: this.requestHeaders() }));
  }

  /** Loads a page and follows redirects (GET after 303), like a browser would, up to a few hops. */
  async open(url: string): Promise<LightMyRequestResponse> {
    let res = await this.get(url);
    for (let hops = 0; hops < 5 && res.statusCode >= 300 && res.statusCode < 400; hops++) res = await this.get(locationOf(res).split('#')[0]!);
    return res;
  }

  /**
   * Posts a form, form-urlencoded, with the CSRF token of the last page unless `csrf: false`
   * (or an explicit `_csrf` field) says otherwise.
   */
  async postForm(url: string, fields: Record<string, string>, options: { csrf?: boolean; accept?: string } = {}): Promise<LightMyRequestResponse> {
    const form = new URLSearchParams(fields);
    if (options.csrf !== false && !('_csrf' in fields) && this.csrf !== undefined) form.set('_csrf', this.csrf);
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        headers: { ...this.requestHeaders(), 'content-type': 'application/x-www-form-urlencoded', ...(options.accept ? { accept: options.accept } : {}) },
        payload: form.toString(),
      }),
    );
  }

  /** Loads `page` first (for its CSRF token), then posts the form to `action`. */
  async submit(page: string, action: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
    const loaded = await this.get(page);
    if (loaded.statusCode !== 200) throw new Error(`GET ${page} answered ${loaded.statusCode}, expected 200`);
    return this.postForm(action, fields);
  }

  private requestHeaders(): Record<string, string> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    return cookie ? { ...this.headers, cookie } : { ...this.headers };
  }

  private remember(res: LightMyRequestResponse): LightMyRequestResponse {
    storeCookies(this.cookies, res.headers['set-cookie']);
    const type = res.headers['content-type'];
    if (typeof type === 'string' && type.startsWith('text/html')) {
      const token = csrfTokenIn(res.body);
      if (token !== undefined) this.csrf = token;
    }
    return res;
  }
}

export function locationOf(res: LightMyRequestResponse): string {
  const location = res.headers.location;
  if (typeof location !== 'string') throw new Error(`expected a redirect, got ${res.statusCode}`);
  return location;
}

/** Applies a response's Set-Cookie lines to a cookie jar, honouring deletions and expiry. */
export function storeCookies(jar: Map<string, string>, setCookie: string | string[] | number | undefined): void {
  for (const line of setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [String(setCookie)]) {
    const [pair = '', ...attributes] = line.split(';');
    const at = pair.indexOf('=');
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    const expired = attributes.some((a) => {
      const [key = '', val = ''] = a.split('=').map((s) => s.trim());
      if (key.toLowerCase() === 'max-age') return Number(val) <= 0;
      if (key.toLowerCase() === 'expires') return new Date(val).getTime() <= Date.now();
      return false;
    });
    if (expired || value === '') jar.delete(name);
    else jar.set(name, value);
  }
}
