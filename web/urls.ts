import { POSTS_PER_PAGE } from '../server/forum/rules.ts';

export const threadHref = (id: number, slug: string, page = 1) => `/t/${id}/${slug}${page > 1 ? `?page=${page}` : ''}`;

/** A post's permalink: its thread page (the one holding it) and its stable number. */
export const postHref = (threadId: number, slug: string, number: number) =>
  `${threadHref(threadId, slug, Math.ceil(number / POSTS_PER_PAGE))}#p${number}`;

export const spaceHref = (spaceSlug: string) => `/s/${spaceSlug}`;
export const boardHref = (spaceSlug: string, boardSlug: string, page = 1) => `/s/${spaceSlug}/${boardSlug}${page > 1 ? `?page=${page}` : ''}`;
export const profileHref = (handle: string) => `/u/${handle}`;

/**
 * Where to send someone next (after signing in, accepting rules): a path on this site, or the fallback. One leading slash only —
 * `//host`, `/\host` and anything a browser strips before reading (controls, whitespace) could
 * turn a local path into another site.
 */
export function localPath(raw: string | undefined, fallback = '/'): string {
  if (!raw || !/^\/(?![/\\])/.test(raw)) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f-\u009f\\]/.test(raw)) return fallback;
  return raw;
}
