import { Parser } from 'htmlparser2';
import { LRUCache } from 'lru-cache';
import MarkdownIt, { type MarkdownIt as MarkdownParser } from 'markdown-it';
import sanitizeHtml from 'sanitize-html';
import type { SafeHtml } from './safe-html.ts';

/**
 * Stored beside every rendered row. Bump it whenever a change here could alter
 * the HTML produced for the same source (allow-list, markdown-it options,
 * heading shift…): the re-render script rewrites rows with an older version,
 * so stored HTML never outlives the rules that made it safe.
 */
export const CONTENT_PIPELINE_VERSION = 4;

const LINK_SCHEMES: readonly string[] = ['http', 'https', 'mailto'];

// Browsers drop ASCII whitespace and C0 controls inside a scheme
// ("java\tscript:"); other invisible or space characters are removed too, to
// err on the strict side before the scheme is judged.
// eslint-disable-next-line no-control-regex
const IGNORED_URL_CHARS = /[\s\u0000-\u001f\u007f-\u009f\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]/g;
// Anything before a colon that precedes the first "/", "?" or "#" counts as a
// scheme, even text a browser would read as a relative path ("{{x}}javascript:"):
// rejecting a few odd relative links is cheaper than guessing a parser right.
const SCHEME = /^([^/?#]*?):/;

/**
 * A link destination we keep: http, https, mailto, or relative ("/t/1", "#top").
 * markdown-it applies it first (a refused destination stays literal text, so
 * the reader sees what the author typed), the sanitizer again on every href.
 */
function isAllowedDestination(url: string): boolean {
  const compact = url.replace(IGNORED_URL_CHARS, '');
  // "//host" and "/\host" are network paths: they leave the site like an
  // absolute URL but dodge the scheme check, so treat them as not allowed.
  if (/^[\\/]{2}/.test(compact)) return false;
  const scheme = SCHEME.exec(compact)?.[1]?.toLowerCase();
  return scheme === undefined || LINK_SCHEMES.includes(scheme);
}

// Images are fetched by every reader's browser without a click: over plain
// http they are mixed content and a tracking channel, so only https loads.
// (Relative images are refused too until the site hosts uploads.)
function isHttpsUrl(url: string): boolean {
  return /^https:\/\/[^/\\]/i.test(url.replace(IGNORED_URL_CHARS, ''));
}

type CoreState = Parameters<Parameters<MarkdownParser['core']['ruler']['push']>[1]>[0];
type Token = CoreState['tokens'][number];

// The same shape forum/references.ts reads to notify: a handle after a non-word character.
const MENTION = /(^|[^\w@/.])@([a-z0-9][a-z0-9_-]{2,29})\b/gi;

/**
 * `@handle` becomes a link to the member's profile, outside links, code and quotes (a quoted
 * mention is someone else's words: it neither links nor notifies). Whether the member
 * exists or can read the post is not known here (the renderer sees only text): a mention of
 * nobody links to a profile page that says so.
 */
function linkMentions(state: CoreState): void {
  let quoteDepth = 0;
  for (const block of state.tokens) {
    if (block.type === 'blockquote_open') quoteDepth++;
    if (block.type === 'blockquote_close') quoteDepth--;
    if (block.type !== 'inline' || !block.children || quoteDepth > 0) continue;
    let insideLink = 0;
    const out: Token[] = [];
    for (const token of block.children) {
      if (token.type === 'link_open') insideLink++;
      if (token.type === 'link_close') insideLink--;
      if (token.type !== 'text' || insideLink > 0 || !token.content.includes('@')) {
        out.push(token);
        continue;
      }
      let last = 0;
      for (const match of token.content.matchAll(MENTION)) {
        const at = (match.index ?? 0) + (match[1]?.length ?? 0);
        const handle = match[2] ?? '';
        if (at > last) out.push(textToken(state, token.content.slice(last, at), token.level));
        const open = new state.Token('link_open', 'a', 1);
        // No class: the sanitizer's allow-list stays as it is; CSS finds mentions by their href.
        open.attrs = [['href', `/u/${handle}`]];
        open.level = token.level;
        out.push(open, textToken(state, `@${handle}`, token.level + 1));
        const close = new state.Token('link_close', 'a', -1);
        close.level = token.level;
        out.push(close);
        last = at + handle.length + 1;
      }
      if (last === 0) out.push(token);
      else if (last < token.content.length) out.push(textToken(state, token.content.slice(last), token.level));
    }
    block.children = out;
  }
}

function textToken(state: CoreState, content: string, level: number): Token {
  const token = new state.Token('text', '', 0);
  token.content = content;
  token.level = level;
  return token;
}

/** `headingsBelow`: the page's own heading levels a text's headings must stay under. */
function createMarkdownParser(headingsBelow: number): MarkdownParser {
  const md = new MarkdownIt({
    // Raw HTML off: whatever a member types in angle brackets is shown as text.
    // The sanitizer below is the second wall, not the first.
    html: false,
    linkify: true,
    typographer: false,
    breaks: false,
  });
  md.validateLink = isAllowedDestination;

  // The page owns its <h1> (the thread's or entry's title), and on a thread page each post its
  // <h2> (the one a screen reader jumps between posts by); a text's headings must not outrank
  // them. The levels a text uses become the next ones down, in order and without gaps (capped at
  // h6): many writers start their sections at "##" (as "#" looks like the title), and kept as
  // typed, that skipped a level after the page's own heading, which screen readers navigate by.
  md.core.ruler.push('demote_headings', (state) => {
    const headings = state.tokens.filter((token) => token.type === 'heading_open' || token.type === 'heading_close');
    const used = [...new Set(headings.map((token) => Number(token.tag.slice(1))))].sort((a, b) => a - b);
    for (const token of headings) token.tag = `h${Math.min(headingsBelow + 1 + used.indexOf(Number(token.tag.slice(1))), 6)}`;
  });

  md.core.ruler.push('mentions', linkMentions);

  // A non-https image becomes its alt text rather than a broken <img>: the
  // reader keeps the author's description and nothing is fetched.
  const renderImage = md.renderer.rules.image;
  md.renderer.rules.image = (tokens, idx, options, env, renderer) => {
    const token = tokens[idx];
    if (token === undefined || renderImage === undefined) return '';
    const src = String(token.attrGet('src') ?? '');
    if (isHttpsUrl(src)) return renderImage(tokens, idx, options, env, renderer);
    return md.utils.escapeHtml(renderer.renderInlineAsText(token.children ?? [], options, env));
  };

  return md;
}

const TABLE_ALIGNMENT = /^text-align:\s*(left|center|right);?$/i;

/**
 * markdown-it writes table alignment as inline `style`; no style attribute is
 * ever allowed (CSS can load URLs and restyle the page), so the alignment is
 * carried over as one of three fixed classes instead.
 */
function alignmentToClass(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const align = TABLE_ALIGNMENT.exec(attribs.style ?? '')?.[1]?.toLowerCase();
  return { tagName, attribs: align === undefined ? {} : { class: `align-${align}` } };
}

/**
 * User links are not endorsements (nofollow ugc) and must not get a handle on
 * this window (noopener). No target: the reader decides where a link opens.
 * The href is checked here as well as by sanitize-html's scheme list, whose
 * whitespace stripping covers ASCII only: the sanitizer must hold on its own
 * should raw HTML ever reach it.
 */
function linkWithRel(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const kept = dropAttributeUnless(attribs, 'href', isAllowedDestination);
  return { tagName, attribs: { ...kept, rel: 'nofollow ugc noopener' } };
}

// sanitize-html passes scheme-less srcs; an image must be https, full stop.
function httpsOnlyImage(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  return { tagName, attribs: dropAttributeUnless(attribs, 'src', isHttpsUrl) };
}

// Keeps attribute order, so output stays stable for stored-HTML comparisons.
function dropAttributeUnless(
  attribs: sanitizeHtml.Attributes,
  name: string,
  isAcceptable: (value: string) => boolean,
): sanitizeHtml.Attributes {
  return Object.fromEntries(
    Object.entries(attribs).filter(([key, value]) => key !== name || isAcceptable(value)),
  );
}

const ALIGN_CLASSES = ['align-left', 'align-center', 'align-right'];

/**
 * Code blocks and tables scroll sideways when wider than the column (a phone): in the tab order,
 * a keyboard can scroll them too (WCAG 2.1.1). The value is fixed here, never taken from input.
 */
function keyboardScrollable(tagName: string): sanitizeHtml.Tag {
  return { tagName, attribs: { tabindex: '0' } };
}

/**
 * The allow-list: only what markdown-it's default syntax can produce (plus
 * sup/sub/kbd for future plugins), each with only the attributes it needs.
 * No id or name (DOM clobbering), no style, no target, no event handlers.
 */
const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'hr',
    // h1 is absent on purpose: headings are demoted above (a post's start at h3).
    'h2', 'h3', 'h4', 'h5', 'h6',
    'strong', 'em', 's', 'del', 'code', 'pre', 'blockquote', 'sup', 'sub', 'kbd',
    'ul', 'ol', 'li',
    'a', 'img',
    'table', 'thead', 'tbody', 'tr', 'th', 'td',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'title'],
    ol: ['start'],
    pre: ['tabindex'],
    table: ['tabindex'],
  },
  allowedClasses: {
    // markdown-it puts the fence's info word here; anything beyond a plain
    // language name is dropped so the class cannot carry hostile markup.
    code: [/^language-[a-z0-9][a-z0-9_+#.-]{0,31}$/i],
    th: ALIGN_CLASSES,
    td: ALIGN_CLASSES,
  },
  allowedSchemes: [...LINK_SCHEMES],
  allowedSchemesByTag: { img: ['https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  allowedIframeHostnames: [],
  allowVulnerableTags: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    a: linkWithRel,
    img: httpsOnlyImage,
    th: alignmentToClass,
    td: alignmentToClass,
    pre: keyboardScrollable,
    table: keyboardScrollable,
  },
  // An image whose src failed the scheme check is an empty box: drop it.
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
};

// Posts, comments and bios: under the page's h1 and the post's own h2.
const markdown = createMarkdownParser(2);

/**
 * Heading anchors for long-form writing (blog entries): `h-` + a slug of the heading's text,
 * numbered when repeated. The prefix keeps ids out of the names scripts and the page use (no DOM
 * clobbering of `window.x` or form fields), and the sanitizer keeps only ids of exactly this shape.
 */
const HEADING_ID = /^h-[a-z0-9]+(?:-[a-z0-9]+)*$/;

function headingSlug(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return `h-${slug || 'section'}`;
}

export interface OutlineEntry {
  id: string;
  text: string;
  /** 2..6, after demotion. */
  level: number;
}

function outlineOf(tokens: ReturnType<MarkdownParser['parse']>): OutlineEntry[] {
  const seen = new Map<string, number>();
  const outline: OutlineEntry[] = [];
  tokens.forEach((token, i) => {
    if (token.type !== 'heading_open') return;
    const text = (tokens[i + 1]?.children ?? []).filter((c) => c.type === 'text' || c.type === 'code_inline').map((c) => c.content).join('').trim();
    const base = headingSlug(text);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const id = n === 1 ? base : `${base}-${n}`;
    token.attrSet('id', id);
    outline.push({ id, text, level: Number(token.tag.slice(1)) });
  });
  return outline;
}

// A blog entry is the page: its sections are the page's h2s.
const longformMarkdown = createMarkdownParser(1);
longformMarkdown.core.ruler.push('heading_anchors', (state) => {
  outlineOf(state.tokens);
});

function anchoredHeading(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  return { tagName, attribs: dropAttributeUnless(attribs, 'id', (id) => HEADING_ID.test(id)) };
}

const LONGFORM_SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  ...SANITIZE_OPTIONS,
  allowedAttributes: { ...SANITIZE_OPTIONS.allowedAttributes, h2: ['id'], h3: ['id'], h4: ['id'], h5: ['id'], h6: ['id'] },
  transformTags: { ...SANITIZE_OPTIONS.transformTags, h2: anchoredHeading, h3: anchoredHeading, h4: anchoredHeading, h5: anchoredHeading, h6: anchoredHeading },
};

/** Like renderMarkdown, with `h-…` ids on headings so a table of contents can link to them. */
export function renderLongform(source: string): SafeHtml {
  return sanitizeHtml(longformMarkdown.render(source), LONGFORM_SANITIZE_OPTIONS) as SafeHtml;
}

/** The headings of a long-form text with the ids renderLongform gives them, for a table of contents. */
export function headingOutline(source: string): OutlineEntry[] {
  return outlineOf(longformMarkdown.parse(source, {})).filter((h) => h.text !== '');
}

/** Renders a member's Markdown to HTML that views may print unescaped. */
export function renderMarkdown(source: string): SafeHtml {
  const html = sanitizeHtml(markdown.render(source), SANITIZE_OPTIONS);
  // The one place a fresh SafeHtml is minted: the string has just passed the
  // sanitizer above. (Stored rows are re-branded with trustedSafeHtml.)
  return html as SafeHtml;
}

// Closing one of these ends a run of text; a space keeps "end.</p><p>Next"
// from gluing into "end.Next" in the excerpt.
const TEXT_BREAKING_TAGS = new Set([
  'p', 'br', 'hr', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre', 'blockquote',
  'ul', 'ol', 'li', 'table', 'thead', 'tbody',
]);

// One parser for every call, reset each time (parsing is synchronous): making a new one cost as much
// as the parse for a post-sized text, and a review queue page makes 25 excerpts. A table's cells
// and rows keep separators, so a dosing table does not run its numbers together in one line.
let textParts: string[] = [];
let rowsInTable = 0;
let cellsInRow = 0;
// What joins a block that ended without punctuation to the text after it, written only when more
// text follows: "What worked: Short sessions", "heparin · enoxaparin", not "What worked Short sessions".
let pendingJoin: '' | ':' | ' ·' = '';
const HEADINGS = new Set(['h2', 'h3', 'h4', 'h5', 'h6']);
const JOINED_BLOCKS = new Set(['p', 'li', 'pre', 'blockquote']);
const ENDS_PUNCTUATED = /[.!?:;…,—–-]\s*$/u;

function endsPunctuated(): boolean {
  for (let i = textParts.length - 1; i >= 0; i--) {
    const part = textParts[i]!;
    if (part.trim() !== '') return ENDS_PUNCTUATED.test(part);
  }
  return true; // nothing before it: nothing to join
}

function writePendingJoin(): void {
  while (textParts.length > 0 && textParts[textParts.length - 1]!.trim() === '') textParts.pop();
  if (textParts.length > 0) textParts[textParts.length - 1] = textParts[textParts.length - 1]!.trimEnd();
  textParts.push(`${pendingJoin} `);
  pendingJoin = '';
}

const textParser = new Parser(
  {
    ontext: (text) => {
      if (pendingJoin !== '' && text.trim() !== '') writePendingJoin();
      textParts.push(text);
    },
    onopentag: (name) => {
      // "Options: heparin · enoxaparin": a list or table introduced by an unpunctuated line.
      if ((name === 'ul' || name === 'ol' || name === 'table') && pendingJoin === ' ·') pendingJoin = ':';
      if (name === 'table') rowsInTable = 0;
      if (name === 'tr') {
        // The markup's line break after the last row is not text: "…q24h; 35…", not "…q24h ; 35…".
        while (textParts.length > 0 && textParts[textParts.length - 1]!.trim() === '') textParts.pop();
        textParts.push(rowsInTable++ > 0 ? '; ' : ' ');
        cellsInRow = 0;
      } else if (name === 'td' || name === 'th') textParts.push(cellsInRow++ > 0 ? ' | ' : ' ');
      else if (TEXT_BREAKING_TAGS.has(name)) textParts.push(' ');
    },
    onclosetag: (name) => {
      if (HEADINGS.has(name)) pendingJoin = endsPunctuated() ? '' : ':';
      else if (JOINED_BLOCKS.has(name) && pendingJoin === '') pendingJoin = endsPunctuated() ? '' : ' ·';
      if (TEXT_BREAKING_TAGS.has(name)) textParts.push(' ');
    },
  },
  { decodeEntities: true },
);

function renderedText(html: string): string {
  textParts = [];
  pendingJoin = '';
  textParser.parseComplete(html);
  const text = textParts.join('');
  textParts = [];
  return text;
}

const INNERMOST_QUOTE = /<blockquote>(?:(?!<blockquote>)[\s\S])*?<\/blockquote>/g;

/**
 * The markup without its quotations (the sanitizer writes <blockquote> bare, so the pattern is
 * exact; nested ones go innermost first). A notification about a post that quotes the recipient
 * should show what the post says, not the recipient's own words; a post that is all quotation is
 * left whole.
 */
export function withoutQuotations(html: string): string {
  let rest = html;
  for (let next = rest.replace(INNERMOST_QUOTE, ''); next !== rest; next = rest.replace(INNERMOST_QUOTE, '')) rest = next;
  return rest.trim() === '' ? html : rest;
}

// Where a block starts a new line in the readable text; a list item gets a bullet, a cell a gap.
const LINE_STARTS: Record<string, string> = { p: '\n', h2: '\n', h3: '\n', h4: '\n', h5: '\n', h6: '\n', pre: '\n', blockquote: '\n', tr: '\n', li: '\n• ', br: '\n', hr: '\n' };

let lineParts: string[] = [];
// Only a code block's line breaks are text; elsewhere they are the markup's own layout.
let inCode = 0;
const lineParser = new Parser(
  {
    ontext: (text) => lineParts.push(inCode > 0 ? text : text.replace(/\n/g, ' ')),
    onopentag: (name) => {
      if (name === 'pre') inCode++;
      lineParts.push(LINE_STARTS[name] ?? (name === 'td' || name === 'th' ? '  ' : ''));
    },
    onclosetag: (name) => {
      if (name === 'pre') inCode--;
    },
  },
  { decodeEntities: true },
);

/**
 * The text of HTML this pipeline rendered, one line per paragraph, heading, list item or table
 * row (lines inside a code block kept), for comparing versions of a post: a change shows in the
 * line it is on. Text, not HTML, like plainExcerptOfHtml.
 */
export function plainLinesOfHtml(html: string): string {
  lineParts = [];
  inCode = 0;
  lineParser.parseComplete(html);
  const text = lineParts.join('');
  lineParts = [];
  return text
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}

const TRAILING_JOINERS = /[\s,;:.\-–—]+$/u;

function truncateOnWordBoundary(text: string, maxChars: number): string {
  // Counted in code points so an emoji is never split in half.
  const chars = Array.from(text);
  if (chars.length <= maxChars) return text;
  const room = maxChars - 1; // one character is the ellipsis
  let cut = chars.slice(0, room).join('');
  if (!/\s/.test(chars[room] ?? '')) {
    const lastSpace = cut.lastIndexOf(' ');
    // A single word longer than the room is cut mid-word rather than emptied.
    if (lastSpace > 0) cut = cut.slice(0, lastSpace);
  }
  return `${cut.replace(TRAILING_JOINERS, '')}…`;
}

/**
 * Plain text of HTML this pipeline rendered (a post's stored body), for previews and meta
 * descriptions: no markup, entities decoded, whitespace collapsed, at most `maxChars` characters
 * cut on a word boundary with "…". Taken from the stored rendering, so no Markdown is parsed
 * again. It is text, not HTML: the view layer escapes it like any other string.
 */
export function plainExcerptOfHtml(html: string, maxChars: number): string {
  if (!Number.isInteger(maxChars) || maxChars < 1) {
    throw new RangeError(`maxChars must be a positive integer, got ${maxChars}`);
  }
  // Only the start of a long rendering is read (a blog list makes an excerpt of every entry): ten
  // characters of markup per character of text is plenty, cut just after a tag so that no tag or
  // entity is cut in half. Text beyond the cut is marked with the same ellipsis.
  const end = html.length > maxChars * MARKUP_PER_TEXT_CHAR ? html.lastIndexOf('>', maxChars * MARKUP_PER_TEXT_CHAR) + 1 : html.length;
  const read = end > 0 ? html.slice(0, end) : html;
  const whole = read.length === html.length;
  // Kept only for markup read whole: the same start of a longer one says "…" after it.
  const kept = whole ? excerptsOf(maxChars) : undefined;
  const known = kept?.get(read);
  if (known !== undefined) return known;
  const text = renderedText(read).replace(/\s+/g, ' ').trim();
  const excerpt = truncateOnWordBoundary(text, maxChars);
  const result = !whole && excerpt === text ? `${truncateOnWordBoundary(text, maxChars - 1).replace(TRAILING_JOINERS, '')}…` : excerpt;
  kept?.set(read, result);
  return result;
}

/**
 * Excerpts already made, by the markup they were made from (a pure function of it): the review
 * queue shows the same 25 items to a moderator page after page, and parsing each (~5 µs) was a
 * tenth of the page's server CPU. Looking one up hashes the markup once. Bounded by size.
 */
const excerptCaches = new Map<number, LRUCache<string, string>>();
function excerptsOf(maxChars: number): LRUCache<string, string> {
  let cache = excerptCaches.get(maxChars);
  if (!cache) {
    cache = new LRUCache<string, string>({ maxSize: 2 * 1024 * 1024, sizeCalculation: (excerpt, markup) => 2 * (markup.length + excerpt.length) + 64 });
    excerptCaches.set(maxChars, cache);
  }
  return cache;
}

const MARKUP_PER_TEXT_CHAR = 10;
