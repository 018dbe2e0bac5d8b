import { describe, expect, test } from 'vitest';
import { headingOutline, renderLongform, renderMarkdown } from '../../server/content/render-markdown.ts';

describe('long-form rendering (blog entries): heading anchors', () => {
  test('headings get h- prefixed ids that match the outline, repeated ones numbered', () => {
    const source = '# Background\n\ntext\n\n## Dosing in renal failure\n\n# Background\n';
    const html = renderLongform(source);
    expect(html).toContain('<h2 id="h-background">Background</h2>');
    expect(html).toContain('<h3 id="h-dosing-in-renal-failure">');
    expect(html).toContain('<h2 id="h-background-2">');
    expect(headingOutline(source)).toEqual([
      { id: 'h-background', text: 'Background', level: 2 },
      { id: 'h-dosing-in-renal-failure', text: 'Dosing in renal failure', level: 3 },
      { id: 'h-background-2', text: 'Background', level: 2 },
    ]);
  });

  test('hostile heading text cannot shape the id or escape the attribute', () => {
    const html = renderLongform('# "><script>alert(1)</script> onload=x\n\n# __proto__\n\n# ');
    expect(html).not.toMatch(/<script/i);
    // The only attribute a heading carries is its id; the rest stays text.
    for (const [tag] of html.matchAll(/<h\d[^>]*>/g)) expect(tag).toMatch(/^<h\d id="[^"]*">$/);
    for (const [, id] of html.matchAll(/id="([^"]*)"/g)) expect(id).toMatch(/^h-[a-z0-9]+(?:-[a-z0-9]+)*$/);
  });

  test('an entry whose sections start at "##" gets h2 sections under the page h1, not h3', () => {
    expect(renderLongform('## What worked\n\n### Short sessions\n\n## What did not')).toBe(
      '<h2 id="h-what-worked">What worked</h2>\n<h3 id="h-short-sessions">Short sessions</h3>\n<h2 id="h-what-did-not">What did not</h2>\n',
    );
  });

  test('forum posts keep rendering without ids (no DOM clobbering)', () => {
    expect(renderMarkdown('# Background')).toBe('<h3>Background</h3>\n');
  });
});
