import { isUtf8 } from 'node:buffer';
import { parse as parseQuery } from 'node:querystring';
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import secureJson from 'secure-json-parse';
import { Invalid } from '../errors.ts';

const NOT_UTF8 = 'The request is not valid UTF-8 text. Nothing was saved.';

/** Form bodies: refuse invalid UTF-8 loudly instead of silently turning it into U+FFFD. */
function parseForm(body: string): Record<string, unknown> {
  try {
    decodeURIComponent(body.replace(/\+/g, ' '));
  } catch {
    throw new Invalid(NOT_UTF8);
  }
  return parseQuery(body) as Record<string, unknown>;
}

export const bodyParsers = fp(async (app: FastifyInstance) => {
  await app.register(formbody, { parser: parseForm });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body: Buffer, done) => {
    if (!isUtf8(body)) return done(new Invalid(NOT_UTF8));
    if (body.length === 0) return done(new Invalid('The request body is empty.'));
    try {
      // secure-json-parse (Fastify's own choice) refuses __proto__ / constructor.prototype keys.
      done(null, secureJson.parse(body.toString('utf8')));
    } catch {
      done(new Invalid('The request body is not valid JSON.'));
    }
  });
});
