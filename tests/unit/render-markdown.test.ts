import { describe, expect, test } from 'vitest';
import {
  CONTENT_PIPELINE_VERSION,
  plainExcerptOfHtml,
  plainLinesOfHtml,
  renderMarkdown,
  withoutQuotations,
} from '../../server/content/render-markdown.ts';

const render = (source: string): string => renderMarkdown(source).trim();
/** What a page shows: the excerpt of a post's stored rendering. */
const renderPlainExcerpt = (source: string, maxChars: number): string => plainExcerptOfHtml(renderMarkdown(source), maxChars);

describe('renderMarkdown', () => {
  test('headings start at h3, so a post never outranks the page h1 or its own h2, whichever level it starts at', () => {
    expect(render('# One')).toBe('<h3>One</h3>');
    expect(render('## Two')).toBe('<h3>Two</h3>');
    expect(render('###### Six')).toBe('<h3>Six</h3>');
  });

  test('the levels a post uses follow on without gaps, in the order it gave them, capped at h6', () => {
    expect(render('## Dosing\n\n#### Renal\n\n## Monitoring')).toBe('<h3>Dosing</h3>\n<h4>Renal</h4>\n<h3>Monitoring</h3>');
    expect(render('# 1\n\n## 2\n\n### 3\n\n#### 4\n\n##### 5')).toBe('<h3>1</h3>\n<h4>2</h4>\n<h5>3</h5>\n<h6>4</h6>\n<h6>5</h6>');
  });

  test('paragraphs, emphasis, strikethrough and horizontal rules render', () => {
    expect(render('Some *em*, **strong** and ~~gone~~.\n\n---')).toBe(
      '<p>Some <em>em</em>, <strong>strong</strong> and <s>gone</s>.</p>\n<hr />',
    );
  });

  test('a single newline stays a soft break; two trailing spaces make a br', () => {
    expect(render('one\ntwo')).toBe('<p>one\ntwo</p>');
    expect(render('one  \ntwo')).toBe('<p>one<br />\ntwo</p>');
  });

  test('bullet and ordered lists render, keeping an ordered list start number', () => {
    expect(render('- a\n- b')).toBe('<ul>\n<li>a</li>\n<li>b</li>\n</ul>');
    expect(render('3. c\n4. d')).toBe('<ol start="3">\n<li>c</li>\n<li>d</li>\n</ol>');
  });

  test('a fenced code block keeps its language as a language-* class and escapes its body', () => {
    expect(render('```ts\nconst a = 1 < 2 && "x";\n```')).toBe(
      '<pre tabindex="0"><code class="language-ts">const a = 1 &lt; 2 &amp;&amp; "x";\n</code></pre>',
    );
  });

  test('a fence info string that is not a plain language name gets no class', () => {
    expect(render('```js"onmouseover=alert(1)\nx\n```')).toBe('<pre tabindex="0"><code>x\n</code></pre>');
  });

  test('inline code is escaped', () => {
    expect(render('use `<b>` here')).toBe('<p>use <code>&lt;b&gt;</code> here</p>');
  });

  test('tables render with alignment as classes, never as style attributes', () => {
    const html = render('| l | c | r | n |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |');
    expect(html).toContain('<table tabindex="0">');
    expect(html).toContain('<th class="align-left">l</th>');
    expect(html).toContain('<th class="align-center">c</th>');
    expect(html).toContain('<td class="align-right">3</td>');
    expect(html).toContain('<td>4</td>');
    expect(html).not.toContain('style');
  });

  test('a quote is a plain Markdown blockquote', () => {
    expect(render('> said before\n> and more')).toBe(
      '<blockquote>\n<p>said before\nand more</p>\n</blockquote>',
    );
  });

  test('bare URLs and e-mail addresses become links (linkify)', () => {
    expect(render('see https://example.com/a?b=1 or write to me@example.org')).toBe(
      '<p>see <a href="https://example.com/a?b=1" rel="nofollow ugc noopener">https://example.com/a?b=1</a>' +
        ' or write to <a href="mailto:me@example.org" rel="nofollow ugc noopener">me@example.org</a></p>',
    );
  });

  test('every link gets rel="nofollow ugc noopener" and no target', () => {
    const html = render('[site](https://example.com "Example") [here](/t/1) [top](#top) [mail](mailto:a@b.c)');
    expect(html).toBe(
      '<p><a href="https://example.com" title="Example" rel="nofollow ugc noopener">site</a>' +
        ' <a href="/t/1" rel="nofollow ugc noopener">here</a>' +
        ' <a href="#top" rel="nofollow ugc noopener">top</a>' +
        ' <a href="mailto:a@b.c" rel="nofollow ugc noopener">mail</a></p>',
    );
    expect(html).not.toContain('target');
  });

  test('links with other schemes or protocol-relative URLs stay literal text', () => {
    expect(render('[x](javascript:alert(1))')).toBe('<p>[x](javascript:alert(1))</p>');
    expect(render('[x](ftp://example.com)')).toBe('<p>[x](ftp://example.com)</p>');
    expect(render('[x](//evil.example)')).toBe('<p>[x](//evil.example)</p>');
    expect(render('[x](data:text/html;base64,PHNjcmlwdD4=)')).not.toContain('<a');
  });

  test('an https image is kept with its alt and title', () => {
    expect(render('![a *chart*](https://example.com/c.png "Q3")')).toBe(
      '<p><img src="https://example.com/c.png" alt="a chart" title="Q3" /></p>',
    );
  });

  test('a non-https image is dropped and its alt text is shown instead', () => {
    expect(render('![plain <http>](http://example.com/c.png)')).toBe('<p>plain &lt;http&gt;</p>');
    expect(render('![local](/uploads/c.png)')).toBe('<p>local</p>');
    // These two fail markdown-it's link check first, so they stay literal text.
    expect(render('![pixel](//tracker.example/p.gif)')).not.toContain('<img');
    expect(render('![d](data:image/png;base64,iVBORw0KGgo=)')).not.toContain('<img');
  });

  test('raw HTML typed by a member is shown as text, not markup', () => {
    expect(render('<b>hi</b>')).toBe('<p>&lt;b&gt;hi&lt;/b&gt;</p>');
    expect(render('<script>alert(1)</script>')).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(render('<div onclick="x()">\nblock\n</div>')).not.toContain('<div');
  });

  test('the pipeline version is a positive integer to store beside rendered HTML', () => {
    expect(Number.isInteger(CONTENT_PIPELINE_VERSION)).toBe(true);
    expect(CONTENT_PIPELINE_VERSION).toBeGreaterThan(0);
  });
});

describe('plainExcerptOfHtml', () => {
  test('returns the rendered text without markup, entities decoded, whitespace collapsed', () => {
    const source = '# Title\n\nSome *emphasis* & <b>typed tags</b>.\n\n- one\n- two\n\n```\ncode\n```';
    expect(renderPlainExcerpt(source, 200)).toBe('Title: Some emphasis & <b>typed tags</b>. one · two · code');
  });

  test('a heading, a line introducing a list and the items read apart, as the reader saw them', () => {
    expect(renderPlainExcerpt('## What worked\n\nShort sessions, every three weeks\n\n## What did not\n\nLong agendas.', 200)).toBe(
      'What worked: Short sessions, every three weeks · What did not: Long agendas.',
    );
    expect(renderPlainExcerpt('Options\n\n1. heparin\n2. enoxaparin', 200)).toBe('Options: heparin · enoxaparin');
    expect(renderPlainExcerpt('Doses\n\n| Effluent | Maintenance |\n|---|---|\n| 25 mL/kg/h | 1 g q24h |', 200)).toBe('Doses: Effluent | Maintenance; 25 mL/kg/h | 1 g q24h');
    // Punctuation the writer put there is not doubled.
    expect(renderPlainExcerpt('## Why?\n\nBecause.\n\n- one;\n- two', 200)).toBe('Why? Because. one; two');
  });

  test('separate blocks do not run their words together', () => {
    expect(renderPlainExcerpt('First.\n\nSecond.', 100)).toBe('First. Second.');
  });

  test('a table keeps its cells and rows apart, so doses do not run together', () => {
    const table = '| Effluent | Maintenance |\n|---|---|\n| 25 mL/kg/h | 1 g q24h |\n| 35 mL/kg/h | 1.25 g q24h |';
    expect(renderPlainExcerpt(table, 200)).toBe('Effluent | Maintenance; 25 mL/kg/h | 1 g q24h; 35 mL/kg/h | 1.25 g q24h');
  });

  test('text that fits is returned whole, without an ellipsis', () => {
    expect(renderPlainExcerpt('short and sweet', 15)).toBe('short and sweet');
  });

  test('long text is cut on a word boundary and ends with an ellipsis within maxChars', () => {
    const excerpt = renderPlainExcerpt('The quick brown fox jumps over the lazy dog', 20);
    expect(excerpt).toBe('The quick brown fox…');
    expect(Array.from(excerpt).length).toBeLessThanOrEqual(20);
  });

  test('a cut landing right after punctuation drops the dangling punctuation', () => {
    expect(renderPlainExcerpt('Hello, wonderful world', 10)).toBe('Hello…');
  });

  test('a single word longer than the limit is cut mid-word', () => {
    expect(renderPlainExcerpt('Pneumonoultramicroscopicsilicovolcanoconiosis', 10)).toBe('Pneumonou…');
  });

  test('an emoji is never split in half', () => {
    const excerpt = renderPlainExcerpt('😀😀😀😀😀😀', 4);
    expect(excerpt).toBe('😀😀😀…');
  });

  test('images and links contribute their visible text only', () => {
    expect(renderPlainExcerpt('See [the docs](https://example.com) ![chart](https://example.com/c.png)', 100)).toBe(
      'See the docs',
    );
  });

  test('a long rendering is read only at its start, never cut inside a tag or entity, and says more follows', () => {
    const paragraphs = Array.from({ length: 400 }, (_, i) => `Paragraph ${i} & [a link](https://example.org/${i}) with *emphasis*.`).join('\n\n');
    expect(renderPlainExcerpt(paragraphs, 40)).toBe('Paragraph 0 & a link with emphasis…');
    // Markup so dense that the start read holds less text than asked for: what it holds, then "…".
    const links = Array.from({ length: 400 }, (_, i) => `[w${i}](https://example.org/a/rather/long/address/for/one/word/${i}?and=query&more=1)`).join(' ');
    const dense = renderPlainExcerpt(links, 40);
    expect(dense).toMatch(/^w0 w1 w2( w\d+)*…$/);
    expect(Array.from(dense).length).toBeLessThanOrEqual(40);
  });

  test('a non-positive maxChars is a programming error', () => {
    expect(() => renderPlainExcerpt('x', 0)).toThrow(RangeError);
    expect(() => renderPlainExcerpt('x', 1.5)).toThrow(RangeError);
  });
});

describe('withoutQuotations', () => {
  test('drops quoted text, nested quotes too, and keeps what the post itself says', () => {
    const html = renderMarkdown('> **@ada** wrote:\n> > an older quote\n> Close to ours.\n\nWe start at 0.05 instead.');
    expect(plainExcerptOfHtml(withoutQuotations(html), 200)).toBe('We start at 0.05 instead.');
  });

  test('a post that is nothing but a quotation is left whole', () => {
    const html = renderMarkdown('> Only a quote.');
    expect(withoutQuotations(html)).toBe(html);
  });
});

describe('plainLinesOfHtml', () => {
  test('a line per paragraph, heading, list item and table row', () => {
    const html = renderMarkdown('## Plan\n\nChecklist:\n\n- Airway\n- Drugs\n\n| a | b |\n|---|---|\n| 1 | 2 |');
    expect(plainLinesOfHtml(html)).toBe('Plan\nChecklist:\n• Airway\n• Drugs\na b\n1 2');
  });
});
