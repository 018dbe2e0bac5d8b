import { POSTS_PER_PAGE } from '../server/forum/rules.ts';

export const threadHref = (id: number, slug: string, page = 1) => `/t/${id}/${slug}${page > 1 ? `?page=${page}` : ''}`;

/** A post's permalink: its thread page (the one holding it) and its stable number. */
export const postHref = (threadId: number, slug: string, number: number) =>
  `${threadHref(threadId, slug, Math.ceil(number / POSTS_PER_PAGE))}#p${number}`;

export const spaceHref = (spaceSlug: string) => `/s/${spaceSlug}`;
export const boardHref = (spaceSlug: string, boardSlug: string, page = 1) => `/s/${spaceSlug}/${boardSlug}${page > 1 ? `?page=${page}` : ''}`;
export const profileHref = (handle: string) => `/u/${handle}`;
