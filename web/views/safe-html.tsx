import type { SafeHtml } from '../../server/content/safe-html.ts';

/**
 * The only place a view prints raw HTML: content that went through server/content's pipeline,
 * which the SafeHtml type proves.
 */
export function RenderedContent({ html, class: className = 'prose' }: { html: SafeHtml; class?: string }) {
  return <div class={className} dangerouslySetInnerHTML={{ __html: html }} />;
}
