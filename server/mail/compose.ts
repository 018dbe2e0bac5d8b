/*
 * Every e-mail is plain text plus a simple HTML twin built from the same parts. Callers give
 * plain strings only; every one is escaped here, so no caller can put markup into a message.
 */

export interface Email {
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

export interface EmailParts {
  subject: string;
  /** Paragraphs of plain text. */
  paragraphs: string[];
  /** The one thing to click, printed as a link in both bodies. */
  action?: { label: string; url: string };
  /** Smaller print under a rule: why the mail came, how to stop it. */
  footer?: string[];
  headers?: Record<string, string>;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A subject is one line: a newline could start another header in a careless transport. */
export function oneLine(text: string, max = 200): string {
  const flat = text.replace(/[\r\n\t\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function composeEmail(parts: EmailParts): Email {
  const subject = oneLine(parts.subject);
  const text = [
    ...parts.paragraphs,
    ...(parts.action ? [`${parts.action.label}:\n${parts.action.url}`] : []),
    ...(parts.footer?.length ? ['--', ...parts.footer] : []),
  ].join('\n\n');
  const paragraphs = parts.paragraphs.map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`);
  const action = parts.action
    ? `<p><a href="${escapeHtml(parts.action.url)}" style="font-weight:bold">${escapeHtml(parts.action.label)}</a></p>`
    : '';
  const footer = parts.footer?.length
    ? `<hr><p style="color:#555;font-size:smaller">${parts.footer.map((line) => linkify(line)).join('<br>')}</p>`
    : '';
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body style="font-family:sans-serif;max-width:40em">${paragraphs.join('')}${action}${footer}</body></html>`;
  return { subject, text: `${text}\n`, html, headers: parts.headers ?? {} };
}

/** Footer lines may end in a URL of this site; it becomes a link, everything else stays text. */
function linkify(line: string): string {
  const match = /^(.*?)(https?:\/\/\S+)$/.exec(line);
  if (!match) return escapeHtml(line);
  return `${escapeHtml(match[1]!)}<a href="${escapeHtml(match[2]!)}">${escapeHtml(match[2]!)}</a>`;
}
