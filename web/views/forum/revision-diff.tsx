import { diffArrays } from 'diff';
import { plainLinesOfHtml } from '../../../server/content/render-markdown.ts';

/**
 * Words and the spaces between them, line breaks included; a number such as "0.05" stays one
 * token, so a changed dose reads as one change, and a change stays in its paragraph or list item.
 */
const tokens = (html: string) => plainLinesOfHtml(html).split(/(\s+)/).filter((t) => t !== '');

/**
 * What changed from one version of a post to the next, word by word, in the text readers see, a
 * line per paragraph or list item (jsdiff over whitespace-separated words). Removed words are struck through, added ones marked.
 * Every piece is printed as text: the markup of a version is never put together from pieces.
 */
type Version = { bodyHtml: string; title: string | null };

export function RevisionDiff({ before, after }: { before: Version; after: Version }) {
  const parts = diffArrays(tokens(before.bodyHtml), tokens(after.bodyHtml));
  const retitled = before.title !== null && after.title !== null && before.title !== after.title;
  const textChanged = parts.some((p) => p.added || p.removed);
  return (
    <>
      {retitled && (
        <p class="revision-diff">
          Title: <del>{before.title}</del> <ins>{after.title}</ins>
        </p>
      )}
      {textChanged ? (
        <p class="revision-diff">
          {parts.map((part) => {
            const text = part.value.join('');
            if (part.added) return <ins>{text}</ins>;
            if (part.removed) return <del>{text}</del>;
            return text;
          })}
        </p>
      ) : (
        <p class="hint">{retitled ? 'The text did not change.' : 'The text did not change (only its formatting).'}</p>
      )}
    </>
  );
}
