import type { ErrorView } from '../../server/plugins/errors.ts';
import type { PageContext } from '../context.ts';
import { Layout } from './layout.tsx';

const TITLES: Record<number, string> = {
  400: 'That request did not work',
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Page not found',
  409: 'Changed in the meantime',
  413: 'Too large',
  422: 'Please check what you sent',
  429: 'Slow down',
  500: 'Something went wrong',
  503: 'Temporarily unavailable',
};

/** Text fields a refused form carried: shown back so nothing the person typed is lost. */
export type KeptText = { name: string; value: string }[];

/** A refused form sent back whole, to be sent again as it is (after a database outage or a rate limit's wait). */
export interface RetryForm {
  action: string;
  /** A password field comes back empty, to be typed again. */
  fields: { name: string; value: string; editable: boolean; password?: boolean }[];
  reason: 'outage' | 'rate limit';
}

const LABELS: Record<string, string> = {
  title: 'Title',
  body: 'Message',
  summary: 'Summary',
  tags: 'Tags',
  bio: 'Bio',
  description: 'Description',
  name: 'Name',
  note: 'Note',
  reason: 'Reason',
  handle: 'Handle',
  displayName: 'Display name',
  email: 'Email',
  login: 'Handle or email',
  password: 'Password (type it again)',
  currentPassword: 'Current password (type it again)',
  newPassword: 'New password (type it again)',
};
const ONE_LINE = new Set(['title', 'name', 'tags', 'handle', 'displayName', 'email', 'login']);
const WHEN = { outage: 'when the site is back', 'rate limit': 'once the wait is over' } as const;

export function ErrorPage({ ctx, error, kept, retry }: { ctx: PageContext; error: ErrorView; kept: KeptText; retry?: RetryForm | undefined }) {
  const title = TITLES[error.status] ?? (error.status >= 500 ? TITLES[500]! : TITLES[400]!);
  if (retry) return <RetryPage ctx={ctx} title={title} error={error} retry={retry} />;
  return (
    <Layout ctx={ctx} title={title} noindex>
      <section class="error-page">
        <p class="error-code">{error.status}</p>
        <h1>{title}</h1>
        <p>{error.message}</p>
        {kept.length > 0 && (
          <div class="kept-text">
            <h2>Your text was not saved — here it is</h2>
            <p class="hint">Copy it before you leave this page.</p>
            {kept.map((k) => (
              <div class="field">
                <label for={`kept-${k.name}`}>{LABELS[k.name] ?? k.name}</label>
                <textarea id={`kept-${k.name}`} readOnly rows={Math.min(16, 2 + k.value.split('\n').length)} value={k.value} />
              </div>
            ))}
          </div>
        )}
        <p>
          <a href="/">Go to the home page</a>
        </p>
      </section>
    </Layout>
  );
}

function RetryPage({ ctx, title, error, retry }: { ctx: PageContext; title: string; error: ErrorView; retry: RetryForm }) {
  return (
    <Layout ctx={ctx} title={title} noindex>
      <section class="error-page">
        <p class="error-code">{error.status}</p>
        <h1>{title}</h1>
        <div class="notice notice-error" role="alert" tabIndex={-1} autoFocus>
          {error.message}
        </div>
        <form method="post" action={retry.action} class="kept-text retry-form">
          <h2>Your text is kept here</h2>
          <p class="hint">Send it again {WHEN[retry.reason]}; nothing is lost if you keep this page open.</p>
          {retry.fields
            .filter((f) => !f.editable)
            .map((f) => (
              <input type="hidden" name={f.name} value={f.value} />
            ))}
          {retry.fields
            .filter((f) => f.editable)
            .map((f) => (
              <div class="field">
                <label for={`retry-${f.name}`}>{LABELS[f.name] ?? f.name}</label>
                {f.password ? (
                  <input id={`retry-${f.name}`} name={f.name} type="password" autocomplete={f.name === 'newPassword' || retry.action === '/register' ? 'new-password' : 'current-password'} required />
                ) : ONE_LINE.has(f.name) ? (
                  <input id={`retry-${f.name}`} name={f.name} type={f.name === 'email' ? 'email' : 'text'} value={f.value} />
                ) : (
                  <textarea id={`retry-${f.name}`} name={f.name} rows={Math.min(16, 2 + f.value.split('\n').length)} value={f.value} />
                )}
              </div>
            ))}
          <button type="submit" class="button">
            Send again
          </button>
        </form>
      </section>
    </Layout>
  );
}
