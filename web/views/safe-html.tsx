import type { JSX } from 'preact';
import type { SafeHtml } from '../../server/content/safe-html.ts';
import type { RenderedFragment } from '../render.tsx';

/**
 * The only place views print raw HTML: content that went through server/content's pipeline,
 * which the SafeHtml type proves, and markup rendered from views earlier (RenderedFragment).
 */
/**
 * `region`: the text is shown in a box of limited height (another post beside a form), so it is a
 * named region the keyboard can reach and scroll.
 */
export function RenderedContent({ html, class: className = 'prose', region }: { html: SafeHtml; class?: string; region?: string }) {
  return region === undefined ? (
    <div class={className} dangerouslySetInnerHTML={{ __html: html }} />
  ) : (
    <div class={className} role="region" aria-label={region} tabIndex={0} dangerouslySetInnerHTML={{ __html: html }} />
  );
}

/** A container whose children were rendered earlier (web/thread-posts-cache.ts keeps a thread page's posts). */
export function Prerendered({ html, ...attributes }: { html: RenderedFragment } & Omit<JSX.HTMLAttributes<HTMLDivElement>, 'dangerouslySetInnerHTML'>) {
  return <div {...attributes} dangerouslySetInnerHTML={{ __html: html }} />;
}
