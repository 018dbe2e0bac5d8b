import type { JSX } from 'preact';
import type { SafeHtml } from '../../server/content/safe-html.ts';
import type { RenderedFragment } from '../render.tsx';

/**
 * The only place views print raw HTML: content that went through server/content's pipeline,
 * which the SafeHtml type proves, and markup rendered from views earlier (RenderedFragment).
 */
export function RenderedContent({ html, class: className = 'prose' }: { html: SafeHtml; class?: string }) {
  return <div class={className} dangerouslySetInnerHTML={{ __html: html }} />;
}

/** A container whose children were rendered earlier (web/thread-posts-cache.ts keeps a thread page's posts). */
export function Prerendered({ html, ...attributes }: { html: RenderedFragment } & Omit<JSX.HTMLAttributes<HTMLDivElement>, 'dangerouslySetInnerHTML'>) {
  return <div {...attributes} dangerouslySetInnerHTML={{ __html: html }} />;
}
