import { PASSWORD_MIN } from '../../../server/accounts/passwords.ts';
import { LIMITS } from '../../../server/accounts/rules.ts';
import type { PageContext } from '../../context.ts';
import { CsrfField, ErrorSummary, Field } from '../components.tsx';
import { Layout } from '../layout.tsx';

/*
 * Pages behind links sent by e-mail. A link is spent only by pressing a button: mail scanners
 * and link previews fetch every GET, and would otherwise use a link up before its owner clicks.
 */

export function VerifyEmailPage({ ctx, action }: { ctx: PageContext; action: string }) {
  return (
    <Layout ctx={ctx} title="Confirm your e-mail address" noindex>
      <section class="auth-page" aria-labelledby="verify-heading">
        <h1 id="verify-heading">Confirm your e-mail address</h1>
        <form method="post" action={action} class="auth-form">
          <CsrfField ctx={ctx} />
          <p>Press the button to confirm that the address this link was sent to is yours.</p>
          <button type="submit" class="button">
            Confirm my address
          </button>
        </form>
      </section>
    </Layout>
  );
}

export function ChangeEmailPage({ ctx, action, target }: { ctx: PageContext; action: string; target: { handle: string; email: string } }) {
  return (
    <Layout ctx={ctx} title="Confirm your new e-mail address" noindex>
      <section class="auth-page" aria-labelledby="change-email-heading">
        <h1 id="change-email-heading">Confirm your new e-mail address</h1>
        <form method="post" action={action} class="auth-form">
          <CsrfField ctx={ctx} />
          <p>
            Press the button to make <strong>{target.email}</strong> the address of @{target.handle}. Password resets and notifications will go there from now on.
          </p>
          <button type="submit" class="button">
            Use this address
          </button>
        </form>
      </section>
    </Layout>
  );
}

export interface ForgotState {
  email: string;
  /** Set once a request was made: the same words whether or not an account uses the address. */
  sent?: boolean;
}

export function ForgotPasswordPage({ ctx, state }: { ctx: PageContext; state: ForgotState }) {
  return (
    <Layout ctx={ctx} title="Forgot your password?" noindex>
      <section class="auth-page" aria-labelledby="forgot-heading">
        <h1 id="forgot-heading">Forgot your password?</h1>
        {state.sent ? (
          <div class="notice notice-success" role="status">
            If an account uses that address, we have sent it a link to choose a new password. The link works once, within an hour. Check your spam folder if nothing arrives in a few minutes.
          </div>
        ) : (
          <p class="lead">Enter the e-mail address of your account. We will send a link to choose a new password.</p>
        )}
        <form method="post" action="/forgot-password" class="auth-form">
          <CsrfField ctx={ctx} />
          <Field name="email" label="E-mail" type="email" value={state.email} autocomplete="email" required maxLength={LIMITS.email} autofocus={!state.sent} />
          <button type="submit" class="button">
            {state.sent ? 'Send again' : 'Send me a link'}
          </button>
        </form>
        <p class="hint">
          Remembered it? <a href="/signin">Sign in</a>.
        </p>
      </section>
    </Layout>
  );
}

export interface ResetState {
  handle: string;
  message?: string;
  error?: string;
}

export function ResetPasswordPage({ ctx, action, state }: { ctx: PageContext; action: string; state: ResetState }) {
  return (
    <Layout ctx={ctx} title="Choose a new password" noindex>
      <section class="auth-page" aria-labelledby="reset-heading">
        <h1 id="reset-heading">Choose a new password</h1>
        <p>For @{state.handle}. Saving it signs your account out everywhere.</p>
        <form method="post" action={action} class="auth-form">
          <ErrorSummary message={state.message} />
          <CsrfField ctx={ctx} />
          <input type="text" name="username" value={state.handle} autoComplete="username" hidden readOnly />
          <Field
            name="newPassword"
            label="New password"
            type="password"
            error={state.error}
            hint={`At least ${PASSWORD_MIN} characters.`}
            autocomplete="new-password"
            required
            minLength={PASSWORD_MIN}
            autofocus={!state.message}
          />
          <button type="submit" class="button">
            Save new password
          </button>
        </form>
      </section>
    </Layout>
  );
}

export function UnsubscribePage({ ctx, action, done }: { ctx: PageContext; action: string; done: boolean }) {
  return (
    <Layout ctx={ctx} title="Notification e-mails" noindex>
      <section class="auth-page" aria-labelledby="unsubscribe-heading">
        <h1 id="unsubscribe-heading">{done ? 'You are unsubscribed' : 'Stop notification e-mails?'}</h1>
        {done ? (
          <p role="status">Rounds will send you no more notification or digest e-mails. You can turn them on again in your settings.</p>
        ) : (
          <form method="post" action={action} class="auth-form">
            <CsrfField ctx={ctx} />
            <p>You will get no more notification or digest e-mails. Account e-mails (password resets, address confirmations) still arrive when you ask for them.</p>
            <button type="submit" class="button">
              Unsubscribe
            </button>
          </form>
        )}
      </section>
    </Layout>
  );
}

/** Before and after muting a thread from an e-mail's link; `muted` names the thread once done. */
export function MuteThreadPage({ ctx, action, muted, othersLink }: { ctx: PageContext; action: string; muted: { threadId: number } | null; othersLink: boolean }) {
  const viewer = ctx.viewer;
  const whose =
    othersLink && viewer.kind === 'member' ? (
      <p class="notice notice-info">
        This link was sent to another account, not to @{viewer.handle}, the one you are signed in with: it mutes the thread for that account, and changes nothing of yours.
      </p>
    ) : null;
  return (
    <Layout ctx={ctx} title="Thread notifications" noindex>
      <section class="auth-page" aria-labelledby="mute-heading">
        <h1 id="mute-heading">{muted ? 'Thread muted' : 'Stop notifications about this thread?'}</h1>
        {whose}
        {muted && othersLink ? (
          <p role="status">The account this link was sent to will get no more notifications or e-mails about this thread.</p>
        ) : muted ? (
          <p role="status">
            You will get no more notifications or e-mails about this thread. To follow it again, choose Tracking or Watching on <a href={`/t/${muted.threadId}`}>the thread’s page</a>.
          </p>
        ) : (
          <form method="post" action={action} class="auth-form">
            <CsrfField ctx={ctx} />
            <p>
              Nothing in the thread this e-mail was about will notify the account it was sent to any more, on the site or by e-mail, not even a reply or a mention. Other
              notifications stay as they are.
            </p>
            <button type="submit" class="button">
              Mute this thread
            </button>
          </form>
        )}
      </section>
    </Layout>
  );
}
