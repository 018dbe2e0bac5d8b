import type { NotificationItem } from '../../../server/notifications/presenters.ts';
import type { PageContext } from '../../context.ts';
import { Breadcrumbs, CsrfField, PostButton, Time } from '../components.tsx';
import { Layout } from '../layout.tsx';

export interface WatchState {
  chosen: string;
  effective: string;
}

const LEVEL_WORDS: Record<string, string> = {
  watching: 'Watching: every new post',
  tracking: 'Tracking: unread counts, replies to you and mentions',
  normal: 'Normal: replies to you and mentions',
  muted: 'Muted: nothing, not even mentions',
};

/**
 * Watch, track or mute a thread, board or space: a plain form (works without JavaScript), with
 * "default" to fall back on what the wider place or the posting default says.
 */
export function WatchControl({ ctx, kind, id, state, next }: { ctx: PageContext; kind: 'thread' | 'board' | 'space'; id: number; state: WatchState; next: string }) {
  const label = `Notifications for this ${kind}`;
  return (
    <form method="post" action="/watch" class="watch-control">
      <CsrfField ctx={ctx} />
      <input type="hidden" name="kind" value={kind} />
      <input type="hidden" name="id" value={String(id)} />
      <input type="hidden" name="next" value={next} />
      <label for={`watch-${kind}-${id}`}>{label}</label>
      <select id={`watch-${kind}-${id}`} name="level">
        <option value="default" selected={state.chosen === 'default'}>
          Default{state.chosen === 'default' ? ` (${(LEVEL_WORDS[state.effective] ?? state.effective).split(':')[0]})` : ''}
        </option>
        {(['watching', 'tracking', 'muted'] as const).map((level) => (
          <option value={level} selected={state.chosen === level}>
            {LEVEL_WORDS[level]}
          </option>
        ))}
      </select>
      <button type="submit" class="button button-small button-secondary">
        Save
      </button>
    </form>
  );
}

export function NotificationsPage(props: {
  ctx: PageContext;
  items: NotificationItem[];
  next: number | null;
  unreadCount: number;
  first: boolean;
}) {
  const { ctx, items } = props;
  return (
    <Layout ctx={ctx} title="Notifications" noindex>
      <Breadcrumbs items={[{ label: 'Home', href: '/' }, { label: 'Notifications' }]} />
      <div class="page-head">
        <div>
          <h1>Notifications</h1>
          <p class="lead">
            {props.unreadCount === 0 ? 'Nothing unread.' : `${props.unreadCount} unread.`} Opening an item marks it read.
          </p>
        </div>
        {props.unreadCount > 0 && <PostButton ctx={ctx} action="/notifications/read-all" label="Mark all read" class="button button-secondary" />}
      </div>
      {items.length === 0 ? (
        <p class="empty">{props.first ? 'No notifications yet. Replies to you, mentions, comments on your entries and news about your spaces will show up here.' : 'Nothing older.'}</p>
      ) : (
        <ol class="notification-list">
          {items.map((item) => (
            <li class={item.unread ? 'notification unread' : 'notification'}>
              <a href={`/notifications/${item.id}`} class="notification-link">
                {item.unread && <span class="sr-only">Unread: </span>}
                {item.text}
              </a>
              <span class="notification-time">
                <Time at={item.createdAt} />
              </span>
              {item.excerpt && <p class="notification-excerpt">{item.excerpt}</p>}
            </li>
          ))}
        </ol>
      )}
      {props.next !== null && (
        <nav class="pagination" aria-label="More notifications">
          <a href={`/notifications?before=${props.next}`} rel="next">
            Older notifications
          </a>
        </nav>
      )}
      <p class="hint">
        Which threads you watch by default, and whether notifications also come by e-mail: <a href="/settings#notifications">Settings</a>.
      </p>
    </Layout>
  );
}
