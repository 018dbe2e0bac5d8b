import type { FastifyReply } from 'fastify';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { settleChrome } from './context.ts';

/** Renders a full document. preact escapes every string it prints; SafeHtml (and a fragment rendered here earlier) are the raw outlets. */
export function renderDocument(node: VNode): string {
  return `<!doctype html>${renderToString(node)}`;
}

declare const fragmentBrand: unique symbol;
/** Markup rendered here from views, so every string in it was escaped: it may be printed again as it is. */
export type RenderedFragment = string & { readonly [fragmentBrand]: true };

/**
 * Renders markup to keep and print into later pages. The renderer builds its answer by joining
 * thousands of short strings, and V8 keeps such a string as a tree of its pieces until it is
 * written out; a kept one stayed a tree, so every page that printed it walked all its pieces again
 * when the page was encoded for sending (a fifth of a signed-in thread page's CPU, measured with
 * the thread's posts kept). Encoding it once and reading it back leaves one flat string, copied
 * whole into each page.
 */
export function renderFragment(node: VNode): RenderedFragment {
  return Buffer.from(renderToString(node)).toString() as RenderedFragment;
}

/**
 * Sent as bytes: given a string, the compression hook measured its UTF-8 length and then encoded
 * it, two passes over the page where one does.
 */
export async function sendPage(reply: FastifyReply, node: VNode, status = 200): Promise<FastifyReply> {
  await settleChrome(reply.request);
  return reply.status(status).type('text/html; charset=utf-8').send(Buffer.from(renderDocument(node)));
}
