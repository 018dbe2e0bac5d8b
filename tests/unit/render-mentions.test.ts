import { describe, expect, test } from 'vitest';
import { renderMarkdown } from '../../server/content/render-markdown.ts';
import { mentionedHandles, mentionsOutsideQuotes } from '../../server/forum/references.ts';

describe('@mentions in rendered posts', () => {
  test('a mention links to the member’s profile', () => {
    expect(renderMarkdown('Ask @dr_okafor today.')).toBe('<p>Ask <a href="/u/dr_okafor" rel="nofollow ugc noopener">@dr_okafor</a> today.</p>\n');
  });

  test('e-mail addresses, code, links and quotes are left alone', () => {
    expect(renderMarkdown('mail ward@example.org')).not.toContain('/u/');
    expect(renderMarkdown('`@dr_okafor`')).toBe('<p><code>@dr_okafor</code></p>\n');
    expect(renderMarkdown('[@dr_okafor](https://example.org)')).not.toContain('/u/');
    expect(renderMarkdown('> @dr_okafor said so')).not.toContain('/u/');
  });

  test('a mention inside escaped markup stays text around a plain link', () => {
    const html = renderMarkdown('<img src=x onerror=alert(1)>@dr_okafor');
    expect(html).toBe('<p>&lt;img src=x onerror=alert(1)&gt;<a href="/u/dr_okafor" rel="nofollow ugc noopener">@dr_okafor</a></p>\n');
  });

  test('mentions that notify are the author’s own, not those in quoted lines', () => {
    const body = '> **@quoted_one** [wrote](/t/1/x#p1):\n>\n> cc @quoted_two\n\nThanks @author_own';
    expect(mentionedHandles(body).sort()).toEqual(['author_own', 'quoted_one', 'quoted_two']);
    expect(mentionsOutsideQuotes(body)).toEqual(['author_own']);
  });
});
