import type { FastifyReply } from 'fastify';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

/** Renders a full document. preact escapes every string it prints; SafeHtml is the one raw outlet. */
export function renderDocument(node: VNode): string {
  return `<!doctype html>${renderToString(node)}`;
}

export function sendPage(reply: FastifyReply, node: VNode, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').send(renderDocument(node));
}
