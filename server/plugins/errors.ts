import { parse as parseQuery } from 'node:querystring';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isDatabaseUnavailable } from '../../db/errors.ts';
import { DomainError, Invalid, TooManyRequests, type SeeAlso } from '../errors.ts';
import { isApiRequest } from './route-access.ts';

export interface ErrorView {
  status: number;
  code: string;
  message: string;
  fields: Record<string, string>;
  see?: SeeAlso | undefined;
}

/**
 * `submitted`: the fields of the refused page form, when there was one: parsed by Fastify, or read
 * here when the request failed before its body was parsed (the database down at the session lookup).
 */
export type ErrorPageRenderer = (request: FastifyRequest, reply: FastifyReply, error: ErrorView, submitted: Record<string, unknown> | undefined) => Promise<string>;

/** How long a client should wait before trying again after a database outage answered 503. */
const RETRY_AFTER_SECONDS = 30;

/** What every 503 (and a 429 that knows its wait) carries: when to try again, and that no cache may keep it. */
export function retryLater(reply: FastifyReply, seconds = RETRY_AFTER_SECONDS): void {
  reply.header('retry-after', String(seconds)).header('cache-control', 'no-store');
}

const UNAVAILABLE_READ = "Rounds can't reach its database right now. Please try again in a minute.";
const UNAVAILABLE_WRITE = "Rounds can't reach its database right now, so nothing was saved. Please try again in a minute.";

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
  if (isDatabaseUnavailable(error)) return { status: 503, code: 'unavailable', message: UNAVAILABLE_READ, fields: {} };
  if (error instanceof Invalid) return { status: error.status, code: error.code, message: error.message, fields: error.fields, see: error.see };
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

/** "a minute", "12 minutes", "2 hours": a rate limit's retry-after (seconds) in words. */
export function waitWords(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 60) return 'a minute';
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 120) return `${minutes} minutes`;
  return `${Math.ceil(minutes / 60)} hours`;
}

/**
 * The form a page POST carried when the request failed before Fastify parsed its body (the
 * session lookup is the first thing to touch the database; rate limits are checked on arrival).
 * Read only while the stream is untouched.
 */
async function unparsedForm(request: FastifyRequest, limit: number): Promise<Record<string, unknown> | undefined> {
  const raw = request.raw;
  if (!/^application\/x-www-form-urlencoded\b/i.test(request.headers['content-type'] ?? '')) return undefined;
  if (raw.readableDidRead || raw.readableEnded || Number(request.headers['content-length'] ?? 0) > limit) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  // Drained to the end even past the limit, so the connection stays usable for the answer.
  for await (const chunk of raw as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  if (size > limit) return undefined;
  return parseQuery(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
}

export const errorHandling = fp(async (app: FastifyInstance, options: { renderPage: ErrorPageRenderer; bodyLimit: number }) => {
  const send = async (request: FastifyRequest, reply: FastifyReply, view: ErrorView, submitted?: Record<string, unknown>) => {
    reply.status(view.status);
    if (view.status === 401 && isApiRequest(request)) reply.header('www-authenticate', 'Bearer');
    if (view.status === 503) retryLater(reply);
    if (isApiRequest(request) || request.headers.accept === 'application/json') {
      return reply.type('application/json; charset=utf-8').send({ error: { code: view.code, message: view.message, fields: view.fields, ...(view.see && { see: view.see }) } });
    }
    return reply.type('text/html; charset=utf-8').send(await options.renderPage(request, reply, view, submitted));
  };

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    let view = describeError(error);
    let submitted = request.body !== null && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : undefined;
    if (view.code === 'unavailable') {
      // Expected while the database is away: one line per request, no stack, no SQL.
      request.log.warn({ code: (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code }, 'database unavailable');
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        view = { ...view, message: UNAVAILABLE_WRITE };
        if (!isApiRequest(request)) submitted ??= await unparsedForm(request, options.bodyLimit);
      }
    } else if (view.code === 'rate_limited' && !(error instanceof DomainError)) {
      // A per-address limit (a service's own limits say their wait themselves) is checked before
      // the body is read: a refused form is read here so that what the person typed comes back to
      // them, and they are told how long to wait.
      view = { ...view, message: `Too many attempts from your network. Please wait ${waitWords(Number(reply.getHeader('retry-after')))} and send it again.` };
      if (request.method === 'POST' && !isApiRequest(request)) submitted ??= await unparsedForm(request, options.bodyLimit);
    } else if (view.status >= 500) {
      request.log.error({ err: error }, 'request failed');
    }
    if (error instanceof TooManyRequests && error.retryAfterSeconds !== undefined) retryLater(reply, error.retryAfterSeconds);
    return send(request, reply, view, submitted);
  });

  app.setNotFoundHandler((request, reply) =>
    send(request, reply, { status: 404, code: 'not_found', message: 'That page does not exist, or you do not have access to it.', fields: {} }),
  );
});
