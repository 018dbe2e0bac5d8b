import { Invalid } from '../errors.ts';
import type { SearchKind } from './queries.ts';

export const SEARCH_LIMITS = {
  queryMax: 200,
  perPage: 20,
  /**
   * Deeper pages are not offered: nobody reads result 201, counting stops there, and it bounds how
   * many matches of each kind a search ranks (see queries.ts), which keeps a common word cheap.
   */
  maxPages: 10,
  handleMax: 30,
} as const;

export const SEARCH_KINDS: readonly SearchKind[] = ['thread', 'post', 'entry', 'comment'];

/** What a search asks for, validated. */
export interface SearchRequest {
  q: string;
  kinds: SearchKind[];
  spaceId?: number | undefined;
  boardId?: number | undefined;
  threadId?: number | undefined;
  author?: string | undefined;
  /** YYYY-MM-DD, both inclusive. */
  from?: string | undefined;
  to?: string | undefined;
  page: number;
}

/** The search form's fields as typed: every one a string, so a bad one can be shown back. */
export interface SearchForm {
  q?: string | undefined;
  kind?: string | undefined;
  space?: string | undefined;
  board?: string | undefined;
  thread?: string | undefined;
  author?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  page?: string | undefined;
}

const ID = /^[1-9]\d{0,14}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const HANDLE = /^@?[a-z0-9][a-z0-9_-]{0,29}$/i;

export function isSearchKind(value: string): value is SearchKind {
  return (SEARCH_KINDS as readonly string[]).includes(value);
}

/** A calendar date as midnight UTC, or undefined when it is not a real one (2026-02-30). */
export function parseDay(value: string): Date | undefined {
  if (!DATE.test(value)) return undefined;
  const at = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(at.getTime()) || at.toISOString().slice(0, 10) !== value ? undefined : at;
}

/** Checks what the API's schema cannot: real dates, in order, and the query's length in characters. */
export function checkSearchRequest(request: SearchRequest): void {
  const fields: Record<string, string> = {};
  if ([...request.q].length > SEARCH_LIMITS.queryMax) fields.q = `Searches can be at most ${SEARCH_LIMITS.queryMax} characters long.`;
  const from = request.from === undefined ? undefined : parseDay(request.from);
  const to = request.to === undefined ? undefined : parseDay(request.to);
  if (request.from !== undefined && !from) fields.from = 'Give the date as YYYY-MM-DD.';
  if (request.to !== undefined && !to) fields.to = 'Give the date as YYYY-MM-DD.';
  if (from && to && from > to) fields.to = 'The end date comes before the start date.';
  if (request.author !== undefined && !HANDLE.test(request.author)) fields.author = 'That is not a member handle.';
  if (request.page > SEARCH_LIMITS.maxPages) fields.page = `Only the first ${SEARCH_LIMITS.maxPages} pages of results are shown; narrow the search instead.`;
  if (Object.keys(fields).length > 0) throw new Invalid('Please correct the search.', fields);
}

/** The page's form, from strings; every problem at once, named by field, the text kept by the caller. */
export function parseSearchForm(form: SearchForm): SearchRequest {
  const fields: Record<string, string> = {};
  const trimmed = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  const id = (name: 'space' | 'board' | 'thread') => {
    const raw = trimmed(form[name]);
    if (raw === undefined) return undefined;
    if (!ID.test(raw)) {
      fields[name] = `The ${name} filter must be a ${name} number.`;
      return undefined;
    }
    return Number(raw);
  };
  const kindRaw = trimmed(form.kind);
  if (kindRaw !== undefined && !isSearchKind(kindRaw)) fields.kind = 'Choose threads, posts, blog entries or comments.';
  const pageRaw = trimmed(form.page);
  let page = 1;
  if (pageRaw !== undefined) {
    if (/^\d{1,6}$/.test(pageRaw) && Number(pageRaw) >= 1) page = Number(pageRaw);
    else fields.page = 'That is not a page number.';
  }
  const request: SearchRequest = {
    q: (form.q ?? '').trim(),
    kinds: kindRaw !== undefined && isSearchKind(kindRaw) ? [kindRaw] : [...SEARCH_KINDS],
    spaceId: id('space'),
    boardId: id('board'),
    threadId: id('thread'),
    author: trimmed(form.author)?.replace(/^@/, ''),
    from: trimmed(form.from),
    to: trimmed(form.to),
    page,
  };
  try {
    checkSearchRequest(request);
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    Object.assign(fields, { ...error.fields, ...fields });
  }
  if (Object.keys(fields).length > 0) throw new Invalid('Please correct the search.', fields);
  return request;
}
