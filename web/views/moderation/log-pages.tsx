import { THREAD_LOG_ACTIONS, type presentLogLine, type presentPublicLogLine } from '../../../server/moderation/presenters.ts';
import type { PageContext } from '../../context.ts';
import { profileHref } from '../../urls.ts';
import { Breadcrumbs, Time } from '../components.tsx';
import { Layout } from '../layout.tsx';
import { actionLabel, LOG_ACTIONS } from './words.ts';

export type LogLineView = ReturnType<typeof presentLogLine>;
export type PublicLogLineView = ReturnType<typeof presentPublicLogLine>;

export interface LogFilterValues {
  action: string;
  actor: string;
  subject: string;
}

function logHref(filter: LogFilterValues, before?: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) if (value) params.set(key, value);
  if (before !== undefined) params.set('before', String(before));
  const query = params.toString();
  return `/mod/log${query ? `?${query}` : ''}`;
}

export function ModLogPage({ ctx, lines, filter, paged, more }: { ctx: PageContext; lines: LogLineView[]; filter: LogFilterValues; paged: boolean; more: boolean }) {
  const last = lines[lines.length - 1];
  const filtered = filter.action !== '' || filter.actor !== '' || filter.subject !== '';
  return (
    <Layout ctx={ctx} title="Moderation log" noindex>
      <Breadcrumbs items={[{ label: 'Home', href: '/' }, { label: 'Review queue', href: '/mod/queue' }, { label: 'Moderation log' }]} />
      <h1>Moderation log</h1>
      <p class="lead">Every decision and automatic action in the places you moderate, newest first. Members see the public part on the <a href="/moderation">transparency page</a>.</p>
      <form method="get" action="/mod/log" class="queue-filters" aria-label="Filter the log">
        <div class="field field-inline">
          <label for="log-action">Action</label>
          <select id="log-action" name="action">
            <option value="" selected={filter.action === ''}>
              Any action
            </option>
            {Object.entries(LOG_ACTIONS).map(([value, label]) => (
              <option value={value} selected={filter.action === value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div class="field field-inline">
          <label for="log-actor">Moderator</label>
          <input id="log-actor" name="actor" type="text" value={filter.actor} maxLength={40} autoComplete="off" />
        </div>
        <div class="field field-inline">
          <label for="log-subject">Member</label>
          <input id="log-subject" name="subject" type="text" value={filter.subject} maxLength={40} autoComplete="off" />
        </div>
        <div class="queue-filter-actions">
          <button type="submit" class="button button-small">
            Apply
          </button>
          {filtered && <a href="/mod/log">Clear filters</a>}
        </div>
      </form>
      {lines.length === 0 ? (
        <p class="empty">{filtered ? 'No log lines match these filters.' : 'Nothing has happened yet.'}</p>
      ) : (
        <ol class="log-list">
          {lines.map((line) => (
            <li class="log-line">
              <p class="log-head">
                <strong class={`log-action log-${line.action}`}>{actionLabel(line.action)}</strong>
                {line.subject && (
                  <>
                    {' '}
                    · about <a href={profileHref(line.subject)}>@{line.subject}</a>
                  </>
                )}
                {line.space && <> · in {line.space}</>} · {line.actor ? <>by @{line.actor}</> : 'automatic'} · <Time at={new Date(line.createdAt)} />
              </p>
              {line.reason && <p class="log-reason">{line.reason}</p>}
              <p class="log-links">
                {line.itemId !== null && <a href={`/mod/queue/${line.itemId}`}>Item #{line.itemId}</a>}
                {line.postId !== null && <a href={`/p/${line.postId}`}>The post</a>}
              </p>
            </li>
          ))}
        </ol>
      )}
      <nav class="pagination" aria-label="Log pages">
        {paged && <a href={logHref(filter)}>← Newest</a>}
        {more && last && (
          <a href={logHref(filter, last.id)} rel="next">
            Older →
          </a>
        )}
      </nav>
    </Layout>
  );
}

export function PublicLogPage({ ctx, lines, paged, more }: { ctx: PageContext; lines: PublicLogLineView[]; paged: boolean; more: boolean }) {
  const last = lines[lines.length - 1];
  return (
    <Layout ctx={ctx} title="Moderation log" description="What the moderators of Rounds did to public posts, and why.">
      <h1>Moderation log</h1>
      <p class="lead">
        What moderators did to posts in public spaces, and why — so everyone can see how the rules are applied. Actions in members-only and confidential spaces, and
        anything about a person, are not listed here.
      </p>
      {lines.length === 0 ? (
        <p class="empty">No moderation actions on public posts yet.</p>
      ) : (
        <ol class="log-list">
          {lines.map((line) => (
            <li class="log-line">
              <p class="log-head">
                <strong class={`log-action log-${line.action}`}>{actionLabel(line.action)}</strong>
                {line.thread ? (
                  <>
                    {' '}
                    · in <a href={line.thread.url}>{line.thread.title}</a>
                  </>
                ) : THREAD_LOG_ACTIONS.includes(line.action) ? (
                  ' · a thread'
                ) : (
                  ' · a post no longer shown'
                )}{' '}
                · {line.automatic ? 'automatically' : line.moderator ? `by @${line.moderator}` : 'by a moderator'} · <Time at={new Date(line.createdAt)} />
              </p>
              {line.reason && <p class="log-reason">{line.reason}</p>}
            </li>
          ))}
        </ol>
      )}
      <nav class="pagination" aria-label="Log pages">
        {paged && <a href="/moderation">← Newest</a>}
        {more && last && (
          <a href={`/moderation?before=${last.id}`} rel="next">
            Older →
          </a>
        )}
      </nav>
    </Layout>
  );
}
