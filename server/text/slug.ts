import slugify from '@sindresorhus/slugify';

const MAX = 60;

/**
 * URL slug from a title or name: transliterated, lower-case, at most 60 characters, never empty.
 * A long one ends at a whole word ("…-discharge", not "…-discharge-tar"), unless one word is that long.
 */
export function slugFrom(text: string, fallback = 'topic'): string {
  const full = slugify(text, { lowercase: true, decamelize: false });
  let slug = full.slice(0, MAX);
  if (full.length > MAX && full[MAX] !== '-' && slug.includes('-')) slug = slug.slice(0, slug.lastIndexOf('-'));
  slug = slug.replace(/-+$/, '');
  return slug.length > 0 ? slug : fallback;
}
