import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, Ok } from '../api/schemas.ts';
import { NotFound } from '../errors.ts';
import { requireMember } from '../policy/index.ts';

export const UnsubscribeParams = Type.Object({ token: Type.String({ maxLength: 300 }) });
export const EmailNotificationsValue = Type.Union([Type.Literal('off'), Type.Literal('immediately'), Type.Literal('daily')]);

export const mailApi: FastifyPluginAsyncTypebox = async (app) => {
  const { mail, accountEmails } = app.services;
  const limits = app.config.rateLimits;

  // RFC 8058 one-click unsubscribe: the List-Unsubscribe header's URL. Mail clients POST
  // "List-Unsubscribe=One-Click" with no cookie; the signed token is the whole authorisation.
  app.post(
    '/unsubscribe/:token',
    {
      config: { access: 'public' },
      schema: {
        tags: ['mail'],
        summary: 'Turn notification e-mails off (one-click unsubscribe, RFC 8058)',
        security: [],
        params: UnsubscribeParams,
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (request) => {
      if (!(await mail.unsubscribe(request.params.token))) throw new NotFound('This unsubscribe link is not valid.');
      return { ok: true };
    },
  );

  app.put(
    '/me/email-notifications',
    {
      config: { access: 'member' },
      schema: {
        tags: ['mail'],
        summary: 'Choose notification e-mails: off, immediately or a daily digest',
        body: Type.Object({ value: EmailNotificationsValue }),
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (request) => {
      await mail.setNotificationPreference(requireMember(request.viewer).id, request.body.value);
      return { ok: true };
    },
  );

  app.post(
    '/me/email-verification',
    {
      config: { access: 'member', rateLimit: { max: limits.accountMailPerIpPerHour, timeWindow: '1 hour' } },
      schema: { tags: ['mail'], summary: 'Send the e-mail confirmation link again', response: { 202: Ok, ...errorResponses } },
    },
    async (request, reply) => {
      await accountEmails.resendVerification(requireMember(request.viewer));
      return reply.status(202).send({ ok: true });
    },
  );

  app.post(
    '/auth/password-reset',
    {
      config: { access: 'public', rateLimit: { max: limits.accountMailPerIpPerHour, timeWindow: '1 hour' } },
      schema: {
        tags: ['accounts'],
        summary: 'E-mail a password reset link (the answer is the same whether the address is known or not)',
        security: [],
        body: Type.Object({ email: Type.String({ maxLength: 320 }) }),
        response: { 202: Ok, ...errorResponses },
      },
    },
    async (request, reply) => {
      await accountEmails.requestPasswordReset(request.body.email);
      return reply.status(202).send({ ok: true });
    },
  );
};
