import { Invalid } from '../errors.ts';

export const FORUM_LIMITS = { titleMin: 3, titleMax: 200, bodyMax: 50_000, idempotencyKey: 64 } as const;
/**
 * Drafts kept per member, of replies and of new threads each: the oldest beyond it goes when a new
 * one is kept. Bounds what one account can store (drafts are saved as people type; a limit per
 * address would stop a hospital's whole network behind one).
 */
export const DRAFTS_KEPT = 100;
/**
 * Days a draft is kept after its last save (Discourse keeps them 180 days too). Also bounds how long
 * a member removed from a confidential space leaves unposted text about it on the server.
 */
export const DRAFT_KEEP_DAYS = 180;
export const POSTS_PER_PAGE = 30;
export const THREADS_PER_PAGE = 30;
/** How many threads each "latest activity" list shows: the home page's and the API's. */
export const LATEST_THREADS = { home: 12, api: 30 } as const;
export type LatestList = keyof typeof LATEST_THREADS;

export function cleanTitle(raw: string, fields: Record<string, string>): string {
  const title = raw.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (title.length < FORUM_LIMITS.titleMin) fields.title = `Give the thread a title of at least ${FORUM_LIMITS.titleMin} characters.`;
  else if (title.length > FORUM_LIMITS.titleMax) fields.title = `Keep the title under ${FORUM_LIMITS.titleMax} characters (it has ${title.length}).`;
  return title;
}

/** `whenEmpty`: what to say of an empty body; an edit says something else than a new post. */
export function cleanBody(raw: string, fields: Record<string, string>, whenEmpty = 'Write something before posting.'): string {
  // Keep the author's line breaks and indentation; Markdown depends on them.
  const body = raw.normalize('NFC').replace(/\r\n?/g, '\n').replace(/\s+$/, '');
  if (body.trim().length === 0) fields.body = whenEmpty;
  else if (body.length > FORUM_LIMITS.bodyMax) fields.body = `Keep the post under ${FORUM_LIMITS.bodyMax.toLocaleString('en')} characters (it has ${body.length.toLocaleString('en')}).`;
  return body;
}

export function checkIdempotencyKey(key: string | undefined): string | null {
  if (key === undefined || key === '') return null;
  if (key.length > FORUM_LIMITS.idempotencyKey || !/^[A-Za-z0-9_-]+$/.test(key)) throw new Invalid('The form was damaged; reload the page and try again.');
  return key;
}
