import { Feed } from 'feed';
import { entryUrl } from '../blogs/presenters.ts';
import type { Tag } from '../blogs/rules.ts';

/*
 * Atom documents for blogs, built with the `feed` package (escaping and the format's rules are
 * its job, not ours). Callers pass entries read as an anonymous visitor: a feed is public by
 * nature (readers, aggregators and caches fetch it without a session), so only public,
 * published entries may ever reach one — whoever asks.
 */

export interface FeedEntry {
  entry: { id: number; title: string; slug: string; summary: string; bodyHtml: string; publishedAt: Date | null; updatedAt: Date };
  author: { handle: string; displayName: string };
  tags: readonly Tag[];
}

/** An empty feed still needs an `updated` (RFC 4287); 1970 would read as a dead feed in every reader. */
const STARTED = new Date();

/** `since`: when an empty feed counts as updated (a blog's owner joining); else when this process started. */
export function atomFeed(options: { origin: string; path: string; htmlPath: string; title: string; description: string; entries: FeedEntry[]; since?: Date }): string {
  const { origin } = options;
  const updated = options.entries.reduce<Date | null>((latest, e) => (latest === null || e.entry.updatedAt > latest ? e.entry.updatedAt : latest), null) ?? options.since ?? STARTED;
  const feed = new Feed({
    id: `${origin}${options.htmlPath}`,
    title: options.title,
    description: options.description,
    link: `${origin}${options.htmlPath}`,
    language: 'en',
    updated,
    generator: 'Rounds',
    copyright: 'Each entry belongs to its author.',
    feedLinks: { atom: `${origin}${options.path}` },
  });
  for (const { entry, author, tags } of options.entries) {
    const link = `${origin}${entryUrl(author.handle, entry.slug)}`;
    feed.addItem({
      // The id never changes when the slug does: readers do not see a renamed entry as new.
      id: `${origin}/blog/entries/${entry.id}`,
      title: entry.title,
      link,
      date: entry.updatedAt,
      published: entry.publishedAt ?? entry.updatedAt,
      ...(entry.summary ? { description: entry.summary } : {}),
      content: entry.bodyHtml,
      author: [{ name: author.displayName, link: `${origin}/u/${encodeURIComponent(author.handle)}` }],
      // Atom's term is the tag's identity (its slug), its label what a reader shows.
      category: tags.map((t) => ({ name: t.label, term: t.slug })),
    });
  }
  return feed.atom1();
}
