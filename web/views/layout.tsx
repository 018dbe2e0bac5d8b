import { assetUrl } from '../assets.ts';
import { QUEUE_BADGE_CAP } from '../../server/moderation/queries.ts';
import type { ComponentChildren } from 'preact';
import type { PageContext } from '../context.ts';
import { CsrfField, Time } from './components.tsx';

/** Shown on every page to a silenced member: they can read, not post, and why. */
function SilencedNotice({ silenced }: { silenced: { reason: string; until: Date | null } }) {
  return (
    <div class="notice notice-warning silenced-notice" role="status">
      <strong>Your account is silenced{silenced.until ? <> until <Time at={silenced.until} absolute /></> : ''}.</strong> You can read everything you could
      before, but you cannot post, reply or edit for now.
      {silenced.reason && <> Reason given by the moderators: “{silenced.reason}”</>} <a href="/me/moderation">Details</a>
    </div>
  );
}

export interface LayoutProps {
  ctx: PageContext;
  title: string;
  description?: string;
  /** Members-only and private pages must never reach a search engine. */
  noindex?: boolean;
  /** Extra tags for <head> (Open Graph, canonical and feed links of public pages). */
  head?: ComponentChildren;
  children: ComponentChildren;
}

function current(path: string, href: string): 'page' | undefined {
  const bare = path.split(/[?#]/)[0];
  return bare === href ? 'page' : undefined;
}

export function Layout({ ctx, title, description, noindex, head, children }: LayoutProps) {
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
        <link rel="icon" href={assetUrl('favicon.svg')} type="image/svg+xml" />
        <link rel="stylesheet" href={assetUrl('app.css')} />
        <script src={assetUrl('app.js')} defer />
        {head}
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
            <nav class="site-nav site-sections" aria-label="Sections">
              <a href="/blog" aria-current={current(ctx.path, '/blog')}>
                Blogs
              </a>
            </nav>
            <form method="get" action="/search" class="header-search" role="search" aria-label="Site search">
              <label for="header-search-q" class="sr-only">
                Search Rounds
              </label>
              <input id="header-search-q" name="q" type="search" placeholder="Search" maxLength={200} />
            </form>
            <nav class="site-nav" aria-label="Account">
              {viewer.kind === 'member' ? (
                <>
                  {ctx.chrome?.queueCount != null && (
                    <a href="/mod/queue" class="queue-link" aria-current={current(ctx.path, '/mod/queue')}>
                      {/* "Queue" on phones, where the account links must fit one row. */}
                      <span class="wide-only">Review queue</span>
                      <span class="narrow-only">Queue</span>{' '}
                      <span class={ctx.chrome.queueCount > 0 ? 'count count-busy' : 'count'}>
                        {ctx.chrome.queueCount >= QUEUE_BADGE_CAP ? `${QUEUE_BADGE_CAP - 1}+` : ctx.chrome.queueCount}
                        <span class="sr-only"> open {ctx.chrome.queueCount === 1 ? 'item' : 'items'}</span>
                      </span>
                    </a>
                  )}
                  <a href="/notifications" class="bell" data-bell aria-current={current(ctx.path, '/notifications')}>
                    <svg class="bell-icon" aria-hidden="true" viewBox="0 0 24 24" width="18" height="18" focusable="false">
                      <path d="M12 3a6 6 0 0 0-6 6v3.6L4.3 15.5A1 1 0 0 0 5.2 17h13.6a1 1 0 0 0 .9-1.5L18 12.6V9a6 6 0 0 0-6-6Zm-2.5 15a2.5 2.5 0 0 0 5 0Z" fill="currentColor" />
                    </svg>
                    <span class="sr-only">Notifications</span>{' '}
                    <span class={ctx.chrome?.notificationCount ? 'count count-busy' : 'count'} data-bell-count>
                      {ctx.chrome?.notificationCount ?? 0}
                    </span>
                    <span class="sr-only"> unread</span>
                  </a>
                  {viewer.role === 'admin' && (
                    <a href="/admin" aria-current={current(ctx.path, '/admin')}>
                      Admin
                    </a>
                  )}
                  {/* "You" on phones, where a long name would push the header to a third row. */}
                  <a href={`/u/${viewer.handle}`} class="nav-name" aria-current={current(ctx.path, `/u/${viewer.handle}`)}>
                    <span class="wide-only">{viewer.displayName}</span>
                    <span class="narrow-only" aria-hidden="true">
                      You
                    </span>
                    <span class="narrow-only sr-only">Your profile</span>
                  </a>
                  {/* A gear on phones, where an admin's links would otherwise not fit one row; its name stays "Settings". */}
                  <a href="/settings" class="settings-link" aria-current={current(ctx.path, '/settings')}>
                    <svg class="narrow-only nav-icon" aria-hidden="true" viewBox="0 0 24 24" width="18" height="18" focusable="false">
                      <path
                        d="M10.3 2h3.4l.5 2.6a7.9 7.9 0 0 1 1.9 1.1l2.5-.9 1.7 2.9-2 1.8a8 8 0 0 1 0 2.2l2 1.8-1.7 2.9-2.5-.9a7.9 7.9 0 0 1-1.9 1.1l-.5 2.6h-3.4l-.5-2.6a7.9 7.9 0 0 1-1.9-1.1l-2.5.9-1.7-2.9 2-1.8a8 8 0 0 1 0-2.2l-2-1.8 1.7-2.9 2.5.9a7.9 7.9 0 0 1 1.9-1.1ZM12 8.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7Z"
                        fill="currentColor"
                        fill-rule="evenodd"
                      />
                    </svg>
                    <span class="wide-only">Settings</span>
                    <span class="narrow-only sr-only">Settings</span>
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
          {ctx.chrome?.silenced && <SilencedNotice silenced={ctx.chrome.silenced} />}
          {ctx.flash.map((f) => (
            <div class={`notice notice-${f.kind}`} role={f.kind === 'error' ? 'alert' : 'status'} data-flash>
              {f.text}
            </div>
          ))}
          {children}
        </main>
        <footer class="site-footer">
          <div class="wrap">
            <p>Rounds — a forum for professional peer groups. What is said in a confidential space stays there.</p>
            <p>
              <a href="/moderation">Moderation log</a>: what moderators did to public posts, and why.
            </p>
          </div>
        </footer>
      </body>
    </html>
  );
}
