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

export function ErrorPage({ ctx, error, kept }: { ctx: PageContext; error: ErrorView; kept: KeptText }) {
  const title = TITLES[error.status] ?? (error.status >= 500 ? TITLES[500]! : TITLES[400]!);
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
                <label for={`kept-${k.name}`}>{k.name}</label>
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
