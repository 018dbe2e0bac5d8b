import { slugFrom } from '../text/slug.ts';

export const BLOG_LIMITS = { titleMin: 3, titleMax: 200, summaryMax: 300, bodyMax: 100_000, tagsMax: 8, tagMax: 30 } as const;
export const ENTRIES_PER_PAGE = 20;
/** Entries this long (in headings) get a table of contents. */
export const TOC_MIN_HEADINGS = 3;

export function cleanEntryTitle(raw: string, fields: Record<string, string>): string {
  const title = raw.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (title.length < BLOG_LIMITS.titleMin) fields.title = `Give the entry a title of at least ${BLOG_LIMITS.titleMin} characters.`;
  else if (title.length > BLOG_LIMITS.titleMax) fields.title = `Keep the title under ${BLOG_LIMITS.titleMax} characters (it has ${title.length}).`;
  return title;
}

export function cleanSummary(raw: string | undefined, fields: Record<string, string>): string {
  const summary = (raw ?? '').normalize('NFC').replace(/\s+/g, ' ').trim();
  if (summary.length > BLOG_LIMITS.summaryMax) fields.summary = `Keep the summary under ${BLOG_LIMITS.summaryMax} characters (it has ${summary.length}).`;
  return summary;
}

/** A draft may be empty; publishing needs words (checked by the service). */
export function cleanEntryBody(raw: string, fields: Record<string, string>): string {
  const body = raw.normalize('NFC').replace(/\r\n?/g, '\n').replace(/\s+$/, '');
  if (body.length > BLOG_LIMITS.bodyMax) fields.body = `Keep the entry under ${BLOG_LIMITS.bodyMax.toLocaleString('en')} characters (it has ${body.length.toLocaleString('en')}).`;
  return body;
}

/**
 * A tag as one entry's writer gave it: `label` is what readers see ("ECMO", "NHS England"), `slug`
 * its address and identity (`/blog/tags/ecmo`), so "ECMO" and "ecmo" are one tag.
 */
export interface Tag {
  slug: string;
  label: string;
}

/**
 * Tags from "a, b c" or a list: each label as typed (spaces collapsed, a leading "#" dropped, cut to
 * the length limit) with its lower-case slug; unique by slug (the first spelling wins), at most
 * eight. The slug is made from the label as kept, so the editor's "label, label" saves back to the
 * same tags; a label never holds a comma (a list's items may), or it would come back as two.
 */
export function cleanTags(raw: string | string[] | undefined, fields: Record<string, string>): Tag[] {
  const parts = Array.isArray(raw) ? raw.map((t) => t.replace(/,/g, ' ')) : (raw ?? '').split(',');
  const tags = new Map<string, Tag>();
  for (const part of parts) {
    const typed = part.normalize('NFC').replace(/\s+/g, ' ').trim().replace(/^#+ ?/, '');
    // Cut by code points: half an emoji is not a character.
    const label = Array.from(typed).slice(0, BLOG_LIMITS.tagMax).join('').trim();
    const slug = slugFrom(label, '').slice(0, BLOG_LIMITS.tagMax).replace(/-+$/, '');
    if (slug.length > 0 && !tags.has(slug)) tags.set(slug, { slug, label });
  }
  if (tags.size > BLOG_LIMITS.tagsMax) fields.tags = `Use at most ${BLOG_LIMITS.tagsMax} tags.`;
  return [...tags.values()];
}

/** The tag a spelling of it names ("ECMO", "NHS England"): its slug, or null when none. */
export function tagOf(text: string): string | null {
  const [tag] = cleanTags([text], {});
  return tag ? tag.slug : null;
}

export function isTag(text: string): boolean {
  return /^[a-z0-9][a-z0-9-]{0,29}$/.test(text);
}

/** Minutes to read, at 220 words a minute; at least one. */
export function readingMinutes(source: string): number {
  const words = source.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
  return Math.max(1, Math.round(words / 220));
}
