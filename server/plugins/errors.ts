import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError, Invalid } from '../errors.ts';
import { isApiRequest } from './route-access.ts';

export interface ErrorView {
  status: number;
  code: string;
  message: string;
  fields: Record<string, string>;
}

export type ErrorPageRenderer = (request: FastifyRequest, reply: FastifyReply, error: ErrorView) => string;

const FRAMEWORK_MESSAGES: Record<string, [number, string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'too_large', 'What you sent is too large. Shorten it and try again.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'That content type is not accepted here.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid', 'The request body is empty.'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid', 'The request body is not valid JSON.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid', 'The request length does not match its body.'],
  FST_CSRF_INVALID_TOKEN: [403, 'csrf', 'This form expired or was sent from another site. Nothing was saved; reload the page and send it again.'],
  FST_CSRF_MISSING_SECRET: [403, 'csrf', 'This form expired. Nothing was saved; reload the page and send it again.'],
};

/** Turns any error into a user-facing answer. Stack traces and SQL never leave the server. */
export function describeError(error: FastifyError | Error): ErrorView {
  if (error instanceof Invalid) return { status: error.status, code: error.code, message: error.message, fields: error.fields };
  if (error instanceof DomainError) return { status: error.status, code: error.code, message: error.message, fields: {} };
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const fields: Record<string, string> = {};
    for (const issue of fastifyError.validation) {
      const name = issue.instancePath.replace(/^\//, '').split('/')[0] || String((issue.params as { missingProperty?: string }).missingProperty ?? '');
      if (name) fields[name] = issue.message ?? 'is not valid';
    }
    const list = Object.entries(fields).map(([k, v]) => `${k} ${v}`).join('; ');
    return { status: 400, code: 'invalid', message: `The request is not valid${list ? `: ${list}` : ''}.`, fields };
  }
  const known = fastifyError.code ? FRAMEWORK_MESSAGES[fastifyError.code] : undefined;
  if (known) return { status: known[0], code: known[1], message: known[2], fields: {} };
  if (fastifyError.statusCode === 429) return { status: 429, code: 'rate_limited', message: 'Too many requests. Wait a minute and try again.', fields: {} };
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return { status: fastifyError.statusCode, code: 'bad_request', message: 'The request could not be understood.', fields: {} };
  }
  return { status: 500, code: 'internal', message: 'Something went wrong on our side. Nothing you did caused it; please try again in a moment.', fields: {} };
}

export const errorHandling = fp(async (app: FastifyInstance, options: { renderPage: ErrorPageRenderer }) => {
  const send = (request: FastifyRequest, reply: FastifyReply, view: ErrorView) => {
    reply.status(view.status);
    if (view.status === 401 && isApiRequest(request)) reply.header('www-authenticate', 'Bearer');
    if (isApiRequest(request) || request.headers.accept === 'application/json') {
      return reply.type('application/json; charset=utf-8').send({ error: { code: view.code, message: view.message, fields: view.fields } });
    }
    return reply.type('text/html; charset=utf-8').send(options.renderPage(request, reply, view));
  };

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const view = describeError(error);
    if (view.status >= 500) request.log.error({ err: error }, 'request failed');
    return send(request, reply, view);
  });

  app.setNotFoundHandler((request, reply) =>
    send(request, reply, { status: 404, code: 'not_found', message: 'That page does not exist, or you do not have access to it.', fields: {} }),
  );
});
