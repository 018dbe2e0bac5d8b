import { PASSWORD_MIN } from '../../../server/accounts/passwords.ts';
import { LIMITS } from '../../../server/accounts/rules.ts';
import type { PageContext } from '../../context.ts';
import { CsrfField, ErrorSummary, Field } from '../components.tsx';
import { Layout } from '../layout.tsx';

/** What the registration form shows back: never the password. */
export interface RegisterState {
  handle: string;
  displayName: string;
  email: string;
  /** Where to go once the account exists (a local path). */
  next: string;
  errors: Record<string, string>;
  message?: string;
}

export function RegisterPage({ ctx, state }: { ctx: PageContext; state: RegisterState }) {
  return (
    <Layout ctx={ctx} title="Join Rounds" noindex>
      <section class="auth-page" aria-labelledby="register-heading">
        <h1 id="register-heading">Join Rounds</h1>
        <p class="lead">One account for every space you are invited to. Your e-mail address is never shown to other members.</p>
        <form method="post" action="/register" class="auth-form">
          <ErrorSummary message={state.message} />
          <CsrfField ctx={ctx} />
          {state.next !== '/' && <input type="hidden" name="next" value={state.next} />}
          <Field
            name="handle"
            label="Handle"
            value={state.handle}
            error={state.errors.handle}
            hint="How others mention you (@handle): 3–30 letters, digits, hyphens or underscores."
            autocomplete="username"
            required
            maxLength={30}
            minLength={3}
            autofocus={!state.message}
          />
          <Field name="displayName" label="Display name" value={state.displayName} error={state.errors.displayName} autocomplete="name" required maxLength={LIMITS.displayName} />
          <Field name="email" label="E-mail" type="email" value={state.email} error={state.errors.email} autocomplete="email" required maxLength={LIMITS.email} />
          <Field
            name="password"
            label="Password"
            type="password"
            error={state.errors.password}
            hint={`At least ${PASSWORD_MIN} characters. A long phrase is easier to remember and harder to guess.`}
            autocomplete="new-password"
            required
            minLength={PASSWORD_MIN}
          />
          <button type="submit" class="button">
            Create account
          </button>
        </form>
        <p class="hint">
          Already a member? <a href={state.next !== '/' ? `/signin?next=${encodeURIComponent(state.next)}` : '/signin'}>Sign in</a>.
        </p>
      </section>
    </Layout>
  );
}

export interface SignInState {
  login: string;
  next: string;
  message?: string;
  /** Marks both fields invalid without saying which one was wrong. */
  refused?: boolean;
}

export function SignInPage({ ctx, state }: { ctx: PageContext; state: SignInState }) {
  const mark = state.refused ? ' ' : undefined;
  return (
    <Layout ctx={ctx} title="Sign in" noindex>
      <section class="auth-page" aria-labelledby="signin-heading">
        <h1 id="signin-heading">Sign in</h1>
        <form method="post" action="/signin" class="auth-form">
          <ErrorSummary message={state.message} />
          <CsrfField ctx={ctx} />
          {state.next !== '/' && <input type="hidden" name="next" value={state.next} />}
          <Field name="login" label="Handle or e-mail" value={state.login} error={mark} autocomplete="username" required maxLength={LIMITS.email} autofocus={!state.message} />
          <Field name="password" label="Password" type="password" error={mark} autocomplete="current-password" required />
          <button type="submit" class="button">
            Sign in
          </button>
        </form>
        <p class="hint">
          <a href="/forgot-password">Forgot your password?</a>
        </p>
        <p class="hint">
          New here? <a href={state.next !== '/' ? `/register?next=${encodeURIComponent(state.next)}` : '/register'}>Create an account</a>.
        </p>
      </section>
    </Layout>
  );
}

/**
 * A one-time link is spent only by pressing the button: mail scanners and link previews fetch
 * the GET, and would otherwise use the link up before its owner clicks it.
 */
export function SignInLinkPage({ ctx, action }: { ctx: PageContext; action: string }) {
  return (
    <Layout ctx={ctx} title="Sign in with your link" noindex>
      <section class="auth-page" aria-labelledby="link-heading">
        <h1 id="link-heading">Sign in with your one-time link</h1>
        <form method="post" action={action} class="auth-form">
          <CsrfField ctx={ctx} />
          <p>This link works once and expires an hour after it was made.</p>
          <button type="submit" class="button">
            Sign in
          </button>
        </form>
      </section>
    </Layout>
  );
}
