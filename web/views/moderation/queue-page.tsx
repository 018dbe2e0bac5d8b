import type { presentQueueItem } from '../../../server/moderation/presenters.ts';
import type { PageContext } from '../../context.ts';
import { profileHref } from '../../urls.ts';
import { Badge, Breadcrumbs, Time } from '../components.tsx';
import { Layout } from '../layout.tsx';
import { FLAG_REASON_LABELS, FLAG_REASONS, formatScore, ITEM_KINDS, KIND_LABELS, reasonLabel, type ItemKind } from './words.ts';

export type QueueItemView = ReturnType<typeof presentQueueItem>;

/** The queue's filters as the page's query string carries them (all optional but sort and status). */
export interface QueuePageFilter {
  sort: 'priority' | 'age';
  status: 'open' | 'decided';
  kind?: ItemKind | undefined;
  reason?: string | undefined;
  space?: number | undefined;
}

export function queueHref(filter: QueuePageFilter, after?: string): string {
  const params = new URLSearchParams();
  if (filter.sort !== 'priority') params.set('sort', filter.sort);
  if (filter.status !== 'open') params.set('status', filter.status);
  if (filter.kind) params.set('kind', filter.kind);
  if (filter.reason) params.set('reason', filter.reason);
  if (filter.space !== undefined) params.set('space', String(filter.space));
  if (after) params.set('after', after);
  const query = params.toString();
  return `/mod/queue${query ? `?${query}` : ''}`;
}

function Select(props: { name: string; label: string; value: string; options: { value: string; label: string }[] }) {
  return (
    <div class="field field-inline">
      <label for={`q-${props.name}`}>{props.label}</label>
      <select id={`q-${props.name}`} name={props.name}>
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function QueuePage(props: {
  ctx: PageContext;
  items: QueueItemView[];
  filter: QueuePageFilter;
  paged: boolean;
  next: string | null;
  elsewhere: number;
  spaces: { id: number; name: string }[];
}) {
  const { ctx, items, filter } = props;
  const filtered = filter.kind !== undefined || filter.reason !== undefined || filter.space !== undefined;
  return (
    <Layout ctx={ctx} title="Review queue" noindex>
      <Breadcrumbs items={[{ label: 'Home', href: '/' }, { label: 'Review queue' }]} />
      <div class="page-head">
        <div>
          <h1>Review queue</h1>
          <p class="lead">Flagged posts, posts waiting for approval, and authors asking for another look — in the places you moderate.</p>
        </div>
        <a class="button button-secondary button-small" href="/mod/log">
          Moderation log
        </a>
      </div>
      {props.elsewhere > 0 && (
        <p class="notice notice-info queue-elsewhere" role="note">
          {props.elsewhere === 1 ? '1 more item waits' : `${props.elsewhere} more items wait`} in confidential spaces. Their own moderators handle them; you see only the count.
        </p>
      )}
      <form method="get" action="/mod/queue" class="queue-filters" aria-label="Filter the queue">
        <Select
          name="status"
          label="Status"
          value={filter.status}
          options={[
            { value: 'open', label: 'Open' },
            { value: 'decided', label: 'Decided' },
          ]}
        />
        <Select name="kind" label="Kind" value={filter.kind ?? ''} options={[{ value: '', label: 'All kinds' }, ...ITEM_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))]} />
        <Select name="reason" label="Reason" value={filter.reason ?? ''} options={[{ value: '', label: 'Any reason' }, ...FLAG_REASONS.map((r) => ({ value: r, label: FLAG_REASON_LABELS[r] }))]} />
        <Select
          name="space"
          label="Space"
          value={filter.space === undefined ? '' : String(filter.space)}
          options={[{ value: '', label: 'All spaces' }, ...props.spaces.map((s) => ({ value: String(s.id), label: s.name }))]}
        />
        <Select
          name="sort"
          label="Order"
          value={filter.sort}
          options={[
            { value: 'priority', label: 'Highest score first' },
            { value: 'age', label: 'Oldest first' },
          ]}
        />
        <div class="queue-filter-actions">
          <button type="submit" class="button button-small">
            Apply
          </button>
          {filtered && <a href={queueHref({ sort: filter.sort, status: filter.status })}>Clear filters</a>}
        </div>
      </form>
      <p class="hint keyboard-hint" id="queue-keys">
        Keyboard: <kbd>j</kbd> next item, <kbd>k</kbd> previous item, <kbd>Enter</kbd> open it.
      </p>
      {items.length === 0 ? (
        <p class="empty">
          {filter.status === 'open' ? (filtered ? 'Nothing open matches these filters.' : 'Nothing to review. The queue is empty.') : 'No decided items match these filters.'}
        </p>
      ) : (
        <ol class="queue-list" data-queue aria-describedby="queue-keys">
          {items.map((item) => (
            <QueueRow item={item} />
          ))}
        </ol>
      )}
      <nav class="pagination" aria-label="Queue pages">
        {props.paged && <a href={queueHref(filter)}>← First page</a>}
        {props.next && (
          <a href={queueHref(filter, props.next)} rel="next">
            Next page →
          </a>
        )}
      </nav>
    </Layout>
  );
}

function QueueRow({ item }: { item: QueueItemView }) {
  const reasons = Object.entries(item.reasons);
  const kind = item.kind as ItemKind;
  return (
    <li class={`queue-item queue-${item.kind}`} data-queue-item>
      <div class="queue-item-head">
        <a class="queue-item-link" href={`/mod/queue/${item.id}`} data-queue-link>
          {KIND_LABELS[kind] ?? item.kind}
          {item.post
            ? `: ${item.post.threadTitle} #${item.post.number}`
            : item.blog
              ? item.blog.commentId !== null
                ? `: comment on “${item.blog.title}”`
                : `: blog entry “${item.blog.title}”`
              : item.subject
                ? `: profile of ${item.subject.displayName}`
                : ''}
        </a>
        <span class="queue-badges">
          {item.autoHidden && <Badge kind="hidden">Auto-hidden</Badge>}
          {item.post && item.post.status !== 'published' && !item.autoHidden && <Badge kind={item.post.status}>{item.post.status === 'held' ? 'Held' : 'Hidden'}</Badge>}
          {item.status === 'decided' && item.decision && <Badge kind="active">Decided: {item.decision.replace('_', ' ')}</Badge>}
        </span>
      </div>
      {item.post?.excerpt && <p class="queue-excerpt">{item.post.excerpt}</p>}
      {item.blog?.excerpt && <p class="queue-excerpt">{item.blog.excerpt}</p>}
      {item.authorNote && <p class="queue-note">Author’s note: “{item.authorNote}”</p>}
      <p class="queue-meta">
        {reasons.length > 0 && (
          <span class="queue-reasons">
            {reasons.map(([reason, n]) => (
              <span class="reason-chip">
                {reasonLabel(reason)}
                {n > 1 ? ` ×${n}` : ''}
              </span>
            ))}
          </span>
        )}
        <span>
          Score <strong>{formatScore(item.score)}</strong>
        </span>
        <span>
          by <a href={profileHref(item.subject.handle)}>@{item.subject.handle}</a>
        </span>
        {item.space && <span>in {item.space.name}</span>}
        <span>
          {item.status === 'decided' ? 'opened' : 'waiting since'} <Time at={new Date(item.createdAt)} />
        </span>
      </p>
    </li>
  );
}
