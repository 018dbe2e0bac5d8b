import type { FastifyReply } from 'fastify';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

/** Renders a full document. preact escapes every string it prints; SafeHtml (and a fragment rendered here earlier) are the raw outlets. */
export function renderDocument(node: VNode): string {
  return `<!doctype html>${renderToString(node)}`;
}

declare const fragmentBrand: unique symbol;
/** Markup rendered here from views, so every string in it was escaped: it may be printed again as it is. */
export type RenderedFragment = string & { readonly [fragmentBrand]: true };

export function renderFragment(node: VNode): RenderedFragment {
  return renderToString(node) as RenderedFragment;
}

export function sendPage(reply: FastifyReply, node: VNode, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').send(renderDocument(node));
}
