/** What a post body points at: the members it mentions and the posts it quotes. */

/** The `@handle` mentions in a body (lower-cased). Mentions inside code are counted too: a warning too many is harmless. */
export function mentionedHandles(body: string): string[] {
  const found = new Set<string>();
  for (const match of body.matchAll(/(?:^|[^\w@/.])@([a-z0-9][a-z0-9_-]{2,29})\b/gi)) found.add(match[1]!.toLowerCase());
  return [...found];
}

/** Threads whose posts a body quotes, from the header `quoteMarkdown` writes (`[wrote](/t/<id>/…#p<n>)`). */
export function quotedThreadIds(body: string): number[] {
  const ids = new Set<number>();
  for (const match of body.matchAll(/^>.*\]\(\/t\/(\d{1,15})\/[^)\s]*#p\d+\)/gm)) ids.add(Number(match[1]));
  return [...ids];
}

/** Posts a body quotes, by thread and number, from the header `quoteMarkdown` writes. */
export function quotedPosts(body: string): { threadId: number; number: number }[] {
  const found = new Map<string, { threadId: number; number: number }>();
  for (const match of body.matchAll(/^>.*\]\(\/t\/(\d{1,15})\/[^)\s]*#p(\d{1,9})\)/gm)) {
    found.set(`${match[1]}:${match[2]}`, { threadId: Number(match[1]), number: Number(match[2]) });
  }
  return [...found.values()];
}

/** Mentions that notify: those the author wrote, not those inside text they quote. */
export function mentionsOutsideQuotes(body: string): string[] {
  return mentionedHandles(
    body
      .split('\n')
      .filter((line) => !/^\s*>/.test(line))
      .join('\n'),
  );
}
