import { diffArrays } from 'diff';
import { plainExcerptOfHtml } from '../../../server/content/render-markdown.ts';
import { FORUM_LIMITS } from '../../../server/forum/rules.ts';

/** Words and the spaces between them; a number such as "0.05" stays one token, so a changed dose reads as one change. */
const tokens = (html: string) => plainExcerptOfHtml(html, FORUM_LIMITS.bodyMax).split(/(\s+)/).filter((t) => t !== '');

/**
 * What changed from one version of a post to the next, word by word, in the text readers see
 * (jsdiff over whitespace-separated words). Removed words are struck through, added ones marked.
 * Every piece is printed as text: the markup of a version is never put together from pieces.
 */
export function RevisionDiff({ before, after }: { before: string; after: string }) {
  const parts = diffArrays(tokens(before), tokens(after));
  if (parts.every((p) => !p.added && !p.removed)) return <p class="hint">The text did not change (only the title, or the formatting).</p>;
  return (
    <p class="revision-diff">
      {parts.map((part) => {
        const text = part.value.join('');
        if (part.added) return <ins>{text}</ins>;
        if (part.removed) return <del>{text}</del>;
        return text;
      })}
    </p>
  );
}
