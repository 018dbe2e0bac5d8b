import { existsSync } from 'node:fs';
import path from 'node:path';
import { Parser } from 'htmlparser2';
import { describe, expect, test } from 'vitest';
import { renderMarkdown } from '../../server/content/render-markdown.ts';
import {
  committedCorporaDir,
  loadAllVectors,
  loadCorpus,
  vectorName,
} from './corpora/load-xss-corpora.ts';

// The expected output shape, written out here rather than imported from the
// pipeline: loosening the pipeline's allow-list must make this test fail.
const ALLOWED_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  p: [], br: [], hr: [],
  h2: [], h3: [], h4: [], h5: [], h6: [],
  strong: [], em: [], s: [], del: [], pre: ['tabindex'], blockquote: [], sup: [], sub: [], kbd: [],
  ul: [], ol: ['start'], li: [],
  code: ['class'],
  a: ['href', 'title', 'rel'],
  img: ['src', 'alt', 'title'],
  table: ['tabindex'], thead: [], tbody: [], tr: [],
  th: ['class'], td: ['class'],
};

// Named separately so a failure says plainly which dangerous element got through.
const FORBIDDEN_ELEMENTS = new Set([
  'script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'form',
  'input', 'button', 'textarea', 'select', 'base', 'meta', 'link', 'svg', 'math', 'template',
  'noscript', 'xmp', 'plaintext', 'noembed', 'noframes', 'portal',
]);

const ALLOWED_CLASS: Readonly<Record<string, RegExp>> = {
  code: /^language-[a-z0-9][a-z0-9_+#.-]*$/i,
  th: /^align-(left|center|right)$/,
  td: /^align-(left|center|right)$/,
};

// What a browser ignores while reading a URL's scheme (whitespace, C0/C1
// controls, invisible format characters), removed before the scheme is judged.
// eslint-disable-next-line no-control-regex
const URL_IGNORABLE = /[\s\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028\u2029\u2060\ufeff]/g;
const SCHEME = /^([^/?#]*?):/;

/** Why a URL attribute is unacceptable, or null when it is fine. */
function urlProblem(tag: string, value: string): string | null {
  const compact = value.replace(URL_IGNORABLE, '');
  if (tag === 'img') return /^https:\/\/[^/\\]/i.test(compact) ? null : 'img src is not https';
  if (/^[\\/]{2}/.test(compact)) return 'protocol-relative href';
  const scheme = SCHEME.exec(compact)?.[1]?.toLowerCase();
  if (scheme === undefined) return null; // relative: "/t/1", "#top", "page"
  return ['http', 'https', 'mailto'].includes(scheme) ? null : `href scheme "${scheme}"`;
}

/** Every way the rendered HTML breaks the allow-list, as readable lines. */
function allowListViolations(html: string): string[] {
  const violations: string[] = [];
  const parser = new Parser(
    {
      onopentag(tag, attribs) {
        if (FORBIDDEN_ELEMENTS.has(tag)) violations.push(`forbidden element <${tag}>`);
        const allowed = ALLOWED_ATTRIBUTES[tag];
        if (allowed === undefined) {
          violations.push(`element <${tag}> is not on the allow-list`);
          return;
        }
        for (const [name, value] of Object.entries(attribs)) {
          if (/^on/i.test(name)) violations.push(`event handler ${name} on <${tag}>`);
          else if (name === 'style') violations.push(`style attribute on <${tag}>`);
          else if (!allowed.includes(name)) violations.push(`attribute ${name} on <${tag}>`);
          if (name === 'href' || name === 'src') {
            const problem = urlProblem(tag, value);
            if (problem !== null) violations.push(`${problem}: ${JSON.stringify(value)}`);
          }
          // In the tab order (so a keyboard scrolls a wide block), never out of order or trapped.
          if (name === 'tabindex' && value !== '0') violations.push(`tabindex ${JSON.stringify(value)} on <${tag}>`);
          if (name === 'class') {
            const pattern = ALLOWED_CLASS[tag];
            if (pattern === undefined || !pattern.test(value)) {
              violations.push(`class ${JSON.stringify(value)} on <${tag}>`);
            }
          }
        }
        if (tag === 'a' && attribs.rel !== 'nofollow ugc noopener') {
          violations.push(`<a> without rel="nofollow ugc noopener": ${JSON.stringify(attribs.rel)}`);
        }
      },
      oncomment: (text) => violations.push(`comment ${JSON.stringify(text)}`),
      onprocessinginstruction: (name) => violations.push(`processing instruction ${name}`),
      oncdatastart: () => violations.push('CDATA section'),
    },
    { decodeEntities: true },
  );
  parser.end(html);
  return violations;
}

describe('XSS corpus files', () => {
  test('both corpora are committed with their attribution README', () => {
    expect(existsSync(path.join(committedCorporaDir, 'README.md'))).toBe(true);
    // Counts from the corpora README: a truncated file would pass vacuously.
    expect(loadCorpus('xss-vectors.json')).toHaveLength(566);
    expect(loadCorpus('markdown-xss-vectors.json')).toHaveLength(79);
  });

  test('the checker itself rejects what it is meant to reject', () => {
    expect(allowListViolations('<p onclick="x()">a</p>')).toContain('event handler onclick on <p>');
    expect(allowListViolations('<a href="java&#x09;script:alert(1)" rel="nofollow ugc noopener">x</a>')).toContain(
      'href scheme "javascript": "java\\tscript:alert(1)"',
    );
    expect(allowListViolations('<img src="http://x/y.png">')).toContain('img src is not https: "http://x/y.png"');
    expect(allowListViolations('<svg></svg>')).toContain('forbidden element <svg>');
    expect(allowListViolations('<td style="color:red">1</td>')).toContain('style attribute on <td>');
    expect(allowListViolations('<a href="/ok" rel="nofollow ugc noopener">ok</a>')).toEqual([]);
  });
});

describe('every corpus payload rendered as a post body stays inside the allow-list', () => {
  for (const vector of loadAllVectors()) {
    test(vectorName(vector), () => {
      const html = renderMarkdown(vector.payload);
      expect(allowListViolations(html), `rendered HTML:\n${html}`).toEqual([]);
    });
  }
});
