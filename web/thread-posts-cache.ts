import { LRUCache } from 'lru-cache';
import { threadPageVersion, type SharedPosts, type ThreadPageHead } from '../server/forum/service.ts';
import type { PageContext } from './context.ts';
import type { RenderedFragment } from './render.tsx';

/**
 * The posts of a thread page, rendered once and shown to every signed-in reader who sees the same
 * posts the same way. Rendering thirty posts (and reading their text) was half of what a signed-in
 * thread page cost; most readers of a page see exactly what the last one saw.
 *
 * What keeps this safe is that it decides nothing about access. The thread page's first statement
 * checks, through the policy, that this viewer may read the thread, and reads the facts that decide
 * which of its posts they see (migration 0003's content_version of the thread, which moves with
 * every change to its posts and their authors; whether they moderate the space; whether any post
 * of the page is their own). A rendering is reused only under a key holding all of those, so it
 * holds exactly the posts the policy would have returned to this viewer:
 *
 * - a reader who moderates nothing sees the published posts (held and hidden ones are their
 *   authors' and the moderators'); a moderator of the space sees every post, with its state;
 * - a page holding one of the viewer's own posts is never shared: it shows their held posts and
 *   their Edit and Delete buttons (which carry their form token);
 * - a page on which the viewer has an open flag is rendered for them alone (the route checks).
 *
 * The rendering holds no form token: a reader's post actions are links. It expires while its
 * relative times ("5 min ago") still read true, as the anonymous cache's thread pages do.
 */
export interface SharedThreadPosts extends SharedPosts {
  html: RenderedFragment;
  /** The page's description, from its first post's text. */
  description: string | undefined;
  /** Posts on which a reader could have an open flag: a flag makes the page theirs alone. */
  flaggable: number[];
}

/**
 * A page of posts is ~30 KB of markup: 8 MiB holds the few hundred pages being read at a time. The
 * process must stay under 300 MB through the benchmark, beside the anonymous cache's 16 MiB.
 */
const MAX_BYTES = 8 * 1024 * 1024;
/** A page of old posts ("2026-03-01") reads true for ever; it is kept no longer than this. */
const MAX_AGE_MS = 10 * 60_000;

export function createThreadPostsCache() {
  const cache = new LRUCache<string, SharedThreadPosts>({ maxSize: MAX_BYTES, sizeCalculation: (entry) => 2 * entry.html.length + 8 * entry.flaggable.length + 256 });
  return {
    /** The key of the rendering this viewer may share, or undefined when the page is theirs alone. */
    keyFor(head: ThreadPageHead, canReply: boolean): string | undefined {
      if (head.ownPostsInRange) return undefined;
      return JSON.stringify([head.thread.id, head.page, threadPageVersion(head), head.moderates, canReply]);
    },
    get: (key: string) => cache.get(key),
    remember(key: string, entry: SharedThreadPosts, maxAgeMs: number) {
      if (maxAgeMs > 0) cache.set(key, entry, { ttl: Math.min(maxAgeMs, MAX_AGE_MS) });
    },
  };
}

/** The page context a shared rendering is made with: a form token in it would be handed to other readers. */
export function withoutFormToken(ctx: PageContext): PageContext {
  return {
    viewer: ctx.viewer,
    flash: [],
    path: ctx.path,
    get csrfToken(): string {
      throw new Error('A rendering shared among readers cannot hold a form token.');
    },
  };
}
