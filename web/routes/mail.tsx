import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Invalid, NotFound } from '../../server/errors.ts';
import { OUTBOX_PAGE } from '../../server/mail/service.ts';
import { pageContext } from '../context.ts';
import { sendPage } from '../render.tsx';
import { ChangeEmailPage, ForgotPasswordPage, MuteThreadPage, ResetPasswordPage, UnsubscribePage, VerifyEmailPage } from '../views/mail/link-pages.tsx';
import { OutboxMessagePage, OutboxPage } from '../views/mail/outbox-pages.tsx';

const Csrf = { _csrf: Type.Optional(Type.String()) };
const TokenParams = Type.Object({ token: Type.String({ maxLength: 300 }) });
const IdParam = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 }) });

/** Pages behind e-mailed links (verification, password reset, unsubscribe) and the admin's outbox. */
export const mailPages: FastifyPluginAsyncTypebox = async (app) => {
  const { accounts, accountEmails, mail, notifications } = app.services;
  const limits = app.config.rateLimits;

  // The development outbox (and the record of every e-mail when SMTP is configured)

  app.get(
    '/admin/outbox',
    { config: { access: 'admin' }, schema: { querystring: Type.Object({ before: Type.Optional(Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 })) }) } },
    async (request, reply) => {
      const messages = await mail.outbox(request.query.before);
      const last = messages.at(-1);
      const olderHref = messages.length === OUTBOX_PAGE && last ? `/admin/outbox?before=${last.id}` : null;
      return sendPage(reply, <OutboxPage ctx={pageContext(request, reply)} messages={messages} smtp={app.config.mail.smtpUrl !== undefined} olderHref={olderHref} />);
    },
  );

  app.get('/admin/outbox/:id', { config: { access: 'admin' }, schema: { params: IdParam } }, async (request, reply) => {
    const message = await mail.outboxMessage(request.params.id);
    if (!message) throw new NotFound();
    return sendPage(reply, <OutboxMessagePage ctx={pageContext(request, reply)} message={message} />);
  });

  // E-mail verification

  app.get('/verify-email/:token', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) =>
    sendPage(reply, <VerifyEmailPage ctx={pageContext(request, reply)} action={`/verify-email/${encodeURIComponent(request.params.token)}`} />),
  );

  app.post('/verify-email/:token', { config: { access: 'public' }, schema: { params: TokenParams, body: Type.Optional(Type.Object(Csrf)) } }, async (request, reply) => {
    await accountEmails.verifyEmail(request.params.token);
    request.flash('success', 'Thank you: your e-mail address is confirmed.');
    return reply.redirect(request.viewer.kind === 'member' ? '/settings#email' : '/signin', 303);
  });

  // Change of address: the new address takes over only when the link sent to it is followed

  app.get('/change-email/:token', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const target = await accountEmails.emailChangeTarget(request.params.token);
    return sendPage(reply, <ChangeEmailPage ctx={pageContext(request, reply)} action={`/change-email/${encodeURIComponent(request.params.token)}`} target={target} />);
  });

  app.post('/change-email/:token', { config: { access: 'public' }, schema: { params: TokenParams, body: Type.Optional(Type.Object(Csrf)) } }, async (request, reply) => {
    const { email } = await accountEmails.confirmEmailChange(request.params.token);
    request.flash('success', `Your e-mail address is now ${email}.`);
    return reply.redirect(request.viewer.kind === 'member' ? '/settings#email' : '/signin', 303);
  });

  // Password reset

  app.get('/forgot-password', { config: { access: 'public' } }, async (request, reply) =>
    sendPage(reply, <ForgotPasswordPage ctx={pageContext(request, reply)} state={{ email: '' }} />),
  );

  app.post(
    '/forgot-password',
    {
      config: { access: 'public', rateLimit: { max: limits.accountMailPerIpPerHour, timeWindow: '1 hour' } },
      schema: { body: Type.Object({ email: Type.String({ maxLength: 1000 }), ...Csrf }) },
    },
    async (request, reply) => {
      await accountEmails.requestPasswordReset(request.body.email);
      return sendPage(reply, <ForgotPasswordPage ctx={pageContext(request, reply)} state={{ email: request.body.email, sent: true }} />);
    },
  );

  const resetAction = (token: string) => `/reset-password/${encodeURIComponent(token)}`;

  app.get('/reset-password/:token', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const target = await accountEmails.resetTarget(request.params.token);
    return sendPage(reply, <ResetPasswordPage ctx={pageContext(request, reply)} action={resetAction(request.params.token)} state={{ handle: target.handle }} />);
  });

  app.post(
    '/reset-password/:token',
    { config: { access: 'public' }, schema: { params: TokenParams, body: Type.Object({ newPassword: Type.String({ maxLength: 1024 }), username: Type.Optional(Type.String()), ...Csrf }) } },
    async (request, reply) => {
      const { token } = request.params;
      try {
        await accountEmails.resetPassword(token, request.body.newPassword);
      } catch (error) {
        if (!(error instanceof Invalid)) throw error;
        const target = await accountEmails.resetTarget(token);
        const state = { handle: target.handle, message: error.message, error: error.fields.newPassword ?? error.message };
        return sendPage(reply, <ResetPasswordPage ctx={pageContext(request, reply)} action={resetAction(token)} state={state} />, 422);
      }
      // Every session of the account ended; this browser starts afresh too, whoever was signed in here.
      reply.header('set-cookie', accounts.sessions.blankCookie().serialized);
      await request.session.regenerate();
      request.flash('success', 'Your password is changed and every session was signed out. Sign in with the new password.');
      return reply.redirect('/signin', 303);
    },
  );

  // Unsubscribe from notification e-mails, without signing in

  async function unsubscribePage(request: FastifyRequest, reply: FastifyReply, token: string, done: boolean) {
    return sendPage(reply, <UnsubscribePage ctx={pageContext(request, reply)} action={`/unsubscribe/${encodeURIComponent(token)}`} done={done} />);
  }

  app.get('/unsubscribe/:token', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    if (!mail.validUnsubscribeToken(request.params.token)) throw new NotFound('This unsubscribe link is not valid.');
    return unsubscribePage(request, reply, request.params.token, false);
  });

  app.post('/unsubscribe/:token', { config: { access: 'public' }, schema: { params: TokenParams, body: Type.Optional(Type.Object(Csrf)) } }, async (request, reply) => {
    if (!(await mail.unsubscribe(request.params.token))) throw new NotFound('This unsubscribe link is not valid.');
    return unsubscribePage(request, reply, request.params.token, true);
  });

  // Muting one thread from a notification e-mail. The page names no thread: a forwarded e-mail's
  // link shows its holder nothing, and the muting itself goes through the member's own policy.

  const INVALID_MUTE_LINK = 'This link is not valid.';

  app.get('/mute/:token', { config: { access: 'public' }, schema: { params: TokenParams } }, async (request, reply) => {
    const target = mail.muteLinkTarget(request.params.token);
    if (!target) throw new NotFound(INVALID_MUTE_LINK);
    // Someone signed in who opens another account's link (a forwarded e-mail) is told whose notifications it mutes.
    const othersLink = request.viewer.kind === 'member' && request.viewer.id !== target.userId;
    return sendPage(reply, <MuteThreadPage ctx={pageContext(request, reply)} action={`/mute/${encodeURIComponent(request.params.token)}`} muted={null} othersLink={othersLink} />);
  });

  app.post('/mute/:token', { config: { access: 'public' }, schema: { params: TokenParams, body: Type.Optional(Type.Object(Csrf)) } }, async (request, reply) => {
    const target = mail.muteLinkTarget(request.params.token);
    const viewer = target && (await accounts.memberViewer(target.userId));
    if (!target || !viewer) throw new NotFound(INVALID_MUTE_LINK);
    // A thread the member can no longer read sends them nothing: there is nothing to mute, and nothing to say about it.
    await notifications.setWatch(viewer, { kind: 'thread', id: target.threadId }, 'muted').catch((error: unknown) => {
      if (!(error instanceof NotFound)) throw error;
    });
    return sendPage(reply, <MuteThreadPage ctx={pageContext(request, reply)} action={`/mute/${encodeURIComponent(request.params.token)}`} muted={{ threadId: target.threadId }} othersLink={request.viewer.kind === 'member' && request.viewer.id !== target.userId} />);
  });
};
