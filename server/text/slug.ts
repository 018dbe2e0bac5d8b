import slugify from '@sindresorhus/slugify';

/** URL slug from a title or name: transliterated, lower-case, at most 60 characters, never empty. */
export function slugFrom(text: string, fallback = 'topic'): string {
  const slug = slugify(text, { lowercase: true, decamelize: false }).slice(0, 60).replace(/-+$/, '');
  return slug.length > 0 ? slug : fallback;
}
