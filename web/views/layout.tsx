import type { ComponentChildren } from 'preact';
import type { PageContext } from '../context.ts';
import { CsrfField } from './components.tsx';

export interface LayoutProps {
  ctx: PageContext;
  title: string;
  description?: string;
  /** Members-only and private pages must never reach a search engine. */
  noindex?: boolean;
  children: ComponentChildren;
}

function current(path: string, href: string): 'page' | undefined {
  const bare = path.split(/[?#]/)[0];
  return bare === href ? 'page' : undefined;
}

export function Layout({ ctx, title, description, noindex, children }: LayoutProps) {
  const viewer = ctx.viewer;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{title === 'Rounds' ? title : `${title} · Rounds`}</title>
        {description && <meta name="description" content={description} />}
        {(noindex || viewer.kind === 'member') && <meta name="robots" content="noindex, nofollow" />}
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/static/app.css" />
        <script src="/static/app.js" defer />
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="site-header">
          <div class="wrap header-row">
            <a class="brand" href="/" aria-label="Rounds home">
              <span class="brand-mark" aria-hidden="true">
                ◎
              </span>
              Rounds
            </a>
            <nav class="site-nav" aria-label="Account">
              {viewer.kind === 'member' ? (
                <>
                  {viewer.role === 'admin' && (
                    <a href="/admin" aria-current={current(ctx.path, '/admin')}>
                      Admin
                    </a>
                  )}
                  <a href={`/u/${viewer.handle}`} aria-current={current(ctx.path, `/u/${viewer.handle}`)}>
                    {viewer.displayName}
                  </a>
                  <a href="/settings" aria-current={current(ctx.path, '/settings')}>
                    Settings
                  </a>
                  <form method="post" action="/signout" class="inline-form">
                    <CsrfField ctx={ctx} />
                    <button type="submit" class="button-link">
                      Sign out
                    </button>
                  </form>
                </>
              ) : (
                <>
                  <a href={/^\/(signin|register|auth\/)/.test(ctx.path) ? '/signin' : `/signin?next=${encodeURIComponent(ctx.path)}`}>Sign in</a>
                  <a href="/register" class="button button-small">
                    Join
                  </a>
                </>
              )}
            </nav>
          </div>
        </header>
        <main id="main" class="wrap" tabIndex={-1}>
          {ctx.flash.map((f) => (
            <div class={`notice notice-${f.kind}`} role={f.kind === 'error' ? 'alert' : 'status'}>
              {f.text}
            </div>
          ))}
          {children}
        </main>
        <footer class="site-footer">
          <div class="wrap">
            <p>Rounds — a forum for professional peer groups. What is said in a confidential space stays there.</p>
          </div>
        </footer>
      </body>
    </html>
  );
}
