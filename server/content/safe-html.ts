/**
 * HTML that is safe to print into a page without escaping.
 *
 * The brand cannot be produced by an ordinary string: views print a `SafeHtml`
 * raw and escape everything else, so the type is the proof that a string went
 * through the content pipeline (`renderMarkdown`). Widening the ways to make one
 * widens the XSS surface; keep them to the two below.
 */
export type SafeHtml = string & { readonly __safeHtml: unique symbol };

/**
 * Re-brands HTML that the pipeline rendered earlier and that was stored beside
 * its Markdown source (posts, comments, blog entries, bios).
 *
 * Why it exists: the database hands back plain strings, and re-rendering every
 * post on every read would waste the point of storing HTML. Why it is narrow:
 * it is only sound for a column the pipeline alone writes, so call it only in
 * the queries that read such a column — never on request input, never on a
 * string built in a view or a service. When the pipeline changes, the
 * re-render script rewrites stale rows (see `CONTENT_PIPELINE_VERSION`), so a
 * stored row never outlives the rules that produced it.
 */
export function trustedSafeHtml(storedRenderedHtml: string): SafeHtml {
  return storedRenderedHtml as SafeHtml;
}
