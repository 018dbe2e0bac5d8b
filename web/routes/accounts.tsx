import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UserRow } from '../../server/accounts/queries.ts';
import { LIMITS } from '../../server/accounts/rules.ts';
import type { SessionCookie } from '../../server/accounts/sessions.ts';
import { plainExcerptOfHtml } from '../../server/content/render-markdown.ts';
import { Conflict, Forbidden, Invalid, NotFound, TooManyRequests, Unauthenticated } from '../../server/errors.ts';
import { requireMember } from '../../server/policy/index.ts';
import { entryUrl } from '../../server/blogs/presenters.ts';
import { pageContext } from '../context.ts';
import { sendPage } from '../render.tsx';
import { localPath, postHref, profileHref } from '../urls.ts';
import { RegisterPage, SignInLinkPage, SignInPage, type RegisterState } from '../views/accounts/auth-pages.tsx';
import { ProfilePage } from '../views/accounts/profile-page.tsx';
import { SettingsPage, type FormProblem, type ProfileValues, type SettingsState } from '../views/accounts/settings-page.tsx';

// Generous caps: the service gives the precise message, and the form keeps the text.
const Password = Type.String({ maxLength: 1024 });
const Csrf = { _csrf: Type.Optional(Type.String()) };
const IdParam = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 }) });
const NextPath = Type.Optional(Type.String({ maxLength: 2000 }));


/** Form errors are re-rendered with what the person typed; anything else goes to the error handler. */
function formProblem(error: unknown): FormProblem & { status: number } {
  if (error instanceof Invalid) return { status: 422, message: error.message, errors: error.fields };
  if (error instanceof Conflict) return { status: 409, message: error.message, errors: {} };
  throw error;
}

const profileValues = (user: UserRow): ProfileValues => ({
  displayName: user.displayName,
  title: user.title,
  specialty: user.specialty,
  institution: user.institution,
  bio: user.bioSource,
});

export const accountPages: FastifyPluginAsyncTypebox = async (app) => {
  const { accounts, accountEmails, forum, blogs, mail, notifications } = app.services;
  const limits = app.config.rateLimits;
  const userAgent = (request: FastifyRequest) => request.headers['user-agent'] ?? '';

  /**
   * Signs this browser in as a new session. Whatever the visitor session held before (CSRF secret,
   * flash) is dropped so nothing set before sign-in is trusted after it, and a previous account's
   * session in this browser ends.
   */
  async function startSession(request: FastifyRequest, reply: FastifyReply, cookie: SessionCookie) {
    if (request.authSessionId) await accounts.sessions.invalidate(request.authSessionId);
    await request.session.regenerate();
    reply.header('set-cookie', cookie.serialized);
  }

  /** Ends this browser's sign-in: blank auth cookie and a fresh visitor session (the old one is destroyed). */
  async function endSession(request: FastifyRequest, reply: FastifyReply) {
    reply.header('set-cookie', accounts.sessions.blankCookie().serialized);
    await request.session.regenerate();
  }

  // Registration

  const emptyRegistration: RegisterState = { handle: '', displayName: '', email: '', next: '/', errors: {} };

  app.get('/register', { config: { access: 'public' }, schema: { querystring: Type.Object({ next: NextPath }) } }, async (request, reply) => {
    const next = localPath(request.query.next);
    if (request.viewer.kind === 'member') return reply.redirect(next, 303);
    return sendPage(reply, <RegisterPage ctx={pageContext(request, reply)} state={{ ...emptyRegistration, next }} />);
  });

  app.post(
    '/register',
    {
      config: { access: 'public', rateLimit: { max: limits.registerPerIpPerHour, timeWindow: '1 hour' } },
      schema: {
        body: Type.Object({
          handle: Type.String({ maxLength: 100 }),
          displayName: Type.String({ maxLength: LIMITS.displayName * 4 }),
          email: Type.String({ maxLength: LIMITS.email * 2 }),
          password: Password,
          next: NextPath,
          ...Csrf,
        }),
      },
    },
    async (request, reply) => {
      // Back to the page that sent the visitor here (a thread they wanted to reply to), once they can use it.
      const next = localPath(request.body.next);
      if (request.viewer.kind === 'member') return reply.redirect(next, 303);
      const { handle, displayName, email, password } = request.body;
      try {
        const { user, cookie } = await accounts.register({ handle, displayName, email, password }, userAgent(request));
        if (!cookie) {
          request.flash('success', `Thank you, ${user.displayName}. A moderator approves new accounts here; you can sign in as soon as yours is approved.`);
          return reply.redirect('/', 303);
        }
        await startSession(request, reply, cookie);
        request.flash('success', `Welcome to Rounds, ${user.displayName}. Your account is ready. We sent a link to ${user.email}: follow it to confirm your address.`);
        return reply.redirect(next, 303);
      } catch (error) {
        const problem = formProblem(error);
        // The password is never sent back: it would sit in the page, the cache and the history.
        const state: RegisterState = { handle, displayName, email, next, errors: problem.errors, message: problem.message };
        return sendPage(reply, <RegisterPage ctx={pageContext(request, reply)} state={state} />, problem.status);
      }
    },
  );

  // Signing in and out

  app.get('/signin', { config: { access: 'public' }, schema: { querystring: Type.Object({ next: NextPath }) } }, async (request, reply) => {
    const next = localPath(request.query.next);
    if (request.viewer.kind === 'member') return reply.redirect(next, 303);
    return sendPage(reply, <SignInPage ctx={pageContext(request, reply)} state={{ login: '', next }} />);
  });

  app.post(
    '/signin',
    {
      config: { access: 'public', rateLimit: { max: limits.signInPerIpPerMinute, timeWindow: '1 minute' } },
      schema: { body: Type.Object({ login: Type.String({ maxLength: 1024 }), password: Password, next: NextPath, ...Csrf }) },
    },
    async (request, reply) => {
      const next = localPath(request.body.next);
      const { login, password } = request.body;
      try {
        const { user, cookie } = await accounts.signIn(login, password, userAgent(request));
        await startSession(request, reply, cookie);
        request.flash('success', `Welcome back, ${user.displayName}.`);
        return reply.redirect(next, 303);
      } catch (error) {
        // The service words every refusal the same way, whichever part was wrong.
        const status =
          error instanceof Invalid ? 422 : error instanceof TooManyRequests ? 429 : error instanceof Forbidden ? 403 : undefined;
        if (status === undefined || !(error instanceof Error)) throw error;
        return sendPage(
          reply,
          <SignInPage ctx={pageContext(request, reply)} state={{ login, next, message: error.message, refused: status === 422 }} />,
          status,
        );
      }
    },
  );

  // Public so that a visitor whose session already expired can still press the button without an error.
  app.post('/signout', { config: { access: 'public' } }, async (request, reply) => {
    if (request.authSessionId) await accounts.sessions.invalidate(request.authSessionId);
    await endSession(request, reply);
    request.flash('info', 'You are signed out.');
    return reply.redirect('/', 303);
  });

  const LinkParams = Type.Object({ token: Type.String({ maxLength: 200 }) });

  app.get('/auth/link/:token', { config: { access: 'public' }, schema: { params: LinkParams } }, async (request, reply) =>
    sendPage(reply, <SignInLinkPage ctx={pageContext(request, reply)} action={`/auth/link/${encodeURIComponent(request.params.token)}`} />),
  );

  app.post(
    '/auth/link/:token',
    { config: { access: 'public' }, schema: { params: LinkParams } },
    async (request, reply) => {
      const { user, cookie } = await accounts.signInWithLink(request.params.token, userAgent(request));
      await startSession(request, reply, cookie);
      request.flash(
        user.passwordHash ? 'success' : 'info',
        user.passwordHash
          ? `You are signed in as @${user.handle}.`
          : `You are signed in as @${user.handle}. This link works only once: set a password below so you can sign in again.`,
      );
      return reply.redirect(user.passwordHash ? '/settings' : '/settings#password', 303);
    },
  );

  // Settings

  async function renderSettings(request: FastifyRequest, reply: FastifyReply, state: Partial<SettingsState>, status = 200) {
    const viewer = requireMember(request.viewer);
    const [user, sessions, tokens, watchDefaults, pendingEmail] = await Promise.all([
      accounts.findUser(viewer.id),
      accounts.listSessions(viewer),
      accounts.listApiTokens(viewer),
      notifications.preferences(viewer),
      accountEmails.pendingEmailChange(viewer),
    ]);
    if (!user) throw new Unauthenticated();
    const full: SettingsState = { ...state, profile: state.profile ?? profileValues(user), tokenName: state.tokenName ?? '' };
    return sendPage(
      reply,
      <SettingsPage
        ctx={pageContext(request, reply)}
        account={{
          handle: user.handle,
          email: user.email,
          hasPassword: user.passwordHash !== null,
          emailVerified: user.emailVerifiedAt !== null,
          emailNotifications: user.emailNotifications,
          pendingEmail: pendingEmail ?? null,
        }}
        watchDefaults={watchDefaults}
        // Session ids are bearer secrets: only whether each one is this browser's reaches the view.
        sessions={sessions.map((s) => ({ createdAt: s.createdAt, userAgent: s.userAgent, current: s.id === request.authSessionId }))}
        tokens={tokens}
        state={full}
      />,
      status,
    );
  }

  app.get('/settings', { config: { access: 'member' } }, async (request, reply) => renderSettings(request, reply, {}));

  app.post(
    '/settings/profile',
    {
      config: { access: 'member' },
      schema: {
        body: Type.Object({
          displayName: Type.String({ maxLength: LIMITS.displayName * 4 }),
          title: Type.String({ maxLength: LIMITS.title * 4 }),
          specialty: Type.String({ maxLength: LIMITS.specialty * 4 }),
          institution: Type.String({ maxLength: LIMITS.institution * 4 }),
          bio: Type.String({ maxLength: LIMITS.bio * 2 }),
          ...Csrf,
        }),
      },
    },
    async (request, reply) => {
      const viewer = requireMember(request.viewer);
      const { displayName, title, specialty, institution, bio } = request.body;
      const profile: ProfileValues = { displayName, title, specialty, institution, bio };
      try {
        await accounts.updateProfile(viewer, profile);
        request.flash('success', 'Your profile is saved.');
        return reply.redirect('/settings', 303);
      } catch (error) {
        const problem = formProblem(error);
        return renderSettings(request, reply, { profile, profileProblem: problem }, problem.status);
      }
    },
  );

  app.post(
    '/settings/password',
    { config: { access: 'member' }, schema: { body: Type.Object({ currentPassword: Type.Optional(Password), newPassword: Password, ...Csrf }) } },
    async (request, reply) => {
      const viewer = requireMember(request.viewer);
      const user = await accounts.findUser(viewer.id);
      if (!user) throw new Unauthenticated();
      const { currentPassword = '', newPassword } = request.body;
      try {
        if (user.passwordHash) {
          // The service ends every session but this one: a changed password usually means a suspected leak.
          await accounts.changePassword(viewer, request.authSessionId, currentPassword, newPassword);
          request.flash('success', 'Your password is changed. Every other session was signed out.');
        } else {
          await accounts.setInitialPassword(viewer, newPassword);
          request.flash('success', 'Your password is set. You can now sign in with it.');
        }
        return reply.redirect('/settings', 303);
      } catch (error) {
        const problem = formProblem(error);
        return renderSettings(request, reply, { passwordProblem: problem }, problem.status);
      }
    },
  );

  app.post(
    '/settings/email',
    { config: { access: 'member' }, schema: { body: Type.Object({ email: Type.String({ maxLength: LIMITS.email * 2 }), currentPassword: Password, ...Csrf }) } },
    async (request, reply) => {
      const viewer = requireMember(request.viewer);
      const { email, currentPassword } = request.body;
      try {
        await accountEmails.requestEmailChange(viewer, currentPassword, email);
        request.flash('success', `We sent a link to ${email.trim()}. Your address changes when you follow it.`);
        return reply.redirect('/settings#email', 303);
      } catch (error) {
        const problem = formProblem(error);
        return renderSettings(request, reply, { newEmail: email, emailProblem: problem }, problem.status);
      }
    },
  );

  app.post('/settings/email/cancel', { config: { access: 'member' }, schema: { body: Type.Optional(Type.Object(Csrf)) } }, async (request, reply) => {
    await accountEmails.cancelEmailChange(requireMember(request.viewer));
    request.flash('success', 'The change of address is cancelled: the link we sent no longer works.');
    return reply.redirect('/settings#email', 303);
  });

  app.post(
    '/settings/email/verify',
    { config: { access: 'member', rateLimit: { max: limits.accountMailPerIpPerHour, timeWindow: '1 hour' } } },
    async (request, reply) => {
      await accountEmails.resendVerification(requireMember(request.viewer));
      request.flash('success', 'We sent the confirmation link again.');
      return reply.redirect('/settings#email', 303);
    },
  );

  app.post(
    '/settings/notifications',
    {
      config: { access: 'member' },
      schema: { body: Type.Object({ emailNotifications: Type.Union([Type.Literal('off'), Type.Literal('immediately'), Type.Literal('daily')]), ...Csrf }) },
    },
    async (request, reply) => {
      await mail.setNotificationPreference(requireMember(request.viewer).id, request.body.emailNotifications);
      request.flash('success', 'Your e-mail choice is saved.');
      return reply.redirect('/settings#notifications', 303);
    },
  );

  app.post('/settings/sign-out-everywhere', { config: { access: 'member' } }, async (request, reply) => {
    await accounts.signOutEverywhere(requireMember(request.viewer));
    await endSession(request, reply);
    request.flash('info', 'You are signed out on every device, this one included.');
    return reply.redirect('/signin', 303);
  });

  // The address a new token's page is answered at: reloaded or opened again later, it leads back to
  // the tokens instead of a 404 (the secret itself is shown once, in that answer only).
  app.get('/settings/tokens', { config: { access: 'member' } }, async (_request, reply) => reply.redirect('/settings#tokens', 303));

  app.post(
    '/settings/tokens',
    { config: { access: 'member' }, schema: { body: Type.Object({ name: Type.String({ maxLength: LIMITS.tokenName * 4 }), ...Csrf }) } },
    async (request, reply) => {
      const viewer = requireMember(request.viewer);
      const { name } = request.body;
      try {
        const created = await accounts.createApiToken(viewer, name);
        // Shown in this response only, not through a flash: the secret must not be stored in the visitor session.
        return renderSettings(request, reply, { createdToken: { name: created.name, token: created.token } }, 201);
      } catch (error) {
        const problem = formProblem(error);
        return renderSettings(request, reply, { tokenName: name, tokenProblem: problem }, problem.status);
      }
    },
  );

  app.post('/settings/tokens/:id/revoke', { config: { access: 'member' }, schema: { params: IdParam } }, async (request, reply) => {
    await accounts.revokeApiToken(requireMember(request.viewer), request.params.id);
    request.flash('success', 'The token is revoked: scripts using it can no longer sign in.');
    return reply.redirect('/settings#tokens', 303);
  });

  // Public profiles

  app.get('/u/:handle', { config: { access: 'public' }, schema: { params: Type.Object({ handle: Type.String({ maxLength: 60 }) }) } }, async (request, reply) => {
    const user = await accounts.findProfileByHandle(request.params.handle);
    if (!user) throw new NotFound();
    if (user.handle !== request.params.handle) return reply.redirect(profileHref(user.handle), 301);
    // The forum and blog services apply the visibility policy: a viewer sees only what they could read anyway.
    const [posts, entries] = await Promise.all([forum.postsByAuthor(request.viewer, user.id), blogs.entryTitlesByAuthor(request.viewer, user.id)]);
    return sendPage(
      reply,
      <ProfilePage
        ctx={pageContext(request, reply)}
        profile={{
          handle: user.handle,
          displayName: user.displayName,
          title: user.title,
          specialty: user.specialty,
          institution: user.institution,
          role: user.role,
          joinedAt: user.createdAt,
          bioHtml: user.bioHtml,
        }}
        posts={posts.map((p) => ({
          href: postHref(p.threadId, p.threadSlug, p.number),
          threadTitle: p.threadTitle,
          number: p.number,
          createdAt: p.createdAt,
          // From the stored rendering: parsing 20 posts' Markdown again was most of this page's cost.
          excerpt: plainExcerptOfHtml(p.bodyHtml, 200),
          spaceLevel: p.spaceLevel,
        }))}
        entries={entries.map((e) => ({ title: e.title, href: entryUrl(user.handle, e.slug), publishedAt: e.publishedAt }))}
      />,
    );
  });
};
