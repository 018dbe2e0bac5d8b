import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { brotliCompressSync, brotliDecompressSync, constants, gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { LRUCache } from 'lru-cache';
import type { EventBus } from '../events/bus.ts';
import { createChangeClock } from '../events/change-clock.ts';

/** What a page was rendered from, as its feature can re-read it cheaply: e.g. a thread's content version. */
export interface PageVersion {
  kind: string;
  id: number;
  version: string;
  /** How long the page stays right even at the same version, e.g. while it prints "5 min ago"; default: no limit. */
  maxAgeMs?: number;
}

/** Reads the current version of one kind of page for anonymous visitors; undefined when they may not read it. */
export type VersionCheck = (id: number) => Promise<string | undefined>;

type Encoding = 'br' | 'gzip' | 'identity';

interface CachedPage {
  /**
   * Kept compressed only (a 32 KB thread page is 6.5 KB in brotli's fastest form, 5 KB in its
   * stored one): five times the pages in the same memory. `br` is made on the miss at quality 1
   * and made again at quality 5 by the first hit (`brFinal`); gzip is made for the first client
   * that takes nothing better; the rare client that takes neither gets it inflated on the way out.
   */
  variants: { br: Buffer; gzip?: Buffer };
  brFinal: boolean;
  /** Weak: the same page is sent in several content-codings. */
  etag: string;
  headers: Record<string, string>;
  /** Versioned pages are checked against the database on a hit unless the event bus vouches for them. */
  version: PageVersion | null;
  /** The event count when the page's data was read (or last checked): events after it may concern it. */
  heardUpTo: number;
  /** Date.now() after which the page needs rendering again: its TTL, or when its "5 min ago" changes; Infinity for neither. */
  freshUntil: number;
  /** Date.now() after which a hit has it rendered again in the background (see REFRESH_AHEAD). */
  refreshFrom: number;
}

/**
 * How long past `freshUntil` a page may still be served to others while one request renders its
 * replacement (its version checked as always): nobody waits for a rendering just because "4 min
 * ago" became "5 min ago" or a board page's 2 s ran out.
 */
const GRACE_MS = 5000;

/**
 * A page asked for in the last fifth of its time is rendered again in the background, one page
 * after another, while it is still served as it is. A busy page is then never rendered while a
 * visitor waits for it, and a hundred pages first rendered together (a blog's entries, members'
 * profiles: each kept 2 s) do not all run out together and hold every request up behind a hundred
 * renderings at once (the blog entry and profile pages' p99 of 95–121 ms on a slow machine).
 * A page nobody asks for near its end is rendered by the next request, as before.
 */
const REFRESH_AHEAD = 0.2;

/** Marks the background refresh's own request (see `refresh`); the value is this process's secret. */
const REFRESH_HEADER = 'x-rounds-refresh';

declare module 'fastify' {
  interface FastifyInstance {
    anonymousPages: {
      /** How to re-read the version of a kind of page (`reply.pageVersion.kind`) on every hit. */
      versionCheck(kind: string, check: VersionCheck): void;
      /** Forgets every stored page: something public just became less visible (a space's level was raised). */
      clear(): void;
    };
  }
  interface FastifyReply {
    /**
     * Set by a route rendering for an anonymous visitor when the page's version can be re-read:
     * the page is then stored until that version changes instead of for the short TTL.
     */
    pageVersion: PageVersion | null;
  }
}

/** Brotli, else gzip, as Accept-Encoding allows (a listed name or `*` with a non-zero q), else identity. */
export function negotiateEncoding(header: string | undefined): Encoding {
  if (!header) return 'identity';
  const allowed = new Set<string>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) allowed.add(name.trim());
  }
  // `*` stands for gzip only: brotli is chosen when named, as every browser that supports it does.
  return (['br', 'gzip'] as const).find((encoding) => allowed.has(encoding) || (encoding === 'gzip' && allowed.has('*'))) ?? 'identity';
}

/** If-None-Match against a weak ETag: weak comparison, as RFC 9110 asks for GET. */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === opaque;
  });
}

/**
 * A 32 KB thread page, alone on one core: brotli quality 1 makes 6.5 KB in ~0.13 ms, quality 5 5.1 KB
 * in ~0.65 ms, gzip level 1 6.3 KB in ~0.24 ms (2026-11-28). A miss, which may never be asked for
 * again, pays for the fastest; a page asked for twice is worth the smaller form.
 */
function compress(body: Buffer, encoding: 'br-fast' | 'br' | 'gzip'): Buffer {
  const out =
    encoding === 'gzip'
      ? gzipSync(body, { level: 1 })
      : brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: encoding === 'br' ? 5 : 1, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
  // zlib answers with a view on its 16 KB output chunk: kept as is, a 5 KB page held 16 KB, three
  // times what the cache counts (a cold-page run reached 560 MiB RSS). Stored in memory of its own.
  const exact = Buffer.allocUnsafeSlow(out.length);
  out.copy(exact);
  return exact;
}

const pageBytes = (page: CachedPage) => page.variants.br.length + (page.variants.gzip?.length ?? 0) + 512;

/**
 * A cache of HTML pages served to visitors who carry no cookie and no credentials.
 *
 * Why it is safe: such a visitor is anonymous, and the visibility policy shows anonymous viewers
 * public content only, so every page stored here was already public. A page that sets a cookie
 * (a form with a CSRF token) or answers anything but 200 is never stored.
 *
 * Two kinds of entry:
 * - versioned (thread pages): stored with the version the page was rendered from. While the
 *   event bus is live, the database's triggers announce every change to a thread, its board or
 *   its space (LISTEN/NOTIFY, from any process), and a page no event has touched since its data
 *   was read is served without asking the database. Otherwise (bus down or reconnected, an event
 *   for the page, a page older than what we remember events for) the hit re-reads the version
 *   through the anonymous visibility predicate (one indexed, prepared statement) and is served
 *   only when it is unchanged. A reply, an edit, a removal or a raised space level changes or
 *   hides the version, so the next request renders afresh.
 *   Staleness: none for writes answered by this process (a write's answer waits until this
 *   process has heard its events); for writes elsewhere, the time a NOTIFY takes to arrive (well
 *   under a millisecond on one machine).
 * - timed (every other page, e.g. board and home): stored for `ttlMs`; they can trail a change by
 *   that long (plus one rendering, see GRACE_MS). Raising a space's level clears them at once
 *   (`clear()`).
 * A versioned page may also say how long it stays right at the same version (a thread page prints
 * "5 min ago"). A page asked for in the last fifth of its time is rendered again in the background
 * (REFRESH_AHEAD, x-cache: refresh); once a page's time has run out, one request renders it again
 * while the others are answered with it a little longer (x-cache: stale); its version is still
 * checked first. Clearing the cache also refuses every page whose rendering had begun before it.
 *
 * Hits skip the visitor session, the viewer lookup and rendering; they carry an ETag, answer a
 * matching If-None-Match with 304, and are sent brotli- or gzip-compressed when the client accepts
 * it (compressed once per page, kept beside the plain body).
 * Why it exists: a physician community's hot thread during a crisis is read thousands of times a
 * minute by visitors who are not signed in; each render costs milliseconds of CPU.
 */
export const anonymousCache = fp(async (app: FastifyInstance, options: { ttlMs: number; maxBytes: number; events?: EventBus }) => {
  const checks = new Map<string, VersionCheck>();
  const cache = options.ttlMs > 0 ? new LRUCache<string, CachedPage>({ maxSize: options.maxBytes, sizeCalculation: pageBytes }) : null;
  const { events } = options;

  // Pages are vouched for while no event for their key ("thread:12") came after their data was read.
  const clock = createChangeClock(events);
  /**
   * Counts clearings. A page whose rendering began before one (it read a space while it was still
   * public) is sent to its own request but not stored: stored after the clearing, it would outlive it.
   */
  let generation = 0;
  const forgetAll = () => {
    generation++;
    clock.forgetAll();
    cache?.clear();
  };
  if (events && cache) {
    // A board or space renamed, moved, archived or closed: every page may print it or be affected.
    events.subscribe((event) => {
      if (event.startsWith('structure:')) forgetAll();
    });
    events.onResync(() => {
      generation++;
      cache.clear();
    });
  }
  const vouched = (page: CachedPage, version: PageVersion) => events?.live === true && clock.unchangedSince(`${version.kind}:${version.id}`, page.heardUpTo);
  const startedAt = new WeakMap<FastifyRequest, { heard: number; generation: number }>();
  app.decorate('anonymousPages', {
    versionCheck: (kind: string, check: VersionCheck) => void checks.set(kind, check),
    clear: forgetAll,
  });
  app.decorateReply('pageVersion', null);
  if (!cache) return;

  /*
   * One rendering per URL at a time. When a page is missing or out of date, the first request
   * renders it and the others wait for it, then check the new page's version themselves (so a
   * change committed after the renderer read its data is still noticed). Without this, a reply to
   * a thread that 50 connections are reading means 50 renderings of the same page at once.
   */
  const rendering = new Map<string, { done: Promise<void>; release: () => void }>();
  const renderer = new WeakMap<FastifyRequest, string>();
  function claim(request: FastifyRequest, url: string): void {
    let release = () => {};
    const done = new Promise<void>((resolve) => (release = resolve));
    rendering.set(url, { done, release });
    renderer.set(request, url);
  }
  function releaseClaim(request: FastifyRequest): void {
    const url = renderer.get(request);
    if (url === undefined) return;
    renderer.delete(request);
    const claimed = rendering.get(url);
    rendering.delete(url);
    claimed?.release();
  }
  // A renderer that never answers (a hung handler) must not hold the others for long.
  const waitFor = (done: Promise<void>) => Promise.race([done, sleep(GRACE_MS, undefined, { ref: false })]);

  /*
   * Background refreshes: the URL is claimed at once (so one hit asks for it once), queued, and
   * rendered through the app like any anonymous request, with no cookie and from an address that
   * is not this machine's (an operator-only page never answers it differently). Its answer is
   * stored by the onSend hook below as a visitor's would be.
   */
  const refreshKey = randomBytes(18).toString('base64url');
  const queued: string[] = [];
  let refreshing = false;
  let closing = false;
  function refresh(url: string): void {
    let release = () => {};
    const done = new Promise<void>((resolve) => (release = resolve));
    rendering.set(url, { done, release });
    queued.push(url);
    void refreshQueued();
  }
  async function refreshQueued(): Promise<void> {
    if (refreshing) return;
    refreshing = true;
    for (let url = queued.shift(); url !== undefined; url = queued.shift()) {
      try {
        if (!closing) {
          // 192.0.2.1 (TEST-NET-1) names no machine: see above.
          await app.inject({ method: 'GET', url, remoteAddress: '192.0.2.1', headers: { 'accept-encoding': 'br', [REFRESH_HEADER]: refreshKey } });
        }
      } catch (error) {
        app.log.warn({ err: error, url }, 'anonymous page refresh failed');
      } finally {
        rendering.get(url)?.release();
        rendering.delete(url);
      }
    }
    refreshing = false;
  }
  app.addHook('onClose', async () => {
    closing = true;
  });
  const isRefresh = (request: FastifyRequest) => request.headers[REFRESH_HEADER] === refreshKey;

  /** A stored page usable within `grace` ms past its freshness, checked against its current version. */
  async function current(url: string, grace: number): Promise<CachedPage | undefined> {
    const page = cache?.get(url);
    if (!page || Date.now() >= page.freshUntil + grace) return undefined;
    if (!page.version) return page;
    if (vouched(page, page.version)) return page;
    const check = checks.get(page.version.kind);
    const checkedFrom = clock.now;
    let now: string | undefined;
    try {
      now = check ? await check(page.version.id) : undefined;
    } catch {
      return undefined; // The database is unwell: let the route answer (and report) it.
    }
    if (now === page.version.version) {
      page.heardUpTo = Math.max(page.heardUpTo, checkedFrom);
      return page;
    }
    if (cache?.peek(url) === page) cache.delete(url);
    return undefined;
  }

  // No cookie and no credentials means no session and no viewer: anonymous, whatever the route.
  const cacheable = (request: FastifyRequest) =>
    request.method === 'GET' &&
    !request.url.startsWith('/api/') &&
    !request.url.startsWith('/static/') &&
    request.headers.cookie === undefined &&
    request.headers.authorization === undefined;

  /** The page in `encoding`, making (and keeping) the form a hit asks for the first time. `plain`: the miss's own bytes. */
  function body(url: string, page: CachedPage, encoding: Encoding, plain?: Buffer): Buffer {
    const uncompressed = () => plain ?? brotliDecompressSync(page.variants.br);
    if (encoding === 'identity') return uncompressed();
    if (encoding === 'br' && (page.brFinal || plain)) return page.variants.br;
    if (encoding === 'gzip' && page.variants.gzip) return page.variants.gzip;
    if (encoding === 'br') {
      page.variants.br = compress(uncompressed(), 'br');
      page.brFinal = true;
    } else page.variants.gzip = compress(uncompressed(), 'gzip');
    // Store again so the LRU counts the new variant's bytes; a timed page keeps its deadline.
    if (cache?.peek(url) === page) cache.set(url, page);
    return page.variants[encoding] ?? page.variants.br;
  }

  function send(request: FastifyRequest, reply: FastifyReply, url: string, page: CachedPage) {
    reply.header('etag', page.etag);
    reply.header('vary', 'Accept-Encoding');
    if (matches(request.headers['if-none-match'], page.etag)) return reply.code(304).send();
    const encoding = negotiateEncoding(request.headers['accept-encoding']);
    if (encoding !== 'identity') reply.header('content-encoding', encoding);
    return reply.send(body(url, page, encoding));
  }

  // Registered before the security headers and the session: a hit skips them (its stored headers
  // include the security headers it was first sent with).
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!cacheable(request)) return;
    startedAt.set(request, { heard: clock.now, generation });
    if (isRefresh(request)) return; // Its URL is claimed already: it renders.
    const url = request.url;
    // Each claim follows its check with no await in between, so exactly one request renders.
    let hit = cache.has(url) ? await current(url, GRACE_MS) : undefined;
    let stale = false;
    if (hit && Date.now() >= hit.freshUntil) {
      // Only its time ran out (the version is current): one request renders, the others get this meanwhile.
      if (!rendering.has(url)) return claim(request, url);
      stale = true;
    }
    if (hit && !stale && Date.now() >= hit.refreshFrom && !rendering.has(url)) refresh(url);
    if (!hit) {
      const pending = rendering.get(url);
      if (!pending) return claim(request, url);
      await waitFor(pending.done);
      hit = await current(url, 0);
      if (!hit) return;
    }
    reply.headers(hit.headers);
    reply.header('x-cache', stale ? 'stale' : 'hit');
    return send(request, reply, url, hit);
  });

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!cacheable(request) || reply.statusCode !== 200 || !(typeof payload === 'string' || Buffer.isBuffer(payload))) return payload;
    if (reply.hasHeader('x-cache') || reply.hasHeader('set-cookie')) return payload;
    // The viewer hook saw no session cookie, so this is anonymous; checked again, as it is the whole argument.
    if (request.viewer?.kind !== 'anonymous') return payload;
    // This hook runs before the session plugin sets its cookie: a session that changed (a CSRF
    // secret for a form) means the page is this visitor's own.
    if (request.session?.isModified()) return payload;
    const type = String(reply.getHeader('content-type') ?? '');
    if (!type.startsWith('text/html')) return payload;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined && !['content-length', 'x-request-id', 'vary', 'cache-control'].includes(name)) headers[name] = String(value);
    }
    const identity = typeof payload === 'string' ? Buffer.from(payload) : payload;
    const started = startedAt.get(request);
    const now = Date.now();
    const freshUntil = now + (reply.pageVersion ? (reply.pageVersion.maxAgeMs ?? Infinity) : options.ttlMs);
    const page: CachedPage = {
      variants: { br: compress(identity, 'br-fast') },
      brFinal: false,
      etag: `W/"${createHash('sha1').update(identity).digest('base64url').slice(0, 22)}"`,
      headers,
      version: reply.pageVersion,
      heardUpTo: started?.heard ?? 0,
      freshUntil,
      refreshFrom: now + (freshUntil - now) * (1 - REFRESH_AHEAD),
    };
    const url = request.url;
    if (freshUntil > now && started?.generation === generation) cache.set(url, page);
    releaseClaim(request);
    reply.header('x-cache', isRefresh(request) ? 'refresh' : 'miss');
    reply.header('etag', page.etag);
    reply.header('vary', 'Accept-Encoding');
    // A miss is sent as it is stored when the client takes brotli (5x fewer bytes on its network).
    const encoding = negotiateEncoding(request.headers['accept-encoding']);
    if (encoding === 'identity') return identity;
    reply.header('content-encoding', encoding);
    return body(url, page, encoding, identity);
  });

  // Whatever the renderer's answer was (an error, a redirect, a page with a cookie), the waiting end.
  app.addHook('onResponse', async (request: FastifyRequest) => releaseClaim(request));
  app.addHook('onRequestAbort', async (request: FastifyRequest) => releaseClaim(request));
});
