import { PASSWORD_MIN } from '../../../server/accounts/passwords.ts';
import { LIMITS } from '../../../server/accounts/rules.ts';
import type { PageContext } from '../../context.ts';
import { profileHref } from '../../urls.ts';
import { Badge, CsrfField, ErrorSummary, Field, Time } from '../components.tsx';
import { Layout } from '../layout.tsx';
import { deviceName } from './device-name.ts';

export interface ProfileValues {
  displayName: string;
  title: string;
  specialty: string;
  institution: string;
  bio: string;
}

export interface FormProblem {
  message: string;
  errors: Record<string, string>;
}

/** One section's state at a time: the form that was sent keeps its values and shows its errors. */
export interface SettingsState {
  profile: ProfileValues;
  profileProblem?: FormProblem;
  passwordProblem?: FormProblem;
  /** The address typed into the change-of-address form (kept when it is refused). */
  newEmail?: string;
  emailProblem?: FormProblem;
  tokenName: string;
  tokenProblem?: FormProblem;
  /** The new API token, shown on this one response and never again. */
  createdToken?: { name: string; token: string };
}

/** A session as the settings page lists it; the id (a bearer secret) is deliberately absent. */
export interface SessionSummary {
  createdAt: Date;
  userAgent: string;
  current: boolean;
}

export interface TokenSummary {
  id: number;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface SettingsPageProps {
  ctx: PageContext;
  account: {
    handle: string;
    email: string;
    hasPassword: boolean;
    emailVerified: boolean;
    emailNotifications: 'off' | 'immediately' | 'daily';
    /** A new address waiting for its link to be followed; the account keeps `email` until then. */
    pendingEmail: { email: string; expiresAt: Date } | null;
  };
  /** Whether threads the member starts or replies to are watched (else tracked). */
  watchDefaults: { watchStarted: boolean; watchReplied: boolean };
  sessions: SessionSummary[];
  tokens: TokenSummary[];
  state: SettingsState;
}

export function SettingsPage(props: SettingsPageProps) {
  const { ctx, account } = props;
  return (
    <Layout ctx={ctx} title="Settings" noindex>
      <div class="page-head">
        <h1>Settings</h1>
        <a href={profileHref(account.handle)}>View your public profile</a>
      </div>
      <nav class="settings-nav" aria-label="Settings sections">
        <ul>
          <li>
            <a href="#profile">Profile</a>
          </li>
          <li>
            <a href="#notifications">Notifications</a>
          </li>
          <li>
            <a href="#email">E-mail</a>
          </li>
          <li>
            <a href="#password">Password</a>
          </li>
          <li>
            <a href="#sessions">Sessions</a>
          </li>
          <li>
            <a href="#tokens">API tokens</a>
          </li>
          <li>
            <a href="/me/moderation">Your posts under review</a>
          </li>
        </ul>
      </nav>
      <p class="hint">
        Signed in as @{account.handle} with {account.email}. Your e-mail address is never shown to other members.
      </p>
      <ProfileSection ctx={ctx} values={props.state.profile} problem={props.state.profileProblem} />
      <NotificationsSection ctx={ctx} account={account} watchDefaults={props.watchDefaults} />
      <EmailSection ctx={ctx} account={account} newEmail={props.state.newEmail ?? ''} problem={props.state.emailProblem} />
      <PasswordSection ctx={ctx} account={account} problem={props.state.passwordProblem} />
      <SessionsSection ctx={ctx} sessions={props.sessions} />
      <TokensSection ctx={ctx} tokens={props.tokens} name={props.state.tokenName} problem={props.state.tokenProblem} created={props.state.createdToken} />
    </Layout>
  );
}

function ProfileSection({ ctx, values, problem }: { ctx: PageContext; values: ProfileValues; problem: FormProblem | undefined }) {
  const errors = problem?.errors ?? {};
  return (
    <section class="settings-section" id="profile" aria-labelledby="profile-heading">
      <h2 id="profile-heading">Profile</h2>
      <p class="hint">Everything in this section is shown on your public profile.</p>
      <form method="post" action="/settings/profile">
        <ErrorSummary message={problem?.message} />
        <CsrfField ctx={ctx} />
        <Field name="displayName" label="Display name" value={values.displayName} error={errors.displayName} autocomplete="name" required maxLength={LIMITS.displayName} />
        <Field name="title" label="Title" value={values.title} error={errors.title} hint="For example: Consultant, Registrar, Nurse practitioner." autocomplete="organization-title" maxLength={LIMITS.title} />
        <Field name="specialty" label="Specialty" value={values.specialty} error={errors.specialty} maxLength={LIMITS.specialty} />
        <Field name="institution" label="Institution" value={values.institution} error={errors.institution} autocomplete="organization" maxLength={LIMITS.institution} />
        <Field
          name="bio"
          label="Bio"
          value={values.bio}
          error={errors.bio}
          multiline
          rows={6}
          maxLength={LIMITS.bio}
          hint="Markdown: **bold**, _italic_, - list, [link](https://…). Raw HTML is shown as text."
        />
        <button type="submit" class="button">
          Save profile
        </button>
      </form>
    </section>
  );
}

const NOTIFICATION_CHOICES = [
  { value: 'off', label: 'Off', hint: 'Only account e-mails (password resets, address confirmations).' },
  { value: 'immediately', label: 'Immediately', hint: 'One e-mail per notification.' },
  { value: 'daily', label: 'Daily digest', hint: 'At most one e-mail a day, listing what happened.' },
] as const;

function NotificationsSection(props: { ctx: PageContext; account: SettingsPageProps['account']; watchDefaults: SettingsPageProps['watchDefaults'] }) {
  const { ctx, account, watchDefaults } = props;
  return (
    <section class="settings-section" id="notifications" aria-labelledby="notifications-heading">
      <h2 id="notifications-heading">Notifications</h2>
      <form method="post" action="/notifications/preferences">
        <CsrfField ctx={ctx} />
        <fieldset class="choice">
          <legend>Threads you take part in</legend>
          <p class="hint">
            They are tracked: you hear of replies to you and of mentions. Watching tells you of every new post. Each thread, board and space can be set on its own page too.
          </p>
          <label class="checkbox">
            <input type="checkbox" name="watchStarted" value="on" checked={watchDefaults.watchStarted} /> Watch threads I start
          </label>
          <label class="checkbox">
            <input type="checkbox" name="watchReplied" value="on" checked={watchDefaults.watchReplied} /> Watch threads I reply to
          </label>
        </fieldset>
        <button type="submit" class="button">
          Save thread defaults
        </button>
      </form>
      <form method="post" action="/settings/notifications">
        <CsrfField ctx={ctx} />
        <fieldset class="choice">
          <legend>Notification e-mails</legend>
          {NOTIFICATION_CHOICES.map((choice) => (
            <label class="choice-option">
              <input type="radio" name="emailNotifications" value={choice.value} checked={account.emailNotifications === choice.value} />
              <span>
                {choice.label}
                <span class="hint">{choice.hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <button type="submit" class="button">
          Save e-mail choice
        </button>
      </form>
      {!account.emailVerified && <p class="hint">Notification e-mails start once your address is confirmed (see E-mail below).</p>}
    </section>
  );
}

function EmailSection(props: { ctx: PageContext; account: SettingsPageProps['account']; newEmail: string; problem: FormProblem | undefined }) {
  const { ctx, account, problem } = props;
  const errors = problem?.errors ?? {};
  return (
    <section class="settings-section" id="email" aria-labelledby="email-heading">
      <h2 id="email-heading">E-mail</h2>
      <p>
        Your address: <strong>{account.email}</strong>{' '}
        {account.emailVerified ? <Badge kind="verified">Confirmed</Badge> : <Badge kind="unverified">E-mail not verified</Badge>}
      </p>
      {!account.emailVerified && (
        <div class="notice notice-info">
          <p>
            We sent a confirmation link to this address. Until you follow it, you can read and post, but Rounds sends you no notification e-mails.
          </p>
          <form method="post" action="/settings/email/verify" class="inline-form">
            <CsrfField ctx={ctx} />
            <button type="submit" class="button button-small button-secondary">
              Send the link again
            </button>
          </form>
        </div>
      )}
      {account.pendingEmail && (
        <div class="notice notice-info" id="pending-email">
          <p>
            You asked to change your address to <strong>{account.pendingEmail.email}</strong>. Follow the link we sent there (it works until{' '}
            <Time at={account.pendingEmail.expiresAt} absolute />
            ). Until then, Rounds keeps using {account.email}.
          </p>
          <form method="post" action="/settings/email/cancel" class="inline-form">
            <CsrfField ctx={ctx} />
            <button type="submit" class="button button-small button-secondary">
              Cancel the change
            </button>
          </form>
        </div>
      )}
      {account.hasPassword && (
        <form method="post" action="/settings/email">
          <h3>Change your address</h3>
          <ErrorSummary message={problem?.message} />
          <CsrfField ctx={ctx} />
          <Field id="f-new-email" name="email" label="New e-mail address" type="email" value={props.newEmail} error={errors.email} autocomplete="email" required maxLength={LIMITS.email} />
          {/* Its own id: the password section below has a current-password field too. */}
          <Field id="f-email-current-password" name="currentPassword" label="Current password" type="password" error={errors.currentPassword} autocomplete="current-password" required />
          <p class="hint">We send a link to the new address; your address changes when you follow it. Your current address gets a notice.</p>
          <button type="submit" class="button">
            Change address
          </button>
        </form>
      )}
    </section>
  );
}

function PasswordSection({ ctx, account, problem }: { ctx: PageContext; account: SettingsPageProps['account']; problem: FormProblem | undefined }) {
  const errors = problem?.errors ?? {};
  return (
    <section class="settings-section" id="password" aria-labelledby="password-heading">
      <h2 id="password-heading">{account.hasPassword ? 'Change your password' : 'Set a password'}</h2>
      {account.hasPassword ? (
        <p class="hint">Changing it signs you out on every other device.</p>
      ) : (
        <p class="notice notice-info">Your account has no password yet. Set one so you can sign in again once this session ends.</p>
      )}
      <form method="post" action="/settings/password">
        <ErrorSummary message={problem?.message} />
        <CsrfField ctx={ctx} />
        {/* Lets password managers file the new password under the right account. */}
        <input type="text" name="username" value={account.handle} autoComplete="username" hidden readOnly />
        {account.hasPassword && (
          <Field name="currentPassword" label="Current password" type="password" error={errors.currentPassword} autocomplete="current-password" required />
        )}
        <Field
          name="newPassword"
          label="New password"
          type="password"
          error={errors.newPassword}
          hint={`At least ${PASSWORD_MIN} characters.`}
          autocomplete="new-password"
          required
          minLength={PASSWORD_MIN}
        />
        <button type="submit" class="button">
          {account.hasPassword ? 'Change password' : 'Set password'}
        </button>
      </form>
    </section>
  );
}

function SessionsSection({ ctx, sessions }: { ctx: PageContext; sessions: SessionSummary[] }) {
  return (
    <section class="settings-section" id="sessions" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Sessions</h2>
      <p class="hint">Where your account is signed in now. Signing out everywhere does not revoke API tokens; revoke those below.</p>
      {sessions.length === 0 ? (
        <p class="empty">No active sessions.</p>
      ) : (
        <ul class="session-list">
          {sessions.map((s) => (
            <li>
              <span class="session-agent" title={s.userAgent.trim() || undefined}>
                {deviceName(s.userAgent)}
              </span>{' '}
              {s.current && <Badge kind="current">This browser</Badge>}
              <br />
              <span class="hint">
                Signed in <Time at={s.createdAt} />
              </span>
            </li>
          ))}
        </ul>
      )}
      <form method="post" action="/settings/sign-out-everywhere" class="inline-form" data-confirm="Sign out on every device, including this one?">
        <CsrfField ctx={ctx} />
        <button type="submit" class="button button-secondary">
          Sign out everywhere
        </button>
      </form>
    </section>
  );
}

function TokensSection(props: { ctx: PageContext; tokens: TokenSummary[]; name: string; problem: FormProblem | undefined; created: SettingsState['createdToken'] }) {
  const { ctx, tokens, problem, created } = props;
  return (
    <section class="settings-section" id="tokens" aria-labelledby="tokens-heading">
      <h2 id="tokens-heading">API tokens</h2>
      <p class="hint">
        For scripts using the JSON API (<code>Authorization: Bearer …</code>). A token acts as you; revoke any you no longer use.
      </p>
      {created && (
        <div class="notice notice-success" role="status">
          <p>
            Token “{created.name}” created. Copy it now: it is shown only this once.
          </p>
          <label for="new-token">New token</label>
          <input id="new-token" class="token-value" type="text" value={created.token} readOnly autoComplete="off" spellcheck={false} />
        </div>
      )}
      {tokens.length === 0 ? (
        <p class="empty">No API tokens.</p>
      ) : (
        <table class="token-table" aria-labelledby="tokens-heading">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr>
                <th scope="row">{t.name}</th>
                <td>
                  <Time at={t.createdAt} />
                </td>
                <td>{t.lastUsedAt ? <Time at={t.lastUsedAt} /> : 'Never'}</td>
                <td>
                  <form method="post" action={`/settings/tokens/${t.id}/revoke`} class="inline-form" data-confirm={`Revoke the token “${t.name}”? Scripts using it stop working.`}>
                    <CsrfField ctx={ctx} />
                    <button type="submit" class="button button-small button-secondary" aria-label={`Revoke token ${t.name}`}>
                      Revoke
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form method="post" action="/settings/tokens">
        <h3>New token</h3>
        <ErrorSummary message={problem?.message} />
        <CsrfField ctx={ctx} />
        <Field name="name" label="Token name" value={props.name} error={problem?.errors.name} hint="What it is for, e.g. “weekly export script”." required maxLength={LIMITS.tokenName} autocomplete="off" />
        <button type="submit" class="button">
          Create token
        </button>
      </form>
    </section>
  );
}
