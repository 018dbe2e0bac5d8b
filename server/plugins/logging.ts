import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/*
 * What the logs may say. Logs are read by operators and shipped to other systems, so they are a
 * leak channel like any other (CONFIDENTIALITY-CHANNELS 22): no post bodies, titles, passwords,
 * tokens, session ids or e-mail addresses. URLs carry titles (a thread's slug is its title), space
 * names and one-time sign-in tokens, so a request is logged as its route pattern with only its
 * id parameters filled in (/t/42/:slug) and the names of its query parameters, never their values.
 */

/** pino's DestinationStream, without importing pino (Fastify's own dependency) here. */
export interface LogStream {
  write(line: string): void;
}

const UNMATCHED = '(unmatched)';

/** The URL as it may be logged: the matched pattern, ids filled in, other parameters and query values left out. */
export function loggableUrl(request: FastifyRequest): string {
  const pattern = request.routeOptions?.url;
  if (!pattern) return UNMATCHED;
  const params = (request.params ?? {}) as Record<string, unknown>;
  const path = pattern.replace(/:(\w+)/g, (placeholder, name: string) => {
    const value = params[name];
    return /id$/i.test(name) && typeof value !== 'object' && /^\d{1,19}$/.test(String(value)) ? String(value) : placeholder;
  });
  const at = request.url.indexOf('?');
  if (at < 0) return path;
  const keys = [...new Set([...new URLSearchParams(request.url.slice(at + 1)).keys()])].filter((key) => /^[\w.-]{1,40}$/.test(key));
  return keys.length > 0 ? `${path}?${keys.join('&')}` : path;
}

/** PostgreSQL error fields that name things (a constraint, a table), never values. */
const DATABASE_FIELDS = ['code', 'severity', 'constraint', 'table', 'column', 'schema', 'dataType', 'routine'] as const;

/**
 * An error as it may be logged: its kind, code and stack, with no value from the data. Drizzle's
 * query errors carry the statement's parameters (a post's text, an e-mail) in their message and
 * properties; PostgreSQL's carry values in `detail` ("Key (email)=(…) already exists") and in
 * quotes within the message ('invalid input syntax for type integer: "…"').
 */
export interface LoggedError {
  [key: string]: unknown;
  type: string;
  message: string;
  stack: string;
}

export function loggableError(error: unknown, depth = 0): LoggedError {
  if (!(error instanceof Error)) return { type: typeof error, message: '', stack: '' };
  const raw = error as Error & Record<string, unknown>;
  const fromDatabase = typeof raw.code === 'string' && /^[0-9A-Z]{5}$/.test(raw.code);
  let message = error.message.split('\nparams:')[0]!;
  if (fromDatabase) message = message.replace(/"(?:[^"]|"")*"/g, '"…"');
  const header = `${error.name}: ${error.message}`;
  const frames = error.stack?.startsWith(header) ? error.stack.slice(header.length) : '';
  const out: LoggedError = { type: error.constructor.name, message, stack: `${error.name}: ${message}${frames}` };
  for (const field of DATABASE_FIELDS) if (typeof raw[field] === 'string') out[field] = raw[field];
  if (typeof raw.code === 'string' && !fromDatabase) out.code = raw.code;
  if (typeof raw.statusCode === 'number') out.statusCode = raw.statusCode;
  if (error.cause !== undefined && depth < 3) out.cause = loggableError(error.cause, depth + 1);
  return out;
}

/** Fastify's logger options: JSON lines (pino), requests and errors through the serializers above. */
export function loggerOptions(level: string, stream?: LogStream) {
  return {
    level,
    ...(stream ? { stream } : {}),
    serializers: {
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: loggableUrl(request),
        route: request.routeOptions?.url ?? UNMATCHED,
        remoteAddress: request.ip,
      }),
      res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
      err: (error: unknown) => loggableError(error),
    },
  };
}

/** Every answer names its request id, so a person reporting a problem can quote it and an operator can find its log lines. */
export const requestIdHeader = fp(async (app: FastifyInstance) => {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('x-request-id', request.id);
  });
});
